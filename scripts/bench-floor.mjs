#!/usr/bin/env node
// The kernel floor: a minimal builder, in one process, of the kernel objects podlab's overlay mode makes — raw
// rtnetlink through the same `netlink` package (koffi for setns/unshare/mount), no podlab code. It makes the
// namespaces (fabric, external host, nodes, pods), the veths with both ends in place, addresses, routes, the
// cni0 bridge and flannel.1 VXLAN device with their neighbours, fdb entries and routes to the other nodes, and
// the sysctls; then reads every namespace back (links, addresses, routes, neighbours, rules, sysctls), and
// deletes it all. No iptables (podlab's rule sets are extra work the floor does not do).
//
// node scripts/bench-floor.mjs --nodes 20 --pods 1000 [--name NAME]  → one JSON line: {upMs, rereadMs, downMs, …}
// Needs root. Every name starts with pl-<name>- so `podlab clean -c <name>` removes what a crash leaves.
import { createRequire } from 'node:module';
import { openSync, closeSync, writeSync, readSync, unlinkSync, existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const { RawNetlinkSocket } = require('netlink');
const koffi = require('koffi');
const libc = koffi.load('libc.so.6');
const setns = libc.func('int setns(int fd, int nstype)');
const unshare = libc.func('int unshare(int flags)');
const mount = libc.func('int mount(const char *src, const char *dst, const char *type, unsigned long flags, const void *data)');
const umount2 = libc.func('int umount2(const char *target, int flags)');
const openat = libc.func('int openat(int dirfd, const char *path, int flags)');
const CLONE_NEWNET = 0x40000000, MS_BIND = 4096, MNT_DETACH = 2;

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const NODES = Number(arg('nodes', 1));
const PODS = Number(arg('pods', 100));
const NAME = arg('name', `f${randomBytes(3).toString('hex')}`);
const P = `pl-${NAME}-`;

// ---- wire ----
const a4 = (n) => (n + 3) & ~3;
function attr(type, payload) { const b = Buffer.alloc(a4(4 + payload.length)); b.writeUInt16LE(4 + payload.length, 0); b.writeUInt16LE(type, 2); payload.copy(b, 4); return b; }
const cat = (...l) => Buffer.concat(l.filter(Boolean));
const str = (t, s) => attr(t, Buffer.from(s + '\0'));
const u32 = (t, v) => { const p = Buffer.alloc(4); p.writeUInt32LE(v >>> 0); return attr(t, p); };
const u8 = (t, v) => attr(t, Buffer.from([v]));
const be16 = (t, v) => { const p = Buffer.alloc(2); p.writeUInt16BE(v); return attr(t, p); };
const ip = (s) => Buffer.from(s.split('.').map(Number));
const mac = (s) => Buffer.from(s.split(':').map((h) => parseInt(h, 16)));
function ifi(index = 0, flags = 0, change = 0) { const b = Buffer.alloc(16); b.writeInt32LE(index, 4); b.writeUInt32LE(flags, 8); b.writeUInt32LE(change, 12); return b; }
function ifa(prefixlen, index) { const b = Buffer.alloc(8); b[0] = 2; b[1] = prefixlen; b.writeUInt32LE(index, 4); return b; }
function rtm(dstLen, scope, flags = 0) { const b = Buffer.alloc(12); b[0] = 2; b[1] = dstLen; b[4] = 254; b[5] = 3; b[6] = scope; b[7] = 1; b.writeUInt32LE(flags, 8); return b; }
function ndm(family, index, state, flags = 0) { const b = Buffer.alloc(12); b[0] = family; b.writeInt32LE(index, 4); b.writeUInt16LE(state, 8); b[10] = flags; return b; }
const CREATE = 0x400, EXCL = 0x200, REPLACE = 0x100;
const NEWLINK = 16, DELLINK = 17, GETLINK = 18, NEWADDR = 20, GETADDR = 22, NEWROUTE = 24, GETROUTE = 26, NEWNEIGH = 28, GETNEIGH = 30, GETRULE = 34;
const req = (type, flags, body) => ({ type, flags, body });
const bridgeReq = (name, mtu) => req(NEWLINK, CREATE | EXCL, cat(ifi(0, 1, 1), str(3, name), u32(4, mtu), attr(18, str(1, 'bridge'))));
const vethReq = (name, mtu, peer, fd, master) => req(NEWLINK, CREATE | EXCL, cat(ifi(0, 1, 1), str(3, name), u32(4, mtu), master ? u32(10, master) : null,
  attr(18, cat(str(1, 'veth'), attr(2, attr(1, cat(ifi(), str(3, peer), u32(4, mtu), u32(28, fd))))))));
const vxlanReq = (name, mtu, vni, local, dev, port) => req(NEWLINK, CREATE | EXCL, cat(ifi(0, 1, 1), str(3, name), u32(4, mtu),
  attr(18, cat(str(1, 'vxlan'), attr(2, cat(u32(1, vni), u32(3, dev), attr(4, ip(local)), u8(7, 0), be16(15, port)))))));
const upReq = (name) => req(NEWLINK, 0, cat(ifi(0, 1, 1), str(3, name)));
const hairpinReq = (name) => req(NEWLINK, 0, cat(ifi(), str(3, name), attr(18, cat(str(4, 'bridge'), attr(5, u8(4, 1))))));
const addrReq = (addr, len, index) => req(NEWADDR, CREATE | EXCL, cat(ifa(len, index), attr(1, ip(addr)), attr(2, ip(addr))));
const routeReq = (dst, len, via, index, onlink) => req(NEWROUTE, CREATE | REPLACE, cat(rtm(len, via ? 0 : 253, onlink ? 4 : 0), len ? attr(1, ip(dst)) : null, via ? attr(5, ip(via)) : null, u32(4, index)));
const neighReq = (addr, ll, index) => req(NEWNEIGH, CREATE | REPLACE, cat(ndm(2, index, 0x80), attr(1, ip(addr)), attr(2, mac(ll))));
const fdbReq = (ll, dst, index) => req(NEWNEIGH, CREATE | REPLACE, cat(ndm(7, index, 0xc0, 2), attr(2, mac(ll)), attr(1, ip(dst))));

// ---- sockets: chunks of ≤64 requests in one sendmsg, ACK on the last; one dump at a time ----
class Sock {
  constructor() { this.seq = 1; this.w = new Map(); this.raw = new RawNetlinkSocket(0, { recvBufferSize: 1 << 20 }); this.raw.unref();
    this.raw.on('error', (e) => { throw e; });
    this.raw.on('message', (buf) => { for (let o = 0; o + 16 <= buf.length;) { const len = buf.readUInt32LE(o); const m = { type: buf.readUInt16LE(o + 4), flags: buf.readUInt16LE(o + 6), seq: buf.readUInt32LE(o + 8), data: buf.subarray(o + 16, o + len) }; this.w.get(m.seq)?.(m); o += a4(len); } }); }
  hdr(type, flags, seq, body) { const b = Buffer.alloc(16 + body.length); b.writeUInt32LE(b.length, 0); b.writeUInt16LE(type, 4); b.writeUInt16LE(flags, 6); b.writeUInt32LE(seq, 8); body.copy(b, 16); return b; }
  wait(seq, f) { if (!this.w.size) this.raw.ref(); this.w.set(seq, f); }
  drop(seq) { this.w.delete(seq); if (!this.w.size) this.raw.unref(); }
  async run(reqs) {
    for (let i = 0; i < reqs.length; i += 64) {
      const part = reqs.slice(i, i + 64), first = this.seq; this.seq += part.length;
      await new Promise((res, rej) => {
        part.forEach((_, k) => this.wait(first + k, (m) => {
          if (m.type === 2 && m.data.readInt32LE(0) !== 0) { part.forEach((_, j) => this.drop(first + j)); rej(new Error(`floor: request ${k} of type ${part[k].type} failed: errno ${-m.data.readInt32LE(0)}`)); }
          else if (k === part.length - 1) { part.forEach((_, j) => this.drop(first + j)); res(); }
        }));
        this.raw.send(Buffer.concat(part.map((r, k) => this.hdr(r.type, 1 | r.flags | (k === part.length - 1 ? 4 : 0), first + k, r.body))), undefined, (e) => e && rej(e));
      });
    }
  }
  index(name) { const seq = this.seq++; return new Promise((res, rej) => { this.wait(seq, (m) => { this.drop(seq); m.type === 2 ? rej(new Error(`floor: no ${name}`)) : res(m.data.readInt32LE(4)); }); this.raw.send(this.hdr(GETLINK, 1, seq, cat(ifi(), str(3, name))), undefined, (e) => e && rej(e)); }); }
  dump(type, body) { const seq = this.seq++; const out = []; return new Promise((res, rej) => { this.wait(seq, (m) => { if (m.type === 3 || m.type === 2) { this.drop(seq); m.type === 2 ? rej(new Error('dump failed')) : res(out); } else out.push(m); }); this.raw.send(this.hdr(type, 0x301, seq, body), undefined, (e) => e && rej(e)); }); }
  close() { this.raw.close(); }
}

// ---- namespaces: created in-process as `ip netns add` does (unshare, bind-mount under /run/netns) ----
const home = openSync('/proc/self/ns/net', 'r');
// Sysctls relative to the namespace's /proc/sys/net, opened once per visit (the cheapest lookup; podlab does the same).
function sysctls(write, read = []) {
  const dir = openSync('/proc/sys/net', 'r');
  const at = (k, flags) => { const fd = openat(dir, k.slice(4).replace(/\./g, '/'), flags | 0o2000000); if (fd < 0) throw new Error(`${k}: errno ${koffi.errno()}`); return fd; };
  try {
    for (const [k, v] of write) { const fd = at(k, 1); try { writeSync(fd, v); } finally { closeSync(fd); } }
    const buf = Buffer.alloc(64);
    for (const k of read) { const fd = at(k, 0); try { readSync(fd, buf, 0, 64, null); } finally { closeSync(fd); } }
  } finally { closeSync(dir); }
}
function back() { if (setns(home, CLONE_NEWNET) !== 0) { process.stderr.write('floor: cannot return to the original namespace\n'); process.exit(70); } }
function create(name, sys) {
  const path = `/run/netns/${name}`;
  closeSync(openSync(path, 'wx'));
  if (unshare(CLONE_NEWNET) !== 0) throw new Error(`unshare: errno ${koffi.errno()}`);
  try {
    if (mount('/proc/self/ns/net', path, 'none', MS_BIND, null) !== 0) throw new Error(`mount ${path}: errno ${koffi.errno()}`);
    sysctls(sys);
    return new Sock();
  } finally { back(); }
}
function enter(name, fn) { const fd = openSync(`/run/netns/${name}`, 'r'); try { if (setns(fd, CLONE_NEWNET) !== 0) throw new Error('setns'); try { return fn(); } finally { back(); } } finally { closeSync(fd); } }
function remove(name) { const path = `/run/netns/${name}`; umount2(path, MNT_DETACH); unlinkSync(path); }

async function limit(items, n, f) { let i = 0; await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => { while (i < items.length) await f(items[i++]); })); }

