// Both kernel paths converge to the same kernel state: a lab built through netlink reads back as converged (0
// changes) through the iproute2 observer and the other way round, in overlay, bgp and vpc; and both observers
// read every namespace of the lab into the very same Observed. The netlink-built overlay lab carries real traffic.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import { clusterName, writeLab, pod, netnsOf, isRoot, CLI, STATE_DIR, checkJson, failedIds } from '../helpers/lab.js';
import { LocalExecutor } from '../../src/substrate/local.js';
import { observeNs } from '../../src/kernel/observe.js';
import { pySysctlBatch } from '../../src/kernel/sysctl.js';
import { NetlinkSession } from '../../src/kernel/netlink/session.js';
import { preflight } from '../../src/kernel/preflight.js';
import type { LinkKind } from '../../src/dataplane/types.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, release } from 'node:os';
import { join } from 'node:path';

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

const up = async (file: string, path: 'netlink' | 'iproute2') => {
  const r = await execa('node', [CLI, 'up', '-f', file, '--json'], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR, PODLAB_KERNEL: path } });
  return { code: r.exitCode, json: r.exitCode === 0 ? JSON.parse(String(r.stdout)) as { changes: number; spawned: number; readBack: number } : undefined, err: String(r.stderr) };
};
const down = (name: string) => execa('node', [CLI, 'down', '-c', name], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR } });

/** JSON with sorted keys and no undefined values: equal strings mean equal values, types included. */
const canonical = (v: unknown): string => JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** Every namespace of the lab read by both observers (sysctls: the keys the plan manages, read both ways too). */
async function sameObserved(t: Test, name: string): Promise<void> {
  const exec = new LocalExecutor();
  const s = new NetlinkSession();
  const keys = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.disable_ipv6', 'net.ipv6.conf.default.disable_ipv6', 'net.bridge.bridge-nf-call-iptables', 'net.ipv4.conf.eth0.rp_filter', 'net.ipv4.conf.all.rp_filter'];
  try {
    const all = netnsOf(name);
    const sys = await pySysctlBatch(exec, all.map((netns) => ({ netns, read: keys })));
    let differ = 0;
    for (const netns of all) {
      const node = /-(node\d|fabric)$/.test(netns);
      const viaIp = await observeNs(exec, netns, sys.get(netns) ?? {}, { fdb: node, rulesets: [] });
      const viaNl = await s.observe(netns, keys, { fdb: node });
      const strip = (o: typeof viaIp) => canonical({ ...o, rulesets: undefined });
      if (strip(viaIp) !== strip(viaNl)) {
        differ++;
        t.equal(strip(viaNl), strip(viaIp), `${netns}: netlink reads what ip -j reads`);
      }
    }
    t.equal(differ, 0, `${all.length} namespaces read the same through both observers`);
    t.ok(all.length > 5, `${all.length} namespaces`);
  } finally {
    s.close();
  }
}

const labs: [string, string, string][] = [
  ['overlay', '', pod('x', 'a', 'node1') + pod('x', 'b', 'node1') + pod('x', 'c', 'node2')],
  ['bgp', '  mode: bgp', pod('x', 'a', 'node1') + pod('x', 'b', 'node2') + pod('x', 'c', 'node3')],
  ['vpc', '  mode: vpc\n  vpc: {cidr: 10.0.0.0/16, instanceType: t3.medium, externalSNAT: false, hosts: [{name: bastion}]}', pod('x', 'a', 'node1') + pod('x', 'b', 'node2')],
];

for (const [mode, spec, pods] of labs) {
  t.test(`${mode}: built through netlink, converged through iproute2, and back`, async (t) => {
    const name = clusterName('kp');
    const file = writeLab({ name, clusterSpecExtra: spec, extra: pods + 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: x}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}\n' });
    try {
      const a = await up(file, 'netlink');
      t.equal(a.code, 0, a.err);
      t.ok(a.json!.changes > 0, `built through netlink: ${a.json!.changes} changes`);
      const b = await up(file, 'iproute2');
      t.equal(b.code, 0, b.err);
      t.equal(b.json!.changes, 0, 'the iproute2 observer finds nothing to do');
      t.ok(b.json!.readBack > 0, `${b.json!.readBack} namespaces read back`);
      await sameObserved(t, name);
      if (mode === 'overlay') {
        const c = await checkJson(name);
        t.equal(c.code, 0, 'real traffic passes in the lab netlink built');
        t.same(failedIds(c.checks), []);
      }
      t.equal((await down(name)).exitCode, 0);
      t.same(netnsOf(name), []);

      const c = await up(file, 'iproute2');
      t.equal(c.code, 0, c.err);
      const d = await up(file, 'netlink');
      t.equal(d.code, 0, d.err);
      t.equal(d.json!.changes, 0, 'the netlink observer finds nothing to do in the lab ip -batch built');
      await sameObserved(t, name);
    } finally {
      await down(name);
      t.same(netnsOf(name), [], 'nothing of the lab is left');
    }
  });
}

