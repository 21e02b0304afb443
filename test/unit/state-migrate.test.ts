// The lab state: validated when read (a corrupt state is named, never misread), and a state written by the podlab
// before the architecture change (version 1: mode data in topology.vpc / topology.bgp, two rule ledgers) is read.
import t from 'tap';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FileStore } from '../../src/store/file.js';
import { CorruptStateError } from '../../src/store/types.js';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import { vpcOf } from '../../src/modes/vpc/ipam.js';
import { bgpOf } from '../../src/modes/bgp/ipam.js';

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
