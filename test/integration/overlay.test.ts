// A real 3-node overlay lab: real namespaces, real VXLAN, real packets. Needs root.
import t from 'tap';
import { statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot } from '../helpers/lab.js';

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

const name = clusterName('ov');
const sidecarPod = `apiVersion: v1
kind: Pod
metadata: {name: duo, namespace: x, labels: {app: duo}}
spec:
  nodeName: node1
  containers:
    - name: main
      command: ["sh", "-c", "echo started in $POD_NAME with $GREETING; exec sleep 600"]
      env: [{name: GREETING, value: hi}]
    - name: side
      ports: [{containerPort: 9090}]
---
`;
const extra = pod('x', 'a1', 'node1') + pod('x', 'a2', 'node1') + pod('x', 'b', 'node2') + pod('y', 'c', 'node3') + sidecarPod;
const file = writeLab({ name, extra });

interface Status {
  cluster: string; mode: string; proxyMode: string;
  nodes: { name: string; ip: string; netns: string; podCIDR: string }[];
  pods: { namespace: string; name: string; node: string; ip: string; netns: string; labels: Record<string, string>; phase: string; system?: boolean }[];
  services: { namespace: string; name: string; system?: boolean }[];
  external: { ip: string; netns: string };
}
let st: Status;
const P = (k: string) => st.pods.find((p) => `${p.namespace}/${p.name}` === k)!;
const N = (n: string) => st.nodes.find((x) => x.name === n)!;

t.before(async () => {
  const r = await podlab(['up', '-f', file, '--json']);
  if (r.exitCode !== 0) throw new Error(`up failed: ${r.stderr}`);
  st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as Status;
});

// Safety net only: the last test asserts that down removes everything.
t.teardown(async () => {
  if (netnsOf(name).length) await podlab(['clean', '-c', name]);
});

t.test('status --json has the contract shape', async (t) => {
  t.equal(st.cluster, name);
  t.equal(st.mode, 'overlay');
  t.equal(st.proxyMode, 'iptables');
  t.same(st.nodes.map((n) => n.netns), [`pl-${name}-node1`, `pl-${name}-node2`, `pl-${name}-node3`]);
  for (const k of ['namespace', 'name', 'node', 'ip', 'netns', 'labels', 'phase']) t.ok(k in st.pods[0]!, `pods[].${k}`);
  for (const k of ['name', 'ip', 'netns', 'podCIDR']) t.ok(k in st.nodes[0]!, `nodes[].${k}`);
  t.ok(st.pods.every((p) => p.phase === 'Running'), `all pods Running: ${JSON.stringify(st.pods.map((p) => [p.name, p.phase]))}`);
  t.same(st.services.filter((v) => !v.system), [], 'no user Services');
  t.same(st.services.filter((v) => v.system).map((v) => `${v.namespace}/${v.name}`), ['default/kubernetes', 'kube-system/kube-dns'], 'the system Services');
  t.same(st.external, { ip: '172.18.0.100', netns: `pl-${name}-ext`, ports: [8080] });
});

async function curl(from: string, url: string) {
  return inNetns(from, ['curl', '-sS', '-m', '3', url]);
}
async function udp(from: string, ip: string, port: number, msg: string) {
  const { execa } = await import('execa');
  const r = await execa('ip', ['netns', 'exec', from, 'socat', '-T2', '-', `UDP:${ip}:${port}`], { input: msg, reject: false, timeout: 5000 });
  return String(r.stdout).trim();
}

for (const [label, from, to] of [['same node', 'x/a1', 'x/a2'], ['cross node', 'x/a1', 'x/b'], ['cross node, other namespace', 'y/c', 'x/a2']] as const) {
  t.test(`pod → pod ${label}: TCP, UDP and ICMP with no NAT`, async (t) => {
    const src = P(from), dst = P(to);
    const tcp = await curl(src.netns, `http://${dst.ip}:8080/clientip`);
    t.equal(tcp.code, 0, tcp.err);
    t.equal(tcp.out.split(':')[0], src.ip, 'TCP: the server sees the client pod IP');
    t.equal((await curl(src.netns, `http://${dst.ip}:8080/hostname`)).out, dst.name, 'the right pod answered');
    const u = await udp(src.netns, dst.ip, 8080, 'clientip');
    t.equal(u.split(':')[0], src.ip, 'UDP: the server sees the client pod IP');
    const ping = await inNetns(src.netns, ['ping', '-c1', '-W2', dst.ip]);
    t.equal(ping.code, 0, 'ICMP echo answered');
  });
}

t.test('containers of one pod share its namespace: localhost works, env and cwd are set', async (t) => {
  const duo = P('x/duo');
  const r = await curl(duo.netns, 'http://127.0.0.1:9090/hostname');
  t.equal(r.out, 'duo');
  const logs = await podlab(['logs', '--cluster', name, 'x/duo', '-c', 'main']);
  t.match(String(logs.stdout), /started in duo with hi/);
});

