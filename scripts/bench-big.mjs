#!/usr/bin/env node
// A big lab, in-process (root). Prints JSON: `up` from nothing, a re-`up` with nothing to change, `apply` of one pod,
// `down`, each timed, and one request between the first and the last pod (on the first and the last node) to show it
// works. Default: 10,000 pods on 50 nodes with 20 Services (hardening issue #11 item 7: such a lab could never be built).
// Usage: node scripts/bench-big.mjs [--nodes 50] [--pods-per-node 200] [--services 20]. Its own state directory and
// namespaces; removed at the end, and on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const N = arg('--nodes', 50), P = arg('--pods-per-node', 200), S = arg('--services', 20);
const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-big-'));
const SD = join(dir, 'state');
const env = { ...process.env, PODLAB_NO_DAEMON: '1', PODLAB_STATE_DIR: SD };
const name = `g${randomBytes(3).toString('hex')}`;
const podlab = (args) => {
  const t0 = performance.now();
  const r = spawnSync('node', [CLI, ...args], { env, encoding: 'utf8', timeout: 3_600_000, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`podlab ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  return { s: Math.round((performance.now() - t0) / 100) / 10, out: r.stdout };
};
const pod = (n, node, app) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, labels: {app: ${app}}}\nspec:\n  nodeName: ${node}\n  containers: [{name: c, ports: [{containerPort: 8080}]}]\n`;
let text = `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\nspec:\n  podCIDR: 10.128.0.0/10\n  nodes: [${Array.from({ length: N }, (_, i) => `{name: node${i + 1}}`).join(', ')}]\n`;
for (let n = 0; n < N; n++) for (let p = 0; p < P; p++) text += pod(`p${n}-${p}`, `node${n + 1}`, `web${(n * P + p) % S}`);
for (let i = 0; i < S; i++) text += `---\napiVersion: v1\nkind: Service\nmetadata: {name: web${i}}\nspec:\n  selector: {app: web${i}}\n  ports: [{port: 80, targetPort: 8080}]\n`;
const file = join(dir, 'lab.yaml');
writeFileSync(file, text);
const extra = join(dir, 'extra.yaml');
writeFileSync(extra, pod('extra', 'node2', 'web0').slice(4));
const down = () => spawnSync('node', [CLI, 'down', '-c', name], { env, stdio: 'ignore', timeout: 1_800_000 });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { down(); process.exit(130); });

const result = { nodes: N, pods: N * P, services: S, loadavgAtStart: loadavg()[0] };
try {
  result.upSeconds = podlab(['up', '-f', file]).s;
  result.reUpSeconds = podlab(['up', '-f', file]).s;
  result.applyOnePodSeconds = podlab(['apply', '-c', name, '-f', extra]).s;
  const st = JSON.parse(readFileSync(join(SD, name, 'state.json'), 'utf8'));
  const ip = st.topology.pods.find((p) => p.name === `p${N - 1}-${P - 1}`)?.ip;
  const c = spawnSync('ip', ['netns', 'exec', `pl-${name}-default-p0-0`, 'curl', '-s', '-m', '2', `http://${ip}:8080/hostname`], { encoding: 'utf8' });
  result.lastPodAnswersFirst = c.stdout.trim() === `p${N - 1}-${P - 1}`;
} finally {
  const t0 = performance.now();
  down();
  result.downSeconds = Math.round((performance.now() - t0) / 100) / 10;
  result.namespacesLeft = (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.match(new RegExp(`^pl-${name}-`, 'gm')) ?? []).length;
}
console.log(JSON.stringify(result, null, 2));
