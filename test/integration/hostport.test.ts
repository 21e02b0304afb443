// hostPort and hostNetwork pods with real packets, in overlay (iptables) and bgp (nftables: the portmap plugin's
// nftables backend): a DaemonSet with a hostPort reached from the external host on every node's IP (DNATed to the
// node's own pod, the client address kept), a node without such a pod refusing; a hostNetwork pod serving in its
// node's namespace with the node's IP, reached directly and through a Service, and calling a ClusterIP; the generated
// checks pass, and fail when the portmap jump is gone; removing the DaemonSet removes the portmap rules; `down`
// leaves nothing. Needs root.
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostNetworkPods, hostPortDaemonSet } from '../helpers/hostport.js';
import { clusterName, writeLab, podlab, netnsOf, inNetns, isRoot, checkJson, failedIds } from '../helpers/lab.js';

const DS = hostPortDaemonSet('shop', { tolerateAll: true }) + '---\n';
const REST = hostNetworkPods('shop');

interface Status {
  nodes: { name: string; ip: string; netns: string }[];
  pods: { namespace: string; name: string; ip: string; netns: string; node: string; phase: string }[];
  services: { name: string; clusterIP: string }[];
}

const curl = (netns: string, url: string) => inNetns(netns, ['curl', '-sS', '--connect-timeout', '2', '--max-time', '3', url]);

for (const [mode, proxyMode] of [['overlay', 'iptables'], ['bgp', 'nftables']] as const) {
  t.test(`hostPort and hostNetwork (${mode}, ${proxyMode})`, { skip: !isRoot && 'needs root' }, async (t) => {
    const name = clusterName('h');
    const ext = '172.18.0.100';
    const spec = `  mode: ${mode}\n  proxyMode: ${proxyMode}\n  external: {ip: ${ext}, ports: [8080]}`;
    const file = writeLab({ name, nodes: 3, extra: DS + REST, clusterSpecExtra: spec });
    try {
      await run(t, name, file, proxyMode, ext);
    } finally {
      const d = await podlab(['down', '-c', name]);
      t.equal(d.exitCode, 0, `down: ${d.stderr}`);
      t.same(netnsOf(name), [], 'down leaves no namespaces');
    }
  });
}

async function run(t: Test, name: string, file: string, proxyMode: string, ext: string): Promise<void> {
  const upr = await podlab(['up', '-f', file]);
  t.equal(upr.exitCode, 0, `up: ${upr.stderr}`);
  if (upr.exitCode !== 0) return;
  const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as Status;
  const extNs = `pl-${name}-ext`;
  const node = (n: string) => st.nodes.find((x) => x.name === n)!;

  // The DaemonSet's pod on every node answers on that node's IP:8081, and sees the external host's own address.
  for (const n of st.nodes) {
    const pod = st.pods.find((p) => p.node === n.name && p.name.startsWith('edge-'))!;
    t.ok(pod, `an edge pod on ${n.name}`);
    const who = await curl(extNs, `http://${n.ip}:8081/hostname`);
    t.equal(who.out, pod.name, `${n.ip}:8081 is answered by ${n.name}'s own pod`);
    const src = await curl(extNs, `http://${n.ip}:8081/clientip`);
    t.equal(src.out.split(':')[0], ext, `${n.name}: portmap does not SNAT an external client`);
  }
  const nat = proxyMode === 'iptables'
    ? (await inNetns(node('node1').netns, ['iptables-save', '-t', 'nat'])).out
    : (await inNetns(node('node1').netns, ['nft', 'list', 'table', 'ip', 'cni_hostport'])).out;
  if (proxyMode === 'iptables') {
    t.match(nat, /-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT/);
    t.match(nat, /-A CNI-DN-[0-9a-f]{21} -p tcp -m tcp --dport 8081 -j DNAT --to-destination 10\.\d+\.\d+\.\d+:8080/);
  } else {
    t.match(nat, /tcp dport 8081 dnat to 10\.\d+\.\d+\.\d+:8080 comment "[0-9a-f]{64}"/);
    t.notMatch((await inNetns(node('node1').netns, ['iptables-save', '-t', 'nat'])).out, /CNI-HOSTPORT/, 'nftables: no iptables portmap chains');
  }

  // The hostNetwork pod: the node's IP, the node's namespace, its socket among the node's own.
  const agent = st.pods.find((p) => p.name === 'agent')!;
  t.equal(agent.ip, node('node2').ip, 'hostNetwork: pod IP = node IP');
  t.equal(agent.netns, node('node2').netns, "hostNetwork: the node's namespace");
  t.equal(agent.phase, 'Running');
  t.match((await inNetns(node('node2').netns, ['ss', '-Htln', 'sport = :9100'])).out, /:9100/, 'its socket is in the node namespace');
  t.equal((await curl(extNs, `http://${agent.ip}:9100/hostname`)).out, 'agent', 'the external host reaches it on the node IP');
  const client = st.pods.find((p) => p.name === 'client')!;
  const svcIp = st.services.find((s) => s.name === 'agent')!.clusterIP;
  t.equal((await curl(client.netns, `http://${svcIp}/hostname`)).out, 'agent', 'a pod reaches it through its Service (endpoint node IP:9100)');
  const clientSvc = st.services.find((s) => s.name === 'client')!.clusterIP;
  t.equal((await curl(agent.netns, `http://${clientSvc}/hostname`)).out, 'client', 'it reaches a ClusterIP from the node namespace');

  // The generated checks, then with node1's portmap jump removed: the hostPort checks of node1 must fail.
  const all = await checkJson(name);
  t.equal(all.code, 0, `podlab check passes: ${failedIds(all.checks).join(', ')}`);
  for (const cat of ['hostport/external', 'hostport/pod-to', 'hostport/node', 'host-network/external', 'host-network/pod-to', 'host-network/to-clusterip']) {
    t.ok(all.checks.some((c) => c.category === cat), `generated: ${cat}`);
  }
  if (proxyMode === 'iptables') await inNetns(node('node1').netns, ['iptables', '-t', 'nat', '-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']);
  else await inNetns(node('node1').netns, ['nft', 'flush', 'chain', 'ip', 'cni_hostport', 'prerouting']);
  const broken = await checkJson(name, ['--filter', 'hostport*']);
  t.not(broken.code, 0, 'check fails without the jump');
  t.ok(failedIds(broken.checks).length > 0 && failedIds(broken.checks).every((id) => id.includes(node('node1').ip)), `only node1's hostPort checks fail: ${failedIds(broken.checks).join(', ')}`);
  const fix = await podlab(['up', '-f', file]);
  t.equal(fix.exitCode, 0, 'up repairs it');
  t.equal((await checkJson(name, ['--filter', 'hostport*'])).code, 0, 'and the checks pass again');

  // Without the DaemonSet the portmap rules go; the hostNetwork pod stays.
  writeFileSync(file, readFileSync(file, 'utf8').replace(DS, ''));
  const up2 = await podlab(['up', '-f', file]);
  t.equal(up2.exitCode, 0, `up without the DaemonSet: ${up2.stderr}`);
  for (const n of st.nodes) {
    t.notMatch((await inNetns(n.netns, ['iptables-save', '-t', 'nat'])).out, /CNI-HOSTPORT|CNI-DN-/, `${n.name}: no portmap chains left`);
    t.notMatch((await inNetns(n.netns, ['nft', 'list', 'tables'])).out, /cni_hostport/, `${n.name}: no cni_hostport table left`);
  }
  t.equal((await curl(extNs, `http://${agent.ip}:9100/hostname`)).out, 'agent', 'the hostNetwork pod still serves');
}
