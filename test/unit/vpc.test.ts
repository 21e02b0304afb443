// vpc mode (pure): spec.vpc validation, VPC addressing within EKS max-pods, the AWS CNI plan as text.
import t from 'tap';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import { maxPods } from '../../src/modes/vpc/instances.js';
import { cniVethName } from '../../src/net/names.js';
import { vpc } from '../../src/modes/vpc/index.js';
import { vpcSpec } from '../../src/modes/vpc/spec.js';
import { getMode } from '../../src/modes/registry.js';
const expectationsFor = (m: string) => getMode(m).expectations;
import { generateChecks } from '../../src/expect/generate.js';
import { diffNs, opsText, EMPTY_OBSERVED } from '../../src/kernel/ops.js';
import { parseObserved } from '../../src/kernel/observe.js';

const cluster = (vpcYaml: string, nodes = 'nodes: [{name: node1}, {name: node2}]') => `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
  mode: vpc
${vpcYaml}
  ${nodes}
`;
const podDoc = (name: string, node?: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: x}
spec: {${node ? `nodeName: ${node}, ` : ''}containers: [{name: c, ports: [{containerPort: 80}]}]}
`;
const lab = (text: string) => parseLab([{ file: 'lab.yaml', text, dir: '/tmp' }]);
const problems = (text: string) => {
  try {
    lab(text);
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`);
    throw e;
  }
};

t.test('spec.vpc defaults and validation with file, line and path', async (t) => {
  const l = lab(cluster(''));
  t.same(vpcSpec(l.cluster), { cidr: '10.0.0.0/16', subnetMaskSize: 24, instanceType: 't3.medium', externalSNAT: false, excludeSNATCIDRs: [], hosts: [] });
  const bad = problems(cluster('  vpc: {cidr: 10.0.0.0/33, instanceType: t9.huge, externalSNAT: yes, color: red, excludeSNATCIDRs: [1.2.3.0/8]}'));
  t.match(bad.join('\n'), /lab\.yaml:6 .*spec\.vpc\.color.*unknown field/);
  t.match(bad.join('\n'), /spec\.vpc\.cidr/);
  t.match(bad.join('\n'), /spec\.vpc\.instanceType.*unknown instance type "t9\.huge"/);
  t.match(bad.join('\n'), /spec\.vpc\.externalSNAT.*true or false/);
  t.match(bad.join('\n'), /spec\.vpc\.excludeSNATCIDRs\[0\]|spec\.vpc\.excludeSNATCIDRs\.0/);
  t.match(problems(cluster('  vpc: {cidr: 172.18.0.0/16}')).join('\n'), /overlaps the underlay/);
  t.match(problems(cluster('  vpc: {cidr: 10.0.0.0/23}', 'nodes: [{name: a}, {name: b}, {name: c}]')).join('\n'), /holds only 2 subnet/);
  t.match(problems(cluster('', 'nodes: [{name: a, ip: 10.0.0.5}]')).join('\n'), /primary IP comes from its VPC subnet/);
  t.match(problems(`apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
  vpc: {cidr: 10.0.0.0/16}
  nodes: [{name: a}]
`).join('\n'), /spec\.vpc: is only for mode vpc/);
});

t.test('EKS max-pods formula: ENIs × (IPs per ENI − 1) + 2', async (t) => {
  t.equal(maxPods('t3.medium'), 17);
  t.equal(maxPods('t3.nano'), 4);
  t.equal(maxPods('m5.large'), 29);
});

