// NetworkPolicy for one node, in the node's proxy mode, as the imitated CNI enforces it (pure): Calico's chains for
// bgp, the same engine on flannel's bridge for overlay (Canal), the AWS network policy agent mapped onto chains for
// vpc. iptables mode gives fragments and ipsets to compose with kube-proxy's and the CNI's rules; nftables mode
// gives the engine's own table (or only its removal), written in the same `nft -f` transaction as kube-proxy's.
import type { ProxyMode } from '../../input/types.js';
import { calicoNode, nftSetName } from './calico.js';
import { awsNode, AWS_TABLE } from './aws.js';
import { iptablesOf, nftablesOf, type EngineTables } from './render.js';
import type { PolicyNodeInput, PolicyRuleSets } from './types.js';

export type { PolicyNodeInput, PolicyRuleSets, PolicyStyle, PolicyEndpoint } from './types.js';
export { ipsetNames } from './render.js';

export const CALICO_TABLE = 'ip calico';

/** The nftables table the engine of a style owns. */
export function policyTable(style: PolicyNodeInput['style']): string {
  return style === 'aws' ? AWS_TABLE : CALICO_TABLE;
}

function engineTables(input: PolicyNodeInput, nft: boolean): EngineTables | undefined {
  if (input.style === 'aws') return awsNode(input);
  const c = calicoNode(input, nft);
  if (!c) return undefined;
  const d = (n: string) => (nft ? `filter-${n}` : n);
  return {
    tagged: true, tempPrefix: 'cali4t', chains: c.chains, sets: c.sets,
    dispatch: [
      { name: d('cali-from-wl-dispatch'), dir: 'from', d: c.fromDispatch, unknown: 'DROP' },
      { name: d('cali-to-wl-dispatch'), dir: 'to', d: c.toDispatch, unknown: 'DROP' },
    ],
    input: c.input, forward: c.forward, output: c.output, forwardLast: c.forwardLast,
  };
}

export function policyRuleSets(input: PolicyNodeInput, proxyMode: ProxyMode): PolicyRuleSets {
  const table = policyTable(input.style);
  const owner = input.style === 'aws' ? 'aws-network-policy-agent' : input.style;
  if (proxyMode === 'nftables') {
    const e = engineTables(input, true);
    const comment = input.style === 'aws' ? 'network policy (aws-network-policy-agent, emulated)' : 'network policy (Calico felix)';
    const setName = input.style === 'aws' ? (s: string) => s : nftSetName;
    return { owner, first: [], last: [], ...(e ? { nftables: { table, text: nftablesOf(table, comment, e, setName) } } : {}) };
  }
  const e = engineTables(input, false);
  if (!e) return { owner, first: [], last: [] };
  return { owner, ...iptablesOf(e) };
}
