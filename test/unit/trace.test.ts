// podlab trace's pure explanation: nft monitor trace lines, tcpdump lines (VXLAN inside), conntrack entries, chains
// named after the lab's objects, the hop built from one namespace's evidence, the 80-column view. The fixtures are
// real output recorded from an overlay lab (test/fixtures/trace/lab.yaml) on this kernel.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import { captureFilter, chainIndex, chainMeaning, compareWithExpectation, firstPacketWalks, hopOf, parseConntrack, parseNftTrace, parseTcpdump, traceTableText, type TraceResult } from '../../src/expect/trace.js';
import { renderTrace } from '../../src/report/trace.js';
import { traceCheck, flowOf } from '../../src/lab/trace.js';

const FIX = join(ROOT, 'test', 'fixtures', 'trace');
const fx = (f: string) => readFileSync(join(FIX, f), 'utf8');
const topo = resolveLab(parseLabFiles([{ file: 'lab.yaml', text: fx('lab.yaml'), dir: FIX }]));
const idx = chainIndex(topo);
const flow = { protocol: 'tcp' as const, dst: ['10.96.0.2', '10.251.1.2'], ports: [80, 8080] };

t.test('nft monitor trace lines', async (t) => {
  const ev = parseNftTrace(fx('node1-clusterip.nft.txt'));
  t.ok(ev.length >= 30, 'every line of the fixture is an event');
  const dnat = ev.find((e) => e.kind === 'rule' && /dnat to/.test(e.text));
  t.match(dnat, { table: 'nat', chain: 'KUBE-SEP-G6ILQIZCK4U42KYK', verdict: 'accept' });
  t.match(ev.find((e) => e.kind === 'policy'), { table: 'podlab-trace', chain: 'pre', verdict: 'accept' });
  t.same(parseNftTrace('garbage\ntrace id 1 ip6 x y policy accept\n'), [], 'other families and noise are left out');
});

t.test("the lab's chains are named after its objects", async (t) => {
  t.equal(idx.get('KUBE-SVC-LOLE4ISW44XBNF3G'), 'Service default/web:80/TCP');
  t.equal(idx.get('KUBE-SEP-G6ILQIZCK4U42KYK'), 'endpoint default/b 10.251.1.2:8080 on node2');
  t.equal(chainMeaning('cali-pi-knp/default/deny-c', idx), 'NetworkPolicy default/deny-c (ingress)');
  t.equal(chainMeaning('endpoint-5OJB2KTY-default/web/tcp/__10.251.1.2/8080', new Map()), 'endpoint 10.251.1.2:8080 of Service default/web');
  t.equal(chainMeaning('filter-cali-pi-knp/default/deny-c', idx), 'NetworkPolicy default/deny-c (ingress)', "Calico's nftables mode");
  t.equal(chainMeaning('reject-chain', idx), 'kube-proxy: a Service without endpoints');
  t.match(chainMeaning('endpoint-7NJLMDNR-default/web/tcp/__10.251.1.2/8080', idx), /^endpoint 10\.251\.1\.2:8080 of Service default\/web$|^endpoint default\/b /, "kube-proxy's nftables mode");
  t.equal(chainMeaning('KUBE-FORWARD', idx), undefined);
});

t.test('the first packet through netfilter: DNAT named, then FORWARD and POSTROUTING', async (t) => {
  const walks = firstPacketWalks(parseNftTrace(fx('node1-clusterip.nft.txt')), idx, 'podlab-trace').flatMap((p) => p.walks);
  const dnat = walks.find((w) => w.effect.startsWith('dnat'));
  t.same(dnat?.chains, ['PREROUTING', 'KUBE-SERVICES', 'KUBE-SVC-LOLE4ISW44XBNF3G', 'KUBE-SEP-G6ILQIZCK4U42KYK']);
  t.equal(dnat?.effect, 'dnat to 10.251.1.2:8080');
  t.ok(dnat?.decisive);
  t.same(dnat?.meaning, ['Service default/web:80/TCP', 'endpoint default/b 10.251.1.2:8080 on node2']);
  const fwd = walks.find((w) => w.table === 'filter');
  t.equal(fwd?.effect, 'accept');
  t.equal(fwd?.chains.at(-1), 'FLANNEL-FWD');
  const post = walks.find((w) => w.table === 'nat' && w.chains[0] === 'POSTROUTING');
  t.same(post?.chains, ['POSTROUTING', 'KUBE-POSTROUTING', 'FLANNEL-POSTRTG'], 'no MASQUERADE for pod → pod');
  t.notOk(walks.some((w) => w.table === 'podlab-trace'), 'our own trace table is not evidence');
  t.notOk(walks.some((w) => /tcp flags == 0x12/.test(w.rule ?? '')), 'the reply (SYN-ACK) is not the first packet');
});

