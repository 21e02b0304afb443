// A real 3-node vpc lab: VPC router, AWS CNI pod wiring, SNAT off-VPC only. Needs root.
import t from 'tap';
import { writeFileSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot } from '../helpers/lab.js';

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

const name = clusterName('v');
const vpcSpec = (externalSNAT: boolean) => `  mode: vpc\n  vpc: {cidr: 10.0.0.0/16, instanceType: t3.medium, externalSNAT: ${externalSNAT}, hosts: [{name: bastion}]}`;
const extra = pod('x', 'a', 'node1') + pod('x', 'b', 'node2') + pod('x', 'c', 'node3');
const file = writeLab({ name, extra, clusterSpecExtra: vpcSpec(false) });

interface Status {
  nodes: { name: string; ip: string; netns: string }[];
  pods: { namespace: string; name: string; node: string; ip: string; netns: string; phase: string }[];
  external: { ip: string; netns: string };
}
let st: Status;
const P = (n: string) => st.pods.find((p) => p.name === n)!;
const N = (n: string) => st.nodes.find((x) => x.name === n)!;
const curl = (netns: string, url: string) => inNetns(netns, ['curl', '-sS', '-m', '2', url]);

t.before(async () => {
  const r = await podlab(['up', '-f', file]);
  if (r.exitCode !== 0) throw new Error(`up failed: ${r.stderr}`);
  st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as Status;
});
t.teardown(async () => {
  if (netnsOf(name).length) await podlab(['clean', '-c', name]);
});

t.test('podlab check passes every generated check, VPC-host checks included', async (t) => {
  const r = await podlab(['check', '-c', name]);
  t.equal(r.exitCode, 0, String(r.stdout).split('\n').slice(-15).join('\n'));
  t.match(String(r.stdout), /vpc-host-to-pod\s+\(6\/6 passed\)/);
});

t.test('the VPC router holds a /32 per secondary IP, via the node holding it', async (t) => {
  const r = await inNetns(`pl-${name}-fabric`, ['ip', '-j', 'route', 'show']);
  const routes = JSON.parse(r.out) as { dst: string; gateway?: string }[];
  for (const p of st.pods) t.ok(routes.some((x) => x.dst === p.ip && x.gateway === N(p.node).ip), `${p.ip} via ${N(p.node).ip}`);
});

t.test('a VPC host reaches a pod directly with its own address', async (t) => {
  const r = await curl(`pl-${name}-host-bastion`, `http://${P('a').ip}:8080/clientip`);
  t.equal(r.out.split(':')[0], '10.0.255.10', r.err);
});

t.test('pod → another node IP is not NATed (node IP ∈ VPC)', async (t) => {
  // A one-shot UDP listener on node2 reports the source it sees.
  const srv = execa('ip', ['netns', 'exec', N('node2').netns, 'python3', '-c',
    'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("0.0.0.0",9999));s.settimeout(5);print(s.recvfrom(100)[1][0])'], { reject: false });
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 3; i++) await inNetns(P('a').netns, ['python3', '-c', `import socket;socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(b"x",("${N('node2').ip}",9999))`]);
  t.equal(String((await srv).stdout).trim(), P('a').ip);
});

t.test('pod → external is SNATed to the node primary IP; external → pod is refused', async (t) => {
  const r = await curl(P('b').netns, `http://${st.external.ip}:8080/clientip`);
  t.equal(r.out.split(':')[0], N('node2').ip, r.err);
  const back = await curl(st.external.netns, `http://${P('b').ip}:8080/clientip`);
  t.not(back.code, 0);
  t.match(back.err, /unreachable|Failed to connect/i);
});

t.test('externalSNAT: true — the pod IP leaves un-NATed and the internet gateway drops it', async (t) => {
  writeFileSync(file, readFileSync(file, 'utf8').replace('externalSNAT: false', 'externalSNAT: true'));
  const up = await podlab(['up', '-f', file]);
  t.equal(up.exitCode, 0, String(up.stderr));
  const save = await inNetns(N('node1').netns, ['iptables-save', '-t', 'nat']);
  t.notMatch(save.out, /SNAT --to-source/);
  // The packet leaves node1 with the pod's own source (seen on the router's VPC side) and dies at the IGW.
  const cap = execa('ip', ['netns', 'exec', `pl-${name}-fabric`, 'timeout', '4', 'tcpdump', '-c', '1', '-nni', 'n-node1', 'tcp and dst port 8080'], { reject: false });
  await new Promise((r) => setTimeout(r, 700));
  const r = await curl(P('a').netns, `http://${st.external.ip}:8080/clientip`);
  t.equal(r.code, 28, `curl timed out (exit 28): ${r.err}`);
  t.match(String((await cap).stdout), new RegExp(`${P('a').ip.replace(/\./g, '\\.')}\\.\\d+ > ${st.external.ip.replace(/\./g, '\\.')}\\.8080`));
});

t.test('down leaves nothing', async (t) => {
  const r = await podlab(['down', '-c', name]);
  t.equal(r.exitCode, 0, String(r.stderr));
  t.same(netnsOf(name), []);
});
