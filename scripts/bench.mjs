#!/usr/bin/env node
// npm run bench: builds real labs and prints one JSON object with timings and memory (needs root).
// Figures: example lab up / re-up / down; 20 nodes × 50 pods (1,000 pods, no processes) up / down;
// RSS of 100 pods running netexec; kube-proxy full sync of 1,000 services × 10 endpoints and apply-to-live
// (scripts/bench-services.mjs); the example lab's check suite (scripts/bench-checks.mjs); the daemon's apply → live,
// drift → repair and RSS (scripts/bench-daemon.mjs).
// `node scripts/bench.mjs example scale netexec services checks` picks parts.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.PODLAB_STATE_DIR = mkdtempSync(join(tmpdir(), 'podlab-bench-'));
const { up, down, loadLab } = await import(join(ROOT, 'dist/lab/index.js'));
const { clusterNetns, pidsIn } = await import(join(ROOT, 'dist/substrate/local.js'));
const { LocalExecutor } = await import(join(ROOT, 'dist/substrate/local.js'));

const only = process.argv.slice(2);
const want = (k) => only.length === 0 || only.includes(k);
const result = { machine: { cpus: (await import('node:os')).cpus().length, kernel: (await import('node:os')).release() }, goals: {
  exampleUpMs: 2000, scaleUpMs: 15000, scaleDownMs: 5000, netexec100RssMB: 300 } };
const ms = (t0) => Math.round(performance.now() - t0);
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-files-'));

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

if (want('example')) {
  const text = readFileSync(join(ROOT, 'examples/lab.yaml'), 'utf8').replace('name: demo', 'name: bex');
  const f = join(ROOT, 'examples', '.bench-lab.yaml');
  writeFileSync(f, text);
  try {
    const exec = new LocalExecutor();
    const [upMs, r] = await timed(() => up({ files: [f], exec }));
    const [reUpMs, r2] = await timed(() => up({ files: [f] }));
    const [downMs, d] = await timed(() => down('bex'));
    result.example = { nodes: 3, pods: 6, upMs, changes: r.changes, processesSpawned: r.spawned, reUpMs, reUpChanges: r2.changes, downMs, leftovers: d.leftovers.length };
  } finally {
    (await import('node:fs')).rmSync(f, { force: true });
  }
}

if (want('scale')) {
  const nodes = Array.from({ length: 20 }, (_, i) => `    - name: n${i + 1}`).join('\n');
  const cluster = `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: bsc}\nspec:\n  nodes:\n${nodes}\n`;
  const f = labFile('scale', cluster);
  const base = loadLab([f]);
  const pods = [];
  for (let n = 0; n < 20; n++) for (let p = 0; p < 50; p++) {
    pods.push({ namespace: 'bench', name: `p${n}-${p}`, labels: { app: 'bench' }, nodeName: `n${n + 1}`, containers: [], origin: { file: f, line: 1 } });
  }
  const lab = { ...base, pods, namespaces: ['bench'] };
  const exec = new LocalExecutor();
  const [upMs, r] = await timed(() => up({ files: [f], lab, exec }));
  const [reUpMs, r2] = await timed(() => up({ files: [f], lab }));
  const [downMs, d] = await timed(() => down('bsc'));
  result.scale = { nodes: 20, pods: 1000, namespaces: r.created.length, upMs, changes: r.changes, processesSpawned: r.spawned, reUpMs, reUpChanges: r2.changes, downMs, leftovers: d.leftovers.length };
}

if (want('netexec')) {
  const pods = Array.from({ length: 100 }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: bench}\nspec: {containers: [{name: netexec, ports: [{containerPort: 8080}, {containerPort: 8080, protocol: UDP}]}]}\n`).join('');
  const f = labFile('netexec', `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: bnx}\nspec:\n  external: {ports: []}\n  nodes: [{name: node1}, {name: node2}, {name: node3}]\n${pods}`);
  const [upMs] = await timed(() => up({ files: [f] }));
  const pids = pidsIn(clusterNetns('bnx'));
  let rssKB = 0;
  for (const pid of pids.keys()) {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    rssKB += m ? Number(m[1]) : 0;
  }
  await down('bnx');
  result.netexec = { pods: 100, listeners: 200, upMs, processes: pids.size, rssMB: Math.round(rssKB / 102.4) / 10 };
}

// The per-area benchmarks print JSON of their own; run them as children and fold their results in.
const { spawnSync } = await import('node:child_process');
for (const [key, script, args] of [['services', 'bench-services.mjs', []], ['checks', 'bench-checks.mjs', ['--runs', '1']], ['daemon', 'bench-daemon.mjs', []]]) {
  if (!want(key)) continue;
  const r = spawnSync('node', [join(ROOT, 'scripts', script), ...args], { encoding: 'utf8', env: process.env, timeout: 1_800_000 });
  try {
    result[key] = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    result[key] = { error: `${script} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}` };
  }
}

console.log(JSON.stringify(result, null, 2));
