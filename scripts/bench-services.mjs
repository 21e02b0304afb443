#!/usr/bin/env node
// Service dataplane benchmark (root). Prints JSON:
//  - full sync of N services × M endpoints into one node namespace: iptables-restore and nft -f (wall time)
//  - time from `podlab apply` of one new endpoint (a pod) to its rule being live on a node, in both proxy modes,
//    and in a lab of 1,000 pods and 100 Services (iptables).
// Usage: node scripts/bench-services.mjs [--services 1000] [--endpoints 10]
// Everything happens in namespaces this script creates (pl-<random>-…) and removes again.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { kubeProxyIptables } from '../dist/dataplane/proxy/iptables.js';
import { kubeProxyNftables } from '../dist/dataplane/proxy/nftables.js';
import { renderRestore } from '../dist/dataplane/iptables.js';
import { flannelFragments } from '../dist/modes/overlay/plan.js';

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const NS = arg('--services', 1000), EP = arg('--endpoints', 10);
const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;

function bigTopology() {
  const nodes = [0, 1, 2].map((i) => ({ name: `node${i + 1}`, index: i, ip: `172.18.0.${11 + i}`, netns: 'x', podCIDR: `10.244.${i}.0/24`, labels: {}, fabricPort: 'x', mac: 'x' }));
  const services = [];
  for (let s = 0; s < NS; s++) {
    const endpoints = [];
    for (let e = 0; e < EP; e++) {
      const n = (s + e) % 3;
      endpoints.push({ pod: `default/p${s}-${e}`, ip: `10.244.${n}.${2 + ((s * EP + e) % 250)}`, node: nodes[n].name, port: 8080 });
    }
    endpoints.sort((a, b) => (`${a.ip}:${a.port}` < `${b.ip}:${b.port}` ? -1 : 1));
    const uniq = endpoints.filter((e, i) => i === 0 || e.ip !== endpoints[i - 1].ip);
    services.push({
      namespace: 'default', name: `svc${s}`, key: `default/svc${s}`, type: s % 4 === 0 ? 'NodePort' : 'ClusterIP',
      clusterIP: `10.96.${Math.floor((s + 2) / 256)}.${(s + 2) % 256}`,
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: s % 4 === 0 ? 30000 + s : undefined, endpoints: uniq }],
      externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', affinityTimeoutSeconds: 10800, externalIPs: [], endpoints: [],
    });
  }
  return { cluster: 'bench', podCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12', nodes, services };
}

function timed(fn) {
  const t0 = performance.now();
  fn();
  return Math.round(performance.now() - t0);
}

function run(argv, input) {
  const r = spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const result = { services: NS, endpointsPerService: EP };
const netns = `pl-b${randomBytes(3).toString('hex')}-node1`;
run(['ip', 'netns', 'add', netns]);
try {
  const topo = bigTopology();
  const node = topo.nodes[0];
  const ipt = renderRestore([...kubeProxyIptables(topo, node), ...flannelFragments(topo, node)]);
  result.iptables = { restoreLines: ipt.split('\n').length };
  result.iptables.firstSyncMs = timed(() => run(['ip', 'netns', 'exec', netns, 'iptables-restore', '-w', '5'], ipt));
  result.iptables.resyncMs = timed(() => run(['ip', 'netns', 'exec', netns, 'iptables-restore', '-w', '5'], ipt));
  result.iptables.natRulesLive = run(['ip', 'netns', 'exec', netns, 'iptables-save', '-t', 'nat']).split('\n').filter((l) => l.startsWith('-A')).length;
  run(['ip', 'netns', 'exec', netns, 'iptables-restore'], '*nat\nCOMMIT\n*filter\nCOMMIT\n*mangle\nCOMMIT\n');
  const nft = kubeProxyNftables({ ...topo, proxyMode: 'nftables' }, node);
  result.nftables = { lines: nft.split('\n').length };
  result.nftables.firstSyncMs = timed(() => run(['ip', 'netns', 'exec', netns, 'nft', '-f', '-'], nft));
  result.nftables.resyncMs = timed(() => run(['ip', 'netns', 'exec', netns, 'nft', '-f', '-'], nft));
} finally {
  run(['ip', 'netns', 'del', netns]);
}

// Endpoint change through the CLI: from the start of `podlab apply` to the new endpoint's DNAT rule being live.
// Small lab (2 nodes, 1 pod) in both proxy modes, then a big one: 20 nodes × 50 pods and 100 Services.
const stateDir = mkdtempSync(join(tmpdir(), 'podlab-bench-state-'));
const env = { ...process.env, PODLAB_STATE_DIR: stateDir };
const podDoc = (n, node, app) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, labels: {app: ${app}}}\nspec:\n  nodeName: ${node}\n  containers: [{name: c, ports: [{containerPort: 8080}]}]\n`;
const svcDoc = (n, app) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: ${n}}\nspec:\n  selector: {app: ${app}}\n  ports: [{port: 80, targetPort: 8080}]\n`;

