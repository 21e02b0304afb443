// podlab compare's measurement parsers (pure parts of src/probe/measure), the scaled lab copy and the choice of
// endpoints: fed with bytes and text as the real tools print them.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePcap, outerIpv4, markedFrame, hexBytes } from '../../src/probe/measure/pcap.js';
import { percentile, summarize } from '../../src/probe/measure/stats.js';
import { parsePingTimes, parseRequestTimes } from '../../src/probe/measure/latency.js';
import { parseIperf } from '../../src/probe/measure/throughput.js';
import { parseDataplane, SIZE_SCRIPT } from '../../src/probe/measure/dataplane.js';
import { scaledCopy } from '../../src/lab/compare-scale.js';
import { pickEndpoints } from '../../src/lab/compare-endpoints.js';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import type { StatusJson } from '../../src/lab/index.js';
import { ROOT } from '../helpers/paths.js';

// ---- pcap: frames built byte by byte, as the kernel puts them on the wire ----
const mac = [2, 0, 0, 0, 0, 1];
function ipv4(proto: number, src: number[], dst: number[], payload: number[]): number[] {
  const len = 20 + payload.length;
  return [0x45, 0, len >> 8, len & 255, 0, 0, 0x40, 0, 64, proto, 0, 0, ...src, ...dst, ...payload];
}
const eth = (ip: number[]) => [...mac, ...mac, 0x08, 0x00, ...ip];
const icmp = (marker: number[], size: number) => [8, 0, 0, 0, 0, 1, 0, 1, ...Array.from({ length: size - 8 }, (_, i) => marker[i % marker.length]!)];
function pcap(frames: number[][], le = true): Uint8Array {
  const out: number[] = [];
  const u32 = (x: number) => (le ? [x & 255, (x >> 8) & 255, (x >> 16) & 255, (x >>> 24) & 255] : [(x >>> 24) & 255, (x >> 16) & 255, (x >> 8) & 255, x & 255]);
  const u16 = (x: number) => (le ? [x & 255, x >> 8] : [x >> 8, x & 255]);
  out.push(...u32(0xa1b2c3d4), ...u16(2), ...u16(4), ...u32(0), ...u32(0), ...u32(65535), ...u32(1));
  for (const f of frames) out.push(...u32(1), ...u32(0), ...u32(Math.min(f.length, 512)), ...u32(f.length), ...f.slice(0, 512));
  return Uint8Array.from(out);
}

t.test('pcap: a VXLAN-encapsulated probe is 50 bytes longer than the packet the pod sent', async (t) => {
  const marker = [0xc0, 0xde, 1, 2, 3, 4, 5, 6];
  const inner = ipv4(1, [10, 244, 0, 2], [10, 244, 1, 2], icmp(marker, 1008)); // 1028 bytes, like ping -s 1000
  const innerFrame = eth(inner);
  const vxlan = [0x08, 0, 0, 0, 0, 0, 1, 0]; // flags, VNI 1
  const udpLen = 8 + vxlan.length + innerFrame.length;
  const udp = [0x9c, 0x40, 0x21, 0x18, udpLen >> 8, udpLen & 255, 0, 0]; // sport 40000, dport 8472
  const outer = eth(ipv4(17, [172, 18, 0, 11], [172, 18, 0, 12], [...udp, ...vxlan, ...innerFrame]));
  const noise = eth(ipv4(17, [172, 18, 0, 11], [172, 18, 0, 12], [0, 53, 0, 53, 0, 8, 0, 0]));
  for (const le of [true, false]) {
    const wire = parsePcap(pcap([noise, outer], le));
    t.equal(wire.linkType, 1, 'Ethernet');
    t.equal(wire.frames.length, 2);
    const f = markedFrame(wire.frames, Uint8Array.from(marker))!;
    t.ok(f, 'the marked frame is found inside the encapsulation');
    const o = outerIpv4(f)!;
    t.match(o, { ipLen: 1078, protocol: 17, dport: 8472, encapsulation: 'VXLAN (UDP 8472)', src: '172.18.0.11', dst: '172.18.0.12' });
    t.equal(f.wireLen, 1092, 'orig_len is the whole frame even when the capture was cut at the snap length');
    t.equal(f.data.length, 512);
    const sent = outerIpv4(markedFrame(parsePcap(pcap([innerFrame], le)).frames, Uint8Array.from(marker))!)!;
    t.match(sent, { ipLen: 1028, encapsulation: 'none' });
    t.equal(o.ipLen - sent.ipLen, 50);
  }
  t.equal(markedFrame(parsePcap(pcap([noise])).frames, Uint8Array.from(marker)), undefined, 'no probe, no frame');
  t.throws(() => parsePcap(Uint8Array.from([1, 2, 3])), /not a pcap file/);
  t.throws(() => parsePcap(Uint8Array.from(Array(24).fill(7))), /magic/);
  t.same([...hexBytes('c0de01')], [0xc0, 0xde, 1]);
});

