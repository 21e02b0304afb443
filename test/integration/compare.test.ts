// `podlab compare` for real: the example lab in overlay, bgp and vpc, one after another, with its checks and
// measurements; the figures must be those of the real systems (VXLAN adds exactly 50 bytes, routed modes none),
// the HTML report is opened in a real headless Chromium (DOM dump and a screenshot kept as an artifact), and
// nothing of the labs may be left. Needs root, tcpdump, iperf3 and chromium.
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, existsSync, readdirSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { clusterName, podlab, netnsOf, isRoot, ROOT, STATE_DIR } from '../helpers/lab.js';

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

const name = clusterName('cm');
const dir = mkdtempSync(join(tmpdir(), 'podlab-compare-test-'));
copyFileSync(join(ROOT, 'examples', 'echo.py'), join(dir, 'echo.py'));
const file = join(dir, 'lab.yaml');
writeFileSync(file, readFileSync(join(ROOT, 'examples', 'lab.yaml'), 'utf8').replace(/^ {2}name: demo$/m, `  name: ${name}`));
const out = join(dir, 'out');
/** Kept after the test: the screenshot of the report (path printed). */
const artifacts = process.env.PODLAB_TEST_ARTIFACTS ?? mkdtempSync(join(tmpdir(), 'podlab-compare-artifacts-'));

interface Stat { p50: number; p99: number; samples: number }
interface Size { routes: number; rules: number; neighbours: number; fdb: number; iptablesRules: number; bgpSessions: number }
interface Mode {
  ok: boolean; problems: string[]; checks: { total: number; passed: number };
  podMtu: number; largestDfPacket: number; overheadBytes: number; encapsulation: string; wire: { sentBytes: number; wireBytes: number };
  rttMs: Stat; rttSameNodeMs: Stat; serviceRttMs: { protocol: string; direct: Stat; clusterIP: Stat; kubeProxyMs: number };
  throughput: { podToPodGbps: number; nodeToNodeGbps: number; ratio: number; cpuSecondsPerGB: { podToPod: number } };
  buildMs: number; convergence: { podReadyMs: number; routeWithdrawMs: number | null; routeRestoreMs: number | null };
  dataplane: { nodes: number; pods: number; buildMs: number; perNode: Size; maxPerNode: Size; underlayRoutes: number }[];
}
interface Report {
  schema: string; cluster: string; ok: boolean; modeOrder: string[]; modes: Record<string, Mode>;
  parity: { summary: Record<string, number>; categories: { category: string; level: string; explanation: string }[] };
}
let report: Report;
let stderr = '';
let code = -1;
let seconds = 0;

t.before(async () => {
  const t0 = Date.now();
  const r = await execa('node', [join(ROOT, 'dist', 'cli', 'main.js'), 'compare', '-f', file, '--out', out, '--json'], {
    reject: false, timeout: 250_000, env: { PODLAB_STATE_DIR: STATE_DIR },
  });
  seconds = (Date.now() - t0) / 1000;
  code = r.exitCode ?? -1;
  stderr = String(r.stderr);
  try {
    report = JSON.parse(String(r.stdout)) as Report;
  } catch {
    throw new Error(`podlab compare printed no JSON (exit ${code}):\n${stderr.slice(-3000)}`);
  }
});

t.teardown(async () => {
  if (netnsOf(name).length) await podlab(['clean', '-c', name]);
  rmSync(dir, { recursive: true, force: true });
});

t.test('it ran every mode, with progress on stderr, and passed', async (t) => {
  t.comment(`podlab compare over overlay, bgp, vpc took ${seconds.toFixed(1)} s`);
  t.equal(code, 0, `exit 0 (problems: ${JSON.stringify(Object.fromEntries(Object.entries(report.modes).map(([m, x]) => [m, x.problems])))})`);
  t.equal(report.schema, 'podlab.io/compare/v1');
  t.equal(report.cluster, name);
  t.same(report.modeOrder, ['overlay', 'bgp', 'vpc']);
  for (const m of report.modeOrder) {
    t.same(report.modes[m]!.problems, [], `${m}: nothing that could not be done`);
    t.ok(report.modes[m]!.checks.total > 100 && report.modes[m]!.checks.passed === report.modes[m]!.checks.total, `${m}: ${report.modes[m]!.checks.passed}/${report.modes[m]!.checks.total} checks`);
  }
  for (const m of report.modeOrder) for (const step of ['building the lab', 'checking', 'encapsulation overhead', 'throughput pod → pod', 'dataplane size at 10 nodes', 'tearing down']) {
    t.match(stderr, new RegExp(`\\[ *\\d+\\.\\ds\\] ${m} \\(\\d/3\\) · ${step}`), `progress: ${m} · ${step}`);
  }
  t.ok(report.ok);
});

