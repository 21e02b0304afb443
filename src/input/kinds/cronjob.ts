// kind: CronJob (batch/v1): Jobs on a schedule. The schedule is parsed with croner (standard 5-field cron and the
// @hourly-style macros, as Kubernetes' robfig/cron parser takes them); model/workloads/cronjob.ts says what is due when.
import { Cron } from 'croner';
import { int, isObj, str } from '../fields.js';
import { podMeta } from '../podspec.js';
import { parseTemplate, workloadHead, workloadKind } from './workload.js';
import { parseJobBody } from './job.js';

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** The problem with a schedule, or undefined when Kubernetes would take it. */
export function scheduleProblem(s: string, timeZone?: string): string | undefined {
  const t = s.trim();
  if (/^(CRON_)?TZ=/.test(t)) return 'a time zone in the schedule is not allowed: use spec.timeZone';
  if (t.startsWith('@')) {
    if (t.startsWith('@every')) return '"@every" is not supported by podlab: write a 5-field cron schedule';
    if (!MACROS.includes(t)) return `"${t}" is not a schedule macro (${MACROS.join(', ')})`;
  } else if (t.split(/\s+/).length !== 5) return `"${t}" must have 5 fields (minute hour day-of-month month day-of-week)`;
  try {
    new Cron(t.replace(/\?/g, '*'), { paused: true, timezone: timeZone });
  } catch (e) {
    return `"${t}": ${(e as Error).message.replace(/^CronPattern: /, '')}`;
  }
  return undefined;
}

export const cronJobKind = workloadKind('CronJob', (d) => {
  const before = d.ctx.problems.length;
  const h = workloadHead(d, 'batch/v1');
  // Jobs are named <name>-<minutes since the epoch> (8+ digits): the name must leave room (the API server's 52).
  if (h.name && h.name.length > 52) d.ctx.err(['metadata', 'name'], `"${h.name}" is longer than 52 characters: its Jobs are named ${h.name}-<time>`);
  const spec = isObj(d.obj.spec) ? d.obj.spec : {};
  const schedule = str(d.ctx, spec.schedule, ['spec', 'schedule'], { required: true }) ?? '';
  const timeZone = str(d.ctx, spec.timeZone, ['spec', 'timeZone']);
  if (timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      d.ctx.err(['spec', 'timeZone'], `"${timeZone}" is not a time zone of the tz database (like Europe/Berlin or UTC)`);
    }
  }
  const sp = schedule ? scheduleProblem(schedule, timeZone) : undefined;
  if (sp) d.ctx.err(['spec', 'schedule'], sp);
  const jt = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
  const jobLabels = podMeta(d.ctx, isObj(jt.metadata) ? jt.metadata : {}, ['spec', 'jobTemplate', 'metadata']).labels;
  const template = parseTemplate(d, ['spec', 'jobTemplate', 'spec', 'template'], ['OnFailure', 'Never']);
  const job = parseJobBody(d, ['spec', 'jobTemplate', 'spec']);
  const cp = spec.concurrencyPolicy ?? 'Allow';
  const concurrencyPolicy = cp === 'Forbid' || cp === 'Replace' ? cp : 'Allow';
  if (d.ctx.problems.length > before || !h.name || !template) return undefined;
  return {
    kind: 'CronJob', ...h, name: h.name, selector: {}, template, schedule, ...(timeZone ? { timeZone } : {}),
    suspend: spec.suspend === true, concurrencyPolicy,
    successfulJobsHistoryLimit: int(d.ctx, spec.successfulJobsHistoryLimit, ['spec', 'successfulJobsHistoryLimit'], 0, 1000) ?? 3,
    failedJobsHistoryLimit: int(d.ctx, spec.failedJobsHistoryLimit, ['spec', 'failedJobsHistoryLimit'], 0, 1000) ?? 1,
    startingDeadlineSeconds: int(d.ctx, spec.startingDeadlineSeconds, ['spec', 'startingDeadlineSeconds'], 0, 2 ** 31 - 1),
    job, jobLabels,
  };
});
