#!/usr/bin/env node
// NetworkPolicy benchmark (root). Prints JSON:
//  - render: resolve + plan of a 200-pod lab with 100 policies (pure), and the size of one node's rule set;
//  - sync: one node's rules applied in a scratch namespace — ipset restore + iptables-restore, and nft -f — first
//    and after one policy changed (the goal: ≤ 1 s);
//  - live: the real lab (4 nodes × 50 pods, iptables): up, then `apply` of one changed policy and of one pod's
//    labels, end to end (every node's rules rewritten, nothing read back);
//  - matrix: the full truth table of that lab (every pod × every pod on 80/TCP), probed in batches.
// Mode bgp by default: its pods are /32s behind one gateway. In overlay the pods of a node share a /24 on cni0 and
// ARP for each other, and the kernel's neighbour table (net.ipv4.neigh.default.gc_thresh3, 1024 by default) is one
// for the whole host: 200 pods' full mesh needs ~10,000 entries, so cells time out with "neighbor table overflow".
// Usage: node scripts/bench-policy.mjs [--mode bgp] [--pods 200] [--policies 100] [--nodes 4] [--no-matrix] [--no-live]
// Everything happens in namespaces this script creates (pl-<random>-…) and removes again.
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const PODS = arg('--pods', 200), POLICIES = arg('--policies', 100), NODES = arg('--nodes', 4);
const MATRIX = !process.argv.includes('--no-matrix');
/** --no-live: render and one node's sync only (a scratch namespace), no lab. */
const LIVE = !process.argv.includes('--no-live');
const MODE = process.argv.includes('--mode') ? process.argv[process.argv.indexOf('--mode') + 1] : 'bgp';
process.env.PODLAB_STATE_DIR ??= mkdtempSync(join(tmpdir(), 'podlab-bench-policy-'));
const ROOT = new URL('..', import.meta.url).pathname;
const { parseLabFiles: parseLab, resolveLab: resolve, getMode } = await import(join(ROOT, 'dist/modes/registry.js'));
const { up } = await import(join(ROOT, 'dist/lab/up.js'));
const { apply } = await import(join(ROOT, 'dist/lab/live.js'));
const { down } = await import(join(ROOT, 'dist/lab/down.js'));
const { checkLab } = await import(join(ROOT, 'dist/lab/check.js'));