t.test('a NetworkPolicy drop names its policy', async (t) => {
  const walks = firstPacketWalks(parseNftTrace(fx('node2-policy-drop.nft.txt')), idx, 'podlab-trace').flatMap((p) => p.walks);
  const drop = walks.find((w) => w.effect === 'drop');
  t.ok(drop, 'the drop is there');
  t.ok(drop?.chains.includes('cali-pi-knp/default/deny-c'));
  t.same(drop?.meaning, ['NetworkPolicy default/deny-c (ingress)']);
});

t.test('tcpdump lines: devices, directions, VXLAN with its VNI', async (t) => {
  const ps = parseTcpdump(fx('node1.tcpdump.txt'));
  t.match(ps[0], { dev: 'veth6431bff0', dir: 'P', src: '10.251.0.2', dst: '10.96.0.2', dport: 80 });
  const vx = ps.find((p) => p.inner);
  t.match(vx, { dev: 'eth0', dir: 'Out', src: '172.31.77.11', dst: '172.31.77.12', dport: 8472, vni: 1, inner: { src: '10.251.0.2', dst: '10.251.1.2', dport: 8080 } });
});

t.test('conntrack entries: original and reply tuples', async (t) => {
  const [c] = parseConntrack(fx('node1.conntrack.txt'));
  t.match(c, { protocol: 'tcp', state: 'TIME_WAIT', original: { src: '10.251.0.2', dst: '10.96.0.2', dport: 80 }, reply: { src: '10.251.1.2', dst: '10.251.0.2', sport: 8080 }, flags: ['ASSURED'] });
});

t.test('a hop from one namespace: devices in order, the route query, its conntrack entry', async (t) => {
  const ev = { netns: 'pl-trx7a-node1', events: parseNftTrace(fx('node1-clusterip.nft.txt')), packets: parseTcpdump(fx('node1.tcpdump.txt')), conntrack: parseConntrack(fx('node1.conntrack.txt')) };
  const h = hopOf(ev, 'node node1', flow, idx, 'podlab-trace', { source: false, target: '10.96.0.2' })!;
  t.same(h.hop.devices.map((d) => d.dev), ['veth6431bff0', 'cni0', 'flannel.1', 'eth0']);
  t.match(h.hop.devices[3], { encap: 'VXLAN 172.31.77.11 → 172.31.77.12:8472 VNI 1', packet: /10\.251\.0\.2:\d+ → 10\.251\.1\.2:8080 \[S\]/ });
  t.same(h.routeQuery, { dst: '10.251.1.2', src: '10.251.0.2', iif: 'cni0' });
  t.equal(h.hop.conntrack.length, 1);
  t.equal(hopOf({ ...ev, events: [], packets: [] }, 'x', flow, idx, 'podlab-trace', { source: false, target: '10.96.0.2' }), undefined, 'not seen: no hop');
});

