// kube-proxy for one node, in the cluster's proxy mode: iptables Fragments (composed before the CNI's own),
// or an nftables ruleset for `nft -f`, plus the sysctls kube-proxy sets (pure).
import type { Topology, NodeT } from '../../model/topology.js';
import { renderRestore, type Fragment } from '../iptables.js';
import type { MutableNs } from '../types.js';
import { kubeProxyIptables } from './iptables.js';
import { kubeProxyNftables } from './nftables.js';
import { policyRuleSets, type PolicyEndpoint, type PolicyStyle } from '../policy/index.js';

/** How a mode's pods attach, for the NetworkPolicy engine it imitates (dataplane/policy). */
export interface NodePolicyAttach {
  readonly style: PolicyStyle;
  readonly endpoints: readonly PolicyEndpoint[];
  readonly bridge?: string;
}

export interface ProxyPlan {
  readonly fragments: readonly Fragment[];
  readonly nftables?: string;
  readonly sysctls: readonly (readonly [string, string])[];
}

export function kubeProxy(t: Topology, n: NodeT): ProxyPlan {
  // Localhost NodePorts are on by default (IPv4): kube-proxy sets route_localnet=1 for them.
  const sysctls: [string, string][] = [['net.ipv4.conf.all.route_localnet', '1']];
  if (t.proxyMode === 'nftables') return { fragments: [], nftables: kubeProxyNftables(t, n), sysctls };
  return { fragments: kubeProxyIptables(t, n), sysctls };
}

/**
 * A node's rule sets: kube-proxy's chains first (a real kube-proxy prepends its jumps), then the CNI's own
 * fragments (flannel's masquerade, Calico's natOutgoing, the AWS CNI's SNAT). Sets iptables, nftables, sysctls.
 * Every table kube-proxy or a CNI uses is written (not raw, where a learner's TRACE rules live), so switching to
 * nftables mode leaves none of kube-proxy's iptables chains behind.
 * NetworkPolicy (when the lab has policies): the engine's jumps go before everyone's in the built-in chains, as
 * Felix inserts them, its final accept after everyone's, as Felix appends it; its IP sets in `ipsets`. In nftables
 * mode its own table follows kube-proxy's in the same script (and is removed when there is nothing to enforce).
 */
export function nodeRuleSets(ns: MutableNs, t: Topology, n: NodeT, cni: readonly Fragment[], policy?: NodePolicyAttach): void {
  const kp = kubeProxy(t, n);
  ns.sysctls.push(...kp.sysctls);
  const pol = policy ? policyRuleSets({ ...policy, node: { name: n.name, ip: n.ip }, model: t.policy }, t.proxyMode) : { first: [], last: [] };
  ns.iptables = renderRestore([...pol.first, ...kp.fragments, ...cni, ...pol.last], { always: ['mangle', 'nat', 'filter'] });
  if (kp.nftables !== undefined) ns.nftables = kp.nftables + (pol.nftables ? `\n${pol.nftables}` : '');
  if (pol.ipsets) ns.ipsets = pol.ipsets;
}
