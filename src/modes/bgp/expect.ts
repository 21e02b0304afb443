// bgp's routing facts for the checker (matrix E, Calico BGP column): pods are routed without encapsulation,
// natOutgoing covers pod → outside the pool; cali veths carry no address, so the node IP is the node's only one.
import type { RoutingFacts } from '../../expect/facts.js';
import { nodeOf } from '../../expect/model.js';

export const bgpFacts: RoutingFacts = {
  mode: 'bgp',
  tag: ' (BGP)',
  words: {
    sameNode: 'through the two cali veths (proxy ARP, /32 routes)',
    crossNode: 'routed by BIRD-learned block routes, no encapsulation',
    masquerade: 'Calico natOutgoing (cali-nat-outgoing MASQUERADE)',
    hairpin: 'the node IP as the masquerade source (cali veths have no address)',
  },
  podMtu: (t) => t.mtu,
  nodeAddresses: (_t, n) => [{ ip: n.ip, dev: 'eth0' }],
  nodeToPodSource(_t, node, pod) {
    return pod.node === node.name
      ? { address: { ip: node.ip, dev: 'eth0' }, why: 'via the cali /32 route; cali has no address, so the source falls back to the node IP' }
      : { address: { ip: node.ip, dev: 'eth0' }, why: 'via the peer node (proto bird route), source = node IP' };
  },
  masqueradeSource: (_t, node) => ({ ip: node.ip, dev: 'eth0' }),
  podToPodWhy: () => 'cali-nat-outgoing excludes destinations in the pool',
  podToOtherNode: (t, client) => ({ nat: 'snat', source: { ip: nodeOf(t, client.node).ip, dev: 'eth0' }, why: 'the node IP is outside the pool: cali-nat-outgoing MASQUERADEs' }),
  podToExternal: (t, client) => ({ nat: 'snat', source: { ip: nodeOf(t, client.node).ip, dev: 'eth0' }, why: 'natOutgoing (cali-nat-outgoing -s pool ! -d pool MASQUERADE)' }),
  externalToPodWhy: () => 'the pool is only advertised between nodes (no external peer), so the external host has no route to pods',
};
