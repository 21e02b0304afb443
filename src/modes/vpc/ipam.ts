// vpc IPAM (AWS VPC CNI, reference/dataplane.md D.1): each node gets a subnet of the VPC and its primary IP .10 there;
// pods get secondary IPs from .11, at most the instance type's max-pods (beyond: Pending, as EKS leaves them).
// Plain VPC hosts take subnets from the top of the VPC.
import type { Ipam } from '../../model/ipam.js';
import { hostLocal, subnetPerNode } from '../../model/ipam.js';
import type { HostT, PendingPodT, Topology } from '../../model/topology.js';
import { mustCidr, nth, subnet, subnetCount } from '../../net/ip.js';
import { vpcHostNetns, vpcHostPortName, nlbNetns } from '../../net/names.js';
import { macFor } from '../../net/hash.js';
import { maxPods, maxPodsFormula, NODE_PRIMARY_OFFSET, FIRST_POD_OFFSET, HOST_OFFSET } from './instances.js';
import { vpcSpec } from './spec.js';

/** What the vpc IPAM decided beyond nodes and pods: the VPC settings the plan and the expectations use. */
export interface VpcT {
  readonly cidr: string;
  readonly subnetMaskSize: number;
  readonly instanceType: string;
  readonly maxPods: number;
  readonly externalSNAT: boolean;
  readonly excludeSNATCIDRs: readonly string[];
}

/** The VPC of a vpc-mode topology. */
export function vpcOf(t: Pick<Topology, 'modeData' | 'mode'>): VpcT {
  const v = t.modeData as VpcT | undefined;
  if (!v || t.mode !== 'vpc') throw new Error(`topology of mode ${t.mode} has no VPC`);
  return v;
}

export const vpcIpam: Ipam = {
  nodeIps: 'ipam',
  capacity(lab, nodes) {
    const it = vpcSpec(lab.cluster).instanceType;
    return { limit: maxPods(it), reason: `Too many pods (each ${maxPodsFormula(it)})` };
  },
  assign({ lab, nodes, placement, prev }) {
    const c = lab.cluster;
    const v = vpcSpec(c);
    const base = mustCidr(v.cidr);
    const n = subnetCount(base, v.subnetMaskSize);
    const hosts: HostT[] = v.hosts.map((h, j) => {
      const sn = subnet(base, v.subnetMaskSize, n - 1 - j);
      return { name: h.name, ip: nth(sn, HOST_OFFSET), subnet: sn.text, netns: vpcHostNetns(c.name, h.name), port: vpcHostPortName(h.name), mac: macFor(`${c.name}/host/${h.name}/eth0`) };
    });
    // The NLB of the lab's LoadBalancer Services sits in its own subnet, the next one down from the VPC hosts'.
    const nlbIndex = n - 1 - v.hosts.length;
    const sn = subnet(base, v.subnetMaskSize, nlbIndex);
    const lbHost: HostT | undefined = lab.services.some((s) => s.type === 'LoadBalancer')
      ? { name: 'nlb', ip: nth(sn, HOST_OFFSET), subnet: sn.text, netns: nlbNetns(c.name), port: vpcHostPortName('nlb'), mac: macFor(`${c.name}/nlb/eth0`) }
      : undefined;
    const subnets = subnetPerNode(base, v.subnetMaskSize, nodes, prev, new Set([...v.hosts.map((_, j) => n - 1 - j), ...(lbHost ? [nlbIndex] : [])]));
    const limit = maxPods(v.instanceType);
    const pending: PendingPodT[] = [];
    const lastReserved = new Map<string, string>();
    const podIps = hostLocal(lab.pods, placement, subnets, prev, {
      first: FIRST_POD_OFFSET,
      end: (_n, sn) => Math.min(sn.size - 1, FIRST_POD_OFFSET + limit),
      full: (_p, key, node) => pending.push({ key, node, reason: `node ${node} is full: ${maxPodsFormula(v.instanceType)}; no secondary IP left for this pod` }),
    }, lastReserved);
    const vpc: VpcT = { cidr: v.cidr, subnetMaskSize: v.subnetMaskSize, instanceType: v.instanceType, maxPods: limit, externalSNAT: v.externalSNAT, excludeSNATCIDRs: v.excludeSNATCIDRs };
    return {
      podNetwork: v.cidr,
      nodes: new Map([...subnets].map(([name, sn]) => [name, { ip: nth(sn, NODE_PRIMARY_OFFSET), podCIDR: sn.text }])),
      podIps, pending, hosts, modeData: vpc, lastReserved, ...(lbHost ? { lbHost } : {}),
    };
  },
};
