// The hardening issue's defects that need the kernel (#3 lock, #4 stray processes, #5 a pod namespace deleted by
// hand, #6 underlay change, #11 name clashes between labs): each reproduction, on real namespaces.
import t from 'tap';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot, STATE_DIR } from '../helpers/lab.js';

// One lab per test on a loaded 2-core box (3 test files at once): more than tap's default 300 s per file.
t.setTimeout(900_000);

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

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
  const phase = async () => Object.fromEntries((JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { name: string; phase: string; system?: boolean }[] }).pods.filter((p) => !p.system).map((p) => [p.name, p.phase]));
  try {
    t.equal((await podlab(['up', '-f', file])).exitCode, 0);
    // The whole folder, with what is mounted in it (the pods' UTS namespaces, bind-mounted there as /run/netns holds
    // the network ones): as lost as a state can be.
    await execa('sh', ['-c', `awk '$5 ~ "^${STATE_DIR}/${name}/" {print $5}' /proc/self/mountinfo | sort -r | xargs -r umount -l; rm -rf ${STATE_DIR}/${name}`]);
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

// #6 (hardening): changing `underlay` failed for two or three runs: the address went first, the kernel took the
// default route with it, and `route del default` aborted the batch.
t.test('editing the underlay of a running lab converges in one run', async (t) => {
  const name = clusterName('ul');
  const file = writeLab({ name, nodes: 2, extra: pod('x', 'a', 'node1') + pod('x', 'b', 'node2') });
  try {
    t.equal((await podlab(['up', '-f', file])).exitCode, 0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('underlay: 172.18.0.0/24', 'underlay: 172.31.5.0/24'));
    const r = await podlab(['up', '-f', file]);
    t.equal(r.exitCode, 0, String(r.stderr));
    t.notMatch(String(r.stderr), /No such process|failed/);
    const again = await podlab(['up', '-f', file, '--json']);
    t.equal(JSON.parse(String(again.stdout)).changes, 0, 'the run after changes nothing');
    const route = await inNetns(`pl-${name}-node1`, ['ip', 'route', 'show', 'default']);
    t.match(route.out, /^default via 172\.31\.5\.1 dev eth0/);
    const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { name: string; ip: string }[]; nodes: { ip: string }[] };
    t.same(st.nodes.map((n) => n.ip), ['172.31.5.11', '172.31.5.12']);
    const b = st.pods.find((p) => p.name === 'b')!;
    const c = await inNetns(`pl-${name}-x-a`, ['curl', '-s', '-m', '2', `http://${b.ip}:8080/hostname`]);
    t.equal(c.out, 'b', 'pods reach each other across nodes over the new underlay (VXLAN between the new node IPs)');
  } finally {
    await podlab(['down', '-c', name]);
  }
  t.same(netnsOf(name), []);
});

// #2 (hardening): when host-local's range comes round again, the new pod gets the address of a deleted one while the
// node's neighbour table (cni0) still maps it to the old pod's MAC; traffic to the new pod then went to a MAC nobody
// has until ARP gave up on the stale entry (delay 5 s + 3 probes), and requests timed out. The bridge plugin's pod
// announces itself (gratuitous ARP) and podlab forgets the node's entry for the address it hands out again.
t.test('a pod that gets a deleted pod\'s address again is reachable at once (no stale neighbour entry)', async (t) => {
  const name = clusterName('nb');
  // A /29 per node: host-local hands out .2–.6, so with \`keep\` on one the fifth pod on node2 gets the first one's
  // address again. \`keep\` also keeps cni0's carrier up: a bridge that loses its last port flushes its neighbours.
  const file = writeLab({ name, nodes: 2, clusterSpecExtra: '  nodeCIDRMaskSize: 29', extra: pod('x', 'client', 'node1') + pod('x', 'keep', 'node2') + pod('x', 'w0', 'node2') });
  const dir = (await import('node:path')).dirname(file);
  const ipOf = async (pn: string) => (JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { name: string; ip: string }[] }).pods.find((p) => p.name === pn)?.ip;
  const curl = (ip: string) => inNetns(`pl-${name}-x-client`, ['curl', '-s', '-m', '2', `http://${ip}:8080/hostname`], 5_000);
  try {
    const up = await podlab(['up', '-f', file]);
    t.equal(up.exitCode, 0, String(up.stderr));
    const first = (await ipOf('w0'))!;
    t.equal((await curl(first)).out, 'w0', 'the first pod answers (node2 now has its MAC for the address)');
    let reused = false;
    for (let i = 1; i <= 6 && !reused; i++) {
      t.equal((await podlab(['delete', '-c', name, 'pod', `x/w${i - 1}`])).exitCode, 0);
      const f = `${dir}/w${i}.yaml`;
      writeFileSync(f, pod('x', `w${i}`, 'node2'));
      const a = await podlab(['apply', '-c', name, '-f', f]);
      t.equal(a.exitCode, 0, String(a.stderr));
      const ip = (await ipOf(`w${i}`))!;
      reused = ip === first;
      const c = await curl(ip);
      t.equal(c.out, `w${i}`, `w${i} (${ip}${reused ? ', the first pod\'s address again' : ''}) answers the first request, within 2 s`);
    }
    t.ok(reused, `the address ${first} came round again`);
  } finally {
    await podlab(['down', '-c', name]);
  }
  t.same(netnsOf(name), []);
});

