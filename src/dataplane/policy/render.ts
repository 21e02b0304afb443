// Rendering the engines' chains (pure): iptables-restore fragments plus `ipset restore` input, or one nftables table.
import type { Fragment } from '../iptables.js';
import type { Chain, Rule } from './ir.js';
import { iptRule, nftRule, tagRules } from './ir.js';
import type { CalicoSet, Dispatch } from './calico.js';

export interface EngineTables {
  /** Felix-style "cali:<hash>" comments on the dispatch rules (Calico; the AWS shapes have none). */
  readonly tagged: boolean;
  /** Prefix of the temporary set names used for atomic swaps ("cali4t", "aws4t"). */
  readonly tempPrefix: string;
  /** Regular chains of the engine, in the filter table. */
  readonly chains: readonly Chain[];
  readonly sets: readonly CalicoSet[];
  readonly dispatch: readonly { readonly name: string; readonly dir: 'from' | 'to'; readonly d: Dispatch; readonly unknown: 'DROP' | 'RETURN' }[];
  readonly input: readonly Rule[];
  readonly forward: readonly Rule[];
  readonly output: readonly Rule[];
  readonly forwardLast: readonly Rule[];
}

/** Temporary set names for atomic swaps (Felix: tempSetNamePrefix "cali4t"), one per set type. */
const tempName = (prefix: string, type: CalicoSet['type']) => `${prefix}${type === 'hash:net' ? 0 : 1}`;
const SET_OPTS = 'family inet hashsize 1024 maxelem 1048576';

/**
 * ipset restore input: each set is filled under a temporary name and swapped in, so a set never looks empty to
 * the kernel while it is rewritten (Felix does the same). Sets no longer wanted are destroyed by the kernel layer
 * after iptables-restore has removed the rules that name them.
 */
export function ipsetRestore(sets: readonly CalicoSet[], tempPrefix = 'cali4t'): string | undefined {
  if (!sets.length) return undefined;
  const out: string[] = [];
  for (const s of sets) {
    const tmp = tempName(tempPrefix, s.type);
    out.push(`create -exist ${s.name} ${s.type} ${SET_OPTS}`);
    out.push(`create -exist ${tmp} ${s.type} ${SET_OPTS}`, `flush ${tmp}`);
    for (const m of s.members) out.push(`add ${tmp} ${m}`);
    out.push(`swap ${tmp} ${s.name}`, `destroy ${tmp}`);
  }
  return out.join('\n') + '\n';
}

/** The set names an ipset restore input leaves behind (the kernel layer keeps exactly these; temporaries are destroyed). */
export function ipsetNames(text: string | undefined): string[] {
  if (!text) return [];
  const temps = new Set([...text.matchAll(/^destroy (\S+)$/gm)].map((m) => m[1]!));
  return [...new Set([...text.matchAll(/^create -exist (\S+) /gm)].map((m) => m[1]!).filter((n) => !temps.has(n)))];
}

function dispatchRules(x: EngineTables['dispatch'][number]): Rule[] {
  const rules: Rule[] = x.d.entries.map((e) => {
    if (x.d.key === 'iface') return { m: x.dir === 'from' ? { inIf: e.key } : { outIf: e.key }, a: { t: 'goto', chain: e.chain } };
    if (x.d.key === 'physdev') return { m: { physdevIn: e.key }, a: { t: 'goto', chain: e.chain } };
    return { m: x.dir === 'from' ? { src: `${e.key}/32` } : { dst: `${e.key}/32` }, a: { t: 'goto', chain: e.chain } };
  });
  rules.push({ m: x.unknown === 'DROP' ? { comment: 'Unknown interface' } : {}, a: { t: x.unknown } });
  return rules;
}

