// #11 (hardening): namespace names of two labs can clash — cluster "rel" with node "a-node1" and cluster "rel-a"
// with node "node1" are both pl-rel-a-node1. Every namespace carries its lab's mark (the alias of its lo); the mark
// is checked before building (a clash is a validation error naming both labs) and decides what status, down and
// clean treat as the lab's.
import t from 'tap';
import { FakeExecutor } from '../../src/kernel/fake.js';
import { MemoryStore } from '../../src/store/memory.js';
import { up, down, clean, status, type LabContext } from '../../src/lab/index.js';
import { parseLabFiles } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import { ownedNetns } from '../../src/kernel/netns.js';

const cluster = (name: string, nodes: string[], pods = '') => parseLabFiles([{ file: `${name}.yaml`, dir: '/tmp', text: `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: ${name}}
spec:
  nodes: [${nodes.map((n) => `{name: ${n}}`).join(', ')}]
${pods}` }]);
const host = (): Partial<LabContext> & { exec: FakeExecutor; store: MemoryStore } => ({ exec: new FakeExecutor(), store: new MemoryStore(), root: true });
const REL = () => cluster('rel', ['a-node1', 'b']);
const RELA = () => cluster('rel-a', ['node1', 'node2']);

t.test('every namespace a lab creates carries its mark (lo alias podlab:<cluster>)', async (t) => {
  const h = host();
  await up({ ...h, files: ['rel-a.yaml'], lab: RELA() });
  for (const n of h.exec.listNetns()) t.equal(h.exec.ns(n).links.get('lo')!.alias, 'podlab:rel-a', n);
});

for (const order of [['rel-a', 'rel'], ['rel', 'rel-a']]) {
  t.test(`${order[0]} built, then ${order[1]}: the clash is a validation error naming both labs, and nothing of the second is built`, async (t) => {
    const h = host();
    const spec = (c: string) => (c === 'rel' ? REL() : RELA());
    await up({ ...h, files: [`${order[0]}.yaml`], lab: spec(order[0]!) });
    const before = h.exec.snapshot();
    const e = await up({ ...h, files: [`${order[1]}.yaml`], lab: spec(order[1]!) }).then(() => undefined, (x: unknown) => x);
    t.ok(e instanceof SpecError, String(e));
    t.match((e as Error).message, new RegExp(`${order[1]}\\.yaml:\\d+: .*its network namespace pl-rel-a-node1 belongs to lab "${order[0]}" .* the names of lab "${order[1]}" and lab "${order[0]}" clash`));
    t.equal(h.exec.snapshot(), before, 'the kernel is exactly as before: no partial build');
    t.same(await h.store.list(), [order[0]], 'no state for the refused lab');
    const s = await status(order[0]!, h);
    t.ok(s.nodes.every((n) => n.present) && s.pods.every((p) => p.phase === 'Running'), 'the first lab is intact');
  });
}

t.test('status shows a node whose namespace another lab owns as missing, not as its own', async (t) => {
  const h = host();
  await up({ ...h, files: ['rel.yaml'], lab: REL() });
  h.exec.ns('pl-rel-a-node1').links.get('lo')!.alias = 'podlab:rel-a';
  const s = await status('rel', h);
  t.same(s.nodes.map((n) => [n.name, n.present]), [['a-node1', false], ['b', true]]);
});

t.test('clean -c rel leaves rel-a alone even when rel-a has no fabric namespace (an interrupted build)', async (t) => {
  const h = host();
  await up({ ...h, files: ['rel-a.yaml'], lab: RELA() });
  await up({ ...h, files: ['rel.yaml'], lab: cluster('rel', ['x']) });
  await h.exec.run(['ip', 'netns', 'del', 'pl-rel-a-fabric']);
  const relA = h.exec.listNetns().filter((n) => n.startsWith('pl-rel-a-'));
  t.ok(relA.length >= 2);
  const c = await clean({ cluster: 'rel' }, h);
  t.same(c.leftovers, []);
  t.same(h.exec.listNetns().sort(), relA.sort(), "only rel's namespaces went; every one of rel-a's is there");
  const d = await down('rel-a', h);
  t.same(d.leftovers, []);
  t.same(h.exec.listNetns(), []);
});

t.test('namespaces of an older podlab (no mark) are still the lab\'s by name, and the next up marks them', async (t) => {
  const h = host();
  await up({ ...h, files: ['rel.yaml'], lab: REL() });
  for (const n of h.exec.listNetns()) delete h.exec.ns(n).links.get('lo')!.alias;
  const own = await ownedNetns(h.exec, 'rel');
  t.equal(own.mine.length, h.exec.listNetns().length);
  t.equal(own.unmarked.length, own.mine.length);
  const r = await up({ ...h, files: ['rel.yaml'], lab: REL() });
  t.equal(r.changes, own.mine.length, 'the only changes: the marks');
  t.equal((await ownedNetns(h.exec, 'rel')).unmarked.length, 0);
  t.equal((await up({ ...h, files: ['rel.yaml'], lab: REL() })).changes, 0);
});
