// LoadBalancer Services: IP allocation from the Cluster's pool (sticky, defaults per announcement), and kube-proxy's
// own rules for them — KUBE-EXT for the LB IP, KUBE-FW with loadBalancerSourceRanges, the health-check node port —
// against upstream's goldens (KPT TestOverallIPTablesRules, KPN TestOverallNFTablesRules; reference A.5, A.8).
import t from 'tap';
import { kubeProxyIptables } from '../../src/dataplane/proxy/iptables.js';
import { kubeProxyNftables } from '../../src/dataplane/proxy/nftables.js';
import { renderRestore } from '../../src/dataplane/iptables.js';
import type { Topology, NodeT, ServiceT } from '../../src/model/topology.js';
import { l2Order, nlbHostname } from '../../src/model/loadbalancer.js';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import { allocationsOf } from '../../src/model/topology.js';
import { SpecError } from '../../src/input/problems.js';

const node = { name: 'a', index: 0, ip: '192.168.0.2', netns: 'x', podCIDR: '10.0.1.0/24', labels: {}, fabricPort: 'x', mac: 'x' } as NodeT;
const base = { internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', affinityTimeoutSeconds: 10800, externalIPs: [], endpoints: [] } as const;
// ns2/svc2: LB eTP Local with no local endpoint, external IP, NodePort 3001, health check 30000.
const svc2: ServiceT = {
  ...base, namespace: 'ns2', name: 'svc2', key: 'ns2/svc2', type: 'LoadBalancer', clusterIP: '172.30.0.42', externalTrafficPolicy: 'Local', externalIPs: ['192.168.99.22'],
  ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3001, endpoints: [{ pod: 'ns2/x', ip: '10.180.0.2', node: 'b', port: 80 }] }],
  loadBalancer: { ip: '1.2.3.4', sourceRanges: [], healthCheckNodePort: 30000 },
};
// ns5/svc5: LB eTP Cluster with loadBalancerSourceRanges, ClientIP affinity.
const svc5: ServiceT = {
  ...base, namespace: 'ns5', name: 'svc5', key: 'ns5/svc5', type: 'LoadBalancer', clusterIP: '172.30.0.45', externalTrafficPolicy: 'Cluster', sessionAffinity: 'ClientIP',
  ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3002, endpoints: [{ pod: 'ns5/y', ip: '10.180.0.3', node: 'a', port: 80 }] }],
  loadBalancer: { ip: '5.6.7.8', sourceRanges: ['203.0.113.0/25'] },
};
const topo = { podCIDR: '10.0.0.0/8', serviceCIDR: '172.30.0.0/16', nodes: [node], services: [svc2, svc5], proxyMode: 'iptables' } as unknown as Topology;

function table(text: string, name: string): string[] {
  return text.split(`*${name}\n`)[1]!.split('COMMIT')[0]!.split('\n');
}

t.test('iptables: LB IP capture, KUBE-FW, KUBE-PROXY-FIREWALL, health check port (A.5 golden lines)', async (t) => {
  const text = renderRestore(kubeProxyIptables(topo, node))!;
  const filter = table(text, 'filter');
  const nat = table(text, 'nat');
  for (const l of [
    '-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP',
    '-A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP',
  ]) t.ok(filter.includes(l), `filter has: ${l}`);
  for (const l of [
    '-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
    '-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C',
    '-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
    '-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
    '-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"',
    ':KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]',
  ]) t.ok(nat.includes(l), `nat has: ${l}`);
  t.notOk(nat.some((l) => l.startsWith('-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -j KUBE-SVL')), 'no local endpoint: the EXT chain does not end in KUBE-SVL');
  t.notOk(nat.some((l) => l.includes('KUBE-FW-GNZBNJ2PO5MGZ6GT')), 'no source ranges: no KUBE-FW chain');
});

t.test('iptables: a node inside the source ranges also lets the LB IP itself through (VIP-like LBs)', async (t) => {
  const wide = { ...svc5, loadBalancer: { ip: '5.6.7.8', sourceRanges: ['192.168.0.0/24'] } };
  const nat = table(renderRestore(kubeProxyIptables({ ...topo, services: [wide] } as Topology, node))!, 'nat');
  t.ok(nat.includes('-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 5.6.7.8 -j KUBE-EXT-NUKIZ6OKUXPJNT4C'));
});

t.test('iptables: allocateLoadBalancerNodePorts false: LB IP captured, no KUBE-NODEPORTS rule', async (t) => {
  const noNp = { ...svc5, loadBalancer: { ip: '5.6.7.8', sourceRanges: [] }, ports: [{ ...svc5.ports[0]!, nodePort: undefined }] };
  const nat = table(renderRestore(kubeProxyIptables({ ...topo, services: [noNp] } as Topology, node))!, 'nat');
  t.ok(nat.includes('-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-EXT-NUKIZ6OKUXPJNT4C'));
  t.notOk(nat.some((l) => l.startsWith('-A KUBE-NODEPORTS -m comment --comment ns5')));
});

