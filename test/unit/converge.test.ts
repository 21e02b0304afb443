// #6 (hardening): changing `underlay` on a running lab took two or three runs — the batch deleted the address, the
// kernel took the default route with it, then `route del default` failed and aborted the rest. Every field of the
// Cluster file that can change on a running lab converges in one run, and the run after makes no change. The fake
// host drops gateway routes with the address that reached them, as the kernel does.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeExecutor } from '../../src/kernel/fake.js';
import { MemoryStore } from '../../src/store/memory.js';
import { up, status, type LabContext } from '../../src/lab/index.js';
import { parseLabFiles } from '../../src/modes/registry.js';
import { ROOT } from '../helpers/paths.js';

const EXAMPLE = readFileSync(join(ROOT, 'examples/lab.yaml'), 'utf8');
const lab = (text: string, mode?: string) => parseLabFiles([{ file: 'lab.yaml', text, dir: join(ROOT, 'examples') }], { mode });

/** One edit of the Cluster document per field that can change on a running lab. */
const EDITS: Record<string, (s: string) => string> = {
  underlay: (s) => s.replace('underlay: 172.18.0.0/24', 'underlay: 172.19.0.0/24').replace(/172\.18\.0\./g, '172.19.0.'),
  podCIDR: (s) => s.replace('podCIDR: 10.244.0.0/16', 'podCIDR: 10.240.0.0/16'),
  nodeCIDRMaskSize: (s) => s.replace('nodeCIDRMaskSize: 24', 'nodeCIDRMaskSize: 25'),
  serviceCIDR: (s) => s.replace('serviceCIDR: 10.96.0.0/12', 'serviceCIDR: 10.100.0.0/16'),
  mtu: (s) => s.replace('mtu: 1500', 'mtu: 1400'),
  'external.ip': (s) => s.replace('ip: 172.18.0.100', 'ip: 172.18.0.200'),
  'external.ports': (s) => s.replace('ip: 172.18.0.100', 'ip: 172.18.0.100\n    ports: [8080, 9090]'),
  'nodes[].ip': (s) => s.replace('- name: node2', '- name: node2\n      ip: 172.18.0.42'),
  'nodes[].labels': (s) => s.replace('labels: {zone: c}', 'labels: {zone: d}'),
  'nodes (one added)': (s) => s.replace('    - name: node3\n', '    - name: node3\n    - name: node4\n'),
  'nodes (one removed)': (s) => s.replace('    - name: node3\n      labels: {zone: c}\n', '').replace(/nodeName: node3/g, 'nodeName: node1'),
  proxyMode: (s) => s.replace('mode: overlay', 'mode: overlay\n  proxyMode: nftables'),
  mode: (s) => s.replace('mode: overlay', 'mode: vpc'),
  nodePortRange: (s) => s.replace('mtu: 1500', 'mtu: 1500\n  nodePortRange: 30000-31000'),
  clusterDomain: (s) => s.replace('mtu: 1500', 'mtu: 1500\n  clusterDomain: lab.example'),
  'loadBalancer.pool': (s) => s.replace('mtu: 1500', 'mtu: 1500\n  loadBalancer: {pool: [172.18.0.200-172.18.0.210]}'),
  'kubelet.backoff': (s) => s.replace('mtu: 1500', 'mtu: 1500\n  kubelet: {backoff: {initialSeconds: 1, maxSeconds: 20}}'),
  'nodes[].taints': (s) => s.replace('labels: {zone: c}', 'labels: {zone: c}\n      taints: [{key: dedicated, value: db, effect: NoSchedule}]'),
};

/**
 * Edits of a lab in another mode (base), for the fields of that mode's section and the underlay under it. (bgp's need
 * BIRD to converge, which the fake host does not model: integration/hardening.test.ts edits them on real BIRDs.)
 */
