// The underlay the L2 modes share (pure): the fabric bridge each node's eth0 and the external host plug into.
// (vpc builds its own fabric: a VPC router.) The node side is in cni/node.ts.
import type { Topology } from '../model/topology.js';
import { emptyNs, type MutableNs } from './types.js';
import { BASE_SYSCTLS } from './cni/node.js';

/**
 * The fabric namespace: one bridge that node and external hosts plug into. It holds the underlay
 * gateway address (.1) so nodes have a default route as real nodes do, but never forwards: traffic to
 * anything outside the lab dies here.
 */
export function fabricNs(t: Topology): MutableNs {
  const ns = emptyNs(t.fabric.netns, 'fabric', 0);
  ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '0'], ['net.bridge.bridge-nf-call-iptables', '0']);
  ns.links.push({ name: t.fabric.bridge, kind: 'bridge', mtu: t.mtu });
  ns.addrs.push({ dev: t.fabric.bridge, cidr: `${t.gateway}/${t.underlayPrefix}` });
  for (const n of t.nodes) {
    ns.links.push({ name: n.fabricPort, kind: 'veth', mtu: t.mtu, master: t.fabric.bridge, peer: { name: 'eth0', netns: n.netns, mtu: t.mtu, mac: n.mac } });
  }
  ns.links.push({ name: 'n-ext', kind: 'veth', mtu: t.mtu, master: t.fabric.bridge, peer: { name: 'eth0', netns: t.external.netns, mtu: t.mtu, mac: t.external.mac } });
  return ns;
}

/** The external host: on the underlay, with no route to pod or service addresses. */
export function externalNs(t: Topology): MutableNs {
  const ns = emptyNs(t.external.netns, 'ext', 1);
  ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '0']);
  ns.links.push({ name: 'eth0', kind: 'veth', mtu: t.mtu, mac: t.external.mac, foreign: true });
  ns.addrs.push({ dev: 'eth0', cidr: `${t.external.ip}/${t.underlayPrefix}` });
  return ns;
}