/** iptables mode: the engine's chains and jumps as fragments, plus its ipsets. */
export function iptablesOf(e: EngineTables): { first: Fragment[]; last: Fragment[]; ipsets?: string } {
  const chains = [...e.chains, ...e.dispatch.map((x) => (e.tagged ? tagRules({ name: x.name, rules: dispatchRules(x) }) : { name: x.name, rules: dispatchRules(x) }))];
  const rules: string[] = [];
  for (const c of chains) for (const r of c.rules) rules.push(iptRule(c.name, r));
  const first: string[] = [
    ...e.input.map((r) => iptRule('INPUT', r)),
    ...e.forward.map((r) => iptRule('FORWARD', r)),
    ...e.output.map((r) => iptRule('OUTPUT', r)),
  ];
  return {
    first: [{ table: 'filter', chains: chains.map((c) => c.name), rules: [...first, ...rules] }],
    last: e.forwardLast.length ? [{ table: 'filter', chains: [], rules: e.forwardLast.map((r) => iptRule('FORWARD', r)) }] : [],
    ipsets: ipsetRestore(e.sets, e.tempPrefix),
  };
}

/** The first lines of the engine's nft script: they remove its table whether or not it exists. */
export function nftRemove(table: string): string {
  return `add table ${table}\ndelete table ${table}\n`;
}

/** nftables mode: the engine's own table, replaced as a whole in the same transaction as kube-proxy's. */
export function nftablesOf(table: string, comment: string, e: EngineTables, setName: (s: string) => string): string {
  const L: string[] = [nftRemove(table).trimEnd(), `add table ${table} { comment "${comment}" ; }`];
  L.push(`add chain ${table} filter-FORWARD { type filter hook forward priority filter ; policy accept ; }`);
  L.push(`add chain ${table} filter-INPUT { type filter hook input priority filter ; policy accept ; }`);
  L.push(`add chain ${table} filter-OUTPUT { type filter hook output priority filter ; policy accept ; }`);
  for (const c of e.chains) L.push(`add chain ${table} ${c.name}`);
  for (const x of e.dispatch) L.push(`add chain ${table} ${x.name}`);
  for (const s of e.sets) {
    const n = setName(s.name);
    if (s.type === 'hash:net') L.push(`add set ${table} ${n} { type ipv4_addr ; flags interval ; }`);
    else L.push(`add set ${table} ${n} { type ipv4_addr . inet_proto . inet_service ; }`);
    if (s.members.length) {
      const els = s.type === 'hash:net' ? s.members : s.members.map((m) => { const [ip, pp] = m.split(','); const [pr, port] = pp!.split(':'); return `${ip} . ${pr} . ${port}`; });
      L.push(`add element ${table} ${n} { ${els.join(', ')} }`);
    }
  }
  for (const x of e.dispatch) L.push(`add map ${table} ${x.name} { type ${x.d.key === 'iface' ? 'ifname' : 'ipv4_addr'} : verdict ; }`);
  const rule = (chain: string, r: Rule) => L.push(nftRule(table, chain, r, setName));
  for (const r of e.forward) rule('filter-FORWARD', r);
  for (const r of e.forwardLast) rule('filter-FORWARD', r);
  for (const r of e.input) rule('filter-INPUT', r);
  for (const r of e.output) rule('filter-OUTPUT', r);
  for (const c of e.chains) for (const r of c.rules) rule(c.name, r);
  for (const x of e.dispatch) {
    const key = x.d.key === 'iface' ? (x.dir === 'from' ? 'iifname' : 'oifname') : x.dir === 'from' ? 'ip saddr' : 'ip daddr';
    L.push(`add rule ${table} ${x.name} ${key} vmap @${x.name}`);
    L.push(nftRule(table, x.name, { m: x.unknown === 'DROP' ? { comment: 'Unknown interface' } : {}, a: { t: x.unknown } }, setName));
    if (x.d.entries.length) L.push(`add element ${table} ${x.name} { ${x.d.entries.map((en) => `${x.d.key === 'iface' ? `"${en.key}"` : en.key} : goto ${en.chain}`).join(', ')} }`);
  }
  return L.join('\n') + '\n';
}
