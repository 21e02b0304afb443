// The pod lifecycle on a real lab, with `podlab supervise` hosting it: init containers run one after another before
// the app, a native sidecar starts before the app and keeps running beside it, restartPolicy OnFailure restarts a
// failing container with back-off (CrashLoopBackOff) while Never leaves Succeeded/Failed, a restarted pod keeps its
// IP, and readiness moves a pod out of the Service's endpoints on every node — real requests through the ClusterIP
// then never reach it — and back. Nothing of the lab is left afterwards.
import t from 'tap';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterName, writeLab, podlab, netnsOf, inNetns, isRoot, CLI, STATE_DIR, until as untilHelper, statusJson } from '../helpers/lab.js';

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

const D = mkdtempSync(join(tmpdir(), 'podlab-lifecycle-'));
const stamp = (what: string) => `[sh, -c, "echo ${what} $(date +%s%N) >> ${D}/order"]`;

const name = clusterName('life');
const file = writeLab({
  name, nodes: 2,
  clusterSpecExtra: '  kubelet: {backoff: {initialSeconds: 1, maxSeconds: 4}}',
  extra: `apiVersion: v1
kind: Pod
metadata: {name: ordered, namespace: default, labels: {app: ordered}}
spec:
  nodeName: node1
  initContainers:
    - {name: first, command: [sh, -c, "echo first $(date +%s%N) >> ${D}/order; sleep 0.5"]}
    - {name: second, command: ${stamp('second')}}
    - {name: side, restartPolicy: Always, command: [sh, -c, "echo side $(date +%s%N) >> ${D}/order; exec sleep infinity"]}
  containers:
    - {name: app, command: [sh, -c, "echo app $(date +%s%N) >> ${D}/order; exec sleep infinity"]}
---
apiVersion: v1
kind: Pod
metadata: {name: shared, namespace: default}
spec:
  nodeName: node1
  volumes: [{name: data, emptyDir: {}}]
  containers:
    - {name: writer, command: [sh, -c, "echo hello-from-writer > /podlab-test-data/msg; exec sleep infinity"], volumeMounts: [{name: data, mountPath: /podlab-test-data}]}
    - {name: reader, command: [sleep, infinity], volumeMounts: [{name: data, mountPath: /podlab-test-data, readOnly: true}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: default, labels: {app: web}}
spec:
  nodeName: node1
  containers:
    - name: netexec
      ports: [{containerPort: 8080}]
      readinessProbe: {exec: {command: [sh, -c, "test ! -e ${D}/unready-web-1"]}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: default, labels: {app: web}}
spec:
  nodeName: node2
  containers:
    - name: netexec
      ports: [{containerPort: 8080}]
      readinessProbe: {exec: {command: [sh, -c, "test ! -e ${D}/unready-web-2"]}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default}
spec:
  nodeName: node1
  containers: [{name: shell, command: [sleep, infinity]}]
---
apiVersion: v1
kind: Pod
metadata: {name: crash, namespace: default}
spec:
  nodeName: node2
  restartPolicy: OnFailure
  containers: [{name: app, command: [sh, -c, "echo ran; exit 3"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: done, namespace: default}
spec:
  nodeName: node2
  restartPolicy: Never
  containers: [{name: app, command: [sh, -c, "exit 0"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: failed, namespace: default}
spec:
  nodeName: node2
  restartPolicy: Never
  containers: [{name: app, command: [sh, -c, "exit 2"]}]
`,
});

interface PodJ {
  name: string; ip: string; phase: string; status: string; restarts: number; netns: string;
  containers: { name: string; state: string; reason?: string; exitCode?: number; restartCount: number; ready: boolean }[];
  initContainers: { name: string; state: string; reason?: string; exitCode?: number }[];
  conditions: { type: string; status: string }[];
}
interface StatusJ { pods: PodJ[]; services: { name: string; clusterIP: string; endpoints: { pod: string }[] }[]; lifecycle: { supervised: boolean } }

const status = () => statusJson<StatusJ>(name);
const until = <T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000) => untilHelper(what, f, ms, 300);
const podOf = (s: StatusJ, n: string) => s.pods.find((p) => p.name === n)!;
const endpointsOf = (s: StatusJ) => s.services.find((v) => v.name === 'web')!.endpoints.map((e) => e.pod).sort();


