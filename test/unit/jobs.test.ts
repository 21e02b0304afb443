// The job controller over the lifecycle's reports (lab/jobs.ts stepJobs): pod exits counted, replacements made,
// Complete and Failed as kubectl shows them, an OnFailure pod's restarts counted against backoffLimit, TTLs.
import t from 'tap';
import { stepJobs, expiredJobs, outcomeOf } from '../../src/lab/jobs.js';
import type { PodReport } from '../../src/workload/lifecycle/supervisor.js';
import { cluster, job, parse, topo } from '../helpers/wl.js';

const C = cluster(['node1: {}']);
const JOB = job;

const report = (pod: string, phase: PodReport['phase'], restarts = 0): PodReport => ({
  pod, phase, conditions: [], initContainerStatuses: [], ready: false,
  containerStatuses: [{ name: 'c', state: phase === 'Running' ? { running: { startedAt: '' } } : { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error' } }, ready: false, restartCount: restarts, image: '' }],
  display: { status: phase, ready: '0/1', restarts },
} as unknown as PodReport);

t.test('pods that exited move the Job: replacements, then Complete', async (t) => {
  const text = C + JOB('  completions: 2\n  parallelism: 1\n  backoffLimit: 1\n');
  const lab = parse(text);
  const tp = topo(text);
  const w = tp.workloads![0]!;
  t.equal(w.pods.length, 1);
  t.same(outcomeOf(undefined), 'Running', 'a pod not reported yet is still running');
  const r1 = stepJobs(lab, tp.workloads!, () => undefined, '2026-01-01T00:00:01Z');
  t.same(r1.moves, [], 'nothing ended: nothing moves');
  const r2 = stepJobs(lab, tp.workloads!, (p) => report(p, 'Succeeded'), '2026-01-01T00:00:02Z');
  t.same(r2.moves.map((m) => m.reason), ['SuccessfulCreate']);
  const j2 = r2.workloads[0]!.job!;
  t.same([j2.succeeded, j2.active, j2.created], [1, 1, 2]);
  // The next expansion makes the new attempt's pod (a new name) instead of the one that ended.
  const tp2 = topo(text, { workloads: r2.workloads });
  t.equal(tp2.pods.length, 1);
  t.not(tp2.pods[0]!.name, tp.pods[0]!.name);
  const r3 = stepJobs(lab, tp2.workloads!, (p) => report(p, 'Succeeded'), '2026-01-01T00:00:03Z');
  t.same(r3.moves.map((m) => m.reason), ['Completed']);
  t.same(r3.workloads[0]!.job!.condition, { type: 'Complete', at: '2026-01-01T00:00:03Z' });
  t.same(topo(text, { workloads: r3.workloads }).pods, [], 'a finished Job has no active pods');
  t.same(stepJobs(lab, r3.workloads, (p) => report(p, 'Failed'), '2026-01-01T00:00:04Z').moves, [], 'a finished Job does not move');
  t.same(expiredJobs({ ...lab, workloads: lab.workloads.map((x) => ({ ...x, ttlSecondsAfterFinished: 10 })) }, r3.workloads, '2026-01-01T00:00:13Z'), ['Job default/pi']);
  t.same(expiredJobs(lab, r3.workloads, '2026-01-01T01:00:00Z'), [], 'no TTL: kept');
});

t.test('Never: each failure is a new pod, until backoffLimit; OnFailure: restarts count', async (t) => {
  const text = C + JOB('  backoffLimit: 1\n');
  const lab = parse(text);
  let ws = topo(text).workloads!;
  const r1 = stepJobs(lab, ws, (p) => report(p, 'Failed'), '2026-01-01T00:00:01Z');
  t.same(r1.moves.map((m) => m.reason), ['SuccessfulCreate'], 'first failure: a new pod');
  ws = topo(text, { workloads: r1.workloads }).workloads!;
  const r2 = stepJobs(lab, ws, (p) => report(p, 'Failed'), '2026-01-01T00:00:02Z');
  t.same(r2.moves.map((m) => m.reason), ['BackoffLimitExceeded']);
  t.same(r2.workloads[0]!.job!.failed, 2);
  const of = C + JOB('  backoffLimit: 2\n', 'OnFailure');
  const ol = parse(of);
  const ow = topo(of).workloads!;
  t.same(stepJobs(ol, ow, (p) => report(p, 'Running', 2), '2026-01-01T00:00:01Z').moves, [], '2 restarts: not above backoffLimit 2');
  const r3 = stepJobs(ol, ow, (p) => report(p, 'Running', 3), '2026-01-01T00:00:02Z');
  t.same(r3.workloads[0]!.job!.condition?.reason, 'BackoffLimitExceeded', '3 restarts > backoffLimit 2');
});
