// Lifecycle edges: bad input builds nothing, interrupted and killed runs are cleanable, the host stays untouched.
import t from 'tap';
import { execa } from 'execa';
import { clusterName, writeLab, pod, podlab, netnsOf, isRoot, CLI, STATE_DIR } from '../helpers/lab.js';

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

async function hostSnapshot() {
  const [links, routes, rules, ipt, sysf] = await Promise.all([
    execa('ip', ['-o', 'link', 'show']).then((r) => String(r.stdout).split('\n').map((l) => l.split(':')[1]?.trim()).sort().join(',')),
    execa('ip', ['route', 'show', 'table', 'all']).then((r) => String(r.stdout)),
    execa('ip', ['rule', 'show']).then((r) => String(r.stdout)),
    execa('iptables-save').then((r) => String(r.stdout).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n')),
    execa('sh', ['-c', 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/disable_ipv6']).then((r) => String(r.stdout)),
  ]);
  return { links, routes, rules, ipt, sysf };
}

t.test('a bad file fails with all its problems and builds nothing', async (t) => {
  const name = clusterName('bad');
  const file = writeLab({ name, extra: pod('x', 'a', 'node9', '[{containerPort: 0}]') + pod('x', 'a', 'node1') });
  const r = await podlab(['up', '-f', file]);
  t.equal(r.exitCode, 2);
  const err = String(r.stderr);
  t.match(err, /invalid cluster file: \d+ problems \(nothing was built\)/);
  t.match(err, /lab\.yaml:\d+: Pod x\/a spec\.nodeName: unknown node "node9"/);
  t.match(err, /lab\.yaml:\d+: Pod x\/a spec\.containers\[0\]\.ports\[0\]\.containerPort: 0 is out of range/);
  t.match(err, /lab\.yaml:\d+: Pod x\/a metadata\.name: duplicate Pod "x\/a"/);
  t.same(netnsOf(name), [], 'no namespace was created');
});

t.test('the host root namespace is not touched by up and down', async (t) => {
  const before = await hostSnapshot();
  const name = clusterName('host');
  const file = writeLab({ name, nodes: 2, extra: pod('x', 'a', 'node1') + pod('x', 'b', 'node2') });
  t.equal((await podlab(['up', '-f', file])).exitCode, 0);
  const during = await hostSnapshot();
  t.same(during, before, 'links, routes, rules, iptables and sysctls of the host are unchanged while the lab runs');
  t.equal((await podlab(['down', '-c', name])).exitCode, 0);
  t.same(await hostSnapshot(), before);
  t.same(netnsOf(name), []);
});

t.test('a killed up is removed by clean, without any state file', async (t) => {
  const name = clusterName('kill');
  const pods = Array.from({ length: 40 }, (_, i) => pod('x', `p${i}`, undefined)).join('');
  const file = writeLab({ name, extra: pods });
  const child = execa('node', [CLI, 'up', '-f', file], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR } });
  // Kill it as soon as it has started building.
  for (let i = 0; i < 6000 && netnsOf(name).length < 5; i++) await new Promise((r) => setTimeout(r, 5)); // up to 30 s on a loaded machine
  child.kill('SIGKILL');
  await child;
  t.ok(netnsOf(name).length > 0, `the killed run left namespaces behind (${netnsOf(name).length})`);
  await execa('rm', ['-rf', `${STATE_DIR}/${name}`]);
  const r = await podlab(['clean', '-c', name, '--json']);
  t.equal(r.exitCode, 0, String(r.stderr));
  t.same(JSON.parse(String(r.stdout)).leftovers, []);
  t.same(netnsOf(name), [], 'nothing of it is left');
});

t.test('Ctrl-C during up stops it; down removes what was built', async (t) => {
  const name = clusterName('int');
  const pods = Array.from({ length: 40 }, (_, i) => pod('x', `p${i}`, undefined)).join('');
  const file = writeLab({ name, extra: pods });
  const child = execa('node', [CLI, 'up', '-f', file], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR } });
  for (let i = 0; i < 6000 && netnsOf(name).length < 5; i++) await new Promise((r) => setTimeout(r, 5)); // up to 30 s on a loaded machine
  child.kill('SIGINT');
  const r = await child;
  t.ok(r.exitCode === 130 || r.exitCode === 0, `up exits 130 when interrupted (or 0 if it had finished): ${r.exitCode} ${r.stderr}`);
  const d = await podlab(['down', '-c', name]);
  t.equal(d.exitCode, 0, String(d.stderr));
  t.same(netnsOf(name), []);
});

t.test('clean of one lab leaves a lab whose name shares its prefix alone', async (t) => {
  const a = clusterName('pf').slice(0, 6);
  const b = `${a}-2`;
  const fa = writeLab({ name: a, nodes: 1, extra: pod('x', 'p', 'node1') });
  const fb = writeLab({ name: b, nodes: 1, extra: pod('x', 'p', 'node1') });
  t.equal((await podlab(['up', '-f', fa])).exitCode, 0);
  t.equal((await podlab(['up', '-f', fb])).exitCode, 0);
  const r = await podlab(['down', '-c', a]);
  t.equal(r.exitCode, 0, String(r.stderr));
  t.same(netnsOf(a).filter((n) => !n.startsWith(`pl-${b}-`)), [], `${a} is gone`);
  t.ok(netnsOf(b).length >= 4, `${b} is still there`);
  t.equal((await podlab(['down', '-c', b])).exitCode, 0);
  t.same(netnsOf(b), []);
});

t.test('exec and logs name their targets clearly; several labs need -c', async (t) => {
  const name = clusterName('ex');
  const file = writeLab({ name, nodes: 1, extra: pod('x', 'p', 'node1') });
  t.equal((await podlab(['up', '-f', file])).exitCode, 0);
  const r = await podlab(['exec', '-c', name, 'x/nope', '--', 'true']);
  t.equal(r.exitCode, 1);
  t.match(String(r.stderr), /no pod "x\/nope" \(pods: x\/p, kube-system\/cluster-dns\)/, 'the system DNS pod is a target too');
  const ok = await podlab(['exec', '-c', name, 'node/node1', '--', 'ip', '-br', 'link']);
  t.match(String(ok.stdout), /flannel\.1/);
  t.equal((await podlab(['down', '-c', name])).exitCode, 0);
  t.same(netnsOf(name), []);
});

