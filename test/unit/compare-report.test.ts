// podlab compare's report model (pure): parity levels and their explanations (from a fixture and from the real
// expectation model), per-mode figures and ratios, report.json's names; Markdown, HTML and terminal snapshots.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport, parityOf, rowKey, normalizeBasis, renderHtml, renderJson, renderMarkdown, renderText, chartsOf } from '../../src/report/compare/index.js';
import type { CompareResults, ModeRun, ModeMeasurements, DataplaneSize } from '../../src/report/compare/types.js';
import type { Check, Expectation, Verdict } from '../../src/expect/types.js';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { resolveLab as resolve, getMode } from '../../src/modes/registry.js';
import { generateChecks } from '../../src/expect/generate.js';
import { ROOT } from '../helpers/paths.js';

type Ex = Omit<Expectation, 'basis'>;
const OK: Ex = { outcome: 'ok' };
const NODE: Ex = { outcome: 'ok', source: { class: 'NODE', allowed: ['172.18.0.11'], preferred: '172.18.0.11', describe: 'node' } };

function check(category: string, protocol: Check['protocol'], from: string, to: string, basis: string, e: Ex = OK, probe: Check['probe'] = { kind: protocol === 'ICMP' ? 'ping' : 'netexec' }): Check {
  return {
    id: `${category} ${protocol} ${from} -> ${to}${probe.kind === 'ping-df' ? ` DF ${probe.size}B ${e.outcome === 'ok' ? 'fits' : 'too big'}` : ''}`,
    category, from: { label: from, netns: `pl-f-${from}` }, to: { label: to, ip: '10.0.0.1', port: 8080 }, protocol, probe, tries: 3, expect: { ...e, basis },
  };
}
const pass = (c: Check): Verdict => ({ check: c, status: 'pass', reason: '', observed: 'ok', notes: [], attempts: [], ms: 3 });
const failed = (c: Check, reason: string): Verdict => ({ check: c, status: 'fail', reason, observed: 'dropped (timed out)', notes: [], attempts: [], ms: 1000 });

const E6: Record<string, string> = {
  overlay: 'E6: pod→other node IP, flannel MASQUERADEs to the client node eth0 IP',
  bgp: 'E6 (BGP): pod→other node IP is outside the pool: cali-nat-outgoing MASQUERADEs to the client node IP',
  vpc: 'E6 (AWS): pod→other node IP, not NATed (node IP ∈ VPC CIDR: AWS-SNAT-CHAIN-0 RETURN)',
};
const NODE_IP: Record<string, string> = { overlay: '172.18.0.12', bgp: '172.18.0.12', vpc: '10.0.1.10' };
const MTU: Record<string, number> = { overlay: 1450, bgp: 1500, vpc: 1500 };

function verdictsOf(mode: string): Verdict[] {
  const v: Verdict[] = [
    pass(check('pod-to-pod/cross-node', 'TCP', 'shop/web-1', 'shop/web-2:8080', mode === 'overlay' ? 'E2: pod→pod cross node over VXLAN, never NATed' : `E2 (${mode === 'bgp' ? 'BGP' : 'AWS'}): pod→pod cross node, routed, no NAT`)),
    pass(check('pod-to-node/other', 'ICMP', 'shop/web-1', `node/node2 ${NODE_IP[mode]}`, E6[mode]!)),
    pass(check('mtu', 'ICMP', 'shop/web-1', 'shop/web-2', `pod MTU ${MTU[mode]}: a ${MTU[mode]! - 28}-byte DF ping payload crosses unfragmented`, OK, { kind: 'ping-df', size: MTU[mode]! - 28 })),
    pass(check('service/cluster-ip', 'UDP', 'shop/web-1', 'svc/shop/web:udp', 'E7/E8: pod→ClusterIP 10.96.0.10:8080, DNAT only (no MASQ for traffic from the pod CIDR), random over 3 endpoint(s)', { outcome: 'ok', backends: ['web-1', 'web-2', 'web-3'] })),
  ];
  const ext = check('pod-to-external', 'TCP', 'shop/web-1', 'external:8080', 'E17: pod→external, MASQUERADE to the node eth0 IP', NODE);
  if (mode === 'vpc') v.push(pass(check('pod-to-external', 'TCP', 'shop/web-1', 'external:8080', 'E17 (AWS, externalSNAT: true): the pod IP leaves the node un-NATed and the internet gateway drops it', { outcome: 'blocked' })));
  else v.push(pass(ext));
  if (mode === 'vpc') v.push(pass(check('vpc-host-to-pod', 'TCP', 'host/bastion', 'shop/web-2:8080', 'vpc: pod IPs are native VPC IPs; the VPC router delivers to the ENI holding the secondary IP')));
  if (mode === 'bgp') v[0] = failed(v[0]!.check, 'expected an answer, got dropped on all 3 tries (timed out (no SYN-ACK, no RST))');
  return v;
}

