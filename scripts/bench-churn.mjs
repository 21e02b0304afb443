#!/usr/bin/env node
// Requests through a Service while its endpoints change (root). Prints JSON.
// A 3-node overlay lab: Deployment web (3 replicas, netexec) behind a ClusterIP, a client pod sending paced requests
// (curl every 10 ms, 2 s timeout) while --changes endpoint changes are made one after another, and after them until
// --requests were sent: `podlab scale` up and down (pods added and removed) and `podlab delete pod` of one of web's pods (its
// ReplicaSet makes another). Counts every request that failed, by curl's exit code, and the pods that answered.
// Issue #11 item 12 measured this at 9–10 failed of 2,000 with 10 changes; a failure is a lost request.
// Usage: node scripts/bench-churn.mjs [--requests 2000] [--changes 10] [--mode overlay]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
const REQUESTS = Number(arg('--requests', 2000)), CHANGES = Number(arg('--changes', 10)), MODE = arg('--mode', 'overlay');
const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const name = `bch${randomBytes(2).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'podlab-churn-'));
const env = { ...process.env, PODLAB_NO_DAEMON: '1', PODLAB_STATE_DIR: process.env.PODLAB_STATE_DIR ?? join(dir, 'state') };
const podlab = (args) => {
  const r = spawnSync('node', [CLI, ...args], { encoding: 'utf8', env, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`podlab ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  return r.stdout;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const file = join(dir, 'lab.yaml');
writeFileSync(file, `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: ${name}}
spec:
  mode: ${MODE}
  nodes: [{name: node1}, {name: node2}, {name: node3}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  clusterIP: 10.96.0.90
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: default}
spec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 9000}]}]}
`);

const log = join(dir, 'curl.log');
let loop;
const result = { mode: MODE, nodes: 3, requestsWanted: REQUESTS, changes: [] };
try {
  podlab(['up', '-f', file]);
  // Bounded: at most 10 minutes and 20,000 requests, whatever happens to this script.
  const script = `i=0; end=$(($(date +%s)+600)); while [ $i -lt 20000 ] && [ ! -e ${dir}/stop ] && [ $(date +%s) -lt $end ]; do r=$(curl -sS -m 2 http://10.96.0.90/hostname 2>/dev/null); echo "$? $r"; i=$((i+1)); sleep 0.01; done > ${log}`;
  loop = spawn('ip', ['netns', 'exec', `pl-${name}-default-client`, 'sh', '-c', script], { stdio: 'ignore', detached: true });
  const count = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);
  const t0 = performance.now();
  while (count() < 20) await sleep(100);
  // The changes one after another, a second apart, with requests flowing; then requests until --requests are done.
  for (let i = 0; i < CHANGES; i++) {
    await sleep(1000);
    const st = JSON.parse(podlab(['status', '-c', name, '--json']));
    const web = st.pods.filter((p) => p.owner?.kind === 'ReplicaSet').map((p) => p.name).sort();
    let args;
    if (i % 3 === 0) args = ['scale', 'deployment/web', '--replicas', '5', '-c', name];
    else if (i % 3 === 1) args = ['scale', 'deployment/web', '--replicas', '3', '-c', name];
    else args = ['delete', 'pod', `default/${web[0]}`, '-c', name];
    const c0 = performance.now();
    podlab(args);
    result.changes.push({ change: args.slice(0, 3).join(' '), ms: Math.round(performance.now() - c0), atRequest: count() });
  }
  while (count() < REQUESTS && loop.exitCode === null) await sleep(200);
  writeFileSync(join(dir, 'stop'), '');
  while (loop.exitCode === null) await sleep(100);
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const failed = lines.filter((l) => !l.startsWith('0 '));
  const byCode = {};
  for (const l of failed) byCode[`curl exit ${l.split(' ')[0]}`] = (byCode[`curl exit ${l.split(' ')[0]}`] ?? 0) + 1;
  const answered = {};
  for (const l of lines.filter((x) => x.startsWith('0 '))) answered[l.split(' ')[1]] = (answered[l.split(' ')[1]] ?? 0) + 1;
  Object.assign(result, { requests: lines.length, failed: failed.length, failedByCode: byCode, failRatePercent: Math.round((failed.length / lines.length) * 10000) / 100, podsAnswered: Object.keys(answered).length, seconds: Math.round((performance.now() - t0) / 100) / 10, issueBaseline: { failed: '9-10', requests: 2000, changes: 10 } });
} catch (e) {
  result.error = String(e.message ?? e);
} finally {
  writeFileSync(join(dir, 'stop'), '');
  if (loop?.pid && loop.exitCode === null) { try { process.kill(-loop.pid, 'SIGTERM'); } catch { /* gone */ } }
  try { podlab(['down', '-c', name]); } catch (e) { result.downError = String(e.message ?? e); }
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 2));
