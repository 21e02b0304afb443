// A pod on a bridge CNI (the CNI bridge plugin, as flannel uses it; reference/dataplane.md B): the host veth is a
// port of the node's bridge with hairpin mode on, the pod has an address in the node's subnet behind the bridge.
import type { Topology, PodT } from '../../model/topology.js';
import type { LinkSpec, MutableNs } from '../types.js';
import { podBaseNs } from './node.js';

/** The pod namespace: eth0 with the pod IP in the node's subnet, default route (and the cluster's) via the bridge. */
export function bridgePodNs(t: Topology, pod: PodT, mtu: number, gateway: string, prefix: number): MutableNs {
  const ns = podBaseNs(pod.netns, mtu);
  ns.addrs.push({ dev: 'eth0', cidr: `${pod.ip}/${prefix}` });
  ns.routes.push({ dst: 'default', via: gateway, dev: 'eth0' });
  ns.routes.push({ dst: t.podCIDR, via: gateway, dev: 'eth0' });
  return ns;
}

/** The node-side veth of a pod, created in the node with its peer "eth0" put straight into the pod namespace. */
export function podVeth(hostName: string, pod: PodT, mtu: number, extra: Partial<LinkSpec> = {}): LinkSpec {
  return { name: hostName, kind: 'veth', mtu, peer: { name: 'eth0', netns: pod.netns, mtu }, ...extra };
}

/** Wire a pod into a node's bridge: the host veth as a hairpin port of `bridge`, and the pod's own namespace. */
export function bridgePod(t: Topology, node: MutableNs, pod: PodT, o: { hostVeth: string; bridge: string; mtu: number; gateway: string; prefix: number }): MutableNs {
  node.links.push(podVeth(o.hostVeth, pod, o.mtu, { master: o.bridge, hairpin: true }));
  return bridgePodNs(t, pod, o.mtu, o.gateway, o.prefix);
}
