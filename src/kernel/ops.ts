// From desired state (and what the kernel has) to the few commands that close the gap. Pure: no I/O here,
// so fresh builds and diffs are unit-tested as readable iproute2 text.
import type { LinkSpec, NsState, RouteSpec, RuleSpec, RuleEngine } from '../dataplane/types.js';
import { rulesetKey } from '../dataplane/types.js';

/** A rule set to write (`text`) or to remove (`delete`: an nft table no longer wanted, e.g. after a proxy-mode switch, or the IP sets once no policy needs them). */
export interface RuleWrite {
  readonly engine: RuleEngine;
  readonly table?: string;
  /** The ledger key (dataplane/types.ts rulesetKey). */
  readonly key: string;
  readonly text?: string;
  readonly delete?: boolean;
  /** The text the kernel is known to hold now (what we last wrote, not drifted since): only the difference is written. */
  readonly since?: string;
}

/** Commands for one namespace, run as one batch each (ip -batch, bridge -batch, iptables-restore, nft -f). */
export interface Ops {
  readonly netns: string;
  readonly sysctlsBefore: [string, string][];
  readonly ip: string[];
  readonly bridge: string[];
  readonly rulesets: RuleWrite[];
  readonly sysctlsAfter: [string, string][];
}

export function emptyOps(netns: string): Ops {
  return { netns, sysctlsBefore: [], ip: [], bridge: [], rulesets: [], sysctlsAfter: [] };
}

export function opsCount(o: Ops): number {
  return o.sysctlsBefore.length + o.ip.length + o.bridge.length + o.rulesets.length + o.sysctlsAfter.length;
}

/** What the kernel holds in a namespace, as far as podlab manages it. */
export interface Observed {
  readonly links: readonly ObservedLink[];
  readonly addrs: readonly { dev: string; cidr: string }[];
  readonly routes: readonly RouteSpec[];
  readonly neighs: readonly { ip: string; mac: string; dev: string }[];
  readonly fdb: readonly { mac: string; dev: string; dst: string }[];
  readonly sysctls: Readonly<Record<string, string>>;
  /** ip rules other than the kernel's defaults (absent when not read). */
  readonly rules?: readonly RuleSpec[];
  /** Rule sets read back, by ledger key: normalized iptables-save output, or `nft -s list table` ("" when absent). */
  readonly rulesets?: Readonly<Record<string, string>>;
}

export interface ObservedLink {
  readonly name: string;
  readonly kind: string; // veth, bridge, vxlan, loopback, …
  readonly mtu: number;
  readonly mac: string;
  readonly master?: string;
  readonly up: boolean;
  readonly hairpin?: boolean;
  readonly vxlan?: { id?: number; port?: number; local?: string; learning?: boolean };
}

export const EMPTY_OBSERVED: Observed = { links: [], addrs: [], routes: [], neighs: [], fdb: [], sysctls: {} };

function isIfSysctl(key: string): boolean {
  const m = /^net\.ipv[46]\.(conf|neigh)\.([^.]+)\./.exec(key);
  return !!m && m[2] !== 'all' && m[2] !== 'default';
}

export function routeCmd(verb: 'replace' | 'del', r: RouteSpec): string {
  let s = `route ${verb} ${r.dst}`;
  if (r.via) s += ` via ${r.via}`;
  s += ` dev ${r.dev}`;
  if (r.proto && verb === 'replace') s += ` proto ${r.proto}`;
  if (r.scope && verb === 'replace') s += ` scope ${r.scope}`;
  if (r.onlink && verb === 'replace') s += ' onlink';
  if (r.table) s += ` table ${r.table}`;
  return s;
}

export function routeKey(r: RouteSpec): string {
  return `${normDst(r.dst)}|${r.via ?? ''}|${r.dev}|${r.onlink ? 'onlink' : ''}|${r.table ?? ''}`;
}

function normDst(d: string): string {
  return d.endsWith('/32') ? d.slice(0, -3) : d === '0.0.0.0/0' ? 'default' : d;
}

/** ip rule selector + action, canonical (a /32 written as the bare address, as `ip -j rule` reports it). */
export function ruleText(r: RuleSpec): string {
  let s = `pref ${r.priority}`;
  if (r.from) s += ` from ${normDst(r.from)}`;
  if (r.to) s += ` to ${normDst(r.to)}`;
  if (r.fwmark) s += ` fwmark ${r.fwmark}`;
  return `${s} lookup ${r.table}`;
}