// #6 (hardening), the bgp fields (the unit test's fake host runs no BIRD): each edit converges in one run on real
// BIRDs, the run after changes nothing, and pods on two nodes still reach each other over the routes BIRD learned.
t.test('editing the underlay and the bgp section of a running bgp lab converges in one run each', async (t) => {
  const name = clusterName('ub');
  const file = writeLab({ name, nodes: 2, clusterSpecExtra: '  mode: bgp', extra: pod('x', 'a', 'node1') + pod('x', 'b', 'node2') });
  const edits: [string, (s: string) => string][] = [
    ['underlay', (s) => s.replace('underlay: 172.18.0.0/24', 'underlay: 172.31.6.0/24')],
    ['bgp.asn and bgp.topology', (s) => s.replace('  mode: bgp', '  mode: bgp\n  bgp: {asn: 64600, topology: route-reflector, routeReflectors: [node1]}')],
  ];
  try {
    t.equal((await podlab(['up', '-f', file])).exitCode, 0);
    for (const [field, edit] of edits) {
      writeFileSync(file, edit(readFileSync(file, 'utf8')));
      const r = await podlab(['up', '-f', file]);
      t.equal(r.exitCode, 0, `${field}: ${String(r.stderr).slice(-400)}`);
      const again = await podlab(['up', '-f', file, '--json']);
      t.equal(JSON.parse(String(again.stdout)).changes, 0, `${field}: the run after changes nothing`);
      const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { name: string; ip: string }[] };
      const b = st.pods.find((p) => p.name === 'b')!;
      const c = await inNetns(`pl-${name}-x-a`, ['curl', '-s', '-m', '2', `http://${b.ip}:8080/hostname`]);
      t.equal(c.out, 'b', `${field}: a reaches b on the other node`);
    }
    const conf = readFileSync(`${STATE_DIR}/${name}/bird/node2.conf`, 'utf8');
    t.match(conf, /64600/, 'BIRD runs with the new AS number');
  } finally {
    await podlab(['down', '-c', name]);
  }
  t.same(netnsOf(name), []);
});

// #4 (hardening): a kill -9 of `up` while it starts the lab's processes left a netexec runtime the state did not
// record; each re-up started another that could not bind its ports ("Address already in use"). Re-up finds every
// process in the lab's namespaces and stops the strays before starting its own.
t.test('re-up after up was killed -9 while starting processes: one runtime per node, every pod Running', async (t) => {
  const name = clusterName('k9');
  const file = writeLab({ name, nodes: 2, extra: pod('x', 'a', 'node1') + pod('x', 'b', 'node2') });
  const { spawn } = await import('node:child_process');
  const { CLI } = await import('../helpers/lab.js');
  try {
    const child = spawn('node', [CLI, 'up', '-f', file], { env: { ...process.env, PODLAB_STATE_DIR: STATE_DIR }, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    // Kill it the moment the first process runs in a node namespace (before up records it).
    let killedAt = '';
    for (let i = 0; i < 3000 && !killedAt; i++) {
      const pids = await execa('ip', ['netns', 'pids', `pl-${name}-node1`], { reject: false });
      if (String(pids.stdout).trim()) {
        child.kill('SIGKILL');
        killedAt = 'with a process in node1';
      } else await new Promise((r) => setTimeout(r, 5));
    }
    await exited;
    t.ok(killedAt, `up was killed ${killedAt}`);
    const r = await podlab(['up', '-f', file]);
    t.equal(r.exitCode, 0, String(r.stderr).slice(-600));
    t.notMatch(String(r.stderr), /Address already in use/);
    for (const n of ['node1', 'node2']) {
      const ps = await execa('ip', ['netns', 'pids', `pl-${name}-${n}`]);
      t.equal(String(ps.stdout).trim().split('\n').filter(Boolean).length, 1, `one netexec runtime in ${n}`);
    }
    const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { name: string; ip: string; phase: string; system?: boolean }[] };
    t.same(st.pods.filter((p) => !p.system).map((p) => `${p.name} ${p.phase}`).sort(), ['a Running', 'b Running']);
    const b = st.pods.find((p) => p.name === 'b')!;
    t.equal((await inNetns(`pl-${name}-x-a`, ['curl', '-s', '-m', '2', `http://${b.ip}:8080/hostname`])).out, 'b', 'b answers');
  } finally {
    await podlab(['down', '-c', name]);
  }
  t.same(netnsOf(name), []);
});
