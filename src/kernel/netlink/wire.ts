// rtnetlink on the wire: the constants podlab uses, attribute encoding and decoding, addresses. Pure byte work
// (no sockets here), so the encoders are unit-tested against the layouts the kernel headers define.

export const NLM_F = { REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, ECHO: 0x8, DUMP_INTR: 0x10, DUMP: 0x300, REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, APPEND: 0x800 } as const;
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3 } as const;
export const RTM = {
  NEWLINK: 16, DELLINK: 17, GETLINK: 18, NEWADDR: 20, DELADDR: 21, GETADDR: 22, NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26,
  NEWNEIGH: 28, DELNEIGH: 29, GETNEIGH: 30, NEWRULE: 32, DELRULE: 33, GETRULE: 34,
} as const;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;

export const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, LINK: 5, MASTER: 10, LINKINFO: 18, NET_NS_FD: 28, EXT_MASK: 29 } as const;
export const IFLA_INFO = { KIND: 1, DATA: 2, SLAVE_KIND: 4, SLAVE_DATA: 5 } as const;
export const VETH_INFO_PEER = 1;
export const IFLA_VXLAN = { ID: 1, LINK: 3, LOCAL: 4, LEARNING: 7, PORT: 15 } as const;
export const IFLA_BRPORT_MODE = 4; // hairpin
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;
export const IFF_UP = 0x1;
export const ARPHRD_LOOPBACK = 772;

export const IFA = { ADDRESS: 1, LOCAL: 2 } as const;
export const RTA = { DST: 1, OIF: 4, GATEWAY: 5, MULTIPATH: 9, TABLE: 15 } as const;
export const RTN = { UNSPEC: 0, UNICAST: 1 } as const;
export const RTN_NAMES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];
export const RT_SCOPE = { UNIVERSE: 0, LINK: 253, HOST: 254, NOWHERE: 255 } as const;
export const RT_TABLE_MAIN = 254;
export const RTM_F_CLONED = 0x200;
export const RTNH_F_ONLINK = 0x4;
export const RTPROT_BOOT = 3;
export const RTPROT_KERNEL = 2;

export const NDA = { DST: 1, LLADDR: 2 } as const;
export const NUD_PERMANENT = 0x80;
export const NUD_NOARP = 0x40;
export const NTF_SELF = 0x2;

export const FRA = { DST: 1, SRC: 2, PRIORITY: 6, FWMARK: 10, TABLE: 15, FWMASK: 16, PROTOCOL: 21 } as const;
export const FR_ACT_TO_TBL = 1;

/** iproute2's names of route protocols (lib/rt_names.c), both ways. */
export const RTPROT_NAMES: Readonly<Record<number, string>> = {
  0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 8: 'gated', 9: 'ra', 10: 'mrt', 11: 'zebra', 12: 'bird', 13: 'dnrouted',
  14: 'xorp', 15: 'ntk', 16: 'dhcp', 18: 'keepalived', 42: 'babel', 186: 'bgp', 187: 'isis', 188: 'ospf', 189: 'rip', 192: 'eigrp',
};
/** Routing table names every iproute2 knows; others are printed as numbers (podlab names no tables). */
export const TABLE_NAMES: Readonly<Record<number, string>> = { 253: 'default', 254: 'main', 255: 'local' };

const HDR = 16;
const align4 = (n: number) => (n + 3) & ~3;

/** One netlink attribute: type + payload (nested attributes are a Buffer made by `attrs`). */
export function attr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc(align4(len));
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}
export const attrs = (...list: (Buffer | undefined)[]): Buffer => Buffer.concat(list.filter((x): x is Buffer => x !== undefined));
export const u8 = (type: number, v: number) => attr(type, Buffer.from([v & 0xff]));
export function u16be(type: number, v: number): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(v);
  return attr(type, p);
}
export function u32(type: number, v: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32LE(v >>> 0);
  return attr(type, p);
}
export function s32(type: number, v: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeInt32LE(v);
  return attr(type, p);
}
/** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND). */
export const str = (type: number, v: string) => attr(type, Buffer.from(v + '\0'));

