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
