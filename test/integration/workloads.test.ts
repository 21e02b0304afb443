// Workloads on a real lab: a Deployment behind a Service scaled 3 → 5 → 2 with the endpoints following in every
// node (rules and real traffic), a StatefulSet created in order, a DaemonSet on every node, and the real-world
// manifests of examples/workloads accepted and reaching their expected state. Each lab is removed without leftovers.
import t, { type Test } from 'tap';
import { writeFileSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot, ROOT, STATE_DIR } from '../helpers/lab.js';

interface Status {
  pods: { namespace: string; name: string; node: string; ip: string; phase: string; owner?: { kind: string; name: string }; labels: Record<string, string>; containers?: { name: string; startedAt?: string }[] }[];
  services: { name: string; clusterIP: string; endpoints: { pod: string; ip: string }[] }[];
  workloads: { kind: string; namespace: string; name: string; desired: number; current: number; ready: number; jobStatus?: string; schedule?: string }[];
  nodes: { name: string; netns: string }[];
}
async function status(name: string): Promise<Status> {
  return JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as Status;
}

async function withLab(t: Test, name: string, files: string[], body: () => Promise<void>): Promise<void> {
  try {
    const up = await podlab(['up', ...files.flatMap((f) => ['-f', f])]);
    t.equal(up.exitCode, 0, `up: ${up.stderr}`);
    if (up.exitCode === 0) await body();
  } finally {
    const d = await podlab(['down', '-c', name]);
    t.equal(d.exitCode, 0, `down: ${d.stderr}`);
    t.same(netnsOf(name), [], 'down leaves no namespaces');
    t.notOk(existsSync(join(STATE_DIR, name)), 'nor its state folder (applied documents included)');
  }
}

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.96.0.80
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`;

t.test('a Deployment behind a Service scaled 3 → 5 → 2: endpoints follow in every node', { skip: !isRoot && 'needs root' }, async (t) => {
  const name = clusterName('w');
  const file = writeLab({ name, nodes: 3, extra: pod('shop', 'client', 'node1', '[{containerPort: 9000}]', '{app: client}').replace(/---\n$/, '') });
  const dir = mkdtempSync(join(tmpdir(), 'podlab-wl-'));
  const web = join(dir, 'web.yaml');
  writeFileSync(web, WEB);
  await withLab(t, name, [file, web], async () => {
    const client = `pl-${name}-shop-client`;
    const check = async (n: number) => {
      const s = await status(name);
      const pods = s.pods.filter((p) => p.owner?.kind === 'ReplicaSet');
      t.equal(pods.length, n, `${n} pods`);
      t.ok(pods.every((p) => p.phase === 'Running' && /^web-[456789bcdf]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(p.name)), pods.map((p) => `${p.name} ${p.phase}`).join(', '));
      const eps = s.services.find((v) => v.name === 'web')!.endpoints.map((e) => e.ip).sort();
      t.same(eps, pods.map((p) => p.ip).sort(), 'the endpoints are the pods');
      for (const node of s.nodes) {
        const ipt = (await inNetns(node.netns, ['iptables-save', '-t', 'nat'])).out;
        const dnat = [...ipt.matchAll(/-A KUBE-SEP-\S+ .*-j DNAT --to-destination (\S+):8080/g)].map((m) => m[1]!).sort();
        t.same(dnat, eps, `${node.name}'s kube-proxy rules hold the ${n} endpoints`);
      }
      // Real traffic through the ClusterIP reaches every pod, and only them.
      const seen = new Set<string>();
      for (let i = 0; i < n * 12 && seen.size < n; i++) {
        const r = await inNetns(client, ['curl', '-s', '-m', '2', 'http://10.96.0.80/hostname']);
        if (r.code === 0) seen.add(r.out);
      }
      t.same([...seen].sort(), pods.map((p) => p.name).sort(), 'every pod answers through the Service');
      return pods.map((p) => p.name);
    };
    const three = await check(3);
    const up5 = await podlab(['scale', 'deployment/web', '-n', 'shop', '--replicas', '5', '-c', name]);
    t.equal(up5.exitCode, 0, up5.stderr);
    t.match(String(up5.stdout), /^deployment\.apps\/web scaled$/m);
    const five = await check(5);
    t.ok(three.every((p) => five.includes(p)), 'scaling up keeps the pods there were');
    const down2 = await podlab(['scale', 'deployment/web', '--namespace', 'shop', '--replicas', '2', '-c', name]);
    t.equal(down2.exitCode, 0, down2.stderr);
    const two = await check(2);
    t.ok(two.every((p) => three.includes(p)), 'scaling down removes the newest');
    const st = await podlab(['status', '-c', name]);
    t.match(String(st.stdout), /DEPLOYMENTS[\s\S]*shop\/deployment\.apps\/web\s+2\/2\s+2\s+2/);
  });
});

