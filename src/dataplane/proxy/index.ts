// kube-proxy for one node, in the cluster's proxy mode: iptables Fragments (composed before the CNI's own),
// or an nftables ruleset for `nft -f`, plus the sysctls kube-proxy sets (pure).
import type { Topology, NodeT } from '../../model/topology.js';
import { renderRestore, type Fragment } from '../iptables.js';
import { rulesetKey, type MutableNs } from '../types.js';
import { kubeProxyIptables } from './iptables.js';
import { kubeProxyNftables, KUBE_PROXY_TABLE } from './nftables.js';

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
 */
export function nodeRuleSets(ns: MutableNs, t: Topology, n: NodeT, cni: readonly Fragment[]): void {
  const kp = kubeProxy(t, n);
  ns.sysctls.push(...kp.sysctls);
  ns.rulesets.push({ engine: 'iptables', owner: 'node', text: renderRestore([...kp.fragments, ...cni], { always: ['mangle', 'nat', 'filter'] })! });
  if (kp.nftables !== undefined) ns.rulesets.push({ engine: 'nftables', owner: 'kube-proxy', table: KUBE_PROXY_TABLE, text: kp.nftables });
  // kube-proxy in iptables mode cleans up what its nftables mode left (and the other way round: the always-written tables).
  else ns.absentRulesets = [...(ns.absentRulesets ?? []), rulesetKey({ engine: 'nftables', table: KUBE_PROXY_TABLE })];
}
