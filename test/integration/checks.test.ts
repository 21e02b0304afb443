// The checker against real labs (root): a healthy lab passes every generated and declared check; then the
// dataplane is broken on purpose and the checker must fail exactly the affected checks, with a useful reason.
import t from 'tap';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot, CLI, STATE_DIR, checkJson, failedIds } from '../helpers/lab.js';


const DECLARED = `apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: a1-reaches-b1}
spec:
  from: pod/x/a1
  to: pod/x/b1:8080
  protocol: TCP
  expect: {outcome: ok, source: pod, backends: [x/b1]}
  tries: 3
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: external-cannot-reach-a1}
spec: {from: external, to: 'pod/x/a1:8080', protocol: UDP, expect: {outcome: blocked}}
`;

function labFile(name: string, extraChecks = DECLARED): string {
  return writeLab({ name, nodes: 2, extra: pod('x', 'a1', 'node1') + pod('x', 'a2', 'node1') + pod('x', 'b1', 'node2') + extraChecks });
}
const NODE_OF: Record<string, string> = { 'x/a1': 'node1', 'x/a2': 'node1', 'x/b1': 'node2' };

const check = checkJson;
const failed = failedIds;

const cluster = clusterName('k');
const file = labFile(cluster);
t.teardown(async () => {
  if (isRoot) await podlab(['down', '-c', cluster]);
});
t.before(async () => {
  if (!isRoot) return;
  const up = await podlab(['up', '-f', file]);
  if (up.exitCode !== 0) throw new Error(`up failed: ${up.stderr}`);
});
const n1 = `pl-${cluster}-node1`;

t.test('a healthy lab passes every check, with evidence', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const r = await check(cluster);
  t.equal(r.code, 0, 'exit 0');
  t.same(failed(r.checks), [], 'no failures');
  t.ok(r.checks.length >= 40, `${r.checks.length} checks`);
  const cats = new Set(r.checks.map((c) => c.category));
  for (const c of ['pod-to-pod/same-node', 'pod-to-pod/cross-node', 'localhost', 'node-to-pod/local', 'node-to-pod/remote', 'pod-to-node/own', 'pod-to-node/other', 'pod-to-external', 'external-to-pod', 'mtu', 'declared']) t.ok(cats.has(c), c);
  for (const c of r.checks) t.ok(c.attempts.length > 0, `${c.id} has evidence`);
  const ext = r.checks.find((c) => c.id === 'pod-to-external TCP x/b1 -> external:8080')!;
  t.equal(ext.attempts[0]!.sourceIp, '172.18.0.12', 'external host saw node2 eth0 (MASQUERADE)');
  const cross = r.checks.find((c) => c.id === 'pod-to-pod/cross-node UDP x/a1 -> x/b1:8080')!;
  t.equal(cross.attempts[0]!.sourceIp, '10.244.0.2', 'no NAT between pods');
});

t.test('filter and reporters from the CLI', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const r = await check(cluster, ['--filter', 'mtu*']);
  t.ok(r.checks.length === 4 && r.checks.every((c) => c.category === 'mtu'), 'only mtu checks');
  const tap = await podlab(['check', '-c', cluster, '--filter', 'localhost*', '-r', 'tap']);
  t.equal(tap.exitCode, 0);
  t.match(String(tap.stdout), /^TAP version 14\n1\.\.\d+\nok 1 - localhost/);
  const dir = mkdtempSync(join(tmpdir(), 'podlab-chk-'));
  const ju = await podlab(['check', '-c', cluster, '--filter', 'declared*', '-r', 'junit', '-o', join(dir, 'j.xml')]);
  t.equal(ju.exitCode, 0);
  t.match(readFileSync(join(dir, 'j.xml'), 'utf8'), /<testsuites name="podlab" tests="2" failures="0" errors="0"/);
});