t.test('nftables: service-ips, firewall-ips and the firewall chain (KPN golden lines)', async (t) => {
  const text = kubeProxyNftables(topo, node);
  for (const l of [
    'add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop',
    'add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }',
    'add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }',
    'add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 comment "ns5/svc5:p80" : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }',
    'add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }',
    'add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }',
  ]) t.ok(text.split('\n').includes(l), `nft has: ${l}`);
  t.ok(text.indexOf('add chain ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80') < text.indexOf('firewall-ips { 5.6.7.8'), 'the chain is declared before the map element names it');
});

const CLUSTER = (extra = '', mode = 'overlay') => `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: u}
spec:
  mode: ${mode}
${extra}  nodes: [{name: node1}, {name: node2}]
`;
const lb = (name: string, extra = '') => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
${extra}`;
const resolveText = (text: string) => resolveLab(parseLabFiles([{ file: 'lab.yaml', text, dir: '/tmp' }]));

t.test('LB IPs: default pools per announcement, lowest free first, sticky across edits', async (t) => {
  const tp = resolveText(CLUSTER() + lb('a') + lb('b'));
  t.same(tp.services.filter((s) => !s.system).map((s) => s.loadBalancer?.ip), ['172.18.0.200', '172.18.0.201'], 'L2: offsets 200-250 of the underlay');
  t.equal(tp.services[0]!.ports[0]!.nodePort, 30000, 'a LoadBalancer gets NodePorts');
  const again = resolveLab(parseLabFiles([{ file: 'lab.yaml', text: CLUSTER() + lb('b'), dir: '/tmp' }]), allocationsOf(tp));
  t.equal(again.services[0]!.loadBalancer?.ip, '172.18.0.201', 'b keeps its address when a goes');
  const bgp = resolveText(CLUSTER('', 'bgp') + lb('a'));
  t.equal(bgp.services[0]!.loadBalancer?.ip, '198.51.100.1', 'BGP: a routed pool, skipping the network address');
  const vpc = resolveText(CLUSTER('', 'vpc') + lb('a'));
  t.equal(vpc.services[0]!.loadBalancer?.ip, '198.51.100.1');
  t.match(vpc.services[0]!.loadBalancer?.hostname, /^k8s-default-a-[0-9a-f]{10}-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/);
  t.equal(vpc.services[0]!.loadBalancer?.hostname, nlbHostname('u', { namespace: 'default', name: 'a', key: 'default/a' }));
  t.equal(vpc.services[0]!.loadBalancer?.targetType, 'instance');
  const given = resolveText(CLUSTER('  loadBalancer: {pool: [172.18.0.240-172.18.0.241]}\n') + lb('a') + lb('b'));
  t.same(given.services.filter((s) => !s.system).map((s) => s.loadBalancer?.ip), ['172.18.0.240', '172.18.0.241']);
  t.throws(() => resolveText(CLUSTER('  loadBalancer: {pool: [172.18.0.240-172.18.0.240]}\n') + lb('a') + lb('b')), /no free address left in the load-balancer pool/);
});

t.test('LB: eTP Local gets a health-check node port; allocateLoadBalancerNodePorts false gets none', async (t) => {
  const tp = resolveText(CLUSTER() + lb('a', '  externalTrafficPolicy: Local\n') + lb('b', '  allocateLoadBalancerNodePorts: false\n'));
  t.equal(tp.services[0]!.ports[0]!.nodePort, 30000);
  t.equal(tp.services[0]!.loadBalancer?.healthCheckNodePort, 30001, 'after the nodePorts');
  t.equal(tp.services[1]!.ports[0]!.nodePort, undefined);
});

t.test('LB validation: pools that do not fit the announcement, misplaced fields, all at once', async (t) => {
  const bad = (text: string) => {
    try {
      parseLabFiles([{ file: 'lab.yaml', text, dir: '/tmp' }]);
    } catch (e) {
      return (e as SpecError).message;
    }
    return '';
  };
  t.match(bad(CLUSTER('  loadBalancer: {pool: [10.9.0.0/24]}\n')), /not on the underlay 172\.18\.0\.0\/24: L2 announces an IP by answering ARP/);
  t.match(bad(CLUSTER('  loadBalancer: {pool: [172.18.0.240/28]}\n', 'bgp')), /overlaps the underlay/);
  t.match(bad(CLUSTER('  loadBalancer: {announce: NLB}\n')), /"NLB" is not how mode overlay announces/);
  const m = bad(CLUSTER() + lb('a', '  loadBalancerSourceRanges: [nope]\n  healthCheckNodePort: 30500\n') + `---