t.test('stats: nearest-rank percentiles are samples that were seen', async (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(percentile(xs, 50), 50);
  t.equal(percentile(xs, 99), 99);
  t.equal(percentile([5], 99), 5);
  t.same(summarize([3, 1, 2]), { p50: 2, p99: 3, min: 1, max: 3, mean: 2, samples: 3 });
  t.throws(() => summarize([]));
});

t.test('ping and request/response output', async (t) => {
  const ping = `PING 10.244.1.2 (10.244.1.2) 56(84) bytes of data.
64 bytes from 10.244.1.2: icmp_seq=1 ttl=62 time=0.912 ms
64 bytes from 10.244.1.2: icmp_seq=2 ttl=62 time=0.211 ms
64 bytes from 10.244.1.2: icmp_seq=4 ttl=62 time=0.198 ms

--- 10.244.1.2 ping statistics ---
4 packets transmitted, 3 received, 25% packet loss, time 30ms
rtt min/avg/max/mdev = 0.198/0.440/0.912/0.334 ms`;
  t.same(parsePingTimes(ping), [0.912, 0.211, 0.198]);
  t.same(parseRequestTimes('0 web-2 0.2211\n1 web-1 0.3000\n1 - timed_out\n0 web-2 0.1980\n'), [
    { target: 0, host: 'web-2', ms: 0.2211 }, { target: 1, host: 'web-1', ms: 0.3 }, { target: 0, host: 'web-2', ms: 0.198 },
  ]);
});

t.test('iperf3 -J: throughput, retransmits, CPU per GB', async (t) => {
  const j = JSON.stringify({ end: {
    sum_sent: { retransmits: 3 }, sum_received: { bytes: 2e9, seconds: 2, bits_per_second: 8e9 },
    cpu_utilization_percent: { host_total: 60, remote_total: 40, host_user: 1, host_system: 59 },
  } });
  t.same(parseIperf(j), { bitsPerSecond: 8e9, bytes: 2e9, seconds: 2, retransmits: 3, cpu: { senderPct: 60, receiverPct: 40 }, cpuSecondsPerGB: 1 });
  t.throws(() => parseIperf('{"error": "unable to connect to server"}'), /unable to connect/);
  t.throws(() => parseIperf('iperf3: error'), /no JSON/);
});

t.test('dataplane size: what the counting script printed, counted as documented', async (t) => {
  t.match(SIZE_SCRIPT, /ip -j -4 route show table all/);
  const text = `@@routes
[{"dst":"default","gateway":"172.18.0.1","dev":"eth0"},{"dst":"10.244.1.0/24","gateway":"10.244.1.0","dev":"flannel.1"},{"type":"local","dst":"10.244.0.1","table":"local"}]
@@rules
[{"priority":0,"src":"all","table":"local"},{"priority":512,"dst":"10.0.1.11","table":"main"},{"priority":32766,"table":"main"},{"priority":32767,"table":"default"}]
@@neigh
[{"dst":"10.244.1.0","dev":"flannel.1","lladdr":"82:27:27:6e:12:d3","state":["PERMANENT"]},{"dst":"172.18.0.12","dev":"eth0","state":["REACHABLE"]}]
@@fdb
[{"mac":"33:33:00:00:00:01","ifname":"eth0","flags":["self"],"state":"permanent"},{"mac":"82:27:27:6e:12:d3","ifname":"flannel.1","dst":"172.18.0.12","state":"permanent"},{"mac":"16:c8:f6:bf:33:01","ifname":"veth1","master":"cni0","state":""}]
@@iptables
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -j KUBE-SERVICES
-A POSTROUTING -j KUBE-POSTROUTING
COMMIT
@@nft
{"nftables":[{"metainfo":{}},{"table":{"name":"kube-proxy"}},{"rule":{"chain":"services"}},{"map":{"name":"service-ips","elem":[1,2,3]}},{"set":{"name":"cluster-ips","elem":[1,2]}}]}
@@bgp
0      0      172.18.0.11:179     172.18.0.12:40001
0      0      172.18.0.11:40002   172.18.0.13:179
@@end
`;
  t.same(parseDataplane(text), { routes: 2, rules: 1, neighbours: 1, fdb: 1, iptablesRules: 2, nftRules: 1, nftElements: 5, bgpSessions: 2 });
  const empty = '@@routes\n[]\n@@rules\n[{},{},{}]\n@@neigh\n[]\n@@fdb\n@@iptables\n@@nft\n@@bgp\n@@end\n';
  t.same(parseDataplane(empty), { routes: 0, rules: 0, neighbours: 0, fdb: 0, iptablesRules: 0, nftRules: 0, nftElements: 0, bgpSessions: 0 }, 'no bridge, no nft table, no BIRD');
  t.throws(() => parseDataplane('@@routes\n[]\n'), /did not finish/);
});

