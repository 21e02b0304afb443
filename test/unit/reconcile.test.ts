// The lab use-cases against a recording fake host (kernel/fake.ts): the properties the integration tests prove on a
// real kernel, here without root — a re-up of an unchanged lab makes no change, an edit converges in one run, drift is
// repaired, an interrupted up is removable by down, and every effect goes through the Executor.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeExecutor } from '../../src/kernel/fake.js';
import { MemoryStore } from '../../src/store/memory.js';
import { up, down, status, AbortedError, checkLab, type LabContext } from '../../src/lab/index.js';
import { parseLabFiles } from '../../src/modes/registry.js';
import { ROOT } from '../helpers/paths.js';

const EXAMPLE = readFileSync(join(ROOT, 'examples/lab.yaml'), 'utf8');
const lab = (text: string, mode?: string) => parseLabFiles([{ file: 'lab.yaml', text, dir: join(ROOT, 'examples') }], { mode });

function host(): Partial<LabContext> & { exec: FakeExecutor; store: MemoryStore } {
  return { exec: new FakeExecutor(), store: new MemoryStore(), root: true };
}

for (const mode of ['overlay', 'vpc']) {
  t.test(`${mode}: up builds, a re-up of the unchanged lab makes 0 changes`, async (t) => {
    const h = host();
    const l = lab(EXAMPLE, mode);
    const r1 = await up({ ...h, files: ['lab.yaml'], lab: l });
    t.ok(r1.changes > 100, `first up: ${r1.changes} changes`);
    t.equal(r1.created.length, h.exec.listNetns().length, 'every namespace was created');
    const before = h.exec.log.length;
    const r2 = await up({ ...h, files: ['lab.yaml'], lab: l });
    t.equal(r2.changes, 0, 're-up: no changes');
    const writes = h.exec.since(before).filter((c) => /-batch -|iptables-restore|nft -f|spawn/.test(c) && !/ip -j -d -batch/.test(c));
    t.same(writes.filter((c) => !/nsctl|pl-probe-/.test(c)), [], 're-up wrote nothing to the lab (only the preflight probe ran, in its own namespace)');
    const s = await status(l.cluster.name, h);
    t.ok(s.pods.every((p) => p.phase === 'Running'), s.pods.map((p) => `${p.name} ${p.phase} ${p.reason ?? ''}`).join(', '));
  });
}

t.test('an edit converges in one run: a pod added, a Service port changed; then 0 changes', async (t) => {
  const h = host();
  await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE) });
  const edited = EXAMPLE.replace('port: 80, targetPort: http', 'port: 81, targetPort: http') + `---
apiVersion: v1
kind: Pod
metadata: {name: web-4, namespace: shop, labels: {app: web}}
spec: {nodeName: node3, containers: [{name: web, ports: [{containerPort: 8080, name: http}]}]}
`;
  const r = await up({ ...h, files: ['lab.yaml'], lab: lab(edited) });
  t.ok(r.created.includes('pl-demo-shop-web-4'), 'the new pod namespace was created');
  t.ok(r.changes > 0);
  const ipt = h.exec.ns('pl-demo-node1').rulesets.get('iptables')!;
  t.match(ipt, /-p tcp -d \S+ --dport 81 /, 'the new port is in node1\'s rules');
  t.equal((await up({ ...h, files: ['lab.yaml'], lab: lab(edited) })).changes, 0, 'and then nothing more to do');
});

t.test('drift is repaired by the next up: a deleted route, a flushed rule set, a killed process', async (t) => {
  const h = host();
  const l = lab(EXAMPLE);
  await up({ ...h, files: ['lab.yaml'], lab: l });
  const n1 = h.exec.ns('pl-demo-node1');
  const route = n1.routes.find((r) => r.dev === 'flannel.1')!;
  n1.routes = n1.routes.filter((r) => r !== route);
  n1.rulesets.set('iptables', '*nat\nCOMMIT\n');
  const rt = [...h.exec.procs].find(([, p]) => p.netns === 'pl-demo-node2' && p.argv.some((a) => a.endsWith('netexec.py')))!;
  h.exec.signal(rt[0], 'SIGKILL');
  const r = await up({ ...h, files: ['lab.yaml'], lab: l });
  t.ok(n1.routes.some((x) => x.dst === route.dst && x.dev === 'flannel.1'), 'route back');
  t.match(n1.rulesets.get('iptables')!, /KUBE-SERVICES/, 'rules back');
  t.ok([...h.exec.procs.values()].some((p) => p.alive && p.netns === 'pl-demo-node2' && p.argv.some((a) => a.endsWith('netexec.py'))), 'runtime restarted');
  t.ok(r.changes >= 3, `${r.changes} changes`);
});

