// The controllers that act over time, run by whoever hosts the lab's lifecycle (the daemon, `podlab supervise`): the
// job controller counts the exits of a Job's pods as the lifecycle reports them (pod phase Succeeded / Failed; an
// OnFailure pod's container restarts count as failures, as Kubernetes counts them against backoffLimit), moves the
// Job's state (model/workloads/job.ts jobStep: replacements up to `parallelism`, Complete once `completions`
// succeeded, Failed after `backoffLimit` or `activeDeadlineSeconds`), and reconciles the lab to the Job's new pods;
// the TTL controller deletes a finished Job `ttlSecondsAfterFinished` later; the CronJob controller creates a Job at
// each schedule time (concurrencyPolicy, suspend, startingDeadlineSeconds, history limits).
import { statSync } from 'node:fs';
import type { CronJobSpec, JobSpec, LabSpec } from '../input/types.js';
import { jobExpired, jobStep, type PodOutcome } from '../model/workloads/job.js';
import { dueTimes } from '../model/workloads/cronjob.js';
import type { WorkloadT } from '../model/workloads/index.js';
import type { PodReport } from '../workload/lifecycle/supervisor.js';
import type { LabState } from '../store/types.js';
import { withLock, type LabContext } from './context.js';
import { loadLab } from './load.js';
import { readinessFor } from './lifecycle.js';
import { desire, provenanceOf, reconcile } from './reconcile.js';
import { createJobFrom } from './controls.js';
import { deleteObjects } from './live.js';

export interface JobMove {
  /** "Job ns/name" */
  readonly job: string;
  /** What changed, in kubectl's event words ("Completed", "BackoffLimitExceeded", "SuccessfulCreate"). */
  readonly reason: string;
  readonly message: string;
}

/** How a Job's pod ended, from its lifecycle report (no report: not started yet, so still running). */
export function outcomeOf(r: PodReport | undefined): PodOutcome {
  if (!r) return 'Running';
  return r.phase === 'Succeeded' ? 'Succeeded' : r.phase === 'Failed' ? 'Failed' : 'Running';
}

/** The restarts of a pod's containers (an OnFailure Job counts them as failures). */
const restartsOf = (r: PodReport | undefined): number => (r ? [...r.containerStatuses, ...r.initContainerStatuses].reduce((s, c) => s + c.restartCount, 0) : 0);

let cached: { key: string; lab: LabSpec } | undefined;

/** The lab's files as its state names them, parsed (again only when a file or the list changed: the timers ask often). */
export function labSpecOf(st: LabState): LabSpec {
  const mtime = (f: string) => {
    try {
      return statSync(f).mtimeMs;
    } catch {
      return 0;
    }
  };
  const key = JSON.stringify([st.cluster, st.files, st.applied, st.deleted, st.mode, st.proxyMode, [...st.files, ...(st.applied ?? [])].map(mtime)]);
  if (cached?.key !== key) cached = { key, lab: loadLab(st.files, { mode: st.mode, proxyMode: st.proxyMode, applied: st.applied, deleted: st.deleted }) };
  return cached.lab;
}

/** Whether the lab has a Job that is not finished (the controller has something to watch). */
export const activeJobs = (st: LabState | undefined): boolean =>
  (st?.topology.workloads ?? []).some((w) => w.kind === 'Job' && w.job && (!w.job.condition || w.job.condition.type === 'Suspended'));

/** One step of every Job of the lab (pure): the workloads with their Jobs' new states, and what moved. */
export function stepJobs(lab: LabSpec, ws: readonly WorkloadT[], report: (pod: string) => PodReport | undefined, now: string): { workloads: WorkloadT[]; moves: JobMove[] } {
  const moves: JobMove[] = [];
  const workloads = ws.map((w) => {
    if (w.kind !== 'Job' || !w.job) return w;
    const spec = lab.workloads.find((x): x is JobSpec => x.kind === 'Job' && x.key === w.key);
    if (!spec) return w;
    const outcomes = new Map(w.pods.map((p) => [p, outcomeOf(report(p))]));
    const onFailure = spec.template.restartPolicy === 'OnFailure';
    const restarts = onFailure ? w.pods.reduce((s, p) => s + (outcomes.get(p) === 'Running' ? restartsOf(report(p)) : 0), 0) : 0;
    const indexOf = spec.completionMode === 'Indexed' ? (p: string) => Number(/-(\d+)-[a-z0-9]{5}$/.exec(p)?.[1] ?? -1) : undefined;
    let next = jobStep(spec, w.job, w.pods, outcomes, now, indexOf);
    // kubelet restarts an OnFailure pod's container in place; Kubernetes counts those restarts against backoffLimit.
    if (!next.condition && next.failed + restarts > spec.backoffLimit) next = { ...next, active: 0, condition: { type: 'Failed', reason: 'BackoffLimitExceeded', at: now } };
    // A state made without a time (tests' expansion) gets its startTime now; that alone is no move.
    if (JSON.stringify(next) === JSON.stringify({ ...w.job, startTime: w.job.startTime ?? next.startTime })) return w;
    const c = next.condition;
    if (c?.type === 'Complete') moves.push({ job: w.key, reason: 'Completed', message: `Job completed (${next.succeeded} succeeded)` });
    else if (c?.type === 'Failed') moves.push({ job: w.key, reason: c.reason ?? 'Failed', message: c.reason === 'DeadlineExceeded' ? 'Job was active longer than specified deadline' : 'Job has reached the specified backoff limit' });
    else if (next.created > w.job.created) moves.push({ job: w.key, reason: 'SuccessfulCreate', message: `Created ${next.created - w.job.created} pod(s) (${next.succeeded} succeeded, ${next.failed} failed so far)` });
    else moves.push({ job: w.key, reason: 'Progress', message: `${next.succeeded} succeeded, ${next.failed} failed, ${next.active} active` });
    return { ...w, job: next };
  });
  return { workloads, moves };
}

