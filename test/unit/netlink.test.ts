// The netlink executor's pure parts: podlab's batch grammar, the requests it encodes (byte for byte what the kernel
// headers define and iproute2 sends), and the decoding of dumps into the Observed shape that `ip -j` yields.
import t from 'tap';
import { getMode, parseLabFiles as parseLab, resolveLab as resolve } from '../../src/modes/registry.js';
import { diffNs, EMPTY_OBSERVED } from '../../src/kernel/ops.js';
import { parseBatch, parseBridgeLine, parseIpLine, describe } from '../../src/kernel/netlink/commands.js';
import { encode, needs } from '../../src/kernel/netlink/encode.js';
import { readNs } from '../../src/kernel/netlink/read.js';
import type { RtSocket } from '../../src/kernel/netlink/socket.js';
import { RTM, attr, attrs, ifinfomsg, ifaddrmsg, ndmsg, rtmsg, rulemsg, str, u32, u8, u16be, message, splitMessages, parseAttrs, type RawMessage } from '../../src/kernel/netlink/wire.js';

const idx: Record<string, number> = { eth0: 2, cni0: 5, 'flannel.1': 6, lo: 1 };
const resolver = { index: (n: string) => idx[n] ?? t.fail(`no index for ${n}`) as never, netnsFd: () => 42 };
const hex = (b: Buffer) => b.toString('hex');

