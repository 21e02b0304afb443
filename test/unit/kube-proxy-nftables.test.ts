// kube-proxy nftables mode: chain names (H8 goldens from KPN), table layout, per-service rules.
import t from 'tap';
import { nftChainName, kubeProxyNftables } from '../../src/dataplane/proxy/nftables.js';
import { pod, svc, lab } from '../helpers/svclab.js';
import { overlay } from '../../src/modes/overlay/index.js';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import { CLUSTER } from '../helpers/svclab.js';

t.test('chain names hash the un-prefixed string (reference A.8 goldens)', async (t) => {
  t.equal(nftChainName('service', 'ns1/svc1/tcp/p80'), 'service-ULMVA6XW-ns1/svc1/tcp/p80');
  t.equal(nftChainName('endpoint', 'ns1/svc1/tcp/p80__10.180.0.1/80'), 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  t.ok(nftChainName('service', 'x'.repeat(200)).length <= 128, 'max 128 chars');
});

t.test('table layout and one ClusterIP service', async (t) => {
  const topo = lab(pod('a', 'node1'), pod('b', 'node2'), svc('web', 'selector: {app: web}\nports: [{name: http, port: 80, targetPort: 8080}]'));
  const text = kubeProxyNftables(topo, topo.nodes[0]!);
  const s = nftChainName('service', 'default/web/tcp/http');
  const e1 = nftChainName('endpoint', 'default/web/tcp/http__10.244.0.2/8080');
  const e2 = nftChainName('endpoint', 'default/web/tcp/http__10.244.1.2/8080');
  for (const l of [
    'add table ip kube-proxy { comment "rules for kube-proxy" ; }',
    'add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }',
    'add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }',
    'add rule ip kube-proxy masquerading masquerade fully-random',
    'add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000',
    'add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips',
    `add rule ip kube-proxy ${s} ip daddr 10.96.0.2 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade`,
    `add rule ip kube-proxy ${s} numgen random mod 2 vmap { 0 : goto ${e1} , 1 : goto ${e2} }`,
    `add rule ip kube-proxy ${e1} ip saddr 10.244.0.2 jump mark-for-masquerade`,
    `add rule ip kube-proxy ${e1} meta l4proto tcp dnat to 10.244.0.2:8080`,
    `add element ip kube-proxy service-ips { 10.96.0.2 . tcp . 80 : goto ${s} }`,
  ]) t.ok(text.split('\n').includes(l), l);
  t.ok(text.indexOf(`add chain ip kube-proxy ${e1}`) < text.indexOf(`goto ${e1}`), 'chains are declared before use');
});

t.test('no endpoints, eTP Local and affinity', async (t) => {
  const topo = lab(pod('a', 'node1'),
    svc('none', 'selector: {app: x}\nports: [{port: 80}]'),
    svc('loc', 'type: NodePort\nexternalTrafficPolicy: Local\nselector: {app: web}\nports: [{port: 80, targetPort: 8080, nodePort: 30002}]'),
    svc('aff', 'selector: {app: web}\nsessionAffinity: ClientIP\nports: [{port: 80, targetPort: 8080}]'));
  const n1 = kubeProxyNftables(topo, topo.nodes[0]!);
  const n2 = kubeProxyNftables(topo, topo.nodes[1]!);
  t.match(n1, 'add element ip kube-proxy no-endpoint-services { 10.96.0.2 . tcp . 80 comment "default/none" : goto reject-chain }');
  const ext = nftChainName('external', 'default/loc/tcp/');
  t.match(n1, `add rule ip kube-proxy ${ext} ip saddr 10.244.0.0/16 goto ${nftChainName('service', 'default/loc/tcp/')} comment "short-circuit pod traffic"`);
  t.match(n1, `add rule ip kube-proxy ${ext} goto ${nftChainName('local', 'default/loc/tcp/')}`);
  t.match(n2, 'add element ip kube-proxy no-endpoint-nodeports { tcp . 30002 comment "default/loc" : drop }');
  t.notMatch(n2, `goto ${nftChainName('local', 'default/loc/tcp/')}`);
  const aff = nftChainName('affinity', 'default/aff/tcp/__10.244.0.2/8080');
  t.match(n1, `add set ip kube-proxy ${aff} { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }`);
  t.match(n1, `update @${aff} { ip saddr }`);
});

t.test('nftables mode: no KUBE-* iptables chains, nft text on the node', async (t) => {
  const text = CLUSTER.replace('spec:\n', 'spec:\n  proxyMode: nftables\n') + pod('a', 'node1') + svc('web', 'selector: {app: web}\nports: [{port: 80}]');
  const topo = resolve(parseLab([{ file: 'l.yaml', text, dir: '/tmp' }]));
  const node = overlay.plan(topo).namespaces.find((n) => n.role === 'node')!;
  t.notMatch(node.rulesets.find((r) => r.engine === 'iptables')!.text, 'KUBE-');
  t.match(node.rulesets.find((r) => r.engine === 'nftables')!.text, 'add table ip kube-proxy');
});
