#!/usr/bin/env node
// `podlab trace` benchmark (root). Prints JSON: on one real lab (overlay, 2 nodes, a client pod on node1, a Service's
// endpoint on node2), alternating in the same run, RUNS times each (medians):
//  - probe: one plain probe of pod → ClusterIP (the request `podlab check` sends, nothing else);
//  - trace: `traceLab` of the same flow (trace tables, monitors and captures in every namespace of the path, the
//    probe, the read-back, routes, conntrack, clean-up) — and its ratio to the plain probe;
//  - byName: a trace by name (`web:80`: the traced DNS lookup, then the traced connection) — ratio to the probe;
//  - commands and processes started per trace, and what was left (always 0).
// Usage: node scripts/bench-trace.mjs [--runs 5]. Everything happens in namespaces this script creates and removes.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const RUNS = arg('--runs', 5);
process.env.PODLAB_STATE_DIR ??= mkdtempSync(join(tmpdir(), 'podlab-bench-trace-'));
const ROOT = new URL('..', import.meta.url).pathname;
const { up } = await import(join(ROOT, 'dist/lab/up.js'));
const { down } = await import(join(ROOT, 'dist/lab/down.js'));
const { traceLab, traceCheck } = await import(join(ROOT, 'dist/lab/trace.js'));
const { labState } = await import(join(ROOT, 'dist/lab/targets.js'));
const { labContext } = await import(join(ROOT, 'dist/lab/context.js'));
const { attempt } = await import(join(ROOT, 'dist/probe/probe.js'));

const ms = (t0) => Math.round(performance.now() - t0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a, b) => Math.round((a / b) * 100) / 100;
const cluster = `bt${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-trace-files-'));
const file = join(dir, 'lab.yaml');
writeFileSync(file, `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: ${cluster}}
spec:
  mode: overlay
  podCIDR: 10.236.0.0/16
  underlay: 172.19.46.0/24
  nodes: [{name: node1}, {name: node2}]
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: default, labels: {app: a}}
spec: {nodeName: node1, containers: [{name: netexec, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: default, labels: {app: web}}
spec: {nodeName: node2, containers: [{name: netexec, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`);

const result = { lab: { mode: 'overlay', nodes: 2, pods: 2 }, runs: RUNS };
try {
  await up({ files: [file] });
  const ctx = labContext();
  const t = (await labState(ctx, cluster)).topology;
  const o = { from: 'pod/default/a', to: 'service/default/web:80' };
  const c = traceCheck(t, o);
  // One warm-up of each (page cache, the first tcpdump/nft exec), not counted.
  await attempt(ctx.exec, c, { waitS: 1 });
  await traceLab(cluster, o, { exec: ctx.exec });
  const probe = [], trace = [], byName = [], commands = [], nameCommands = [], left = [], failed = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    const a = await attempt(ctx.exec, c, { waitS: 1 });
    probe.push(ms(t0));
    if (a.observed !== 'ok') failed.push(`probe: ${a.observed} ${a.detail}`);
    t0 = performance.now();
    const r = await traceLab(cluster, o, { exec: ctx.exec });
    trace.push(ms(t0));
    commands.push(r.commands);
    left.push(r.left.tables + r.left.processes);
    if (r.probe.observed !== 'ok' || r.disagreements.length) failed.push(`trace: ${r.probe.observed} ${JSON.stringify(r.disagreements)}`);
    result.ruleEvidence = r.ruleEvidence;
    t0 = performance.now();
    const n = await traceLab(cluster, { from: 'pod/default/a', to: 'web:80' }, { exec: ctx.exec });
    byName.push(ms(t0));
    nameCommands.push(n.commands);
    left.push(n.left.tables + n.left.processes);
    if (n.probe.observed !== 'ok' || n.disagreements.length) failed.push(`by name: ${n.probe.observed} ${JSON.stringify(n.disagreements)}`);
  }
  result.probeMs = { median: median(probe), runs: probe };
  result.traceMs = { median: median(trace), runs: trace };
  result.byNameMs = { median: median(byName), runs: byName };
  result.ratio = { traceToProbe: ratio(median(trace), median(probe)), byNameToProbe: ratio(median(byName), median(probe)), byNameToTrace: ratio(median(byName), median(trace)) };
  result.commandsPerTrace = median(commands);
  result.commandsPerTraceByName = median(nameCommands);
  result.left = left.reduce((x, y) => x + y, 0);
  result.failed = failed;
} finally {
  const d = await down(cluster);
  result.downLeftovers = d.leftovers.length;
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 2));
