// kube-proxy for one node (pure). Its proxy modes in an explicit registry, one line each: a mode renders one node's
// rules as iptables Fragments (composed before the CNI's own) and/or an nftables table, plus the sysctls kube-proxy
// sets; and names what its cleanup removes when the node runs another mode.
import type { Topology, NodeT } from '../../model/topology.js';
import { renderRestore, type Fragment } from '../iptables.js';
import { rulesetKey, type MutableNs } from '../types.js';
import { kubeProxyIptables } from './iptables.js';
import { kubeProxyNftables, KUBE_PROXY_TABLE } from './nftables.js';
import { policyRuleSets, type PolicyEndpoint, type PolicyStyle } from '../policy/index.js';
import { portmapIptables, portmapNftables, PORTMAP_TABLE, type PortmapConf } from '../cni/portmap.js';

/** How a mode's pods attach, for the NetworkPolicy engine it imitates (dataplane/policy). */
export interface NodePolicyAttach {
  readonly style: PolicyStyle;
  readonly endpoints: readonly PolicyEndpoint[];
  readonly bridge?: string;
}

export interface ProxyPlan {
  readonly fragments: readonly Fragment[];
  /** nft -f text for `table` (nftables mode). */
  readonly nftables?: { readonly table: string; readonly text: string };
  readonly sysctls: readonly (readonly [string, string])[];
}

export interface ProxyMode {
  readonly name: string;
  /** Commands the mode needs on the host (preflight). */
  readonly commands: readonly string[];
  render(t: Topology, n: NodeT): Omit<ProxyPlan, 'sysctls'>;
}

const iptablesMode: ProxyMode = { name: 'iptables', commands: ['iptables-restore', 'iptables-save'], render: (t, n) => ({ fragments: kubeProxyIptables(t, n) }) };
const nftablesMode: ProxyMode = { name: 'nftables', commands: ['nft'], render: (t, n) => ({ fragments: [], nftables: { table: KUBE_PROXY_TABLE, text: kubeProxyNftables(t, n) } }) };

const PROXY_MODES: readonly ProxyMode[] = [iptablesMode, nftablesMode];

export function proxyModeNames(): string[] {
  return PROXY_MODES.map((m) => m.name);
}

export function getProxyMode(name: string): ProxyMode {
  const m = PROXY_MODES.find((x) => x.name === name);
  if (!m) throw new Error(`unknown proxy mode "${name}" (supported: ${proxyModeNames().join(', ')})`);
  return m;
}

export function kubeProxy(t: Topology, n: NodeT): ProxyPlan {
  // Localhost NodePorts are on by default (IPv4): kube-proxy sets route_localnet=1 for them.
  return { ...getProxyMode(t.proxyMode).render(t, n), sysctls: [['net.ipv4.conf.all.route_localnet', '1']] };
}

/**
 * A node's rule sets: kube-proxy's chains first (a real kube-proxy prepends its jumps), then the CNI's own
 * fragments (flannel's masquerade, Calico's natOutgoing, the AWS CNI's SNAT). Sets iptables, nftables, sysctls.
 * Every table kube-proxy or a CNI uses is written (not raw, where a learner's TRACE rules live), so switching to
 * nftables mode leaves none of kube-proxy's iptables chains behind; kube-proxy's nft table is declared absent in the
 * other modes, as its cleanup removes it.
 * NetworkPolicy (when the lab has policies, `policy` says how the mode's pods attach): in iptables mode the engine's
 * jumps go before everyone's in the built-in chains, as Felix inserts them, its final accept after everyone's, as
 * Felix appends it, and its IP sets form an `ipset` rule set listed before the iptables one (rules name the sets);
 * in nftables mode the engine has a table of its own. With no policy there is no policy rule set at all (the ledger
 * removes what an earlier run wrote).
 * hostPort pods (`portmap`: the CNI's conflist chains the portmap plugin): in iptables mode its nat chains, the
 * POSTROUTING masquerade jump first (the plugin prepends it) and the rest after the CNI's; in nftables mode the
 * plugin's nftables backend, `table ip cni_hostport`. Without hostPort pods on the node there is neither (the real
 * plugin leaves its empty top-level chains after the last pod; podlab removes them, so `down` leaves nothing).
 */
export function nodeRuleSets(ns: MutableNs, t: Topology, n: NodeT, cni: readonly Fragment[], policy?: NodePolicyAttach, portmap?: PortmapConf): void {
  const kp = kubeProxy(t, n);
  ns.sysctls.push(...kp.sysctls);
  const pol = policy && t.policy ? policyRuleSets({ ...policy, node: { name: n.name, ip: n.ip }, model: t.policy }, t.proxyMode) : undefined;
  const nftPortmap = portmap && t.proxyMode === 'nftables' ? portmapNftables(t, n) : undefined;
  const ipt = portmap && t.proxyMode !== 'nftables' ? portmapIptables(t, n, portmap) : { first: [], rest: [] };
  if (pol?.ipsets) ns.rulesets.push({ engine: 'ipset', owner: pol.owner, text: pol.ipsets });
  ns.rulesets.push({ engine: 'iptables', owner: 'node', text: renderRestore([...ipt.first, ...(pol?.first ?? []), ...kp.fragments, ...cni, ...ipt.rest, ...(pol?.last ?? [])], { always: ['mangle', 'nat', 'filter'] })! });
  if (kp.nftables) ns.rulesets.push({ engine: 'nftables', owner: 'kube-proxy', table: kp.nftables.table, text: kp.nftables.text });
  else ns.absentRulesets = [...(ns.absentRulesets ?? []), rulesetKey({ engine: 'nftables', table: KUBE_PROXY_TABLE })];
  if (pol?.nftables) ns.rulesets.push({ engine: 'nftables', owner: pol.owner, table: pol.nftables.table, text: pol.nftables.text });
  // Once the last hostPort pod is gone the ledger (which names the table) has it deleted.
  if (nftPortmap) ns.rulesets.push({ engine: 'nftables', owner: 'portmap', table: PORTMAP_TABLE, text: nftPortmap });
}
