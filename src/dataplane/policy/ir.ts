// A small rule language shared by the policy renderers (pure): chains of match + action, rendered to
// iptables-restore rules or to `nft -f` statements. Only what the Calico and AWS shapes need.
import { createHash } from 'node:crypto';

export interface Match {
  /** Interface names; a trailing "+" is a prefix wildcard (nft: "*"). */
  readonly inIf?: string;
  readonly outIf?: string;
  /** Bridge port the packet came in on (iptables physdev; bridged or routed from a bridge port). */
  readonly physdevIn?: string;
  /** tcp, udp, sctp, or a protocol number. */
  readonly proto?: string;
  readonly src?: string;
  readonly notSrc?: string;
  readonly dst?: string;
  readonly notDst?: string;
  /** Named IP sets (their names in the engine's iptables form; renderers map them for nft). */
  readonly srcSet?: string;
  readonly dstSet?: string;
  /** An ip,proto:port set matched on destination address and port. */
  readonly dstIpPortSet?: string;
  readonly dstPorts?: readonly string[]; // "80" or "8000:8080"
  readonly ctstate?: string; // "RELATED,ESTABLISHED", "INVALID", "ESTABLISHED"
  readonly ctdir?: 'ORIGINAL' | 'REPLY';
  /** Packet mark bits that must be set / clear. */
  readonly markSet?: number;
  readonly markClear?: number;
  /** Connection mark bits that must be set. */
  readonly connmarkSet?: number;
  readonly comment?: string;
}

export type Action =
  | { readonly t: 'ACCEPT' | 'DROP' | 'RETURN' | 'NONE' }
  | { readonly t: 'jump' | 'goto'; readonly chain: string }
  /** iptables MARK --set-xmark value/mask (nft: mark = (mark & ~mask) | value). */
  | { readonly t: 'mark'; readonly value: number; readonly mask: number }
  | { readonly t: 'connmark'; readonly value: number; readonly mask: number };

export interface Rule {
  readonly m: Match;
  readonly a: Action;
  /** Shown as the first comment (Felix: "cali:<hash>"). */
  readonly tag?: string;
}

