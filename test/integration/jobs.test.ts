// Jobs on a real lab, with `podlab supervise` hosting the lifecycle and the job controller: a Job whose pods exit 0
// runs until its completions succeeded and shows Complete (2/2), one whose pods exit 1 makes a new pod per failure and
// shows Failed after its backoffLimit, a CronJob makes a Job at its next schedule time (every minute) which completes;
// without a supervisor, `up` makes the first pods and nothing counts their exits. Nothing of the lab is left afterwards.
import t from 'tap';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { clusterName, writeLab, podlab, netnsOf, isRoot, CLI, STATE_DIR, until as untilHelper, statusJson } from '../helpers/lab.js';

// One lab per test on a loaded 2-core box (3 test files at once): more than tap's default 300 s per file.
t.setTimeout(900_000);

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const name = clusterName('jobs');
const job = (n: string, spec: string, cmd: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: ${n}, namespace: default}
spec:
${spec}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox, command: [sh, -c, "${cmd}"]}]
---
`;
const file = writeLab({
  name, nodes: 2,
  extra: job('ok', '  completions: 2\n  parallelism: 1\n  backoffLimit: 2', 'echo working; sleep 0.5; exit 0')
    + job('bad', '  backoffLimit: 1', 'echo failing; exit 1')
    + `apiVersion: batch/v1
kind: CronJob
metadata: {name: tick, namespace: default}
spec:
  schedule: "* * * * *"
  successfulJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: tick, image: busybox, command: [sh, -c, "date"]}]
`,
});

interface StatusJ {
  pods: { name: string; phase: string; owner?: { kind: string; name: string } }[];
  workloads: { kind: string; name: string; jobStatus?: string; completions?: string; current: number }[];
}
const status = () => statusJson<StatusJ>(name);
const until = <T>(what: string, f: () => Promise<T | undefined | false>, ms = 90_000) => untilHelper(what, f, ms, 500);
const jobOf = (s: StatusJ, n: string) => s.workloads.find((w) => w.kind === 'Job' && w.name === n)!;


let sup: ReturnType<typeof execa> | undefined;
t.teardown(async () => {
  if (sup && sup.exitCode === null) sup.kill('SIGKILL');
  await podlab(['down', '-c', name]);
});

t.test('without a supervisor, up makes the first pods and nothing counts their exits', async (t) => {
  const up = await podlab(['up', '-f', file]);
  t.equal(up.exitCode, 0, String(up.stderr));
  const s = await status();
  t.equal(jobOf(s, 'ok').jobStatus, 'Running');
  t.equal(jobOf(s, 'ok').completions, '0/2');
  t.equal(s.pods.filter((p) => p.owner?.kind === 'Job' && p.owner.name === 'ok').length, 1, 'parallelism 1: one pod');
  await sleep(2000);
  t.equal(jobOf(await status(), 'ok').jobStatus, 'Running', 'still Running: no controller counted the exit');
});

t.test('supervised: a Job reaches Complete, another Failed after its backoffLimit', async (t) => {
  sup = execa('node', [CLI, 'supervise', '-c', name], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR } });
  const ok = await until('Job ok Complete', async () => {
    const j = jobOf(await status(), 'ok');
    return j.jobStatus === 'Complete' ? j : undefined;
  });
  t.equal(ok.completions, '2/2', 'both completions succeeded, one pod at a time');
  const bad = await until('Job bad Failed', async () => {
    const j = jobOf(await status(), 'bad');
    return j.jobStatus === 'Failed' ? j : undefined;
  });
  t.equal(bad.completions, '0/1');
  const tick = await until('a Job of CronJob tick Complete', async () => {
    const j = (await status()).workloads.find((w) => w.kind === 'Job' && /^tick-\d+$/.test(w.name));
    return j?.jobStatus === 'Complete' ? j : undefined;
  }, 150_000);
  t.equal(tick.completions, '1/1', `the CronJob's Job ${tick.name} completed`);
  await until('finished Jobs without active pods', async () => ((await status()).pods.some((p) => p.owner?.kind === 'Job') ? undefined : true));
  t.pass('finished Jobs have no active pods');
  sup.kill('SIGINT');
  const r = await sup;
  t.match(String(r.stdout), /BackoffLimitExceeded\s+Job default\/bad: Job has reached the specified backoff limit/, 'supervise reported the failure');
  t.match(String(r.stdout), /Completed\s+Job default\/ok: Job completed \(2 succeeded\)/, 'and the completion');
  t.match(String(r.stdout), /SuccessfulCreate\s+CronJob default\/tick: Created job tick-\d+/, 'and the CronJob\'s Job');
});

t.test('down leaves nothing', async (t) => {
  const d = await podlab(['down', '-c', name]);
  t.equal(d.exitCode, 0, String(d.stderr));
  t.same(netnsOf(name), [], 'no namespace of the lab');
  t.notOk(existsSync(join(STATE_DIR, name)), 'no state folder');
});
