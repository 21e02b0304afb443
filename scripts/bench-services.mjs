#!/usr/bin/env node
// Service dataplane benchmark (root). Prints JSON:
//  - full sync of N services × M endpoints into one node namespace: iptables-restore and nft -f (wall time)
//  - time from `podlab apply` of one new endpoint (a pod) to its rule being live on a node, in both proxy modes.
// Usage: node scripts/bench-services.mjs [--services 1000] [--endpoints 10]
// Everything happens in namespaces this script creates (pl-<random>-…) and removes again.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { kubeProxyIptables } from '../dist/dataplane/proxy/iptables.js';
import { kubeProxyNftables } from '../dist/dataplane/proxy/nftables.js';
import { renderRestore } from '../dist/dataplane/iptables.js';
import { flannelFragments } from '../dist/dataplane/modes/overlay.js';

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
const stateDir = mkdtempSync(join(tmpdir(), 'podlab-bench-state-'));
const env = { ...process.env, PODLAB_STATE_DIR: stateDir };
for (const mode of ['iptables', 'nftables']) {
  const name = `b${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-'));
  const pod = (n, node) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, labels: {app: web}}\nspec:\n  nodeName: ${node}\n  containers: [{name: c, ports: [{containerPort: 8080}]}]\n`;
  writeFileSync(join(dir, 'lab.yaml'), `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\nspec:\n  proxyMode: ${mode}\n  nodes: [{name: node1}, {name: node2}]\n` +
    pod('web-1', 'node1') + `---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n`);
  writeFileSync(join(dir, 'add.yaml'), pod('web-2', 'node2').slice(4));
  try {
    execFileSync('node', [CLI, 'up', '-f', join(dir, 'lab.yaml')], { env, stdio: 'ignore' });
    const t0 = performance.now();
    execFileSync('node', [CLI, 'apply', '-c', name, '-f', join(dir, 'add.yaml')], { env, stdio: 'ignore' });
    const applyMs = Math.round(performance.now() - t0);
    const show = mode === 'iptables' ? ['iptables-save', '-t', 'nat'] : ['nft', 'list', 'table', 'ip', 'kube-proxy'];
    let liveMs = -1;
    while (performance.now() - t0 < 10_000) {
      if (run(['ip', 'netns', 'exec', `pl-${name}-node1`, ...show]).includes('10.244.1.2:8080')) { liveMs = Math.round(performance.now() - t0); break; }
    }
    result[`applyEndpoint_${mode}`] = { applyCommandMs: applyMs, ruleLiveMs: liveMs };
  } finally {
    execFileSync('node', [CLI, 'down', '-c', name], { env, stdio: 'ignore' });
  }
}
console.log(JSON.stringify(result, null, 2));