export function ifinfomsg(o: { family?: number; type?: number; index?: number; flags?: number; change?: number }): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(o.family ?? AF_UNSPEC, 0);
  b.writeUInt16LE(o.type ?? 0, 2);
  b.writeInt32LE(o.index ?? 0, 4);
  b.writeUInt32LE((o.flags ?? 0) >>> 0, 8);
  b.writeUInt32LE((o.change ?? 0) >>> 0, 12);
  return b;
}
export function ifaddrmsg(o: { family: number; prefixlen: number; scope: number; index: number }): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(o.family, 0);
  b.writeUInt8(o.prefixlen, 1);
  b.writeUInt8(0, 2);
  b.writeUInt8(o.scope, 3);
  b.writeUInt32LE(o.index, 4);
  return b;
}
export function rtmsg(o: { family: number; dstLen?: number; table?: number; protocol?: number; scope?: number; type?: number; flags?: number }): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(o.family, 0);
  b.writeUInt8(o.dstLen ?? 0, 1);
  b.writeUInt8(o.table ?? 0, 4);
  b.writeUInt8(o.protocol ?? 0, 5);
  b.writeUInt8(o.scope ?? 0, 6);
  b.writeUInt8(o.type ?? 0, 7);
  b.writeUInt32LE(o.flags ?? 0, 8);
  return b;
}
export function ndmsg(o: { family: number; index?: number; state?: number; flags?: number }): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(o.family, 0);
  b.writeInt32LE(o.index ?? 0, 4);
  b.writeUInt16LE(o.state ?? 0, 8);
  b.writeUInt8(o.flags ?? 0, 10);
  return b;
}
/** struct fib_rule_hdr. */
export function rulemsg(o: { family: number; dstLen?: number; srcLen?: number; table?: number; action?: number }): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(o.family, 0);
  b.writeUInt8(o.dstLen ?? 0, 1);
  b.writeUInt8(o.srcLen ?? 0, 2);
  b.writeUInt8(o.table ?? 0, 4);
  b.writeUInt8(o.action ?? 0, 7);
  return b;
}

/** A complete message: header (length, type, flags, seq, port 0) + body, padded so the next one is aligned. */
export function message(type: number, flags: number, seq: number, body: Buffer): Buffer {
  const b = Buffer.alloc(align4(HDR + body.length));
  b.writeUInt32LE(HDR + body.length, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq >>> 0, 8);
  b.writeUInt32LE(0, 12);
  body.copy(b, HDR);
  return b;
}

export interface RawMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly data: Buffer;
}

/** Splits a datagram into messages. */
export function splitMessages(buf: Buffer): RawMessage[] {
  const out: RawMessage[] = [];
  let off = 0;
  while (off + HDR <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < HDR || off + len > buf.length) throw new Error(`malformed netlink message (length ${len} at ${off} of ${buf.length})`);
    out.push({ type: buf.readUInt16LE(off + 4), flags: buf.readUInt16LE(off + 6), seq: buf.readUInt32LE(off + 8), data: buf.subarray(off + HDR, off + len) });
    off += align4(len);
  }
  return out;
}

/**
 * Attributes of a message body after its fixed header, by type (the last of a repeated type wins); with `only`,
 * just those types (a link message carries ~40 attributes, a read-back needs 5).
 */
export function parseAttrs(buf: Buffer, start = 0, only?: ReadonlySet<number>): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let off = start;
  while (off + 4 <= buf.length) {
    const len = buf[off]! | (buf[off + 1]! << 8);
    if (len < 4 || off + len > buf.length) break;
    const type = (buf[off + 2]! | (buf[off + 3]! << 8)) & 0x3fff;
    if (!only || only.has(type)) out.set(type, buf.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

/** The errno of an NLMSG_ERROR message (0 for an acknowledgement). */
export const errorCode = (m: RawMessage): number => -m.data.readInt32LE(0);

export function ip4(text: string): Buffer {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`not an IPv4 address: "${text}"`);
  return Buffer.from(parts.map(Number));
}
export const ip4Text = (b: Buffer): string => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;

export function mac(text: string): Buffer {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text)) throw new Error(`not a MAC address: "${text}"`);
  return Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
}
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function macText(b: Buffer): string {
  let s = b.length ? HEX[b[0]!]! : '';
  for (let i = 1; i < b.length; i++) s += ':' + HEX[b[i]!]!;
  return s;
}

/** "10.0.0.0/24" | "10.0.0.5" (a host) | "default" → address bytes and prefix length. */
export function prefix(text: string): { addr?: Buffer; len: number } {
  if (text === 'default' || text === 'all') return { len: 0 };
  const [a, l, extra] = text.split('/');
  if (extra !== undefined) throw new Error(`not a prefix: "${text}"`);
  const len = l === undefined ? 32 : Number(l);
  if (!Number.isInteger(len) || len < 0 || len > 32 || (l !== undefined && !/^\d+$/.test(l))) throw new Error(`not a prefix length: "${text}"`);
  return { addr: ip4(a!), len };
}

/** Linux errno numbers → names, for the ones rtnetlink answers with (others are printed as numbers). */
const ERRNO: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 9: 'EBADF', 12: 'ENOMEM', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 19: 'ENODEV', 22: 'EINVAL',
  24: 'EMFILE', 34: 'ERANGE', 61: 'ENODATA', 75: 'EOVERFLOW', 90: 'EMSGSIZE', 93: 'EPROTONOSUPPORT', 95: 'EOPNOTSUPP', 97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 101: 'ENETUNREACH', 105: 'ENOBUFS', 113: 'EHOSTUNREACH',
};
export const errnoName = (n: number): string => ERRNO[n] ?? `errno ${n}`;