apiVersion: v1
kind: Service
metadata: {name: c}
spec: {type: NodePort, allocateLoadBalancerNodePorts: false, ports: [{port: 80}]}
`);
  t.match(m, /loadBalancerSourceRanges\[0\]/);
  t.match(m, /healthCheckNodePort: may only be set when type is LoadBalancer and externalTrafficPolicy is Local/);
  t.match(m, /allocateLoadBalancerNodePorts: may only be set when type is LoadBalancer/);
  t.throws(() => resolveText(CLUSTER('', 'vpc') + lb('a', '  allocateLoadBalancerNodePorts: false\n')), /instance targets forwards to NodePorts/);
});

t.test('L2 election orders nodes by sha256(node + "#" + ip), as MetalLB', async (t) => {
  const order = l2Order(['node1', 'node2', 'node3'], '172.18.0.200');
  t.equal(order.length, 3);
  t.same(l2Order([...order].reverse(), '172.18.0.200'), order, 'independent of input order');
});

t.test('BGP mode: each node announces its LB /32s to the upstream router; the router peers with every node', async (t) => {
  const { birdConfig, routerBirdConfig } = await import('../../src/modes/bgp/bird.js');
  const pods = `---
apiVersion: v1
kind: Pod
metadata: {name: w, labels: {app: web}}
spec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 8080}]}]}
`;
  const tp = resolveText(CLUSTER('', 'bgp') + pods + lb('a') + lb('l', '  externalTrafficPolicy: Local\n'));
  t.equal(tp.lbHost?.ip, '172.18.0.254', 'the router takes the highest free underlay address');
  const n1 = birdConfig(tp, tp.nodes[0]!);
  const n2 = birdConfig(tp, tp.nodes[1]!);
  t.match(n1, /route 198\.51\.100\.1\/32 unreachable;\n  route 198\.51\.100\.2\/32 unreachable;/, 'node1 has the endpoint: both IPs');
  t.match(n2, /route 198\.51\.100\.1\/32 unreachable;\n\}/, 'node2: only the eTP Cluster one');
  t.match(n1, /protocol bgp Global_172_18_0_254 \{[\s\S]*neighbor 172\.18\.0\.254 as 64501;[\s\S]*export filter metallb_export;/);
  const r = routerBirdConfig(tp);
  t.match(r, /merge paths on/);
  t.match(r, /protocol bgp Node_172_18_0_11 from nodes \{\n  neighbor 172\.18\.0\.11 as 64512;/);
});

t.test('vpc: the NLB in its own subnet, the router side and the listeners (instance and ip targets)', async (t) => {
  const { nlbConfig } = await import('../../src/dataplane/edge/nlb.js');
  const { vpcPlan } = await import('../../src/modes/vpc/plan.js');
  const pods = `---
apiVersion: v1
kind: Pod
metadata: {name: w, labels: {app: web}}
spec: {nodeName: node2, containers: [{name: c, ports: [{containerPort: 8080}]}]}
`;
  const tp = resolveText(CLUSTER('', 'vpc') + pods + lb('inst', '  externalTrafficPolicy: Local\n')
    + lb('ipt', '  allocateLoadBalancerNodePorts: false\n').replace('metadata: {name: ipt, namespace: default}', 'metadata: {name: ipt, namespace: default, annotations: {service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip}}'));
  t.same([tp.lbHost?.name, tp.lbHost?.ip, tp.lbHost?.subnet], ['nlb', '10.0.255.10', '10.0.255.0/24'], 'the top VPC subnet');
  const c = nlbConfig(tp)!;
  const inst = c.listeners.find((l) => l.service === 'default/inst')!;
  t.same(inst.targets.map((x) => [x.name, x.ip, x.port, x.check.kind, x.check.port]), [['node1', '10.0.0.10', 30000, 'http', 30001], ['node2', '10.0.1.10', 30000, 'http', 30001]],
    'instance targets: every node NodePort, HTTP health check on the healthCheckNodePort');
  t.equal(inst.snat, false, 'instance targets keep the client address');
  const ipt = c.listeners.find((l) => l.service === 'default/ipt')!;
  t.same(ipt.targets.map((x) => [x.name, x.ip, x.port]), [['default/w', '10.0.1.11', 8080]], 'ip targets: the pod IPs');
  t.equal(ipt.snat, true);
  const router = vpcPlan(tp).namespaces.find((n) => n.role === 'fabric')!;
  t.ok(router.routes.some((r) => r.dst === '198.51.100.1/32' && r.via === '10.0.255.10'), 'public /32 via the NLB');
  t.ok(router.routes.some((r) => r.dst === 'default' && r.table === '100'), 'table 100 back to the NLB');
  t.ok(router.rules.some((r) => r.fwmark === '0x100/0x100' && r.table === '100'));
  const ipt4 = router.rulesets[0]!.text;
  t.match(ipt4, /-A FORWARD -i igw -d 198\.51\.100\.1\/32 -m comment --comment "podlab igw: NLB" -j ACCEPT/);
  t.match(ipt4, /-A PREROUTING -i h-nlb -m conntrack --ctstate NEW .* -j CONNMARK --set-xmark 0x100\/0x100/);
});
