#!/usr/bin/env node
// Daemon benchmark (root). Prints JSON:
//  - apply → live through the daemon (thin client, state in memory) against the in-process CLI, in the example lab
//    and in a 1,000-pod, 100-Service lab: from the start of `podlab apply` of one new endpoint (a pod) until its DNAT
//    rule is in every node's nat table, and the command's own time;
//  - the same rule-set change written as kube-proxy's partial `iptables-restore --noflush` of the changed chains
//    against a full restore, in one node of the 1,000-pod lab;
//  - drift → repair: `ip route del` in a node until the route is back, repaired from the kernel's event;
//  - the daemon's RSS with the 1,000-pod lab loaded.
// Usage: node scripts/bench-daemon.mjs [--small-only]. Everything happens in its own state directory and namespaces.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const EXAMPLES = new URL('../examples/', import.meta.url).pathname;
const smallOnly = process.argv.includes('--small-only');
const SD = mkdtempSync(join(tmpdir(), 'podlab-bench-daemon-'));
const env = (local) => ({ ...process.env, PODLAB_STATE_DIR: SD, ...(local ? { PODLAB_NO_DAEMON: '1' } : {}) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-daemon-files-'));
const result = { loadavgAtStart: loadavg()[0] };

const podDoc = (n, node, app, ns = 'default') => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, namespace: ${ns}, labels: {app: ${app}}}\nspec:\n  nodeName: ${node}\n  containers: [{name: c, ports: [{containerPort: 8080, name: http}]}]\n`;
const svcDoc = (n, app) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: ${n}}\nspec:\n  selector: {app: ${app}}\n  ports: [{port: 80, targetPort: 8080}]\n`;
const run = (argv, input) => spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8', maxBuffer: 1 << 28 });
const nat = (ns) => run(['nsenter', `--net=/run/netns/${ns}`, '--', 'iptables-save', '-t', 'nat']).stdout;
const dnats = (ns, ip) => (nat(ns).match(new RegExp(`-j DNAT --to-destination ${ip.replace(/\./g, '\\.')}:`, 'g')) ?? []).length;

let daemon;
async function startDaemon() {
  let log = '';
  daemon = spawn('node', [CLI, 'daemon', '--state-dir', SD, '--resync', '300s'], { env: env(false), stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout.on('data', (d) => { log += d; });
  daemon.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 900 && !/listening on/.test(log); i++) await sleep(100);
  return () => log;
}
function rssMB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : -1;
}

/** From the start of `podlab apply` of the new pod until its IP is a DNAT target in every node. */
async function applyToLive(cluster, nodes, addFile, podName, local, ns = 'default') {
  const t0 = performance.now();
  const child = spawn('node', [CLI, 'apply', '-c', cluster, '-f', addFile, '--json'], { env: env(local), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('exit', () => r(Math.round(performance.now() - t0))));
  let ip;
  let liveMs = -1;
  while (performance.now() - t0 < 120_000) {
    if (!ip) {
      const st = join(SD, cluster, 'state.json');
      try { ip = JSON.parse(readFileSync(st, 'utf8')).topology.pods.find((p) => p.name === podName)?.ip; } catch { /* being written */ }
    }
    if (ip && nodes.every((n) => dnats(n, ip) > 0)) { liveMs = Math.round(performance.now() - t0); break; }
    await sleep(5);
  }
  const commandMs = await exited;
  const del = spawnSync('node', [CLI, 'delete', '-c', cluster, 'pod', `${ns}/${podName}`], { env: env(local), encoding: 'utf8' });
  if (del.status !== 0) throw new Error(`delete: ${del.stderr}`);
  let r = {};
  try { r = JSON.parse(out); } catch { /* reported below */ }
  return { liveMs, commandMs, readBack: r.readBack, rulesSynced: r.rulesSynced };
}

async function lab(name, nodes, podsPerNode, services) {
  const nodeList = Array.from({ length: nodes }, (_, i) => `{name: node${i + 1}}`).join(', ');
  let docs = '';
  for (let n = 0; n < nodes; n++) for (let p = 0; p < podsPerNode; p++) docs += podDoc(`p${n}-${p}`, `node${n + 1}`, `web${(n * podsPerNode + p) % services}`);
  for (let s = 0; s < services; s++) docs += svcDoc(`web${s}`, `web${s}`);
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\nspec:\n  external: {ports: []}\n  nodes: [${nodeList}]\n` + docs);
  return f;
}

async function measure(key, cluster, file, nodeCount, addPod, podName, runs, ns = 'default') {
  const up = spawnSync('node', [CLI, 'up', '-f', file], { env: env(false), encoding: 'utf8', timeout: 1_200_000 });
  if (up.status !== 0) throw new Error(`up: ${up.stderr}`);
  const nodes = Array.from({ length: nodeCount }, (_, i) => `pl-${cluster}-node${i + 1}`);
  const add = join(dir, `${cluster}-add.yaml`);
  writeFileSync(add, addPod.slice(4));
  const out = { daemon: [], inProcess: [] };
  await applyToLive(cluster, nodes, add, podName, false, ns); // warm: the daemon learns the rule texts it wrote
  for (let i = 0; i < runs; i++) out.daemon.push(await applyToLive(cluster, nodes, add, podName, false, ns));
  for (let i = 0; i < runs; i++) out.inProcess.push(await applyToLive(cluster, nodes, add, podName, true, ns));
  const med = (xs) => xs.map((x) => x.liveMs).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  result[key] = { ...out, daemonLiveMsMedian: med(out.daemon), inProcessLiveMsMedian: med(out.inProcess), ratio: Math.round((med(out.inProcess) / med(out.daemon)) * 10) / 10 };
  return nodes;
}

async function driftRepair(cluster, node, runs) {
  const routes = JSON.parse(run(['ip', '-n', node, '-j', 'route']).stdout).filter((r) => r.dev === 'flannel.1');
  const out = [];
  for (let i = 0; i < runs; i++) {
    const dst = routes[i % routes.length].dst;
    const t0 = performance.now();
    run(['ip', '-n', node, 'route', 'del', dst]);
    let ms = -1;
    while (performance.now() - t0 < 60_000) {
      if (run(['ip', '-n', node, 'route', 'show', dst]).stdout.trim()) { ms = Math.round(performance.now() - t0); break; }
      await sleep(5);
    }
    out.push(ms);
    await sleep(500);
  }
  return { runs: out, medianMs: [...out].sort((a, b) => a - b)[Math.floor(out.length / 2)] };
}

const log = await startDaemon();
const cleanup = [];
// Stopped from outside (bench.mjs's timeout, Ctrl-C): the daemon and the labs go with it, nothing is left behind.
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    daemon.kill('SIGTERM');
    spawnSync('node', [CLI, 'clean', '--all'], { env: env(true), stdio: 'ignore', timeout: 300_000 });
    process.exit(130);
  });
}
try {
  // The example lab.
  const ex = `e${randomBytes(3).toString('hex')}`;
  const exFile = join(dir, 'example.yaml');
  writeFileSync(exFile, readFileSync(join(EXAMPLES, 'lab.yaml'), 'utf8').replace('name: demo', `name: ${ex}`));
  copyFileSync(join(EXAMPLES, 'echo.py'), join(dir, 'echo.py'));
  cleanup.push(ex);
  const exNodes = await measure('applyEndpoint_example', ex, exFile, 3, podDoc('new', 'node2', 'web', 'shop'), 'new', 3, 'shop');
  result.driftRepair_example = await driftRepair(ex, exNodes[0], 5);
  if (!smallOnly) {
    const big = `b${randomBytes(3).toString('hex')}`;
    cleanup.push(big);
    const bigNodes = await measure('applyEndpoint_1000pods', big, await lab(big, 20, 50, 100), 20, podDoc('new', 'node2', 'web0'), 'new', 2);
    result.driftRepair_1000pods = await driftRepair(big, bigNodes[0], 3);
    result.daemonRssMB_1000pods = rssMB(daemon.pid);
    // The same rule-set change, as a full restore and as kube-proxy's partial restore (state in memory).
    const { partialRestore } = await import('../dist/kernel/partial.js');
    const ns = bigNodes[2];
    const full = run(['nsenter', `--net=/run/netns/${ns}`, '--', 'iptables-save']).stdout;
    const lines = full.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]$/, '[0:0]'));
    const text = lines.join('\n') + '\n';
    // One endpoint chain added to one service (what a new endpoint changes): a copy with one more rule.
    const svc = lines.find((l) => /^-A KUBE-SVC-\S+ .*-j KUBE-SEP-/.test(l));
    const changed = text.replace(svc, `${svc}\n${svc.replace(/-m statistic.*? -j/, '-j')}`);
    const p = partialRestore(text, changed);
    const time = (argv, input, n = 5) => {
      const xs = [];
      for (let i = 0; i < n; i++) { const t0 = performance.now(); const r = run(argv, input); if (r.status !== 0) throw new Error(r.stderr); xs.push(performance.now() - t0); }
      return Math.round(xs.sort((a, b) => a - b)[Math.floor(n / 2)]);
    };
    const fullMs = time(['nsenter', `--net=/run/netns/${ns}`, '--', 'iptables-restore', '-w', '5'], changed);
    time(['nsenter', `--net=/run/netns/${ns}`, '--', 'iptables-restore', '-w', '5'], text, 1);
    const partialMs = time(['nsenter', `--net=/run/netns/${ns}`, '--', 'iptables-restore', '-w', '5', '--noflush'], p.text);
    time(['nsenter', `--net=/run/netns/${ns}`, '--', 'iptables-restore', '-w', '5'], text, 1);
    result.restore_1000pods_node = { ruleLines: lines.length, partialLines: p.text.split('\n').length, chainsRewritten: p.chains, fullRestoreMs: fullMs, partialNoflushMs: partialMs, ratio: Math.round((fullMs / Math.max(1, partialMs)) * 10) / 10 };
  }
} catch (e) {
  result.error = String(e.message ?? e).slice(0, 500);
} finally {
  for (const c of cleanup) spawnSync('node', [CLI, 'down', '-c', c], { env: env(false), stdio: 'ignore' });
  daemon.kill('SIGTERM');
  await sleep(500);
  result.loadavgAtEnd = loadavg()[0];
  result.daemonLogTail = log().trim().split('\n').slice(-3);
}
console.log(JSON.stringify(result, null, 2));