async function applyLatency(mode, nodes, podsPerNode, services) {
  const name = `b${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-'));
  const nodeList = Array.from({ length: nodes }, (_, i) => `{name: node${i + 1}}`).join(', ');
  let docs = '';
  for (let n = 0; n < nodes; n++) for (let p = 0; p < podsPerNode; p++) docs += podDoc(`p${n}-${p}`, `node${n + 1}`, `web${(n * podsPerNode + p) % services}`);
  for (let s = 0; s < services; s++) docs += svcDoc(`web${s}`, `web${s}`);
  writeFileSync(join(dir, 'lab.yaml'), `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\nspec:\n  proxyMode: ${mode}\n  nodes: [${nodeList}]\n` + docs);
  writeFileSync(join(dir, 'add.yaml'), podDoc('new', 'node2', 'web0').slice(4));
  try {
    execFileSync('node', [CLI, 'up', '-f', join(dir, 'lab.yaml')], { env, stdio: 'ignore' });
    // The rule is live when node1 has one more DNAT to an endpoint than before.
    const show = mode === 'iptables' ? ['iptables-save', '-t', 'nat'] : ['nft', 'list', 'table', 'ip', 'kube-proxy'];
    const dnats = () => (run(['nsenter', `--net=/run/netns/pl-${name}-node1`, '--', ...show]).match(/-j DNAT|dnat to/g) ?? []).length;
    // The command alone (nothing polling beside it), then undone, then again while polling for the rule.
    const c0 = performance.now();
    execFileSync('node', [CLI, 'apply', '-c', name, '-f', join(dir, 'add.yaml')], { env, stdio: 'ignore' });
    const commandMs = Math.round(performance.now() - c0);
    execFileSync('node', [CLI, 'delete', '-c', name, 'pod', 'default/new'], { env, stdio: 'ignore' });
    const before = dnats();
    const t0 = performance.now();
    const child = spawn('node', [CLI, 'apply', '-c', name, '-f', join(dir, 'add.yaml'), '--json'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const exited = new Promise((r) => child.on('exit', () => r(Math.round(performance.now() - t0))));
    let liveMs = -1;
    while (performance.now() - t0 < 10_000) {
      if (dnats() > before) { liveMs = Math.round(performance.now() - t0); break; }
      await new Promise((r) => setTimeout(r, 10));
    }
    await exited;
    const out = JSON.parse(stdout);
    return { pods: nodes * podsPerNode, services, applyCommandMs: commandMs, ruleLiveMs: liveMs, namespacesReRead: out.readBack, namespaces: out.namespaces };
  } finally {
    execFileSync('node', [CLI, 'down', '-c', name], { env, stdio: 'ignore' });
  }
}

for (const mode of ['iptables', 'nftables']) result[`applyEndpoint_${mode}`] = await applyLatency(mode, 2, 1, 1);
result.applyEndpoint_iptables_1000pods = await applyLatency('iptables', 20, 50, 100);
console.log(JSON.stringify(result, null, 2));
