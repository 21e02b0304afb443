// Endpoints follow readiness, as kube-proxy follows EndpointSlices: when the lifecycle says a pod turned unready (or
// ready again), the lab's Services are resolved again without it (or with it) and only the kernel rules that change
// are written — every namespace's plan but its rule sets stays as it was, so nothing is read back (kube-proxy's
// partial sync). UDP flows to endpoints that went away are flushed, as kube-proxy does.
import type { LabSpec } from '../input/types.js';
import type { Allocations } from '../model/topology.js';
import { allocationsOf } from '../model/topology.js';
import { applyPlan, type RuleLedger } from '../kernel/apply.js';
import { inNs, mapLimit } from '../kernel/exec.js';
import { staleUdpFlows } from '../dataplane/proxy/conntrack.js';
import type { LabState } from '../store/types.js';
import { labContext, type LabContext } from './context.js';
import { desire, type Desired, type Readiness } from './desire.js';
import { loadLab } from './load.js';
import { labState } from './targets.js';

const epSig = (d: Pick<Desired, 'topo'>) => JSON.stringify(d.topo.services.map((s) => [s.key, s.ports.map((p) => p.endpoints.map((e) => `${e.ip}:${e.port}`))]));

/**
 * Re-resolve with this readiness and write the rule sets that differ (rules: the ledger, updated in place). Returns
 * the new desired state (the old one when no endpoint moved).
 */
export async function applyEndpoints(ctx: LabContext, lab: LabSpec, o: { rules: RuleLedger; prev: Desired; readiness: Readiness; allocations: Allocations }): Promise<Desired> {
  const d = desire(lab, { allocations: o.allocations } as LabState, o.readiness);
  if (epSig(d) === epSig(o.prev)) return o.prev;
  const same = new Set(d.plan.namespaces.filter((n) => o.prev.planHashes[n.netns] === d.planHashes[n.netns]).map((n) => n.netns));
  await applyPlan(ctx.exec, d.plan, { fresh: new Set(), netUnchanged: same, ledger: o.rules, concurrency: ctx.concurrency, texts: ctx.ruleTexts });
  const flows = staleUdpFlows(o.prev.topo, d.topo);
  if (flows.length) {
    const script = flows.map((a) => `${a.join(' ')} >/dev/null 2>&1 || true`).join('\n') + '\n';
    await mapLimit(d.topo.nodes, ctx.concurrency ?? 8, (n) => ctx.exec.run(['sh', '-s'], inNs(n.netns, ctx.exec.host), { input: script }));
  }
  return d;
}

export interface EndpointSync {
  readonly changed: boolean;
  /** Pods out of every Service now. */
  readonly notReady: readonly string[];
  readonly ms: number;
}

/**
 * What the lab's host calls when the lifecycle reports a readiness change: Services without the unready pods, on
 * every node, and the state recording it (so `status` and a later `up` agree).
 */
export async function syncReadiness(cluster: string, notReady: Iterable<string>, o: Partial<LabContext> & { lab?: LabSpec; current?: Desired } = {}): Promise<EndpointSync> {
  const t0 = performance.now();
  const ctx = labContext(o);
  const st = await labState(ctx, cluster);
  const keys = new Set(st.topology.pods.map((p) => p.key));
  const nr = new Set([...notReady].filter((k) => keys.has(k)));
  // The host's desired state of this very topology (the daemon keeps it): neither the files nor the plan again.
  const cur = o.current?.topo === st.topology ? o.current : undefined;
  const lab = o.lab ?? cur?.spec ?? loadLab(st.files, { mode: st.mode, proxyMode: st.proxyMode, applied: st.applied, deleted: st.deleted });
  const prev = cur ?? desire(lab, st, { notReady: new Set(st.notReady ?? []) });
  const rules = structuredClone(st.rules);
  const d = await applyEndpoints(ctx, lab, { rules, prev: { ...prev, topo: st.topology }, readiness: { notReady: nr }, allocations: st.allocations });
  const changed = epSig(d) !== epSig({ topo: st.topology });
  const list = [...nr].sort();
  if (changed || JSON.stringify(list) !== JSON.stringify([...(st.notReady ?? [])].sort())) {
    await ctx.store.write({ ...st, topology: d.topo, allocations: allocationsOf(d.topo), rules, ...(list.length ? { notReady: list } : { notReady: undefined }), updatedAt: new Date().toISOString() });
  }
  // What the state holds now (d's topology was written, or is the state's own): the host keeps it for the next call.
  ctx.onDesired?.(d);
  return { changed, notReady: list, ms: performance.now() - t0 };
}