t.test('a deleted flannel route fails exactly the checks that cross it', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const del = await inNetns(n1, ['ip', 'route', 'del', '10.244.1.0/24']);
  t.equal(del.code, 0, del.err);
  try {
    const r = await check(cluster);
    t.equal(r.code, 1, 'exit 1');
    // DNS checks ask the cluster DNS pod: they cross the route when their client and the DNS pod are on different nodes.
    const st = JSON.parse(String((await podlab(['status', '-c', cluster, '--json'])).stdout)) as { pods: { name: string; node: string; system?: boolean }[] };
    const dnsNode = st.pods.find((p) => p.system)!.node;
    const want = r.checks.filter((c) => {
      const from = NODE_OF[c.from] ?? (c.from.startsWith('node/') ? c.from.slice(5) : undefined);
      const to = c.category.startsWith('dns') ? dnsNode : NODE_OF[c.to.split(':')[0]!];
      return c.expected.outcome === 'ok' && from && to && from !== to;
    }).map((c) => c.id).sort();
    t.ok(want.length >= 15, `${want.length} checks cross node1↔node2 pod traffic`);
    t.same(failed(r.checks), want, 'exactly the checks whose traffic crosses the deleted route');
    for (const c of r.checks.filter((x) => x.status !== 'pass')) {
      t.match(c.reason, c.category.startsWith('dns') ? /got no DNS answer on all \d+ tries/ : /expected an answer, got (dropped|refused) on all \d+ tries/, c.id);
    }
  } finally {
    await inNetns(n1, ['ip', 'route', 'add', '10.244.1.0/24', 'via', '10.244.1.0', 'dev', 'flannel.1', 'onlink']);
  }
  const again = await check(cluster);
  t.same(failed(again.checks), [], 'restored: all pass again');
});

t.test('flushing FLANNEL-POSTRTG on node1 fails pod→external from node1 pods only', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const save = await inNetns(n1, ['iptables-save', '-t', 'nat']);
  const fl = await inNetns(n1, ['iptables', '-t', 'nat', '-F', 'FLANNEL-POSTRTG']);
  t.equal(fl.code, 0, fl.err);
  try {
    const r = await check(cluster, ['--filter', 'pod-to-*']);
    t.equal(r.code, 1);
    t.same(failed(r.checks), [
      'pod-to-external TCP x/a1 -> external:8080', 'pod-to-external TCP x/a2 -> external:8080',
      'pod-to-external UDP x/a1 -> external:8080', 'pod-to-external UDP x/a2 -> external:8080',
    ]);
    // Without MASQUERADE the external host sees the pod address and has no route back to it.
    for (const c of r.checks.filter((x) => x.status !== 'pass')) t.match(c.reason, /expected an answer, got dropped/, c.id);
  } finally {
    await execa('ip', ['netns', 'exec', n1, 'iptables-restore', '-T', 'nat'], { input: save.out + '\n', reject: false });
  }
  const again = await check(cluster, ['--filter', 'pod-to-external*']);
  t.same(failed(again.checks), [], 'restored');
});

t.test('a stray SNAT rule in node1 POSTROUTING is caught with the address it produced', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const rule = ['-s', '10.244.0.2/32', '-d', '10.244.1.2/32', '-j', 'SNAT', '--to-source', '172.18.0.11'];
  const add = await inNetns(n1, ['iptables', '-t', 'nat', '-I', 'POSTROUTING', '1', ...rule]);
  t.equal(add.code, 0, add.err);
  try {
    const r = await check(cluster, ['--filter', 'pod-to-pod/*']);
    t.equal(r.code, 1);
    t.same(failed(r.checks), ['pod-to-pod/cross-node TCP x/a1 -> x/b1:8080', 'pod-to-pod/cross-node UDP x/a1 -> x/b1:8080']);
    for (const c of r.checks.filter((x) => x.status !== 'pass')) {
      t.equal(c.reason, "server saw 172.18.0.11 (node node1 eth0), expected the pod's own 10.244.0.2: unexpected SNAT");
    }
    const human = await podlab(['check', '-c', cluster, '--filter', 'pod-to-pod/cross-node TCP x/a1*']);
    t.match(String(human.stdout), /↳ server saw 172\.18\.0\.11 \(node node1 eth0\), expected the pod's own 10\.244\.0\.2: unexpected SNAT/);
    t.match(String(human.stdout), /\$ nsenter --net=\/run\/netns\/pl-\S+-x-a1 -- curl/, 'the evidence is the exact command, runnable as is');
  } finally {
    await inNetns(n1, ['iptables', '-t', 'nat', '-D', 'POSTROUTING', ...rule]);
  }
});

