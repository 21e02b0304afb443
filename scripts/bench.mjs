#!/usr/bin/env node
// npm run bench: builds real labs and prints one JSON object with timings and memory (needs root).
// Figures: example lab up / re-up / down; podlab against the kernel floor (scripts/bench-floor.mjs: the same kernel
// objects made by one minimal process through raw rtnetlink) on the same shapes in the same run — 1 node × 100
// pods and 20 nodes × 50 pods, up / re-up / down as ratios to the floor — and the per-pod slope of both at 250,
// 500, 1,000 and 2,000 pods; RSS of 100 pods running netexec; kube-proxy full sync of 1,000 services × 10
// endpoints and apply-to-live (scripts/bench-services.mjs); the example lab's check suite (scripts/bench-checks.mjs); the daemon's
// apply → live, drift → repair and RSS (scripts/bench-daemon.mjs); NetworkPolicy: 100 policies over 200 pods, rule sync
// and the full truth table (scripts/bench-policy.mjs); requests through a Service lost while its endpoints change
// (scripts/bench-churn.mjs: 2,000 paced requests, 10 scale/delete changes); `podlab trace` against one plain probe of
// the same flow, and a trace by name (scripts/bench-trace.mjs).
// `node scripts/bench.mjs example scale slope netexec services checks daemon policy churn trace` picks parts; `--runs N` (default 3) sets how
// many times each floor shape runs (medians are printed). PODLAB_BENCH_ROOT=DIR measures another build of podlab
// (its dist/) against the same floor, e.g. the commit before a change.
import { readFileSync, writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = process.env.PODLAB_BENCH_ROOT ?? HERE;
process.env.PODLAB_STATE_DIR = mkdtempSync(join(tmpdir(), 'podlab-bench-'));
const { up, down, loadLab } = await import(join(ROOT, 'dist/lab/index.js'));
const { clusterNetns, pidsIn } = await import(join(ROOT, 'dist/substrate/local.js'));
const { LocalExecutor } = await import(join(ROOT, 'dist/substrate/local.js'));

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const only = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
const want = (k) => only.length === 0 || only.includes(k);
const result = { machine: { cpus: (await import('node:os')).cpus().length, kernel: (await import('node:os')).release(), podlab: ROOT === HERE ? 'this tree' : ROOT, kernelPath: process.env.PODLAB_KERNEL ?? 'default' }, goals: {
  exampleUpMs: 400, netexec100RssMB: 50, floorRatio: { up1000: 1.5, down1000: 1.2, up100: 2 }, reUp1000Ms: 500, slopeRatio: 1.5 } };
const ms = (t0) => Math.round(performance.now() - t0);
// Cluster names unique to this run (other benchmarks may run beside this one): ≤ 10 characters.
const RUN = (await import('node:crypto')).randomBytes(2).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-files-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a, b) => Math.round((a / b) * 100) / 100;

function labFile(name, body) {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, body);
  return f;
}

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return [ms(t0), r];
}

/** Waits until the kernel has finished freeing deleted namespaces (no kworker busy on the netns queue). */
async function settle(maxMs = 30_000) {
  const t0 = performance.now();
  let quiet = 0;
  while (performance.now() - t0 < maxMs && quiet < 4) {
    let busy = false;
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        if (readFileSync(`/proc/${d}/comm`, 'utf8').includes('+netns')) { busy = true; break; }
      } catch { /* gone */ }
    }
    quiet = busy ? 0 : quiet + 1;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The floor on one shape, in its own process (it measures itself). */
