#!/usr/bin/env node
// Which executor for which namespace (kernel/backend.ts): one overlay node's batch (its links, addresses, routes,
// neighbours, fdb entries and N pod veths) run through netlink in-process and through `ip -batch` + `bridge -batch`,
// alternating, in fresh namespaces; and the same for a pod's batch. Prints JSON with medians (ms). Needs root.
// node scripts/bench-backend.mjs [--pods 50] [--runs 5]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { parseLabFiles: parseLab, resolveLab: resolve } = await import(join(ROOT, 'dist/modes/registry.js'));
const { overlay } = await import(join(ROOT, 'dist/modes/overlay/index.js'));
const { diffNs, EMPTY_OBSERVED } = await import(join(ROOT, 'dist/kernel/ops.js'));
const { NetlinkSession } = await import(join(ROOT, 'dist/kernel/netlink/session.js'));
const { inNs } = await import(join(ROOT, 'dist/kernel/exec.js'));
const { LocalExecutor } = await import(join(ROOT, 'dist/substrate/local.js'));

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const PODS = arg('pods', 50), RUNS = arg('runs', 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const exec = new LocalExecutor();

async function once(path, r) {
  const name = `bb${randomBytes(3).toString('hex')}`;
  const pods = Array.from({ length: PODS }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: b}\nspec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 80}]}]}\n`).join('');
  const text = `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\nspec:\n  nodes: [{name: node1}, {name: node2}]\n${pods}`;
  const plan = overlay.plan(resolve(parseLab([{ file: 'b.yaml', text, dir: '/tmp' }])));
  const all = plan.namespaces.map((n) => n.netns);
  execFileSync('ip', ['-batch', '-'], { input: all.map((n) => `netns add ${n}`).join('\n') + '\n' });
  const ns = (role) => plan.namespaces.filter((n) => n.role === role);
  const s = new NetlinkSession();
  const run = async (n) => {
    const d = diffNs(n, EMPTY_OBSERVED, true);
    if (path === 'netlink') await s.run(n.netns, d.ip, d.bridge);
    else {
      const a = await exec.run(['ip', '-batch', '-'], inNs(n.netns), { input: d.ip.join('\n') + '\n' });
      if (a.code !== 0) throw new Error(a.stderr);
      if (d.bridge.length) {
        const b = await exec.run(['bridge', '-batch', '-'], inNs(n.netns), { input: d.bridge.join('\n') + '\n' });
        if (b.code !== 0) throw new Error(b.stderr);
      }
    }
  };
  try {
    for (const n of [...ns('fabric'), ...ns('ext')]) await run(n);
    let t = performance.now();
    const node1 = plan.namespaces.find((n) => n.netns.endsWith('-node1'));
    await run(node1);
    r.node.push(performance.now() - t);
    const podNs = ns('pod');
    t = performance.now();
    for (const p of podNs) await run(p);
    r.pod.push((performance.now() - t) / podNs.length);
  } finally {
    s.close();
    execFileSync('ip', ['-force', '-batch', '-'], { input: all.map((n) => `netns del ${n}`).join('\n') + '\n' });
  }
}

const res = { netlink: { node: [], pod: [] }, iproute2: { node: [], pod: [] } };
for (let i = 0; i < RUNS; i++) for (const path of i % 2 ? ['iproute2', 'netlink'] : ['netlink', 'iproute2']) await once(path, res[path]);
const out = { podsOnTheNode: PODS, runs: RUNS };
for (const p of ['netlink', 'iproute2']) out[p] = { nodeBatchMs: Math.round(median(res[p].node)), podBatchMs: Math.round(median(res[p].pod) * 10) / 10 };
out.ratio = { node: Math.round((out.iproute2.nodeBatchMs / out.netlink.nodeBatchMs) * 100) / 100, pod: Math.round((out.iproute2.podBatchMs / out.netlink.podBatchMs) * 100) / 100 };
console.log(JSON.stringify(out, null, 2));
