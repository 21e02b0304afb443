// CronJob (pure): what is due when. The schedule is read by croner (standard 5-field cron and @hourly-style macros;
// day-of-month and day-of-week OR-ed when both are restricted, as Vixie cron and robfig/cron do), in spec.timeZone or
// UTC. dueTimes() lists the schedule times in a window, nextRun() the next one, jobFor() the Job the controller would
// make for a time (named <cronjob>-<minutes since the epoch>, as the CronJob controller names them). Running them on
// time is the daemon's; `podlab create job --from cronjob/NAME` makes one now.
import { Cron } from 'croner';
import type { CronJobSpec, JobSpec } from '../../input/types.js';
import type { WorkloadT } from './types.js';

function cron(cj: Pick<CronJobSpec, 'schedule' | 'timeZone'>): Cron {
  return new Cron(cj.schedule.trim().replace(/\?/g, '*'), { paused: true, timezone: cj.timeZone ?? 'UTC', domAndDow: false });
}

/** Schedule times t with from < t ≤ to, at most `max` (a daemon that was away catches up on at most 100, as Kubernetes). */
export function dueTimes(cj: Pick<CronJobSpec, 'schedule' | 'timeZone'>, from: Date, to: Date, max = 100): Date[] {
  const c = cron(cj);
  const out: Date[] = [];
  let t: Date | null = from;
  while (out.length < max && (t = c.nextRun(t)) && t.getTime() <= to.getTime()) out.push(t);
  return out;
}

export function nextRun(cj: Pick<CronJobSpec, 'schedule' | 'timeZone'>, after: Date): Date | undefined {
  return cron(cj).nextRun(after) ?? undefined;
}

/** The name the CronJob controller gives the Job of a scheduled time. */
export function jobNameFor(cj: Pick<CronJobSpec, 'name'>, at: Date): string {
  return `${cj.name}-${Math.floor(at.getTime() / 60000)}`;
}

/** The Job a CronJob makes (scheduled or by `create job --from`), as a parsed JobSpec. */
export function jobFor(cj: CronJobSpec, name: string): JobSpec {
  return {
    kind: 'Job', namespace: cj.namespace, name, key: `Job ${cj.namespace}/${name}`, labels: cj.jobLabels,
    annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' }, selector: { matchLabels: { 'batch.kubernetes.io/job-name': name } },
    template: cj.template, origin: cj.origin, ...cj.job,
  };
}

export function expandCronJob(cj: CronJobSpec): WorkloadT {
  return {
    kind: 'CronJob', namespace: cj.namespace, name: cj.name, key: cj.key, desired: 0, pods: [],
    schedule: { schedule: cj.schedule, ...(cj.timeZone ? { timeZone: cj.timeZone } : {}), suspend: cj.suspend }, settled: true,
  };
}
