// kube-proxy iptables mode: chain-name hashing against kube-proxy's goldens, probability strings, and the
// rules rendered per node for ClusterIP, NodePort (Cluster/Local), affinity, no endpoints, headless, multi-port.
import t from 'tap';
import { portProtoHash, sepChain, probability, servicePortName } from '../../src/dataplane/proxy/common.js';
import { kubeProxyIptables } from '../../src/dataplane/proxy/iptables.js';
import { renderRestore } from '../../src/dataplane/iptables.js';
import type { Topology, NodeT, ServiceT } from '../../src/model/topology.js';
import { pod, svc, lab } from '../helpers/svclab.js';

t.test('chain hashes match kube-proxy goldens (reference A.2)', async (t) => {
  t.equal(portProtoHash('ns1/svc1:p80', 'tcp'), 'XPGD46QRK7WJZT7O');
  t.equal(sepChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
  t.equal(portProtoHash(servicePortName({ key: 'ns1/svc1' }, { name: '' }), 'TCP'), 'AQI2S6QIMU7PVVRP', 'unnamed port drops the colon');
  t.equal(portProtoHash('kube-system/kube-dns:dns', 'udp'), 'TCOU7JCQXEZGVUNU');
  t.equal(portProtoHash('default/kubernetes:https', 'tcp'), 'NPX46M4PTMTKRN6Y');
  // A.6 worked example.
  t.equal(portProtoHash('default/web:http', 'tcp'), 'CDGGSHYLG3RE2FKL');
  t.equal(sepChain('default/web:http', 'tcp', '10.244.1.5:8080'), 'KUBE-SEP-AFGSLHOD2HFNCBX4');
  t.equal(sepChain('default/web:http', 'tcp', '10.244.1.6:8080'), 'KUBE-SEP-F7BHZ7WL3PFYMSRY');
  t.equal(sepChain('default/web:http', 'tcp', '10.244.2.7:8080'), 'KUBE-SEP-2RIJ5GIYXEFH6G4D');
});

t.test('probability is %0.10f of 1/n (KPT TestComputeProbability)', async (t) => {
  t.equal(probability(1), '1.0000000000');
  t.equal(probability(2), '0.5000000000');
  t.equal(probability(3), '0.3333333333');
  t.equal(probability(10), '0.1000000000');
  t.equal(probability(100001), '0.0000099999');
});

// The A.6 worked example, built by hand: default/web http 80→8080, NodePort 30080, eTP Cluster, 3 endpoints.
function a6(): { topo: Topology; nodeA: NodeT } {
  const nodeA = { name: 'a', index: 0, ip: '192.168.0.2', netns: 'x', podCIDR: '10.244.1.0/24', labels: {}, fabricPort: 'x', mac: 'x' } as NodeT;
  const nodeB = { ...nodeA, name: 'b', ip: '192.168.0.3', podCIDR: '10.244.2.0/24' } as NodeT;
  const eps = [
    { pod: 'default/w3', ip: '10.244.2.7', node: 'b', port: 8080 },
    { pod: 'default/w1', ip: '10.244.1.5', node: 'a', port: 8080 },
    { pod: 'default/w2', ip: '10.244.1.6', node: 'a', port: 8080 },
  ].sort((x, y) => (`${x.ip}:${x.port}` < `${y.ip}:${y.port}` ? -1 : 1));
  const web: ServiceT = {
    namespace: 'default', name: 'web', key: 'default/web', type: 'NodePort', clusterIP: '10.96.100.10',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080, endpoints: eps }],
    externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', affinityTimeoutSeconds: 10800,
    externalIPs: [], endpoints: [],
  };
  const topo = { podCIDR: '10.244.0.0/16', nodes: [nodeA, nodeB], services: [web] } as unknown as Topology;
  return { topo, nodeA };
}

