#!/usr/bin/env node
// Benchmark of bgp mode: time from `up` start until every BGP session is Established and every block route
// is installed (up returns only then), for 3 nodes full mesh and N nodes full mesh vs route reflectors.
// One pod per node. Needs root and `npx tsc -p .`. Prints JSON.
//   node scripts/bench-bgp.mjs [--nodes 20]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const big = Number(arg('--nodes', '20'));
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-bgp-'));
process.env.PODLAB_STATE_DIR ??= join(dir, 'state');
const { up, down } = await import('../dist/lab/index.js');

function lab(name, nodes, bgp) {
  const docs = [`apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: ${name}}
spec:
  mode: bgp
  underlay: 172.18.0.0/24
  bgp: ${bgp}
  nodes: [${Array.from({ length: nodes }, (_, i) => `{name: n${i + 1}}`).join(', ')}]
`];
  for (let i = 1; i <= nodes; i++) docs.push(`apiVersion: v1
kind: Pod
metadata: {name: p${i}, namespace: default}
spec: {nodeName: n${i}, containers: [{name: c, ports: [{containerPort: 8080}]}]}
`);
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, docs.join('---\n'));
  return f;
}

async function run(name, nodes, bgp) {
  const f = lab(name, nodes, bgp);
  let birdStart = 0;
  const t0 = performance.now();
  try {
    const r = await up({ files: [f], progress: (m) => { if (m.startsWith('starting BIRD')) birdStart = performance.now(); } });
    const total = (performance.now() - t0) / 1000;
    return { name, nodes, bgp, upToConvergedS: +total.toFixed(2), birdStartToConvergedS: +((performance.now() - birdStart) / 1000).toFixed(2), changes: r.changes };
  } finally {
    await down(name);
  }
}

const results = [];
results.push(await run('gbench3', 3, '{topology: full-mesh}'));
results.push(await run('gbenchm', big, '{topology: full-mesh}'));
results.push(await run('gbenchr', big, '{topology: route-reflector, routeReflectors: [n1, n2]}'));
console.log(JSON.stringify({ host: { cpus: (await import('node:os')).cpus().length }, results }, null, 2));
