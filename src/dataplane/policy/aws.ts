// The AWS VPC CNI's network policy agent (aws-network-policy-agent) for one node, mapped from eBPF onto chains (pure).
//
// The real agent attaches two tc programs to each pod's host veth and keeps per pod and direction an LPM trie of
// CIDR → L4 entries (pkg/fwruleprocessor ComputeMapEntriesFromEndpointRules): the node IP allow-all, every rule's
// CIDR (pods as /32s) with its ports, a more specific CIDR inheriting the ports of the broader ones that contain it,
// and an except CIDR that no rule names becoming a deny-all entry. A lookup takes the longest matching prefix only.
// Its conntrack map keeps a flow allowed while the pod's policy state (default-allow / policies-applied) is the one
// the flow was allowed under, and lets replies of the pod's own flows pass (the reverse-flow entry).
//
// Here: pods with policies in a direction get a chain AWS-NP-I-<veth> (traffic to the pod) / AWS-NP-E-<veth>
// (from it) reached from FORWARD by the veth name; the trie becomes rules over IP sets ordered by prefix length,
// longest first, each going to the chain of its L4 entries; the conntrack map becomes conntrack direction plus a
// connmark bit per direction (0x200 ingress, 0x100 egress) that records "allowed while policies were applied".
import type { PolicyModel, PortT } from '../../model/policy.js';
import { peerMatchesIp, portRangesOn } from '../../model/policy.js';
import { contains, mustCidr } from '../../net/ip.js';
import type { Chain, Match, Rule } from './ir.js';
import type { CalicoSet } from './calico.js';
import type { PolicyNodeInput } from './types.js';
import type { EngineTables } from './render.js';

export const CT_INGRESS = 0x200;
export const CT_EGRESS = 0x100;
/** kube-proxy's masquerade mark: such a packet reaches the veth SNATed to the node's address. */
const KUBE_MASQ = 0x4000;
export const AWS_TABLE = 'ip aws-network-policy-agent';

/** One L4 entry of the trie (lpm_trie_val): any protocol/port, or a protocol with a port range (start 0: every port). */
export type L4 = { readonly any: true } | { readonly protocol: string; readonly from: number; readonly to: number };

export interface TrieEntry {
  readonly cidr: string;
  /** Deny-all entry (an except CIDR no rule names). */
  readonly deny: boolean;
  readonly l4: readonly L4[];
}

interface FwRule { readonly cidr: string; readonly except: readonly string[]; readonly l4: readonly L4[] }

const prefixOf = (c: string) => Number(c.split('/')[1]);
const isHost = (c: string) => prefixOf(c) === 32;
const inside = (inner: string, outer: string) => {
  const a = mustCidr(inner);
  const b = mustCidr(outer);
  return a.prefix >= b.prefix && contains(b, a.base);
};
const l4Key = (l: L4) => ('any' in l ? 'any' : `${l.protocol}:${l.from}-${l.to}`);

function l4Of(ports: readonly PortT[] | null, dstPorts: PolicyModel['podPorts'][string] | undefined): L4[] | undefined {
  if (!ports) return [{ any: true }];
  const r = portRangesOn(ports, dstPorts).map((x) => ({ protocol: x.protocol.toLowerCase(), from: x.from, to: x.to }));
  return r.length ? r : undefined; // every port was a name this destination does not declare: the rule adds nothing
}

/** The firewall rules of one pod and direction, as the agent receives them (pods resolved to /32s). */
function firewallRules(m: PolicyModel, pod: string, dir: 'ingress' | 'egress'): FwRule[] {
  const pp = m.pods.find((p) => p.key === pod);
  const out: FwRule[] = [];
  for (const key of (dir === 'ingress' ? pp?.ingress : pp?.egress) ?? []) {
    const pol = m.policies.find((x) => x.key === key)!;
    for (const r of dir === 'ingress' ? pol.ingress : pol.egress) {
      if (dir === 'ingress') {
        const l4 = l4Of(r.ports, m.podPorts[pod]);
        if (!l4) continue;
        if (!r.peers) out.push({ cidr: '0.0.0.0/0', except: [], l4 });
        else for (const pe of r.peers) {
          if (pe.kind === 'pods') for (const ip of pe.ips) out.push({ cidr: `${ip}/32`, except: [], l4 });
          else if (pe.family === 4) out.push({ cidr: pe.cidr, except: pe.except, l4 });
        }
        continue;
      }
      // Egress: ports are resolved on each destination pod; a block keeps its numeric ports, and its named ports
      // land on the pods inside it that declare them.
      const numeric = r.ports ? r.ports.filter((p) => p.name === undefined) : null;
      const dests = Object.keys(m.podPorts);
      if (!r.peers) {
        const l4 = l4Of(numeric, undefined);
        if (!r.ports || (numeric && numeric.length)) out.push({ cidr: '0.0.0.0/0', except: [], l4: l4 ?? [] });
        if (r.ports && r.ports.some((p) => p.name !== undefined)) {
          for (const d of dests) {
            const l = l4Of(r.ports.filter((p) => p.name !== undefined), m.podPorts[d]);
            const ip = m.pods.find((p) => p.key === d)?.ip;
            if (l && ip) out.push({ cidr: `${ip}/32`, except: [], l4: l });
          }
        }
        continue;
      }
      for (const pe of r.peers) {
        if (pe.kind === 'pods') {
          pe.pods.forEach((d, i) => {
            const l = l4Of(r.ports, m.podPorts[d]);
            if (l) out.push({ cidr: `${pe.ips[i]}/32`, except: [], l4: l });
          });
        } else if (pe.family === 4) {
          if (!r.ports || (numeric && numeric.length)) out.push({ cidr: pe.cidr, except: pe.except, l4: l4Of(numeric, undefined) ?? [] });
          if (r.ports?.some((p) => p.name !== undefined)) {
            for (const p of m.pods) {
              if (!peerMatchesIp(pe, p.ip)) continue;
              const l = l4Of(r.ports.filter((x) => x.name !== undefined), m.podPorts[p.key]);
              if (l) out.push({ cidr: `${p.ip}/32`, except: [], l4: l });
            }
          }
        }
      }
    }
  }
  return out.filter((r) => r.l4.length);
}