t.test('the trace table and the capture filter', async (t) => {
  const text = traceTableText('podlab-trace-ab12', flow);
  t.match(text, /table ip podlab-trace-ab12 \{/);
  t.match(text, /hook prerouting priority -350;.*ip daddr \{ 10\.96\.0\.2, 10\.251\.1\.2 \} tcp dport \{ 80, 8080 \} meta nftrace set 1/);
  t.match(text, /hook output priority -350;.*ip saddr \{ 10\.96\.0\.2, 10\.251\.1\.2 \} tcp sport \{ 80, 8080 \} meta nftrace set 1/);
  t.match(captureFilter(flow), /^\(tcp and \(\(\(dst host 10\.96\.0\.2 or dst host 10\.251\.1\.2\) and \(dst port 80 or dst port 8080\)\)/);
  t.match(traceTableText('x', { protocol: 'icmp', dst: ['10.0.0.1'], ports: [] }), /ip daddr \{ 10\.0\.0\.1 \} meta l4proto icmp meta nftrace set 1/);
});

t.test('FROM/TO in the syntax of declared checks; the flow follows DNAT to the endpoints', async (t) => {
  const c = traceCheck(topo, { from: 'pod/default/a', to: 'service/default/web:80' });
  t.match(c, { from: { netns: 'pl-trx7a-default-a' }, to: { ip: '10.96.0.2', port: 80 }, protocol: 'TCP' });
  t.same(flowOf(topo, c), flow);
  const np = traceCheck(topo, { from: 'external', to: 'nodeport/node2/default/web', port: 80 });
  t.match(np.to, { ip: '172.31.77.12', port: 30000 });
  t.same(flowOf(topo, np).ports, [30000, 8080]);
  t.throws(() => traceCheck(topo, { from: 'pod/default/a', to: 'pod/default/b' }), /needs a port/);
  t.throws(() => traceCheck(topo, { from: 'pod/default/a', to: 'pod/default/b:80', protocol: 'icmp' }), /ICMP has no ports/);
  t.throws(() => traceCheck(topo, { from: 'pod/default/zz', to: 'pod/default/b:80' }), /no pod default\/zz/);
  t.throws(() => traceCheck(topo, { from: 'pod/x', to: 'pod/default/b:80' }), /not a traffic source/);
});

t.test('disagreements with the expectation model; the view fits 80 columns', async (t) => {
  const probe = { command: 'curl …', observed: 'dropped' as const, detail: 'timed out', ms: 1000 };
  const e = { outcome: 'ok' as const, basis: 'E2' };
  const hops = [{ label: 'node node2', netns: 'n2', devices: [], rules: firstPacketWalks(parseNftTrace(fx('node2-policy-drop.nft.txt')), idx, 'podlab-trace'), conntrack: [], pcaps: [] }];
  const d = compareWithExpectation(e, probe, hops);
  t.same(d.map((x) => x.what), ['outcome', 'netfilter verdict']);
  t.same(compareWithExpectation({ outcome: 'blocked', basis: 'E2' }, probe, hops), [], 'a drop the model expects is no disagreement');
  const r: TraceResult = { cluster: 'c', mode: 'overlay', from: 'pod/default/a', to: 'pod/default/c:8080', protocol: 'TCP', target: { ip: '10.251.1.3', port: 8080 }, ruleEvidence: 'netfilter trace', probe, hops, addresses: {}, disagreements: d, ms: 1, commands: 0, left: { tables: 0, processes: 0 } };
  const plain = renderTrace(r);
  t.ok(plain.split('\n').every((l) => l.length <= 80), 'every line fits 80 columns');
  t.match(plain, /cali-pi-knp\/default\/deny-c: DROP/);
  t.match(plain, /= NetworkPolicy default\/deny-c \(ingress\)/);
  t.notMatch(plain, /\x1b\[/, 'no colour off a terminal');
  t.match(renderTrace(r, { color: true }), /\x1b\[31mthe kernel and the expectation model disagree/);
});

t.test('by name: the target, resolv.conf, the search path, the queries and answers the client saw', async (t) => {
  const { nameTarget, parseResolvConf, searchNames, dnsExchanges, packetText, dropMeaning } = await import('../../src/expect/trace.js');
  t.same(nameTarget('web:80'), { name: 'web', port: 80 });
  t.same(nameTarget('web.default.svc.cluster.local.:8080'), { name: 'web.default.svc.cluster.local.', port: 8080 });
  t.same(nameTarget('dns/external:80'), { name: 'external', port: 80 }, 'dns/ makes any name one');
  t.same(nameTarget('web'), { name: 'web' });
  for (const s of ['external:80', '10.96.0.2:80', 'service/default/web:80', 'pod/default/b:8080', 'nodeport/node1/default/web:80', 'web:http']) t.equal(nameTarget(s), undefined, `${s} is not a name`);
  const conf = parseResolvConf('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  t.same(conf, { nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
  t.same(parseResolvConf('nameserver 172.18.0.100\n'), { nameservers: ['172.18.0.100'], search: [], ndots: 1 });
  t.same(searchNames('web', conf), ['web.default.svc.cluster.local.', 'web.svc.cluster.local.', 'web.cluster.local.', 'web.']);
  t.same(searchNames('a.b.c.d.e.f', conf), ['a.b.c.d.e.f.', 'a.b.c.d.e.f.default.svc.cluster.local.', 'a.b.c.d.e.f.svc.cluster.local.', 'a.b.c.d.e.f.cluster.local.'], 'ndots dots or more: as given first');
  t.same(searchNames('web.default.svc.cluster.local.', conf), ['web.default.svc.cluster.local.'], 'absolute: only itself');
  // Recorded in a pod of an overlay lab: getent ahostsv4 web, nosuch…local., kubernetes.default.
  const pk = parseTcpdump([
    '1796193665.712564 eth0  Out IP 10.235.0.2.44398 > 10.96.0.10.53: 29360+ A? web.default.svc.cluster.local. (47)',
    '1796193665.713169 eth0  In  IP 10.96.0.10.53 > 10.235.0.2.44398: 29360 1/0/0 A 10.96.0.2 (63)',
    '1796193665.792691 eth0  Out IP 10.235.0.2.52558 > 10.96.0.10.53: 22206+ A? nosuch.default.svc.cluster.local. (50)',
    '1796193665.793032 eth0  In  IP 10.96.0.10.53 > 10.235.0.2.52558: 22206 NXDomain 0/1/0 (104)',
    '1796193665.830650 eth0  Out IP 10.235.0.2.55722 > 10.96.0.10.53: 31925+ A? kubernetes.default.default.svc.cluster.local. (62)',
    '1796193665.832358 eth0  In  IP 10.96.0.10.53 > 10.235.0.2.55722: 31925 NXDomain 0/1/0 (116)',
    '1796193665.832435 eth0  Out IP 10.235.0.2.59064 > 10.96.0.10.53: 1817+ A? kubernetes.default.svc.cluster.local. (54)',
    '1796193665.832539 eth0  In  IP 10.96.0.10.53 > 10.235.0.2.59064: 1817 1/0/0 A 10.96.0.1 (70)',
  ].join('\n'));
  t.same(dnsExchanges(pk, '10.96.0.10'), [
    { id: 29360, query: 'A? web.default.svc.cluster.local.', answer: 'A 10.96.0.2' },
    { id: 22206, query: 'A? nosuch.default.svc.cluster.local.', answer: 'NXDomain' },
    { id: 31925, query: 'A? kubernetes.default.default.svc.cluster.local.', answer: 'NXDomain' },
    { id: 1817, query: 'A? kubernetes.default.svc.cluster.local.', answer: 'A 10.96.0.1' },
  ]);
  t.same(dnsExchanges(pk, '10.96.0.99'), [], 'only the resolver the client asked');
  t.equal(packetText(pk[0]!), '10.235.0.2:44398 → 10.96.0.10:53 DNS A? web.default.svc.cluster.local.');
  t.equal(packetText(pk[3]!), '10.96.0.10:53 → 10.235.0.2:52558 DNS answer NXDomain');
  // A drop or reject is named by the packet's destination: a Service without endpoints by its ClusterIP.
  const empty = topo.services.find((s) => s.ports.every((p) => p.endpoints.length === 0) && s.clusterIP !== 'None');
  if (empty) {
    t.match(dropMeaning(`ip saddr 10.251.0.2 ip daddr ${empty.clusterIP} ip id 1 tcp sport 4000 tcp dport ${empty.ports[0]!.port} tcp flags == syn`, idx), /\(no endpoints\)$/);
  }
  t.equal(dropMeaning('ip saddr 10.251.0.2 ip daddr 10.251.1.3 tcp sport 4000 tcp dport 8080', idx), undefined, 'a pod address names no Service');
});

t.test("only the probe's own packets: its tuples followed through each namespace's NAT", async (t) => {
  const { probeTuples, ownsPacket, ownEvents, seedTuples, tupleKey } = await import('../../src/expect/trace.js');
  // external → NLB (DNAT to node1's NodePort) → node1 (DNAT + MASQUERADE to b); an NLB health check beside it.
  const nlb = parseConntrack('tcp      6 118 TIME_WAIT src=172.19.44.100 dst=198.51.100.1 sport=53708 dport=80 src=10.62.0.10 dst=172.19.44.100 sport=30000 dport=53708 [ASSURED] mark=256 use=1\n');
  const node1 = parseConntrack([
    'tcp      6 118 TIME_WAIT src=172.19.44.100 dst=10.62.0.10 sport=53708 dport=30000 src=10.62.1.11 dst=10.62.0.10 sport=8080 dport=41144 [ASSURED] mark=0 use=1',
    'tcp      6 8 CLOSE src=10.62.2.5 dst=10.62.0.10 sport=50111 dport=30000 src=10.62.1.11 dst=10.62.0.10 sport=8080 dport=13782 [ASSURED] mark=0 use=1',
  ].join('\n'));
  const f = { protocol: 'tcp' as const, dst: ['198.51.100.1', '10.62.0.10', '10.62.1.11'], ports: [80, 30000, 8080] };
  const ext = parseTcpdump('1796193665.1 eth0  Out IP 172.19.44.100.53708 > 198.51.100.1.80: Flags [S], seq 1, win 64240, length 0\n');
  const seeds = seedTuples(ext, f);
  t.same(seeds, [{ src: '172.19.44.100', dst: '198.51.100.1', sport: 53708, dport: 80 }]);
  const keys = probeTuples(seeds, [nlb, node1]);
  t.same([...keys].sort(), ['10.62.0.10:41144>10.62.1.11:8080', '172.19.44.100:53708>10.62.0.10:30000', '172.19.44.100:53708>198.51.100.1:80']);
  const b = parseTcpdump([
    '1796193665.2 eth0  In  IP 10.62.0.10.13782 > 10.62.1.11.8080: Flags [S], seq 9, win 64240, length 0',
    '1796193665.3 eth0  In  IP 10.62.0.10.41144 > 10.62.1.11.8080: Flags [S], seq 1, win 64240, length 0',
    '1796193665.3 eth0  Out IP 10.62.1.11.8080 > 10.62.0.10.41144: Flags [S.], seq 2, ack 2, win 64240, length 0',
  ].join('\n'));
  t.same(b.map((p) => ownsPacket(p, keys)), [false, true, true], "the health check's packets are not the probe's; the reply is");
  const ev = parseNftTrace([
    'trace id aa ip podlab-trace-x pre packet: iif "eth0" ip saddr 10.62.0.10 ip daddr 10.62.1.11 ip id 1 tcp sport 13782 tcp dport 8080 tcp flags == syn',
    'trace id aa ip podlab-trace-x pre policy accept',
    'trace id bb ip podlab-trace-x pre packet: iif "eth0" ip saddr 10.62.0.10 ip daddr 10.62.1.11 ip id 2 tcp sport 41144 tcp dport 8080 tcp flags == syn',
    'trace id bb ip podlab-trace-x pre policy accept',
  ].join('\n'));
  t.same([...new Set(ownEvents(ev, keys).map((e) => e.id))], ['bb']);
  t.equal(tupleKey({ src: '1.1.1.1', dst: '2.2.2.2', sport: 1, dport: 2 }), '1.1.1.1:1>2.2.2.2:2');
});

t.test('the view of a trace by name: the lookup, its exchanges, then the connection; 80 columns', async (t) => {
  const base = { cluster: 'c', mode: 'overlay', from: 'pod/default/a', ruleEvidence: 'netfilter trace', addresses: {}, disagreements: [], ms: 1, commands: 0, left: { tables: 0, processes: 0 }, hops: [] };
  const lookupTrace: TraceResult = { ...base, to: 'web A (resolver 10.96.0.10:53)', protocol: 'UDP', target: { ip: '10.96.0.10', port: 53 }, probe: { command: 'getent ahostsv4 web', observed: 'ok', detail: 'answered', ms: 30 } };
  const conf = { nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 };
  const lookup = { name: 'web', resolver: { ip: '10.96.0.10', port: 53 as const, service: 'kube-system/kube-dns', what: 'Service kube-system/kube-dns (the cluster DNS)' }, resolvConf: conf, answers: ['10.96.0.2'], expected: ['10.96.0.2'],
    exchanges: [{ id: 1, query: 'A? web.default.svc.cluster.local.', answer: 'A 10.96.0.2' }], trace: lookupTrace };
  const r: TraceResult = { ...base, to: 'web:80', protocol: 'TCP', target: { ip: '10.96.0.2', port: 80 }, probe: { command: 'curl …', observed: 'ok', detail: 'answered', ms: 50, hostname: 'b' }, lookup };
  const v = renderTrace(r);
  t.ok(v.split('\n').every((l) => l.length <= 80), 'every line fits 80 columns');
  t.match(v, /^trace pod\/default\/a → web:80 by name/);
  t.match(v, /A\? web\.default\.svc\.cluster\.local\. → A 10\.96\.0\.2/);
  t.match(v, /── 1\. the lookup ──[\s\S]*trace UDP pod\/default\/a → web A[\s\S]*── 2\. the connection to 10\.96\.0\.2:80/);
  const none = renderTrace({ ...r, hops: [], probe: { command: '', observed: 'error', detail: 'web did not resolve', ms: 0 }, lookup: { ...lookup, answers: [], expected: [] } });
  t.match(none, /no connection: web did not resolve/);
  t.notMatch(none, /── 2\./);
});
