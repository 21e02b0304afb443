// NetworkPolicy on real labs (root), as the upstream netpol e2e suite does it: namespaces x, y, z × pods a, b, c,
// a truth table of every pod × pod × port per case. One lab per mode; the cases are applied and deleted live
// between truth tables. Each table must match both the policy model (podlab check's own verdicts) and the case's
// hand-written table. Then: a policy update flips a cell within 1 s, an established flow is kept (Calico) or
// re-evaluated (AWS) as the imitated CNI does, and deleting every policy leaves no chain, set or table behind.
import t, { type Test } from 'tap';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { clusterName, podlab, netnsOf, inNetns, isRoot, CLI, STATE_DIR } from '../helpers/lab.js';
import { netpolCluster, netpolObjects, CASES, ipBlockCase, tableOf, policy, type NetpolCase } from '../helpers/netpol.js';
import { apply, deleteObjects } from '../../src/lab/live.js';
import { checkLab } from '../../src/lab/check.js';

// Three labs of 9 pods, 14 cases each: ~15 min on a quiet 2-core machine, far longer than tap's default 300 s when it is shared.
t.setTimeout(90 * 60_000);

const LABS = (process.env.PODLAB_POLICY_LABS ?? 'overlay:iptables,bgp:nftables,vpc:iptables').split(',').map((x) => {
  const [mode, proxyMode] = x.split(':');
  return { mode: mode!, proxyMode: proxyMode ?? 'iptables' };
});

interface JCell { id: string; status: string; reason: string; expected: { outcome: string }; attempts: { observed: string }[] }

async function matrix(cluster: string): Promise<{ code: number; cells: { from: string; to: string; protocol: string; port: number; allowed: boolean; status: string; reason: string }[]; raw: string; ms: number }> {
  const t0 = Date.now();
  const r = await podlab(['check', '-c', cluster, '--filter', 'policy *', '-r', 'json']);
  const ms = Date.now() - t0;
  let checks: JCell[] = [];
  try {
    checks = JSON.parse(String(r.stdout)).runs[0].checks;
  } catch {
    /* asserted by the caller */
  }
  const cells = checks.map((c) => {
    const m = /^policy (TCP|UDP) (\S+) -> (\S+):(\d+)$/.exec(c.id)!;
    return { from: m[2]!, to: m[3]!, protocol: m[1]!, port: Number(m[4]), allowed: c.attempts.some((a) => a.observed === 'ok'), status: c.status, reason: c.reason };
  });
  return { code: r.exitCode ?? -1, cells, raw: `${r.stdout}\n${r.stderr}`.slice(-3000), ms };
}

async function matrixInProcess(cluster: string): ReturnType<typeof matrix> {
  const t0 = Date.now();
  const r = await checkLab(cluster, { filter: 'policy *' });
  const cells = r.verdicts.map((v) => {
    const m = /^policy (TCP|UDP) (\S+) -> (\S+):(\d+)$/.exec(v.check.id)!;
    return { from: m[2]!, to: m[3]!, protocol: m[1]!, port: Number(m[4]), allowed: v.attempts.some((a) => a.observed === 'ok'), status: v.status, reason: v.reason };
  });
  return { code: r.verdicts.every((v) => v.status === 'pass') && !r.problems.length ? 0 : 1, cells, raw: r.problems.join('\n'), ms: Date.now() - t0 };
}

/** Policy objects still in a node: engine chains in iptables, IP sets, the engine's nftables table. */
async function policyLeftovers(netns: string): Promise<string[]> {
  const r = await inNetns(netns, ['sh', '-c', 'iptables-save -t filter | grep -E "^:(cali-|AWS-NP-)" ; ipset list -n; nft list tables | grep -E "calico|aws-network-policy"; true']);
  return r.out.split('\n').filter(Boolean);
}

// Labs this file made: removed at teardown even if a test times out before its own `finally`.
const created: string[] = [];
t.teardown(async () => {
  for (const n of created) if (netnsOf(n).length) await podlab(['down', '-c', n]);
});
// A file-level timeout (SIGALRM) ends the process without running teardown: remove what is left from the kernel.
process.on('exit', () => {
  for (const n of created) {
    if (netnsOf(n).length) execFileSync('node', [CLI, 'clean', '-c', n], { env: { ...process.env, PODLAB_STATE_DIR: STATE_DIR }, stdio: 'ignore' });
  }
});

