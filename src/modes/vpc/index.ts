// vpc: the AWS VPC CNI on an emulated VPC (reference/dataplane.md section D).
import type { ModePlugin } from '../types.js';
import { composeExpectations } from '../../expect/model.js';
import { vpcPlan } from './plan.js';
import { vpcIpam } from './ipam.js';
import { vpcFacts } from './expect.js';
import { vpcSchema } from './spec.js';

export const vpc: ModePlugin = {
  name: 'vpc',
  description: 'AWS VPC CNI: pods hold VPC secondary IPs (eni* veths, 169.254.1.1 gateway), an emulated VPC router, SNAT to the primary IP off-VPC',
  schema: vpcSchema,
  requires: { commands: ['ip', 'iptables-restore', 'iptables-save'], linkKinds: ['veth'] },
  ipam: vpcIpam,
  loadBalancer: { announce: ['NLB'] },
  podMtu: (mtu) => mtu,
  plan: vpcPlan,
  expectations: composeExpectations(vpcFacts),
};
