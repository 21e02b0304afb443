// overlay: flannel's VXLAN backend with the bridge CNI and host-local IPAM (reference/dataplane.md section B).
import { sandboxPods, type Topology, type NodeT } from '../../model/topology.js';
import { mustCidr, nth } from '../../net/ip.js';
import { bridgeVethName } from '../../net/names.js';
import { macFor } from '../../net/hash.js';
import type { MutableNs, Plan } from '../../dataplane/types.js';
import { bridgePod } from '../../dataplane/cni/bridge.js';
import { nodeBaseNs } from '../../dataplane/cni/node.js';
import { fabricNs, externalNs } from '../../dataplane/underlay.js';
import { comment, type Fragment } from '../../dataplane/iptables.js';
import { nodeRuleSets } from '../../dataplane/proxy/index.js';

export const VXLAN_OVERHEAD = 50;
export const FLANNEL_VNI = 1;
/** flannel leaves the port at 0, so the kernel's default applies: 8472, not IANA's 4789. */
export const FLANNEL_PORT = 8472;
export const FLANNEL_DEV = `flannel.${FLANNEL_VNI}`;

/** The VTEP MAC flannel publishes in the node's lease; ours is derived so peers need no read-back. */
export function vtepMac(t: Topology, n: NodeT): string {
  return macFor(`${t.cluster}/node/${n.name}/${FLANNEL_DEV}`);
}

/** flanneld's masquerade and forward rules (FL trafficmngr/iptables), for one node. */
export function flannelFragments(t: Topology, n: NodeT): Fragment[] {
  const c = comment('flanneld masq');
  const f = comment('flanneld forward');
  const net = t.podCIDR;
  const sub = n.podCIDR;
  return [
    {
      table: 'nat',
      chains: ['FLANNEL-POSTRTG'],
      rules: [
        `-A POSTROUTING ${c} -j FLANNEL-POSTRTG`,
        `-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${c} -j RETURN`,
        `-A FLANNEL-POSTRTG -s ${sub} -d ${net} ${c} -j RETURN`,
        `-A FLANNEL-POSTRTG -s ${net} -d ${sub} ${c} -j RETURN`,
        `-A FLANNEL-POSTRTG ! -s ${net} -d ${sub} ${c} -j RETURN`,
        `-A FLANNEL-POSTRTG -s ${net} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`,
        `-A FLANNEL-POSTRTG ! -s ${net} -d ${net} ${c} -j MASQUERADE --random-fully`,
      ],
    },
    {
      table: 'filter',
      chains: ['FLANNEL-FWD'],
      rules: [
        `-A FORWARD ${f} -j FLANNEL-FWD`,
        `-A FLANNEL-FWD -s ${net} ${f} -j ACCEPT`,
        `-A FLANNEL-FWD -d ${net} ${f} -j ACCEPT`,
      ],
    },
  ];
}

/** flannel's pod MTU: the underlay's minus the VXLAN overhead. */
export const overlayPodMtu = (mtu: number): number => mtu - VXLAN_OVERHEAD;

export function overlayPlan(t: Topology): Plan {
  const podMtu = overlayPodMtu(t.mtu);
  const out: MutableNs[] = [fabricNs(t), externalNs(t)];
  for (const n of t.nodes) {
    const ns = nodeBaseNs(t, n);
    const sub = mustCidr(n.podCIDR);
    const gw = nth(sub, 1);
    ns.sysctls.push(['net.bridge.bridge-nf-call-iptables', '1']);
    // Creation order matches a real node: lo, eth0, cni0, flannel.1, then the pods' veths.
    ns.links.push({ name: 'cni0', kind: 'bridge', mtu: podMtu, mac: macFor(`${t.cluster}/node/${n.name}/cni0`) });
    ns.links.push({
      name: FLANNEL_DEV, kind: 'vxlan', mtu: t.mtu - VXLAN_OVERHEAD, mac: vtepMac(t, n),
      vxlan: { id: FLANNEL_VNI, port: FLANNEL_PORT, local: n.ip, dev: 'eth0', learning: false },
    });
    ns.addrs.push({ dev: 'cni0', cidr: `${gw}/${sub.prefix}` });
    ns.addrs.push({ dev: FLANNEL_DEV, cidr: `${sub.text.split('/')[0]}/32` });
    for (const peer of t.nodes) {
      if (peer.name === n.name) continue;
      const psub = mustCidr(peer.podCIDR);
      const pnet = nth(psub, 0);
      ns.neighs.push({ ip: pnet, mac: vtepMac(t, peer), dev: FLANNEL_DEV });
      ns.fdb.push({ mac: vtepMac(t, peer), dev: FLANNEL_DEV, dst: peer.ip });
      ns.routes.push({ dst: psub.text, via: pnet, dev: FLANNEL_DEV, onlink: true });
    }
    out.push(ns);
    for (const pod of sandboxPods(t)) {
      if (pod.node !== n.name) continue;
      out.push(bridgePod(t, ns, pod, { hostVeth: bridgeVethName(t.cluster, pod.namespace, pod.name), bridge: 'cni0', mtu: podMtu, gateway: gw, prefix: sub.prefix }));
    }
    // NetworkPolicy as Canal enforces it: Calico's engine on the pods' bridge ports.
    const endpoints = sandboxPods(t).filter((p) => p.node === n.name).map((p) => ({ pod: p.key, namespace: p.namespace, ip: p.ip, iface: bridgeVethName(t.cluster, p.namespace, p.name) }));
    nodeRuleSets(ns, t, n, flannelFragments(t, n), { style: 'canal', endpoints, bridge: 'cni0' }, { netName: 'cbr0', podPrefix: sub.prefix });
  }
  return { namespaces: out };
}
