// NetworkPolicy through the use-cases against the recording fake host (kernel/fake.ts): the engine's rule sets go
// through the one rule ledger — IP sets before the iptables rules that name them, the engine's nft table of its
// own — a re-up changes nothing, a live change rewrites only rule sets, drift of the sets is repaired, and with the
// last policy gone no IP set, policy chain or engine table is left.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeExecutor } from '../../src/kernel/fake.js';
import { MemoryStore } from '../../src/store/memory.js';
import { up, type LabContext } from '../../src/lab/index.js';
import { parseLabFiles } from '../../src/modes/registry.js';
import { ROOT } from '../helpers/paths.js';

const EXAMPLE = readFileSync(join(ROOT, 'examples/lab.yaml'), 'utf8');
const POLICY = (port: number) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-client, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: client}}}]
      ports: [{port: ${port}}]
`;
const lab = (text: string, mode: string, proxyMode: string) => parseLabFiles([{ file: 'lab.yaml', text, dir: join(ROOT, 'examples') }], { mode, proxyMode });
const host = (): Partial<LabContext> & { exec: FakeExecutor; store: MemoryStore } => ({ exec: new FakeExecutor(), store: new MemoryStore(), root: true });
const nodes = (h: { exec: FakeExecutor }) => h.exec.listNetns().filter((n) => /^pl-demo-node\d$/.test(n)).map((n) => h.exec.ns(n));

t.test('overlay (Canal), iptables mode: IP sets and Calico chains through the ledger', async (t) => {
  const h = host();
  const with8080 = lab(EXAMPLE + POLICY(8080), 'overlay', 'iptables');
  await up({ ...h, files: ['lab.yaml'], lab: with8080 });
  for (const n of nodes(h)) {
    t.match(n.rulesets.get('iptables')!, /-A cali-FORWARD /, 'Calico\'s chains in every node');
    const sets = Object.keys(n.ipsets ?? {});
    t.ok(sets.length > 0 && sets.every((s) => /^cali40[sn]:/.test(s)), `IP sets, no temporaries left: ${sets.join(' ')}`);
  }
  t.equal((await up({ ...h, files: ['lab.yaml'], lab: with8080 })).changes, 0, 're-up: no changes');

  // Drift: someone destroys the sets of node1; the next up reads them back and writes them again.
  const n1 = h.exec.ns('pl-demo-node1');
  const had = JSON.stringify(n1.ipsets);
  n1.ipsets = {};
  const r = await up({ ...h, files: ['lab.yaml'], lab: with8080 });
  t.ok(r.changes >= 1, 'repaired');
  t.equal(JSON.stringify(n1.ipsets), had, 'the same sets and members again');

  // A live change of the policy: rule sets only, no namespace read back.
  const live = await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE + POLICY(81), 'overlay', 'iptables'), live: true });
  t.equal(live.readBack, 0, 'nothing read back');
  t.ok(live.rulesSynced > 0, `${live.rulesSynced} namespaces' rule sets rewritten`);
  const pi = nodes(h).map((n) => n.rulesets.get('iptables')!.split('\n').filter((l) => l.startsWith('-A cali-pi-')).join('\n')).join('\n');
  t.match(pi, /--destination-ports 81 /, 'the new port is in the policy chain');
  t.notMatch(pi, /--destination-ports 8080 /, 'the old one is not');

  // The last policy goes: no set, no policy chain.
  await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE, 'overlay', 'iptables'), live: true });
  for (const n of nodes(h)) {
    t.same(Object.keys(n.ipsets ?? {}), [], 'no IP set left');
    t.notMatch(n.rulesets.get('iptables')!, /cali-(FORWARD|INPUT|OUTPUT|pi-|tw-|fw-)/, 'no policy chain left');
  }
  t.equal((await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE, 'overlay', 'iptables') })).changes, 0, 'and a re-up finds nothing to do');
});

for (const mode of ['overlay', 'vpc']) {
  t.test(`${mode}, nftables mode: the engine's table of its own, removed with the last policy`, async (t) => {
    const h = host();
    const table = mode === 'vpc' ? 'nftables ip aws-network-policy-agent' : 'nftables ip calico';
    await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE + POLICY(8080), mode, 'nftables') });
    for (const n of nodes(h)) {
      t.ok(n.rulesets.has(table), `${table} in every node`);
      t.ok(n.rulesets.has('nftables ip kube-proxy'), 'next to kube-proxy\'s');
      t.same(Object.keys(n.ipsets ?? {}), [], 'no ipset in nftables mode');
    }
    t.equal((await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE + POLICY(8080), mode, 'nftables') })).changes, 0, 're-up: no changes');
    await up({ ...h, files: ['lab.yaml'], lab: lab(EXAMPLE, mode, 'nftables'), live: true });
    for (const n of nodes(h)) t.notOk(n.rulesets.has(table), 'the engine table is gone');
    t.ok(nodes(h).every((n) => n.rulesets.has('nftables ip kube-proxy')), 'kube-proxy\'s stays');
  });
}