const size = (s: Partial<DataplaneSize>): DataplaneSize => ({ routes: 0, rules: 0, neighbours: 0, fdb: 0, iptablesRules: 70, nftRules: 0, nftElements: 0, bgpSessions: 0, ...s });
const stat = (p50: number, p99: number) => ({ p50, p99, min: p50 * 0.8, max: p99 * 1.2, mean: (p50 + p99) / 2, samples: 100 });
const iperf = (gbps: number, cpu: number) => ({ bitsPerSecond: gbps * 1e9, bytes: gbps * 1e9 / 8, seconds: 1, retransmits: 0, cpu: { senderPct: 60, receiverPct: 40 }, cpuSecondsPerGB: cpu });

function measurements(mode: string): ModeMeasurements {
  const o = mode === 'overlay';
  const per3 = o ? size({ routes: 5, neighbours: 2, fdb: 5 }) : mode === 'bgp' ? size({ routes: 7, bgpSessions: 2 }) : size({ routes: 4, rules: 3 });
  const per10 = o ? size({ routes: 12, neighbours: 9, fdb: 11 }) : mode === 'bgp' ? size({ routes: 13, bgpSessions: 9 }) : size({ routes: 3, rules: 2 });
  return {
    podMtu: MTU[mode]!, largestDfPacket: MTU[mode]!,
    overhead: { sentBytes: 1028, wireBytes: o ? 1078 : 1028, overheadBytes: o ? 50 : 0, sentFrameBytes: 1042, wireFrameBytes: o ? 1092 : 1042, encapsulation: o ? 'VXLAN (UDP 8472)' : 'none', wireFlow: o ? '172.18.0.11 → 172.18.0.12' : '10.244.0.2 → 10.244.1.2' },
    rttCrossNode: o ? stat(0.214, 0.319) : mode === 'bgp' ? stat(0.138, 0.201) : stat(0.162, 0.194),
    rttSameNode: stat(0.1, 0.18),
    service: { name: 'shop/web:udp', protocol: 'UDP', direct: stat(0.2, 0.9), clusterIP: stat(o ? 0.24 : 0.25, 1.1) },
    throughput: { seconds: 1, rounds: 3, podToPod: iperf(o ? 6 : 7.5, o ? 0.9 : 0.8), nodeToNode: iperf(8, 0.6) },
    buildMs: o ? 1090 : mode === 'bgp' ? 4030 : 1400, podReadyMs: 700,
    routeWithdrawMs: mode === 'bgp' ? 1530 : null, routeRestoreMs: mode === 'bgp' ? 952 : null,
    dataplane: [
      { nodes: 10, pods: 13, buildMs: 3000, byNode: Array.from({ length: 10 }, (_, i) => ({ node: `node${i + 1}`, ...per10 })), underlayRoutes: mode === 'vpc' ? 24 : 1 },
      { nodes: 3, pods: 6, buildMs: 1100, byNode: [1, 2, 3].map((i) => ({ node: `node${i}`, ...per3 })), underlayRoutes: mode === 'vpc' ? 10 : 1 },
    ],
  };
}