t.test('encapsulation and MTU, as captured on the wire', async (t) => {
  const { overlay, bgp, vpc } = report.modes as Record<'overlay' | 'bgp' | 'vpc', Mode>;
  t.equal(overlay.overheadBytes, 50, 'VXLAN: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14');
  t.equal(overlay.encapsulation, 'VXLAN (UDP 8472)', "flannel's port");
  t.same([overlay.wire.sentBytes, overlay.wire.wireBytes], [1028, 1078]);
  for (const m of [bgp, vpc]) {
    t.equal(m.overheadBytes, 0, 'routed: the pod packet is the packet on the wire');
    t.equal(m.encapsulation, 'none');
  }
  t.same([overlay.podMtu, bgp.podMtu, vpc.podMtu], [1450, 1500, 1500]);
  t.same([overlay.largestDfPacket, bgp.largestDfPacket, vpc.largestDfPacket], [1450, 1500, 1500], 'the largest DF packet that passes is the pod MTU');
});

t.test('latency, throughput and convergence are present and sane', async (t) => {
  for (const m of report.modeOrder) {
    const x = report.modes[m]!;
    for (const [what, s] of [['cross-node', x.rttMs], ['same node', x.rttSameNodeMs], ['direct', x.serviceRttMs.direct], ['via ClusterIP', x.serviceRttMs.clusterIP]] as const) {
      t.ok(s.p50 > 0 && s.p50 < 50 && s.p99 >= s.p50 && s.samples >= 30, `${m} ${what}: p50 ${s.p50} ms, p99 ${s.p99} ms over ${s.samples}`);
    }
    t.equal(x.serviceRttMs.protocol, 'UDP');
    t.ok(x.throughput.ratio > 0 && x.throughput.ratio <= 1.2, `${m}: pod → pod is ${x.throughput.ratio} of node → node (${x.throughput.podToPodGbps} of ${x.throughput.nodeToNodeGbps} Gbit/s)`);
    t.ok(x.throughput.cpuSecondsPerGB.podToPod > 0, `${m}: ${x.throughput.cpuSecondsPerGB.podToPod} CPU s per GB`);
    t.ok(x.buildMs > 0 && x.convergence.podReadyMs > 0 && x.convergence.podReadyMs < 20_000, `${m}: built in ${x.buildMs} ms, a new pod answered after ${x.convergence.podReadyMs} ms`);
  }
  const bgp = report.modes.bgp!;
  t.ok(bgp.convergence.routeWithdrawMs! > 0 && bgp.convergence.routeRestoreMs! > 0, `bgp: routes withdrawn in ${bgp.convergence.routeWithdrawMs} ms, back in ${bgp.convergence.routeRestoreMs} ms`);
  t.equal(report.modes.overlay!.convergence.routeWithdrawMs, null, 'no routing protocol in overlay');
  t.equal(report.modes.vpc!.convergence.routeWithdrawMs, null);
});

t.test('dataplane size at 3 and 10 nodes grows as each system programs it', async (t) => {
  const at = (m: string, n: number) => report.modes[m]!.dataplane.find((d) => d.nodes === n)!;
  for (const m of report.modeOrder) t.same(report.modes[m]!.dataplane.map((d) => d.nodes), [3, 10], `${m}: measured at 3 and 10 nodes`);
  // flannel: per remote node one ARP entry and one fdb entry on flannel.1 (permanent), and one route.
  t.equal(at('overlay', 3).perNode.neighbours, 2);
  t.equal(at('overlay', 10).perNode.neighbours, 9);
  t.equal(at('overlay', 10).perNode.routes - at('overlay', 3).perNode.routes, 7, 'a route per added remote node');
  // Calico full mesh: a BGP session per peer.
  t.equal(at('bgp', 3).perNode.bgpSessions, 2);
  t.equal(at('bgp', 10).perNode.bgpSessions, 9);
  t.equal(at('overlay', 10).perNode.bgpSessions, 0);
  // AWS: rules per pod on the node, pod routes in the VPC router.
  t.ok(at('vpc', 3).perNode.rules > 0, 'ip rules 512 (to pod) per local pod');
  t.ok(at('vpc', 10).underlayRoutes > at('vpc', 3).underlayRoutes, `the VPC router holds the pod routes: ${at('vpc', 3).underlayRoutes} → ${at('vpc', 10).underlayRoutes}`);
  t.equal(at('overlay', 10).underlayRoutes, at('overlay', 3).underlayRoutes, 'an overlay underlay knows nothing of pods');
  for (const m of report.modeOrder) t.ok(at(m, 3).perNode.iptablesRules > 20, `${m}: kube-proxy's rules on every node`);
});

