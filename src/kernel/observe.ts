// Read back what the kernel holds in a namespace: one process per namespace, parsed here.
import type { Executor } from './exec.js';
import { inNs, CommandError } from './exec.js';
import type { Observed, ObservedLink } from './ops.js';
import type { RouteSpec, RuleSpec } from '../dataplane/types.js';

/** `nft -s list table` output without the affinity sets, whose elements change with traffic. */
export function normalizeNft(text: string): string {
  const out: string[] = [];
  let skipIndent: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const indent = line.length - line.trimStart().length;
    if (skipIndent !== undefined) {
      if (indent === skipIndent && line.trim() === '}') skipIndent = undefined;
      continue;
    }
    if (/^\s*set affinity-/.test(line)) {
      skipIndent = indent;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

export function normalizeIptablesSave(text: string): string {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]$/, '[0:0]'))
    .join('\n');
}

interface JLink {
  ifname: string; mtu: number; address?: string; master?: string; flags?: string[]; link_type?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown>; info_slave_kind?: string; info_slave_data?: Record<string, unknown> };
}

/** Builds Observed from the JSON of `ip -j -d -batch` (link, addr, route, neigh, rule: one array per line), fdb JSON, sysctls, rule sets read. */
export function parseObserved(ipOut: string, fdbOut = '', sysctls: Record<string, string> = {}, rulesets?: Record<string, string>): Observed {
  const arrays = ipOut.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('['));
  if (arrays.length !== 4 && arrays.length !== 5) throw new Error(`unexpected output of ip -j -batch (${arrays.length} arrays, wanted 5)`);
  const [jl, ja, jr, jn, jrule] = arrays.map((a) => JSON.parse(a) as unknown[]);
  const json = (k: string): unknown[] => (k === 'links' ? jl! : k === 'addrs' ? ja! : k === 'routes' ? jr! : k === 'neighs' ? jn! : fdbOut.trim() ? (JSON.parse(fdbOut) as unknown[]) : []);
  const links: ObservedLink[] = (json('links') as JLink[]).map((l) => {
    const kind = l.link_type === 'loopback' ? 'loopback' : l.linkinfo?.info_kind ?? 'unknown';
    const d = l.linkinfo?.info_data ?? {};
    return {
      name: l.ifname, kind, mtu: l.mtu, mac: (l.address ?? '').toLowerCase(), master: l.master,
      up: (l.flags ?? []).includes('UP'),
      hairpin: l.linkinfo?.info_slave_kind === 'bridge' ? Boolean(l.linkinfo.info_slave_data?.hairpin) : undefined,
      vxlan: kind === 'vxlan' ? { id: d.id as number, port: d.port as number, local: d.local as string, learning: d.learning as boolean } : undefined,
    };
  });
  const addrs = (json('addrs') as { ifname: string; addr_info?: { family: string; local: string; prefixlen: number; scope: string }[] }[])
    .flatMap((a) => (a.addr_info ?? []).filter((i) => i.family === 'inet' && i.scope !== 'host').map((i) => ({ dev: a.ifname, cidr: `${i.local}/${i.prefixlen}` })));
  // Every table: main, and numbered policy-routing tables (not the kernel's local table).
  const routes: RouteSpec[] = (json('routes') as { dst: string; gateway?: string; dev: string; protocol?: string; scope?: string; flags?: string[]; type?: string; table?: string }[])
    .filter((r) => r.protocol !== 'kernel' && !r.dst.includes(':') && (r.table === undefined || r.table === 'main' || /^\d+$/.test(r.table)))
    .map((r) => ({ dst: r.dst, via: r.gateway, dev: r.dev ?? (r.type ?? 'unknown'), onlink: (r.flags ?? []).includes('onlink') || undefined, proto: r.protocol, ...(r.table && r.table !== 'main' ? { table: r.table } : {}) }));
  const neighs = (json('neighs') as { dst: string; dev: string; lladdr?: string }[]).filter((n) => n.dst.includes('.')).map((n) => ({ ip: n.dst, dev: n.dev, mac: (n.lladdr ?? '').toLowerCase() }));
  const fdb = (json('fdb') as { mac: string; ifname: string; dst?: string }[])
    .filter((f) => f.dst && f.mac !== '00:00:00:00:00:00')
    .map((f) => ({ mac: f.mac.toLowerCase(), dev: f.ifname, dst: f.dst! }));
  const rules: RuleSpec[] | undefined = jrule === undefined ? undefined : (jrule as { priority: number; src?: string; srclen?: number; dst?: string; dstlen?: number; fwmark?: string; fwmask?: string; table: string; protocol?: string }[])
    .filter((r) => r.protocol !== 'kernel' && ![0, 32766, 32767].includes(r.priority))
    .map((r) => ({
      priority: r.priority, table: r.table,
      from: r.src && r.src !== 'all' ? (r.srclen !== undefined ? `${r.src}/${r.srclen}` : r.src) : undefined,
      to: r.dst && r.dst !== 'all' ? (r.dstlen !== undefined ? `${r.dst}/${r.dstlen}` : r.dst) : undefined,
      fwmark: r.fwmark ? `${r.fwmark}/${r.fwmask ?? '0xffffffff'}` : undefined,
    }));
  return { links, addrs, routes, neighs, fdb, sysctls, rules, ...(rulesets ? { rulesets } : {}) };
}

export const OBSERVE_BATCH = 'link show\naddr show\nroute show table all\nneigh show nud permanent\nrule show\n';

/** What to read of a namespace besides links, addresses, routes, neighbours and rules. */
export interface ObserveWhat {
  readonly fdb: boolean;
  /** Ledger keys of the rule sets to read back: "iptables" and/or "nftables <table>". */
  readonly rulesets: readonly string[];
}

/** `ipset save` output in a stable order (members of a hash set come out in the kernel's bucket order). */
export function normalizeIpsetSave(text: string): string {
  return text.split('\n').filter((l) => l.trim()).sort().join('\n');
}

/** Read one rule set back, normalized; "" when it does not exist (an nft table that is absent). */
export async function readRuleset(exec: Executor, netns: string, key: string): Promise<string> {
  const place = inNs(netns, exec.host);
  if (key === 'iptables') {
    const r = await exec.run(['iptables-save'], place);
    return r.code === 0 ? normalizeIptablesSave(r.stdout) : '';
  }
  if (key === 'ipset') {
    const r = await exec.run(['ipset', 'save'], place);
    return r.code === 0 ? normalizeIpsetSave(r.stdout) : '';
  }
  const table = key.slice('nftables '.length).split(' ');
  const r = await exec.run(['nft', '-s', 'list', 'table', ...table], place);
  return r.code === 0 ? normalizeNft(r.stdout) : '';
}

/** Reads a namespace with one `ip` process (plus bridge fdb and the rule sets asked for). Sysctls come from a batch read. */
export async function observeNs(exec: Executor, netns: string, sysctls: Record<string, string>, what: ObserveWhat): Promise<Observed> {
  const place = inNs(netns, exec.host);
  const [ip, fdb, ...sets] = await Promise.all([
    exec.run(['ip', '-j', '-d', '-batch', '-'], place, { input: OBSERVE_BATCH }),
    what.fdb ? exec.run(['bridge', '-j', 'fdb', 'show'], place) : undefined,
    ...what.rulesets.map((k) => readRuleset(exec, netns, k)),
  ]);
  if (ip!.code !== 0) throw new CommandError(ip!, `reading the state of ${netns}`);
  return parseObserved(ip!.stdout, fdb?.stdout ?? '', sysctls, Object.fromEntries(what.rulesets.map((k, i) => [k, sets[i]!])));
}
