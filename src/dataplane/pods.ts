// Pod wiring shared by the modes (pure): a pod namespace with lo and eth0 (a veth whose other end is on the node).
import type { Topology, PodT } from '../model/topology.js';
import { emptyNs, type MutableNs, type LinkSpec } from './types.js';

/** Sysctls every namespace gets: IPv6 off (the lab is IPv4; no ND chatter in captures). */
export const BASE_SYSCTLS: readonly (readonly [string, string])[] = [
  ['net.ipv6.conf.all.disable_ipv6', '1'],
  ['net.ipv6.conf.default.disable_ipv6', '1'],
];

/** A pod namespace on a bridge CNI: eth0 with the pod IP in the node's subnet, default route via the bridge. */
export function bridgePodNs(t: Topology, pod: PodT, mtu: number, gateway: string, prefix: number): MutableNs {
  const ns = emptyNs(pod.netns, 'pod', 2);
  ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '0']);
  ns.links.push({ name: 'eth0', kind: 'veth', mtu, foreign: true });
  ns.addrs.push({ dev: 'eth0', cidr: `${pod.ip}/${prefix}` });
  ns.routes.push({ dst: 'default', via: gateway, dev: 'eth0' });
  ns.routes.push({ dst: t.podCIDR, via: gateway, dev: 'eth0' });
  return ns;
}

/** The node-side veth of a pod, created in the node namespace with its peer "eth0" put into the pod namespace. */
export function podVeth(hostName: string, pod: PodT, mtu: number, extra: Partial<LinkSpec> = {}): LinkSpec {
  return { name: hostName, kind: 'veth', mtu, peer: { name: 'eth0', netns: pod.netns, mtu }, ...extra };
}
