// The lab state: validated when read (a corrupt state is named, never misread), and a state written by the podlab
// before the architecture change (version 1: mode data in topology.vpc / topology.bgp, two rule ledgers) is read.
import t from 'tap';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FileStore } from '../../src/store/file.js';
import { CorruptStateError } from '../../src/store/types.js';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import { vpcOf } from '../../src/modes/vpc/ipam.js';
import { bgpOf } from '../../src/modes/bgp/ipam.js';
import { allocationsOf } from '../../src/model/topology.js';

const CLUSTER = (mode: string) => `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: old}\nspec:\n  mode: ${mode}\n  nodes: [{name: node1}]\n${mode === 'vpc' ? '  vpc: {hosts: [{name: bastion}]}\n' : ''}`;

function store(): FileStore {
  return new FileStore(mkdtempSync(join(tmpdir(), 'podlab-state-')));
}
function put(s: FileStore, text: string): void {
  mkdirSync(s.dir('old'), { recursive: true });
  writeFileSync(join(s.dir('old'), 'state.json'), text);
}

t.test('a missing state is undefined; truncated, garbage and wrong-schema states are CorruptStateError naming the file (a newer version: state.test.ts)', async (t) => {
  const s = store();
  t.equal(await s.read('old'), undefined);
  for (const [text, why] of [['{"version": 2, "clu', /not JSON.*truncated/], ['hello', /not JSON/], ['[1,2]', /not a JSON object/],
    ['{"version": 2, "cluster": "old", "files": [], "topology": {}}', /"topology\.cluster": required/],
    ['{"version": 2, "cluster": "other", "files": []}', /names cluster "other"/]] as const) {
    put(s, text);
    await t.rejects(s.read('old'), CorruptStateError);
    await t.rejects(s.read('old'), { message: new RegExp(`corrupt state file ${s.dir('old')}/state.json: .*${why.source}`) });
  }
});

for (const mode of ['vpc', 'bgp', 'overlay']) {
  t.test(`a version-1 ${mode} state is read: mode data moved, ledgers merged, a full read-back next time`, async (t) => {
    const lab = parseLabFiles([{ file: 'l.yaml', text: CLUSTER(mode), dir: '/tmp' }]);
    const topo = resolveLab(lab);
    // What podlab wrote before: topology.vpc (with hosts) or topology.bgp, iptables + nftables ledgers.
    const { modeData, hosts, ...rest } = topo as typeof topo & { modeData?: Record<string, unknown> };
    const v1topo = { ...rest, ...(mode === 'vpc' ? { vpc: { ...modeData, hosts } } : {}), ...(mode === 'bgp' ? { bgp: modeData } : { bgp: { asn: 64512 } }) };
    const s = store();
    put(s, JSON.stringify({
      version: 1, cluster: 'old', files: ['/x/lab.yaml'], topology: v1topo, allocations: {}, processes: [],
      iptables: { 'pl-old-node1': { want: 'a', saved: 'b' } }, nftables: { 'pl-old-node1': { want: 'c', saved: 'd' } },
      converged: true, planHashes: { 'pl-old-node1': 'x' }, updatedAt: 'then',
    }));
    const st = (await s.read('old'))!;
    t.equal(st.version, 2);
    t.same(st.rules, { 'pl-old-node1': { iptables: { want: 'a', saved: 'b' }, 'nftables ip kube-proxy': { want: 'c', saved: 'd' } } });
    t.equal(st.converged, false, 'the next live change reads everything back');
    if (mode === 'vpc') {
      t.same(st.topology.hosts.map((h) => h.name), ['bastion']);
      t.equal(vpcOf(st.topology).cidr, '10.0.0.0/16');
    } else t.same(st.topology.hosts, []);
    if (mode === 'bgp') t.equal(bgpOf(st.topology).blockSize, 26);
  });
}

t.test('the state file stores each service environment table once; it reads back equal, and a table index that names none is a corrupt state', async (t) => {
  const svcs = Array.from({ length: 30 }, (_, i) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec:\n  selector: {app: a}\n  ports: [{port: 80}]\n`).join('');
  const pods = Array.from({ length: 40 }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, labels: {app: a}}\nspec:\n  containers: [{name: c}]\n`).join('');
  const topo = resolveLab(parseLabFiles([{ file: 'l.yaml', text: CLUSTER('overlay') + svcs + pods, dir: '/tmp' }]));
  const env = topo.pods[0]!.serviceEnv!;
  t.ok(Object.keys(env).length > 200, 'each pod sees 30 Services: over 200 variables');
  const s = store();
  const state = { version: 2 as const, cluster: 'old', files: [], topology: topo, allocations: allocationsOf(topo), rules: {}, processes: [], updatedAt: 'now' };
  await s.write(state);
  const text = readFileSync(join(s.dir('old'), 'state.json'), 'utf8');
  t.equal(text.split('"S29_SERVICE_HOST"').length - 1, 1, 'the file holds the table once, not once per pod and twice');
  t.ok(text.length < JSON.stringify(state).length / 3, `the file (${text.length} bytes) is a third of the plain JSON (${JSON.stringify(state).length}) or less`);
  const back = await s.read('old');
  t.same(back, JSON.parse(JSON.stringify(state)), 'it reads back as written');
  t.equal(back!.topology.pods[7]!.serviceEnv, back!.allocations.pods!['default/p7']!.env, 'the pods share one table');
  put(s, text.replace(/"serviceEnv":0/, '"serviceEnv":9'));
  await t.rejects(s.read('old'), { message: /"topology\.pods\[0\]\.serviceEnv": expected object, received number/ });
});
