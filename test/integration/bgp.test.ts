// A real 3-node bgp lab: BIRD 2 full mesh in the node namespaces, routed pods, no encapsulation. Needs root.
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot, STATE_DIR } from '../helpers/lab.js';

if (!isRoot) {
  t.skip('needs root: creates network namespaces');
  process.exit(0);
}

const name = clusterName('g');
const file = writeLab({ name, clusterSpecExtra: '  mode: bgp', extra: pod('x', 'a', 'node1') + pod('x', 'b', 'node2') + pod('x', 'c', 'node3') });
const ns = (n: string) => `pl-${name}-${n}`;
const sock = (n: string) => join(STATE_DIR, name, 'bird', `${n}.ctl`);

interface Status {
  pods: { name: string; ip: string; node: string }[];
  nodes: { name: string; ip: string }[];
  bgp: { sessions: { node: string; peer: string; state: string }[]; routes: { node: string; dst: string; via?: string; type: string }[] };
}
const status = async () => JSON.parse((await podlab(['status', '-c', name, '--json'])).stdout) as Status;

t.teardown(async () => {
  await podlab(['down', '-c', name]);
});

t.test('up converges, check passes, BIRD sessions and routes are real, no encapsulation, fault withdraws', async (t) => {
  const u = await podlab(['up', '-f', file]);
  t.equal(u.exitCode, 0, u.stderr);

  const s = await status();
  t.equal(s.bgp.sessions.length, 6);
  t.ok(s.bgp.sessions.every((x) => x.state === 'Established'), JSON.stringify(s.bgp.sessions));
  const ip = (n: string) => s.nodes.find((x) => x.name === n)!.ip;

  const p = await inNetns(ns('node1'), ['birdc', '-s', sock('node1'), 'show', 'protocols']);
  t.match(p.out, /Mesh_172_18_0_12\s+BGP\s+---\s+up\s+\S+\s+Established/);
  t.match(p.out, /Mesh_172_18_0_13\s+BGP\s+---\s+up\s+\S+\s+Established/);
  const r = await inNetns(ns('node1'), ['ip', 'route', 'show', 'proto', 'bird']);
  t.match(r.out, /^blackhole 10\.244\.0\.0\/26/m);
  t.match(r.out, new RegExp(`^10\\.244\\.0\\.64/26 via ${ip('node2')} dev eth0`, 'm'));
  t.match(r.out, new RegExp(`^10\\.244\\.0\\.128/26 via ${ip('node3')} dev eth0`, 'm'));

  const c = await podlab(['check', '-c', name]);
  t.equal(c.exitCode, 0, c.stdout.split('\n').filter((l) => /FAIL/.test(l)).join('\n'));
  t.match(c.stdout, /RESULT: PASS/);

  // On the wire: node1's eth0 carries the pods' own addresses (no VXLAN, no IPIP).
  const a = s.pods.find((x) => x.name === 'a')!;
  const b = s.pods.find((x) => x.name === 'b')!;
  const dump = spawn('ip', ['netns', 'exec', ns('node1'), 'tcpdump', '-n', '-l', '-c', '1', '-i', 'eth0', `icmp and src ${a.ip} and dst ${b.ip}`]);
  let wire = '';
  dump.stdout.on('data', (d) => (wire += String(d)));
  const done = new Promise((res) => dump.on('exit', res));
  await new Promise((res) => setTimeout(res, 400));
  const ping = await inNetns(`pl-${name}-x-a`, ['ping', '-c', '2', '-W', '1', b.ip]);
  t.equal(ping.code, 0, ping.out);
  await Promise.race([done, new Promise((res) => setTimeout(res, 3000))]);
  dump.kill();
  t.match(wire, new RegExp(`IP ${a.ip.replace(/\./g, '\\.')} > ${b.ip.replace(/\./g, '\\.')}: ICMP echo request`));

  // Fault: BIRD down on node2 → peers withdraw its block, pods there are unreachable; up again → reconverges.
  const d = await podlab(['fault', 'bgp-down', 'node2', '-c', name]);
  t.equal(d.exitCode, 0, d.stderr);
  const r2 = await inNetns(ns('node1'), ['ip', 'route', 'show', 'proto', 'bird']);
  t.notMatch(r2.out, /10\.244\.0\.64\/26/);
  t.equal((await inNetns(`pl-${name}-x-a`, ['ping', '-c', '1', '-W', '1', b.ip])).code === 0, false, 'b unreachable while node2 BIRD is down');
  const s2 = await status();
  t.ok(s2.bgp.sessions.filter((x) => x.node === 'node1' && x.peer === 'node2').every((x) => x.state !== 'Established'));
  const up = await podlab(['fault', 'bgp-up', 'node2', '-c', name]);
  t.equal(up.exitCode, 0, up.stderr);
  t.match((await inNetns(ns('node1'), ['ip', 'route', 'show', 'proto', 'bird'])).out, new RegExp(`10\\.244\\.0\\.64/26 via ${ip('node2')}`));
  t.equal((await inNetns(`pl-${name}-x-a`, ['ping', '-c', '1', '-W', '2', b.ip])).code, 0);

  const dn = await podlab(['down', '-c', name]);
  t.equal(dn.exitCode, 0, dn.stderr);
  t.same(netnsOf(name), []);
});
