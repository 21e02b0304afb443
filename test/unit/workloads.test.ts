// The controllers' expansion into pods: names, labels, counts, hash stability, rollout steps, Jobs, CronJobs.
import t from 'tap';
import { allocationsOf } from '../../src/model/topology.js';
import { computeHash, fnv32a, safeEncode, ALPHANUMS } from '../../src/model/workloads/names.js';
import { rolloutSequence, rolloutStep, fenceposts } from '../../src/model/workloads/rollout.js';
import { nextSizes } from '../../src/model/workloads/index.js';
import { initialJobState, jobStep, jobExpired } from '../../src/model/workloads/job.js';
import { dueTimes, jobNameFor, nextRun } from '../../src/model/workloads/cronjob.js';
import { cluster, deployment, job, parse, topo, userPods } from '../helpers/wl.js';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';

const C = cluster();

t.test('fnv32a and SafeEncodeString are Go\'s', async (t) => {
  // hash/fnv New32a test vectors.
  t.equal(fnv32a(''), 0x811c9dc5);
  t.equal(fnv32a('a'), 0xe40c292c);
  t.equal(fnv32a('foobar'), 0xbf9cf968);
  // rand.SafeEncodeString maps each character by its code modulo 27 into the vowel-free alphabet: decimal digits land on
  // "456789bcdf", which is why every real pod-template-hash is made of those ten characters.
  t.equal(ALPHANUMS.length, 27);
  t.equal(safeEncode('0123456789'), '456789bcdf');
  const h = computeHash('{"a":1}');
  t.match(h, /^[456789bcdf]{1,10}$/);
  t.equal(h, safeEncode(String(fnv32a('{"a":1}'))));
  t.equal(computeHash('{"a":1}'), h, 'stable');
  t.not(computeHash('{"a":1}', 1), h, 'a collision count changes it');
});

