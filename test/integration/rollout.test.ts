// A rolling update and an undo of a Deployment behind a Service, on a real lab, under a curl loop through the
// ClusterIP from a client pod: every request must succeed while the ReplicaSets are resized step by step (readiness
// gates each step; endpoints leave the rules before their pods go; host-local does not hand a released address out
// again at once), both revisions must have answered, and the lab is removed without leftovers.
import t from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { clusterName, writeLab, pod, podlab, netnsOf, isRoot, STATE_DIR } from '../helpers/lab.js';

interface Status {
  pods: { namespace: string; name: string; ip: string; phase: string; owner?: { kind: string; name: string } }[];
  workloads: { kind: string; name: string; desired: number; current: number; ready: number }[];
}
const status = async (name: string): Promise<Status> => JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as Status;

const web = (version: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, env: [{name: VERSION, value: "${version}"}], ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.96.0.81
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`;

/** The ReplicaSet (web-<hash>) of every pod of the Deployment. */
const replicaSets = (s: Status) => [...new Set(s.pods.filter((p) => p.owner?.kind === 'ReplicaSet').map((p) => p.owner!.name))].sort();

t.test('a rolling update and an undo under a curl loop through the Service lose no request', { skip: !isRoot && 'needs root' }, async (t) => {
  const name = clusterName('r');
  const file = writeLab({ name, nodes: 3, extra: pod('shop', 'client', 'node1', '[{containerPort: 9000}]', '{app: client}').replace(/---\n$/, '') });
  const dir = mkdtempSync(join(tmpdir(), 'podlab-rollout-'));
  const v1 = join(dir, 'web-v1.yaml');
  const v2 = join(dir, 'web-v2.yaml');
  writeFileSync(v1, web('v1'));
  writeFileSync(v2, web('v2'));
  const log = join(dir, 'curl.log');
  let loop: ReturnType<typeof spawn> | undefined;
  try {
    const up = await podlab(['up', '-f', file, '-f', v1]);
    t.equal(up.exitCode, 0, `up: ${up.stderr}`);
    if (up.exitCode !== 0) return;
    const before = await status(name);
    const rs1 = replicaSets(before);
    t.equal(rs1.length, 1, `one ReplicaSet at first: ${rs1.join(', ')}`);

    // One line per request: curl's exit code and the pod that answered (netexec /hostname).
    const script = `while [ ! -e ${dir}/stop ]; do r=$(curl -sS -m 2 http://10.96.0.81/hostname 2>&1); echo "$? $r $(date +%T.%N)"; sleep 0.02; done > ${log}`;
    loop = spawn('ip', ['netns', 'exec', `pl-${name}-shop-client`, 'sh', '-c', script], { stdio: 'ignore', detached: true });
    const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
    for (let i = 0; i < 50 && lines().length < 5; i++) await new Promise((r) => setTimeout(r, 100));
    t.ok(lines().length >= 5, 'the curl loop is answered before the rollout');

    const roll = await podlab(['apply', '-f', v2, '-c', name, '--json']);
    t.equal(roll.exitCode, 0, `apply of the changed template: ${roll.stderr}`);
    const steps = (JSON.parse(String(roll.stdout)) as { steps?: string[] }).steps ?? [];
    t.ok(steps.length >= 3, `the rollout was walked in steps (maxSurge 1, maxUnavailable 0): ${steps.join(' | ')}`);
    const rs = await podlab(['rollout', 'status', 'deployment/web', '-n', 'shop', '-c', name]);
    t.equal(rs.exitCode, 0, rs.stderr);
    t.match(String(rs.stdout), /deployment "web" successfully rolled out/);
    const after = await status(name);
    const rs2 = replicaSets(after);
    t.equal(rs2.length, 1, `one ReplicaSet with pods after the rollout: ${rs2.join(', ')}`);
    t.not(rs2[0], rs1[0], 'a new pod-template-hash');
    t.equal(after.pods.filter((p) => p.owner?.kind === 'ReplicaSet' && p.phase === 'Running').length, 3, 'three Running pods');
    const ips = (s: Status) => s.pods.filter((p) => p.owner?.kind === 'ReplicaSet').map((p) => p.ip);
    t.same(ips(after).filter((ip) => ips(before).includes(ip)), [], `no address of a removed pod handed out again at once, as host-local does: ${ips(before).join(' ')} → ${ips(after).join(' ')}`);

    const undo = await podlab(['rollout', 'undo', 'deployment/web', '-n', 'shop', '-c', name]);
    t.equal(undo.exitCode, 0, undo.stderr);
    t.match(String(undo.stdout), /^deployment\.apps\/web rolled back$/m);
    const back = await status(name);
    t.same(replicaSets(back), rs1, 'the undo brings back the first ReplicaSet (same hash, same name)');
    const hist = await podlab(['rollout', 'history', 'deployment/web', '-n', 'shop', '-c', name]);
    t.match(String(hist.stdout), /REVISION[\s\S]*\b2\b[\s\S]*\b3\b/, 'history: revisions 2 and 3 (revision 1 became 3)');

    writeFileSync(join(dir, 'stop'), '');
    for (let i = 0; i < 50 && loop.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    const all = lines();
    const failed = all.filter((l) => !l.startsWith('0 '));
    t.ok(all.length >= 50, `${all.length} requests during the rollout and the undo`);
    t.same(failed, [], 'no request failed');
    const answered = new Set(all.filter((l) => l.startsWith('0 ')).map((l) => l.split(' ')[1]!.replace(/-[^-]+$/, '')));
    t.ok([...rs1, ...rs2].every((r) => answered.has(r)), `pods of both ReplicaSets answered: ${[...answered].join(', ')}`);
  } finally {
    if (loop?.pid && loop.exitCode === null) process.kill(-loop.pid, 'SIGTERM');
    const d = await podlab(['down', '-c', name]);
    t.equal(d.exitCode, 0, `down: ${d.stderr}`);
    t.same(netnsOf(name), [], 'down leaves no namespaces');
    t.notOk(existsSync(join(STATE_DIR, name)), 'nor its state folder');
  }
});