/** Finished Jobs whose ttlSecondsAfterFinished is up (the TTL controller deletes them with their pods). */
export function expiredJobs(lab: LabSpec, ws: readonly WorkloadT[], now: string): string[] {
  return ws.filter((w) => {
    const spec = lab.workloads.find((x): x is JobSpec => x.kind === 'Job' && x.key === w.key);
    return spec && w.job && jobExpired(spec, w.job, now);
  }).map((w) => w.key);
}

/**
 * One sync of the job controller over a lab, holding its lock: each Job's state from its pods' reports, and a
 * reconcile to the Jobs' new pods when any moved. `report`: the lifecycle's view of a pod.
 */
export async function syncJobs(cluster: string, report: (pod: string) => PodReport | undefined, ctx: LabContext): Promise<JobMove[]> {
  return withLock(ctx, cluster, async () => {
    const st = await ctx.store.read(cluster);
    if (!st || !activeJobs(st)) return [];
    const lab = labSpecOf(st);
    const { workloads, moves } = stepJobs(lab, st.topology.workloads ?? [], report, new Date().toISOString());
    if (!moves.length) return [];
    const readiness = await readinessFor(ctx, cluster, st.notReady, st.topology.pods);
    const d = desire(lab, st, readiness, workloads);
    const r = await reconcile(ctx, d, st, provenanceOf(st), { incremental: true, readiness });
    return [...moves, ...r.problems.map((p) => ({ job: '', reason: 'Failed', message: p }))];
  });
}

/** A CronJob's Jobs: those named <cronjob>-<minutes since the epoch> in its namespace, with their schedule time. */
function jobsOf(cj: CronJobSpec, ws: readonly WorkloadT[]): { w: WorkloadT; at: number }[] {
  const re = new RegExp(`^${cj.name.replace(/[.]/g, '\\.')}-(\\d+)$`);
  return ws.filter((w) => w.kind === 'Job' && w.namespace === cj.namespace && re.test(w.name))
    .map((w) => ({ w, at: Number(re.exec(w.name)![1]) * 60_000 })).sort((a, b) => a.at - b.at);
}

const finished = (w: WorkloadT) => w.job?.condition?.type === 'Complete' || w.job?.condition?.type === 'Failed';

/** What the CronJob controller does now (pure): Jobs to create (one per CronJob: its latest missed time) and to delete. */
export interface CronPlan {
  readonly create: { readonly cronJob: CronJobSpec; readonly at: Date }[];
  /** "Job ns/name": replaced (concurrencyPolicy Replace) or beyond the history limits. */
  readonly remove: string[];
  readonly moves: JobMove[];
}

/**
 * The CronJob controller's decisions between `since` (when it started watching, or the last sync) and `now`: the
 * latest schedule time due per CronJob (Kubernetes starts only the most recent missed one), unless suspended, past
 * startingDeadlineSeconds, or forbidden by a Job still active (Forbid); Replace deletes the active ones; finished Jobs
 * beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted, oldest first.
 */
