// The NetworkPolicy model on the upstream netpol suite's classic cases (namespaces x, y, z × pods a, b, c), and the
// verdict's details: stateful replies, node ↔ own pods, ICMP, SCTP, named ports, the AWS agent's longest-prefix trie.
import t from 'tap';
import { CASES, KEYS, netpolTopology, policy, tableOf, ipBlockCase } from '../helpers/netpol.js';
import { matrixCells, policyMatrixChecks } from '../../src/expect/matrix.js';
import { AWS_ENGINE, CALICO_ENGINE, policyVerdict } from '../../src/expect/policy.js';
import { resolvePolicies } from '../../src/model/policy.js';
import { trieOf, trieAllows } from '../../src/dataplane/policy/aws.js';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';

const table = (policies: string, port = '80/TCP', mode = 'overlay') => {
  const tp = netpolTopology(policies, { mode });
  const cells = matrixCells(tp).map((c) => ({ ...c, allowed: c.verdict.allowed }));
  return tableOf(cells, port);
};

t.test('the classic cases give the upstream truth tables', async (t) => {
  for (const c of CASES) {
    for (const [port, want] of Object.entries(c.tables)) t.equal(table(c.policies, port), want, `${c.name} (${port})`);
  }
});

t.test('ipBlock with except', async (t) => {
  const tp = netpolTopology('');
  const c = ipBlockCase((k) => tp.pods.find((p) => p.key === k)!.ip);
  t.equal(table(c.policies), c.tables['80/TCP']);
  // An address in both the block and its except is allowed through another peer (upstream: "an IP overlapping both").
  const yb = tp.pods.find((p) => p.key === 'y/b')!.ip;
  const both = policy('x', 'egress-except', `podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [${yb}/32]}}, {ipBlock: {cidr: ${yb}/32}}]`);
  t.equal(table(both), KEYS.map(() => '.........').join('\n'));
});

t.test('default deny egress still allows DNS', async (t) => {
  const tp = netpolTopology(policy('x', 'deny-egress', 'podSelector: {}\npolicyTypes: [Egress]\negress:\n  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]\n    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]'));
  const m = tp.policy!;
  const ip = (k: string) => tp.pods.find((p) => p.key === k)!.ip;
  const v = (to: string, protocol: 'TCP' | 'UDP', port: number) => policyVerdict(m, { src: { ip: ip('x/a') }, dst: { ip: ip(to) }, protocol, port }).allowed;
  t.same([v('y/a', 'UDP', 53), v('y/a', 'TCP', 53), v('y/a', 'TCP', 80), v('z/a', 'UDP', 53)], [true, true, false, false], 'DNS to y only (kubernetes.io/metadata.name is on every namespace)');
  t.same(m.namespaces.y, { ns: 'y', 'kubernetes.io/metadata.name': 'y' });
});