t.test('down leaves nothing', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const d = await podlab(['down', '-c', cluster]);
  t.equal(d.exitCode, 0);
  t.same(netnsOf(cluster), []);
});

t.test('podlab test: up → check → down, one report, exit code', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const cluster = clusterName('k');
  const wrong = `---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: wrongly-expects-external-reach}
spec: {from: external, to: 'pod/x/a1:8080', expect: {outcome: ok}, tries: 1}
`;
  const file = labFile(cluster, DECLARED + wrong);
  const dir = mkdtempSync(join(tmpdir(), 'podlab-test-out-'));
  t.teardown(async () => {
    await podlab(['down', '-c', cluster]);
  });
  const r = await podlab(['test', '-f', file, '--modes', 'overlay', '-r', 'junit', '-o', dir]);
  t.equal(r.exitCode, 1, 'exit 1: one declared check fails');
  t.same(netnsOf(cluster), [], 'torn down');
  const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
  t.match(xml, /<testsuites name="podlab" tests="\d+" failures="1" errors="0"/);
  t.match(xml, /<failure message="expected an answer, got refused/);
  const j = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  t.equal(j.runs[0].mode, 'overlay');
  t.match(String(r.stdout), /wrongly-expects-external-reach/);
});

// #8 (hardening): SIGINT during `podlab check` exited 1 with "RESULT: FAIL" and counted the unrun checks as errors.
t.test('SIGINT during check: probing stops, the checks that ran are reported, exit 130', { skip: isRoot ? false : 'needs root' }, async (t) => {
  // The file's lab went with 'down leaves nothing': build it again for this test, and remove it after.
  const up = await podlab(['up', '-f', file]);
  t.equal(up.exitCode, 0, String(up.stderr));
  t.teardown(async () => {
    await podlab(['down', '-c', cluster]);
  });
  for (const reporter of ['json', 'human']) {
    const child = spawn('node', [CLI, 'check', '-c', cluster, '-r', reporter, '--concurrency', '2'], { env: { ...process.env, PODLAB_STATE_DIR: STATE_DIR }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // Interrupt once probing has started (the CLI's first probe process), not after a fixed time: on a loaded
    // machine the CLI can take seconds to start, and a SIGINT before its handler is installed just kills it.
    for (let i = 0; i < 600; i++) {
      const kids = await execa('pgrep', ['-P', String(child.pid)], { reject: false });
      if (String(kids.stdout).trim()) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT');
    t.equal(await exited, 130, `${reporter}: exit 130 (${stderr.slice(-600)})`);
    if (reporter === 'json') {
      const run = JSON.parse(stdout).runs[0];
      t.equal(run.interrupted, true);
      t.ok(run.notRun > 0, `${run.notRun} checks not run`);
      t.ok(run.checks.length > 0 && run.checks.every((c: { attempts: unknown[] }) => c.attempts.length > 0), `${run.checks.length} checks ran, each with evidence`);
      t.equal(run.counts.errors, 0, 'no unrun check is counted as an error');
      t.same(run.problems, []);
    } else {
      t.match(stdout, /interrupted: \d+ not run/);
      t.match(stdout, /RESULT: INTERRUPTED \(\d+ of \d+ checks ran/);
      t.notMatch(stdout, /RESULT: FAIL|no attempt was made/);
    }
  }
});

t.test('podlab test tears down on SIGTERM', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const cluster = clusterName('k');
  const file = labFile(cluster);
  t.teardown(async () => {
    await podlab(['down', '-c', cluster]);
  });
  const child = spawn('node', [CLI, 'test', '-f', file], { env: { ...process.env, PODLAB_STATE_DIR: STATE_DIR }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  // Wait until the lab exists (pods are up), then interrupt while it is being checked.
  const t0 = Date.now();
  while (!existsSync(`/run/netns/pl-${cluster}-x-b1`) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGTERM');
  const code = await exited;
  t.equal(code, 130, 'exit 130 after an interrupted run');
  t.same(netnsOf(cluster), [], 'nothing left');
});
