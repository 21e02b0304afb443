// bgp: Calico's routed dataplane without encapsulation (reference/dataplane.md section C): cali veths with
// proxy ARP, /32 pods behind 169.254.1.1, IPAM blocks (ipam.ts), natOutgoing; BIRD 2 peers the nodes (bird.ts
// renders its config, runtime.ts runs it).
import { sandboxPods, type Topology, type PodT } from '../../model/topology.js';
import { cniVethName } from '../../net/names.js';
import { emptyNs, type MutableNs, type Plan } from '../../dataplane/types.js';
import { nodeBaseNs, BASE_SYSCTLS } from '../../dataplane/cni/node.js';
import { p2pPod, P2P_GATEWAY } from '../../dataplane/cni/p2p.js';
import { fabricNs, externalNs } from '../../dataplane/underlay.js';
import { comment, type Fragment } from '../../dataplane/iptables.js';
import { nodeRuleSets } from '../../dataplane/proxy/index.js';

/** Calico's fixed host-side MAC and the pod's fake gateway (C.1). */
export const CALI_MAC = 'ee:ee:ee:ee:ee:ee';
export const CALI_GW = P2P_GATEWAY;

export function caliName(pod: PodT): string {
  return cniVethName('cali', pod.namespace, pod.name);
}

/** Felix's natOutgoing (C.6): pod → outside every pool is masqueraded; pod → pod never. */
export function calicoNatFragments(t: Topology): Fragment[] {
  const c = comment('cali:natOutgoing');
  return [{
    table: 'nat',
    chains: ['cali-POSTROUTING', 'cali-nat-outgoing'],
    rules: [
      `-A POSTROUTING -m comment --comment cali:O3lYWMrLQYEMJtB5 -j cali-POSTROUTING`,
      `-A cali-POSTROUTING -m comment --comment cali:Z-c7XtVd2Bq7s_hA -j cali-nat-outgoing`,
      `-A cali-nat-outgoing -s ${t.podCIDR} ! -d ${t.podCIDR} ${c} -j MASQUERADE --random-fully`,
    ],
  }];
}

export function bgpPlan(t: Topology): Plan {
  const podMtu = t.mtu;
  const fabric = fabricNs(t);
  const ext = externalNs(t);
  const out: MutableNs[] = [fabric, ext];
  // MetalLB's BGP mode: the upstream router on the fabric, which the external host uses as its gateway.
  const r = t.loadBalancer?.announce === 'BGP' ? t.lbHost : undefined;
  if (r) {
    fabric.links.push({ name: r.port, kind: 'veth', mtu: t.mtu, master: t.fabric.bridge, peer: { name: 'eth0', netns: r.netns, mtu: t.mtu, mac: r.mac } });
    const router = emptyNs(r.netns, 'host', 1);
    router.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '1'], ['net.ipv4.conf.all.rp_filter', '0'], ['net.ipv4.conf.default.rp_filter', '0'], ['net.ipv4.fib_multipath_hash_policy', '1']);
    router.links.push({ name: 'eth0', kind: 'veth', mtu: t.mtu, mac: r.mac, foreign: true });
    router.addrs.push({ dev: 'eth0', cidr: `${r.ip}/${t.underlayPrefix}` });
    out.push(router);
    ext.routes.push({ dst: 'default', via: r.ip, dev: 'eth0' });
  }
  for (const n of t.nodes) {
    const ns = nodeBaseNs(t, n);
    out.push(ns);
    for (const pod of sandboxPods(t)) {
      if (pod.node !== n.name) continue;
      const dev = caliName(pod);
      out.push(p2pPod(ns, pod, {
        hostVeth: dev, hostMac: CALI_MAC, mtu: podMtu, gatewayDst: CALI_GW, hostRouteDst: pod.ip, staticArp: false,
        hostSysctls: [[`net.ipv4.conf.${dev}.forwarding`, '1'], [`net.ipv4.conf.${dev}.proxy_arp`, '1'], [`net.ipv4.neigh.${dev}.proxy_delay`, '0']],
      }));
    }
    const endpoints = sandboxPods(t).filter((p) => p.node === n.name).map((p) => ({ pod: p.key, namespace: p.namespace, ip: p.ip, iface: caliName(p) }));
    nodeRuleSets(ns, t, n, calicoNatFragments(t), { style: 'calico', endpoints }, { netName: 'k8s-pod-network', podPrefix: 32 });
  }
  return { namespaces: out };
}