t.test('node → pod: local via cni0, remote via flannel.1 (no SNAT needed)', async (t) => {
  const n1 = N('node1');
  const local = await curl(n1.netns, `http://${P('x/a1').ip}:8080/clientip`);
  t.equal(local.out.split(':')[0], '10.244.0.1', 'local pod sees the cni0 address (route source)');
  const remote = await curl(n1.netns, `http://${P('x/b').ip}:8080/clientip`);
  t.equal(remote.out.split(':')[0], '10.244.0.0', "remote pod sees node1's flannel.1 /32 address");
});

t.test('pod → external is masqueraded to the node address; external → pod has no route', async (t) => {
  const r = await curl(P('y/c').netns, `http://${st.external.ip}:8080/clientip`);
  t.equal(r.out.split(':')[0], N('node3').ip, "the external host sees node3's underlay IP");
  const back = await curl(st.external.netns, `http://${P('y/c').ip}:8080/hostname`);
  t.not(back.code, 0, 'the external host cannot reach a pod IP');
});

t.test('VXLAN on the wire: UDP 8472 between node addresses carries the pod packets', async (t) => {
  const { execa } = await import('execa');
  const cap = execa('ip', ['netns', 'exec', N('node2').netns, 'timeout', '4', 'tcpdump', '-c', '1', '-nni', 'eth0', 'udp port 8472'], { reject: false });
  await new Promise((r) => setTimeout(r, 700));
  await curl(P('x/a1').netns, `http://${P('x/b').ip}:8080/hostname`);
  const out = await cap;
  t.match(String(out.stdout), new RegExp(`${N('node1').ip.replace(/\./g, '\\.')}\\.\\d+ > ${N('node2').ip.replace(/\./g, '\\.')}\\.8472: OTV|VXLAN|UDP`), 'an encapsulated packet from node1 to node2 port 8472');
});

t.test('MTU: a DF ping fits at pod MTU − 28 and fails at pod MTU − 27 across nodes', async (t) => {
  const from = P('x/a1').netns, to = P('x/b').ip;
  t.equal((await inNetns(from, ['ping', '-c1', '-W2', '-M', 'do', '-s', '1422', to])).code, 0);
  t.not((await inNetns(from, ['ping', '-c1', '-W2', '-M', 'do', '-s', '1423', to])).code, 0);
});

t.test('re-running up on the unchanged file changes nothing in the kernel', async (t) => {
  const r = await podlab(['up', '-f', file, '--json']);
  t.equal(r.exitCode, 0, String(r.stderr));
  t.equal(JSON.parse(String(r.stdout)).changes, 0);
});

t.test('drift is repaired: a deleted route and a flushed masquerade chain come back', async (t) => {
  await inNetns(N('node1').netns, ['ip', 'route', 'del', N('node3').podCIDR]);
  await inNetns(N('node1').netns, ['iptables', '-t', 'nat', '-F', 'FLANNEL-POSTRTG']);
  const r = JSON.parse(String((await podlab(['up', '-f', file, '--json'])).stdout));
  t.equal(r.changes, 2, 'one route, one iptables restore');
  t.equal((await curl(P('x/a1').netns, `http://${P('y/c').ip}:8080/hostname`)).out, 'c');
});

t.test('an edited file converges: a new pod is added, a removed pod is removed, the rest is untouched', async (t) => {
  const keep = P('x/b');
  const ino = statSync(`/run/netns/${keep.netns}`).ino;
  const edited = writeLab({ name, extra: pod('x', 'a1', 'node1') + pod('x', 'b', 'node2') + pod('y', 'c', 'node3') + sidecarPod + pod('x', 'new', 'node2') });
  const r = await podlab(['up', '-f', edited, '--json']);
  t.equal(r.exitCode, 0, String(r.stderr));
  const res = JSON.parse(String(r.stdout));
  t.same(res.created, [`pl-${name}-x-new`]);
  t.same(res.deleted, [`pl-${name}-x-a2`]);
  st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout));
  t.equal(statSync(`/run/netns/${keep.netns}`).ino, ino, 'an untouched pod keeps its namespace');
  t.equal(P('x/b').ip, keep.ip, 'and its address');
  // node2 holds x/b (.2) and, when it was placed there, the cluster DNS pod (.3): the new pod takes the next free one.
  t.equal(P('x/new').ip, st.pods.some((p) => p.system && p.node === 'node2') ? '10.244.1.4' : '10.244.1.3');
  t.equal((await curl(P('x/a1').netns, `http://${P('x/new').ip}:8080/hostname`)).out, 'new');
  writeFileSync(file, String(await import('node:fs').then((f) => f.readFileSync(edited, 'utf8'))));
});

t.test('down removes the lab and verifies nothing is left', async (t) => {
  const r = await podlab(['down', '-c', name, '--json']);
  t.equal(r.exitCode, 0, String(r.stderr));
  const res = JSON.parse(String(r.stdout));
  t.same(res.leftovers, []);
  t.equal(res.removedNetns, 3 + 5 + 1 + 2, 'nodes, pods, the DNS pod, fabric and external host');
  t.same(netnsOf(name), [], 'no namespace of the lab is left');
  const ps = await import('execa').then(({ execa }) => execa('pgrep', ['-f', `/${name}/netexec/`], { reject: false }));
  t.equal(String(ps.stdout).trim(), '', 'no netexec runtime of the lab is left');
});
