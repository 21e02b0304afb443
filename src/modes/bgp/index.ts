// bgp: Calico's routed dataplane without encapsulation (reference/dataplane.md section C): cali veths with
// proxy ARP, /32 pods behind 169.254.1.1, IPAM blocks, natOutgoing, and BIRD 2 peering between nodes.
// Pure: the plan and the bird.cfg text; src/daemon/bgp.ts runs BIRD.
import type { Topology, NodeT, PodT } from '../../model/topology.js';
import { cniVethName } from '../../net/names.js';
import { emptyNs, type DataplaneMode, type MutableNs, type Plan } from '../../dataplane/types.js';
import { BASE_SYSCTLS } from '../../dataplane/pods.js';
import { fabricNs, nodeBaseNs, externalNs } from '../../dataplane/underlay.js';
import { comment, type Fragment } from '../../dataplane/iptables.js';
import { nodeRuleSets } from '../../dataplane/proxy/index.js';

/** Calico's fixed host-side MAC and the pod's fake gateway (C.1). */
export const CALI_MAC = 'ee:ee:ee:ee:ee:ee';
export const CALI_GW = '169.254.1.1';

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

/** A Calico pod namespace: eth0 with a /32, reached through the link-scope fake gateway 169.254.1.1. */
function caliPodNs(pod: PodT, mtu: number): MutableNs {
  const ns = emptyNs(pod.netns, 'pod', 2);
  ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '0']);
  ns.links.push({ name: 'eth0', kind: 'veth', mtu, foreign: true });
  ns.addrs.push({ dev: 'eth0', cidr: `${pod.ip}/32` });
  ns.routes.push({ dst: CALI_GW, dev: 'eth0', scope: 'link' });
  ns.routes.push({ dst: 'default', via: CALI_GW, dev: 'eth0' });
  return ns;
}

/** Who a node peers with: everyone (full mesh), or route reflectors only (RRs peer with everyone). */
export function bgpPeers(t: Topology, n: NodeT): { node: NodeT; rrClient: boolean }[] {
  const others = t.nodes.filter((x) => x.name !== n.name);
  if (t.bgp.topology === 'full-mesh') return others.map((node) => ({ node, rrClient: false }));
  const rrs = new Set(t.bgp.routeReflectors);
  if (rrs.has(n.name)) return others.map((node) => ({ node, rrClient: !rrs.has(node.name) }));
  return others.filter((x) => rrs.has(x.name)).map((node) => ({ node, rrClient: false }));
}

export function meshProtocolName(peerIp: string): string {
  return `Mesh_${peerIp.replace(/\./g, '_')}`;
}

/** Calico's passive rule: Go string compare, passive when the peer IP is lexically greater (C.3). */
export function isPassive(localIp: string, peerIp: string): boolean {
  return peerIp > localIp;
}

/**
 * bird.cfg for one node, shaped like Calico's (C.3) with podlab's deviations, each for a reason:
 * no graceful restart (a stopped BIRD must withdraw at once, for the bgp-down fault), no `persist`
 * (its routes leave the kernel with it), `gateway direct` (all nodes share one L2 underlay, so no
 * `direct` protocol is needed for recursive next hops), short timers (a lab converges in seconds).
 */
export function birdConfig(t: Topology, n: NodeT): string {
  const asn = t.bgp.asn;
  const L: string[] = [];
  L.push(`# podlab ${t.cluster} node ${n.name} (Calico-style, ${t.bgp.topology})`);
  L.push(`router id ${n.ip};`);
  L.push('');
  L.push(`filter calico_export_to_bgp_peers {`);
  L.push(`  if ( net ~ ${t.podCIDR} ) then { accept; }`);
  L.push(`  reject;`);
  L.push(`}`);
  L.push(`filter calico_kernel_programming {`);
  L.push(`  if ( net ~ ${t.podCIDR} ) then { accept; }`);
  L.push(`  reject;`);
  L.push(`}`);
  L.push('');
  L.push(`protocol kernel {`);
  L.push(`  scan time 2;`);
  L.push(`  ipv4 { import none; export filter calico_kernel_programming; };`);
  L.push(`  merge paths on;`);
  L.push(`}`);
  L.push(`protocol device { scan time 2; }`);
  L.push('');
  L.push(`# Blocks affine to this node: blackholed locally, /32 routes to cali devices are more specific.`);
  L.push(`protocol static static_blocks {`);
  L.push(`  ipv4;`);
  for (const b of n.blocks ?? []) L.push(`  route ${b} blackhole;`);
  L.push(`}`);
  L.push('');
  L.push(`template bgp bgp_template {`);
  L.push(`  description "Connection to BGP peer";`);
  L.push(`  local as ${asn};`);
  L.push(`  direct; # all nodes share one L2 underlay`);
  L.push(`  ipv4 { gateway direct; import all; export filter calico_export_to_bgp_peers; add paths on; };`);
  L.push(`  connect delay time 1;`);
  L.push(`  connect retry time 1;`);
  L.push(`  error wait time 1,5;`);
  L.push(`  hold time 9;`);
  L.push(`  keepalive time 3;`);
  L.push(`}`);
  for (const p of bgpPeers(t, n)) {
    L.push('');
    L.push(`protocol bgp ${meshProtocolName(p.node.ip)} from bgp_template {`);
    L.push(`  neighbor ${p.node.ip} as ${asn};`);
    L.push(`  source address ${n.ip};`);
    if (p.rrClient) L.push(`  rr client;`);
    if (isPassive(n.ip, p.node.ip)) L.push(`  passive on; # Mesh is unidirectional, peer will connect to us.`);
    L.push(`}`);
  }
  return L.join('\n') + '\n';
}

export const bgp: DataplaneMode = {
  name: 'bgp',
  description: 'Calico BGP, no encapsulation: cali veths with proxy ARP, /26 IPAM blocks, BIRD 2 peering',
  podMtu: (mtu) => mtu,
  requires: { commands: ['ip', 'iptables-restore', 'iptables-save', 'bird', 'birdc'], linkKinds: ['bridge', 'veth'] },
  plan(t: Topology): Plan {
    const podMtu = this.podMtu(t.mtu);
    const out: MutableNs[] = [fabricNs(t), externalNs(t)];
    for (const n of t.nodes) {
      const ns = nodeBaseNs(t, n);
      out.push(ns);
      for (const pod of t.pods) {
        if (pod.node !== n.name) continue;
        const dev = caliName(pod);
        ns.links.push({ name: dev, kind: 'veth', mtu: podMtu, mac: CALI_MAC, peer: { name: 'eth0', netns: pod.netns, mtu: podMtu } });
        ns.sysctls.push(
          [`net.ipv4.conf.${dev}.forwarding`, '1'],
          [`net.ipv4.conf.${dev}.proxy_arp`, '1'],
          [`net.ipv4.neigh.${dev}.proxy_delay`, '0'],
        );
        ns.routes.push({ dst: pod.ip, dev, scope: 'link' });
        out.push(caliPodNs(pod, podMtu));
      }
      const endpoints = t.pods.filter((p) => p.node === n.name).map((p) => ({ pod: p.key, namespace: p.namespace, ip: p.ip, iface: caliName(p) }));
      nodeRuleSets(ns, t, n, calicoNatFragments(t), { style: 'calico', endpoints });
    }
    return { namespaces: out };
  },
};
