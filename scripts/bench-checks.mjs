#!/usr/bin/env node
// Benchmark of the generated check suite on the example lab (examples/lab.yaml, renamed to cluster "kbench").
// Builds the lab, times `podlab check -r json` a few times, removes the lab, prints JSON. Needs root and `npx tsc -p .`.
//   node scripts/bench-checks.mjs [--runs N] [--concurrency C]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const runs = Number(arg('--runs', '3'));
const concurrency = arg('--concurrency', '8');
const cluster = arg('--cluster', 'kbench');
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-'));
const env = { ...process.env, PODLAB_STATE_DIR: process.env.PODLAB_STATE_DIR ?? join(dir, 'state') };
const file = join(dir, 'lab.yaml');
writeFileSync(file, readFileSync(join(ROOT, 'examples', 'lab.yaml'), 'utf8').replace(/^  name: demo$/m, `  name: ${cluster}`));
copyFileSync(join(ROOT, 'examples', 'echo.py'), join(dir, 'echo.py'));

const podlab = (...a) => spawnSync('node', [CLI, ...a], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
const up = podlab('up', '-f', file);
if (up.status !== 0) {
  console.error(up.stderr);
  process.exit(1);
}
const times = [];
let last;
try {
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = podlab('check', '-c', cluster, '-r', 'json', '--concurrency', concurrency);
    times.push((performance.now() - t0) / 1000);
    last = JSON.parse(r.stdout).runs[0];
  }
} finally {
  podlab('down', '-c', cluster);
}
const sorted = [...times].sort((a, b) => a - b);
const cpu = execFileSync('nproc', { encoding: 'utf8' }).trim();
console.log(JSON.stringify({
  what: 'podlab check (generated suite) on examples/lab.yaml as cluster ' + cluster,
  command: `node dist/cli/main.js check -c ${cluster} -r json --concurrency ${concurrency}`,
  cores: Number(cpu), runs, concurrency: Number(concurrency),
  checks: last.counts.total, passed: last.counts.passed, failed: last.counts.failed, skipped: last.counts.skipped,
  seconds: times.map((x) => Number(x.toFixed(2))), medianSeconds: Number(sorted[Math.floor(sorted.length / 2)].toFixed(2)),
  checksPerSecond: Number((last.counts.total / sorted[Math.floor(sorted.length / 2)]).toFixed(1)),
}, null, 2));