for (const lab of LABS) {
  t.test(`NetworkPolicy truth tables: ${lab.mode} (${lab.proxyMode} proxy mode)`, { skip: !isRoot && 'needs root' }, async (t) => {
    const name = clusterName('np');
    t.comment(`lab ${name}`);
    created.push(name);
    const dir = mkdtempSync(join(tmpdir(), 'podlab-netpol-'));
    const file = join(dir, 'lab.yaml');
    // x/a also serves UDP 80 (for the established-flow test).
    writeFileSync(file, netpolCluster(name, lab) + netpolObjects().replace(/(name: a, namespace: x[\s\S]*?- name: cont-81-tcp\n      ports: \[\{containerPort: 81, name: serve-81-tcp\}\]\n)/, '$1    - name: cont-80-udp\n      ports: [{containerPort: 80, protocol: UDP, name: serve-80-udp}]\n'));
    try {
      const up = await podlab(['up', '-f', file]);
      t.equal(up.exitCode, 0, `up: ${up.stderr}`);
      if (up.exitCode !== 0) return;
      await run(t, name, dir, lab.mode);
    } finally {
      const d = await podlab(['down', '-c', name]);
      t.equal(d.exitCode, 0, `down: ${d.stderr}`);
      t.same(netnsOf(name), [], 'down leaves no namespaces');
    }
  });
}

