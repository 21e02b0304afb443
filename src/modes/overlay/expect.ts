// overlay's routing facts for the checker (matrix E, flannel column).
import type { RoutingFacts } from '../../expect/facts.js';
import { nodeOf } from '../../expect/model.js';
import { mustCidr, nth } from '../../net/ip.js';
import { FLANNEL_DEV, overlayPodMtu } from './plan.js';

const cni0 = (podCIDR: string) => ({ ip: nth(mustCidr(podCIDR), 1), dev: 'cni0' });
const vtep = (podCIDR: string) => ({ ip: nth(mustCidr(podCIDR), 0), dev: FLANNEL_DEV });

export const overlayFacts: RoutingFacts = {
  mode: 'overlay',
  tag: '',
  words: {
    sameNode: 'through the cni0 bridge',
    crossNode: `over VXLAN (${FLANNEL_DEV}, VNI 1, UDP 8472)`,
    masquerade: 'flannel MASQUERADE (FLANNEL-POSTRTG)',
    hairpin: 'hairpinMode on the cni0 bridge port',
  },
  podMtu: (t) => overlayPodMtu(t.mtu),
  nodeAddresses: (_t, n) => [{ ip: n.ip, dev: 'eth0' }, cni0(n.podCIDR), vtep(n.podCIDR)],
  nodeToPodSource(_t, node, pod) {
    return pod.node === node.name
      ? { address: cni0(node.podCIDR), why: 'route src of the connected cni0 subnet' }
      : { address: vtep(node.podCIDR), why: `${FLANNEL_DEV} carries the subnet's network address as a /32, the source for host→remote-pod traffic` };
  },
  hostPortHairpinNet: (_t, node) => node.podCIDR,
  masqueradeSource: (_t, node, ep) => (ep.node === node.name ? cni0(node.podCIDR) : vtep(node.podCIDR)),
  podToPodWhy: () => 'FLANNEL-POSTRTG RETURN -s podCIDR -d podCIDR',
  podToOtherNode: (t, client) => ({ nat: 'snat', source: { ip: nodeOf(t, client.node).ip, dev: 'eth0' }, why: 'flannel MASQUERADEs (FLANNEL-POSTRTG -s podCIDR ! -d 224.0.0.0/4)' }),
  podToExternal: (t, client) => ({ nat: 'snat', source: { ip: nodeOf(t, client.node).ip, dev: 'eth0' }, why: 'flannel MASQUERADE (-s podCIDR ! -d 224.0.0.0/4)' }),
  externalToPodWhy: () => 'the pod CIDR is not routed outside the cluster; the external host has no route to pods',
};
