// The size of a node's dataplane, read from the kernel in one shell process per namespace: routes (every table
// but local), policy rules, neighbour and fdb entries that were programmed (not learned from traffic, which
// depends on what ran), iptables rules, kube-proxy's nftables rules and set/map elements, BGP sessions
// (established TCP connections on port 179, whoever the speaker is).
import { inNs, mapLimit, type Executor } from '../../kernel/exec.js';
import { MeasureError, tail } from './common.js';

export interface DataplaneSize {
  readonly routes: number;
  readonly rules: number;
  readonly neighbours: number;
  readonly fdb: number;
  readonly iptablesRules: number;
  readonly nftRules: number;
  readonly nftElements: number;
  readonly bgpSessions: number;
}

export const SIZE_FIELDS: readonly (keyof DataplaneSize)[] = ['routes', 'rules', 'neighbours', 'fdb', 'iptablesRules', 'nftRules', 'nftElements', 'bgpSessions'];

export const SIZE_SCRIPT = `
echo '@@routes'; ip -j -4 route show table all
echo '@@rules'; ip -j -4 rule show
echo '@@neigh'; ip -j -4 neigh show
echo '@@fdb'; bridge -j fdb show 2>/dev/null
echo '@@iptables'; iptables-save 2>/dev/null
echo '@@nft'; nft -j list table ip kube-proxy 2>/dev/null
echo '@@bgp'; ss -Htn state established '( sport = :179 or dport = :179 )' 2>/dev/null
echo '@@end'
`;

function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = text.split(/^@@(\w+)\n?/m);
  for (let k = 1; k + 1 < parts.length; k += 2) out.set(parts[k]!, parts[k + 1]!.trim());
  return out;
}

const arr = <T>(s: string | undefined): T[] => {
  if (!s) return [];
  const v = JSON.parse(s) as unknown;
  return Array.isArray(v) ? (v as T[]) : [];
};

const isMulticastMac = (mac: string) => (parseInt(mac.slice(0, 2), 16) & 1) === 1;

/** Count what SIZE_SCRIPT printed (pure). */
export function parseDataplane(text: string): DataplaneSize {
  const s = sections(text);
  if (!s.has('end')) throw new MeasureError('dataplane size', 'the counting script did not finish');
  const routes = arr<{ table?: string }>(s.get('routes')).filter((r) => r.table !== 'local').length;
  // ip rule's three defaults (local, main, default) are in every namespace: count what was added.
  const rules = Math.max(0, arr<unknown>(s.get('rules')).length - 3);
  const neighbours = arr<{ state?: string[] }>(s.get('neigh')).filter((n) => n.state?.some((x) => x === 'PERMANENT' || x === 'NOARP')).length;
  const fdb = arr<{ mac: string; state?: string }>(s.get('fdb')).filter((f) => !isMulticastMac(f.mac) && (f.state === 'permanent' || f.state === 'static')).length;
  const iptablesRules = (s.get('iptables') ?? '').split('\n').filter((l) => l.startsWith('-A ')).length;
  let nftRules = 0;
  let nftElements = 0;
  const nft = s.get('nft');
  const items = nft ? ((JSON.parse(nft) as { nftables?: Record<string, { elem?: unknown[] }>[] }).nftables ?? []) : [];
  for (const o of items) {
    if (o.rule) nftRules++;
    const e = o.set?.elem ?? o.map?.elem;
    if (e) nftElements += e.length;
  }
  const bgpSessions = (s.get('bgp') ?? '').split('\n').filter((l) => l.trim()).length;
  return { routes, rules, neighbours, fdb, iptablesRules, nftRules, nftElements, bgpSessions };
}

export async function dataplaneSize(exec: Executor, netns: string): Promise<DataplaneSize> {
  const r = await exec.run(['sh', '-s'], inNs(netns, exec.host), { input: SIZE_SCRIPT, timeoutMs: 20_000 });
  if (r.code !== 0) throw new MeasureError('dataplane size', `${netns}: ${tail(r)}`);
  return parseDataplane(r.stdout);
}

/** Every node at once, a few at a time. */
export async function dataplaneSizes(exec: Executor, nodes: readonly { name: string; netns: string }[], concurrency = 4): Promise<({ node: string } & DataplaneSize)[]> {
  return mapLimit(nodes, concurrency, async (n) => ({ node: n.name, ...(await dataplaneSize(exec, n.netns)) }));
}