const run = (mode: string, extra: Partial<ModeRun> = {}): ModeRun => ({
  mode, cluster: 'demo', ms: 25_000, problems: [], notes: mode === 'overlay' ? ['the 10-node lab is a generated copy'] : [], verdicts: verdictsOf(mode), skipped: [],
  measurements: measurements(mode), endpoints: { crossNode: 'shop/web-1 (node1) → shop/web-2 (node2)', nodeToNode: 'node1 → node2' }, ...extra,
});

const RESULTS: CompareResults = {
  cluster: 'demo', files: ['/labs/lab.yaml'], startedAt: '2026-12-01T20:00:00.000Z', ms: 81_000, host: { kernel: '6.1.0-test', cpus: 2 }, interrupted: false,
  modes: [run('overlay'), run('bgp', { problems: [] }), run('vpc')],
};

t.test('row keys: the same check in every mode, whatever addresses and MTU probe sizes it has there', async (t) => {
  const [o, , v] = RESULTS.modes.map((m) => m.verdicts);
  t.equal(rowKey(o![1]!.check), 'pod-to-node/other ICMP shop/web-1 -> node/node2');
  t.equal(rowKey(o![1]!.check), rowKey(v![1]!.check));
  t.equal(rowKey(o![2]!.check), 'mtu ICMP shop/web-1 -> shop/web-2 DF fits');
  t.equal(rowKey(o![2]!.check), rowKey(v![2]!.check));
  t.equal(normalizeBasis('E6 (AWS): pod→other node IP, not NATed'), 'E6: pod→other node IP, not NATed');
  t.equal(normalizeBasis('E7/E8 (BGP): via 10.96.0.10:80'), 'E7/E8: via <ip>');
  t.equal(normalizeBasis('vpc: pod IPs are native', ['overlay', 'vpc']), 'pod IPs are native');
});

t.test('parity: each difference has its level and is explained by the bases of the expectation model', async (t) => {
  const p = parityOf(RESULTS.modes);
  const row = (k: string) => p.rows.find((r) => r.key.startsWith(k))!;
  t.equal(row('service/cluster-ip').level, 'same');
  t.match(row('service/cluster-ip').explanation, /^same in every mode — E7\/E8: pod→ClusterIP/);
  const e6 = row('pod-to-node/other');
  t.equal(e6.level, 'mechanism', 'reachable in every mode, for different reasons');
  t.match(e6.explanation, /overlay: E6: pod→other node IP, flannel MASQUERADEs/);
  t.match(e6.explanation, /bgp: E6 \(BGP\): .*cali-nat-outgoing MASQUERADEs/);
  t.match(e6.explanation, /vpc: E6 \(AWS\): pod→other node IP, not NATed/);
  t.equal(row('mtu').level, 'mechanism');
  t.match(row('mtu').explanation, /overlay: pod MTU 1450.*bgp: pod MTU 1500/);
  const ext = row('pod-to-external');
  t.equal(ext.level, 'behaviour');
  t.match(ext.explanation, /^expected to differ — overlay: ok from NODE 172\.18\.0\.11 \(E17: .*\) · .* · vpc: blocked \(E17 \(AWS, externalSNAT: true\): .*internet gateway drops it\)/);
  const only = row('vpc-host-to-pod');
  t.equal(only.level, 'only');
  t.match(only.explanation, /^only in vpc \(not generated in overlay, bgp\) — vpc: pod IPs are native VPC IPs/, 'the mode tag is not repeated');
  t.same(only.cells.overlay, null);
  const bad = row('pod-to-pod/cross-node');
  t.equal(bad.level, 'unexpected');
  t.match(bad.explanation, /^fails in bgp: expected an answer, got dropped .* \(expected ok; E2 \(BGP\): .*\) — passes in overlay, vpc$/);
  t.same(p.summary, { same: 1, mechanism: 2, only: 1, behaviour: 1, unexpected: 1 });
  const cat = p.categories.find((c) => c.category === 'pod-to-pod/cross-node')!;
  t.same(cat.cells, { overlay: { total: 1, passed: 1 }, bgp: { total: 1, passed: 0 }, vpc: { total: 1, passed: 1 } });
  t.equal(cat.level, 'unexpected');
  t.same(p.categories.find((c) => c.category === 'vpc-host-to-pod')!.cells, { overlay: null, bgp: null, vpc: { total: 1, passed: 1 } });
});

