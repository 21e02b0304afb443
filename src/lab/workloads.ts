// The controllers' steps walked in-process: what the daemon will do over time, done synchronously by `up` and
// `apply` when no daemon runs. After a reconcile, if a rollout or an ordered StatefulSet has steps left
// (model/workloads nextSizes), wait until the lifecycle reports the pods the step depends on as Ready, take the step
// (new ReplicaSet sizes, the next ordinal), and reconcile again — a partial sync each time — until every controller
// is settled. A step that waits longer than the timeout stops the walk with a problem (the lab stays as it is).
import type { LabSpec } from '../input/types.js';
import { nextSizes, type WorkloadT } from '../model/workloads/index.js';
import { sleep } from '../kernel/exec.js';
import type { LabContext } from './context.js';
import { desire, reconcile, type Provenance, type UpResult } from './reconcile.js';
import { podReady, status } from './status.js';
import { readinessFor } from './lifecycle.js';

export interface WalkOptions {
  /** Longest wait for pods to become ready before a step (default $PODLAB_STEP_TIMEOUT seconds, else 120). */
  readonly stepTimeoutMs?: number;
  /** Poll period of the runtime's status. */
  readonly pollMs?: number;
}

/** Human words for a step: "Deployment default/web: web-6b7f 1→2, web-5d9c 3→2". */
export function describeStep(before: readonly WorkloadT[], after: readonly WorkloadT[]): string[] {
  const out: string[] = [];
  after.forEach((w, i) => {
    const b = before[i];
    if (!b || b === w) return;
    if (w.replicaSets && b.replicaSets) {
      const moves = w.replicaSets.map((r, j) => (r.replicas !== b.replicaSets![j]?.replicas ? `${r.name} ${b.replicaSets![j]?.replicas ?? 0}→${r.replicas}` : '')).filter(Boolean);
      if (moves.length) out.push(`${w.key}: ${moves.join(', ')}`);
    } else if (w.current !== b.current) out.push(`${w.key}: ${b.current ?? 0}→${w.current} pod(s)`);
  });
  return out;
}

/** Walk every controller's remaining steps after `first` (the reconcile that just ran). */
export async function walkWorkloads(ctx: LabContext, lab: LabSpec, first: UpResult, from: Provenance, o: WalkOptions = {}): Promise<UpResult> {
  const timeout = o.stepTimeoutMs ?? Number(process.env.PODLAB_STEP_TIMEOUT ?? 120) * 1000;
  const poll = o.pollMs ?? 200;
  const say = ctx.progress ?? (() => undefined);
  let r = first;
  const steps: string[] = [...(first.steps ?? [])];
  const problems: string[] = [...first.problems];
  for (;;) {
    const st = await ctx.store.read(lab.cluster.name);
    const ws = st?.topology.workloads ?? [];
    if (!st || ws.every((w) => w.settled)) break;
    const t0 = Date.now();
    let next: WorkloadT[] | undefined;
    for (;;) {
      const s = await status(lab.cluster.name, ctx);
      // Ready as Kubernetes counts it: the pod's Ready condition (its readiness probes, under a supervisor).
      const ready = new Set(s.pods.filter(podReady).map((p) => `${p.namespace}/${p.name}`));
      next = nextSizes(lab, ws, (k) => ready.has(k));
      if (next || Date.now() - t0 > timeout) break;
      if (ctx.aborted?.()) return { ...r, steps, problems };
      await sleep(poll);
    }
    if (!next) {
      const waiting = ws.filter((w) => !w.settled).map((w) => w.key).join(', ');
      problems.push(`${waiting}: waited ${Math.round(timeout / 1000)}s for pods to become ready; the rollout stops here (podlab status shows which pods are not ready)`);
      break;
    }
    const words = describeStep(ws, next);
    steps.push(...words);
    for (const w of words) say(w);
    const readiness = await readinessFor(ctx, lab.cluster.name, st.notReady, st.topology.pods);
    const d = desire(lab, st, readiness, next);
    const rr = await reconcile(ctx, d, st, from, { incremental: true, readiness });
    r = { ...rr, changes: r.changes + rr.changes, created: [...r.created, ...rr.created], deleted: [...r.deleted, ...rr.deleted], problems: [...problems, ...rr.problems] };
  }
  return { ...r, steps, problems: [...new Set([...problems, ...r.problems])] };
}
