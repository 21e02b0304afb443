import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Source } from '../../src/input/parse.js';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { parseLab as parseLabRaw } from '../../src/input/parse.js';
import { SpecError } from '../../src/input/problems.js';
import { ROOT } from '../helpers/paths.js';

const src = (text: string, file = 'lab.yaml'): Source => ({ file, text, dir: '/tmp' });
const CLUSTER = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
  nodes: [{name: node1}, {name: node2}]
`;

function problems(sources: Source[], opts = {}) {
  try {
    parseLab(sources, opts);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  throw new Error('expected a SpecError');
}

t.test('the example lab parses with defaults filled in', async (t) => {
  const ex = join(ROOT, 'examples', 'lab.yaml');
  const lab = parseLab([{ file: ex, text: readFileSync(ex, 'utf8'), dir: join(ROOT, 'examples') }]);
  t.equal(lab.cluster.name, 'demo');
  t.equal(lab.cluster.mode, 'overlay');
  t.equal(lab.cluster.proxyMode, 'iptables');
  t.same(lab.cluster.nodePortRange, [30000, 32767]);
  t.equal(lab.cluster.nodes.length, 3);
  t.equal(lab.pods.length, 6);
  const echo = lab.pods.find((p) => p.name === 'echo')!;
  t.same(echo.containers[0]!.command, ['python3', 'echo.py', '7000']);
  t.equal(echo.containers[0]!.workingDir, join(ROOT, 'examples'), 'working directory is the folder of the file');
  t.equal(echo.containers[1]!.command, undefined, 'no command: netexec');
  t.equal(echo.containers[1]!.ports[0]!.protocol, 'TCP', 'protocol defaults to TCP');
  t.same(lab.namespaces, ['default', 'shop']);
});

t.test('every problem is reported at once, with file, line and path', async (t) => {
  const text = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: Demo_Cluster_Too_Long}
spec:
  podCIDR: 10.244.0.0/30
  nodeCIDRMaskSize: 31
  serviceCIDR: 10.244.0.0/12
  colour: blue
  nodes:
    - name: node1
    - name: node1
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec:
  nodeName: node9
  containers:
    - name: app
      ports: [{containerPort: 70000}, {containerPort: 80, protocol: TCPX}]
    - name: side
      command: [sleep, "1"]
      ports: [{containerPort: 53, protocol: UDP}]
    - name: other
      ports: [{containerPort: 53, protocol: UDP}]
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec:
  containers: [{name: c, ports: [{containerPort: 1}]}]
---
apiVersion: v1
kind: Gadget
metadata: {name: g}
`;
  const ps = problems([src(text)]);
  const find = (path: RegExp, msg: RegExp) => ps.find((p) => path.test(p.path) && msg.test(p.message));
  const expect = (path: RegExp, msg: RegExp, line: number) => {
    const p = find(path, msg);
    t.ok(p, `reported: ${path} ${msg}`);
    if (p) {
      t.equal(p.file, 'lab.yaml');
      t.equal(p.line, line, `line of ${path}`);
    }
  };
  expect(/metadata\.name$/, /cluster name/, 3);
  expect(/spec\.colour$/, /unknown field "colour"/, 8);
  expect(/spec\.nodeCIDRMaskSize$/, /out of range/, 6);
  expect(/spec\.serviceCIDR$/, /not aligned|overlaps/, 7);
  expect(/spec\.nodes\[1\]\.name$/, /duplicate node "node1"/, 11);
  expect(/Pod x\/a spec\.containers\[0\]\.ports\[0\]\.containerPort$/, /out of range/, 20);
  expect(/Pod x\/a spec\.containers\[0\]\.ports\[1\]\.protocol$/, /not a protocol/, 20);
  expect(/Pod x\/a spec\.containers\[2\]\.ports\[0\]\.containerPort$/, /already declared by container "side"/, 25);
  expect(/Pod x\/a metadata\.name$/, /duplicate Pod "x\/a"/, 29);
  expect(/Gadget g kind$/, /unknown kind "Gadget"/, 34);
  t.ok(ps.length >= 10, `all problems at once (${ps.length})`);
});