async function run(t: Test, name: string, dir: string, mode: string): Promise<void> {
  const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { namespace: string; name: string; ip: string; netns: string }[]; nodes: { netns: string }[] };
  const ipOf = (k: string) => st.pods.find((p) => `${p.namespace}/${p.name}` === k)!.ip;
  const netnsOf_ = (k: string) => st.pods.find((p) => `${p.namespace}/${p.name}` === k)!.netns;
  const nodes = st.nodes.map((n) => n.netns);
  const cases: NetpolCase[] = [...CASES, ipBlockCase(ipOf)];
  const times: number[] = [];

  // The first case goes through the CLI (apply, check -r json, delete); the others call the same functions in
  // this process, which saves three Node.js starts per case.
  for (const [i, c] of cases.entries()) {
    await t.test(c.name, async (t) => {
      const f = join(dir, `case${i}.yaml`);
      writeFileSync(f, c.policies);
      if (i === 0) {
        const a = await podlab(['apply', '-c', name, '-f', f]);
        t.equal(a.exitCode, 0, `apply: ${a.stderr}`);
      } else await apply([f], { cluster: name });
      const t0 = Date.now();
      const m = i === 0 ? await matrix(name) : await matrixInProcess(name);
      times.push(Date.now() - t0);
      t.equal(m.code, 0, `every cell as the policy model says${m.code ? `: ${m.cells.filter((x) => x.status !== 'pass').slice(0, 5).map((x) => `${x.from}->${x.to}:${x.port} ${x.reason}`).join(' | ')}` : ''}`);
      for (const [port, want] of Object.entries(c.tables)) t.equal(tableOf(m.cells, port), want, `${port} truth table as written for the case`);
      if (i === 0) {
        const d = await podlab(['delete', '-c', name, '-f', f]);
        t.equal(d.exitCode, 0, `delete: ${d.stderr}`);
      } else await deleteObjects({ files: [f] }, { cluster: name });
    });
  }
  t.comment(`truth tables: ${times.length} cases, ${Math.min(...times)}-${Math.max(...times)} ms each (the first through the CLI, start included)`);

  await t.test('a policy update flips cells live within 1 s; an established flow follows the CNI', async (t) => {
    const deny = join(dir, 'deny.yaml');
    writeFileSync(deny, policy('x', 'deny-ingress', 'podSelector: {}\npolicyTypes: [Ingress]'));
    const client = netnsOf_('y/a');
    const probe = () => inNetns(client, ['curl', '-s', '-m', '1', '--connect-timeout', '0.5', `http://${ipOf('x/a')}:80/hostname`], 5000);
    t.equal((await probe()).out, 'a', 'y/a reaches x/a before the policy');
    // A UDP flow from a fixed source port: conntrack holds it as established once answered.
    const udp = (sport: number) => inNetns(client, ['python3', '-c', `import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0',${sport})); s.settimeout(1)
s.sendto(b'hostname',('${ipOf('x/a')}',80))
try: print(s.recvfrom(2048)[0].decode().strip())
except Exception: print('TIMEOUT')`]);
    // Two exchanges: conntrack then holds the flow as a stream (120 s, not the 30 s of a single exchange), which
    // outlives an apply on a loaded machine.
    t.equal((await udp(42001)).out, 'a', 'UDP flow from :42001 answered (now established)');
    t.equal((await udp(42001)).out, 'a', 'and again (an assured stream for conntrack)');
    const t0 = Date.now();
    const a = await podlab(['apply', '-c', name, '-f', deny]);
    const applied = Date.now();
    t.equal(a.exitCode, 0, a.stderr);
    // The time of a flip is when the first probe that sees it started (a blocked probe waits out its timeout).
    let flipped = -1;
    for (let start = Date.now(); start - applied < 1000; start = Date.now()) {
      if ((await probe()).out !== 'a') {
        flipped = start - applied;
        break;
      }
    }
    t.ok(flipped >= 0, `blocked by the first probe started ${flipped} ms after apply returned (apply itself ${applied - t0} ms)`);
    t.equal((await udp(42002)).out, 'TIMEOUT', 'a new UDP flow is blocked');
    const kept = (await udp(42001)).out;
    if (mode === 'vpc') {
      t.equal(kept, 'TIMEOUT', 'AWS agent: the pod moved from default-allow to policies-applied, so its established flow is re-evaluated and blocked');
    } else {
      t.equal(kept, 'a', 'Calico: the established flow is still accepted (conntrack rule before the policy)');
    }
    const del = await podlab(['delete', '-c', name, 'netpol', 'x/deny-ingress']);
    const deleted = Date.now();
    t.equal(del.exitCode, 0, del.stderr);
    let back = -1;
    for (let start = Date.now(); start - deleted < 1000; start = Date.now()) {
      if ((await probe()).out === 'a') {
        back = start - deleted;
        break;
      }
    }
    t.ok(back >= 0, `answered again by the first probe started ${back} ms after delete returned`);
  });

  await t.test('live label changes: an updated namespace and an updated pod are let in', async (t) => {
    const f = join(dir, 'labels.yaml');
    writeFileSync(f, policy('x', 'from-blue', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - from: [{namespaceSelector: {matchLabels: {team: blue}}}, {namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}]'));
    await apply([f], { cluster: name });
    const probe = (from: string) => inNetns(netnsOf_(from), ['curl', '-s', '-m', '1', '--connect-timeout', '0.5', `http://${ipOf('x/a')}:80/hostname`], 5000);
    t.not((await probe('y/a')).out, 'a', 'y/a blocked: no namespace has team=blue');
    t.not((await probe('z/c')).out, 'a', 'z/c blocked: no pod has role=client');
    const nsFile = join(dir, 'ns-y.yaml');
    writeFileSync(nsFile, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: y, labels: {ns: y, team: blue}}\n');
    const a = await podlab(['apply', '-c', name, '-f', nsFile]);
    t.equal(a.exitCode, 0, a.stderr);
    t.equal((await probe('y/a')).out, 'a', 'namespace y labelled team=blue: y/a is let in');
    const podFile = join(dir, 'pod-zc.yaml');
    writeFileSync(podFile, netpolObjects().split('---\n').find((d) => d.includes('name: c, namespace: z'))!.replace('labels: {pod: c}', 'labels: {pod: c, role: client}'));
    const b = await podlab(['apply', '-c', name, '-f', podFile, '--json']);
    t.equal(b.exitCode, 0, b.stderr);
    t.same(JSON.parse(String(b.stdout)).created, [], 'a label change recreates no pod');
    t.equal((await probe('z/c')).out, 'a', 'pod z/c labelled role=client: let in');
    t.not((await probe('z/b')).out, 'a', 'z/b still blocked');
    await deleteObjects({ files: [f] }, { cluster: name });
  });

  await t.test('deleting every policy restores full reachability and leaves no policy chain, set or table', async (t) => {
    const all = join(dir, 'all.yaml');
    // Every case at once (deny-ingress appears in two cases: keep the first).
    const docs = cases.map((c) => c.policies).join('').split('\n---\n');
    const seen = new Set<string>();
    writeFileSync(all, docs.filter((d) => {
      const k = /metadata: \{name: (\S+), namespace: (\S+)\}/.exec(d);
      if (!k) return true;
      if (seen.has(k[2] + '/' + k[1])) return false;
      seen.add(k[2] + '/' + k[1]);
      return true;
    }).join('\n---\n'));
    const a = await podlab(['apply', '-c', name, '-f', all]);
    t.equal(a.exitCode, 0, a.stderr);
    t.ok((await policyLeftovers(nodes[0]!)).length > 0, 'with policies, node1 has the engine\'s chains or table');
    const d = await podlab(['delete', '-c', name, '-f', all]);
    t.equal(d.exitCode, 0, d.stderr);
    for (const n of nodes) t.same(await policyLeftovers(n), [], `${n}: no policy chain, set or table left`);
    const m = await matrix(name);
    t.equal(m.cells.length, 0, 'no policies: no truth table');
    const full = await podlab(['check', '-c', name, '--filter', 'pod-to-pod*TCP*', '-r', 'json']);
    t.equal(full.exitCode, 0, 'every pod reaches every pod again');
  });
}
