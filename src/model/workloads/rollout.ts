// A Deployment's rollout as a pure step function: one sync of kube-controller-manager's deployment controller
// (pkg/controller/deployment: rolling.go, recreate.go) from the ReplicaSets' sizes and how many of their pods are
// available, to the next sizes. Executing it — waiting for readiness between steps — is the daemon's; lab/workloads.ts
// walks it in-process with the readiness the runtime reports. rolloutSequence() walks it assuming every pod becomes
// available at once (what a rollout of instantly-ready pods looks like, for docs and tests).
import type { DeploymentSpec, IntOrPercent } from '../../input/types.js';

export interface RsState {
  readonly name: string;
  readonly replicas: number;
  /** Pods of this ReplicaSet that are ready (available: minReadySeconds is not modelled). */
  readonly available: number;
}

/** An IntOrPercent of `total`: percentages round up for maxSurge, down for maxUnavailable (intstr.GetScaledValueFromIntOrPercent). */
export function scaled(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const p = Number(v.slice(0, -1));
  return roundUp ? Math.ceil((p * total) / 100) : Math.floor((p * total) / 100);
}

/** ResolveFenceposts: maxSurge and maxUnavailable as counts; both 0 would deadlock, so maxUnavailable becomes 1. */
export function fenceposts(s: Extract<DeploymentSpec['strategy'], { type: 'RollingUpdate' }>, desired: number): { surge: number; unavailable: number } {
  const surge = scaled(s.maxSurge, desired, true);
  let unavailable = scaled(s.maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/**
 * The next sizes of every ReplicaSet (same order), or undefined when this sync changes nothing (the rollout is done,
 * or waits for pods to become available). `current` names the ReplicaSet of the Deployment's current template; the
 * others are old, oldest first.
 */
export function rolloutStep(strategy: DeploymentSpec['strategy'], desired: number, rss: readonly RsState[], current: string): number[] | undefined {
  const sizes = rss.map((r) => r.replicas);
  const ni = rss.findIndex((r) => r.name === current);
  if (ni < 0) throw new Error(`rolloutStep: no ReplicaSet ${current}`);
  const nw = rss[ni]!;
  const olds = rss.map((r, i) => ({ r, i })).filter((x) => x.i !== ni);
  const oldPods = olds.reduce((s, x) => s + x.r.replicas, 0);
  if (strategy.type === 'Recreate') {
    if (oldPods > 0) {
      for (const o of olds) sizes[o.i] = 0;
      return sizes;
    }
    if (olds.some((o) => o.r.available > 0)) return undefined; // old pods still running: wait
    if (nw.replicas !== desired) {
      sizes[ni] = desired;
      return sizes;
    }
    return undefined;
  }
  const { surge, unavailable } = fenceposts(strategy, desired);
  // reconcileNewReplicaSet
  if (nw.replicas > desired) {
    sizes[ni] = desired;
    return sizes;
  }
  if (nw.replicas < desired) {
    const total = rss.reduce((s, r) => s + r.replicas, 0);
    const maxTotal = desired + surge;
    if (total < maxTotal) {
      sizes[ni] = nw.replicas + Math.min(maxTotal - total, desired - nw.replicas);
      return sizes;
    }
  }
  // reconcileOldReplicaSets
  if (oldPods === 0) return undefined;
  const all = rss.reduce((s, r) => s + r.replicas, 0);
  const minAvailable = desired - unavailable;
  const newUnavailable = nw.replicas - nw.available;
  const maxScaledDown = all - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return undefined;
  // Clean up unhealthy (not available) old replicas first, oldest first.
  let budget = maxScaledDown;
  let changed = false;
  for (const o of olds) {
    if (budget <= 0) break;
    const unhealthy = Math.min(o.r.replicas - o.r.available, budget);
    if (unhealthy > 0) {
      sizes[o.i] = sizes[o.i]! - unhealthy;
      budget -= unhealthy;
      changed = true;
    }
  }
  // Then scale down available old replicas while at least minAvailable stay available.
  const availableNow = rss.reduce((s, r, i) => s + Math.min(r.available, sizes[i]!), 0);
  let down = availableNow - minAvailable;
  for (const o of olds) {
    if (down <= 0) break;
    const n = Math.min(sizes[o.i]!, down);
    if (n > 0) {
      sizes[o.i] = sizes[o.i]! - n;
      down -= n;
      changed = true;
    }
  }
  return changed ? sizes : undefined;
}

/** Whether a rollout is complete: the current ReplicaSet has every replica available and the old ones none. */
export function rolloutComplete(desired: number, rss: readonly RsState[], current: string): boolean {
  return rss.every((r) => (r.name === current ? r.replicas === desired && r.available >= desired : r.replicas === 0));
}

/** The sizes a rollout goes through when every pod is available as soon as it exists (and gone as soon as removed). */
export function rolloutSequence(strategy: DeploymentSpec['strategy'], desired: number, start: readonly { name: string; replicas: number }[], current: string, maxSteps = 1000): number[][] {
  let rss: RsState[] = start.map((r) => ({ ...r, available: r.replicas }));
  const out: number[][] = [rss.map((r) => r.replicas)];
  for (let i = 0; i < maxSteps; i++) {
    const next = rolloutStep(strategy, desired, rss, current);
    if (!next) break;
    rss = rss.map((r, j) => ({ name: r.name, replicas: next[j]!, available: next[j]! }));
    out.push(next);
  }
  return out;
}