function createLink(l: LinkSpec): string[] {
  const out: string[] = [];
  const addr = l.mac ? ` address ${l.mac}` : '';
  const mtu = l.mtu ? ` mtu ${l.mtu}` : '';
  switch (l.kind) {
    case 'bridge':
      out.push(`link add name ${l.name}${addr}${mtu} type bridge`);
      break;
    case 'vxlan': {
      const v = l.vxlan!;
      out.push(`link add name ${l.name}${addr}${mtu} type vxlan id ${v.id} local ${v.local} dev ${v.dev} dstport ${v.port}${v.learning ? '' : ' nolearning'}`);
      break;
    }
    case 'veth': {
      const p = l.peer;
      if (!p) throw new Error(`veth ${l.name} has no peer to create`);
      out.push(`link add name ${l.name}${addr}${mtu} type veth peer name ${p.name}${p.mac ? ` address ${p.mac}` : ''}${p.mtu ? ` mtu ${p.mtu}` : ''} netns ${p.netns}`);
      break;
    }
  }
  if (l.master) out.push(`link set ${l.name} master ${l.master}`);
  if (l.hairpin) out.push(`link set dev ${l.name} type bridge_slave hairpin on`);
  out.push(`link set ${l.name} up`);
  return out;
}

/**
 * The commands that take a namespace from `obs` to `want`. With EMPTY_OBSERVED this is the full build.
 * Only what differs is touched: re-running on an unchanged lab yields no commands.
 */
