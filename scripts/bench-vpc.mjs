#!/usr/bin/env node
// node scripts/bench-vpc.mjs: vpc mode `up` timings as one JSON object (needs root; run `npx tsc -p .` first).
// Figures: a 3-node lab (3 netexec pods, a VPC host) up / re-up / down; 20 nodes × 17 pods (t3.medium max-pods,
// 340 pods, containers: [] so no processes) up / re-up / down.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir, cpus, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.PODLAB_STATE_DIR = mkdtempSync(join(tmpdir(), 'podlab-bench-vpc-'));
const { up, down, loadLab } = await import(join(ROOT, 'dist/lab/index.js'));
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-vpc-files-'));
const result = { machine: { cpus: cpus().length, kernel: release() } };
const ms = (t0) => Math.round(performance.now() - t0);

async function run(key, name, text, build) {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  try {
    const lab = build ? build(loadLab([f])) : undefined;
    let t0 = performance.now();
    const r = await up({ files: [f], lab });
    const upMs = ms(t0);
    t0 = performance.now();
    const r2 = await up({ files: [f], lab });
    const reUpMs = ms(t0);
    t0 = performance.now();
    const d = await down(name);
    result[key] = { namespaces: r.created.length, upMs, changes: r.changes, reUpMs, reUpChanges: r2.changes, downMs: ms(t0), leftovers: d.leftovers.length };
  } catch (e) {
    await down(name).catch(() => undefined);
    throw e;
  }
}

const cluster = (name, nodes) => `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\nspec:\n  mode: vpc\n  vpc: {cidr: 10.0.0.0/16, instanceType: t3.medium, hosts: [{name: bastion}]}\n  nodes: [${Array.from({ length: nodes }, (_, i) => `{name: n${i + 1}}`).join(', ')}]\n`;
const pod = (name, node) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: bench}\nspec: {nodeName: ${node}, containers: [{name: netexec, ports: [{containerPort: 8080}]}]}\n`;

await run('small', 'vbs', cluster('vbs', 3) + pod('a', 'n1') + pod('b', 'n2') + pod('c', 'n3'));
result.small.nodes = 3;
result.small.pods = 3;

await run('scale', 'vbl', cluster('vbl', 20), (lab) => {
  const pods = [];
  for (let n = 0; n < 20; n++) for (let p = 0; p < 17; p++) {
    pods.push({ namespace: 'bench', name: `p${n}-${p}`, labels: {}, nodeName: `n${n + 1}`, containers: [], origin: { file: 'bench', line: 1 } });
  }
  return { ...lab, pods, namespaces: ['bench'] };
});
result.scale.nodes = 20;
result.scale.pods = 340;
console.log(JSON.stringify(result, null, 2));
