// The controllers as a pure expansion, before scheduling: every workload of the lab into its pods, from what the
// previous run left (the Topology's `workloads`). `progressive`: keep the steps of a rollout or of an ordered
// StatefulSet for a walker (lab/workloads.ts in-process, the daemon later) — nextSizes() is one step of every
// controller; otherwise each controller's end state at once (plan, tests).
import type { LabSpec, NodeSpec } from '../../input/types.js';
import { expandDeployment } from './deployment.js';
import { expandReplicaSet } from './replicaset.js';
import { expandStatefulSet, statefulSetStep } from './statefulset.js';
import { expandDaemonSet } from './daemonset.js';
import { expandJob } from './job.js';
import { expandCronJob } from './cronjob.js';
import { rolloutStep, type RsState } from './rollout.js';
import type { Expansion, WorkloadT } from './types.js';

export type { Expansion, WorkloadT, ReplicaSetT, JobStateT } from './types.js';

export interface ExpandOptions {
  readonly progressive?: boolean;
  /** An ISO time: a new Job's startTime. */
  readonly now?: string;
}

export function expandWorkloads(lab: LabSpec, nodes: readonly NodeSpec[], prev: readonly WorkloadT[] = [], o: ExpandOptions = {}): Expansion {
  const c = lab.cluster.name;
  const prevOf = new Map(prev.map((w) => [w.key, w]));
  const pods: Expansion['pods'] = [];
  const workloads: WorkloadT[] = [];
  const deleted = new Set(lab.deletedPods ?? []);
  for (const w of lab.workloads ?? []) {
    const p = prevOf.get(w.key);
    const r = w.kind === 'Deployment' ? expandDeployment(c, w, p, o.progressive === true, deleted)
      : w.kind === 'ReplicaSet' ? expandReplicaSet(c, w, w.replicas, deleted)
      : w.kind === 'StatefulSet' ? expandStatefulSet(w, p, o.progressive === true)
      : w.kind === 'DaemonSet' ? expandDaemonSet(c, w, nodes)
      : w.kind === 'Job' ? expandJob(c, w, p, o.now)
      : { pods: [], workload: expandCronJob(w) };
    pods.push(...r.pods);
    workloads.push(r.workload);
  }
  return { pods, workloads };
}

/**
 * One step of every unsettled controller, given which pods are ready: the workloads with their next sizes, or
 * undefined when no controller can move (everything settled, or waiting for pods to become ready).
 */
export function nextSizes(lab: LabSpec, workloads: readonly WorkloadT[], ready: (podKey: string) => boolean): WorkloadT[] | undefined {
  let moved = false;
  const out = workloads.map((w) => {
    if (w.settled) return w;
    const spec = lab.workloads.find((x) => x.key === w.key);
    if (w.kind === 'Deployment' && spec?.kind === 'Deployment' && w.replicaSets && w.hash) {
      const current = w.replicaSets.find((r) => r.hash === w.hash)!.name;
      const rss: RsState[] = w.replicaSets.map((r) => ({ name: r.name, replicas: r.replicas, available: w.pods.filter((p) => p.split('/')[1]!.startsWith(`${r.name}-`) && ready(p)).length }));
      const next = rolloutStep(spec.strategy, spec.replicas, rss, current);
      if (!next) return w;
      moved = true;
      return { ...w, replicaSets: w.replicaSets.map((r, i) => ({ ...r, replicas: next[i]! })) };
    }
    if (w.kind === 'StatefulSet') {
      const n = statefulSetStep(w, ready);
      if (n === undefined) return w;
      moved = true;
      return { ...w, current: n };
    }
    return w;
  });
  return moved ? out : undefined;
}