function natKube(topo: Topology, n: NodeT, table: 'nat' | 'filter' = 'nat'): string {
  const text = renderRestore(kubeProxyIptables(topo, n))!;
  const part = text.split(`*${table}\n`)[1]!.split('COMMIT')[0]!;
  // The user's Services' rules: those of the system Services every lab has (kube-system/kube-dns, default/kubernetes)
  // and their chains are left out, their own test below covers them.
  const system = new Set<string>();
  for (const l of part.split('\n')) {
    const m = /^-A (KUBE-SERVICES|KUBE-SVC-\S+) .*--comment "?(kube-system\/kube-dns|default\/kubernetes)[:" ].*-j (KUBE-(SVC|SEP)-\S+)/.exec(l);
    if (m) system.add(m[3]!);
  }
  return part.split('\n').filter((l) => /^-A KUBE-(SVC-|SVL-|EXT-|SEP-|NODEPORTS |SERVICES |EXTERNAL-SERVICES )/.test(l) && !l.includes('kubernetes health check')
    && !/--comment "?(kube-system\/kube-dns|default\/kubernetes)[:" ]/.test(l) && !system.has(l.split(' ')[1]!)).join('\n');
}

t.test('A.6 worked example renders kube-proxy restore text', async (t) => {
  const { topo, nodeA } = a6();
  t.equal(natKube(topo, nodeA), `-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.100.10 --dport 80 -j KUBE-SVC-CDGGSHYLG3RE2FKL
-A KUBE-NODEPORTS -m comment --comment default/web:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-CDGGSHYLG3RE2FKL
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.100.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-EXT-CDGGSHYLG3RE2FKL -m comment --comment "masquerade traffic for default/web:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-CDGGSHYLG3RE2FKL -j KUBE-SVC-CDGGSHYLG3RE2FKL
-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.1.5:8080" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-AFGSLHOD2HFNCBX4
-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.1.6:8080" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-F7BHZ7WL3PFYMSRY
-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.2.7:8080" -j KUBE-SEP-2RIJ5GIYXEFH6G4D
-A KUBE-SEP-AFGSLHOD2HFNCBX4 -m comment --comment default/web:http -s 10.244.1.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-AFGSLHOD2HFNCBX4 -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-SEP-F7BHZ7WL3PFYMSRY -m comment --comment default/web:http -s 10.244.1.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-F7BHZ7WL3PFYMSRY -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.6:8080
-A KUBE-SEP-2RIJ5GIYXEFH6G4D -m comment --comment default/web:http -s 10.244.2.7 -j KUBE-MARK-MASQ
-A KUBE-SEP-2RIJ5GIYXEFH6G4D -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.2.7:8080`);
});

t.test('fixed chains: jumps, masquerade with --random-fully, mark 0x4000, forward rules', async (t) => {
  const { topo, nodeA } = a6();
  const text = renderRestore(kubeProxyIptables(topo, nodeA))!;
  for (const l of [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    ':KUBE-PROXY-CANARY - [0:0]',
  ]) t.ok(text.includes(l + '\n'), l);
});

const two = [pod('a', 'node1'), pod('b', 'node2')];

t.test('ClusterIP: capture, masquerade of off-cluster sources, cascade, hairpin; no NodePort or EXT chain', async (t) => {
  const topo = lab(...two, svc('web', 'selector: {app: web}\nports: [{port: 80, targetPort: 8080}]'));
  const r = natKube(topo, topo.nodes[0]!);
  const h = portProtoHash('default/web', 'tcp');
  t.match(r, `-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.2 --dport 80 -j KUBE-SVC-${h}`);
  t.match(r, `-A KUBE-SVC-${h} -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.2 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`);
  t.match(r, `-A KUBE-SVC-${h} -m comment --comment "default/web -> 10.244.0.2:8080" -m statistic --mode random --probability 0.5000000000 -j ${sepChain('default/web', 'tcp', '10.244.0.2:8080')}`);
  t.match(r, `-A ${sepChain('default/web', 'tcp', '10.244.1.2:8080')} -m comment --comment default/web -s 10.244.1.2 -j KUBE-MARK-MASQ`);
  t.notMatch(r, 'KUBE-EXT-');
  t.notMatch(r, '-A KUBE-NODEPORTS');
  t.equal(natKube(topo, topo.nodes[1]!), r, 'every node has the same rules for a Cluster-policy ClusterIP service');
});