t.test('the 10-node copy of the example lab: nodes and one pod per added node, commands keep their folder', async (t) => {
  const file = join(ROOT, 'examples', 'lab.yaml');
  const dir = join(ROOT, 'examples');
  const copy = scaledCopy([{ file, text: readFileSync(file, 'utf8'), dir }], 10);
  if (typeof copy === 'string') throw new Error(copy);
  t.equal(copy.index, 0);
  t.same(copy.addedNodes, ['node4', 'node5', 'node6', 'node7', 'node8', 'node9', 'node10']);
  const lab = parseLab([{ file: '/tmp/elsewhere/lab-scaled.yaml', text: copy.text, dir: '/tmp/elsewhere' }]);
  t.equal(lab.cluster.nodes.length, 10);
  t.equal(lab.cluster.name, 'demo', 'the same cluster name: it is built after the 3-node lab is gone');
  t.same(lab.cluster.nodes.slice(0, 3).map((n) => n.labels), [{}, { zone: 'b' }, { zone: 'c' }], 'existing nodes unchanged');
  t.equal(lab.pods.length, 6 + 7);
  t.same(lab.pods.filter((p) => p.name.startsWith('scale-')).map((p) => p.nodeName), copy.addedNodes);
  const echo = lab.pods.find((p) => p.name === 'echo')!;
  t.equal(echo.containers.find((c) => c.name === 'app')!.workingDir, dir, "a command runs from the original file's folder");
  t.equal(lab.services.length, 2);
  t.match(scaledCopy([{ file, text: readFileSync(file, 'utf8'), dir }], 3), /already has 3 nodes/);
  t.match(scaledCopy([{ file: 'x.yaml', text: 'kind: Pod\nmetadata: {name: a}\n', dir: '/' }], 10), /no Cluster document/);
});

t.test('endpoints: a client beside another pod, a netexec Service endpoint on another node, UDP first', async (t) => {
  const pod = (name: string, node: string, ip: string, kind: 'netexec' | 'process' = 'netexec') => ({
    namespace: 'shop', name, node, ip, netns: `pl-x-shop-${name}`, labels: {}, phase: 'Running' as const, containers: [{ name: 'c', kind, ready: true }],
  });
  const n = (name: string, ip: string) => ({ name, ip, netns: `pl-x-${name}`, podCIDR: '', present: true });
  const ep = (p: string, node: string, ip: string, port: number) => ({ pod: `shop/${p}`, ip, node, port });
  const st: StatusJson = {
    cluster: 'x', mode: 'overlay', proxyMode: 'iptables', podCIDR: '', serviceCIDR: '', underlay: '', mtu: 1500,
    nodes: [n('node1', '172.18.0.11'), n('node2', '172.18.0.12'), n('node3', '172.18.0.13')],
    pods: [pod('lonely', 'node3', '10.244.2.2'), pod('web-1', 'node1', '10.244.0.2'), pod('app', 'node2', '10.244.1.9', 'process'), pod('client', 'node1', '10.244.0.3'), pod('web-2', 'node2', '10.244.1.2')],
    services: [{
      namespace: 'shop', name: 'web', type: 'ClusterIP', clusterIP: '10.96.0.10', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', externalIPs: [],
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, endpoints: [ep('web-1', 'node1', '10.244.0.2', 8080), ep('web-2', 'node2', '10.244.1.2', 8080)] },
        { name: 'udp', protocol: 'UDP', port: 8080, targetPort: 8080, endpoints: [ep('web-1', 'node1', '10.244.0.2', 8080), ep('web-2', 'node2', '10.244.1.2', 8080), ep('app', 'node2', '10.244.1.9', 8080)] },
      ],
      endpoints: [],
    }],
    external: { ip: '172.18.0.100', netns: 'pl-x-ext', ports: [8080] },
  };
  const p = pickEndpoints(st);
  if (typeof p === 'string') throw new Error(p);
  t.equal(p.a.name, 'web-1', 'a client whose node has a second pod (for the same-node figure)');
  t.equal(p.sameNode?.name, 'client');
  t.equal(p.b.name, 'web-2', 'a netexec endpoint on another node');
  t.match(p.service, { name: 'shop/web:udp', ip: '10.96.0.10', port: 8080, protocol: 'UDP', direct: { ip: '10.244.1.2', port: 8080 }, remote: ['web-2'] }, 'the process pod is no measurement target');
  t.same([p.nodeA.name, p.nodeB.name], ['node1', 'node2']);
  t.match(pickEndpoints({ ...st, pods: [st.pods[0]!], services: [] }), /two running pods on different nodes/);
  const noSvc = pickEndpoints({ ...st, services: [] });
  t.ok(typeof noSvc !== 'string' && !noSvc.service, 'without a Service: pods only');
});
