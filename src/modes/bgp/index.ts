// bgp: Calico's routed dataplane without encapsulation, with a real BIRD 2 per node (reference/dataplane.md C).
// The runtime side (starting BIRD, convergence, faults) is runtime.ts, registered in ../runtimes.ts.
import type { ModePlugin } from '../types.js';
import { composeExpectations } from '../../expect/model.js';
import { bgpPlan } from './plan.js';
import { calicoIpam } from './ipam.js';
import { bgpFacts } from './expect.js';
import { bgpSchema } from './spec.js';

export const bgp: ModePlugin = {
  name: 'bgp',
  description: 'Calico BGP, no encapsulation: cali veths with proxy ARP, /26 IPAM blocks, BIRD 2 peering',
  schema: bgpSchema,
  requires: { commands: ['ip', 'iptables-restore', 'iptables-save', 'bird', 'birdc'], linkKinds: ['bridge', 'veth'] },
  ipam: calicoIpam,
  loadBalancer: { announce: ['BGP', 'L2'] },
  podMtu: (mtu) => mtu,
  plan: bgpPlan,
  expectations: composeExpectations(bgpFacts),
};