// ---- the shape: podlab overlay's objects for NODES nodes and PODS pods spread round-robin ----
const V6 = [['net.ipv6.conf.all.disable_ipv6', '1'], ['net.ipv6.conf.default.disable_ipv6', '1']];
const hex2 = (n) => (n & 0xff).toString(16).padStart(2, '0');
const nodes = Array.from({ length: NODES }, (_, i) => ({ i, ns: `${P}n${i + 1}`, ip: `172.18.0.${10 + i}`, sub: `10.244.${i}`, vtep: `0a:58:0a:f4:${hex2(i >> 8)}:${hex2(i)}`, pods: [] }));
for (let k = 0; k < PODS; k++) { const n = nodes[k % NODES]; n.pods.push({ ns: `${P}bench-p${n.i}-${n.pods.length}`, veth: `vf${n.i}x${n.pods.length}` }); }
// Pod addresses inside the node's /24 (podlab's default podCIDR gives every node a /24: ≤ 253 pods per node).
for (const n of nodes) n.pods.forEach((p, j) => { if (j > 252) throw new Error('floor: at most 253 pods per node'); p.ip = `${n.sub}.${j + 2}`; });
const fabric = `${P}fabric`, ext = `${P}ext`;
const all = [fabric, ext, ...nodes.map((n) => n.ns), ...nodes.flatMap((n) => n.pods.map((p) => p.ns))];