function floor(nodes, pods) {
  const r = spawnSync('node', [join(HERE, 'scripts/bench-floor.mjs'), '--nodes', String(nodes), '--pods', String(pods)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`bench-floor.mjs exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** podlab on one shape: pods without containers spread round-robin over the nodes (the floor's shape). */
async function podlab(name, nodes, pods, reUp = true) {
  const nodeList = Array.from({ length: nodes }, (_, i) => `    - name: n${i + 1}`).join('\n');
  const f = labFile(name, `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\nspec:\n  nodes:\n${nodeList}\n`);
  const base = loadLab([f]);
  const list = [];
  const per = new Array(nodes).fill(0);
  for (let k = 0; k < pods; k++) {
    const n = k % nodes;
    list.push({ namespace: 'bench', name: `p${n}-${per[n]++}`, labels: { app: 'bench' }, nodeName: `n${n + 1}`, containers: [], origin: { file: f, line: 1 } });
  }
  const lab = { ...base, pods: list, namespaces: ['bench'] };
  const exec = new LocalExecutor();
  const [upMs, r] = await timed(() => up({ files: [f], lab, exec }));
  const [reUpMs, r2] = reUp ? await timed(() => up({ files: [f], lab })) : [undefined, {}];
  await settle();
  const [downMs, d] = await timed(() => down(name));
  return { upMs, changes: r.changes, processesSpawned: r.spawned, reUpMs, reUpChanges: r2.changes, downMs, leftovers: d.leftovers.length };
}

if (want('example')) {
  const text = readFileSync(join(ROOT, 'examples/lab.yaml'), 'utf8').replace('name: demo', `name: bex${RUN}`);
  const f = join(ROOT, 'examples', `.bench-lab-${RUN}.yaml`);
  writeFileSync(f, text);
  try {
    const exec = new LocalExecutor();
    const [upMs, r] = await timed(() => up({ files: [f], exec }));
    const [reUpMs, r2] = await timed(() => up({ files: [f] }));
    const [downMs, d] = await timed(() => down(`bex${RUN}`));
    result.example = { nodes: 3, pods: 6, upMs, changes: r.changes, processesSpawned: r.spawned, reUpMs, reUpChanges: r2.changes, downMs, leftovers: d.leftovers.length };
  } finally {
    (await import('node:fs')).rmSync(f, { force: true });
  }
}

if (want('scale')) {
  // podlab against the floor, same shapes, alternating, RUNS times each; medians and their ratios.
  result.floor = {};
  let k = 0;
  for (const [nodes, pods] of [[1, 100], [20, 1000]]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      await settle();
      const fl = floor(nodes, pods);
      await settle();
      const pl = await podlab(`bc${RUN}${k++}`, nodes, pods);
      await settle();
      runs.push({ floor: fl, podlab: pl });
    }
    const m = (side, key) => median(runs.map((r) => r[side][key]));
    const shape = `${nodes}x${pods}`;
    result.floor[shape] = {
      nodes, pods, runs: runs.length,
      floor: { upMs: m('floor', 'upMs'), namespacesMs: m('floor', 'namespacesMs'), rereadMs: m('floor', 'rereadMs'), downMs: m('floor', 'downMs') },
      podlab: { upMs: m('podlab', 'upMs'), reUpMs: m('podlab', 'reUpMs'), downMs: m('podlab', 'downMs'), changes: runs[0].podlab.changes, reUpChanges: runs[0].podlab.reUpChanges, processesSpawned: runs[0].podlab.processesSpawned, leftovers: runs.reduce((a, r) => a + r.podlab.leftovers, 0) },
      ratio: { up: ratio(m('podlab', 'upMs'), m('floor', 'upMs')), reUp: ratio(m('podlab', 'reUpMs'), m('floor', 'rereadMs')), down: ratio(m('podlab', 'downMs'), m('floor', 'downMs')) },
      ratioRuns: runs.map((r) => ({ up: ratio(r.podlab.upMs, r.floor.upMs), reUp: ratio(r.podlab.reUpMs, r.floor.rereadMs), down: ratio(r.podlab.downMs, r.floor.downMs) })),
    };
  }
}

if (want('slope')) {
  // Per-pod cost: up of 20 nodes with 250 … 2,000 pods, podlab and the floor; slope by least squares (ms per pod).
  const points = [];
  let k = 0;
  for (const pods of [250, 500, 1000, 2000]) {
    await settle();
    const fl = floor(20, pods);
    await settle();
    const pl = await podlab(`bs${RUN}${k++}`, 20, pods, false);
    points.push({ pods, floorUpMs: fl.upMs, podlabUpMs: pl.upMs, ratio: ratio(pl.upMs, fl.upMs) });
  }
  const fit = (key) => {
    const xs = points.map((p) => p.pods), ys = points.map((p) => p[key]);
    const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
    return xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  };
  const f = fit('floorUpMs'), p = fit('podlabUpMs');
  result.slope = { nodes: 20, points, msPerPod: { floor: Math.round(f * 100) / 100, podlab: Math.round(p * 100) / 100 }, ratio: ratio(p, f) };
}

if (want('netexec')) {
  const pods = Array.from({ length: 100 }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: bench}\nspec: {containers: [{name: netexec, ports: [{containerPort: 8080}, {containerPort: 8080, protocol: UDP}]}]}\n`).join('');
  const f = labFile('netexec', `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: bnx${RUN}}\nspec:\n  external: {ports: []}\n  nodes: [{name: node1}, {name: node2}, {name: node3}]\n${pods}`);
  const [upMs] = await timed(() => up({ files: [f] }));
  const pids = pidsIn(clusterNetns(`bnx${RUN}`));
  let rssKB = 0;
  for (const pid of pids.keys()) {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    rssKB += m ? Number(m[1]) : 0;
  }
  await down(`bnx${RUN}`);
  result.netexec = { pods: 100, listeners: 200, upMs, processes: pids.size, rssMB: Math.round(rssKB / 102.4) / 10 };
}

// The per-area benchmarks print JSON of their own; run them as children and fold their results in.
for (const [key, script, args] of [['services', 'bench-services.mjs', []], ['checks', 'bench-checks.mjs', ['--runs', '1']], ['daemon', 'bench-daemon.mjs', []], ['policy', 'bench-policy.mjs', []], ['churn', 'bench-churn.mjs', []], ['trace', 'bench-trace.mjs', []]]) {
  if (!want(key)) continue;
  const r = spawnSync('node', [join(ROOT, 'scripts', script), ...args], { encoding: 'utf8', env: process.env, timeout: 1_800_000, killSignal: 'SIGTERM' });
  try {
    result[key] = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    result[key] = { error: `${script} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}` };
  }
}

console.log(JSON.stringify(result, null, 2));
