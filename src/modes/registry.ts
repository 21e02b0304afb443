// The explicit registry of dataplane modes: one line per mode. Unknown names are reported with the supported ones.
// Also the two entry points that need the registry: parsing cluster files (each mode validates its own section of
// the Cluster) and resolving a lab with its mode's IPAM.
import type { ModePlugin } from './types.js';
import { overlay } from './overlay/index.js';
import { bgp } from './bgp/index.js';
import { vpc } from './vpc/index.js';
import { parseLab, type ParseOptions, type Source } from '../input/parse.js';
import type { LabSpec } from '../input/types.js';
import { resolve, type Allocations, type ResolveOptions, type Topology } from '../model/topology.js';
import type { ModeSchema } from '../input/kinds/cluster.js';
import { proxyModeNames } from '../dataplane/proxy/index.js';

const MODES: readonly ModePlugin[] = [overlay, bgp, vpc];

const REGISTRY: ReadonlyMap<string, ModePlugin> = (() => {
  const m = new Map<string, ModePlugin>();
  for (const p of MODES) {
    if (m.has(p.name)) throw new Error(`mode "${p.name}" is registered twice`);
    m.set(p.name, p);
  }
  return m;
})();

export function supportedModes(): string[] {
  return [...REGISTRY.keys()];
}

export function getMode(name: string): ModePlugin {
  const m = REGISTRY.get(name);
  if (!m) throw new Error(`unknown dataplane mode "${name}" (supported: ${supportedModes().join(', ')})`);
  return m;
}

/** Every mode's section of the Cluster spec. */
export function modeSchemas(): ModeSchema[] {
  return MODES.flatMap((m) => (m.schema ? [m.schema] : []));
}

/** parseLab with this build's modes. */
export function parseLabFiles(sources: readonly Source[], opts: Omit<ParseOptions, 'modes' | 'schemas'> = {}): LabSpec {
  return parseLab(sources, { ...opts, modes: supportedModes(), proxyModes: proxyModeNames(), schemas: modeSchemas(), lbAnnounce: Object.fromEntries(MODES.map((m) => [m.name, m.loadBalancer.announce])) });
}

/** resolve with the lab's mode's IPAM. */
export function resolveLab(lab: LabSpec, prev: Allocations = {}, o: ResolveOptions = {}): Topology {
  return resolve(lab, getMode(lab.cluster.mode).ipam, prev, o);
}