const ms = (t) => Math.round(performance.now() - t);
const socks = new Map();
const t0 = performance.now();
if (!existsSync('/run/netns')) mkdirSync('/run/netns', { recursive: true });
// namespaces, each with its sysctls and socket in the same visit
socks.set(fabric, create(fabric, [...V6, ['net.ipv4.ip_forward', '0']]));
socks.set(ext, create(ext, [...V6, ['net.ipv4.ip_forward', '0']]));
for (const n of nodes) socks.set(n.ns, create(n.ns, [...V6, ['net.ipv4.ip_forward', '1']]));
for (const n of nodes) for (const p of n.pods) socks.set(p.ns, create(p.ns, [...V6, ['net.ipv4.ip_forward', '0']]));
const nsMs = ms(t0);
// fabric: bridge, one veth per node (eth0 in the node) and one to the external host
{
  const s = socks.get(fabric);
  const fds = [...nodes.map((n) => n.ns), ext].map((ns) => openSync(`/run/netns/${ns}`, 'r'));
  await s.run([upReq('lo'), bridgeReq('fabric', 1500)]);
  const br = await s.index('fabric');
  await s.run([...nodes.map((n, i) => vethReq(`n-${n.i}`, 1500, 'eth0', fds[i], br)), vethReq('n-ext', 1500, 'eth0', fds[nodes.length], br), addrReq('172.18.0.1', 24, br)]);
  fds.forEach(closeSync);
  enter(fabric, () => sysctls([['net.bridge.bridge-nf-call-iptables', '0']]));
}
{
  const s = socks.get(ext);
  await s.run([upReq('lo'), upReq('eth0')]);
  await s.run([addrReq('172.18.0.100', 24, await s.index('eth0'))]);
}
const fabricMs = ms(t0) - nsMs;
// nodes: eth0, cni0, flannel.1, peers, then one veth per pod (eth0 made in the pod), bridge port with hairpin
await limit(nodes, 32, async (n) => {
  const s = socks.get(n.ns);
  const eth0 = await s.index('eth0');
  await s.run([upReq('lo'), upReq('eth0'), addrReq(n.ip, 24, eth0), routeReq('0.0.0.0', 0, '172.18.0.1', eth0), bridgeReq('cni0', 1450), vxlanReq('flannel.1', 1450, 1, n.ip, eth0, 8472)]);
  const cni0 = await s.index('cni0'), fl = await s.index('flannel.1');
  const r = [addrReq(`${n.sub}.1`, 24, cni0), addrReq(`${n.sub}.0`, 32, fl)];
  for (const o of nodes) if (o !== n) r.push(neighReq(`${o.sub}.0`, o.vtep, fl), fdbReq(o.vtep, o.ip, fl), routeReq(`${o.sub}.0`, 24, `${o.sub}.0`, fl, true));
  const fds = n.pods.map((p) => openSync(`/run/netns/${p.ns}`, 'r'));
  n.pods.forEach((p, j) => r.push(vethReq(p.veth, 1450, 'eth0', fds[j], cni0), hairpinReq(p.veth)));
  await s.run(r);
  fds.forEach(closeSync);
  enter(n.ns, () => sysctls([['net.bridge.bridge-nf-call-iptables', '1']]));
});
const nodesMs = ms(t0) - nsMs - fabricMs;
// pods: lo and eth0 up, the address, the default route and the pod network route via the bridge
await limit(nodes.flatMap((n) => n.pods.map((p) => [n, p])), 64, async ([n, p]) => {
  const s = socks.get(p.ns);
  const eth0 = await s.index('eth0');
  await s.run([upReq('lo'), upReq('eth0'), addrReq(p.ip, 24, eth0), routeReq('0.0.0.0', 0, `${n.sub}.1`, eth0), routeReq('10.244.0.0', 16, `${n.sub}.1`, eth0)]);
});
const upMs = ms(t0);
const podsMs = upMs - nsMs - fabricMs - nodesMs;
for (const s of socks.values()) s.close();
socks.clear();

