// spec.bgp of the Cluster (bgp mode, Calico): BIRD peering and IPAM blocks. Validated in every mode (with defaults),
// so `--mode bgp` works on any cluster file.
import type { ModeSchema } from '../../input/kinds/cluster.js';
import type { DocCtx, Path } from '../../input/doc.js';
import { checkKeys, int, isObj } from '../../input/fields.js';
import type { ClusterSpec } from '../../input/types.js';

export type BgpTopology = 'full-mesh' | 'route-reflector';

export interface BgpSpec {
  readonly asn: number;
  readonly topology: BgpTopology;
  /** Node names acting as route reflectors (topology route-reflector). */
  readonly routeReflectors: readonly string[];
  /** Calico IPAM block prefix length (default 26). */
  readonly blockSize: number;
}

export const DEFAULT_BGP: BgpSpec = { asn: 64512, topology: 'full-mesh', routeReflectors: [], blockSize: 26 };

/** The cluster's spec.bgp with defaults. */
export function bgpSpec(c: Pick<ClusterSpec, 'modeSpecs'>): BgpSpec {
  return (c.modeSpecs.bgp as BgpSpec | undefined) ?? DEFAULT_BGP;
}

/** spec.bgp: {asn, topology: full-mesh | route-reflector, routeReflectors: [node…], blockSize}. */
function parseBgp(ctx: DocCtx, v: unknown, nodeNames: readonly string[], podPrefix: number | undefined): BgpSpec {
  if (v === undefined || v === null) return DEFAULT_BGP;
  const base: Path = ['spec', 'bgp'];
  if (!isObj(v)) {
    ctx.err(base, 'must be a map like {asn: 64512, topology: full-mesh}');
    return DEFAULT_BGP;
  }
  checkKeys(ctx, v, base, ['asn', 'topology', 'routeReflectors', 'blockSize']);
  const asn = int(ctx, v.asn, [...base, 'asn'], 1, 4294967294) ?? DEFAULT_BGP.asn;
  let topology: BgpTopology = DEFAULT_BGP.topology;
  if (v.topology !== undefined) {
    if (v.topology === 'full-mesh' || v.topology === 'route-reflector') topology = v.topology;
    else ctx.err([...base, 'topology'], `unknown BGP topology ${JSON.stringify(v.topology)} (one of: full-mesh, route-reflector)`);
  }
  const routeReflectors: string[] = [];
  if (v.routeReflectors !== undefined) {
    if (!Array.isArray(v.routeReflectors)) ctx.err([...base, 'routeReflectors'], 'must be a list of node names');
    else v.routeReflectors.forEach((r: unknown, i: number) => {
      const path: Path = [...base, 'routeReflectors', i];
      if (typeof r !== 'string') ctx.err(path, `must be a node name, got ${JSON.stringify(r)}`);
      else if (!nodeNames.includes(r)) ctx.err(path, `unknown node "${r}" (nodes: ${nodeNames.join(', ')})`);
      else if (routeReflectors.includes(r)) ctx.err(path, `node "${r}" is listed twice`);
      else routeReflectors.push(r);
    });
  }
  if (topology === 'route-reflector' && routeReflectors.length === 0) ctx.err([...base, 'routeReflectors'], 'topology route-reflector needs at least one node in routeReflectors');
  if (topology === 'full-mesh' && routeReflectors.length > 0) ctx.err([...base, 'routeReflectors'], 'only used with topology: route-reflector');
  const blockSize = int(ctx, v.blockSize, [...base, 'blockSize'], 20, 32) ?? DEFAULT_BGP.blockSize;
  if (podPrefix !== undefined && blockSize < podPrefix) ctx.err([...base, 'blockSize'], `/${blockSize} blocks are larger than the podCIDR (/${podPrefix})`);
  return { asn, topology, routeReflectors, blockSize };
}

export const bgpSchema: ModeSchema = {
  mode: 'bgp',
  key: 'bgp',
  onlyInMode: false,
  parse: (ctx, raw, env) => parseBgp(ctx, raw, env.nodes, env.podCIDR?.prefix),
};