t.test('every line the three modes plan parses, and only those', async (t) => {
  const text = (mode: string) => `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: nl}
spec:
  mode: ${mode}
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
  for (const mode of ['overlay', 'bgp', 'vpc']) {
    const plan = getMode(mode).plan(resolve(parseLab([{ file: 'lab.yaml', text: text(mode), dir: '/tmp' }])));
    let lines = 0;
    for (const n of plan.namespaces) {
      const d = diffNs(n, EMPTY_OBSERVED, true);
      const { commands } = parseBatch(d.ip, d.bridge);
      t.equal(commands.length, d.ip.length + d.bridge.length, `${mode} ${n.netns}: every line parsed`);
      for (const c of commands) encode(c, { index: () => 3, netnsFd: () => 9 }); // and encodes
      lines += commands.length;
    }
    t.ok(lines > 20, `${mode}: ${lines} lines`);
  }
});

t.test('the parser refuses what is not podlab grammar, naming the line', async (t) => {
  for (const [line, why] of [
    ['link add name x type dummy', /"dummy" where "bridge" or "vxlan" or "veth" was expected/],
    ['addr add 10.0.0.1 dev eth0', /not an IPv4 address with a prefix length/],
    ['route replace 10.0.0.0/8 via 1.2.3.4', /route without "dev"/],
    ['route replace 10.0.0.0/8 dev eth0 metric 5', /"metric" where/],
    ['neigh replace 10.0.0.1 lladdr zz:00:00:00:00:00 dev eth0 nud permanent', /not a MAC address/],
    ['link set eth0', /nothing to set/],
    ['link set eth0 up up', /"up" given twice/],
    ['link add name thisnameistoolong type bridge', /not an interface name/],
    ['rule add pref 10 from 10.0.0.1 lookup mytable', /table "mytable"/],
    ['netns add foo', /"netns" where "link" or "addr"/],
    ['addr add 10.0.0.1/24 dev eth0 label x', /unexpected "label x"/],
  ] as const) {
    t.throws(() => parseIpLine(line), why, line);
    t.throws(() => parseIpLine(line), new RegExp(line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), `${line}: the line is in the message`);
  }
  t.throws(() => parseBridgeLine('fdb add aa:bb:cc:dd:ee:ff dev flannel.1 dst 10.0.0.1 self'), /"add" where "replace" or "del"/);
  t.throws(() => parseBatch(['link set lo up', 'link frob x', 'addr flush dev eth0'], []), /link frob x[\s\S]*addr flush dev eth0/, 'every bad line at once');
});

t.test('parsed commands', async (t) => {
  t.same(parseIpLine('link add name vethab12 address 0a:58:0a:f4:00:02 mtu 1450 type veth peer name eth0 mtu 1450 netns pl-x-ns-a'), {
    op: 'link-add', name: 'vethab12', mac: '0a:58:0a:f4:00:02', mtu: 1450, type: { kind: 'veth', peer: { name: 'eth0', mtu: 1450, netns: 'pl-x-ns-a' } },
  });
  t.same(parseIpLine('link add name flannel.1 address AA:BB:CC:DD:EE:FF mtu 1450 type vxlan id 1 local 172.18.0.11 dev eth0 dstport 8472 nolearning'), {
    op: 'link-add', name: 'flannel.1', mac: 'aa:bb:cc:dd:ee:ff', mtu: 1450, type: { kind: 'vxlan', id: 1, local: '172.18.0.11', dev: 'eth0', port: 8472, learning: false },
  });
  t.same(parseIpLine('link set vethab12 nomaster'), { op: 'link-set', name: 'vethab12', master: null });
  t.same(parseIpLine('link set dev vethab12 type bridge_slave hairpin on'), { op: 'hairpin', name: 'vethab12', on: true });
  t.same(parseIpLine('route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink'), { op: 'route', verb: 'replace', dst: '10.244.1.0/24', via: '10.244.1.0', dev: 'flannel.1', proto: undefined, scope: undefined, onlink: true });
  t.same(parseIpLine('rule add pref 512 to 10.0.1.5 lookup main'), { op: 'rule', verb: 'add', pref: 512, from: undefined, to: '10.0.1.5', fwmark: undefined, table: 'main' });
  t.same(parseIpLine('rule del pref 1024 fwmark 0x80/0x80 lookup main').op === 'rule' && (parseIpLine('rule del pref 1024 fwmark 0x80/0x80 lookup main') as { fwmark: unknown }).fwmark, { mark: 0x80, mask: 0x80 });
  t.same(parseBridgeLine('fdb replace 0a:58:00:00:00:01 dev flannel.1 dst 172.18.0.12 self permanent'), { op: 'fdb', verb: 'replace', mac: '0a:58:00:00:00:01', dev: 'flannel.1', dst: '172.18.0.12', permanent: true });
  t.equal(describe(parseIpLine('link add name vethab12 type veth peer name eth0 netns pl-x-p')), 'creating veth vethab12 (peer eth0 in pl-x-p)');
  t.same(needs(parseIpLine('link set vethab12 master cni0')), ['cni0'], 'a link is set by name; only its master needs an index');
  t.same(needs(parseIpLine('addr add 10.0.0.1/24 dev cni0')), ['cni0']);
});

t.test('requests, byte for byte', async (t) => {
  // ifaddrmsg{AF_INET, /24, flags 0, scope universe, index 2}, IFA_ADDRESS, IFA_LOCAL
  const a = encode(parseIpLine('addr add 10.244.0.2/24 dev eth0'), resolver);
  t.equal(a.type, RTM.NEWADDR);
  t.equal(a.flags, 0x400 | 0x200, 'CREATE|EXCL, as ip addr add');
  t.equal(hex(a.body), '02180000' + '02000000' + '0800' + '0100' + '0af40002' + '0800' + '0200' + '0af40002');
  t.equal(encode(parseIpLine('addr add 127.0.0.2/8 dev lo'), resolver).body[3], 254, 'scope host for 127/8, as iproute2 chooses');

  // rtmsg{AF_INET, /0, table main, proto boot, scope universe, unicast}, RTA_GATEWAY, RTA_OIF
  const r = encode(parseIpLine('route replace default via 10.244.0.1 dev eth0'), resolver);
  t.equal(r.type, RTM.NEWROUTE);
  t.equal(r.flags, 0x400 | 0x100, 'CREATE|REPLACE');
  t.equal(hex(r.body), '02000000' + 'fe030001' + '00000000' + '0800' + '0500' + '0af40001' + '0800' + '0400' + '02000000');
  const link = encode(parseIpLine('route replace 169.254.1.1 dev eth0 scope link'), resolver);
  t.equal(link.body[1], 32, 'a bare address is a /32');
  t.equal(link.body[6], 253, 'scope link');
  t.equal(encode(parseIpLine('route replace 10.244.0.0/16 dev eth0'), resolver).body[6], 253, 'no gateway: scope link, as iproute2 decides');
  const onl = encode(parseIpLine('route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink'), resolver);
  t.equal(onl.body.readUInt32LE(8), 4, 'RTNH_F_ONLINK');
  const del = encode(parseIpLine('route del 10.244.1.0/24 via 10.244.1.0 dev flannel.1'), resolver);
  t.same([del.type, del.flags, del.body[5], del.body[6], del.body[7]], [RTM.DELROUTE, 0, 0, 255, 0], 'delete: no protocol, scope nowhere, type unspec');

  // veth: IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO{KIND veth, DATA{PEER{ifinfomsg, IFNAME, MTU, NET_NS_FD}}}
  const v = encode(parseIpLine('link add name vethab12 mtu 1450 type veth peer name eth0 mtu 1450 netns pl-x-p'), resolver);
  t.same([v.type, v.flags], [RTM.NEWLINK, 0x400 | 0x200]);
  const want = attrs(ifinfomsg({}), str(3, 'vethab12'), u32(4, 1450), attr(18, attrs(str(1, 'veth'), attr(2, attr(1, attrs(ifinfomsg({}), str(3, 'eth0'), u32(4, 1450), u32(28, 42)))))));
  t.equal(hex(v.body), hex(want));

  const vx = encode(parseIpLine('link add name flannel.1 mtu 1450 type vxlan id 1 local 172.18.0.11 dev eth0 dstport 8472 nolearning'), resolver);
  const data = parseAttrs(parseAttrs(parseAttrs(vx.body, 16).get(18)!).get(2)!);
  t.same([data.get(1)!.readUInt32LE(0), data.get(3)!.readUInt32LE(0), [...data.get(4)!], data.get(7)![0], data.get(15)!.readUInt16BE(0)], [1, 2, [172, 18, 0, 11], 0, 8472], 'VNI, link eth0, local, nolearning, port (big-endian)');

  const up = encode(parseIpLine('link set vethab12 up'), resolver);
  t.equal(hex(up.body), hex(attrs(ifinfomsg({ flags: 1, change: 1 }), str(3, 'vethab12'))), 'by name, IFF_UP in flags and change');
  t.equal(up.flags, 0, 'a plain RTM_NEWLINK: never SETLINK, never a target netns id');
  const master = encode(parseIpLine('link set vethab12 master cni0'), resolver);
  t.equal(parseAttrs(master.body, 16).get(10)!.readUInt32LE(0), 5);
  t.equal(parseAttrs(encode(parseIpLine('link set vethab12 nomaster'), resolver).body, 16).get(10)!.readUInt32LE(0), 0);
  const hp = encode(parseIpLine('link set dev vethab12 type bridge_slave hairpin on'), resolver);
  t.equal(hex(hp.body), hex(attrs(ifinfomsg({}), str(3, 'vethab12'), attr(18, attrs(str(4, 'bridge'), attr(5, u8(4, 1)))))));

  const n = encode(parseIpLine('neigh replace 10.244.1.0 lladdr 0a:58:00:00:00:01 dev flannel.1 nud permanent'), resolver);
  t.equal(hex(n.body), hex(attrs(ndmsg({ family: 2, index: 6, state: 0x80 }), attr(1, Buffer.from([10, 244, 1, 0])), attr(2, Buffer.from([10, 0x58, 0, 0, 0, 1])))));
  const f = encode(parseBridgeLine('fdb replace 0a:58:00:00:00:01 dev flannel.1 dst 172.18.0.12 self permanent'), resolver);
  t.equal(hex(f.body), hex(attrs(ndmsg({ family: 7, index: 6, state: 0xc0, flags: 2 }), attr(2, Buffer.from([10, 0x58, 0, 0, 0, 1])), attr(1, Buffer.from([172, 18, 0, 12])))), 'AF_BRIDGE, NOARP|PERMANENT, NTF_SELF');

  const rule = encode(parseIpLine('rule add pref 1024 fwmark 0x80/0x80 lookup main'), resolver);
  t.equal(hex(rule.body), hex(attrs(rulemsg({ family: 2, table: 254, action: 1 }), u32(6, 1024), u32(10, 0x80), u32(16, 0x80))));
  const rto = encode(parseIpLine('rule del pref 512 to 10.0.1.5 lookup main'), resolver);
  t.same([rto.type, rto.body[1], rto.body[7]], [RTM.DELRULE, 32, 0], 'delete: /32 destination, no action');
});

/** A socket that answers dumps with canned kernel messages. */
function cannedSocket(byType: Record<number, Buffer[]>): RtSocket {
  return { dump: async (type: number) => (byType[type] ?? []).map((body, i) => ({ type: type - 2, flags: 2, seq: i, data: body })) } as unknown as RtSocket;
}

t.test('a dump reads back as parseObserved would', async (t) => {
  const linkMsg = (index: number, type: number, flags: number, a: Buffer) => attrs(ifinfomsg({ index, type, flags }), a);
  const s = cannedSocket({
    [RTM.GETLINK]: [
      linkMsg(1, 772, 9, attrs(str(3, 'lo'), u32(4, 65536), attr(1, Buffer.alloc(6)))),
      linkMsg(2, 1, 0x1003, attrs(str(3, 'eth0'), u32(4, 1500), attr(1, Buffer.from('0a0000000002', 'hex')), attr(18, str(1, 'veth')))),
      linkMsg(5, 1, 0x1003, attrs(str(3, 'cni0'), u32(4, 1450), attr(1, Buffer.from('7ae1ad1902cf', 'hex')), attr(18, str(1, 'bridge')))),
      linkMsg(7, 1, 0x1002, attrs(str(3, 'vethab12'), u32(4, 1450), attr(1, Buffer.from('AABBCCDDEEFF', 'hex')), u32(10, 5), attr(18, attrs(str(1, 'veth'), str(4, 'bridge'), attr(5, u8(4, 1)))))),
      linkMsg(6, 1, 0x1043, attrs(str(3, 'flannel.1'), u32(4, 1450), attr(1, Buffer.from('0a5800000001', 'hex')), attr(18, attrs(str(1, 'vxlan'), attr(2, attrs(u32(1, 1), attr(4, Buffer.from([172, 18, 0, 11])), u8(7, 0), u16be(15, 8472))))))),
    ],
    [RTM.GETADDR]: [
      attrs(ifaddrmsg({ family: 2, prefixlen: 8, scope: 254, index: 1 }), attr(2, Buffer.from([127, 0, 0, 1]))),
      attrs(ifaddrmsg({ family: 2, prefixlen: 24, scope: 0, index: 5 }), attr(1, Buffer.from([10, 244, 0, 1])), attr(2, Buffer.from([10, 244, 0, 1]))),
    ],
    [RTM.GETROUTE]: [
      attrs(rtmsg({ family: 2, dstLen: 24, table: 254, protocol: 2, scope: 253, type: 1 }), attr(1, Buffer.from([10, 244, 0, 0])), u32(4, 5)),
      attrs(rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }), attr(5, Buffer.from([172, 18, 0, 1])), u32(4, 2)),
      attrs(rtmsg({ family: 2, dstLen: 24, table: 254, protocol: 3, type: 1, flags: 4 }), attr(1, Buffer.from([10, 244, 1, 0])), attr(5, Buffer.from([10, 244, 1, 0])), u32(4, 6)),
      attrs(rtmsg({ family: 2, dstLen: 32, table: 254, protocol: 12, type: 6 }), attr(1, Buffer.from([10, 244, 9, 9]))),
      attrs(rtmsg({ family: 2, dstLen: 32, table: 255, protocol: 2, type: 2 }), attr(1, Buffer.from([10, 244, 0, 1])), u32(4, 5)),
    ],
    [RTM.GETNEIGH]: [
      attrs(ndmsg({ family: 2, index: 6, state: 0x80 }), attr(1, Buffer.from([10, 244, 1, 0])), attr(2, Buffer.from('0A5800000002', 'hex'))),
      attrs(ndmsg({ family: 2, index: 2, state: 0x02 }), attr(1, Buffer.from([172, 18, 0, 1])), attr(2, Buffer.alloc(6, 1))),
    ],
    [RTM.GETRULE]: [
      attrs(rulemsg({ family: 2, table: 255 }), u8(21, 2)),
      attrs(rulemsg({ family: 2, table: 254, action: 1 }), u32(6, 1024), u32(10, 0x80), u32(16, 0x80)),
      attrs(rulemsg({ family: 2, dstLen: 32, table: 254, action: 1 }), u32(6, 512), attr(1, Buffer.from([10, 0, 1, 5]))),
      attrs(rulemsg({ family: 2, srcLen: 16, table: 2, action: 1 }), u32(6, 1536), attr(2, Buffer.from([10, 0, 0, 0])), u32(10, 0)),
      attrs(rulemsg({ family: 2, table: 254, action: 1 }), u32(6, 32766), u8(21, 2)),
    ],
  });
  const o = await readNs(s, { fdb: false });
  t.same(o.links, [
    { name: 'lo', kind: 'loopback', mtu: 65536, mac: '00:00:00:00:00:00', master: undefined, up: true, hairpin: undefined, vxlan: undefined },
    { name: 'eth0', kind: 'veth', mtu: 1500, mac: '0a:00:00:00:00:02', master: undefined, up: true, hairpin: undefined, vxlan: undefined },
    { name: 'cni0', kind: 'bridge', mtu: 1450, mac: '7a:e1:ad:19:02:cf', master: undefined, up: true, hairpin: undefined, vxlan: undefined },
    { name: 'vethab12', kind: 'veth', mtu: 1450, mac: 'aa:bb:cc:dd:ee:ff', master: 'cni0', up: false, hairpin: true, vxlan: undefined },
    { name: 'flannel.1', kind: 'vxlan', mtu: 1450, mac: '0a:58:00:00:00:01', master: undefined, up: true, hairpin: undefined, vxlan: { id: 1, port: 8472, local: '172.18.0.11', learning: false } },
  ]);
  t.same(o.addrs, [{ dev: 'cni0', cidr: '10.244.0.1/24' }], 'scope host (lo) is not ours');
  t.same(o.routes, [
    { dst: 'default', via: '172.18.0.1', dev: 'eth0', onlink: undefined, proto: 'boot' },
    { dst: '10.244.1.0/24', via: '10.244.1.0', dev: 'flannel.1', onlink: true, proto: 'boot' },
    { dst: '10.244.9.9', via: undefined, dev: 'blackhole', onlink: undefined, proto: 'bird' },
  ], 'main table only, not proto kernel; a /32 as the bare address; a device-less route named by its type');
  t.same(o.neighs, [{ ip: '10.244.1.0', dev: 'flannel.1', mac: '0a:58:00:00:00:02' }], 'permanent only');
  t.same(o.rules, [
    { priority: 1024, table: 'main', from: undefined, to: undefined, fwmark: '0x80/0x80' },
    { priority: 512, table: 'main', from: undefined, to: '10.0.1.5', fwmark: undefined },
    { priority: 1536, table: '2', from: '10.0.0.0/16', to: undefined, fwmark: '0/0xffffffff' },
  ], 'not the kernel\'s rules; marks printed as ip prints them');
  t.equal(o.index.get('flannel.1'), 6);
});

t.test('messages split and attributes parse', async (t) => {
  const two = Buffer.concat([message(RTM.NEWLINK, 2, 7, Buffer.alloc(3)), message(3, 2, 7, Buffer.alloc(4))]);
  const ms: RawMessage[] = splitMessages(two);
  t.same(ms.map((m) => [m.type, m.seq, m.data.length]), [[RTM.NEWLINK, 7, 3], [3, 7, 4]], 'padding between messages is skipped');
  t.throws(() => splitMessages(Buffer.from('ff000000000000000000000000000000', 'hex')), /malformed netlink message/);
});

t.test('PODLAB_KERNEL names a path or fails', async (t) => {
  const saved = process.env.PODLAB_KERNEL;
  process.env.PODLAB_KERNEL = 'ipvs';
  try {
    const { kernelPath } = await import('../../src/kernel/backend.js');
    t.throws(() => kernelPath(), /PODLAB_KERNEL=ipvs: say netlink or iproute2/);
  } finally {
    if (saved === undefined) delete process.env.PODLAB_KERNEL;
    else process.env.PODLAB_KERNEL = saved;
  }
});