export function planCronJobs(lab: LabSpec, ws: readonly WorkloadT[], since: Date, now: Date): CronPlan {
  const create: CronPlan['create'] = [];
  const remove: string[] = [];
  const moves: JobMove[] = [];
  for (const cj of lab.workloads.filter((x): x is CronJobSpec => x.kind === 'CronJob')) {
    const mine = jobsOf(cj, ws);
    const last = mine.length ? Math.max(...mine.map((j) => j.at)) : 0;
    const from = new Date(Math.max(since.getTime(), last));
    const due = cj.suspend ? [] : dueTimes(cj, from, now);
    const at = due[due.length - 1];
    const active = mine.filter((j) => !finished(j.w));
    if (at && cj.startingDeadlineSeconds !== undefined && now.getTime() - at.getTime() > cj.startingDeadlineSeconds * 1000) {
      moves.push({ job: cj.key, reason: 'MissSchedule', message: `missed the schedule time ${at.toISOString()} by more than startingDeadlineSeconds` });
    } else if (at && cj.concurrencyPolicy === 'Forbid' && active.length) {
      moves.push({ job: cj.key, reason: 'JobAlreadyActive', message: `not starting the Job of ${at.toISOString()}: ${active.map((j) => j.w.name).join(', ')} still active (concurrencyPolicy Forbid)` });
    } else if (at) {
      if (cj.concurrencyPolicy === 'Replace') for (const j of active) {
        remove.push(j.w.key);
        moves.push({ job: cj.key, reason: 'SuccessfulDelete', message: `Deleted job ${j.w.name} (concurrencyPolicy Replace)` });
      }
      create.push({ cronJob: cj, at });
      moves.push({ job: cj.key, reason: 'SuccessfulCreate', message: `Created job ${cj.name}-${Math.floor(at.getTime() / 60000)}` });
    }
    for (const [type, limit] of [['Complete', cj.successfulJobsHistoryLimit], ['Failed', cj.failedJobsHistoryLimit]] as const) {
      const done = mine.filter((j) => j.w.job?.condition?.type === type);
      for (const j of done.slice(0, Math.max(0, done.length - limit))) {
        remove.push(j.w.key);
        moves.push({ job: cj.key, reason: 'SawCompletedJob', message: `Deleted job ${j.w.name} (beyond the ${type === 'Complete' ? 'successful' : 'failed'}JobsHistoryLimit ${limit})` });
      }
    }
  }
  return { create, remove, moves };
}

/** The TTL controller: delete the finished Jobs whose ttlSecondsAfterFinished is up (their pods are gone already). */
export async function syncTtl(cluster: string, ctx: LabContext): Promise<JobMove[]> {
  const st = await ctx.store.read(cluster);
  const ws = st?.topology.workloads ?? [];
  if (!st || !ws.some((w) => w.kind === 'Job' && w.job?.condition && w.job.condition.type !== 'Suspended')) return [];
  const out: JobMove[] = [];
  for (const key of expiredJobs(labSpecOf(st), ws, new Date().toISOString())) {
    const [namespace, name] = key.split(' ')[1]!.split('/') as [string, string];
    try {
      await deleteObjects({ kind: 'job', name, namespace }, { ...ctx, cluster });
      out.push({ job: key, reason: 'Deleted', message: 'ttlSecondsAfterFinished is up: the Job is deleted (the TTL-after-finished controller)' });
    } catch (e) {
      out.push({ job: key, reason: 'FailedDelete', message: (e as Error).message });
    }
  }
  return out;
}

/**
 * One sync of the CronJob controller over a lab: create the Jobs due since `since` (createJobFrom, as `podlab create
 * job --from` does, annotated as scheduled), delete the replaced ones and those beyond the history limits.
 */
export async function syncCronJobs(cluster: string, since: Date, ctx: LabContext): Promise<JobMove[]> {
  const st = await ctx.store.read(cluster);
  if (!st || !(st.topology.workloads ?? []).some((w) => w.kind === 'CronJob')) return [];
  const lab = labSpecOf(st);
  const plan = planCronJobs(lab, st.topology.workloads ?? [], since, new Date());
  if (!plan.create.length && !plan.remove.length) return plan.moves;
  const out = [...plan.moves];
  for (const key of plan.remove) {
    const [, ref] = key.split(' ') as [string, string];
    const [namespace, name] = ref.split('/') as [string, string];
    try {
      await deleteObjects({ kind: 'job', name, namespace }, { ...ctx, cluster });
    } catch (e) {
      out.push({ job: key, reason: 'FailedDelete', message: (e as Error).message });
    }
  }
  for (const c of plan.create) {
    try {
      await createJobFrom(`cronjob/${c.cronJob.name}`, `${c.cronJob.name}-${Math.floor(c.at.getTime() / 60000)}`, { ...ctx, cluster, namespace: c.cronJob.namespace, instantiate: 'scheduled' });
    } catch (e) {
      out.push({ job: c.cronJob.key, reason: 'FailedCreate', message: (e as Error).message });
    }
  }
  return out;
}
