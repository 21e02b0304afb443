// The ingress controller at run time (filled in with the Ingress support).
import type { Topology } from '../../model/topology.js';
import type { ProcRecord, RuntimeContext } from '../types.js';

export const INGRESS_RECORD = 'edge/ingress-nginx';

export async function ingressSync(_ctx: RuntimeContext, _t: Topology, _prev: readonly ProcRecord[], _say?: (m: string) => void): Promise<{ records: ProcRecord[]; changes: number; problems: string[] }> {
  return { records: [], changes: 0, problems: [] };
}

export async function ingressStatus(_ctx: RuntimeContext, _t: Topology): Promise<undefined> {
  return undefined;
}
