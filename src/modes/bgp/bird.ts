// BIRD 2 for bgp mode (pure): who peers with whom and each node's bird.cfg, shaped like Calico's (reference C.3).
import type { Topology, NodeT } from '../../model/topology.js';
import { bgpOf } from './ipam.js';
import { announcers, lbServices } from '../../dataplane/edge/loadbalancer.js';

/** The upstream router's AS (MetalLB's documentation peers 64500 with 64501). */
export const UPSTREAM_ASN = 64501;

/** Calico's name for a global BGPPeer: Global_<ip with underscores>. */
export function globalPeerName(ip: string): string {
  return `Global_${ip.replace(/\./g, '_')}`;
}

/** The load-balancer /32s a node announces to the upstream router (MetalLB BGP mode: all nodes for eTP Cluster,
 *  the nodes with a local endpoint for Local, none for a Service without endpoints). */
export function lbRoutesOf(t: Topology, n: NodeT): string[] {
  if (t.loadBalancer?.announce !== 'BGP' || !t.lbHost) return [];
  return [...new Set(lbServices(t).filter((s) => announcers(t, s).includes(n.name)).map((s) => `${s.loadBalancer!.ip}/32`))].sort();
}

const TIMERS = ['  connect delay time 1;', '  connect retry time 1;', '  error wait time 1,5;', '  hold time 9;', '  keepalive time 3;'];

/** BIRD on the upstream router: eBGP with every node, the learned /32s installed with equal-cost multipath. */
export function routerBirdConfig(t: Topology): string {
  const r = t.lbHost!;
  const asn = bgpOf(t).asn;
  const L: string[] = [`# podlab ${t.cluster} upstream router (MetalLB BGP peer, AS ${UPSTREAM_ASN})`, `router id ${r.ip};`, ''];
  L.push('protocol device { scan time 2; }');
  L.push('protocol kernel {', '  scan time 2;', '  ipv4 { import none; export all; };', '  merge paths on; # ECMP over every node that announces an IP', '}');
  L.push('', 'template bgp nodes {', `  local as ${UPSTREAM_ASN};`, '  ipv4 { import all; export none; };', ...TIMERS, '}');
  for (const n of t.nodes) L.push('', `protocol bgp ${meshProtocolName(n.ip).replace('Mesh_', 'Node_')} from nodes {`, `  neighbor ${n.ip} as ${asn};`, `  source address ${r.ip};`, '}');
  return L.join('\n') + '\n';
}

/** Who a node peers with: everyone (full mesh), or route reflectors only (RRs peer with everyone). */
export function bgpPeers(t: Topology, n: NodeT): { node: NodeT; rrClient: boolean }[] {
  const others = t.nodes.filter((x) => x.name !== n.name);
  if (bgpOf(t).topology === 'full-mesh') return others.map((node) => ({ node, rrClient: false }));
  const rrs = new Set(bgpOf(t).routeReflectors);
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
  const b = bgpOf(t);
  const asn = b.asn;
  const L: string[] = [];
  L.push(`# podlab ${t.cluster} node ${n.name} (Calico-style, ${b.topology})`);
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
  if (t.loadBalancer?.announce === 'BGP' && t.lbHost) {
    const routes = lbRoutesOf(t, n);
    L.push('');
    L.push(`# MetalLB BGP mode: load-balancer IPs this node announces to the upstream router (never to the kernel or the mesh).`);
    L.push(`protocol static lb_ips {`, `  ipv4;`, ...routes.map((r) => `  route ${r} unreachable;`), `}`);
    L.push(`filter metallb_export {`, ...(routes.length ? [`  if ( net ~ [ ${routes.join(', ')} ] ) then { accept; }`] : []), `  reject;`, `}`);
    L.push(`protocol bgp ${globalPeerName(t.lbHost.ip)} {`, `  description "Upstream router (MetalLB BGP peer)";`, `  local as ${asn};`, `  neighbor ${t.lbHost.ip} as ${UPSTREAM_ASN};`,
      `  source address ${n.ip};`, `  ipv4 { import none; export filter metallb_export; };`, ...TIMERS, `}`);
  }
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