const NS = 10;
const ms = (t0) => Math.round(performance.now() - t0);
const cluster = `bp${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'podlab-bench-policy-files-'));

function labText(proxyMode) {
  const nodes = Array.from({ length: NODES }, (_, i) => `{name: n${i + 1}}`).join(', ');
  const out = [`apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${cluster}}\nspec:\n  mode: ${MODE}\n  proxyMode: ${proxyMode}\n  nodeCIDRMaskSize: 24\n  external: {ports: []}\n  nodes: [${nodes}]\n`];
  for (let n = 0; n < NS; n++) out.push(`---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns${n}, labels: {team: t${n % 3}}}\n`);
  for (let i = 0; i < PODS; i++) {
    out.push(`---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: ns${i % NS}, labels: {app: a${i % 10}, tier: t${i % 2}}}\nspec:\n  nodeName: n${(i % NODES) + 1}\n  containers: [{name: c, ports: [{containerPort: 80, name: http}]}]\n`);
  }
  return out.join('');
}

/** 100 policies of the usual kinds: pod and namespace selectors (AND and OR), named and numeric ports, ipBlocks with except, egress. */
function policyText(i, variant = 0) {
  const ns = `ns${i % NS}`;
  const sel = i % 7 === 0 ? '{}' : `{matchLabels: {app: a${i % 10}}}`;
  const kinds = [
    `ingress:\n  - from: [{podSelector: {matchLabels: {app: a${(i + 1 + variant) % 10}}}}]\n    ports: [{port: http}]`,
    `ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: t${(i + variant) % 3}}}, podSelector: {matchExpressions: [{key: tier, operator: In, values: [t${i % 2}]}]}}]\n    ports: [{port: 80}]`,
    `ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: t${(i + variant) % 3}}}}, {podSelector: {}}]`,
    `ingress:\n  - from: [{ipBlock: {cidr: 10.244.0.0/16, except: [10.244.${(i + variant) % NODES}.0/24]}}]\n    ports: [{protocol: TCP, port: 80, endPort: 90}]`,
    `policyTypes: [Ingress, Egress]\ningress: [{from: [{podSelector: {}}]}]\negress:\n  - to: [{namespaceSelector: {}}]\n  - ports: [{protocol: UDP, port: 53}]`,
  ];
  return `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np${i}, namespace: ${ns}}\nspec:\n  podSelector: ${sel}\n${kinds[i % kinds.length].replace(/^/gm, '  ')}\n`;
}

const allPolicies = (variant0 = 0) => Array.from({ length: POLICIES }, (_, i) => policyText(i, i === 0 ? variant0 : 0)).join('');
const run = (netns, argv, input) => {
  const r = spawnSync('ip', ['netns', 'exec', netns, ...argv], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const timed = (fn) => { const t0 = performance.now(); fn(); return ms(t0); };

const result = { mode: MODE, pods: PODS, policies: POLICIES, nodes: NODES, goals: { syncMs: 1000 } };

// Render (pure).
{
  const text = labText('iptables') + allPolicies();
  const t0 = performance.now();
  const topo = resolve(parseLab([{ file: 'bench.yaml', text, dir }]));
  const resolveMs = ms(t0);
  const t1 = performance.now();
  const plan = getMode(MODE).plan(topo);
  const planMs = ms(t1);
  const n1 = rules(plan.namespaces.find((n) => n.role === 'node'));
  result.render = {
    resolveMs, planMs, isolatedPods: topo.policy.pods.filter((p) => p.ingress.length || p.egress.length).length,
    node1: { iptablesLines: n1.iptables.split('\n').length, policyChains: (n1.iptables.match(/^:(cali-(pi|po|tw|fw)-|AWS-NP-[IE]-)/gm) ?? []).length, ipsets: (n1.ipsets?.match(/^swap /gm) ?? []).length, ipsetMembers: (n1.ipsets?.match(/^add /gm) ?? []).length },
  };
}

/** A node namespace's rule sets by engine: iptables text, ipset text, nft text (kube-proxy's table and the engine's). */
function rules(ns) {
  const of = (engine) => ns.rulesets.filter((r) => r.engine === engine).map((r) => r.text);
  return { iptables: of('iptables')[0], ipsets: of('ipset')[0], nftables: of('nftables').join('\n') || undefined };
}

// One node's rules in a scratch namespace: first sync, then after one policy changed (iptables + ipset, nftables).
{
  const netns = `pl-${cluster}-scratch`;
  execFileSync('ip', ['netns', 'add', netns]);
  try {
    const node = (proxyMode, variant) => {
      const topo = resolve(parseLab([{ file: 'bench.yaml', text: labText(proxyMode) + allPolicies(variant), dir }]));
      return rules(getMode(MODE).plan(topo).namespaces.find((n) => n.role === 'node'));
    };
    const a = node('iptables', 0), b = node('iptables', 1);
    const ipt = (n) => timed(() => { run(netns, ['ipset', 'restore'], n.ipsets); run(netns, ['iptables-restore', '-w', '5'], n.iptables); });
    result.sync = { iptables: { firstMs: ipt(a), changedPolicyMs: ipt(b), againMs: ipt(a) } };
    run(netns, ['sh', '-c', 'printf "*filter\\nCOMMIT\\n*nat\\nCOMMIT\\n*mangle\\nCOMMIT\\n" | iptables-restore; ipset destroy']);
    const c = node('nftables', 0), d = node('nftables', 1);
    const nft = (n) => timed(() => { run(netns, ['nft', '-f', '-'], n.nftables); run(netns, ['iptables-restore', '-w', '5'], n.iptables); });
    result.sync.nftables = { lines: c.nftables.split('\n').length, firstMs: nft(c), changedPolicyMs: nft(d), againMs: nft(c) };
  } finally {
    execFileSync('ip', ['netns', 'del', netns]);
  }
}

// The real lab: up, live changes, the truth table.
if (LIVE) {
  const labFile = join(dir, 'lab.yaml');
  writeFileSync(labFile, labText('iptables') + allPolicies());
  try {
    const t0 = performance.now();
    const u = await up({ files: [labFile] });
    result.live = { upMs: ms(t0), namespaces: u.namespaces };
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, policyText(0, 1));
    let t1 = performance.now();
    let r = await apply([changed], { cluster });
    result.live.applyPolicyMs = ms(t1);
    result.live.applyPolicy = { internalMs: Math.round(r.ms), readBack: r.readBack, rulesSynced: r.rulesSynced, changes: r.changes };
    const relabel = join(dir, 'relabel.yaml');
    writeFileSync(relabel, `apiVersion: v1\nkind: Pod\nmetadata: {name: p1, namespace: ns1, labels: {app: a5, tier: t1}}\nspec:\n  nodeName: n${(1 % NODES) + 1}\n  containers: [{name: c, ports: [{containerPort: 80, name: http}]}]\n`);
    t1 = performance.now();
    r = await apply([relabel], { cluster });
    result.live.applyPodLabelsMs = ms(t1);
    result.live.applyPodLabels = { internalMs: Math.round(r.ms), readBack: r.readBack, rulesSynced: r.rulesSynced, changes: r.changes };
    if (MATRIX) {
      const t2 = performance.now();
      const rep = await checkLab(cluster, { filter: 'policy *', concurrency: 8 });
      const bad = rep.verdicts.filter((v) => v.status !== 'pass');
      result.matrix = { cells: rep.verdicts.length, ms: ms(t2), failed: bad.length, allowed: rep.verdicts.filter((v) => v.check.expect.outcome === 'ok').length, firstFailures: bad.slice(0, 3).map((v) => `${v.check.id}: ${v.reason}`) };
    }
  } finally {
    const t3 = performance.now();
    const d = await down(cluster);
    result.live = { ...result.live, downMs: ms(t3), leftovers: d.leftovers.length };
  }
}

console.log(JSON.stringify(result, null, 2));