/** Which backends answer n requests through the ClusterIP (netexec's /hostname is the pod's name). */
async function hits(clientNetns: string, ip: string, n: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = await inNetns(clientNetns, ['curl', '-s', '--max-time', '2', `http://${ip}/hostname`]);
    const k = r.code === 0 ? r.out : `error ${r.code}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

let sup: ReturnType<typeof execa> | undefined;
t.teardown(async () => {
  if (sup && sup.exitCode === null) {
    sup.kill('SIGINT');
    await sup.catch(() => undefined);
  }
  await podlab(['down', '-c', name]);
  rmSync(D, { recursive: true, force: true });
});

t.test('up starts every pod once; init containers run before the app, in order', async (t) => {
  const r = await podlab(['up', '-f', file]);
  // The crash and failed pods' containers exit non-zero: up says so (and exits 1), the rest is built.
  t.equal(r.exitCode, 1, String(r.stderr));
  t.match(String(r.stderr), /Pod default\/crash container app exited with code 3/);
  t.match(String(r.stderr), /Pod default\/failed container app exited with code 2/);
  const order = readFileSync(join(D, 'order'), 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]);
  t.same(order.map((o) => o[0]), ['first', 'second', 'side', 'app'], 'init containers in order, then the sidecar, then the app');
  const at = order.map((o) => BigInt(o[1]));
  t.ok(at[1]! - at[0]! >= 500_000_000n, `second started after first ended (first sleeps 0.5 s; ${(at[1]! - at[0]!) / 1_000_000n} ms later)`);
  const s = await status();
  t.equal(s.lifecycle.supervised, false, 'no supervisor yet');
  const o = podOf(s, 'ordered');
  t.equal(o.phase, 'Running');
  t.same(o.initContainers.map((c) => [c.name, c.state]), [['first', 'terminated'], ['second', 'terminated'], ['side', 'running']]);
  t.same(podOf(s, 'done').phase, 'Succeeded', 'Never + exit 0: Succeeded');
  t.same(podOf(s, 'failed').phase, 'Failed', 'Never + exit 2: Failed');
});

t.test('each pod its own host: hostname, /etc/hosts; an emptyDir shared by two containers, invisible on the host', async (t) => {
  const s = await status();
  const h = await podlab(['exec', '-c', name, 'ordered', '--', 'hostname']);
  t.equal(String(h.stdout).trim(), 'ordered', String(h.stderr));
  const hosts = await podlab(['exec', '-c', name, 'ordered', '--', 'cat', '/etc/hosts']);
  t.match(String(hosts.stdout), new RegExp(`^${podOf(s, 'ordered').ip.replace(/\./g, '\\.')}\\s+ordered`, 'm'), 'the pod IP and hostname, as kubelet writes them');
  const r = await podlab(['exec', '-c', name, 'shared', '--container', 'reader', '--', 'cat', '/podlab-test-data/msg']);
  t.equal(String(r.stdout).trim(), 'hello-from-writer', `the reader sees the writer's file (${String(r.stderr).trim()})`);
  const w = await podlab(['exec', '-c', name, 'shared', '--container', 'reader', '--', 'sh', '-c', 'echo x > /podlab-test-data/y']);
  t.not(w.exitCode, 0, 'readOnly: the reader cannot write');
  t.notOk(existsSync('/podlab-test-data'), 'nothing was made on the host for the mount path');
});

