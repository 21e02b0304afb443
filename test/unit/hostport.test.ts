// hostPort and hostNetwork pods: the input rules (the API server's), the scheduler's NodePorts filter, the CNI
// portmap plugin's rules in both backends (against the plugin's own rule text: plugins/meta/portmap
// portmap_iptables.go fillDnatRules/genSetMarkChain/genMarkMasqChain, portmap_nftables.go forwardPorts), hostNetwork
// pods in the node's namespace with the node's IP, and the generated checks for both.
import t from 'tap';
import { createHash } from 'node:crypto';
import { parseLabFiles, resolveLab, getMode } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import { dnatChainName, portmapIptables, sandboxId, PORTMAP_TABLE } from '../../src/dataplane/cni/portmap.js';
import { generateChecks } from '../../src/expect/generate.js';
import { nodeNetns } from '../../src/net/names.js';
import { hostNetworkPods, hostPortDaemonSet } from '../helpers/hostport.js';
import type { Topology } from '../../src/model/topology.js';

const CLUSTER = (mode = 'overlay', proxy = 'iptables') => `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: hp}
spec:
  mode: ${mode}
  proxyMode: ${proxy}
  external: {ports: [8080]}
  nodes: [{name: node1}, {name: node2}, {name: node3}]
`;
const DS = '---\n' + hostPortDaemonSet('default');
const HOSTNET = '---\n' + hostNetworkPods('default');
const resolveText = (text: string) => resolveLab(parseLabFiles([{ file: 'lab.yaml', text, dir: '/tmp' }]));
const problems = (text: string): string[] => {
  try {
    resolveText(text);
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
};
const natOf = (tp: Topology, node: string) => {
  const ns = getMode(tp.mode).plan(tp).namespaces.find((n) => n.netns === nodeNetns(tp.cluster, node))!;
  const text = ns.rulesets.find((r) => r.engine === 'iptables')!.text;
  return { ns, nat: text.split('*nat\n')[1]!.split('COMMIT')[0]!.split('\n').filter(Boolean) };
};

t.test('the chain name is the plugin\'s: "CNI-DN-" + sha512(netName + containerID) in hex, 28 characters', async (t) => {
  const id = 'a'.repeat(64);
  const want = ('CNI-DN-' + createHash('sha512').update('cbr0' + id).digest('hex')).slice(0, 28);
  t.equal(dnatChainName('cbr0', id), want);
  t.equal(dnatChainName('cbr0', id).length, 28);
});

t.test('iptables backend: the plugin\'s chains and rule text, as iptables-save prints them (overlay, host-local /24)', async (t) => {
  const tp = resolveText(CLUSTER() + DS);
  const pod = tp.pods.find((p) => p.node === 'node1' && p.owner?.name === 'edge')!;
  const id = sandboxId(tp, pod);
  const dn = dnatChainName('cbr0', id);
  const { nat } = natOf(tp, 'node1');
  const sub = tp.nodes[0]!.podCIDR;
  for (const l of [
    `:CNI-HOSTPORT-SETMARK - [0:0]`, `:CNI-HOSTPORT-MASQ - [0:0]`, `:CNI-HOSTPORT-DNAT - [0:0]`, `:${dn} - [0:0]`,
    '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
    '-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
    '-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000',
    '-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE',
    `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"cbr0\\" id: \\"${id}\\"" -m multiport --dports 8081 -j ${dn}`,
    `-A CNI-HOSTPORT-DNAT -p udp -m comment --comment "dnat name: \\"cbr0\\" id: \\"${id}\\"" -m multiport --dports 8081 -j ${dn}`,
    // Hairpin: -s containerNet, which host-local returns with the subnet's prefix: iptables keeps the network.
    `-A ${dn} -s ${sub} -p tcp -m tcp --dport 8081 -j CNI-HOSTPORT-SETMARK`,
    `-A ${dn} -s 127.0.0.1/32 -p tcp -m tcp --dport 8081 -j CNI-HOSTPORT-SETMARK`,
    `-A ${dn} -p tcp -m tcp --dport 8081 -j DNAT --to-destination ${pod.ip}:8080`,
    `-A ${dn} -p udp -m udp --dport 8081 -j DNAT --to-destination ${pod.ip}:8080`,
  ]) t.ok(nat.includes(l), `nat has: ${l}`);
  // The masquerade jump is prepended to POSTROUTING (prependEntry), before kube-proxy's and flannel's.
  t.equal(nat.find((l) => l.startsWith('-A POSTROUTING')), '-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ');
  // Per mapping the mark rules come before the DNAT (the plugin's "ordering is important here").
  const mine = nat.filter((l) => l.startsWith(`-A ${dn} `) && l.includes('-p tcp'));
  t.same(mine.map((l) => l.split(' -j ')[1]!.split(' ')[0]), ['CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-SETMARK', 'DNAT']);
  // Every node runs the DaemonSet's pod: each has its own chain.
  for (const n of ['node2', 'node3']) t.ok(natOf(tp, n).nat.includes('-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT'), `${n} has the hostport chains`);
});

t.test('iptables backend without hostPort pods: no CNI-HOSTPORT chains; Calico and the AWS CNI return /32s', async (t) => {
  const none = resolveText(CLUSTER() + HOSTNET);
  t.notOk(natOf(none, 'node1').nat.some((l) => l.includes('CNI-HOSTPORT')), 'no hostPort pod on node1');
  for (const [mode, net] of [['bgp', 'k8s-pod-network'], ['vpc', 'aws-cni']] as const) {
    const tp = resolveText(CLUSTER(mode) + DS);
    const pod = tp.pods.find((p) => p.node === 'node1' && p.owner?.name === 'edge')!;
    const dn = dnatChainName(net, sandboxId(tp, pod));
    const { nat } = natOf(tp, 'node1');
    t.ok(nat.includes(`-A ${dn} -s ${pod.ip}/32 -p tcp -m tcp --dport 8081 -j CNI-HOSTPORT-SETMARK`), `${mode}: hairpin of the pod itself`);
    t.ok(nat.some((l) => l.includes(`dnat name: \\"${net}\\"`)), `${mode}: the conflist's name ${net}`);
  }
});

t.test('nftables backend: table ip cni_hostport as the plugin builds it, and no iptables chains', async (t) => {
  const tp = resolveText(CLUSTER('overlay', 'nftables') + DS);
  const pod = tp.pods.find((p) => p.node === 'node1' && p.owner?.name === 'edge')!;
  const id = sandboxId(tp, pod);
  const { ns, nat } = natOf(tp, 'node1');
  t.notOk(nat.some((l) => l.includes('CNI-HOSTPORT')), 'no iptables portmap chains in nftables mode');
  const nft = ns.rulesets.find((r) => r.table === PORTMAP_TABLE);
  t.ok(nft, 'the portmap table is a rule set of its own');
  const L = nft!.text.split('\n');
  for (const l of [
    'add table ip cni_hostport { comment "CNI portmap plugin" ; }',
    'add rule ip cni_hostport hostports_all jump hostip_hostports',
    'add rule ip cni_hostport hostports_all jump hostports',
    'add chain ip cni_hostport prerouting { type nat hook prerouting priority dstnat ; }',
    'add rule ip cni_hostport prerouting fib daddr type local jump hostports_all',
    'add chain ip cni_hostport output { type nat hook output priority -100 ; }',
    'add rule ip cni_hostport output fib daddr type local jump hostports_all',
    'add chain ip cni_hostport masquerading { type nat hook postrouting priority srcnat ; }',
    `add rule ip cni_hostport hostports tcp dport 8081 dnat to ${pod.ip}:8080 comment "${id}"`,
    `add rule ip cni_hostport hostports udp dport 8081 dnat to ${pod.ip}:8080 comment "${id}"`,
    `add rule ip cni_hostport masquerading ip saddr ${pod.ip} ip daddr ${pod.ip} masquerade comment "${id}"`,
    `add rule ip cni_hostport masquerading ip saddr 127.0.0.1 ip daddr ${pod.ip} masquerade comment "${id}"`,
  ]) t.ok(L.includes(l), `nft has: ${l}`);
  const none = resolveText(CLUSTER('overlay', 'nftables') + HOSTNET);
  t.notOk(natOf(none, 'node1').ns.rulesets.some((r) => r.table === PORTMAP_TABLE), 'no hostPort pod: no table (the ledger deletes one written before)');
});

t.test('hostNetwork pods: the node\'s namespace and IP, no IPAM, no veth; Services point at node IP:port', async (t) => {
  const tp = resolveText(CLUSTER() + HOSTNET);
  const agent = tp.pods.find((p) => p.name === 'agent')!;
  const node2 = tp.nodes.find((n) => n.name === 'node2')!;
  t.equal(agent.ip, node2.ip, 'pod IP = node IP');
  t.equal(agent.netns, node2.netns, "the node's namespace");
  t.ok(agent.hostNetwork);
  t.same(agent.containers[0]!.ports[0], { containerPort: 9100, protocol: 'TCP', hostPort: 9100 }, 'hostPort defaults to containerPort');
  const plan = getMode('overlay').plan(tp);
  t.notOk(plan.namespaces.some((n) => n.netns.endsWith('-agent')), 'no namespace of its own');
  t.notOk(plan.namespaces.find((n) => n.netns === node2.netns)!.links.some((l) => l.kind === 'veth' && l.peer?.netns === node2.netns), 'no veth');
  const client = tp.pods.find((p) => p.name === 'client')!;
  t.equal(client.ip, `${tp.nodes[0]!.podCIDR.split('.').slice(0, 3).join('.')}.2`, 'the IPAM did not spend an address on it (client is the first pod on node1)');
  const svc = tp.services.find((s) => s.name === 'agent')!;
  t.same(svc.ports[0]!.endpoints, [{ pod: 'default/agent', ip: node2.ip, node: 'node2', port: 9100 }]);
  const again = resolveText(CLUSTER('bgp') + HOSTNET);
  t.equal(again.pods.find((p) => p.name === 'agent')!.ip, again.nodes[1]!.ip, 'bgp too');
  const vpc = resolveText(CLUSTER('vpc') + HOSTNET);
  const vplan = getMode('vpc').plan(vpc);
  const router = vplan.namespaces.find((n) => n.netns === vpc.fabric.netns)!;
  t.notOk(router.routes.some((r) => r.dst === `${vpc.nodes[1]!.ip}/32`), 'vpc: no /32 route for it at the VPC router (the node IP is on its subnet)');
});

t.test('input: the API server\'s rules for host ports', async (t) => {
  const pod = (spec: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
${spec}`;
  const ps = problems(CLUSTER() + pod(`  hostNetwork: true
  containers: [{name: c, ports: [{containerPort: 80, hostPort: 81}]}]`));
  t.ok(ps.some((p) => p.includes('hostPort') && p.includes('81 must match `containerPort` (80) when `hostNetwork` is true')), ps.join('\n'));
  const dup = problems(CLUSTER() + pod(`  containers: [{name: a, ports: [{containerPort: 80, hostPort: 81}]}, {name: b, ports: [{containerPort: 90, hostPort: 81}]}]`));
  t.ok(dup.some((p) => p.includes('containers[1].ports[0].hostPort') && p.includes('Duplicate value: "81/TCP"')), dup.join('\n'));
  const ip = problems(CLUSTER() + pod(`  containers: [{name: a, ports: [{containerPort: 80, hostPort: 81, hostIP: 172.18.0.11}]}]`));
  t.ok(ip.some((p) => p.includes('hostIP') && p.includes('not supported')), ip.join('\n'));
  t.same(problems(CLUSTER() + pod(`  containers: [{name: a, ports: [{containerPort: 80, hostPort: 81}, {containerPort: 80, protocol: UDP, hostPort: 81}]}]`)), [], 'one port per protocol is fine');
  const dns = problems(CLUSTER() + pod(`  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  containers: [{name: a, ports: [{containerPort: 80}]}]`));
  t.ok(dns.some((p) => p.includes('dnsPolicy') && p.includes('on a hostNetwork pod')), dns.join('\n'));
  const off = resolveText(CLUSTER() + pod(`  dnsPolicy: ClusterFirstWithHostNet
  containers: [{name: a, ports: [{containerPort: 80}]}]`));
  t.equal(off.pods.find((p) => p.name === 'p')!.dnsPolicy, 'ClusterFirst', 'off the host network it is ClusterFirst');
});

t.test('the scheduler\'s NodePorts filter: a second pod for a taken host port goes elsewhere, or stays Pending', async (t) => {
  const pod = (name: string, extra = '') => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, labels: {app: x}}
spec:
${extra}  containers: [{name: c, ports: [{containerPort: 80, hostPort: 8081}]}]
`;
  const tp = resolveText(CLUSTER() + pod('a') + pod('b') + pod('c'));
  t.same(new Set(tp.pods.filter((p) => !p.system).map((p) => p.node)).size, 3, 'one per node');
  const full = resolveText(CLUSTER() + pod('a') + pod('b') + pod('c') + pod('d'));
  t.same(full.pending?.find((p) => p.key === 'default/d')?.reason, "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports.");
  // A hostNetwork pod's ports are host ports too.
  const hn = resolveText(CLUSTER() + pod('a', '  nodeName: node1\n') + `---
apiVersion: v1
kind: Pod
metadata: {name: h, namespace: default}
spec: {nodeName: node1, hostNetwork: true, containers: [{name: c, ports: [{containerPort: 8081}]}]}
`);
  t.match(hn.pending?.find((p) => p.key === 'default/h')?.reason, /NodePorts/, 'nodeName bypasses the scheduler; kubelet refuses it');
  const mixed = resolveText(CLUSTER() + pod('a', '  nodeName: node1\n') + pod('b', '  nodeSelector: {kubernetes.io/hostname: node1}\n'));
  t.equal(mixed.pending?.find((p) => p.key === 'default/b')?.reason, "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 2 node(s) didn't match Pod's node affinity/selector.");
});

t.test('generated checks: external → every node IP:hostPort, a free node refused, pod → hostNetwork, hostNetwork → ClusterIP', async (t) => {
  const tp = resolveText(CLUSTER() + DS + HOSTNET);
  const { checks } = generateChecks(tp, getMode('overlay').expectations);
  const ids = checks.map((c) => c.id);
  const hp = checks.filter((c) => c.category === 'hostport/external');
  t.equal(hp.filter((c) => c.protocol === 'TCP' && c.expect.outcome === 'ok').length, 3, 'TCP on each node');
  t.ok(hp.some((c) => c.expect.outcome === 'refused' && c.to.port === 9100 && c.to.ip !== tp.nodes[1]!.ip), "the hostNetwork pod's port on a node without it: refused");
  t.equal(hp.filter((c) => c.protocol === 'UDP').length, 3, 'UDP on each node');
  const one = hp.find((c) => c.protocol === 'TCP' && c.to.ip === tp.nodes[0]!.ip)!;
  t.equal(one.expect.source?.allowed[0], tp.external.ip, 'portmap keeps the external client address');
  t.equal(one.expect.backends?.length, 1);
  t.ok(checks.some((c) => c.category === 'host-network/external' && c.to.ip === tp.nodes[1]!.ip && c.to.port === 9100));
  const pods = checks.filter((c) => c.category === 'host-network/pod-to');
  t.ok(pods.length >= 2, 'from one pod per node');
  const cross = pods.find((c) => c.from.label === 'default/client')!;
  t.same(cross.expect.source?.allowed, [tp.nodes[0]!.ip], 'overlay: pod → another node IP is masqueraded by flannel to the client node');
  const toSvc = checks.filter((c) => c.category === 'host-network/to-clusterip');
  t.ok(toSvc.some((c) => c.from.label === 'default/agent' && c.from.netns === tp.nodes[1]!.netns), 'the hostNetwork pod probes from the node namespace');
  t.notOk(ids.some((id) => id.startsWith('pod-to-pod') && id.includes('default/agent')), 'hostNetwork pods are not in the pod-network checks');
  // The Service with a hostNetwork endpoint: the answer from it carries what pod → node IP does.
  const svc = checks.find((c) => c.category === 'service/cluster-ip' && c.to.label.startsWith('svc/default/agent') && c.from.label === 'default/client');
  t.ok(svc);
  t.same(svc!.expect.sourceFor?.agent?.allowed, [tp.nodes[0]!.ip]);
  const nodePortFree = resolveText(CLUSTER() + `---
apiVersion: v1
kind: Pod
metadata: {name: one, namespace: default}
spec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 8080, hostPort: 8082}]}]}
`);
  const free = generateChecks(nodePortFree, getMode('overlay').expectations).checks.filter((c) => c.category === 'hostport/external');
  t.same(free.map((c) => c.expect.outcome).sort(), ['ok', 'refused'], 'the pod\'s node answers, another one resets');
});

t.test('reconcile (fake host): a hostNetwork pod changed or removed never rebuilds its node; policies do not select it', async (t) => {
  const { FakeExecutor } = await import('../../src/kernel/fake.js');
  const { MemoryStore } = await import('../../src/store/memory.js');
  const { up } = await import('../../src/lab/index.js');
  const h = { exec: new FakeExecutor(), store: new MemoryStore(), root: true };
  const parse = (text: string) => parseLabFiles([{ file: 'lab.yaml', text, dir: '/tmp' }]);
  const r1 = await up({ ...h, files: ['lab.yaml'], lab: parse(CLUSTER() + HOSTNET) });
  t.notOk(r1.created.some((n) => n.endsWith('-agent')), 'no namespace for the hostNetwork pod');
  const changed = await up({ ...h, files: ['lab.yaml'], lab: parse(CLUSTER() + HOSTNET.replace('containerPort: 9100', 'containerPort: 9101').replace('targetPort: 9100', 'targetPort: 9101')) });
  t.same(changed.created, [], 'a changed hostNetwork pod recreates no namespace');
  t.ok(h.exec.listNetns().includes(nodeNetns('hp', 'node2')), 'node2 is still there');
  const gone = await up({ ...h, files: ['lab.yaml'], lab: parse(CLUSTER()) });
  t.same(gone.created, []);
  t.ok(h.exec.listNetns().includes(nodeNetns('hp', 'node2')), 'removing it leaves its node');
  const pol = resolveText(CLUSTER() + HOSTNET + `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all, namespace: default}
spec: {podSelector: {}, policyTypes: [Ingress]}
`);
  t.notOk(JSON.stringify(pol.policy).includes('default/agent'), 'the policy model does not know the hostNetwork pod');
});

t.test('generated checks from inside: the hairpin mark as each backend writes it, the localhost mark from the node', async (t) => {
  const one = `---
apiVersion: v1
kind: Pod
metadata: {name: hp, namespace: default}
spec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 8080, hostPort: 8082}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: peer, namespace: default}
spec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 8080}]}]}
`;
  const src = (mode: string, proxy: string, from: string) => {
    const tp = resolveText(CLUSTER(mode, proxy) + one);
    const c = generateChecks(tp, getMode(mode).expectations).checks.find((x) => x.category === 'hostport/pod-to' && x.from.label === from)!;
    return { tp, c };
  };
  const ipt = src('overlay', 'iptables', 'default/peer');
  t.equal(ipt.c.expect.source?.class, 'NODE', 'iptables, host-local /24: a neighbour pod is marked and masqueraded');
  t.equal(ipt.c.expect.source?.preferred, '10.244.0.1', 'to cni0');
  const nft = src('overlay', 'nftables', 'default/peer');
  t.equal(nft.c.expect.source?.class, 'POD', 'nftables backend: only the pod itself is masqueraded');
  const bgp = src('bgp', 'iptables', 'default/peer');
  t.equal(bgp.c.expect.source?.class, 'POD', 'Calico /32: only the pod itself');
  t.equal(src('bgp', 'iptables', 'default/hp').c.expect.source?.class, 'NODE', 'the pod itself (hairpin) is masqueraded');
  const node = generateChecks(ipt.tp, getMode('overlay').expectations).checks.filter((x) => x.category === 'hostport/node');
  t.same(node.map((x) => [x.to.ip, x.expect.source?.preferred]), [['127.0.0.1', '10.244.0.1'], [ipt.tp.nodes[0]!.ip, ipt.tp.nodes[0]!.ip]], 'localhost masqueraded, the node IP kept');
});

t.test('examples/hostport.yaml resolves: a proxy pod per node with its hostPort, the agent on node2\'s IP', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ROOT } = await import('../helpers/paths.js');
  const tp = resolveLab(parseLabFiles([{ file: 'hostport.yaml', text: readFileSync(join(ROOT, 'examples/hostport.yaml'), 'utf8'), dir: join(ROOT, 'examples') }]));
  t.equal(tp.pods.filter((p) => p.owner?.name === 'proxy').length, 3);
  t.equal(tp.pods.find((p) => p.name === 'agent')!.ip, tp.nodes[1]!.ip);
  t.same(tp.pending ?? [], []);
});