t.test('an up interrupted midway is removable: down leaves no namespace and no process', async (t) => {
  const h = host();
  let steps = 0;
  await t.rejects(up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE), aborted: () => ++steps > 2 }), AbortedError);
  t.ok(h.exec.listNetns().length > 0, 'something was built');
  const d = await down('demo', h);
  t.same(d.leftovers, []);
  t.same(h.exec.listNetns(), []);
  t.same([...h.exec.procs.values()].filter((p) => p.alive), []);
  t.same(await h.store.list(), [], 'state removed');
});

t.test('down falls back to the kernel when the state is corrupt', async (t) => {
  const h = host();
  await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE) });
  h.store.setRaw('demo', '{"version": 2, "cluster": "demo", "topo');
  await t.rejects(status('demo', h), /corrupt state file memory:demo/);
  const d = await down('demo', h);
  t.match(d.warnings ?? [], [/corrupt state/]);
  t.same(h.exec.listNetns(), []);
});

t.test('declared checks are taken from the state recorded at up, not re-read from the files', async (t) => {
  const h = host();
  const text = EXAMPLE + readFileSync(join(ROOT, 'examples/checks.yaml'), 'utf8').replace(/^/, '---\n');
  const l = lab(text);
  t.ok(l.checks.length > 0);
  await up({ ...h, files: ['/nonexistent/lab.yaml'], lab: l });
  const st = await h.store.read('demo');
  t.equal(st?.checks?.length, l.checks.length);
  // The fake runs no probes: a check run here only proves that planning found the declared checks.
  const r = await checkLab('demo', { ...h, filter: 'declared*', concurrency: 1 });
  t.equal(r.verdicts.length, l.checks.length);
});

t.test('every effect went through the executor: nothing on this machine was touched', async (t) => {
  const h = host();
  await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE) });
  t.ok(h.exec.log.some((c) => c.startsWith('spawn ')), 'processes were started through it');
  t.ok([...h.exec.fileMap.keys()].some((f) => f.includes('/netexec/')), 'runtime files were written through it');
});

// #8 (hardening): SIGINT during `podlab check` reported "RESULT: FAIL" and counted every unrun check as an error.
t.test('an interrupted check reports only the checks that ran, counts none of the rest, and says so', async (t) => {
  const h = host();
  await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE) });
  const start = h.exec.log.length;
  const r = await checkLab('demo', { ...h, concurrency: 1, aborted: () => h.exec.log.length - start >= 5 });
  t.equal(r.interrupted, true);
  t.ok(r.verdicts.length >= 1 && r.verdicts.length < 20, `${r.verdicts.length} ran`);
  t.ok((r.notRun ?? 0) > 100, `${r.notRun} not run`);
  t.ok(r.verdicts.every((v) => v.attempts.length > 0), 'every reported check has evidence');
  t.same(r.problems, []);
  const { human, json } = await import('../../src/report/checks.js');
  const text = human({ runs: [r] });
  t.match(text, /interrupted: \d+ not run/);
  t.match(text, /RESULT: INTERRUPTED/);
  t.notMatch(text, /no attempt was made/);
  const j = JSON.parse(json({ runs: [r] })).runs[0];
  t.same([j.interrupted, j.notRun, j.counts.total], [true, r.notRun, r.verdicts.length]);
});

// #3 (hardening): two `up`s at once left duplicate netexec processes and every pod Failed; `up` and `down` at once both
// exited 0 with the lab fully built. Every command that changes a lab holds its lock (lab/lock.ts).
t.test('the lab lock: a second up waits its turn (told who holds it), --no-wait fails at once, up + down at once ends with no lab', async (t) => {
  const h = host();
  const l = lab(EXAMPLE);
  const waits: string[] = [];
  const a = up({ ...h, files: ['lab.yaml'], lab: l, lock: { command: 'podlab up (first)' } });
  const b = up({ ...h, files: ['lab.yaml'], lab: l, lock: { command: 'podlab up (second)', onWait: (x) => waits.push(`${x.pid} ${x.command}`) } });
  const [ra, rb] = await Promise.all([a, b]);
  t.same(waits, [`${process.pid} podlab up (first)`], 'the second was told who holds the lock');
  t.ok(ra.changes > 100);
  t.equal(rb.changes, 0, 'the second found the lab built: nothing to do');
  const runtimes = [...h.exec.procs.values()].filter((p) => p.alive && p.argv.some((x) => x.endsWith('netexec.py')));
  t.equal(runtimes.length, new Set(runtimes.map((p) => p.netns)).size, 'one netexec runtime per namespace, no duplicates');
  t.ok((await status('demo', h)).pods.every((p) => p.phase === 'Running'));

  const { LabLockedError } = await import('../../src/lab/lock.js');
  const c = up({ ...h, files: ['lab.yaml'], lab: l });
  await t.rejects(down('demo', { ...h, lock: { wait: false } }), LabLockedError, '--no-wait: fails at once while up runs');
  await t.rejects(down('demo', { ...h, lock: { wait: false } }), /lab "demo" is being changed by pid \d+ \(.*\)/);
  const d = down('demo', h);
  await c;
  const dr = await d;
  t.same(dr.leftovers, []);
  t.same(h.exec.listNetns(), [], 'up then down, in turn: no lab is left');
});

