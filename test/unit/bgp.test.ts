// bgp mode (pure parts): Calico names and IPAM blocks, bird.cfg for a full mesh and for route reflectors,
// spec.bgp validation, the plan as iproute2 text, and the diff leaving BIRD's routes alone.
import t from 'tap';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import { cniVethName } from '../../src/net/names.js';
import { bgp } from '../../src/modes/bgp/index.js';
import { birdConfig, bgpPeers, isPassive, meshProtocolName } from '../../src/modes/bgp/bird.js';
import { diffNs, opsText, EMPTY_OBSERVED } from '../../src/kernel/ops.js';
import { parseProtocols, expectedRoutes } from '../../src/modes/bgp/runtime.js';

const lab = (specExtra: string, pods: [string, string][], nodes = 3) => `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
  mode: bgp
  underlay: 172.18.0.0/24
${specExtra}
  nodes: [${Array.from({ length: nodes }, (_, i) => `{name: node${i + 1}}`).join(', ')}]
${pods.map(([name, node]) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: x}
spec: {nodeName: ${node}, containers: [{name: c, ports: [{containerPort: 80}]}]}
`).join('')}`;
const topo = (text: string) => resolve(parseLab([{ file: 'lab.yaml', text, dir: '/tmp' }]));

t.test("cali names: 'cali' + 11 hex of sha1(\"<ns>.<pod>\")", async (t) => {
  // sha1("default.web-0") = 4f1c1b5b2d0ae12f…; Calico names the veth cali4f1c1b5b2d0.
  t.equal(cniVethName('cali', 'default', 'web-0'), 'cali' + (await import('node:crypto')).createHash('sha1').update('default.web-0').digest('hex').slice(0, 11));
  t.match(cniVethName('cali', 'x', 'a'), /^cali[0-9a-f]{11}$/);
});

t.test('IPAM: /26 blocks handed out as needed, .0 first, a second block when one is full', async (t) => {
  const pods: [string, string][] = Array.from({ length: 65 }, (_, i) => [`p${i}`, 'node1']);
  pods.push(['q', 'node2']);
  const tp = topo(lab('', pods));
  const n = (name: string) => tp.nodes.find((x) => x.name === name)!;
  t.same(n('node1').blocks, ['10.244.0.0/26', '10.244.0.64/26']);
  t.same(n('node2').blocks, ['10.244.0.128/26']);
  // node3 had no user pod: the cluster DNS pod (scheduled after the user's, on the emptiest node) takes its first block.
  t.same(n('node3').blocks, ['10.244.0.192/26'], 'the DNS pod\'s block');
  t.equal(tp.pods.find((p) => p.system === 'dns')!.ip, '10.244.0.192');
  t.equal(tp.pods[0]!.ip, '10.244.0.0');
  t.equal(tp.pods[63]!.ip, '10.244.0.63');
  t.equal(tp.pods[64]!.ip, '10.244.0.64');
  t.equal(tp.pods[65]!.ip, '10.244.0.128');
  // Sticky: the same allocations come back from the previous state whatever the order.
  const again = resolve(parseLab([{ file: 'lab.yaml', text: lab('', [...pods].reverse()), dir: '/tmp' }]), {
    pods: Object.fromEntries(tp.pods.map((p) => [p.key, { node: p.node, ip: p.ip }])),
  });
  for (const p of tp.pods) t.equal(again.pods.find((x) => x.key === p.key)!.ip, p.ip);
  // blockSize
  const t24 = topo(lab('  bgp: {blockSize: 28}', [['a', 'node1'], ['b', 'node2']]));
  t.same(t24.nodes.map((x) => x.blocks), [['10.244.0.0/28'], ['10.244.0.16/28'], ['10.244.0.32/28']], 'node3: the DNS pod\'s block');
});

t.test('spec.bgp is validated with file, line and path', async (t) => {
  const bad = (extra: string) => {
    try {
      topo(lab(extra, []));
      return '';
    } catch (e) {
      t.ok(e instanceof SpecError);
      return (e as Error).message;
    }
  };
  t.match(bad('  bgp: {topology: ring}'), /lab\.yaml:\d+.*spec\.bgp\.topology.*unknown BGP topology "ring"/s);
  t.match(bad('  bgp: {topology: route-reflector}'), /spec\.bgp\.routeReflectors.*at least one node/s);
  t.match(bad('  bgp: {topology: route-reflector, routeReflectors: [node9]}'), /spec\.bgp\.routeReflectors\[0\].*unknown node "node9"/s);
  t.match(bad('  bgp: {asn: 0}'), /spec\.bgp\.asn/);
  t.match(bad('  bgp: {colour: red}'), /unknown field "colour"/);
  t.equal(bad('  bgp: {asn: 65001, topology: route-reflector, routeReflectors: [node1]}'), '');
});

t.test('bird.cfg: full mesh, Calico protocol names, passive by string compare', async (t) => {
  t.equal(meshProtocolName('172.18.0.12'), 'Mesh_172_18_0_12');
  t.ok(isPassive('172.18.0.11', '172.18.0.9'), '"172.18.0.9" > "172.18.0.11" as strings');
  t.notOk(isPassive('172.18.0.9', '172.18.0.11'));
  const tp = topo(lab('', [['a', 'node1'], ['b', 'node2']]));
  const cfg = birdConfig(tp, tp.nodes[0]!);
  t.match(cfg, /router id 172\.18\.0\.11;/);
  t.match(cfg, /local as 64512;/);
  t.match(cfg, /route 10\.244\.0\.0\/26 blackhole;/);
  t.match(cfg, /protocol bgp Mesh_172_18_0_12 from bgp_template \{\n  neighbor 172\.18\.0\.12 as 64512;\n  source address 172\.18\.0\.11;\n  passive on;/);
  t.match(cfg, /protocol bgp Mesh_172_18_0_13/);
  t.notMatch(cfg, /Mesh_172_18_0_11/);
  t.notMatch(cfg, /graceful restart/, 'a stopped BIRD must withdraw at once');
  const cfg3 = birdConfig(tp, tp.nodes[2]!);
  t.notMatch(cfg3, /passive on/, 'the highest IP connects to everyone');
  t.matchSnapshot(cfg, 'bird.cfg of node1 in a 3-node full mesh');
});

t.test('bird.cfg: route reflectors', async (t) => {
  const tp = topo(lab('  bgp: {asn: 65001, topology: route-reflector, routeReflectors: [node1]}', [['a', 'node2'], ['b', 'node3']], 4));
  t.same(bgpPeers(tp, tp.nodes[0]!).map((p) => [p.node.name, p.rrClient]), [['node2', true], ['node3', true], ['node4', true]]);
  t.same(bgpPeers(tp, tp.nodes[1]!).map((p) => [p.node.name, p.rrClient]), [['node1', false]]);
  const rr = birdConfig(tp, tp.nodes[0]!);
  t.equal(rr.match(/rr client;/g)!.length, 3);
  t.match(rr, /local as 65001;/);
  const client = birdConfig(tp, tp.nodes[2]!);
  t.equal(client.match(/protocol bgp /g)!.length, 1);
  t.notMatch(client, /rr client/);
  const up = new Set(tp.nodes.map((n) => n.name));
  t.same(expectedRoutes(tp, tp.nodes[3]!, up).map((r) => `${r.dst} via ${r.via}`).sort(), ['10.244.0.0/26 via 172.18.0.12', '10.244.0.128/26 via 172.18.0.11', '10.244.0.64/26 via 172.18.0.13'], 'node1 holds the DNS pod');
});

t.test('plan: cali veths, proxy ARP, /32 pods behind 169.254.1.1, natOutgoing', async (t) => {
  const tp = topo(lab('', [['a', 'node1'], ['b', 'node2']], 2));
  const plan = bgp.plan(tp);
  t.notOk(plan.namespaces.some((n) => n.links.some((l) => l.kind === 'vxlan' || (l.kind === 'bridge' && n.role !== 'fabric'))), 'no bridge, no tunnel');
  const text = plan.namespaces.map((n) => opsText(diffNs(n, EMPTY_OBSERVED, true))).join('\n');
  const cali = cniVethName('cali', 'x', 'a');
  t.match(text, new RegExp(`ip link add name ${cali} address ee:ee:ee:ee:ee:ee mtu 1500 type veth peer name eth0 mtu 1500 netns pl-demo-x-a`));
  t.match(text, new RegExp(`sysctl -w net.ipv4.conf.${cali}.proxy_arp=1`));
  t.match(text, new RegExp(`sysctl -w net.ipv4.neigh.${cali}.proxy_delay=0`));
  t.match(text, new RegExp(`ip route replace 10.244.0.0 dev ${cali} scope link`));
  t.match(text, /ip addr add 10\.244\.0\.0\/32 dev eth0\nip route replace 169\.254\.1\.1 dev eth0 scope link\nip route replace default via 169\.254\.1\.1 dev eth0/);
  t.match(text, /-A cali-nat-outgoing -s 10\.244\.0\.0\/16 ! -d 10\.244\.0\.0\/16 .*-j MASQUERADE/);
  t.matchSnapshot(text, 'full build of a 2-node, 2-pod bgp lab');
});

t.test('diff leaves proto bird routes (blackholes included) to BIRD', async (t) => {
  const tp = topo(lab('', [['a', 'node1']], 2));
  const node = bgp.plan(tp).namespaces.find((n) => n.role === 'node')!;
  const base = diffNs(node, EMPTY_OBSERVED, true);
  t.ok(base.ip.length > 0);
  const obs = {
    ...EMPTY_OBSERVED,
    routes: [
      { dst: '10.244.0.0/26', dev: 'blackhole', proto: 'bird' },
      { dst: '10.244.0.64/26', via: '172.18.0.12', dev: 'eth0', proto: 'bird' },
    ],
  };
  t.notMatch(diffNs(node, obs).ip.join('\n'), /route del/);
});

t.test('birdc show protocols is parsed', async (t) => {
  const out = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
kernel1    Kernel     master4    up     12:00:00.000
device1    Device     ---        up     12:00:00.000
static_blocks Static  master4    up     12:00:00.000
Mesh_172_18_0_12 BGP        ---        up     12:00:01.234  Established
Mesh_172_18_0_13 BGP        ---        start  12:00:00.000  Active        Socket: Connection refused
`;
  const p = parseProtocols(out);
  t.same(p.filter((x) => x.proto === 'BGP').map((x) => [x.name, x.state, x.info.split(/\s+/)[0]]), [['Mesh_172_18_0_12', 'up', 'Established'], ['Mesh_172_18_0_13', 'start', 'Active']]);
});