t.test('parity: every check agrees, and the differences of mechanism quote the expectation model', async (t) => {
  t.equal(report.parity.summary.unexpected, 0);
  const e6 = report.parity.categories.find((c) => c.category === 'pod-to-node/other')!;
  t.equal(e6.level, 'mechanism');
  t.match(e6.explanation, /flannel MASQUERADEs/);
  t.match(e6.explanation, /not NATed/);
  t.equal(report.parity.categories.find((c) => c.category === 'service/cluster-ip')!.level, 'same');
});

t.test('report files: report.json as printed, report.md, report.html', async (t) => {
  t.same(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), report);
  t.match(readFileSync(join(out, 'report.md'), 'utf8'), /^# podlab compare: overlay · bgp · vpc/);
  t.match(readFileSync(join(out, 'report.html'), 'utf8'), /^<!doctype html>/);
});

async function chromium(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'podlab-chromium-'));
  try {
    const r = await execa('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--hide-scrollbars', ...args], { reject: false, timeout: 90_000 });
    return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

t.test('report.html in a real headless Chromium: parity matrix and every chart rendered, screenshot kept', async (t) => {
  const url = `file://${join(out, 'report.html')}`;
  const dom = await chromium(['--dump-dom', url]);
  t.equal(dom.code, 0, `chromium --dump-dom (${dom.stderr.split('\n').filter((l) => !/dbus|DBus/.test(l)).slice(-3).join(' / ')})`);
  const html = dom.stdout;
  const parity = /<table id="parity">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const rows = parity.match(/<tr class="level-/g) ?? [];
  t.ok(rows.length >= 10, `the parity matrix has a row per category (${rows.length})`);
  t.match(parity, /data-category="pod-to-node\/other"/);
  const figures = [...html.matchAll(/<figure class="chart" id="([^"]+)">([\s\S]*?)<\/figure>/g)];
  t.same(figures.map((f) => f[1]), ['chart-latency', 'chart-throughput', 'chart-overhead', 'chart-time', 'chart-dataplane']);
  for (const [, id, body] of figures) {
    t.match(body, /How to read this:/, `${id} says how to read it`);
    const widths = [...body!.matchAll(/<rect class="bar[^"]*"[^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    t.ok(widths.some((w) => w > 0), `${id} draws bars (${widths.length}, ${widths.filter((w) => w > 0).length} non-empty)`);
    t.match(body, /<svg[^>]*viewBox="0 0 \d+ \d+"/);
  }
  mkdirSync(artifacts, { recursive: true });
  const png = join(artifacts, 'compare-report.png');
  const shot = await chromium(['--window-size=1200,3200', `--screenshot=${png}`, url]);
  t.equal(shot.code, 0, 'chromium --screenshot');
  t.ok(existsSync(png) && statSync(png).size > 20_000, 'a screenshot of the rendered report');
  t.same([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  t.comment(`screenshot of the report: ${png}`);
});

t.test('Ctrl-C during the first mode: the lab is torn down, the other modes are not run, exit 130', async (t) => {
  const p = execa('node', [join(ROOT, 'dist', 'cli', 'main.js'), 'compare', '-f', file, '--modes', 'overlay,bgp', '--nodes', '0', '--json'], {
    reject: false, timeout: 120_000, env: { PODLAB_STATE_DIR: STATE_DIR },
  });
  let err = '';
  let sent = false;
  p.stderr!.on('data', (d: Buffer) => {
    err += String(d);
    if (!sent && /overlay \(1\/2\) · checking/.test(err)) {
      sent = true;
      p.kill('SIGINT');
    }
  });
  const r = await p;
  t.ok(sent, 'interrupted while checking');
  t.equal(r.exitCode, 130);
  t.match(err, /SIGINT: stopping after the current step; tearing the lab down/);
  t.match(err, /overlay \(1\/2\) · tearing down/);
  t.notMatch(err, /bgp \(2\/2\)/, 'bgp never started');
  const rep = JSON.parse(String(r.stdout)) as Report & { interrupted: boolean };
  t.equal(rep.interrupted, true);
  t.equal(rep.ok, false);
  t.same(rep.modes.bgp!.problems, ['not run: interrupted']);
  t.match(rep.modes.overlay!.problems, ['interrupted: results are partial']);
  t.same(netnsOf(name), [], 'nothing of the interrupted lab is left');
});

t.test('nothing of the labs is left: namespaces, state, host links, processes', async (t) => {
  t.same(netnsOf(name), [], 'no namespace');
  t.notOk(existsSync(join(STATE_DIR, name)), 'no state folder');
  const links = await execa('ip', ['-o', 'link', 'show'], { reject: false });
  t.notMatch(String(links.stdout), new RegExp(`pl-${name}-`), 'no host link');
  const mine: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(`pl-${name}-`) || cmd.includes(`/${name}/`)) mine.push(`${pid}: ${cmd}`);
    } catch {
      /* gone */
    }
  }
  t.same(mine, [], 'no process (tcpdump, iperf3, BIRD, netexec) still runs for the lab');
});
