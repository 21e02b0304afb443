// `podlab fault KIND NODE`: inject or heal a fault the lab's mode offers (bgp: bgp-down, bgp-up).
import { allFaults, modeRuntime } from '../modes/runtimes.js';
import { EDGE_FAULTS } from '../workload/edge/runtime.js';
import { labContext, requireRoot, runtimeContext, withLock, type LabContext } from './context.js';
import { labState } from './targets.js';

/** Every fault kind of every mode. */
export const FAULTS: readonly string[] = [...allFaults().keys(), ...Object.keys(EDGE_FAULTS)];

export async function fault(cluster: string, kind: string, node: string, o: Partial<LabContext> = {}): Promise<{ ms: number }> {
  const ctx = labContext(o);
  requireRoot(ctx, 'fault');
  return withLock(ctx, cluster, () => faultLocked(ctx, cluster, kind, node));
}

async function faultLocked(ctx: LabContext, cluster: string, kind: string, node: string): Promise<{ ms: number }> {
  const st = await labState(ctx, cluster);
  const t = st.topology;
  const owner = allFaults().get(kind);
  const f = modeRuntime(t.mode)?.faults[kind] ?? EDGE_FAULTS[kind];
  if (!f) throw new Error(owner ? `fault ${kind} needs a ${owner}-mode lab; "${cluster}" is ${t.mode}` : `unknown fault "${kind}" (faults: ${FAULTS.join(', ') || 'none'})`);
  if (!t.nodes.some((n) => n.name === node)) throw new Error(`no node "${node}" (nodes: ${t.nodes.map((n) => n.name).join(', ')})`);
  const t0 = performance.now();
  const procs = await f.run(runtimeContext(ctx, cluster), t, node, st.processes);
  // A fault stays until it is healed (bgp-up heals bgp-down) or the lab is rebuilt with `up`: the daemon's resync
  // must not undo it.
  const [verb] = kind.split('-');
  const faults = (st.faults ?? []).filter((x) => !(x.startsWith(`${verb}-`) && x.endsWith(` ${node}`)));
  if (kind.endsWith('-down')) faults.push(`${kind} ${node}`);
  await ctx.store.write({ ...st, processes: procs, ...(faults.length ? { faults } : { faults: undefined }), updatedAt: new Date().toISOString() });
  return { ms: performance.now() - t0 };
}