// re-read: a fresh socket per namespace (with its sysctls read in the same visit), five dumps each
const t1 = performance.now();
let objects = 0;
const dumpBody = { link: cat(ifi(), u32(29, 8)), addr: ifa(0, 0), route: rtm(0, 0), neigh: ndm(2, 0, 0), rule: rtm(0, 0) };
await limit(all, 64, async (ns) => {
  const s = enter(ns, () => { sysctls([], ['net.ipv6.conf.all.disable_ipv6', 'net.ipv6.conf.default.disable_ipv6', 'net.ipv4.ip_forward']); return new Sock(); });
  try {
    for (const [type, body] of [[GETLINK, dumpBody.link], [GETADDR, dumpBody.addr], [GETROUTE, dumpBody.route], [GETNEIGH, dumpBody.neigh], [GETRULE, dumpBody.rule]]) { const r = await s.dump(type, body); objects += r.length; }
  } finally { s.close(); }
});
const rereadMs = ms(t1);

// delete: unmount and unlink each namespace (the kernel frees the namespaces and their links behind us)
const t2 = performance.now();
for (const ns of all) remove(ns);
const downMs = ms(t2);

console.log(JSON.stringify({ nodes: NODES, pods: PODS, namespaces: all.length, upMs, namespacesMs: nsMs, fabricMs, nodesMs, podsMs, rereadMs, objectsRead: objects, downMs }));
