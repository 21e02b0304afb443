#!/usr/bin/env node
// node scripts/bench-docker.mjs [--pods N]: the Docker engine layer's costs as one JSON object (needs root, dockerd,
// busybox-static; run `npx tsc -p .` first). Starts a private engine with scripts/dockerd.sh (podlab's flags) and
// stops it at the end. Figures: engine start/stop; both images built; N sandboxes made in one ensureSandboxes call
// (per pod, and against `ip netns add` of N namespaces, a process pod's equivalent); one container per pod; an
// unchanged re-ensure; a restart by recreation; removal by label; resident memory of the pause processes and of the
// engine's containerd shims (one per container).
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const D = await import(join(ROOT, 'dist/workload/docker/index.js'));
const { LocalExecutor } = await import(join(ROOT, 'dist/substrate/local.js'));
const N = Number(process.argv[process.argv.indexOf('--pods') + 1]) || 20;
const ms = (t0) => Math.round(performance.now() - t0);
const result = { machine: { cpus: cpus().length, kernel: release() }, pods: N };

const rssKiB = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};
const cmdline = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

const dir = mkdtempSync('/tmp/pl-bench-dockerd-');
let t0 = performance.now();
const host = /DOCKER_HOST=(\S+)/.exec(execFileSync(join(ROOT, 'scripts/dockerd.sh'), ['start', dir], { encoding: 'utf8' }))[1];
result.engineStartMs = ms(t0);
const cluster = `bd${process.pid % 100000}`;
try {
  const engine = await D.connectEngine({ host });
  result.engine = engine.version;
  t0 = performance.now();
  await D.buildBusyboxImage(engine);
  await D.buildPauseImage(engine);
  result.imagesMs = ms(t0);

  const specs = Array.from({ length: N }, (_, i) => ({ cluster, namespace: 'bench', pod: `p${i}`, netns: `pl-${cluster}-bench-p${i}`, hostname: `p${i}`, ip: `10.98.${i >> 8}.${(i & 255) + 1}` }));
  const exec = new LocalExecutor();
  t0 = performance.now();
  const boxes = await D.ensureSandboxes(engine, specs, { exec });
  result.sandboxes = { ms: ms(t0), perPodMs: +(ms(t0) / N).toFixed(1), ipProcesses: exec.spawned };

  // A process pod's namespace, for the ratio: N `netns add` in one ip -batch, then deleted.
  const names = Array.from({ length: N }, (_, i) => `pl-${cluster}-base-${i}`);
  t0 = performance.now();
  execFileSync('ip', ['-batch', '-'], { input: names.map((n) => `netns add ${n}`).join('\n') + '\n' });
  const baseMs = performance.now() - t0;
  execFileSync('ip', ['-force', '-batch', '-'], { input: names.map((n) => `netns delete ${n}`).join('\n') + '\n' });
  result.sandboxes.ipNetnsAddMs = +baseMs.toFixed(1);
  result.sandboxes.ratioToNetnsAdd = Math.round(result.sandboxes.ms / Math.max(baseMs, 0.1));

  const app = { name: 'app', image: D.BUSYBOX_IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"], stopTimeoutSeconds: 5 };
  t0 = performance.now();
  for (const b of boxes) await D.ensureContainer(engine, b, app);
  result.containers = { ms: ms(t0), perPodMs: +(ms(t0) / N).toFixed(1) };

  t0 = performance.now();
  await D.ensureSandboxes(engine, specs);
  for (const b of boxes) await D.ensureContainer(engine, b, app);
  result.reEnsureUnchangedMs = ms(t0);

  t0 = performance.now();
  await D.restartContainer(engine, boxes[0], app);
  result.restartMs = ms(t0);

  // Memory: the pause processes, and the containerd shims of this engine (one per running container).
  const pauseKiB = boxes.reduce((s, b) => s + rssKiB(b.pid), 0);
  const shims = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && cmdline(p).includes('containerd-shim') && cmdline(p).includes(dir));
  const shimKiB = shims.reduce((s, p) => s + rssKiB(p), 0);
  result.memory = { pauseProcessesMiB: +(pauseKiB / 1024).toFixed(1), shims: shims.length, shimsMiB: +(shimKiB / 1024).toFixed(1), perPodMiB: +((pauseKiB + shimKiB) / 1024 / N).toFixed(1) };

  t0 = performance.now();
  const r = await D.removeCluster(engine, cluster);
  result.remove = { ms: ms(t0), containers: r.containers + r.sandboxes, leftovers: r.leftovers.length };
} finally {
  t0 = performance.now();
  execFileSync(join(ROOT, 'scripts/dockerd.sh'), ['stop', dir]);
  result.engineStopMs = ms(t0);
}
console.log(JSON.stringify(result, null, 2));