t.test('no endpoints: REJECT in filter KUBE-SERVICES and KUBE-EXTERNAL-SERVICES, no nat chains', async (t) => {
  const topo = lab(...two, svc('none', 'type: NodePort\nselector: {app: nothing}\nports: [{port: 80, nodePort: 30001}]'));
  t.equal(natKube(topo, topo.nodes[0]!, 'filter'), [
    '-A KUBE-SERVICES -m comment --comment "default/none has no endpoints" -m tcp -p tcp -d 10.96.0.2 --dport 80 -j REJECT',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/none has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30001 -j REJECT',
  ].join('\n'));
  t.notMatch(natKube(topo, topo.nodes[0]!), 'KUBE-SVC-');
});

t.test('system Services: kube-dns DNATs UDP and TCP 53 to the DNS pod; default/kubernetes (no API server) REJECTs', async (t) => {
  const topo = lab(...two);
  const dns = topo.pods.find((p) => p.system === 'dns')!;
  const text = renderRestore(kubeProxyIptables(topo, topo.nodes[0]!))!;
  t.match(text, '-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j KUBE-SVC-');
  t.match(text, '-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 -j KUBE-SVC-');
  t.match(text, `-m udp -p udp -j DNAT --to-destination ${dns.ip}:53`);
  t.match(text, `-m tcp -p tcp -j DNAT --to-destination ${dns.ip}:53`);
  t.match(text, '-A KUBE-SERVICES -m comment --comment "default/kubernetes:https has no endpoints" -m tcp -p tcp -d 10.96.0.1 --dport 443 -j REJECT');
});

t.test('headless: no rules at all', async (t) => {
  const topo = lab(...two, svc('h', 'clusterIP: None\nselector: {app: web}\nports: [{port: 80}]'));
  t.notMatch(renderRestore(kubeProxyIptables(topo, topo.nodes[0]!))!, 'default/h');
});

