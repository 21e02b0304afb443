// Job (pure): pods <job>-<5 chars> (<job>-<index>-<5 chars> when Indexed), at most `parallelism` at a time, until
// `completions` succeed; `backoffLimit` failures, or `activeDeadlineSeconds` of running, fail it; it is deleted
// `ttlSecondsAfterFinished` after it finished. Which pods succeed or fail is known only as they exit, so the controller
// is a state machine the daemon drives: expandJob() makes the pods of a state, jobStep() moves the state when pods
// finish or time passes, jobExpired() says when the TTL is up. Without the daemon a Job's first pods are made and
// nothing counts their exits.
import type { JobBody, JobSpec, PodSpec, PodTemplate, WorkloadSpec } from '../../input/types.js';
import { suffix, uidFor } from './names.js';
import { podFromTemplate } from './pods.js';
import type { JobStateT, WorkloadT } from './types.js';

export const JOB_NAME = 'batch.kubernetes.io/job-name';

/** How a pod of the Job ended, as the runtime reports it. */
export type PodOutcome = 'Running' | 'Succeeded' | 'Failed';

/** The first state of a Job (or its state when the controller starts it: `now` is its startTime). */
export function initialJobState(j: JobBody, now?: string): JobStateT {
  if (j.suspend) return { active: 0, succeeded: 0, failed: 0, created: 0, condition: { type: 'Suspended' } };
  const want = j.completions === undefined ? j.parallelism : Math.min(j.parallelism, j.completions);
  return { active: want, succeeded: 0, failed: 0, created: want, ...(now ? { startTime: now } : {}) };
}

/** The pods of a Job in a given state: the `active` most recent attempts. */
export function jobPods(cluster: string, w: WorkloadSpec, j: JobBody, t: PodTemplate, name: string, st: JobStateT): PodSpec[] {
  const uid = uidFor(`${cluster}/${w.namespace}/${name}`);
  const out: PodSpec[] = [];
  const done = new Set(st.completedIndexes ?? []);
  let index = 0;
  for (let attempt = st.created - st.active; attempt < st.created; attempt++) {
    const labels: Record<string, string> = { [JOB_NAME]: name, 'job-name': name, 'batch.kubernetes.io/controller-uid': uid, 'controller-uid': uid };
    let pname = `${name}-${suffix(cluster, `${w.namespace}/${name}`, attempt)}`;
    if (j.completionMode === 'Indexed') {
      while (done.has(index)) index++;
      labels['batch.kubernetes.io/job-completion-index'] = String(index);
      pname = `${name}-${index}-${suffix(cluster, `${w.namespace}/${name}`, attempt)}`;
      index++;
    }
    out.push(podFromTemplate(w, t, pname, labels, { kind: 'Job', name }, { ...(j.completionMode === 'Indexed' ? { hostname: `${name}-${index - 1}` } : {}) }));
  }
  return out;
}

export function expandJob(cluster: string, j: JobSpec, prev: WorkloadT | undefined, now?: string): { pods: PodSpec[]; workload: WorkloadT } {
  const st = prev?.job ?? initialJobState(j, now);
  const pods = jobPods(cluster, j, j, j.template, j.name, st);
  return {
    pods,
    workload: {
      kind: 'Job', namespace: j.namespace, name: j.name, key: j.key, desired: j.completions ?? 1, job: st,
      pods: pods.map((p) => `${p.namespace}/${p.name}`), settled: true,
    },
  };
}

/**
 * One sync of the job controller: count the pods that finished, decide Complete or Failed, and start replacements up
 * to `parallelism`. `outcomes` has the active pods' outcomes (pod key → outcome); `pods` are the Job's active pods in
 * creation order; `now` an ISO time.
 */
export function jobStep(j: JobBody, st: JobStateT, pods: readonly string[], outcomes: ReadonlyMap<string, PodOutcome>, now: string, indexOf?: (pod: string) => number): JobStateT {
  if (st.condition && st.condition.type !== 'Suspended') return st;
  if (j.suspend) return { ...st, active: 0, condition: { type: 'Suspended', at: now } };
  let { succeeded, failed } = st;
  const completed = new Set(st.completedIndexes ?? []);
  let running = 0;
  for (const p of pods) {
    const o = outcomes.get(p) ?? 'Running';
    if (o === 'Succeeded') {
      succeeded++;
      if (indexOf) completed.add(indexOf(p));
    } else if (o === 'Failed') failed++;
    else running++;
  }
  const startTime = st.startTime ?? now;
  const base = { ...st, succeeded, failed, startTime, ...(indexOf ? { completedIndexes: [...completed].sort((a, b) => a - b) } : {}) };
  if (failed > j.backoffLimit) return { ...base, active: 0, condition: { type: 'Failed', reason: 'BackoffLimitExceeded', at: now } };
  if (j.activeDeadlineSeconds !== undefined && Date.parse(now) - Date.parse(startTime) > j.activeDeadlineSeconds * 1000) {
    return { ...base, active: 0, condition: { type: 'Failed', reason: 'DeadlineExceeded', at: now } };
  }
  const need = j.completions === undefined ? (succeeded > 0 ? 0 : j.parallelism) : j.completions - succeeded;
  if (need <= 0 || (j.completions === undefined && succeeded > 0 && running === 0)) return { ...base, active: 0, condition: { type: 'Complete', at: now } };
  const active = Math.min(j.parallelism, need);
  const start = Math.max(0, active - running);
  return { ...base, active: running + start, created: st.created + start };
}

/** Whether a finished Job's ttlSecondsAfterFinished is up (the TTL controller then deletes it and its pods). */
export function jobExpired(j: JobBody, st: JobStateT, now: string): boolean {
  if (j.ttlSecondsAfterFinished === undefined || !st.condition?.at || st.condition.type === 'Suspended') return false;
  return Date.parse(now) - Date.parse(st.condition.at) >= j.ttlSecondsAfterFinished * 1000;
}