t.test('parity from the real expectation model: the generated checks of the example lab in every mode', async (t) => {
  const text = readFileSync(join(ROOT, 'examples', 'lab.yaml'), 'utf8');
  const runOf = (mode: string, src: string): ModeRun => {
    const topo = resolve(parseLab([{ file: 'lab.yaml', text: src, dir: '/tmp' }], { mode }));
    return { ...run(mode), verdicts: generateChecks(topo, getMode(topo.mode).expectations).checks.map(pass) };
  };
  const vpcText = text.replace('  mode: overlay\n', '  mode: vpc\n  vpc: {externalSNAT: true, hosts: [{name: bastion}]}\n');
  const p = parityOf([runOf('overlay', text), runOf('bgp', text), runOf('vpc', vpcText)]);
  const cat = (c: string) => p.categories.find((x) => x.category === c)!;
  t.equal(cat('pod-to-node/other').level, 'mechanism');
  t.match(cat('pod-to-node/other').explanation, /overlay: E6: pod→other node IP, flannel MASQUERADEs.*vpc: E6 \(AWS\): pod→other node IP, not NATed/);
  t.equal(cat('pod-to-external').level, 'behaviour', 'externalSNAT: pods cannot reach the internet without a NAT gateway');
  t.match(cat('pod-to-external').explanation, /vpc: E17 \(AWS\): pod→external: externalSNAT: true/);
  t.equal(cat('vpc-host-to-pod').level, 'only');
  t.equal(cat('service/cluster-ip').level, 'same', "kube-proxy's rules are the same in every mode");
  t.equal(cat('mtu').level, 'mechanism');
  const rows = p.rows.filter((r) => r.category === 'pod-to-pod/cross-node');
  t.ok(rows.length > 10 && rows.every((r) => Object.values(r.cells).every((c) => c !== null)), 'every cross-node check lines up across the three modes');
  t.equal(p.summary.unexpected, 0);
});

t.test('per-mode figures under stable names, ratios of the ceiling and between modes', async (t) => {
  const r = buildReport(RESULTS);
  const j = JSON.parse(renderJson(r));
  t.equal(j.schema, 'podlab.io/compare/v1');
  t.same(j.modeOrder, ['overlay', 'bgp', 'vpc']);
  t.equal(j.modes.overlay.overheadBytes, 50);
  t.equal(j.modes.bgp.overheadBytes, 0);
  t.equal(j.modes.bgp.rttMs.p50, 0.138);
  t.equal(j.modes.overlay.encapsulation, 'VXLAN (UDP 8472)');
  t.equal(j.modes.overlay.throughput.ratio, 0.75, 'pod → pod ÷ node → node');
  t.equal(j.modes.vpc.throughput.ratio, 0.938);
  t.equal(j.modes.overlay.throughput.podToPodGbps, 6);
  t.equal(j.modes.overlay.serviceRttMs.kubeProxyMs, 0.04, 'ClusterIP p50 − direct p50');
  t.same(j.modes.overlay.dataplane.map((d: { nodes: number }) => d.nodes), [3, 10], 'sizes in ascending order');
  t.same(j.modes.overlay.dataplane[0].perNode, size({ routes: 5, neighbours: 2, fdb: 5 }));
  t.equal(j.modes.overlay.dataplaneGrowth.ratio.routes, 2.4);
  t.equal(j.modes.overlay.dataplaneGrowth.ratio.bgpSessions, null, 'nothing to grow from');
  t.equal(j.modes.bgp.dataplaneGrowth.ratio.bgpSessions, 4.5, 'a full mesh: n − 1 sessions per node');
  t.same(j.modes.bgp.convergence, { podReadyMs: 700, routeWithdrawMs: 1530, routeRestoreMs: 952 });
  t.equal(j.modes.overlay.convergence.routeWithdrawMs, null);
  t.same(j.relative.rttP50, { overlay: 1.551, bgp: 1, vpc: 1.174 }, 'the best mode is 1');
  t.same(j.relative.throughputRatio, { overlay: 0.8, bgp: 1, vpc: 1 }, 'higher is better: a share of the best');
  t.equal(j.modes.bgp.ok, false, 'a failed check');
  t.equal(j.modes.overlay.ok, true);
  t.equal(j.ok, false);
  t.same(j.modes.overlay.checks, { total: 5, passed: 5, failed: 0, errors: 0, skipped: 0 });
  const good = buildReport({ ...RESULTS, modes: [run('overlay'), run('vpc')] });
  t.equal(good.ok, true);
  t.equal(buildReport({ ...RESULTS, modes: [run('overlay', { problems: ['throughput: iperf3 is not installed'] })] }).ok, false, 'a measurement that could not be made');
  t.equal(buildReport({ ...RESULTS, interrupted: true, modes: [run('overlay')] }).ok, false);
});