t.test('Deployment → ReplicaSet <deploy>-<hash> → pods <rs>-<5 chars> with pod-template-hash', async (t) => {
  const tp = topo(C + deployment('web', 3));
  const w = tp.workloads!.find((x) => x.kind === 'Deployment')!;
  t.equal(w.replicaSets!.length, 1);
  const rs = w.replicaSets![0]!;
  t.equal(rs.name, `web-${rs.hash}`);
  t.equal(rs.revision, 1);
  t.equal(tp.pods.length, 3);
  for (const p of tp.pods) {
    t.match(p.name, new RegExp(`^web-${rs.hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    t.same(p.labels, { app: 'web', 'pod-template-hash': rs.hash });
    t.same(p.owner, { kind: 'ReplicaSet', name: rs.name });
  }
  t.same(tp.pods.map((p) => p.node), ['node1', 'node2', 'node3'], 'spread by the default scheduler');
  t.equal(new Set(tp.pods.map((p) => p.name)).size, 3, 'unique names');
});

t.test('the hash and the names are stable: key order, a re-resolve, and a re-up keep names and IPs', async (t) => {
  const a = topo(C + deployment('web', 3));
  const b = topo(C + deployment('web', 3).replace('{labels: {app: web}}', '{labels: {app: web}}').replace('containers: [{name: web, ports: [{containerPort: 8080, name: http}]}]', 'containers: [{ports: [{name: http, containerPort: 8080}], name: web}]'));
  t.same(b.pods.map((p) => p.name), a.pods.map((p) => p.name), 'same template in another key order: same hash, same names');
  const again = topo(C + deployment('web', 3), allocationsOf(a));
  t.same(again.pods.map((p) => [p.name, p.ip]), a.pods.map((p) => [p.name, p.ip]));
  const other = topo(cluster(undefined, 'other') + deployment('web', 3));
  t.notSame(other.pods.map((p) => p.name), a.pods.map((p) => p.name), 'another lab draws other suffixes');
  const changed = topo(C + deployment('web', 3, { labels: 'v: "2"' }));
  t.not(changed.workloads![0]!.hash, a.workloads![0]!.hash, 'a changed template, a new hash');
});

t.test('scaling keeps the names of the pods that stay', async (t) => {
  const three = topo(C + deployment('web', 3));
  const five = topo(C + deployment('web', 5), allocationsOf(three));
  const two = topo(C + deployment('web', 2), allocationsOf(five));
  t.same(five.pods.slice(0, 3).map((p) => p.name), three.pods.map((p) => p.name));
  t.same(two.pods.map((p) => p.name), three.pods.slice(0, 2).map((p) => p.name), 'the newest go first');
  t.same(two.pods.map((p) => p.ip), three.pods.slice(0, 2).map((p) => p.ip));
});

t.test('a deleted pod of a ReplicaSet is replaced by one with a new name; the others keep theirs', async (t) => {
  const three = topo(C + deployment('web', 3));
  const gone = three.pods[1]!;
  const lab = parseLabFiles([{ file: 'lab.yaml', text: C + deployment('web', 3), dir: '/tmp' }], { deleted: [`Pod ${gone.key}`], lastWins: true });
  t.same(lab.deletedPods, [gone.key]);
  const after = userPods(resolveLab(lab, allocationsOf(three)));
  const names = after.pods.map((p) => p.name);
  t.equal(names.length, 3, 'still 3 replicas');
  t.notOk(names.includes(gone.name), 'the deleted name is not made again');
  t.same(after.pods.filter((p) => p.name !== names[2]).map((p) => [p.name, p.ip]), three.pods.filter((p) => p !== gone).map((p) => [p.name, p.ip]), 'the other two keep name and address');
  t.match(names[2], /^web-[a-z0-9]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

t.test('a rollout: a new ReplicaSet at the next revision, steps by maxSurge/maxUnavailable, undo takes the next revision', async (t) => {
  const v1 = topo(C + deployment('web', 3));
  const text2 = C + deployment('web', 3, { labels: 'v: "2"', strategy: '{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}' });
  const start = topo(text2, allocationsOf(v1), true);
  const w = start.workloads![0]!;
  t.equal(w.settled, false, 'progressive: the rollout has steps left');
  t.same(w.replicaSets!.map((r) => [r.revision, r.replicas]), [[1, 3], [2, 0]]);
  t.same(start.pods.map((p) => p.name), v1.pods.map((p) => p.name), 'nothing moved yet');
  // Walk it with every pod ready at once.
  let ws = start.workloads!;
  const lab2 = parse(text2);
  const seen: number[][] = [];
  for (let i = 0; i < 20; i++) {
    const n = nextSizes(lab2, ws, () => true);
    if (!n) break;
    const tp = topo(text2, { ...allocationsOf(start), workloads: n }, true);
    ws = tp.workloads!;
    seen.push(ws[0]!.replicaSets!.map((r) => r.replicas));
  }
  t.same(seen, [[3, 1], [2, 1], [2, 2], [1, 2], [1, 3], [0, 3]], 'surge one, then one old down, …');
  t.equal(ws[0]!.settled, true);
  // Undo: the old template again → the old ReplicaSet (same hash) at revision 3.
  const back = topo(C + deployment('web', 3), { workloads: ws }, false);
  const rss = back.workloads![0]!.replicaSets!;
  t.same(rss.map((r) => [r.name, r.revision, r.replicas]), [[ws[0]!.replicaSets![1]!.name, 2, 0], [v1.workloads![0]!.replicaSets![0]!.name, 3, 3]]);
  t.same(back.pods.map((p) => p.name).sort(), v1.pods.map((p) => p.name).sort(), 'the old names come back');
});

t.test('rolloutStep: Kubernetes\' arithmetic', async (t) => {
  const ru = (s: number | `${number}%`, u: number | `${number}%`) => ({ type: 'RollingUpdate' as const, maxSurge: s, maxUnavailable: u });
  t.same(fenceposts(ru('25%', '25%'), 10), { surge: 3, unavailable: 2 }, 'surge rounds up, unavailable down');
  t.same(fenceposts(ru(0, '10%'), 5), { surge: 0, unavailable: 1 }, '0 and 0 → maxUnavailable 1');
  t.same(rolloutSequence(ru('25%', '25%'), 4, [{ name: 'old', replicas: 4 }, { name: 'new', replicas: 0 }], 'new'),
    [[4, 0], [4, 1], [2, 1], [2, 3], [0, 3], [0, 4]], 'surge 1, then down to minAvailable 3 of the 5 available, …');
  t.same(rolloutSequence(ru(0, 1), 3, [{ name: 'old', replicas: 3 }, { name: 'new', replicas: 0 }], 'new'),
    [[3, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 3]], 'maxSurge 0: down first');
  t.same(rolloutSequence({ type: 'Recreate' }, 3, [{ name: 'old', replicas: 3 }, { name: 'new', replicas: 0 }], 'new'), [[3, 0], [0, 0], [0, 3]]);
  // Gated on availability: new pods not ready → old ones stay.
  t.equal(rolloutStep(ru(1, 0), 3, [{ name: 'old', replicas: 3, available: 3 }, { name: 'new', replicas: 1, available: 0 }], 'new'), undefined, 'waits');
  t.same(rolloutStep(ru(1, 0), 3, [{ name: 'old', replicas: 3, available: 3 }, { name: 'new', replicas: 1, available: 1 }], 'new'), [2, 1]);
  t.same(rolloutStep({ type: 'Recreate' }, 3, [{ name: 'old', replicas: 0, available: 1 }, { name: 'new', replicas: 0, available: 0 }], 'new'), undefined, 'Recreate waits for old pods to be gone');
});

t.test('ReplicaSet: pods <rs>-<5 chars> without a hash label', async (t) => {
  const tp = topo(C + `---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: front}
spec:
  replicas: 2
  selector: {matchLabels: {tier: front}}
  template:
    metadata: {labels: {tier: front}}
    spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
`);
  t.equal(tp.pods.length, 2);
  for (const p of tp.pods) {
    t.match(p.name, /^front-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    t.same(p.labels, { tier: 'front' });
  }
});

const STS = (replicas: number, policy = 'OrderedReady') => `---
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: ${replicas}
  podManagementPolicy: ${policy}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, ports: [{containerPort: 5432}], volumeMounts: [{name: data, mountPath: /data}]}]
  volumeClaimTemplates: [{metadata: {name: data}, spec: {resources: {requests: {storage: 1Gi}}}}]
`;

t.test('StatefulSet: <name>-0…N-1, hostname and subdomain, a claim per ordinal, created one at a time', async (t) => {
  const tp = topo(C + STS(3));
  t.same(tp.pods.map((p) => p.name), ['db-0', 'db-1', 'db-2']);
  const p1 = tp.pods[1]!;
  t.equal(p1.hostname, 'db-1');
  t.equal(p1.subdomain, 'db');
  t.equal(p1.labels['statefulset.kubernetes.io/pod-name'], 'db-1');
  t.equal(p1.labels['apps.kubernetes.io/pod-index'], '1');
  t.match(p1.labels['controller-revision-hash']!, /^db-[bcdfghjklmnpqrstvwxz2456789]+$/);
  t.same(p1.volumes, [{ name: 'data', type: 'persistentVolumeClaim', claimName: 'data-db-1', dir: 'volumes/default/data-db-1', readOnly: false }]);
  t.same(tp.services[0]!.endpoints.map((e) => e.pod), ['default/db-0', 'default/db-1', 'default/db-2'], 'the headless Service selects them');
  // OrderedReady, progressive: none first, then one per step once the others are ready.
  const lab = parse(C + STS(3));
  let ws = topo(C + STS(3), {}, true).workloads!;
  t.same(ws[0]!.pods, []);
  const order: string[][] = [];
  const ready = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const n = nextSizes(lab, ws, (k) => ready.has(k));
    if (!n) break;
    const tp2 = topo(C + STS(3), { workloads: n }, true);
    ws = tp2.workloads!;
    order.push(tp2.pods.map((p) => p.name));
    t.equal(nextSizes(lab, ws, () => false), undefined, 'a pod not ready stops the next one');
    for (const p of ws[0]!.pods) ready.add(p);
  }
  t.same(order, [['db-0'], ['db-0', 'db-1'], ['db-0', 'db-1', 'db-2']]);
  // Scale down: the highest first, one at a time.
  const lab1 = parse(C + STS(1));
  const down = nextSizes(lab1, topo(C + STS(1), { workloads: ws }, true).workloads!, () => true)!;
  t.equal(down[0]!.current, 2);
  t.same(topo(C + STS(3, 'Parallel'), {}, true).pods.length, 3, 'Parallel: all at once');
});

t.test('DaemonSet: one pod per node that matches, pinned by node affinity on metadata.name', async (t) => {
  const text = cluster(['node1: {labels: {disk: ssd}}', 'node2: {}', 'node3: {labels: {disk: ssd}, taints: [{key: gpu, value: "true", effect: NoSchedule}]}']) + `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {disk: ssd}
      containers: [{name: a, ports: [{containerPort: 2020}]}]
`;
  const tp = topo(text);
  t.same(tp.pods.map((p) => p.node), ['node1'], 'node2 has no ssd, node3 is tainted');
  t.match(tp.pods[0]!.name, /^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  t.same(tp.workloads![0]!.desired, 1);
  const tolerating = topo(text.replace('nodeSelector: {disk: ssd}', 'nodeSelector: {disk: ssd}\n      tolerations: [{key: gpu, operator: Exists}]'));
  t.same(tolerating.pods.map((p) => p.node), ['node1', 'node3']);
  const all = topo(text.replace('      nodeSelector: {disk: ssd}\n', ''));
  t.same(all.pods.map((p) => p.node), ['node1', 'node2'], 'every untainted node');
  t.equal(new Set(all.pods.map((p) => p.name)).size, 2);
});

const JOB = (spec: string) => job(spec);

t.test('Job: pods up to parallelism, named <job>-<5 chars>, with the job labels; the controller\'s state machine', async (t) => {
  const tp = topo(C + JOB('  completions: 5\n  parallelism: 2\n  backoffLimit: 1\n'));
  t.equal(tp.pods.length, 2);
  for (const p of tp.pods) {
    t.match(p.name, /^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    t.equal(p.labels['batch.kubernetes.io/job-name'], 'pi');
    t.equal(p.labels['job-name'], 'pi');
    t.match(p.labels['controller-uid']!, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
  }
  const j = parse(C + JOB('  completions: 3\n  parallelism: 2\n  backoffLimit: 1\n')).workloads[0]! as import('../../src/input/types.js').JobSpec;
  let st = initialJobState(j, '2026-01-01T00:00:00Z');
  t.same(st, { active: 2, succeeded: 0, failed: 0, created: 2, startTime: '2026-01-01T00:00:00Z' });
  st = jobStep(j, st, ['a', 'b'], new Map([['a', 'Succeeded'], ['b', 'Running']]), '2026-01-01T00:01:00Z');
  t.same([st.succeeded, st.active, st.created], [1, 2, 3], 'one replacement started');
  st = jobStep(j, st, ['b', 'c'], new Map([['b', 'Succeeded'], ['c', 'Succeeded']]), '2026-01-01T00:02:00Z');
  t.same(st.condition, { type: 'Complete', at: '2026-01-01T00:02:00Z' });
  let f = initialJobState(j, '2026-01-01T00:00:00Z');
  f = jobStep(j, f, ['a', 'b'], new Map([['a', 'Failed'], ['b', 'Failed']]), '2026-01-01T00:01:00Z');
  t.same(f.condition?.reason, 'BackoffLimitExceeded', '2 failures > backoffLimit 1');
  const d = { ...j, activeDeadlineSeconds: 30 };
  t.equal(jobStep(d, initialJobState(d, '2026-01-01T00:00:00Z'), [], new Map(), '2026-01-01T00:01:00Z').condition?.reason, 'DeadlineExceeded');
  t.equal(jobExpired({ ...j, ttlSecondsAfterFinished: 60 }, st, '2026-01-01T00:02:59Z'), false);
  t.equal(jobExpired({ ...j, ttlSecondsAfterFinished: 60 }, st, '2026-01-01T00:03:00Z'), true);
  const idx = topo(C + JOB('  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n'));
  t.same(idx.pods.map((p) => p.labels['batch.kubernetes.io/job-completion-index']), ['0', '1', '2']);
  t.match(idx.pods[1]!.name, /^pi-1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  t.same(topo(C + JOB('  suspend: true\n')).pods, [], 'suspended: no pods');
});

t.test('CronJob: what is due when, and the Job it makes', async (t) => {
  const cj = { schedule: '*/15 9-10 * * 1-5', timeZone: 'UTC' };
  const due = dueTimes(cj, new Date('2026-01-05T08:50:00Z'), new Date('2026-01-05T09:50:00Z'));
  t.same(due.map((d) => d.toISOString()), ['2026-01-05T09:00:00.000Z', '2026-01-05T09:15:00.000Z', '2026-01-05T09:30:00.000Z', '2026-01-05T09:45:00.000Z']);
  t.equal(nextRun({ schedule: '@hourly' }, new Date('2026-01-05T09:10:00Z'))!.toISOString(), '2026-01-05T10:00:00.000Z');
  t.equal(nextRun({ schedule: '0 9 * * *', timeZone: 'Europe/Berlin' }, new Date('2026-01-05T00:00:00Z'))!.toISOString(), '2026-01-05T08:00:00.000Z', 'in its time zone');
  // Day of month OR day of week when both are restricted (Vixie cron, robfig/cron).
  t.equal(nextRun({ schedule: '0 0 13 * 5' }, new Date('2026-01-01T00:00:00Z'))!.toISOString(), '2026-01-02T00:00:00.000Z', 'a Friday before the 13th');
  t.equal(jobNameFor({ name: 'report' }, new Date('2026-01-05T09:00:00Z')), `report-${Date.parse('2026-01-05T09:00:00Z') / 60000}`);
  const tp = topo(C + `---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "30 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, command: [sh, -c, "echo hi"]}]
`);
  t.same(tp.pods, [], 'a CronJob makes no pods by itself');
  t.same(tp.workloads![0]!.schedule, { schedule: '30 2 * * *', suspend: false });
});