/** ComputeMapEntriesFromEndpointRules: the trie of one pod and direction. */
export function trieOf(m: PolicyModel, pod: string, dir: 'ingress' | 'egress', nodeIp: string): TrieEntry[] {
  const map = new Map<string, { except: string[]; l4: L4[] }>();
  const excepts = new Set<string>();
  map.set(`${nodeIp}/32`, { except: [], l4: [{ any: true }] });
  const rules = firewallRules(m, pod, dir).map((r, i) => ({ r, i })).sort((a, b) => prefixOf(a.r.cidr) - prefixOf(b.r.cidr) || a.i - b.i).map((x) => x.r);
  for (const r of rules) {
    for (const e of r.except) excepts.add(e);
    const have = map.get(r.cidr);
    if (have) {
      have.l4.push(...r.l4);
      have.except.push(...r.except);
      continue;
    }
    const l4 = [...r.l4];
    for (const [c, v] of map) {
      if (isHost(c) || c === r.cidr || !inside(r.cidr, c)) continue;
      if (v.except.some((e) => inside(r.cidr, e))) continue;
      l4.push(...v.l4);
    }
    map.set(r.cidr, { except: [...r.except], l4 });
  }
  const out: TrieEntry[] = [];
  for (const [cidr, v] of map) {
    const seen = new Set<string>();
    const l4 = v.l4.filter((l) => !seen.has(l4Key(l)) && seen.add(l4Key(l)));
    out.push({ cidr, deny: false, l4: l4.some((l) => 'any' in l) ? [{ any: true }] : l4 });
  }
  for (const e of excepts) if (!map.has(e)) out.push({ cidr: e, deny: true, l4: [] });
  return out;
}

/** The verdict of a trie for a peer address and (protocol, port): the longest matching prefix decides. */
export function trieAllows(trie: readonly TrieEntry[], ip: string, protocol: string, port?: number): boolean {
  let best: TrieEntry | undefined;
  for (const e of trie) if (contains(mustCidr(e.cidr), ip) && (!best || prefixOf(e.cidr) > prefixOf(best.cidr))) best = e;
  if (!best || best.deny) return false;
  return best.l4.some((l) => 'any' in l || (l.protocol === protocol.toLowerCase() && port !== undefined && port >= l.from && port <= l.to));
}

const l4Rules = (l4: readonly L4[], allow: string): Rule[] => {
  const byProto = new Map<string, string[]>();
  for (const l of l4) {
    if ('any' in l) return [{ m: {}, a: { t: 'goto', chain: allow } }];
    const ports = l.from === 1 && l.to === 65535 ? [] : [l.from === l.to ? String(l.from) : `${l.from}:${l.to}`];
    byProto.set(l.protocol, [...(byProto.get(l.protocol) ?? []), ...ports]);
  }
  return [...byProto].map(([proto, ports]) => ({ m: { proto, ...(ports.length ? { dstPorts: ports.slice(0, 15) } : {}) } as Match, a: { t: 'goto', chain: allow } }));
};

