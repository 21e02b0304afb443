// kind: Job (batch/v1): pods run to completion — parallelism, completions, backoffLimit, deadlines
// (model/workloads/job.ts holds the controller's state machine; the daemon drives it).
import type { JobBody } from '../types.js';
import type { Path, RawDoc } from '../doc.js';
import { int, isObj } from '../fields.js';
import { parseSelector, parseTemplate, workloadHead, workloadKind, MAX_REPLICAS } from './workload.js';

/** A Job's spec at `at` (spec for a Job, spec.jobTemplate.spec for a CronJob). */
export function parseJobBody(d: RawDoc, at: Path): JobBody {
  let spec: unknown = d.obj;
  for (const k of at) spec = isObj(spec) ? spec[k as string] : undefined;
  const s = isObj(spec) ? spec : {};
  const completions = int(d.ctx, s.completions, [...at, 'completions'], 0, MAX_REPLICAS);
  const parallelism = int(d.ctx, s.parallelism, [...at, 'parallelism'], 0, MAX_REPLICAS) ?? 1;
  const completionMode = s.completionMode === 'Indexed' ? 'Indexed' : 'NonIndexed';
  if (completionMode === 'Indexed' && completions === undefined) d.ctx.err([...at, 'completions'], 'is required when completionMode is Indexed');
  if (s.selector !== undefined && s.manualSelector !== true) d.ctx.err([...at, 'selector'], '`selector` will be auto-generated: leave it out, or set manualSelector: true');
  return {
    parallelism, completions: completions ?? (s.parallelism === undefined ? 1 : undefined),
    backoffLimit: int(d.ctx, s.backoffLimit, [...at, 'backoffLimit'], 0, 1_000_000) ?? 6,
    activeDeadlineSeconds: int(d.ctx, s.activeDeadlineSeconds, [...at, 'activeDeadlineSeconds'], 1, 2 ** 31 - 1),
    ttlSecondsAfterFinished: int(d.ctx, s.ttlSecondsAfterFinished, [...at, 'ttlSecondsAfterFinished'], 0, 2 ** 31 - 1),
    completionMode, suspend: s.suspend === true,
  };
}

export const jobKind = workloadKind('Job', (d) => {
  const before = d.ctx.problems.length;
  const h = workloadHead(d, 'batch/v1');
  const template = parseTemplate(d, ['spec', 'template'], ['OnFailure', 'Never']);
  const body = parseJobBody(d, ['spec']);
  const spec = isObj(d.obj.spec) ? d.obj.spec : {};
  const manual = spec.manualSelector === true ? parseSelector(d, ['spec', 'selector'], template) : undefined;
  if (d.ctx.problems.length > before || !h.name || !template) return undefined;
  // The controller selects its pods by the labels it adds (batch.kubernetes.io/job-name).
  const selector = manual ?? { matchLabels: { 'batch.kubernetes.io/job-name': h.name } };
  return { kind: 'Job', ...h, name: h.name, selector, template, ...body };
});
