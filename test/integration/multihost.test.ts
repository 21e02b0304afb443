// Labs across machines, the slice that exists (docs/multihost.md): scripts/machines.sh up 3 builds machine
// namespaces on an underlay bridge, etcd with authentication on a unix socket and one `podlab daemon --node` per
// machine; every daemon registers its node on a lease (seen from the host through the store, without any host
// address or route), the machines reach each other over the underlay, wrong or missing credentials are refused,
// two writers allocating at once never take the same pod IP or CIDR, a stopped daemon's node leaves the store,
// and machines.sh down leaves no namespace, process, link or file. Bounded (< 3 minutes).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { CLI, ROOT, isRoot } from '../helpers/lab.js';
import { EtcdStore, podCidrs, podIps } from '../../src/store/etcd.js';

t.setTimeout(180_000);
const haveEtcd = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v etcd && command -v etcdctl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

if (!isRoot || !haveEtcd) {
  t.skip(`needs root and etcd (etcd-server, etcd-client): ${!isRoot ? 'not root' : 'etcd missing'}`);
} else {
  const DIR = join(mkdtempSync(join(tmpdir(), 'podlab-mh-')), 'machines');
  const PFX = `mh${process.pid % 10000}-`;
  const M = [`${PFX}n1`, `${PFX}n2`, `${PFX}n3`];
  const env = { ...process.env, PODLAB_MACHINES_DIR: DIR, PODLAB_MACHINES_PREFIX: PFX };
  const sh = (args: string[]) => execa(join(ROOT, 'scripts', 'machines.sh'), args, { env, reject: false, timeout: 90_000 });
  const netns = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
  let pids: number[] = [];
  const alive = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').length > 0; // a zombie has an empty command line
    } catch {
      return false;
    }
  };

  t.teardown(async () => {
    if (existsSync(DIR)) await sh(['down']);
  });

  t.test('machines.sh up 3', async (t) => {
    const r = await sh(['up', ...M]);
    t.equal(r.exitCode, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    t.match(lines.at(-1), new RegExp(`^PODLAB_STORE=etcd://${DIR}/etcd/etcd:2379$`), 'last line: the store URL');
    pids = readFileSync(join(DIR, 'pids'), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[0]));
    t.equal(pids.length, 4, 'etcd and three daemons');
    for (const m of M) t.ok(netns().includes(m), `netns ${m}`);
    t.equal((readFileSync(join(DIR, 'credentials')).length > 0), true);
  });

  const URL = `etcd://${DIR}/etcd/etcd:2379`;
  const cred = () => join(DIR, 'credentials');

  t.test('the host sees every node registered, through the unix socket', async (t) => {
    const r = await execa('node', [CLI, 'nodes', '--json'], { reject: false, env: { ...process.env, PODLAB_STORE: URL, PODLAB_STORE_CREDENTIALS: cred() } });
    t.equal(r.exitCode, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { nodes: { node: string; underlayIp: string; pid: number }[] };
    t.same(j.nodes.map((n) => n.node), M);
    t.same(j.nodes.map((n) => n.underlayIp), ['192.168.56.11', '192.168.56.12', '192.168.56.13']);
    t.same(j.nodes.map((n) => n.pid), pids.slice(1), 'registered by the daemons machines.sh started');
  });

  t.test('machines reach each other over the underlay, real packets', async (t) => {
    const r = await execa('ip', ['netns', 'exec', M[0]!, 'ping', '-c', '2', '-i', '0.2', '-W', '1', '192.168.56.13'], { reject: false });
    t.equal(r.exitCode, 0, r.stdout + r.stderr);
  });

  t.test('the store is guarded: wrong, missing and loose credentials are refused', async (t) => {
    const bad = join(DIR, '..', 'bad.credentials');
    writeFileSync(bad, 'podlab:not-the-password\n', { mode: 0o600 });
    const wrong = await execa('node', [CLI, 'nodes', '--store', URL, '--store-credentials', bad], { reject: false });
    t.equal(wrong.exitCode, 1);
    t.match(wrong.stderr, /authentication failed/);
    const missing = await execa('node', [CLI, 'nodes', '--store', URL], { reject: false, env: { ...process.env, PODLAB_STORE_CREDENTIALS: '' } });
    t.equal(missing.exitCode, 1);
    t.match(missing.stderr, /needs credentials/);
    chmodSync(bad, 0o644);
    const loose = await execa('node', [CLI, 'nodes', '--store', URL, '--store-credentials', bad], { reject: false });
    t.match(loose.stderr, /readable by others/);
    // Without any user: etcdctl with auth enabled refuses a read.
    const anon = await execa('etcdctl', ['--endpoints', `unix://${DIR}/etcd/etcd:2379`, 'get', '--prefix', '/podlab/'], { reject: false, timeout: 20_000 });
    t.not(anon.exitCode, 0, 'anonymous read refused');
    t.notMatch(anon.stdout, /underlayIp/);
  });

  t.test('two writers allocating at once never take the same pod IP or CIDR', async (t) => {
    const a = EtcdStore.open(URL, cred());
    const b = EtcdStore.open(URL, cred());
    try {
      const cluster = 'mh-alloc';
      const take = (s: EtcdStore, who: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => s.allocate(cluster, 'ip', `${who}/p${i}`, podIps('10.244.1.0/24'))));
      const [x, y] = await Promise.all([take(a, 'a', 20), take(b, 'b', 20)]);
      const all = [...x, ...y];
      t.equal(new Set(all).size, 40, '40 distinct pod IPs');
      const held = await a.allocations(cluster, 'ip');
      t.equal(Object.keys(held).length, 40, 'each recorded once in etcd');
      t.equal(await b.allocate(cluster, 'ip', 'a/p3', podIps('10.244.1.0/24')), x[3], 'an owner gets its own back');
      const [c1, c2] = await Promise.all([a.allocate(cluster, 'cidr', M[0]!, podCidrs('10.244.0.0/16')), b.allocate(cluster, 'cidr', M[1]!, podCidrs('10.244.0.0/16'))]);
      t.not(c1, c2, `two nodes, two pod CIDRs (${c1}, ${c2})`);
      await a.removeCluster(cluster);
      t.same(await a.allocations(cluster, 'ip'), {});
    } finally {
      await a.close();
      await b.close();
    }
  });

  t.test('up --store: validated, stored, pod CIDRs allocated, nodes without a daemon named, and says the lab is not built', async (t) => {
    const lab = (mode: string, nodes: string[]) => {
      const f = join(DIR, '..', `lab-${mode}-${nodes.length}.yaml`);
      writeFileSync(f, `apiVersion: podlab.io/v1alpha1\nkind: Cluster\nmetadata: {name: mh-lab}\nspec:\n  mode: ${mode}\n  podCIDR: 10.244.0.0/16\n  nodeCIDRMaskSize: 24\n  nodes:\n${nodes.map((n) => `    - name: ${n}\n`).join('')}`);
      return f;
    };
    const up = (f: string, extra: string[] = []) => execa('node', [CLI, 'up', '-f', f, '--json', '--wait-nodes', '1', ...extra], { reject: false, timeout: 60_000, env: { ...process.env, PODLAB_STORE: URL, PODLAB_STORE_CREDENTIALS: cred(), PODLAB_STATE_DIR: join(DIR, '..', 'host-state') } });
    const r = await up(lab('overlay', M));
    t.equal(r.exitCode, 1, 'not built: exit 1');
    t.match(r.stderr, /does not build the dataplane across machines yet/);
    const j = JSON.parse(r.stdout) as { podCIDRs: Record<string, string>; missing: string[] };
    t.same(j.missing, []);
    t.equal(new Set(Object.values(j.podCIDRs)).size, 3, `three distinct pod CIDRs ${JSON.stringify(j.podCIDRs)}`);
    const again = JSON.parse((await up(lab('overlay', M))).stdout) as { podCIDRs: Record<string, string> };
    t.same(again.podCIDRs, j.podCIDRs, 'a second up keeps them');
    const s = EtcdStore.open(URL, cred());
    try {
      t.match((await s.objects('mh-lab'))?.[0]?.text ?? '', /kind: Cluster/, 'the files are in the store');
    } finally {
      await s.close();
    }
    const extra = await up(lab('overlay', [...M, `${PFX}n9`]));
    t.match(extra.stderr, new RegExp(`nodes without a daemon in .*: ${PFX}n9 `));
    const vpc = await up(lab('vpc', M));
    t.equal(vpc.exitCode, 1);
    t.match(vpc.stderr, /vpc across machines is not supported yet/);
    const bad = await up(join(DIR, '..', 'nope.yaml'));
    t.match(bad.stderr, /cannot read cluster file/);
  });

  t.test('one daemon per node; a stopped daemon leaves the store', async (t) => {
    const dup = await execa('ip', ['netns', 'exec', M[0]!, 'node', CLI, 'daemon', '--node', M[0]!, '--store', URL, '--store-credentials', cred(), '--state-dir', join(DIR, '..', 'dup')], { reject: false, timeout: 30_000 });
    t.not(dup.exitCode, 0);
    t.match(dup.stderr, /already registered/);
    process.kill(pids[3]!, 'SIGTERM');
    const s = EtcdStore.open(URL, cred());
    try {
      const end = Date.now() + 5000;
      let names: string[] = [];
      while (Date.now() < end) {
        names = (await s.nodes()).map((n) => n.node);
        if (!names.includes(M[2]!)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      t.same(names, M.slice(0, 2), `${M[2]} left within 5 s (its lease revoked)`);
      t.same(await s.waitNodes(M, 500), [M[2]], 'waitNodes names the node without a daemon');
    } finally {
      await s.close();
    }
  });

  t.test('machines.sh down leaves nothing', async (t) => {
    const r = await sh(['down']);
    t.equal(r.exitCode, 0, r.stderr);
    t.match(r.stdout, /nothing left/);
    const ns = netns();
    for (const n of [...M, `${PFX}underlay`, `${PFX}etcd`]) t.notOk(ns.includes(n), `no netns ${n}`);
    for (const p of pids) t.notOk(alive(p), `pid ${p} gone`);
    t.notOk(existsSync(DIR), 'its directory removed');
    const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
    t.notMatch(links, new RegExp(`u-${PFX}`), 'no link of ours in the host root namespace');
  });
}
