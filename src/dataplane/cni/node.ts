// The node side every mode shares (pure): base sysctls, and a node namespace with its underlay port.
import type { Topology, NodeT } from '../../model/topology.js';
import { emptyNs, type MutableNs } from '../types.js';

/** Sysctls every namespace gets: IPv6 off (the lab is IPv4; no ND chatter in captures). */
export const BASE_SYSCTLS: readonly (readonly [string, string])[] = [
  ['net.ipv6.conf.all.disable_ipv6', '1'],
  ['net.ipv6.conf.default.disable_ipv6', '1'],
];

/** A node namespace with its underlay side: eth0 (made by the fabric plan), node IP, default route via the gateway. */
export function nodeBaseNs(t: Topology, n: NodeT): MutableNs {
  const ns = emptyNs(n.netns, 'node', 1);
  ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '1']);
  ns.links.push({ name: 'eth0', kind: 'veth', mtu: t.mtu, mac: n.mac, foreign: true });
  ns.addrs.push({ dev: 'eth0', cidr: `${n.ip}/${t.underlayPrefix}` });
  ns.routes.push({ dst: 'default', via: t.gateway, dev: 'eth0' });
  return ns;
}

/** A pod namespace's common part: IPv6 off, no forwarding, eth0 (the far end of the node's veth). */
export function podBaseNs(netns: string, mtu: number): MutableNs {
  const ns = emptyNs(netns, 'pod', 2);
  ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '0']);
  ns.links.push({ name: 'eth0', kind: 'veth', mtu, foreign: true });
  return ns;
}
