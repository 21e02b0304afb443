// Plans as readable iproute2 / iptables text, and the diff that makes re-runs free.
import t from 'tap';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import { overlay } from '../../src/modes/overlay/index.js';
import { getMode, supportedModes } from '../../src/modes/registry.js';
import { diffNs, opsText, opsCount, EMPTY_OBSERVED, type Observed } from '../../src/kernel/ops.js';
import { parseObserved, normalizeIptablesSave } from '../../src/kernel/observe.js';
import type { NsState } from '../../src/dataplane/types.js';

const text = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: demo}
spec:
  nodes: [{name: node1}, {name: node2}]
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x}
spec: {nodeName: node2, containers: [{name: c, ports: [{containerPort: 80}]}]}
`;
const topo = resolve(parseLab([{ file: 'lab.yaml', text, dir: '/tmp' }]));
const plan = overlay.plan(topo);
const ns = (name: string) => plan.namespaces.find((n) => n.netns === name)!;
const full = (n: NsState) => opsText(diffNs(n, EMPTY_OBSERVED, true));

t.test('mode registry lists what it supports', async (t) => {
  t.same(supportedModes(), ['overlay', 'bgp', 'vpc']);
  t.throws(() => getMode('mesh'), /unknown dataplane mode "mesh" \(supported: overlay, bgp, vpc\)/);
});

t.test('overlay plan snapshot (flannel VXLAN, cni0, host-local)', async (t) => {
  t.matchSnapshot(plan.namespaces.map(full).join('\n'), 'full build of a 2-node, 2-pod overlay lab');
});

t.test('flannel shapes per reference B', async (t) => {
  const n1 = full(ns('pl-demo-node1'));
  t.match(n1, /ip link add name flannel\.1 address [0-9a-f:]{17} mtu 1450 type vxlan id 1 local 172\.18\.0\.11 dev eth0 dstport 8472 nolearning/);
  t.match(n1, /ip addr add 10\.244\.0\.0\/32 dev flannel\.1/);
  t.match(n1, /ip addr add 10\.244\.0\.1\/24 dev cni0/);
  t.match(n1, /ip neigh replace 10\.244\.1\.0 lladdr [0-9a-f:]{17} dev flannel\.1 nud permanent/);
  t.match(n1, /bridge fdb replace [0-9a-f:]{17} dev flannel\.1 dst 172\.18\.0\.12 self permanent/);
  t.match(n1, /ip route replace 10\.244\.1\.0\/24 via 10\.244\.1\.0 dev flannel\.1 onlink/);
  t.match(n1, /ip link set dev veth[0-9a-f]{8} type bridge_slave hairpin on/);
  t.match(n1, /sysctl -w net\.bridge\.bridge-nf-call-iptables=1/);
  t.match(n1, /-A FLANNEL-POSTRTG -s 10\.244\.0\.0\/24 -d 10\.244\.0\.0\/16 -m comment --comment "flanneld masq" -j RETURN/);
  t.match(n1, /-A FLANNEL-POSTRTG -s 10\.244\.0\.0\/16 ! -d 224\.0\.0\.0\/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully/);
  // The VTEP MAC programmed on node1 for node2 is node2's own flannel.1 MAC.
  const mac2 = /link add name flannel\.1 address ([0-9a-f:]{17})/.exec(full(ns('pl-demo-node2')))![1]!;
  t.match(n1, new RegExp(`neigh replace 10\\.244\\.1\\.0 lladdr ${mac2}`));
  const pod = full(ns('pl-demo-x-a'));
  t.match(pod, /ip addr add 10\.244\.0\.2\/24 dev eth0/);
  t.match(pod, /ip route replace default via 10\.244\.0\.1 dev eth0/);
  t.match(pod, /sysctl -w net\.ipv4\.ip_forward=0/);
});

t.test('device creation order matches a real node: eth0, cni0, flannel.1, then pod veths', async (t) => {
  const links = ns('pl-demo-node1').links.map((l) => l.name);
  t.same(links.slice(0, 3), ['eth0', 'cni0', 'flannel.1']);
  t.match(links[3]!, /^veth/);
});

function observedFrom(n: NsState): Observed {
  return {
    links: [{ name: 'lo', kind: 'loopback', mtu: 65536, mac: '00:00:00:00:00:00', up: true }, ...n.links.map((l) => ({
      name: l.name, kind: l.kind, mtu: l.mtu ?? 1500, mac: l.mac ?? '02:00:00:00:00:01', master: l.master, up: true, hairpin: l.hairpin,
      vxlan: l.vxlan ? { id: l.vxlan.id, port: l.vxlan.port, local: l.vxlan.local, learning: false } : undefined,
    }))],
    addrs: n.addrs.map((a) => ({ ...a })),
    routes: n.routes.map((r) => ({ ...r })),
    neighs: n.neighs.map((x) => ({ ...x })),
    fdb: n.fdb.map((x) => ({ ...x })),
    sysctls: Object.fromEntries(n.sysctls.map(([k, v]) => [k, v])),
  };
}

t.test('diff: an unchanged namespace needs nothing; drift is repaired exactly', async (t) => {
  const n1 = ns('pl-demo-node1');
  const obs = observedFrom(n1);
  t.equal(opsCount(diffNs(n1, obs)), 0, 'no commands when the kernel matches');
  const drifted: Observed = {
    ...obs,
    routes: obs.routes.filter((r) => r.dst !== '10.244.1.0/24').concat([{ dst: '10.99.0.0/16', via: '172.18.0.1', dev: 'eth0' }]),
    links: obs.links.map((l) => (l.name === 'cni0' ? { ...l, mtu: 1500 } : l)),
    neighs: [...obs.neighs, { ip: '10.244.9.0', mac: '02:00:00:00:00:09', dev: 'flannel.1' }],
    sysctls: { ...obs.sysctls, 'net.ipv4.ip_forward': '0' },
  };
  const ops = diffNs(n1, drifted);
  t.same(ops.ip, [
    'link set cni0 mtu 1450',
    'route del 10.99.0.0/16 via 172.18.0.1 dev eth0',
    'neigh del 10.244.9.0 dev flannel.1',
    'route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink',
  ]);
  t.same(ops.sysctlsBefore, [['net.ipv4.ip_forward', '1']]);
  t.equal(ops.bridge.length, 0);
});

t.test('diff: a removed pod veth is deleted, a vxlan with the wrong VNI is recreated', async (t) => {
  const n1 = ns('pl-demo-node1');
  const obs = observedFrom(n1);
  const extra: Observed = {
    ...obs,
    links: [...obs.links.map((l) => (l.name === 'flannel.1' ? { ...l, vxlan: { ...l.vxlan!, id: 2 } } : l)), { name: 'vethdeadbeef', kind: 'veth', mtu: 1450, mac: '02:00:00:00:00:02', up: true, master: 'cni0' }],
  };
  const ops = diffNs(n1, extra);
  t.ok(ops.ip.includes('link del vethdeadbeef'));
  t.ok(ops.ip.includes('link del flannel.1'));
  t.ok(ops.ip.some((l) => l.startsWith('link add name flannel.1')));
  t.ok(ops.ip.includes('addr add 10.244.0.0/32 dev flannel.1'), 'its address is re-added');
  t.equal(ops.bridge.length, 1, 'its fdb entry is re-added');
});

t.test('observe: iproute2 JSON is parsed into the same shapes', async (t) => {
  const ip = [
  '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"mtu":65536,"link_type":"loopback","address":"00:00:00:00:00:00"},{"ifindex":4,"ifname":"flannel.1","flags":["BROADCAST","UP"],"mtu":1450,"link_type":"ether","address":"AA:bb:cc:dd:ee:ff","linkinfo":{"info_kind":"vxlan","info_data":{"id":1,"local":"172.18.0.11","port":8472,"learning":false}}},{"ifindex":5,"ifname":"veth1","flags":["UP"],"mtu":1450,"master":"cni0","address":"02:00:00:00:00:01","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge","info_slave_data":{"hairpin":true}}}]',
  '[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},{"ifname":"cni0","addr_info":[{"family":"inet","local":"10.244.0.1","prefixlen":24,"scope":"global"},{"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]}]',
  '[{"dst":"default","gateway":"172.18.0.1","dev":"eth0","flags":[]},{"dst":"10.244.0.0/24","dev":"cni0","protocol":"kernel","scope":"link","flags":[]},{"dst":"10.244.1.0/24","gateway":"10.244.1.0","dev":"flannel.1","flags":["onlink"]}]',
  '[{"dst":"10.244.1.0","dev":"flannel.1","lladdr":"AA:00:00:00:00:01","state":["PERMANENT"]},{"dst":"fe80::1","dev":"eth0","lladdr":"02:00:00:00:00:05","state":["PERMANENT"]}]',
].join('\n') + '\n';
  const fdb = '[{"mac":"aa:00:00:00:00:01","ifname":"flannel.1","dst":"172.18.0.12","flags":["self"],"state":"permanent"},{"mac":"02:00:00:00:00:01","ifname":"veth1","master":"cni0","state":"permanent"}]';
  const o = parseObserved(ip, fdb, { 'net.ipv4.ip_forward': '1' }, { iptables: normalizeIptablesSave('# Generated by iptables-save\n*nat\n:POSTROUTING ACCEPT [12:720]\nCOMMIT\n') });
  t.same(o.links.map((l) => [l.name, l.kind, l.up]), [['lo', 'loopback', true], ['flannel.1', 'vxlan', true], ['veth1', 'veth', true]]);
  t.equal(o.links[1]!.mac, 'aa:bb:cc:dd:ee:ff');
  t.equal(o.links[2]!.hairpin, true);
  t.same(o.addrs, [{ dev: 'cni0', cidr: '10.244.0.1/24' }]);
  t.same(o.routes.map((r) => [r.dst, r.via, r.dev, r.onlink]), [['default', '172.18.0.1', 'eth0', undefined], ['10.244.1.0/24', '10.244.1.0', 'flannel.1', true]]);
  t.same(o.neighs, [{ ip: '10.244.1.0', dev: 'flannel.1', mac: 'aa:00:00:00:00:01' }]);
  t.same(o.fdb, [{ mac: 'aa:00:00:00:00:01', dev: 'flannel.1', dst: '172.18.0.12' }]);
  t.same(o.sysctls, { 'net.ipv4.ip_forward': '1' });
  t.equal(o.rulesets?.iptables, '*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT', 'comments and counters are normalized away');
});
