import t from 'tap';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { allocationsOf } from '../../src/model/topology.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import { podNetns, bridgeVethName, cniVethName, nodeNetns, fabricPortName, NETNS_MAX } from '../../src/net/names.js';
import { parseCidr, subnet, nth } from '../../src/net/ip.js';

function lab(pods: string[], nodes = ['node1', 'node2', 'node3'], extra = '') {
  const text = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
${extra}  nodes: [${nodes.map((n) => `{name: ${n}}`).join(', ')}]
` + pods.map((p) => {
    const [name, node] = p.split('@');
    return `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: x}\nspec: {${node ? `nodeName: ${node}, ` : ''}containers: [{name: c, ports: [{containerPort: 80}]}]}\n`;
  }).join('');
  return parseLab([{ file: 'lab.yaml', text, dir: '/tmp' }]);
}

t.test('ip helpers', async (t) => {
  t.match(parseCidr('10.244.1.0/16'), /not aligned.*10\.244\.0\.0\/16/);
  t.match(parseCidr('10.0.0/8'), /not an IPv4 CIDR/);
  const c = parseCidr('10.244.0.0/16');
  if (typeof c === 'string') throw new Error(c);
  t.equal(subnet(c, 24, 3).text, '10.244.3.0/24');
  t.equal(nth(c, 258), '10.244.1.2');
});

t.test('addresses: nodes from .11, node subnets in order, pods from .2 (host-local), gateway .1', async (t) => {
  const topo = resolve(lab(['a@node1', 'b@node1', 'c@node2']));
  t.same(topo.nodes.map((n) => [n.name, n.ip, n.podCIDR]), [
    ['node1', '172.18.0.11', '10.244.0.0/24'], ['node2', '172.18.0.12', '10.244.1.0/24'], ['node3', '172.18.0.13', '10.244.2.0/24'],
  ]);
  t.same(topo.pods.map((p) => [p.key, p.node, p.ip]), [['x/a', 'node1', '10.244.0.2'], ['x/b', 'node1', '10.244.0.3'], ['x/c', 'node2', '10.244.1.2'],
    ['kube-system/cluster-dns', 'node3', '10.244.2.2']], 'the cluster DNS pod last, on the emptiest node');
  t.equal(topo.gateway, '172.18.0.1');
  t.equal(topo.external.ip, '172.18.0.100');
  t.equal(topo.external.netns, 'pl-demo-ext');
});

t.test('scheduler: fewest pods first, ties in node order, nodeName wins', async (t) => {
  const topo = resolve(lab(['a', 'b', 'c', 'd@node1', 'e']));
  t.same(topo.pods.filter((p) => !p.system).map((p) => p.node), ['node2', 'node3', 'node1', 'node1', 'node2']);
  t.equal(topo.pods.at(-1)!.system, 'dns', 'the DNS pod is scheduled after every user pod');
});

t.test('allocations are sticky: removing and adding pods keeps every other address', async (t) => {
  const first = resolve(lab(['a@node1', 'b@node1', 'c@node1', 'm', 'n']));
  const prev = allocationsOf(first);
  const second = resolve(lab(['a@node1', 'c@node1', 'm', 'n', 'z@node1']), prev);
  const ip = (tp: typeof first, k: string) => tp.pods.find((p) => p.key === k)!.ip;
  t.equal(ip(second, 'x/a'), ip(first, 'x/a'));
  t.equal(ip(second, 'x/c'), ip(first, 'x/c'));
  t.equal(ip(second, 'x/m'), ip(first, 'x/m'));
  t.not(ip(second, 'x/z'), ip(first, 'x/b'), 'the freed address is not handed straight back (host-local: after the last reserved, #2)');
  // A node added in front of the list does not renumber the others.
  const third = resolve(lab(['a@node1'], ['node0', 'node1', 'node2', 'node3']), prev);
  t.equal(third.nodes.find((n) => n.name === 'node1')!.ip, '172.18.0.11');
  t.equal(third.nodes.find((n) => n.name === 'node1')!.podCIDR, '10.244.0.0/24');
  t.equal(third.nodes.find((n) => n.name === 'node0')!.podCIDR, '10.244.3.0/24');
});

t.test('a full node subnet is reported, not silently dropped', async (t) => {
  const pods = Array.from({ length: 7 }, (_, i) => `p${i}@node1`);
  t.throws(() => resolve(lab(pods, ['node1'], '  nodeCIDRMaskSize: 29\n')), SpecError);
  try {
    resolve(lab(pods, ['node1'], '  nodeCIDRMaskSize: 29\n'));
  } catch (e) {
    t.match((e as Error).message, /Pod x\/p5: node node1's pod CIDR 10\.244\.0\.0\/29 is full/);
  }
});

t.test('names: readable, shortened with a hash when long, kernel-safe, and collisions reported', async (t) => {
  t.equal(nodeNetns('demo', 'node1'), 'pl-demo-node1');
  t.equal(podNetns('demo', 'shop', 'web-1'), 'pl-demo-shop-web-1');
  const long = podNetns('demo', 'a-very-long-namespace-name', 'and-a-long-pod-name-too');
  t.ok(long.length <= NETNS_MAX, long);
  t.not(long, podNetns('demo', 'a-very-long-namespace-name', 'and-a-long-pod-name-too2'));
  t.match(bridgeVethName('demo', 'x', 'a'), /^veth[0-9a-f]{8}$/);
  t.ok(fabricPortName('a-node-with-a-long-name').length <= 15);
  // Calico's own example: sha1("<ns>.<pod>")[:11].
  t.match(cniVethName('cali', 'default', 'nginx'), /^cali[0-9a-f]{11}$/);
  t.throws(() => resolve(lab(['a'], ['x-a'])), /collides/);
});