export interface Chain {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export const hex = (n: number) => `0x${n.toString(16)}`;
const hex8 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Felix-style rule hashes: SHA-224 chained over the chain name and each rule, base64url, 16 characters. */
export function tagRules(c: Chain, prefix = 'cali:'): Chain {
  // One running hash: each rule's tag covers the chain name and every rule up to it (its position and predecessors).
  const h = createHash('sha224');
  h.update(c.name);
  return {
    name: c.name,
    rules: c.rules.map((r) => {
      if (r.tag) return r;
      h.update(iptRule(c.name, r));
      return { ...r, tag: prefix + h.copy().digest('base64url').slice(0, 16) };
    }),
  };
}

const q = (s: string) => (/[\s"]/.test(s) ? `"${s.replace(/"/g, '\\"')}"` : s);

/** One iptables-restore line. */
export function iptRule(chain: string, r: Rule): string {
  const m = r.m;
  const p: string[] = [`-A ${chain}`];
  if (m.inIf) p.push(`-i ${m.inIf}`);
  if (m.outIf) p.push(`-o ${m.outIf}`);
  if (m.src) p.push(`-s ${m.src}`);
  if (m.notSrc) p.push(`! -s ${m.notSrc}`);
  if (m.dst) p.push(`-d ${m.dst}`);
  if (m.notDst) p.push(`! -d ${m.notDst}`);
  if (m.proto) p.push(`-p ${m.proto}`);
  if (r.tag) p.push(`-m comment --comment ${q(r.tag)}`);
  if (m.comment) p.push(`-m comment --comment ${q(m.comment)}`);
  if (m.physdevIn) p.push(`-m physdev --physdev-in ${m.physdevIn}`);
  if (m.ctstate) p.push(`-m conntrack --ctstate ${m.ctstate}${m.ctdir ? ` --ctdir ${m.ctdir}` : ''}`);
  if (m.markSet !== undefined) p.push(`-m mark --mark ${hex(m.markSet)}/${hex(m.markSet)}`);
  if (m.markClear !== undefined) p.push(`-m mark --mark 0x0/${hex(m.markClear)}`);
  if (m.connmarkSet !== undefined) p.push(`-m connmark --mark ${hex(m.connmarkSet)}/${hex(m.connmarkSet)}`);
  if (m.srcSet) p.push(`-m set --match-set ${m.srcSet} src`);
  if (m.dstSet) p.push(`-m set --match-set ${m.dstSet} dst`);
  if (m.dstIpPortSet) p.push(`-m set --match-set ${m.dstIpPortSet} dst,dst`);
  if (m.dstPorts?.length) p.push(`-m multiport --destination-ports ${m.dstPorts.join(',')}`);
  const a = r.a;
  switch (a.t) {
    case 'NONE': break;
    case 'ACCEPT': case 'DROP': case 'RETURN': p.push(`-j ${a.t}`); break;
    case 'jump': p.push(`-j ${a.chain}`); break;
    case 'goto': p.push(`-g ${a.chain}`); break;
    case 'mark': p.push(`-j MARK --set-xmark ${hex(a.value)}/${hex(a.mask)}`); break;
    case 'connmark': p.push(`-j CONNMARK --set-xmark ${hex(a.value)}/${hex(a.mask)}`); break;
  }
  return p.join(' ');
}

const nftIf = (s: string) => `"${s.endsWith('+') ? s.slice(0, -1) + '*' : s}"`;

/** One `add rule` statement of an nft -f script; setName maps an iptables set name to its nft name. */
export function nftRule(table: string, chain: string, r: Rule, setName: (s: string) => string): string {
  const m = r.m;
  const p: string[] = [];
  if (m.inIf) p.push(`iifname ${nftIf(m.inIf)}`);
  if (m.outIf) p.push(`oifname ${nftIf(m.outIf)}`);
  if (m.physdevIn) throw new Error('nftables has no physdev match: dispatch bridged pods on their addresses instead');
  if (m.proto) p.push(`meta l4proto ${m.proto}`);
  if (m.src) p.push(`ip saddr ${m.src}`);
  if (m.notSrc) p.push(`ip saddr != ${m.notSrc}`);
  if (m.dst) p.push(`ip daddr ${m.dst}`);
  if (m.notDst) p.push(`ip daddr != ${m.notDst}`);
  if (m.ctstate) p.push(`ct state ${m.ctstate.toLowerCase()}`);
  if (m.ctdir) p.push(`ct direction ${m.ctdir === 'ORIGINAL' ? 'original' : 'reply'}`);
  if (m.markSet !== undefined) p.push(`meta mark & ${hex8(m.markSet)} == ${hex8(m.markSet)}`);
  if (m.markClear !== undefined) p.push(`meta mark & ${hex8(m.markClear)} == 0x00000000`);
  if (m.connmarkSet !== undefined) p.push(`ct mark & ${hex8(m.connmarkSet)} == ${hex8(m.connmarkSet)}`);
  if (m.srcSet) p.push(`ip saddr @${setName(m.srcSet)}`);
  if (m.dstSet) p.push(`ip daddr @${setName(m.dstSet)}`);
  if (m.dstIpPortSet) p.push(`ip daddr . meta l4proto . th dport @${setName(m.dstIpPortSet)}`);
  if (m.dstPorts?.length) {
    const ports = m.dstPorts.map((x) => x.replace(':', '-'));
    p.push(`th dport ${ports.length === 1 ? ports[0] : `{ ${ports.join(', ')} }`}`);
  }
  const a = r.a;
  switch (a.t) {
    case 'NONE': p.push('counter'); break; // nft takes no rule without a statement (Felix writes counter on every rule)
    case 'ACCEPT': p.push('accept'); break;
    case 'DROP': p.push('drop'); break;
    case 'RETURN': p.push('return'); break;
    case 'jump': p.push(`jump ${a.chain}`); break;
    case 'goto': p.push(`goto ${a.chain}`); break;
    case 'mark': p.push(a.value === 0 ? `meta mark set meta mark & ${hex8(~a.mask >>> 0)}` : `meta mark set meta mark & ${hex8(~a.mask >>> 0)} | ${hex8(a.value)}`); break;
    case 'connmark': p.push(`ct mark set ct mark & ${hex8(~a.mask >>> 0)} | ${hex8(a.value)}`); break;
  }
  const cmt = [r.tag, m.comment].filter(Boolean).join('; ');
  if (cmt) p.push(`comment "${cmt.replace(/"/g, "'")}"`);
  return `add rule ${table} ${chain} ${p.join(' ')}`;
}

/** Felix's SplitPortList: multiport takes at most 15 slots; a range uses two. */
export function splitPorts(ports: readonly string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let free = 15;
  for (const p of ports) {
    const need = p.includes(':') ? 2 : 1;
    if (free < need) {
      out.push(cur);
      cur = [];
      free = 15;
    }
    cur.push(p);
    free -= need;
  }
  if (cur.length) out.push(cur);
  return out;
}
