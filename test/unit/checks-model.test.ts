// The expectation model (matrix E, overlay rows), generation, declared-check resolution, the judge and probe parsing.
import t from 'tap';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import type { Topology } from '../../src/model/topology.js';
import { whoIs } from '../../src/expect/model.js';
import { getMode } from '../../src/modes/registry.js';
const ov = getMode('overlay').expectations;
const expectationsFor = (m: string) => getMode(m).expectations;
import { generateChecks, declaredChecks, filterChecks, globMatch, netexecPorts } from '../../src/expect/generate.js';
import { MAX_PAIRS, pickPairs } from '../../src/expect/sample.js';
import { judge, wantsMore } from '../../src/expect/judge.js';
import { interpret } from '../../src/probe/probe.js';
import type { Attempt, Check } from '../../src/expect/types.js';

const LAB = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: m}
spec:
  podCIDR: 10.244.0.0/16
  underlay: 192.168.0.0/24
  nodes: [{name: a, ip: 192.168.0.2}, {name: b, ip: 192.168.0.3}]
  external: {ip: 192.168.0.100}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: x}
spec: {nodeName: a, containers: [{name: c, ports: [{containerPort: 8080}, {containerPort: 8080, protocol: UDP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: x}
spec: {nodeName: a, containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p3, namespace: x}
spec:
  nodeName: b
  containers:
    - {name: app, command: [sleep, infinity], ports: [{containerPort: 7000}]}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: p1-to-p3}
spec: {from: pod/x/p1, to: pod/x/p3, protocol: ICMP, expect: {outcome: ok}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: p3-to-p1}
spec: {from: pod/x/p3, to: 'pod/x/p1:8080', expect: {outcome: ok, source: pod, backends: [x/p1]}, tries: 4}
`;

function topo(): { t: Topology; lab: ReturnType<typeof parseLab> } {
  const lab = parseLab([{ file: 'lab.yaml', text: LAB, dir: '/tmp' }]);
  return { t: resolve(lab), lab };
}
const pod = (t: Topology, k: string) => t.pods.find((p) => p.key === k)!;
const node = (t: Topology, n: string) => t.nodes.find((x) => x.name === n)!;

t.test('overlay node addresses: eth0, cni0 .1, flannel.1 network address', async (t) => {
  const { t: tp } = topo();
  t.same(ov.nodeAddresses(tp, node(tp, 'a')), [{ ip: '192.168.0.2', dev: 'eth0' }, { ip: '10.244.0.1', dev: 'cni0' }, { ip: '10.244.0.0', dev: 'flannel.1' }]);
  t.equal(ov.podMtu(tp), 1450);
  t.equal(expectationsFor('overlay'), ov);
  t.throws(() => expectationsFor('mesh'), /unknown dataplane mode "mesh" \(supported: overlay, bgp, vpc\)/);
});

t.test('rows E1/E2: pod→pod, same and cross node: ok, server sees exactly the client pod IP', async (t) => {
  const { t: tp } = topo();
  const [p1, p2, p3] = ['x/p1', 'x/p2', 'x/p3'].map((k) => pod(tp, k)) as [typeof tp.pods[0], typeof tp.pods[0], typeof tp.pods[0]];
  for (const [c, s, row] of [[p2, p1, 'E1'], [p3, p1, 'E2']] as const) {
    const e = ov.podToPod(tp, c, s);
    t.equal(e.outcome, 'ok');
    t.equal(e.source?.class, 'POD');
    t.same(e.source?.allowed, [c.ip]);
    t.match(e.basis, row);
  }
});

t.test('row E3: node→local pod: NODE(a), the real source is cni0 .1', async (t) => {
  const { t: tp } = topo();
  const e = ov.nodeToPod(tp, node(tp, 'a'), pod(tp, 'x/p1'));
  t.equal(e.outcome, 'ok');
  t.equal(e.source?.class, 'NODE');
  t.same(e.source?.allowed, ['192.168.0.2', '10.244.0.1', '10.244.0.0']);
  t.equal(e.source?.preferred, '10.244.0.1');
  t.match(e.basis, /^E3/);
});

t.test('row E4: node→remote pod: NODE(b), the real source is flannel.1 /32 network address', async (t) => {
  const { t: tp } = topo();
  const e = ov.nodeToPod(tp, node(tp, 'b'), pod(tp, 'x/p1'));
  t.same(e.source?.allowed, ['192.168.0.3', '10.244.1.1', '10.244.1.0']);
  t.equal(e.source?.preferred, '10.244.1.0');
  t.match(e.basis, /^E4/);
});

t.test('rows E5/E6: pod→node IP is reachable (ICMP)', async (t) => {
  const { t: tp } = topo();
  t.match(ov.podToNode(tp, pod(tp, 'x/p1'), node(tp, 'a')), { outcome: 'ok', basis: /^E5/ });
  t.match(ov.podToNode(tp, pod(tp, 'x/p1'), node(tp, 'b')), { outcome: 'ok', basis: /^E6/ });
});

t.test("row E17: pod→external is masqueraded to exactly the client node's eth0 IP", async (t) => {
  const { t: tp } = topo();
  const e = ov.podToExternal(tp, pod(tp, 'x/p3'));
  t.same(e.source?.allowed, ['192.168.0.3']);
  t.equal(e.source?.class, 'NODE');
  t.match(e.basis, /^E17/);
});

t.test('external→pod is blocked in overlay (no route to the pod CIDR)', async (t) => {
  const { t: tp } = topo();
  t.equal(ov.externalToPod(tp, pod(tp, 'x/p1')).outcome, 'blocked');
});

t.test('whoIs names lab addresses', async (t) => {
  const { t: tp } = topo();
  t.equal(whoIs(ov, tp, '10.244.0.2'), 'pod x/p1');
  t.equal(whoIs(ov, tp, '192.168.0.2'), 'node a eth0');
  t.equal(whoIs(ov, tp, '10.244.1.0'), 'node b flannel.1');
  t.equal(whoIs(ov, tp, '192.168.0.100'), 'the external host');
  t.equal(whoIs(ov, tp, '8.8.8.8'), 'unknown');
});

t.test('generated suite: every class present, pods without a netexec port skipped with the reason', async (t) => {
  const { t: tp } = topo();
  const { checks, skipped } = generateChecks(tp, getMode(tp.mode).expectations);
  const ids = new Set(checks.map((c) => c.id));
  t.equal(ids.size, checks.length, 'ids are unique');
  const has = (id: string) => t.ok(ids.has(id), id);
  has('pod-to-pod/same-node TCP x/p2 -> x/p1:8080');
  has('pod-to-pod/same-node UDP x/p2 -> x/p1:8080');
  has('pod-to-pod/cross-node ICMP x/p1 -> x/p3');
  has('localhost TCP x/p1 -> 127.0.0.1:8080 (c)');
  has('node-to-pod/remote TCP node/b -> x/p1:8080');
  has('node-to-pod/remote ICMP node/a -> x/p3');
  has('pod-to-node/other ICMP x/p1 -> node/b 192.168.0.3');
  has('pod-to-external TCP x/p3 -> external:8080');
  has('external-to-pod TCP external -> x/p1:8080');
  has('mtu ICMP x/p1 -> x/p3 DF 1422B fits');
  has('mtu ICMP x/p1 -> x/p3 DF 1423B too big');
  t.notOk([...ids].some((i) => i.includes('-> x/p3:')), 'no TCP/UDP to p3 (its port belongs to a command container)');
  t.ok(skipped.some((s) => s.what === 'TCP to x/p3' && /container app, which runs its own command/.test(s.reason)), 'skip says why');
  t.ok(skipped.some((s) => s.what === 'UDP to x/p2' && /no netexec UDP port/.test(s.reason)));
  const ext = checks.find((c) => c.id === 'external-to-pod TCP external -> x/p1:8080')!;
  t.equal(ext.expect.outcome, 'blocked');
  t.equal(ext.tries, 2, 'negative checks are tried twice and must fail both times');
  const icmp = checks.find((c) => c.id === 'pod-to-pod/cross-node ICMP x/p1 -> x/p3')!;
  t.equal(icmp.expect.source, undefined, 'ICMP does not claim a source address');
  t.same(netexecPorts(pod(tp, 'x/p1')).UDP, 8080);
});

t.test('declared checks resolve against the topology', async (t) => {
  const { t: tp, lab } = topo();
  const { checks, skipped } = declaredChecks(tp, lab.checks, getMode(tp.mode).expectations);
  t.equal(skipped.length, 0);
  t.equal(checks.length, 2);
  const c = checks[1]!;
  t.equal(c.id, 'declared p3-to-p1');
  t.equal(c.from.netns, pod(tp, 'x/p3').netns);
  t.same(c.to, { label: 'x/p1:8080', ip: '10.244.0.2', port: 8080 });
  t.same(c.expect.source?.allowed, [pod(tp, 'x/p3').ip]);
  t.same(c.expect.backends, ['p1']);
  t.equal(c.tries, 4);
  t.match(c.declared, { name: 'p3-to-p1', file: 'lab.yaml' });
});

t.test('filter globs', async (t) => {
  t.ok(globMatch('pod-to-pod/*', 'pod-to-pod/same-node TCP a -> b'));
  t.notOk(globMatch('pod-to-pod/*', 'localhost TCP'));
  const { t: tp } = topo();
  const { checks } = generateChecks(tp, getMode(tp.mode).expectations);
  t.ok(filterChecks(checks, 'mtu').every((c) => c.category === 'mtu'));
  t.equal(filterChecks(checks, 'mtu').length, 4);
});

// Judge -----------------------------------------------------------------------------------------
const ev = { command: 'x', exitCode: 0, output: '', ms: 1 };
const ok = (src: string, host = 'p1'): Attempt => ({ observed: 'ok', detail: 'answered', sourceIp: src, hostname: host, evidence: ev });
const refused: Attempt = { observed: 'refused', detail: 'connection refused', evidence: { ...ev, exitCode: 7 } };
const dropped: Attempt = { observed: 'dropped', detail: 'timed out', evidence: { ...ev, exitCode: 28 } };
const who = (ip: string) => whoIs(ov, topo().t, ip);
function chk(id: string): Check {
  const { t: tp } = topo();
  return generateChecks(tp, getMode(tp.mode).expectations).checks.find((c) => c.id === id)!;
}

t.test('judge: pass needs evidence; unexpected SNAT is named', async (t) => {
  const c = chk('pod-to-pod/cross-node TCP x/p3 -> x/p1:8080');
  t.equal(judge(c, [], who).status, 'error', 'no attempt, no pass');
  t.equal(judge(c, [ok('10.244.1.2')], who).status, 'pass');
  const v = judge(c, [ok('192.168.0.3')], who);
  t.equal(v.status, 'fail');
  t.equal(v.reason, "server saw 192.168.0.3 (node b eth0), expected the pod's own 10.244.1.2: unexpected SNAT");
  t.equal(judge(c, [refused, refused, refused], who).status, 'fail');
  t.match(judge(c, [refused, ok('10.244.1.2')], who), { status: 'pass', notes: [/1 of 2 tries failed/] });
});

t.test('judge: node sources accept any node address, note when not the one the kernel should pick', async (t) => {
  const c = chk('node-to-pod/remote TCP node/b -> x/p1:8080');
  t.match(judge(c, [ok('10.244.1.0')], who), { status: 'pass', notes: [] });
  t.match(judge(c, [ok('192.168.0.3')], who), { status: 'pass', notes: [/real system picks 10.244.1.0/] });
  t.match(judge(c, [ok('192.168.0.2')], who), { status: 'fail', reason: /server saw 192.168.0.2 \(node a eth0\), expected an address of node b/ });
  const e = chk('pod-to-external TCP x/p1 -> external:8080');
  t.match(judge(e, [ok('10.244.0.2', 'external')], who), { status: 'fail', reason: /server saw 10.244.0.2 \(pod x\/p1\).*missing masquerade/ });
});

t.test('judge: negative expectations must hold on every try', async (t) => {
  const c = chk('external-to-pod TCP external -> x/p1:8080');
  t.equal(judge(c, [refused, dropped], who).status, 'pass', 'blocked = refused or dropped');
  const v = judge(c, [refused, ok('192.168.0.100')], who);
  t.equal(v.status, 'fail');
  t.match(v.reason, /expected blocked, but it was answered by p1 \(server saw 192.168.0.100, the external host\)/);
  t.notOk(wantsMore(c, [refused, refused]));
  t.ok(wantsMore(c, [refused]));
  t.notOk(wantsMore(c, [ok('1.1.1.1')]), 'an answer decides a negative check at once');
  const refusedOnly = { ...c, expect: { ...c.expect, outcome: 'refused' as const } };
  t.match(judge(refusedOnly, [dropped, dropped], who), { status: 'fail', reason: /timed out/ });
  const droppedOnly = { ...c, expect: { ...c.expect, outcome: 'dropped' as const } };
  t.match(judge(droppedOnly, [refused, refused], who), { status: 'fail', reason: /refused fast/ });
});

t.test('judge: backends must each answer, and only they', async (t) => {
  const { t: tp, lab } = topo();
  const c = declaredChecks(tp, lab.checks, getMode(tp.mode).expectations).checks[1]!;
  const src = pod(tp, 'x/p3').ip;
  t.ok(wantsMore(c, [ok(src)]), 'with backends every try runs');
  t.equal(judge(c, [ok(src), ok(src)], who).status, 'pass');
  t.match(judge(c, [ok(src, 'p2')], who), { status: 'fail', reason: /answered by p2, which is not among/ });
  const two = { ...c, expect: { ...c.expect, backends: ['p1', 'p2'] } };
  t.match(judge(two, [ok(src), ok(src)], who), { status: 'fail', reason: /backend\(s\) p2 never answered in 2 tries/ });
});

t.test('judge: a probe that cannot run is an error, not a pass or a dataplane failure', async (t) => {
  const c = chk('pod-to-pod/cross-node TCP x/p3 -> x/p1:8080');
  const err: Attempt = { observed: 'error', detail: 'namespace gone', evidence: ev };
  t.match(judge(c, [err], who), { status: 'error', reason: /could not run: namespace gone/ });
});

t.test('probe output interpretation', async (t) => {
  const tcp = chk('pod-to-pod/cross-node TCP x/p3 -> x/p1:8080');
  const http = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Hostname: p1\r\nContent-Length: 15\r\nConnection: close\r\n\r\n10.244.1.2:4711';
  t.match(interpret(tcp, { code: 0, stdout: http, stderr: '', timedOut: false }), { observed: 'ok', sourceIp: '10.244.1.2', sourcePort: 4711, hostname: 'p1' });
  t.match(interpret(tcp, { code: 7, stdout: '', stderr: 'curl: (7) Failed to connect to 10.244.0.2 port 8080 after 0 ms: Connection refused', timedOut: false }), { observed: 'refused', detail: 'connection refused' });
  t.match(interpret(tcp, { code: 28, stdout: '', stderr: 'curl: (28) Connection timed out', timedOut: false }), { observed: 'dropped' });
  t.match(interpret(tcp, { code: 2, stdout: '', stderr: 'curl: (2) bad option', timedOut: false }), { observed: 'error' });
  const udp = chk('pod-to-pod/same-node UDP x/p2 -> x/p1:8080');
  t.match(interpret(udp, { code: 0, stdout: 'p1\n10.244.0.3:5000\n', stderr: '', timedOut: false }), { observed: 'ok', sourceIp: '10.244.0.3', hostname: 'p1' });
  t.match(interpret(udp, { code: 3, stdout: 'refused: ICMP port unreachable', stderr: '', timedOut: false }), { observed: 'refused' });
  t.match(interpret(udp, { code: 4, stdout: 'timed out after 1s', stderr: '', timedOut: false }), { observed: 'dropped' });
  const df = chk('mtu ICMP x/p1 -> x/p3 DF 1423B too big');
  t.match(interpret(df, { code: 1, stdout: '1 packets transmitted, 0 received, +1 errors', stderr: 'ping: local error: message too long, mtu=1450', timedOut: false }), { observed: 'refused', detail: /message too long/ });
  const ping = chk('pod-to-pod/cross-node ICMP x/p1 -> x/p3');
  t.match(interpret(ping, { code: 1, stdout: '1 packets transmitted, 0 received', stderr: '', timedOut: false }), { observed: 'dropped' });
  t.match(interpret(ping, { code: 2, stdout: '', stderr: 'ping: connect: Network is unreachable', timedOut: false }), { observed: 'refused', detail: /unreachable/i });
});

// A 10,000-pod lab's check ran out of memory: every ordered pod pair (99,990,000) was generated. Above the budget
// the pairs are sampled: one per ordered pair of nodes, the rest spread evenly, and a skip entry says what was left out.
t.test('a large lab: generated pairs are sampled above the budget, every node pair covered, and the skip says so', async (t) => {
  const nodes = ['n1', 'n2', 'n3'];
  const pods = Array.from({ length: 300 }, (_, i) => ({ name: `p${i}`, node: nodes[i % 3]! }));
  const all = pickPairs(pods.slice(0, 10), pods.slice(0, 10), (p) => p.node, (p) => p.node, 1000, true);
  t.equal(all.pairs.length, 90, 'under the budget: every ordered pair but a pod with itself');
  const s = pickPairs(pods, pods, (p) => p.node, (p) => p.node, 500, true);
  t.equal(s.total, 300 * 299);
  t.equal(s.pairs.length, 500, 'exactly the budget');
  t.ok(s.pairs.every(([a, b]) => a !== b), 'never a pod with itself');
  t.equal(new Set(s.pairs.map(([a, b]) => `${a.name}>${b.name}`)).size, 500, 'no pair twice');
  const nodePairs = new Set(s.pairs.map(([a, b]) => `${a.node}>${b.node}`));
  t.equal(nodePairs.size, 9, 'every ordered pair of nodes, same-node ones included');
  t.ok(new Set(s.pairs.map(([a]) => a.name)).size > 100 && new Set(s.pairs.map(([, b]) => b.name)).size > 100, 'sources and destinations both spread');
  t.same(pickPairs(pods, pods, (p) => p.node, (p) => p.node, 500, true).pairs.map(([a, b]) => a.name + b.name), s.pairs.map(([a, b]) => a.name + b.name), 'deterministic');

  const { t: tp } = topo();
  const user = tp.pods.filter((p) => !p.system && !p.hostNetwork && netexecPorts(p).TCP);
  const many = { ...tp, pods: Array.from({ length: 60 }, (_, i) => ({ ...user[i % user.length]!, name: `x${i}`, key: `default/x${i}`, netns: `pl-m-x${i}` })) };
  const g = generateChecks(many, getMode(tp.mode).expectations);
  const p2p = new Set(g.checks.filter((c) => c.category.startsWith('pod-to-pod')).map((c) => `${c.from.label} ${c.to.label.split(':')[0]}`));
  t.ok(p2p.size <= MAX_PAIRS && p2p.size > 0.5 * MAX_PAIRS, `pod-to-pod: ${p2p.size} pairs of ${60 * 59}`);
  t.match(g.skipped.find((x) => x.category === 'pod-to-pod')?.what ?? '', /^\d[\d,]* of 3,540 ordered pod pairs$/);
});
