// vpc's routing facts for the checker (matrix E, AWS VPC CNI column): pod IPs are native VPC IPs routed by the VPC,
// SNAT to the primary IP only off-VPC; eni veths carry no address, so the primary IP is the node's only one.
import type { RoutingFacts } from '../../expect/facts.js';
import { nodeOf } from '../../expect/model.js';
import { vpcOf } from './ipam.js';

export const vpcFacts: RoutingFacts = {
  mode: 'vpc',
  tag: ' (AWS)',
  gatewayName: 'the VPC internet gateway',
  hostLabel: 'VPC host',
  words: {
    sameNode: 'through the host routes <podIP> dev eni*',
    crossNode: 'routed by the VPC (secondary IP /32s on the VPC router)',
    masquerade: 'the AWS CNI SNAT (AWS-SNAT-CHAIN-0)',
    hairpin: 'the primary IP as the masquerade source (eni veths have no address)',
  },
  podMtu: (t) => t.mtu,
  nodeAddresses: (_t, n) => [{ ip: n.ip, dev: 'eth0' }],
  nodeToPodSource(_t, node, pod) {
    return pod.node === node.name
      ? { address: { ip: node.ip, dev: 'eth0' }, why: 'eni* has no address, so the source is the primary IP' }
      : { address: { ip: node.ip, dev: 'eth0' }, why: 'through the VPC, source = primary IP' };
  },
  masqueradeSource: (_t, node) => ({ ip: node.ip, dev: 'eth0' }),
  podToPodWhy: () => 'AWS-SNAT-CHAIN-0 RETURN -d <VPC CIDR>',
  podToOtherNode: () => ({ nat: 'none', why: 'the node IP is in the VPC CIDR (AWS-SNAT-CHAIN-0 RETURN)' }),
  podToExternal(t, client) {
    if (vpcOf(t).externalSNAT) return { nat: 'blocked', why: 'externalSNAT: true: the pod IP leaves the node un-NATed and, with no NAT gateway, the internet gateway drops it (no public IP)' };
    return { nat: 'snat', source: { ip: nodeOf(t, client.node).ip, dev: 'eth0' }, why: 'AWS-SNAT-CHAIN-0 SNAT --to-source <primary IP> --random-fully' };
  },
  externalToPodWhy: () => 'a pod secondary IP has no public IP; the internet gateway does not route to it',
  hostToPod: () => ({ reachable: true, why: 'pod IPs are native VPC IPs; the VPC router delivers to the ENI holding the secondary IP, no NAT on either side' }),
};