t.test('a line outside podlab grammar fails before the kernel is touched; errors name what was being done', async (t) => {
  const name = clusterName('kpe');
  const file = writeLab({ name, nodes: 1 });
  const s = new NetlinkSession();
  try {
    t.equal((await up(file, 'netlink')).code, 0);
    const ns = `pl-${name}-node1`;
    await t.rejects(s.run(ns, ['link set lo up', 'link add name x type dummy'], []), /cannot run "link add name x type dummy" through netlink/);
    await t.rejects(s.run(ns, ['link add name cni0 type bridge'], []), /creating bridge cni0 in pl-\w+-node1: EEXIST\n {4}at: ip link add name cni0 type bridge/);
    await t.rejects(s.run(ns, ['addr add 10.9.9.9/24 dev nosuch0'], []), /adding address 10\.9\.9\.9\/24 to nosuch0 in pl-\w+-node1: no device nosuch0 \(ENODEV\)/);
    await t.rejects(s.run(ns, ['route replace 10.9.0.0/16 via 10.99.0.1 dev eth0'], []), /replacing route 10\.9\.0\.0\/16 via 10\.99\.0\.1 dev eth0 in .*: ENETUNREACH/);
    const after = await up(file, 'iproute2');
    t.equal(after.json?.changes, 0, 'nothing was changed by the refused and failed lines');
  } finally {
    s.close();
    await down(name);
    t.same(netnsOf(name), []);
  }
});

t.test('the kernel probe runs once per kernel and boot; a failed probe is not remembered', async (t) => {
  const saved = process.env.PODLAB_STATE_DIR;
  process.env.PODLAB_STATE_DIR = mkdtempSync(join(tmpdir(), 'podlab-preflight-'));
  try {
    const need = { commands: ['ip', 'bridge', 'iptables-restore', 'iptables-save'], linkKinds: ['bridge', 'veth', 'vxlan'] as LinkKind[], bridgeNetfilter: true };
    const exec = new LocalExecutor();
    await preflight(exec, need);
    const first = exec.spawned;
    t.ok(first >= 5, `the first preflight probes the kernel (${first} processes)`);
    await preflight(exec, need);
    t.equal(exec.spawned, first + 1, 'the second one remembers the verdict: only the shell that looks for the commands');
    const cache = readFileSync(join(process.env.PODLAB_STATE_DIR, 'preflight.json'), 'utf8');
    t.match(cache, new RegExp(release().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'keyed by the kernel release');
    await preflight(exec, { ...need, linkKinds: ['bridge'] });
    t.ok(exec.spawned > first, 'other needs are probed on their own');
    // This kernel has no dummy links (BRIEF): a failing probe throws and is probed again next time.
    const bad = { ...need, linkKinds: ['dummy'] as unknown as LinkKind[] };
    const n0 = exec.spawned;
    const e1 = await preflight(exec, bad).then(() => undefined, (e: Error) => e);
    const n1 = exec.spawned;
    const e2 = await preflight(exec, bad).then(() => undefined, (e: Error) => e);
    if (!e1) t.pass('this kernel has dummy links: nothing to check for a failure');
    else {
      t.match(e1.message, /kernel support for dummy links/);
      t.ok(e2 && exec.spawned > n1 && n1 > n0, 'a failed probe is probed again');
    }
  } finally {
    process.env.PODLAB_STATE_DIR = saved;
  }
});

t.test('namespaces made and marked in-process are what `ip netns add` and nsctl.py make and read', async (t) => {
  const exec = new LocalExecutor();
  const name = clusterName('nsk');
  // /run/netns becomes the shared mount point ip makes on its first use; the in-process path needs it to be one.
  const viaIp = `pl-${name}-ip`;
  await execa('ip', ['netns', 'add', viaIp]);
  const names = [1, 2, 3].map((i) => `pl-${name}-s${i}`);
  const s = new NetlinkSession();
  try {
    const errs = s.addNetns(names);
    t.same(errs, [], 'made in-process');
    t.same(await s.setMarks(names.map((netns) => ({ netns, alias: `podlab:${name}` }))), [], 'marked in-process');
    const listed = String((await execa('ip', ['netns', 'list'])).stdout);
    for (const n of names) t.match(listed, n, `ip netns list shows ${n}`);
    const lo = String((await execa('ip', ['-n', names[0]!, '-d', 'link', 'show', 'lo'])).stdout);
    t.match(lo, `alias podlab:${name}`, 'ip reads the mark as the alias of lo');
    // The python path reads the in-process marks, and the in-process path reads one the python path wrote.
    const { nsctlBatch } = await import('../../src/kernel/sysctl.js');
    await nsctlBatch(exec, [{ netns: viaIp, mark: `podlab:${name}-py` }]);
    const py = await nsctlBatch(exec, [...names, viaIp].map((netns) => ({ netns, readMark: true })));
    t.equal(py.marks.get(names[1]!), `podlab:${name}`, 'nsctl.py reads the in-process mark');
    const nl = await s.readMarks([...names, viaIp, `pl-${name}-absent`]);
    t.equal(nl.get(viaIp), `podlab:${name}-py`, 'the session reads the mark nsctl.py set');
    t.equal(nl.has(`pl-${name}-absent`), false, 'a missing namespace is left out');
    t.match(s.addNetns([names[0]!])?.[0] ?? '', /File exists/, 'an existing name is refused, as ip refuses it');
    // A namespace made in-process is a real, separate network namespace: its own lo, no other links.
    const links = String((await execa('ip', ['-n', names[2]!, '-o', 'link'])).stdout).trim().split('\n');
    t.equal(links.length, 1, 'only lo');
  } finally {
    t.same(s.deleteNetns([...names, viaIp]), [], 'deleted');
    s.close();
  }
  const left = String((await execa('ip', ['netns', 'list'])).stdout).split('\n').filter((l) => l.startsWith(`pl-${name}`));
  t.same(left, [], 'nothing left');
});