t.test('NodePort eTP Local: EXT short-circuits, SVL holds local endpoints only, DROP where none is local', async (t) => {
  const topo = lab(pod('a', 'node1'), svc('loc', 'type: NodePort\nexternalTrafficPolicy: Local\nselector: {app: web}\nports: [{port: 80, targetPort: 8080, nodePort: 30002}]'));
  const h = portProtoHash('default/loc', 'tcp');
  const n1 = natKube(topo, topo.nodes[0]!);
  t.match(n1, `-A KUBE-EXT-${h} -m comment --comment "pod traffic for default/loc external destinations" -s 10.244.0.0/16 -j KUBE-SVC-${h}`);
  t.match(n1, `-A KUBE-EXT-${h} -m comment --comment "masquerade LOCAL traffic for default/loc external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
  t.match(n1, `-A KUBE-EXT-${h} -m comment --comment "route LOCAL traffic for default/loc external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-${h}`);
  t.match(n1, `-A KUBE-EXT-${h} -j KUBE-SVL-${h}`);
  t.match(n1, `-A KUBE-SVL-${h} -m comment --comment "default/loc -> 10.244.0.2:8080" -j `);
  t.equal(natKube(topo, topo.nodes[0]!, 'filter'), '');
  const n2 = natKube(topo, topo.nodes[1]!);
  t.notMatch(n2, `KUBE-SVL-${h}`, 'no SVL chain on a node without local endpoints');
  t.notMatch(n2, `-A KUBE-EXT-${h} -j `, 'EXT falls through');
  t.equal(natKube(topo, topo.nodes[1]!, 'filter'),
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/loc has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30002 -j DROP');
});

t.test('ClientIP affinity: recent --rcheck before the cascade, --set in the SEP', async (t) => {
  const topo = lab(...two, svc('s', 'selector: {app: web}\nsessionAffinity: ClientIP\nsessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\nports: [{port: 80, targetPort: 8080}]'));
  const r = natKube(topo, topo.nodes[0]!).split('\n');
  const h = portProtoHash('default/s', 'tcp');
  const sepA = sepChain('default/s', 'tcp', '10.244.0.2:8080');
  const svcRules = r.filter((l) => l.startsWith(`-A KUBE-SVC-${h} `));
  t.same(svcRules.slice(1), [
    `-A KUBE-SVC-${h} -m comment --comment "default/s -> 10.244.0.2:8080" -m recent --name ${sepA} --rcheck --seconds 60 --reap -j ${sepA}`,
    `-A KUBE-SVC-${h} -m comment --comment "default/s -> 10.244.1.2:8080" -m recent --name ${sepChain('default/s', 'tcp', '10.244.1.2:8080')} --rcheck --seconds 60 --reap -j ${sepChain('default/s', 'tcp', '10.244.1.2:8080')}`,
    `-A KUBE-SVC-${h} -m comment --comment "default/s -> 10.244.0.2:8080" -m statistic --mode random --probability 0.5000000000 -j ${sepA}`,
    `-A KUBE-SVC-${h} -m comment --comment "default/s -> 10.244.1.2:8080" -j ${sepChain('default/s', 'tcp', '10.244.1.2:8080')}`,
  ]);
  t.ok(r.includes(`-A ${sepA} -m comment --comment default/s -m recent --name ${sepA} --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.2:8080`));
});

t.test('multi-port: one SVC chain per port and protocol, named ports in comments', async (t) => {
  const topo = lab(...two, svc('m', 'selector: {app: web}\nports: [{name: http, port: 80, targetPort: http}, {name: dns, port: 53, protocol: UDP, targetPort: udp}]'));
  const r = natKube(topo, topo.nodes[0]!);
  t.match(r, `-A KUBE-SERVICES -m comment --comment "default/m:http cluster IP" -m tcp -p tcp -d 10.96.0.2 --dport 80 -j KUBE-SVC-${portProtoHash('default/m:http', 'tcp')}`);
  t.match(r, `-A KUBE-SERVICES -m comment --comment "default/m:dns cluster IP" -m udp -p udp -d 10.96.0.2 --dport 53 -j KUBE-SVC-${portProtoHash('default/m:dns', 'udp')}`);
  t.match(r, '-m udp -p udp -j DNAT --to-destination 10.244.1.2:8080');
});

t.test('kube-proxy chains come before flannel in the node restore text', async (t) => {
  const { overlay } = await import('../../src/modes/overlay/index.js');
  const topo = lab(...two, svc('web', 'selector: {app: web}\nports: [{port: 80, targetPort: 8080}]'));
  const node = overlay.plan(topo).namespaces.find((n) => n.role === 'node')!;
  const ipt = node.rulesets.find((r) => r.engine === 'iptables')!.text;
  t.ok(ipt.indexOf('-j KUBE-POSTROUTING') < ipt.indexOf('-j FLANNEL-POSTRTG'));
  t.ok(ipt.indexOf('-j KUBE-FORWARD') < ipt.indexOf('-j FLANNEL-FWD'));
  t.ok(node.sysctls.some(([k, v]) => k === 'net.ipv4.conf.all.route_localnet' && v === '1'));
});

t.test('large cluster mode: above 1000 endpoints, per-endpoint comments are left out', async (t) => {
  const { topo, nodeA } = a6();
  const base = topo.services[0]!;
  const many = Array.from({ length: 340 }, (_, i) => ({ ...base, name: `w${i}`, key: `default/w${i}`, clusterIP: `10.96.1.${i % 250}` }));
  const text = renderRestore(kubeProxyIptables({ ...topo, services: many } as Topology, nodeA))!;
  t.notMatch(text, '-> 10.244.1.5:8080');
  t.match(text, '-A KUBE-SVC-');
  t.match(text, /-A KUBE-SEP-\w+ -s 10\.244\.1\.5 -j KUBE-MARK-MASQ/);
});