t.test('nodeName must name a node; the pod CIDR must hold every node', async (t) => {
  const text = CLUSTER.replace('nodes:', 'podCIDR: 10.244.0.0/24\n  nodes:') + `---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {nodeName: node9, containers: [{name: c, ports: [{containerPort: 80}]}]}
`;
  const ps = problems([src(text)]);
  t.match(ps.map((p) => `${p.path}: ${p.message}`).join('\n'), /Pod default\/p spec\.nodeName: unknown node "node9" \(nodes: node1, node2\)/);
  t.match(ps.map((p) => `${p.path}: ${p.message}`).join('\n'), /spec\.podCIDR: 10\.244\.0\.0\/24 holds only 1 node subnet\(s\) of \/24, but there are 2 nodes/);
});

t.test('YAML syntax errors name the file and line', async (t) => {
  const ps = problems([src(CLUSTER), src('kind: Pod\nmetadata: {name: a\n  spec: [', 'broken.yaml')]);
  t.equal(ps[0]!.file, 'broken.yaml');
  t.match(ps[0]!.message, /YAML syntax/);
  t.type(ps[0]!.line, 'number');
});

t.test('overlaps: pod, service and underlay CIDRs, and the host routes', async (t) => {
  const text = CLUSTER.replace('nodes:', 'podCIDR: 10.0.0.0/8\n  serviceCIDR: 10.96.0.0/12\n  underlay: 10.1.0.0/24\n  nodes:');
  const ps = problems([src(text)], { hostRoutes: ['10.5.0.0/16', '192.0.2.0/24'] });
  const all = ps.map((p) => `${p.path}: ${p.message}`).join('\n');
  t.match(all, /spec\.serviceCIDR: 10\.96\.0\.0\/12 overlaps podCIDR 10\.0\.0\.0\/8/);
  t.match(all, /spec\.underlay: 10\.1\.0\.0\/24 overlaps podCIDR/);
  t.match(all, /spec\.podCIDR: 10\.0\.0\.0\/8 overlaps this host's own route to 10\.5\.0\.0\/16/);
  t.notMatch(all, /192\.0\.2\.0/, 'unrelated host routes are fine');
});

t.test('no Cluster, two Clusters, unknown and unsupported modes', async (t) => {
  t.match(problems([src('apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n')])[0]!.message, /no Cluster document/);
  t.match(problems([src(CLUSTER), src(CLUSTER, 'b.yaml')])[0]!.message, /second Cluster document/);
  t.match(problems([src(CLUSTER)], { mode: 'mesh' })[0]!.message, /unknown mode "mesh" \(one of: overlay, bgp, vpc\)/);
  // The modes are the registry's: a build without bgp names what it has.
  let msg = '';
  try {
    parseLabRaw([src(CLUSTER)], { mode: 'bgp', modes: ['overlay'], schemas: [] });
  } catch (e) {
    msg = (e as SpecError).problems[0]!.message;
  }
  t.match(msg, /unknown mode "bgp" \(one of: overlay\)/);
});

t.test('args without command, an idle container and node names that collide with ours', async (t) => {
  const text = CLUSTER.replace('{name: node2}', '{name: fabric}') + `---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, args: [x]}, {name: d}]}
`;
  const all = problems([src(text)]).map((p) => `${p.path}: ${p.message}`).join('\n');
  t.match(all, /spec\.nodes\[1\]\.name: "fabric" is reserved/);
  t.match(all, /containers\[0\]\.args: args without command/);
  t.notMatch(all, /containers\[1\]/, 'a container with neither command nor ports is valid: it runs idle');
});

t.test('a known server image without command is served by netexec on its ports; an unknown one idles with a notice', async (t) => {
  const lab = parseLab([src(CLUSTER + `---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
`)]);
  t.equal(lab.pods[0]!.containers[0]!.image, 'nginx');
  t.same(lab.notices, []);
  const bare = parseLab([src(CLUSTER + `---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: web, image: docker.io/library/nginx:1.25}, {name: x, image: example.com/thing:1}]}
`)]);
  const [web, x] = bare.pods[0]!.containers;
  t.same(web!.serve?.map((p) => p.containerPort), [80], 'nginx without ports: netexec on 80');
  t.equal(x!.idle, true, 'an unknown image without command or ports idles');
  t.match(bare.notices.join('\n'), /image "example\.com\/thing:1" is not one podlab knows: it runs idle/);
});
