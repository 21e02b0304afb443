// Read back what the kernel holds in a namespace: one process per namespace, parsed here.
import type { Executor } from './exec.js';
import { inNs, CommandError } from './exec.js';
import type { Observed, ObservedLink } from './ops.js';
import type { RouteSpec } from '../dataplane/types.js';

export function observeScript(sysctlKeys: readonly string[], opts: { fdb: boolean; iptables: boolean; nftables?: boolean }): string {
  const lines = [
    "echo '@@links'; ip -j -d link show",
    "echo '@@addrs'; ip -j -4 addr show",
    "echo '@@routes'; ip -j -4 route show",
    "echo '@@neighs'; ip -j -4 neigh show nud permanent",
  ];
  if (opts.fdb) lines.push("echo '@@fdb'; bridge -j fdb show");
  lines.push("echo '@@sysctls'");
  for (const k of sysctlKeys) lines.push(`printf '%s=%s\\n' '${k}' "$(cat /proc/sys/${k.replace(/\./g, '/')} 2>/dev/null)"`);
  if (opts.iptables) lines.push("echo '@@iptables'; iptables-save 2>/dev/null || true");
  if (opts.nftables) lines.push("echo '@@nft'; nft -s list table ip kube-proxy 2>/dev/null || true");
  return lines.join('\n') + '\n';
}

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

export function parseObserved(out: string): Observed {
  const sections = new Map<string, string>();
  let cur = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('@@')) {
      cur = line.slice(2).trim();
      sections.set(cur, '');
    } else if (cur) sections.set(cur, sections.get(cur)! + line + '\n');
  }
  const json = (k: string): unknown[] => {
    const s = (sections.get(k) ?? '').trim();
    if (!s) return [];
    // ip -batch style output can hold several arrays; the show commands here print one each.
    return JSON.parse(s) as unknown[];
  };
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
  const routes: RouteSpec[] = (json('routes') as { dst: string; gateway?: string; dev: string; protocol?: string; scope?: string; flags?: string[]; type?: string }[])
    .filter((r) => r.protocol !== 'kernel')
    .map((r) => ({ dst: r.dst, via: r.gateway, dev: r.dev, onlink: (r.flags ?? []).includes('onlink') || undefined, proto: r.protocol }));
  const neighs = (json('neighs') as { dst: string; dev: string; lladdr?: string }[]).map((n) => ({ ip: n.dst, dev: n.dev, mac: (n.lladdr ?? '').toLowerCase() }));
  const fdb = (json('fdb') as { mac: string; ifname: string; dst?: string }[])
    .filter((f) => f.dst && f.mac !== '00:00:00:00:00:00')
    .map((f) => ({ mac: f.mac.toLowerCase(), dev: f.ifname, dst: f.dst! }));
  const sysctls: Record<string, string> = {};
  for (const line of (sections.get('sysctls') ?? '').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) sysctls[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  const ipt = sections.get('iptables');
  const nft = sections.get('nft');
  return { links, addrs, routes, neighs, fdb, sysctls, iptablesSave: ipt === undefined ? undefined : normalizeIptablesSave(ipt), nftList: nft === undefined ? undefined : normalizeNft(nft) };
}

export async function observeNs(exec: Executor, netns: string, sysctlKeys: readonly string[], opts: { fdb: boolean; iptables: boolean; nftables?: boolean }): Promise<Observed> {
  const r = await exec.run(['sh', '-s'], inNs(netns), { input: observeScript(sysctlKeys, opts) });
  if (r.code !== 0) throw new CommandError(r, `reading the state of ${netns}`);
  return parseObserved(r.stdout);
}
