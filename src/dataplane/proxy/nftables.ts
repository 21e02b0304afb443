import type { Topology, NodeT } from '../../model/topology.js';
export function kubeProxyNftables(_t: Topology, _n: NodeT): string {
  throw new Error('nftables mode is not built yet');
}