export function diffNs(want: NsState, obs: Observed, fresh = false, freshPeers: ReadonlySet<string> = new Set()): Ops {
  const ops = emptyOps(want.netns);
  const obsLinks = new Map(obs.links.map((l) => [l.name, l]));
  const recreated = new Set<string>();

  for (const [k, v] of want.sysctls) {
    if (obs.sysctls[k] === v) continue;
    (isIfSysctl(k) ? ops.sysctlsAfter : ops.sysctlsBefore).push([k, v]);
  }

  const lo = obsLinks.get('lo');
  if (!lo || !lo.up) ops.ip.push('link set lo up');

  // Links no longer wanted (a removed pod's veth, a stale device): delete first.
  const wantNames = new Set(want.links.map((l) => l.name));
  for (const l of obs.links) {
    if (l.name === 'lo' || wantNames.has(l.name)) continue;
    ops.ip.push(`link del ${l.name}`);
    recreated.add(l.name); // what lived on it went with it
  }

  for (const l of want.links) {
    const o = obsLinks.get(l.name);
    if (l.foreign) {
      // Made by the other end's plan; here only its settings are ours.
      if (o && l.mtu && o.mtu !== l.mtu) ops.ip.push(`link set ${l.name} mtu ${l.mtu}`);
      if (o && l.mac && o.mac.toLowerCase() !== l.mac) ops.ip.push(`link set ${l.name} address ${l.mac}`);
      if (!o || !o.up) ops.ip.push(`link set ${l.name} up`);
      continue;
    }
    const wrongKind = o && o.kind !== l.kind;
    const wrongVxlan = o && l.vxlan && o.vxlan && (o.vxlan.id !== l.vxlan.id || (o.vxlan.port !== undefined && o.vxlan.port !== l.vxlan.port) || (o.vxlan.local !== undefined && o.vxlan.local !== l.vxlan.local));
    // A veth whose peer's namespace is new this run: its other end is gone with the old namespace (deleted by hand,
    // kept alive by an open socket), so this end is an orphan to replace.
    const orphan = o && l.kind === 'veth' && l.peer !== undefined && freshPeers.has(l.peer.netns);
    if (o && (wrongKind || wrongVxlan || orphan)) {
      ops.ip.push(`link del ${l.name}`);
      recreated.add(l.name);
    }
    if (!o || recreated.has(l.name)) {
      if (l.kind === 'veth' && !l.peer) continue;
      ops.ip.push(...createLink(l));
      recreated.add(l.name);
      continue;
    }
    if (l.mtu && o.mtu !== l.mtu) ops.ip.push(`link set ${l.name} mtu ${l.mtu}`);
    if (l.mac && o.mac.toLowerCase() !== l.mac) ops.ip.push(`link set ${l.name} address ${l.mac}`);
    if ((l.master ?? '') !== (o.master ?? '')) ops.ip.push(l.master ? `link set ${l.name} master ${l.master}` : `link set ${l.name} nomaster`);
    if (l.hairpin && !o.hairpin) ops.ip.push(`link set dev ${l.name} type bridge_slave hairpin on`);
    if (!o.up) ops.ip.push(`link set ${l.name} up`);
  }

  const gone = (dev: string) => recreated.has(dev);
  // Routes no longer wanted go before any address: deleting an address takes the routes through its gateway with it
  // (a changed underlay removes the default route), and a `route del` of a route already gone would abort the batch.
  // (main table, not the kernel's own connected routes, not BIRD's: `proto bird` routes, blackholes included, belong
  // to the routing daemon.)
  const ours = obs.routes.filter((r) => r.proto !== 'bird');
  const wantRoute = new Set(want.routes.map(routeKey));
  for (const r of ours) if (!gone(r.dev) && !wantRoute.has(routeKey(r))) ops.ip.push(routeCmd('del', r));
  // Addresses.
  const wantAddr = new Set(want.addrs.map((a) => `${a.dev}|${a.cidr}`));
  const haveAddr = new Set(obs.addrs.filter((a) => !gone(a.dev)).map((a) => `${a.dev}|${a.cidr}`));
  for (const a of obs.addrs) if (!gone(a.dev) && !wantAddr.has(`${a.dev}|${a.cidr}`)) ops.ip.push(`addr del ${a.cidr} dev ${a.dev}`);
  for (const a of want.addrs) if (!haveAddr.has(`${a.dev}|${a.cidr}`)) ops.ip.push(`addr add ${a.cidr} dev ${a.dev}`);

  // Neighbours (permanent only: the ones podlab programs).
  const nk = (n: { ip: string; dev: string }) => `${n.ip}|${n.dev}`;
  const haveNeigh = new Map(obs.neighs.filter((n) => !gone(n.dev)).map((n) => [nk(n), n.mac.toLowerCase()]));
  const wantNeigh = new Set(want.neighs.map(nk));
  for (const n of obs.neighs) if (!gone(n.dev) && !wantNeigh.has(nk(n))) ops.ip.push(`neigh del ${n.ip} dev ${n.dev}`);
  for (const n of want.neighs) if (haveNeigh.get(nk(n)) !== n.mac) ops.ip.push(`neigh replace ${n.ip} lladdr ${n.mac} dev ${n.dev} nud permanent`);

  // Routes wanted: after the addresses their gateways need. One kept through an address that goes is written again.
  const dropped = new Set(obs.addrs.filter((a) => !gone(a.dev) && !wantAddr.has(`${a.dev}|${a.cidr}`)).map((a) => a.dev));
  const haveRoute = new Set(ours.filter((r) => !gone(r.dev) && !(r.via && !r.onlink && dropped.has(r.dev))).map(routeKey));
  for (const r of want.routes) if (!haveRoute.has(routeKey(r))) ops.ip.push(routeCmd('replace', r));

  // Policy routing rules.
  const haveRule = new Set((obs.rules ?? []).map(ruleText));
  const wantRule = new Set(want.rules.map(ruleText));
  for (const r of obs.rules ?? []) if (!wantRule.has(ruleText(r))) ops.ip.push(`rule del ${ruleText(r)}`);
  for (const r of want.rules) if (!haveRule.has(ruleText(r))) ops.ip.push(`rule add ${ruleText(r)}`);

  // Bridge forwarding database entries of VXLAN devices.
  const fk = (f: { mac: string; dev: string; dst: string }) => `${f.mac.toLowerCase()}|${f.dev}|${f.dst}`;
  const haveFdb = new Set(obs.fdb.filter((f) => !gone(f.dev)).map(fk));
  const wantFdb = new Set(want.fdb.map(fk));
  for (const f of obs.fdb) if (!gone(f.dev) && !wantFdb.has(fk(f))) ops.bridge.push(`fdb del ${f.mac} dev ${f.dev} dst ${f.dst} self`);
  for (const f of want.fdb) if (!haveFdb.has(fk(f))) ops.bridge.push(`fdb replace ${f.mac} dev ${f.dev} dst ${f.dst} self permanent`);

  if (fresh) for (const r of want.rulesets) ops.rulesets.push({ engine: r.engine, table: r.table, key: rulesetKey(r), text: r.text });
  return ops;
}

/** Human-readable form of the ops (for `podlab plan` and snapshots). */
export function opsText(o: Ops): string {
  const out: string[] = [`# netns ${o.netns}`];
  for (const [k, v] of [...o.sysctlsBefore, ...o.sysctlsAfter]) out.push(`sysctl -w ${k}=${v}`);
  for (const l of o.ip) out.push(`ip ${l}`);
  for (const l of o.bridge) out.push(`bridge ${l}`);
  for (const r of o.rulesets) {
    if (r.delete && r.engine === 'ipset') out.push('ipset destroy   # every IP set no rule names');
    else if (r.delete) out.push(`nft delete table ${r.table}`);
    else if (r.engine === 'ipset') out.push('ipset restore <<EOF', r.text!.trimEnd(), 'EOF');
    else if (r.engine === 'iptables') out.push('iptables-restore <<EOF', r.text!.trimEnd(), 'EOF');
    else out.push('nft -f - <<EOF', r.text!.trimEnd(), 'EOF');
  }
  return out.join('\n') + '\n';
}
