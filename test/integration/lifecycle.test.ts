// Lifecycle edges: bad input builds nothing, interrupted and killed runs are cleanable, the host stays untouched.
import t from 'tap';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot, CLI, STATE_DIR } from '../helpers/lab.js';

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
  t.match(String(r.stderr), /no pod "x\/nope" \(pods: x\/p\)/);
  const ok = await podlab(['exec', '-c', name, 'node/node1', '--', 'ip', '-br', 'link']);
  t.match(String(ok.stdout), /flannel\.1/);
  t.equal((await podlab(['down', '-c', name])).exitCode, 0);
  t.same(netnsOf(name), []);
});

// #11 (hardening): lab A's node "a-node1" and lab "A-a"'s node1 are both pl-A-a-node1; up used to leave a partial build
// and status -c A showed the other lab's namespace as its node.
t.test('a namespace-name clash between two labs is a validation error naming both; clean of one leaves the other', async (t) => {
  const a = clusterName('r').slice(0, 7);
  const b = `${a}-a`;
  const fa = writeLab({ name: a, nodes: 2, extra: pod('x', 'p', 'node2') });
  writeFileSync(fa, readFileSync(fa, 'utf8').replace('    - name: node1', '    - name: a-node1'));
  const fb = writeLab({ name: b, nodes: 1, underlay: '172.19.0.0/24', podCIDR: '10.245.0.0/16', extra: pod('x', 'p', 'node1') });
  try {
    t.equal((await podlab(['up', '-f', fb])).exitCode, 0);
    const lo = await execa('ip', ['-n', `pl-${b}-node1`, '-j', 'link', 'show', 'lo']);
    t.equal(JSON.parse(String(lo.stdout))[0].ifalias, `podlab:${b}`, 'the mark: the alias of lo');
    const before = netnsOf(b).sort();
    const r = await podlab(['up', '-f', fa]);
    t.equal(r.exitCode, 2, String(r.stderr));
    t.match(String(r.stderr), new RegExp(`lab\\.yaml:\\d+: Cluster ${a} spec\\.nodes\\[0\\]\\.name: its network namespace pl-${b}-node1 belongs to lab "${b}" .*clash`));
    t.same(netnsOf(a).filter((n) => !n.startsWith(`pl-${b}-`)), [], `nothing of ${a} was built`);
    const c = await podlab(['clean', '-c', a]);
    t.equal(c.exitCode, 0, String(c.stderr));
    t.same(netnsOf(b).sort(), before, `clean -c ${a} left every namespace of ${b}`);
  } finally {
    await podlab(['down', '-c', b]);
    await podlab(['clean', '-c', a]);
  }
  t.same(netnsOf(a), []);
});

// #3 (hardening): two `up`s at once left duplicate netexec processes and every pod Failed; `up` and `down` at once both
// exited 0 with the lab fully built.
t.test('the lab lock across processes: two ups at once, then up and down at once, then --no-wait', async (t) => {
  const name = clusterName('lk');
  const file = writeLab({ name, nodes: 2, extra: pod('x', 'a', 'node1') + pod('x', 'b', 'node2') });
  try {
    const [r1, r2] = await Promise.all([podlab(['up', '-f', file]), podlab(['up', '-f', file])]);
    t.same([r1.exitCode, r2.exitCode], [0, 0], `${r1.stderr}\n${r2.stderr}`);
    t.match(`${r1.stderr}${r2.stderr}`, /waiting its turn: the lab is being changed by pid \d+ \(podlab up -f \S+lab\.yaml, since /, 'the second waited, naming the holder');
    const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { phase: string }[] };
    t.ok(st.pods.every((p) => p.phase === 'Running'), JSON.stringify(st.pods));
    for (const n of ['node1', 'node2']) {
      const ps = await execa('ip', ['netns', 'pids', `pl-${name}-${n}`]);
      t.equal(String(ps.stdout).trim().split('\n').filter(Boolean).length, 1, `${n}: one netexec runtime`);
    }
    const u = podlab(['up', '-f', file]);
    await new Promise((r) => setTimeout(r, 700));
    const nw = await podlab(['down', '-c', name, '--no-wait']);
    const d = podlab(['down', '-c', name]);
    const [ur, dr] = await Promise.all([u, d]);
    if (nw.exitCode === 1) t.match(String(nw.stderr), /lab "\S+" is being changed by pid \d+ \(podlab up/, '--no-wait fails at once naming the holder');
    else t.equal(nw.exitCode, 0, 'or up had finished already');
    t.same([ur.exitCode, dr.exitCode], [0, 0]);
    t.same(netnsOf(name), [], 'up then down in turn: nothing is left');
  } finally {
    await podlab(['down', '-c', name]);
  }
});

// #4 and #5 (hardening): a deleted state folder made each re-up start another netexec that could not bind its ports;
// a pod namespace deleted by hand made every re-up fail with "Cannot find device eth0" while status said Running.
t.test('re-up after the state folder is deleted, and after a pod namespace is deleted by hand', async (t) => {
  const name = clusterName('rp');
  const file = writeLab({ name, nodes: 1, extra: pod('x', 'a', 'node1') + pod('x', 'b', 'node1') });
  const node = `pl-${name}-node1`;
  const phase = async () => Object.fromEntries((JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { name: string; phase: string }[] }).pods.map((p) => [p.name, p.phase]));
  try {
    t.equal((await podlab(['up', '-f', file])).exitCode, 0);
    await execa('rm', ['-rf', `${STATE_DIR}/${name}`]);
    const r = await podlab(['up', '-f', file]);
    t.equal(r.exitCode, 0, String(r.stderr));
    t.notMatch(String(r.stderr), /Address already in use/);
    const ps = await execa('ip', ['netns', 'pids', node]);
    t.equal(String(ps.stdout).trim().split('\n').filter(Boolean).length, 1, 'one netexec runtime in the node, not two');
    t.same(await phase(), { a: 'Running', b: 'Running' });

    await execa('ip', ['netns', 'del', `pl-${name}-x-a`]);
    t.equal((await phase()).a, 'Missing', 'status does not say Running');
    const r2 = await podlab(['up', '-f', file]);
    t.equal(r2.exitCode, 0, String(r2.stderr));
    t.notMatch(String(r2.stderr), /Cannot find device/);
    t.same(await phase(), { a: 'Running', b: 'Running' });
    const ip = (JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { name: string; ip: string }[] }).pods.find((p) => p.name === 'a')!.ip;
    const c = await inNetns(`pl-${name}-x-b`, ['curl', '-s', '-m', '2', `http://${ip}:8080/hostname`]);
    t.equal(c.out, 'a', 'the rebuilt pod answers');
    t.equal(JSON.parse(String((await podlab(['up', '-f', file, '--json'])).stdout)).changes, 0, 'and then nothing more to do');
  } finally {
    await podlab(['down', '-c', name]);
  }
  t.same(netnsOf(name), []);
});
