// The explicit registry of dataplane modes. Unknown names are reported with the list of supported ones.
import type { DataplaneMode } from '../dataplane/types.js';
import { overlay } from './overlay/index.js';
import { bgp } from './bgp/index.js';
import { vpc } from './vpc/index.js';

const REGISTRY: ReadonlyMap<string, DataplaneMode> = new Map([[overlay.name, overlay], [bgp.name, bgp], [vpc.name, vpc]]);

export function supportedModes(): string[] {
  return [...REGISTRY.keys()];
}

export function getMode(name: string): DataplaneMode {
  const m = REGISTRY.get(name);
  if (!m) throw new Error(`unknown dataplane mode "${name}" (supported: ${supportedModes().join(', ')})`);
  return m;
}