const toVpc = (s: string) => s.replace('mode: overlay', 'mode: vpc');
const MODE_EDITS: Record<string, [(s: string) => string, (s: string) => string]> = {
  'underlay (vpc)': [toVpc, EDITS.underlay!],
  'vpc.cidr': [toVpc, (s) => s.replace('mtu: 1500', 'mtu: 1500\n  vpc: {cidr: 10.1.0.0/16}')],
  'vpc.subnetMaskSize': [toVpc, (s) => s.replace('mtu: 1500', 'mtu: 1500\n  vpc: {subnetMaskSize: 25}')],
  'vpc.externalSNAT': [toVpc, (s) => s.replace('mtu: 1500', 'mtu: 1500\n  vpc: {externalSNAT: true}')],
};

t.test('the example has what the edits change', async (t) => {
  for (const [k, f] of Object.entries(EDITS)) t.not(f(EXAMPLE), EXAMPLE, `${k}: the edit applies`);
});

const CASES: [string, (s: string) => string, (s: string) => string][] = [
  ...Object.entries(EDITS).map(([k, e]) => [k, (s: string) => s, e] as [string, (s: string) => string, (s: string) => string]),
  ...Object.entries(MODE_EDITS).map(([k, [b, e]]) => [k, b, e] as [string, (s: string) => string, (s: string) => string]),
];

t.test('the mode edits apply to their base', async (t) => {
  for (const [k, [b, e]] of Object.entries(MODE_EDITS)) t.not(e(b(EXAMPLE)), b(EXAMPLE), `${k}: the edit applies`);
});

for (const [field, base, edit] of CASES) {
  t.test(`editing ${field} on a running lab converges in one run`, async (t) => {
    const h: Partial<LabContext> & { exec: FakeExecutor; store: MemoryStore } = { exec: new FakeExecutor(), store: new MemoryStore(), root: true };
    const start = lab(base(EXAMPLE));
    await up({ ...h, files: ['lab.yaml'], lab: start });
    const edited = lab(edit(base(EXAMPLE)));
    const r = await up({ ...h, files: ['lab.yaml'], lab: edited });
    t.same(r.problems, [], 'the first run after the edit succeeds');
    const again = await up({ ...h, files: ['lab.yaml'], lab: edited });
    t.equal(again.changes, 0, 'and the next run has nothing left to do');
    const s = await status(edited.cluster.name, h);
    t.ok(s.pods.every((p) => p.phase === 'Running') && s.nodes.every((n) => n.present), s.pods.map((p) => `${p.name} ${p.phase} ${p.reason ?? ''}`).join(', '));
    // The same plan built on an empty host, from the same allocations (they are sticky: a fresh file would differ).
    const fresh = { exec: new FakeExecutor(), store: new MemoryStore(), root: true };
    fresh.store.setRaw(edited.cluster.name, JSON.stringify({ ...(await h.store.read(edited.cluster.name))!, rules: {}, converged: false }));
    await up({ ...fresh, files: ['lab.yaml'], lab: edited });
    // Kernel state without what differs between two builds of one plan: ids, random MACs, list order.
    const sorted = (v: unknown) => (Array.isArray(v) ? v.map((x) => JSON.stringify(x)).sort() : v);
    const norm = (x: FakeExecutor) => new Map((JSON.parse(x.snapshot()) as [string, Record<string, unknown>][]).map(([n, ns]) => [n, JSON.stringify({
      ...Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, sorted(v)])), id: 0,
      links: sorted((ns.links as [string, Record<string, unknown>][]).map(([k, l]) => [k, { ...l, mac: '' }])),
    })]));
    const [a, b] = [norm(h.exec), norm(fresh.exec)];
    const differ = [...new Set([...a.keys(), ...b.keys()])].filter((n) => a.get(n) !== b.get(n)).map((n) => {
      const [x, y] = [JSON.parse(a.get(n) ?? '{}'), JSON.parse(b.get(n) ?? '{}')];
      return `${n}: ${Object.keys({ ...x, ...y }).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).join(', ')}`;
    });
    t.same(differ, [], 'the kernel holds exactly what a fresh build of the edited file makes');
  });
}