/** The whole engine for one node, as chains, sets and dispatch for render.ts. */
export function awsNode(input: PolicyNodeInput): EngineTables | undefined {
  const m = input.model;
  if (!m) return undefined;
  const chains: Chain[] = [];
  const sets: CalicoSet[] = [];
  const from: { key: string; chain: string }[] = [];
  const to: { key: string; chain: string }[] = [];
  const local = [...input.endpoints].sort((a, b) => (a.iface < b.iface ? -1 : a.iface > b.iface ? 1 : 0));
  for (const e of local) {
    const pp = m.pods.find((p) => p.key === e.pod);
    for (const dir of ['ingress', 'egress'] as const) {
      if (!(dir === 'ingress' ? pp?.ingress : pp?.egress)?.length) continue; // default allow: no program state to check
      const d = dir === 'ingress' ? 'I' : 'E';
      const name = `AWS-NP-${d}-${e.iface}`;
      const allow = `AWS-NP-ALLOW-${d}`;
      const bit = dir === 'ingress' ? CT_INGRESS : CT_EGRESS;
      const peer = (set: string): Match => (dir === 'ingress' ? { srcSet: set } : { dstSet: set });
      const rules: Rule[] = [
        { m: { ctstate: 'RELATED,ESTABLISHED', ctdir: 'REPLY', comment: "reverse flow: a reply to the pod's own connection" }, a: { t: 'RETURN' } },
        { m: { ctstate: 'ESTABLISHED', ctdir: 'ORIGINAL', connmarkSet: bit, comment: 'conntrack entry made under the current policy state' }, a: { t: 'RETURN' } },
      ];
      if (dir === 'ingress') rules.push({ m: { markSet: KUBE_MASQ, comment: 'masqueraded by kube-proxy: the veth sees the node IP' }, a: { t: 'goto', chain: allow } });
      // LPM: longest prefix first; entries of one length are disjoint, so those with the same L4 share a set.
      const trie = trieOf(m, e.pod, dir, input.node.ip);
      const groups = new Map<string, { prefix: number; deny: boolean; l4: readonly L4[]; cidrs: string[] }>();
      for (const t of trie) {
        const k = `${prefixOf(t.cidr)}|${t.deny}|${t.l4.map(l4Key).sort().join(',')}`;
        if (!groups.has(k)) groups.set(k, { prefix: prefixOf(t.cidr), deny: t.deny, l4: t.l4, cidrs: [] });
        groups.get(k)!.cidrs.push(t.cidr);
      }
      const l4Chains = new Map<string, string>();
      [...groups.values()].sort((a, b) => b.prefix - a.prefix || (a.deny === b.deny ? 0 : a.deny ? -1 : 1)).forEach((g, i) => {
        const set = `aws4-${d.toLowerCase()}-${e.iface}-${i}`;
        // ipset's hash:net takes no /0: the catch-all prefix is a rule without a set.
        if (g.prefix > 0) sets.push({ name: set, type: 'hash:net', members: g.cidrs.map((c) => (c.endsWith('/32') ? c.slice(0, -3) : c)).sort() });
        const cm = { ...(g.prefix > 0 ? peer(set) : {}), comment: `trie entries /${g.prefix}${g.deny ? ': an except, deny all' : ''}` };
        if (g.deny) return rules.push({ m: cm, a: { t: 'DROP' } });
        const sig = g.l4.map(l4Key).sort().join(',');
        if (sig === 'any') return rules.push({ m: cm, a: { t: 'goto', chain: allow } });
        let c = l4Chains.get(sig);
        if (!c) {
          c = `${name}-${l4Chains.size}`;
          l4Chains.set(sig, c);
          chains.push({ name: c, rules: [...l4Rules(g.l4, allow), { m: { comment: 'DENY: no L4 entry of the longest prefix matches' }, a: { t: 'DROP' } }] });
        }
        rules.push({ m: cm, a: { t: 'goto', chain: c } });
      });
      rules.push({ m: { comment: 'DENY: no prefix of the trie matches' }, a: { t: 'DROP' } });
      chains.push({ name, rules });
      (dir === 'ingress' ? to : from).push({ key: e.iface, chain: name });
    }
  }
  chains.push({ name: 'AWS-NP-ALLOW-I', rules: [{ m: { comment: 'allowed: record the policy state in the flow' }, a: { t: 'connmark', value: CT_INGRESS, mask: CT_INGRESS } }] });
  chains.push({ name: 'AWS-NP-ALLOW-E', rules: [{ m: { comment: 'allowed: record the policy state in the flow' }, a: { t: 'connmark', value: CT_EGRESS, mask: CT_EGRESS } }] });
  chains.push({ name: 'AWS-NP-FORWARD', rules: [
    { m: { inIf: 'eni+', comment: 'tc ingress of the pod veth (the egress program)' }, a: { t: 'jump', chain: 'AWS-NP-FROM-POD' } },
    { m: { outIf: 'eni+', comment: 'tc egress of the pod veth (the ingress program)' }, a: { t: 'jump', chain: 'AWS-NP-TO-POD' } },
  ] });
  return {
    tagged: false, tempPrefix: 'aws4t', chains, sets,
    dispatch: [
      { name: 'AWS-NP-FROM-POD', dir: 'from', d: { key: 'iface', entries: from }, unknown: 'RETURN' },
      { name: 'AWS-NP-TO-POD', dir: 'to', d: { key: 'iface', entries: to }, unknown: 'RETURN' },
    ],
    input: [],
    forward: [{ m: { comment: 'aws-network-policy-agent: pod veth programs (emulated)' }, a: { t: 'jump', chain: 'AWS-NP-FORWARD' } }],
    output: [],
    forwardLast: [],
  };
}