t.test('charts: every chart has bars and a how-to-read; dataplane pairs 3 and 10 nodes', async (t) => {
  const charts = chartsOf(buildReport(RESULTS));
  t.same(charts.map((c) => c.id), ['chart-latency', 'chart-throughput', 'chart-overhead', 'chart-time', 'chart-dataplane']);
  for (const c of charts) {
    t.ok(c.how.length > 80, `${c.id} says how to read it`);
    t.ok(c.groups.some((g) => g.bars.some((b) => (b.value ?? 0) > 0)), `${c.id} has a non-empty bar`);
  }
  const dp = charts.find((c) => c.id === 'chart-dataplane')!;
  t.same(dp.groups.map((g) => g.title), ['routes per node', 'ip rules per node', 'programmed neighbour entries per node', 'programmed fdb entries per node', 'iptables rules per node', 'BGP sessions per node'], 'all-zero figures (nft in iptables mode) are left out');
  t.same(dp.groups[0]!.bars.map((b) => b.label), ['overlay · 3 nodes', 'overlay · 10 nodes', 'bgp · 3 nodes', 'bgp · 10 nodes', 'vpc · 3 nodes', 'vpc · 10 nodes']);
  const time = charts.find((c) => c.id === 'chart-time')!;
  t.match(time.groups.find((g) => g.title.includes('bgp-down'))!.bars.find((b) => b.label === 'overlay'), { value: null, text: 'no routing protocol' });
});

t.test('HTML: one self-contained page, light and dark, parity matrix and charts', async (t) => {
  const html = renderHtml(buildReport(RESULTS));
  t.notMatch(html, /<script|<link|@import|url\(|src=/i, 'nothing to fetch, nothing to run');
  t.notMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:\/\//, 'no address but the SVG namespace');
  t.match(html, /@media \(prefers-color-scheme: dark\)/);
  t.match(html, /<table id="parity">/);
  t.equal((html.match(/<figure class="chart"/g) ?? []).length, 5);
  t.equal((html.match(/<strong>How to read this:<\/strong>/g) ?? []).length, 5 + 2, 'one per chart, one per table');
  t.match(html, /<tr class="level-unexpected" data-category="pod-to-pod\/cross-node">/);
  t.match(html, /E6 \(AWS\): pod→other node IP, not NATed \(node IP ∈ VPC CIDR/, 'the why column quotes the model');
  t.notMatch(html, /undefined|NaN|\[object/);
  t.matchSnapshot(html, 'report.html');
});

t.test('Markdown and terminal reports', async (t) => {
  const r = buildReport(RESULTS);
  const md = renderMarkdown(r);
  t.match(md, /^# podlab compare: overlay · bgp · vpc/);
  t.match(md, /\| pod-to-node\/other \| 1\/1 \| 1\/1 \| 1\/1 \| same result, different mechanism \|/);
  t.match(md, /\| bytes added on the wire \| 50 \| 0 \| 0 \|/);
  t.notMatch(md, /undefined|NaN/);
  t.matchSnapshot(md, 'report.md');
  const txt = renderText(r);
  t.match(txt, /RESULT: FAIL/);
  t.match(txt, /routes {2,}5 → 12 {2,}7 → 13 {2,}4 → 3/);
  t.matchSnapshot(txt, 'terminal');
});
