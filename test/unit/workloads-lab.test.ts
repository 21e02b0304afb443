// The workload use-cases on a recording fake host: `up` walks a StatefulSet in order and a rollout step by step,
// `scale`, `rollout undo`, `create job --from`, `delete deployment`, and `status` lists the workloads as kubectl does.
import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeExecutor } from '../../src/kernel/fake.js';
import { MemoryStore } from '../../src/store/memory.js';
import { up, status, type LabContext } from '../../src/lab/index.js';
import { apply, deleteObjects } from '../../src/lab/live.js';
import { createJobFrom, rolloutHistory, rolloutStatus, rolloutUndo, scale } from '../../src/lab/controls.js';
import { cluster, deployment } from '../helpers/wl.js';

const dir = mkdtempSync(join(tmpdir(), 'podlab-wl-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
function host(): Partial<LabContext> & { exec: FakeExecutor; store: MemoryStore } {
  return { exec: new FakeExecutor(), store: new MemoryStore(join(dir, 'state')), root: true };
}
const STS = `---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, ports: [{containerPort: 5432}]}]}
`;
const CRON = `---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, command: [sleep, "60"]}]
`;
const SVC = `---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
`;

t.test('up: a StatefulSet one ordinal at a time, a Deployment behind a Service; status like kubectl get', async (t) => {
  const h = host();
  const f = file('lab1.yaml', cluster(undefined, 'wa') + STS + deployment('web', 3) + SVC + CRON);
  const r = await up({ ...h, files: [f] });
  t.same(r.steps, ['StatefulSet default/db: 0→1 pod(s)', 'StatefulSet default/db: 1→2 pod(s)', 'StatefulSet default/db: 2→3 pod(s)']);
  t.match(r.notices.join('\n'), /nothing reacts [^]*until a supervisor runs the controllers that act over time/);
  const s = await status('wa', h);
  const w = (kind: string, name?: string) => s.workloads.find((x) => x.kind === kind && (!name || x.name === name))!;
  t.same([w('StatefulSet').ready, w('StatefulSet').desired], [3, 3]);
  t.same([w('Deployment').ready, w('Deployment').desired, w('Deployment').upToDate, w('Deployment').revision], [3, 3, 3, 1]);
  t.equal(w('ReplicaSet').owner, 'Deployment web');
  t.equal(w('CronJob').schedule, '@daily');
  t.match(w('CronJob').nextSchedule!, /T00:00:00\.000Z$/);
  t.equal(s.controllers, 'in-process');
  t.equal(s.services[0]!.endpoints.length, 3);
  t.ok(s.pods.filter((p) => p.owner?.kind === 'ReplicaSet').length === 3);
  t.same((await rolloutStatus({ ref: 'deployment/web' }, { ...h, watch: false })).message, 'deployment "web" successfully rolled out');
});

t.test('scale 3 → 5 → 2: pods and endpoints follow; a later apply of the file resets it, as kubectl apply would', async (t) => {
  const h = host();
  const c = file('cluster2.yaml', cluster(undefined, 'wb'));
  const f = file('web2.yaml', deployment('web', 3) + SVC);
  await up({ ...h, files: [c, f] });
  const eps = async () => (await status('wb', h)).services[0]!.endpoints.map((e) => e.pod);
  const three = await eps();
  t.equal(three.length, 3);
  const r = await scale({ ref: 'deployment/web' }, 5, h);
  t.equal(r.message, 'deployment.apps/web scaled');
  const five = await eps();
  t.equal(five.length, 5);
  t.ok(three.every((p) => five.includes(p)), 'the first three stay');
  await scale({ ref: 'deploy/web', namespace: 'default' }, 2, h);
  const two = await eps();
  t.equal(two.length, 2);
  t.ok(two.every((p) => three.includes(p)), 'the newest went');
  const ipt = h.exec.ns('pl-wb-node1').rulesets.get('iptables')!;
  t.equal((ipt.match(/-A KUBE-SVC-\S+ .*default\/web.*-j KUBE-SEP-/g) ?? []).length, 2, 'node1\'s kube-proxy rules hold two endpoints');
  await apply([f], h);
  t.equal((await eps()).length, 3, 'the file says 3');
  await t.rejects(scale({ ref: 'deployment/nope' }, 1, h), /deployments "nope" not found in namespace default/);
  await t.rejects(scale({ ref: 'service/web' }, 1, h), /takes deployment, replicaset, statefulset/);
});

t.test('a changed template rolls out step by step; history; undo rolls back to the old ReplicaSet and names', async (t) => {
  const h = host();
  const v1 = deployment('web', 3, { strategy: '{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}' }) + SVC;
  const c = file('cluster3.yaml', cluster(undefined, 'wc'));
  const f = file('web3.yaml', v1);
  await up({ ...h, files: [c, f] });
  const before = (await status('wc', h)).pods.map((p) => p.name).sort();
  writeFileSync(f, v1.replace('{labels: {app: web}}', '{labels: {app: web, v: "2"}}'));
  const r = await apply([f], h);
  t.equal(r.steps?.length, 6, r.steps?.join('\n'));
  t.match(r.steps![0]!, /^Deployment default\/web: web-\w+ 0→1$/);
  const s = await status('wc', h);
  t.equal(s.pods.filter((p) => !p.system).length, 3);
  t.ok(s.pods.filter((p) => !p.system).every((p) => p.labels.v === '2'));
  const h1 = await rolloutHistory({ ref: 'deployment/web' }, h);
  t.same(h1.revisions.map((x) => x.revision), [1, 2]);
  const u = await rolloutUndo({ ref: 'deployment/web' }, undefined, h);
  t.equal(u.message, 'deployment.apps/web rolled back');
  t.same((await status('wc', h)).pods.map((p) => p.name).sort(), before, 'the old ReplicaSet\'s names are back');
  t.same((await rolloutHistory({ ref: 'deployment/web' }, h)).revisions.map((x) => x.revision), [2, 3]);
  await t.rejects(rolloutUndo({ ref: 'deployment/web' }, 9, h), /unable to find specified revision 9/);
});

t.test('create job --from cronjob; delete deployment/NAME takes its pods', async (t) => {
  const h = host();
  const f = file('lab4.yaml', cluster(undefined, 'wd') + CRON + deployment('web', 2));
  await up({ ...h, files: [f] });
  const r = await createJobFrom('cronjob/report', 'once', h);
  t.equal(r.message, 'job.batch/once created');
  const s = await status('wd', h);
  const job = s.workloads.find((w) => w.kind === 'Job')!;
  t.same([job.name, job.jobStatus, job.completions, job.current], ['once', 'Running', '0/1', 1]);
  t.ok(s.pods.some((p) => p.owner?.kind === 'Job' && p.labels['job-name'] === 'once'));
  await t.rejects(createJobFrom('cronjob/report', 'once', h), /jobs\.batch "once" already exists/);
  await deleteObjects({ kind: 'deployment/web' }, h);
  const after = await status('wd', h);
  t.same(after.workloads.filter((w) => w.kind === 'Deployment'), []);
  t.same(after.pods.filter((p) => p.owner?.kind === 'ReplicaSet'), []);
});