t.test('addresses: a subnet per node, primary .10, secondary IPs from .11, hosts from the top; overflow is Pending', async (t) => {
  let pods = '';
  for (let i = 0; i < 5; i++) pods += podDoc(`q${i}`, 'node1');
  for (let i = 0; i < 5; i++) pods += podDoc(`p${i}`);
  const topo = resolve(lab(cluster('  vpc: {instanceType: t3.nano, hosts: [{name: bastion}]}') + pods));
  t.same(topo.nodes.map((n) => [n.name, n.podCIDR, n.ip]), [['node1', '10.0.0.0/24', '10.0.0.10'], ['node2', '10.0.1.0/24', '10.0.1.10']]);
  t.same(topo.hosts.map((h) => [h.name, h.subnet, h.ip]), [['bastion', '10.0.255.0/24', '10.0.255.10']]);
  t.equal(topo.pods.length, 8, 't3.nano: 4 pods per node');
  t.same(topo.pods.filter((p) => p.node === 'node1').map((p) => p.ip), ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14']);
  const pend = (k: string) => topo.pending!.find((p) => p.key === k)!;
  t.same(topo.pending!.filter((p) => !p.system).map((p) => p.key), ['x/p4', 'x/q4']);
  t.match(pend('x/p4').reason, /Too many pods.*t3\.nano holds 4 pods \(EKS max-pods = 2 ENIs × \(2 IPs − 1\) \+ 2\)/);
  t.match(pend('x/q4').reason, /node node1 is full/);
  // The DNS pod is scheduled after the user's: on a full cluster it is the one left Pending (with a notice).
  t.equal(pend('kube-system/cluster-dns').system, 'dns');
  t.match(topo.notices!.join('\n'), /cluster DNS pod kube-system\/cluster-dns is Pending/);
  // Sticky: a re-resolve with the previous allocations keeps every IP.
  const again = resolve(lab(cluster('  vpc: {instanceType: t3.nano, hosts: [{name: bastion}]}') + pods), {
    nodes: Object.fromEntries(topo.nodes.map((n) => [n.name, { ip: n.ip, podCIDR: n.podCIDR }])),
    pods: Object.fromEntries(topo.pods.map((p) => [p.key, { node: p.node, ip: p.ip }])),
  });
  t.same(again.pods.map((p) => p.ip), topo.pods.map((p) => p.ip));
});

const topo = resolve(lab(cluster('  vpc: {excludeSNATCIDRs: [192.168.0.0/16], hosts: [{name: bastion}]}') + podDoc('a', 'node1') + podDoc('b', 'node2')));
const plan = getMode('vpc').plan(topo);
const ns = (name: string) => plan.namespaces.find((n) => n.netns === name)!;
const full = (name: string) => opsText(diffNs(ns(name), EMPTY_OBSERVED, true));

t.test('the AWS CNI plan, as kernel commands', async (t) => {
  t.equal(vpc.name, 'vpc');
  const veth = cniVethName('eni', 'x', 'a');
  t.match(veth, /^eni[0-9a-f]{11}$/);
  t.matchSnapshot(full('pl-demo-fabric'), 'VPC router');
  t.matchSnapshot(full('pl-demo-node1'), 'node1');
  t.matchSnapshot(full('pl-demo-x-a'), 'pod x/a');
  t.matchSnapshot(full('pl-demo-host-bastion'), 'VPC host');
  t.matchSnapshot(full('pl-demo-ext'), 'external host');
  const node1 = full('pl-demo-node1');
  t.match(node1, `ip route replace 10.0.0.11/32 dev ${veth} scope link`);
  t.match(node1, 'ip rule add pref 512 to 10.0.0.11 lookup main');
  t.match(node1, 'ip rule add pref 1024 fwmark 0x80/0x80 lookup main');
  t.match(node1, '-A AWS-SNAT-CHAIN-0 -d 10.0.0.0/16');
  t.match(node1, '-A AWS-SNAT-CHAIN-0 -d 192.168.0.0/16');
  t.match(node1, 'SNAT --to-source 10.0.0.10 --random-fully');
  const pod = full('pl-demo-x-a');
  const mac = ns('pl-demo-node1').links.find((l) => l.name === veth)!.mac!;
  t.match(pod, `ip neigh replace 169.254.1.1 lladdr ${mac} dev eth0 nud permanent`);
  t.match(pod, 'ip addr add 10.0.0.11/32 dev eth0');
  t.match(full('pl-demo-fabric'), 'ip route replace 10.0.1.11/32 via 10.0.1.10 dev n-node2');
  const ext = resolve(lab(cluster('  vpc: {externalSNAT: true}') + podDoc('a', 'node1')));
  const n1 = opsText(diffNs(getMode('vpc').plan(ext).namespaces.find((n) => n.netns === 'pl-demo-node1')!, EMPTY_OBSERVED, true));
  t.notMatch(n1, 'AWS-SNAT-CHAIN-0');
  t.match(n1, 'AWS-CONNMARK-CHAIN-0');
});

t.test('rules read back from ip -j rule show make a re-run free', async (t) => {
  const node1 = ns('pl-demo-node1');
  const rules = JSON.stringify([
    { priority: 0, src: 'all', table: 'local', protocol: 'kernel' },
    { priority: 512, src: 'all', dst: '10.0.0.11', table: 'main', protocol: 'unspec' },
    { priority: 512, src: 'all', dst: '10.0.0.12', table: 'main', protocol: 'unspec' },
    { priority: 1024, src: 'all', fwmark: '0x80', fwmask: '0x80', table: 'main', protocol: 'unspec' },
    { priority: 1536, src: '10.0.0.99', table: '2', protocol: 'unspec' },
    { priority: 32766, src: 'all', table: 'main', protocol: 'kernel' },
  ]);
  const o = parseObserved(`[]\n[]\n[]\n[]\n${rules}\n`);
  t.same(o.rules!.map((r) => r.priority), [512, 512, 1024, 1536], 'node1: pod a and the DNS pod');
  const ip = diffNs(node1, o).ip.filter((l) => l.startsWith('rule'));
  t.same(ip, ['rule del pref 1536 from 10.0.0.99 lookup 2']);
});

t.test('vpc expectations (matrix E, AWS column) and VPC-host checks', async (t) => {
  const m = expectationsFor('vpc');
  const [a, b] = topo.pods as [typeof topo.pods[0], typeof topo.pods[0]];
  const n1 = topo.nodes[0]!;
  const n2 = topo.nodes[1]!;
  t.same(m.podToPod(topo, a, b).source!.allowed, [a.ip]);
  t.same(m.nodeToPod(topo, n1, b).source!.allowed, [n1.ip]);
  t.match(m.podToNode(topo, a, n2).basis, /not NATed/);
  t.same(m.podToExternal(topo, a).source!.allowed, [n1.ip]);
  t.equal(m.externalToPod(topo, a).outcome, 'blocked');
  const g = generateChecks(topo, getMode(topo.mode).expectations);
  const host = g.checks.filter((c) => c.category === 'vpc-host-to-pod');
  t.equal(host.length, 4);
  t.same(host.find((c) => c.protocol === 'TCP')!.expect.source!.allowed, ['10.0.255.10']);
});