// #4 (hardening): after a kill -9 during process start, a deleted state folder or a corrupt state, each re-up started
// another set of processes that could not bind their ports. up stops the lab's processes its state does not know.
t.test('a re-up after the state folder was deleted stops the processes it no longer knows before starting its own', async (t) => {
  const h = host();
  const l = lab(EXAMPLE);
  await up({ ...h, files: ['lab.yaml'], lab: l });
  const user = await h.exec.spawn(['tcpdump', '-ni', 'eth0'], { host: h.exec.host, netns: 'pl-demo-node1' }, { log: '/tmp/x.log' });
  await h.store.remove('demo');
  const r = await up({ ...h, files: ['lab.yaml'], lab: l });
  const alive = [...h.exec.procs.values()].filter((p) => p.alive);
  const runtimes = alive.filter((p) => p.argv.some((x) => x.endsWith('netexec.py')));
  t.equal(runtimes.length, new Set(runtimes.map((p) => p.netns)).size, 'one netexec runtime per namespace');
  t.ok(h.exec.alive(user.pid), "a process that is not the lab's (a user's tcpdump) is left running");
  t.match(r.notices, [/pid \d+ \(tcpdump -ni eth0\) in pl-demo-node1 is not the lab's: left running/]);
  t.ok((await status('demo', h)).pods.every((p) => p.phase === 'Running'));
  h.exec.signal(user.pid, 'SIGKILL');
});

// #5 (hardening): `ip netns del` of a pod namespace by hand: a netexec socket keeps the old namespace, and the
// host-side veth in the node, alive; every re-up failed with "Cannot find device eth0".
t.test('a pod namespace deleted by hand: status does not say Running, and the next up rebuilds it (orphaned host veth first)', async (t) => {
  const h = host();
  const l = lab(EXAMPLE);
  await up({ ...h, files: ['lab.yaml'], lab: l });
  const pod = 'pl-demo-shop-web-1';
  const veth = [...h.exec.ns('pl-demo-node1').links.values()].find((x) => x.peer?.netns === pod)!;
  h.exec.netns.delete(pod); // the name goes; the namespace (and the veth's node end) lives on, held by a socket
  const s = await status('demo', h);
  t.equal(s.pods.find((p) => p.name === 'web-1')!.phase, 'Missing');
  await h.exec.run(['ip', 'netns', 'add', pod]); // made again by hand: exists, but is not the pod's
  t.equal((await status('demo', h)).pods.find((p) => p.name === 'web-1')!.phase, 'Failed');
  await h.exec.run(['ip', 'netns', 'del', pod]);
  const r = await up({ ...h, files: ['lab.yaml'], lab: l });
  t.same(r.problems, []);
  t.ok(h.exec.ns(pod).links.has('eth0'), 'the pod has its eth0 again');
  t.equal(h.exec.ns(pod).links.get('eth0')!.peer?.name, veth.name, 'paired with a new host veth of the same name');
  t.equal((await status('demo', h)).pods.find((p) => p.name === 'web-1')!.phase, 'Running');
  t.equal((await up({ ...h, files: ['lab.yaml'], lab: l })).changes, 0);
});

// The daemon's flake (a pod namespace deleted by hand, made again, never wired): when the run that made the
// namespace again stops before its veth is made, the next run finds the namespace there (not new) without its
// eth0, and the node's end still paired with the old namespace. It must replace that orphan all the same.
t.test('a pod namespace made again but not wired (an earlier run cut short): the next up replaces the orphaned host veth', async (t) => {
  const h = host();
  const l = lab(EXAMPLE);
  await up({ ...h, files: ['lab.yaml'], lab: l });
  const pod = 'pl-demo-shop-web-1';
  const veth = [...h.exec.ns('pl-demo-node1').links.values()].find((x) => x.peer?.netns === pod)!;
  h.exec.netns.delete(pod); // deleted by hand; the old namespace (and the veth's node end) lives on
  await h.exec.run(['ip', 'netns', 'add', pod]); // made again by a run that ended there
  const r = await up({ ...h, files: ['lab.yaml'], lab: l });
  t.same(r.problems, []);
  t.ok(h.exec.ns(pod).links.has('eth0'), 'the pod has its eth0 again');
  t.equal(h.exec.ns(pod).links.get('eth0')!.peer?.name, veth.name, 'paired with a new host veth of the same name');
  t.ok(h.exec.ns(pod).addrs.some((a) => a.dev === 'eth0'), 'with its address');
  t.equal((await status('demo', h)).pods.find((p) => p.name === 'web-1')!.phase, 'Running');
  t.equal((await up({ ...h, files: ['lab.yaml'], lab: l })).changes, 0);
});