t.test('a StatefulSet is created in order, each pod ready before the next', { skip: !isRoot && 'needs root' }, async (t) => {
  const name = clusterName('w');
  const file = writeLab({
    name, nodes: 2, extra: `apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - {name: pg, command: [sleep, "3600"]}
        - {name: net, ports: [{containerPort: 5432}]}
`,
  });
  await withLab(t, name, [file], async () => {
    const s = await status(name);
    const pods = s.pods.filter((p) => p.owner?.kind === 'StatefulSet');
    t.same(pods.map((p) => `${p.name} ${p.phase}`), ['db-0 Running', 'db-1 Running', 'db-2 Running']);
    t.same(s.services[0]!.endpoints.map((e) => e.pod).sort(), ['default/db-0', 'default/db-1', 'default/db-2']);
    // Each pod's container started (its Running state's startedAt, as kubectl shows it): in ordinal order.
    const startedAt = (p: Status['pods'][number]) => p.containers?.find((c) => c.name === 'pg')?.startedAt ?? '';
    const started = [...pods].sort((a, b) => startedAt(a).localeCompare(startedAt(b))).map((p) => `${p.name} ${startedAt(p) ? 'started' : '?'}`);
    t.same(started, ['db-0 started', 'db-1 started', 'db-2 started'], 'started in order');
    const w = s.workloads.find((x) => x.kind === 'StatefulSet')!;
    t.same([w.ready, w.desired], [3, 3]);
    const host = await inNetns(`pl-${name}-default-db-1`, ['curl', '-s', '-m', '2', 'http://127.0.0.1:5432/hostname']);
    t.equal(host.out, 'db-1', 'the pod answers with its own name');
  });
});

t.test('a DaemonSet runs one pod on every node it tolerates', { skip: !isRoot && 'needs root' }, async (t) => {
  const name = clusterName('w');
  const file = writeLab({
    name, nodes: 3, extra: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: a, ports: [{containerPort: 2020}]}]
`,
  });
  await withLab(t, name, [file], async () => {
    const s = await status(name);
    const pods = s.pods.filter((p) => p.owner?.kind === 'DaemonSet');
    t.same(pods.map((p) => p.node).sort(), ['node1', 'node2', 'node3']);
    t.ok(pods.every((p) => p.phase === 'Running'));
    for (const p of pods) {
      const r = await inNetns(`pl-${name}-node1`, ['curl', '-s', '-m', '2', `http://${p.ip}:2020/hostname`]);
      t.equal(r.out, p.name, `${p.name} on ${p.node} answers from node1`);
    }
  });
});

t.test('the real-world manifests of examples/workloads are accepted and reach their expected state', { skip: !isRoot && 'needs root' }, async (t) => {
  const name = clusterName('w');
  const ex = join(ROOT, 'examples', 'workloads');
  const dir = mkdtempSync(join(tmpdir(), 'podlab-wlex-'));
  const clusterFile = join(dir, 'cluster.yaml');
  writeFileSync(clusterFile, readFileSync(join(ex, 'cluster.yaml'), 'utf8').replace('name: wl}', `name: ${name}}`));
  const files = [clusterFile, ...['web.yaml', 'db.yaml', 'log-agent.yaml', 'job.yaml'].map((f) => join(ex, f))];
  await withLab(t, name, files, async () => {
    const s = await status(name);
    const w = (kind: string) => s.workloads.find((x) => x.kind === kind)!;
    t.same([w('Deployment').ready, w('Deployment').desired], [3, 3], 'web: 3/3');
    t.same([w('StatefulSet').ready, w('StatefulSet').desired], [2, 2], 'db: 2/2');
    t.same([w('DaemonSet').ready, w('DaemonSet').desired], [3, 3], 'log-agent on every node');
    t.same([w('Job').jobStatus, w('Job').current], ['Running', 1], 'migrate: one active pod');
    t.equal(w('CronJob').schedule, '30 2 * * *');
    t.ok(s.pods.every((p) => p.phase === 'Running'), s.pods.filter((p) => p.phase !== 'Running').map((p) => `${p.name}: ${p.phase}`).join(', '));
    const web = s.services.find((v) => v.name === 'web')!;
    t.equal(web.endpoints.length, 3);
    const db = s.services.find((v) => v.name === 'db')!;
    t.same(db.endpoints.map((e) => e.pod).sort(), ['data/db-0', 'data/db-1']);
    const agent = s.pods.find((p) => p.owner?.kind === 'DaemonSet')!;
    const r = await inNetns(`pl-${name}-${agent.node}`, ['curl', '-s', '-m', '2', `http://${web.clusterIP}/hostname`]);
    t.match(r.out, /^web-[456789bcdf]+-\w{5}$/, 'the web Service answers from a node');
    const cj = await podlab(['create', 'job', '--from', 'cronjob/report', '-n', 'shop', '-c', name]);
    t.equal(cj.exitCode, 0, cj.stderr);
    t.match(String(cj.stdout), /^job\.batch\/report-\d+ created$/m);
    const s2 = await status(name);
    t.ok(s2.pods.some((p) => p.owner?.kind === 'Job' && p.name.startsWith('report-')), 'the Job from the CronJob has its pod');
  });
});
