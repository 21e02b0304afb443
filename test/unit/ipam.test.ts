// #2: a freed pod IP is not handed straight back to the next pod (host-local's last_reserved_ip in overlay and vpc,
// Calico's block free-list order in bgp); it is reused only after the rest of the range.
import t from 'tap';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import { allocationsOf } from '../../src/model/topology.js';

function lab(mode: string, pods: string[]) {
  const text = `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: rr}\nspec:\n  mode: ${mode}\n  nodes: [{name: node1}]\n` +
    pods.map((p) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${p}}\nspec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 80}]}]}\n`).join('');
  return parseLabFiles([{ file: 'lab.yaml', text, dir: '/tmp' }]);
}
const ipOf = (topo: ReturnType<typeof resolveLab>, name: string) => topo.pods.find((p) => p.name === name)!.ip;

for (const mode of ['overlay', 'bgp', 'vpc']) {
  t.test(`${mode}: delete a pod, add another: it gets a new address, the freed one only after the range wraps`, async (t) => {
    const t1 = resolveLab(lab(mode, ['a', 'b', 'c']));
    const [a, b, c] = ['a', 'b', 'c'].map((n) => ipOf(t1, n));
    t.not(a, b);
    // b is deleted, d applied: d must not get b's address (the node's neighbour tables still map it to b's MAC).
    const t2 = resolveLab(lab(mode, ['a', 'c', 'd']), allocationsOf(t1));
    t.equal(ipOf(t2, 'a'), a, 'sticky');
    t.equal(ipOf(t2, 'c'), c, 'sticky');
    const d = ipOf(t2, 'd');
    t.not(d, b, `d got ${d}, not the freed ${b}`);
    t.not(d, a);
    t.not(d, c);
    // And again: e gets the address after d's, still not b's.
    const t3 = resolveLab(lab(mode, ['a', 'c', 'd', 'e']), allocationsOf(t2));
    t.equal(ipOf(t3, 'd'), d);
    t.not(ipOf(t3, 'e'), b);
    t.same(allocationsOf(t3).lastReserved, { node1: ipOf(t3, 'e') }, 'the last handed out is remembered');
  });
}

t.test('overlay: the range wraps to the first free address once the end is reached', async (t) => {
  const names = Array.from({ length: 11 }, (_, i) => `p${i}`); // + the cluster DNS pod: 12 of 13
  const small = (pods: string[]) => {
    const l = lab('overlay', pods);
    return { ...l, cluster: { ...l.cluster, nodeCIDRMaskSize: 28 } };
  };
  const t1 = resolveLab(small(names)); // a /28: offsets 2..14 (13 pods)
  const freed = ipOf(t1, 'p0');
  const t2 = resolveLab(small([...names.slice(1), 'q']), allocationsOf(t1));
  t.equal(ipOf(t2, 'q').split('.')[3], '14', 'the last free offset before wrapping');
  const t3 = resolveLab(small([...names.slice(1), 'q', 'r']), allocationsOf(t2));
  t.equal(ipOf(t3, 'r'), freed, 'then the freed one, after the wrap');
});