t.test('named ports resolve per destination pod, for egress too', async (t) => {
  const text = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: np}
spec: {nodes: [{name: node1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: x, labels: {app: client}}
spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: s1, namespace: x, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 8080, name: web}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: s2, namespace: x, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 9090, name: web}]}]}
` + policy('x', 'egress-web', 'podSelector: {matchLabels: {app: client}}\npolicyTypes: [Egress]\negress:\n  - ports: [{port: web}]');
  const lab = parseLab([{ file: 'l.yaml', text, dir: '/tmp' }]);
  const pods = [['x/c', '10.0.0.1', []], ['x/s1', '10.0.0.2', [{ name: 'web', port: 8080, protocol: 'TCP' as const }]], ['x/s2', '10.0.0.3', [{ name: 'web', port: 9090, protocol: 'TCP' as const }]]] as const;
  const m = resolvePolicies(lab.policies, pods.map(([key, ip, ports]) => ({ key, namespace: 'x', labels: key === 'x/c' ? { app: 'client' } : { app: 'web' }, ip, node: 'n', ports })), [{ name: 'x', labels: {} }]);
  const v = (dst: string, port: number) => policyVerdict(m, { src: { ip: '10.0.0.1' }, dst: { ip: dst }, protocol: 'TCP', port }).allowed;
  t.same([v('10.0.0.2', 8080), v('10.0.0.2', 9090), v('10.0.0.3', 9090), v('10.0.0.3', 8080), v('192.0.2.1', 8080)], [true, false, true, false, false],
    '"web" is 8080 on s1 and 9090 on s2; an address that is not a pod has no named ports');
  t.same(m.policies[0]!.egress[0]!.named[0]!.members.map((x) => `${x.pod}:${x.port}`), ['x/s1:8080', 'x/s2:9090']);
});

t.test('verdict details', async (t) => {
  const tp = netpolTopology(policy('x', 'deny-all', 'podSelector: {}\npolicyTypes: [Ingress, Egress]'));
  const m = tp.policy!;
  const pod = (k: string) => tp.pods.find((p) => p.key === k)!;
  const xa = pod('x/a');
  const n1 = tp.nodes.find((n) => n.name === xa.node)!;
  const n2 = tp.nodes.find((n) => n.name !== xa.node)!;
  const blocked = policyVerdict(m, { src: { ip: pod('y/a').ip }, dst: { ip: xa.ip }, protocol: 'TCP', port: 80 });
  t.equal(blocked.allowed, false);
  t.same(blocked.decidedBy, ['x/deny-all']);
  t.match(blocked.reason, /ingress of x\/a is isolated by x\/deny-all and no ingress rule allows TCP:80 from y\/a/);
  t.ok(policyVerdict(m, { src: { ip: xa.ip }, dst: { ip: xa.ip }, protocol: 'TCP', port: 80, loopback: true }).allowed, 'a pod always reaches its own address');
  t.ok(policyVerdict(m, { src: { ip: n1.ip }, dst: { ip: xa.ip }, protocol: 'TCP', port: 80, fromDestinationNode: true }).allowed, 'its own node (kubelet probes) is not policed');
  t.notOk(policyVerdict(m, { src: { ip: n2.ip }, dst: { ip: xa.ip }, protocol: 'TCP', port: 80 }).allowed, 'another node is');
  t.notOk(policyVerdict(m, { src: { ip: xa.ip }, dst: { ip: n1.ip }, protocol: 'ICMP', toSourceNode: true }, CALICO_ENGINE).allowed, 'Calico: a pod\'s egress to its own node is policed (cali-wl-to-host)');
  t.ok(policyVerdict(m, { src: { ip: xa.ip }, dst: { ip: n1.ip }, protocol: 'ICMP', toSourceNode: true }, AWS_ENGINE).allowed, 'AWS: the node IP is allow-all in the pod\'s maps');
  const icmp = netpolTopology(policy('x', 'tcp-80', 'podSelector: {}\ningress: [{ports: [{port: 80}]}]') + policy('y', 'any', 'podSelector: {}\ningress: [{from: [{podSelector: {}}]}]'));
  const p2 = (k: string) => icmp.pods.find((p) => p.key === k)!.ip;
  t.notOk(policyVerdict(icmp.policy!, { src: { ip: p2('x/b') }, dst: { ip: p2('x/a') }, protocol: 'ICMP' }).allowed, 'a rule with ports allows no ICMP');
  t.ok(policyVerdict(icmp.policy!, { src: { ip: p2('y/b') }, dst: { ip: p2('y/a') }, protocol: 'ICMP' }).allowed, 'a rule without ports allows every protocol');
});

t.test('the truth table as checks', async (t) => {
  const tp = netpolTopology(CASES[0]!.policies);
  const { checks } = policyMatrixChecks(tp);
  t.equal(checks.length, 9 * 9 * 2, 'every pod × every pod × 80 and 81/TCP');
  const c = checks.find((x) => x.id === 'policy TCP y/a -> x/b:80')!;
  t.same([c.expect.outcome, c.tries, c.to.port], ['blocked', 1, 80]);
  t.match(c.expect.basis, /\[x\/deny-ingress\]/);
  const ok = checks.find((x) => x.id === 'policy TCP x/a -> y/b:81')!;
  t.same([ok.expect.outcome, ok.expect.backends, ok.expect.source?.allowed], ['ok', ['b'], [tp.pods.find((p) => p.key === 'x/a')!.ip]]);
  t.same(policyMatrixChecks(netpolTopology('')).checks, [], 'no policies: no truth table');
});

t.test('the AWS agent\'s trie: longest prefix, inherited ports, excepts as deny entries', async (t) => {
  const tp = netpolTopology(policy('x', 'a', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.244.0.0/16]}}]\n    ports: [{port: 80}]\n  - from: [{ipBlock: {cidr: 10.244.1.0/24}}]\n    ports: [{port: 81}]'));
  const trie = trieOf(tp.policy!, 'x/a', 'ingress', '172.18.0.11');
  t.same(trie.map((e) => `${e.cidr}${e.deny ? ' deny' : ''}`).sort(), ['10.0.0.0/8', '10.244.0.0/16 deny', '10.244.1.0/24', '172.18.0.11/32']);
  t.ok(trieAllows(trie, '172.18.0.11', 'tcp', 9999), 'the node IP is allow-all');
  t.ok(trieAllows(trie, '10.9.0.1', 'tcp', 80));
  t.notOk(trieAllows(trie, '10.244.2.1', 'tcp', 80), 'except → deny entry');
  t.ok(trieAllows(trie, '10.244.1.9', 'tcp', 81), 'a more specific rule');
  t.notOk(trieAllows(trie, '10.244.1.9', 'tcp', 80), 'inside the except: 10.0.0.0/8\'s port 80 is not inherited');
});
