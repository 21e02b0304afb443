// What the NetworkPolicy renderers take and give (pure data).
import type { Fragment } from '../iptables.js';
import type { PolicyModel } from '../../model/policy.js';

/**
 * How pods attach to the node, which decides how the engine finds their traffic:
 * - canal: Calico's policy engine on flannel; pods are ports of the `cni0` bridge (`veth…`), so bridged traffic is
 *   seen through bridge netfilter (iptables: physdev for the pod's port, the pod address towards it);
 * - calico: routed `cali…` veths (Calico BGP);
 * - aws: routed `eni…` veths, the AWS VPC CNI's network policy agent (eBPF on the veths there, chains here).
 */
export type PolicyStyle = 'canal' | 'calico' | 'aws';

export interface PolicyEndpoint {
  readonly pod: string; // "ns/name"
  readonly namespace: string;
  readonly ip: string;
  /** Host side of the pod's veth. */
  readonly iface: string;
}

export interface PolicyNodeInput {
  readonly style: PolicyStyle;
  readonly node: { readonly name: string; readonly ip: string };
  /** This node's pods. */
  readonly endpoints: readonly PolicyEndpoint[];
  /** The lab's resolved policies; undefined when it has none (then nothing is rendered but the removal of our nft table). */
  readonly model?: PolicyModel;
  /** canal: the bridge the pods are ports of. */
  readonly bridge?: string;
}

export interface PolicyRuleSets {
  /** Whose rules they are (the rule sets' owner): "calico", "canal" or "aws-network-policy-agent". */
  readonly owner: string;
  /** iptables mode: rules that go before kube-proxy's and the CNI's in the built-in chains (jumps into the engine). */
  readonly first: readonly Fragment[];
  /** iptables mode: rules appended after everyone's (Calico's "Policy explicitly accepted packet"). */
  readonly last: readonly Fragment[];
  /** iptables mode: `ipset restore` input for the engine's IP sets (swapped in atomically); undefined for none. */
  readonly ipsets?: string;
  /** nftables mode: `nft -f` input that (re)creates the engine's own table; undefined when there is nothing to enforce. */
  readonly nftables?: { readonly table: string; readonly text: string };
}