t.test('supervised: OnFailure restarts with back-off in the same namespace and IP', async (t) => {
  const ipBefore = podOf(await status(), 'crash').ip;
  sup = execa('node', [CLI, 'supervise', '-c', name, '--json'], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR } });
  const crash = await until('crash restarted twice', async () => {
    const p = podOf(await status(), 'crash');
    return p.restarts >= 2 ? p : undefined;
  });
  t.ok(crash.restarts >= 2, `restarts: ${crash.restarts}`);
  t.equal(crash.ip, ipBefore, 'same IP after restarts');
  t.ok(netnsOf(name).includes(crash.netns), 'same pod namespace');
  const cl = await until('CrashLoopBackOff', async () => {
    const p = podOf(await status(), 'crash');
    return p.status === 'CrashLoopBackOff' ? p : undefined;
  });
  t.equal(cl.phase, 'Running', 'a pod restarting its container stays Running, as in Kubernetes');
  const s = await status();
  t.equal(s.lifecycle.supervised, true);
  t.equal(podOf(s, 'done').restarts, 0, 'Never: not restarted');
  t.equal(podOf(s, 'failed').phase, 'Failed');
  const logs = await podlab(['logs', '--cluster', name, 'crash', '-c', 'app', '--previous']);
  t.equal(logs.exitCode, 0, String(logs.stderr));
  t.match(String(logs.stdout), /ran/, 'logs --previous: the instance before the last restart');
  // The sidecar and the app of the ordered pod still run.
  const o = podOf(s, 'ordered');
  t.same([...o.initContainers.filter((c) => c.name === 'side'), ...o.containers].map((c) => c.state), ['running', 'running']);
});

t.test('readiness: an unready pod leaves the endpoints on every node; no request reaches it; it comes back', async (t) => {
  const s0 = await until('both web pods ready', async () => {
    const s = await status();
    return endpointsOf(s).length === 2 ? s : undefined;
  });
  const ip = s0.services.find((v) => v.name === 'web')!.clusterIP;
  const clientNs = podOf(s0, 'client').netns;
  // Ready in status comes before the supervisor has rewritten every node's rules: wait until each node's Service
  // chain sends to both pods (a run once saw all 12 requests go to web-1 because node rules still held only it).
  const webIps = ['web-1', 'web-2'].map((p) => podOf(s0, p).ip);
  await until('both web pods in every node\'s rules', async () => {
    for (const node of ['node1', 'node2']) {
      const ipt = await inNetns(`pl-${name}-${node}`, ['iptables-save', '-t', 'nat']);
      if (!webIps.every((a) => ipt.out.includes(`--to-destination ${a}:`))) return undefined;
    }
    return true;
  }, 30_000);
  const before = await hits(clientNs, ip, 12);
  t.ok((before.get('web-1') ?? 0) > 0 && (before.get('web-2') ?? 0) > 0, `both answer: ${JSON.stringify([...before])}`);

  writeFileSync(join(D, 'unready-web-2'), '');
  const s1 = await until('web-2 out of the endpoints', async () => {
    const s = await status();
    return endpointsOf(s).join() === 'default/web-1' ? s : undefined;
  }, 30_000);
  t.equal(podOf(s1, 'web-2').conditions.find((c) => c.type === 'Ready')?.status, 'False');
  // Every node's rules: the service chain on node2 (where web-2 runs) and node1 hold only web-1.
  for (const node of ['node1', 'node2']) {
    const ipt = await inNetns(`pl-${name}-${node}`, ['iptables-save', '-t', 'nat']);
    t.notMatch(ipt.out, new RegExp(`${podOf(s1, 'web-2').ip.replace(/\./g, '\\.')}`), `${node}: no rule sends to web-2`);
  }
  const during = await hits(clientNs, ip, 20);
  t.same([...during], [['web-1', 20]], 'every request went to the ready pod');

  rmSync(join(D, 'unready-web-2'));
  await until('web-2 back', async () => (endpointsOf(await status()).length === 2 ? true : undefined), 30_000);
  const after = await hits(clientNs, ip, 16);
  t.ok((after.get('web-2') ?? 0) > 0, `web-2 answers again: ${JSON.stringify([...after])}`);
});

t.test('down leaves nothing: no namespace, no process, no file of the lab', async (t) => {
  sup!.kill('SIGINT');
  const r = await sup!;
  t.equal(r.exitCode, 0, 'supervise stops on Ctrl-C');
  t.match(String(r.stdout), /"reason":"BackOff"/, 'supervise reported the back-off');
  t.equal((await podlab(['down', '-c', name])).exitCode, 0);
  t.same(netnsOf(name), []);
  const ps = await execa('sh', ['-c', `ps -eo args | grep -F '${D}' | grep -v grep || true`]);
  t.equal(String(ps.stdout).trim(), '', 'no process of the lab runs');
  t.notOk(existsSync(join(STATE_DIR, name)), 'the lab\'s state folder is gone');
});
