// overlay IPAM: flannel's subnet lease per node (the lowest free /nodeCIDRMaskSize of the podCIDR), then the bridge
// plugin's host-local addresses from .2 (.1 is cni0), as reference/dataplane.md B describes.
import type { Ipam } from '../../model/ipam.js';
import { hostLocal, subnetPerNode } from '../../model/ipam.js';
import { mustCidr } from '../../net/ip.js';

export const overlayIpam: Ipam = {
  nodeIps: 'underlay',
  assign({ lab, nodes, placement, prev, problems }) {
    const c = lab.cluster;
    const subnets = subnetPerNode(mustCidr(c.podCIDR), c.nodeCIDRMaskSize, nodes, prev);
    const lastReserved = new Map<string, string>();
    const podIps = hostLocal(lab.pods, placement, subnets, prev, {
      first: 2,
      end: (_n, sn) => sn.size - 1,
      full: (p, key, node, sn) => problems.push({ file: p.origin.file, line: p.origin.line, path: `Pod ${key}`, message: `node ${node}'s pod CIDR ${sn.text} is full (${sn.size - 3} pods); use a larger nodeCIDRMaskSize or more nodes` }),
    }, lastReserved);
    return { podNetwork: c.podCIDR, nodes: new Map([...subnets].map(([n, sn]) => [n, { podCIDR: sn.text }])), podIps, pending: [], lastReserved };
  },
};
