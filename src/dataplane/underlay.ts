// The underlay every mode shares (pure): the fabric bridge, each node's eth0 on it, and the external host.
import type { Topology, NodeT } from '../model/topology.js';
import { emptyNs, type MutableNs } from './types.js';
import { BASE_SYSCTLS } from './pods.js';

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

/** A node namespace with its underlay side: eth0 (made by the fabric plan), node IP, default route via the gateway. */
export function nodeBaseNs(t: Topology, n: NodeT): MutableNs {
  const ns = emptyNs(n.netns, 'node', 1);
  ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '1']);
  ns.links.push({ name: 'eth0', kind: 'veth', mtu: t.mtu, mac: n.mac, foreign: true });
  ns.addrs.push({ dev: 'eth0', cidr: `${n.ip}/${t.underlayPrefix}` });
  ns.routes.push({ dst: 'default', via: t.gateway, dev: 'eth0' });
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
