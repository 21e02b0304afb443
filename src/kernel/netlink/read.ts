// Read back a namespace through its socket into the shape parseObserved (kernel/observe.ts) builds from `ip -j -d`
// and `bridge -j fdb`: the same links, addresses, routes (not proto kernel), permanent neighbours, VXLAN fdb
// entries and ip rules (not 0/32766/32767), named the way iproute2 prints them, so diffNs cannot tell the two apart.
import type { RouteSpec, RuleSpec } from '../../dataplane/types.js';
import type { ObservedLink } from '../ops.js';
import type { RtSocket } from './socket.js';
import {
  AF_BRIDGE, AF_INET, AF_UNSPEC, ARPHRD_LOOPBACK, FRA, IFA, IFF_UP, IFLA, IFLA_BRPORT_MODE, IFLA_INFO, IFLA_VXLAN, NDA, NUD_PERMANENT,
  RTA, RTEXT_FILTER_SKIP_STATS, RTM, RTM_F_CLONED, RTNH_F_ONLINK, RTN_NAMES, RTPROT_KERNEL, RTPROT_NAMES, RT_SCOPE, RT_TABLE_MAIN, TABLE_NAMES,
  attrs, ifaddrmsg, ifinfomsg, ip4Text, macText, ndmsg, parseAttrs, rtmsg, rulemsg, u32, type RawMessage,
} from './wire.js';

export interface NetlinkObserved {
  readonly links: ObservedLink[];
  readonly addrs: { dev: string; cidr: string }[];
  readonly routes: RouteSpec[];
  readonly neighs: { ip: string; mac: string; dev: string }[];
  readonly fdb: { mac: string; dev: string; dst: string }[];
  readonly rules: RuleSpec[];
  /** name → ifindex, for the executor that runs on the same socket next. */
  readonly index: Map<string, number>;
}

const cstr = (b: Buffer | undefined) => (b ? b.toString('latin1', 0, b.indexOf(0) >= 0 ? b.indexOf(0) : b.length) : undefined);
const protoName = (p: number) => RTPROT_NAMES[p] ?? String(p);
const tableName = (t: number) => TABLE_NAMES[t] ?? String(t);
/** printf("%#x"), as ip prints marks: "0x80", but "0" for zero. */
const hex = (n: number) => (n === 0 ? '0' : `0x${n.toString(16)}`);

const LINK_ATTRS: ReadonlySet<number> = new Set([IFLA.IFNAME, IFLA.MTU, IFLA.ADDRESS, IFLA.MASTER, IFLA.LINKINFO]);

export const LINK_DUMP = () => attrs(ifinfomsg({ family: AF_UNSPEC }), u32(IFLA.EXT_MASK, RTEXT_FILTER_SKIP_STATS));

/** A link message → its name, index and the fields Observed keeps (master as an index until names are known). */
export function decodeLink(m: RawMessage): { index: number; link: ObservedLink; masterIndex?: number } {
  const d = m.data;
  const type = d.readUInt16LE(2);
  const index = d.readInt32LE(4);
  const flags = d.readUInt32LE(8);
  const a = parseAttrs(d, 16, LINK_ATTRS);
  const info = a.get(IFLA.LINKINFO);
  const li = info ? parseAttrs(info) : undefined;
  const kindName = cstr(li?.get(IFLA_INFO.KIND));
  const kind = type === ARPHRD_LOOPBACK ? 'loopback' : kindName ?? 'unknown';
  const master = a.get(IFLA.MASTER);
  let vxlan: ObservedLink['vxlan'];
  if (kind === 'vxlan') {
    const data = li?.get(IFLA_INFO.DATA);
    const v = data ? parseAttrs(data) : new Map<number, Buffer>();
    const local = v.get(IFLA_VXLAN.LOCAL);
    vxlan = {
      id: v.get(IFLA_VXLAN.ID)?.readUInt32LE(0),
      port: v.get(IFLA_VXLAN.PORT)?.readUInt16BE(0),
      local: local && local.readUInt32LE(0) !== 0 ? ip4Text(local) : undefined,
      learning: v.has(IFLA_VXLAN.LEARNING) ? v.get(IFLA_VXLAN.LEARNING)![0] !== 0 : undefined,
    };
  }
  let hairpin: boolean | undefined;
  if (cstr(li?.get(IFLA_INFO.SLAVE_KIND)) === 'bridge') {
    const sd = li?.get(IFLA_INFO.SLAVE_DATA);
    const mode = sd ? parseAttrs(sd).get(IFLA_BRPORT_MODE) : undefined;
    hairpin = mode ? mode[0] !== 0 : false;
  }
  const addr = a.get(IFLA.ADDRESS);
  const link: ObservedLink = {
    name: cstr(a.get(IFLA.IFNAME)) ?? `if${index}`, kind, mtu: a.get(IFLA.MTU)?.readUInt32LE(0) ?? 0, mac: addr ? macText(addr) : '',
    master: undefined, up: (flags & IFF_UP) !== 0, hairpin, vxlan,
  };
  const mi = master?.readUInt32LE(0);
  return { index, link, masterIndex: mi ? mi : undefined };
}

export async function readLinks(s: RtSocket): Promise<{ links: ObservedLink[]; names: Map<number, string> }> {
  const raw = (await s.dump(RTM.GETLINK, LINK_DUMP())).filter((m) => m.type === RTM.NEWLINK).map(decodeLink);
  const names = new Map(raw.map((r) => [r.index, r.link.name]));
  const links = raw.map((r) => (r.masterIndex ? { ...r.link, master: names.get(r.masterIndex) ?? `if${r.masterIndex}` } : r.link));
  return { links, names };
}

/** Reads everything Observed holds but sysctls and rule sets. */
export async function readNs(s: RtSocket, opts: { fdb: boolean }): Promise<NetlinkObserved> {
  const { links, names } = await readLinks(s);
  const dev = (i: number) => names.get(i) ?? `if${i}`;

  const addrs: { dev: string; cidr: string }[] = [];
  for (const m of await s.dump(RTM.GETADDR, ifaddrmsg({ family: AF_INET, prefixlen: 0, scope: 0, index: 0 }))) {
    if (m.type !== RTM.NEWADDR || m.data[0] !== AF_INET || m.data[3] === RT_SCOPE.HOST) continue;
    const a = parseAttrs(m.data, 8);
    const ip = a.get(IFA.LOCAL) ?? a.get(IFA.ADDRESS);
    if (ip) addrs.push({ dev: dev(m.data.readUInt32LE(4)), cidr: `${ip4Text(ip)}/${m.data[1]}` });
  }

  const routes: RouteSpec[] = [];
  for (const m of await s.dump(RTM.GETROUTE, rtmsg({ family: AF_INET }))) {
    const d = m.data;
    if (m.type !== RTM.NEWROUTE || d[0] !== AF_INET) continue;
    const a = parseAttrs(d, 12);
    const table = a.get(RTA.TABLE)?.readUInt32LE(0) ?? d[4]!;
    const flags = d.readUInt32LE(8);
    // Every table but the kernel's own (local 255, default 253): main and numbered policy-routing tables, as observe.ts.
    if (table === 255 || table === 253 || table === 0 || flags & RTM_F_CLONED || d[5] === RTPROT_KERNEL) continue;
    const len = d[1]!;
    const dstB = a.get(RTA.DST);
    const dst = len === 0 ? 'default' : `${dstB ? ip4Text(dstB) : '0.0.0.0'}${len === 32 ? '' : `/${len}`}`;
    const gw = a.get(RTA.GATEWAY);
    const oif = a.get(RTA.OIF);
    routes.push({
      dst, via: gw ? ip4Text(gw) : undefined, dev: oif ? dev(oif.readUInt32LE(0)) : RTN_NAMES[d[7]!] ?? String(d[7]),
      onlink: flags & RTNH_F_ONLINK ? true : undefined, proto: protoName(d[5]!), ...(table !== RT_TABLE_MAIN ? { table: tableName(table) } : {}),
    });
  }

  const neighs: { ip: string; mac: string; dev: string }[] = [];
  for (const m of await s.dump(RTM.GETNEIGH, ndmsg({ family: AF_INET }))) {
    const d = m.data;
    if (m.type !== RTM.NEWNEIGH || d[0] !== AF_INET || !(d.readUInt16LE(8) & NUD_PERMANENT)) continue;
    const a = parseAttrs(d, 12);
    const ip = a.get(NDA.DST);
    const ll = a.get(NDA.LLADDR);
    if (ip) neighs.push({ ip: ip4Text(ip), dev: dev(d.readInt32LE(4)), mac: ll ? macText(ll) : '' });
  }

  const rules: RuleSpec[] = [];
  for (const m of await s.dump(RTM.GETRULE, rulemsg({ family: AF_INET }))) {
    const d = m.data;
    if (m.type !== RTM.NEWRULE || d[0] !== AF_INET) continue;
    const a = parseAttrs(d, 12);
    const priority = a.get(FRA.PRIORITY)?.readUInt32LE(0) ?? 0;
    if (a.get(FRA.PROTOCOL)?.[0] === RTPROT_KERNEL || priority === 0 || priority === 32766 || priority === 32767) continue;
    const side = (b: Buffer | undefined, len: number) => (b ? `${ip4Text(b)}${len === 32 ? '' : `/${len}`}` : len ? `0/${len}` : undefined);
    const mark = a.get(FRA.FWMARK);
    const mask = a.get(FRA.FWMASK)?.readUInt32LE(0);
    const table = a.get(FRA.TABLE)?.readUInt32LE(0) ?? d[4]!;
    rules.push({
      priority, table: tableName(table), from: side(a.get(FRA.SRC), d[2]!), to: side(a.get(FRA.DST), d[1]!),
      fwmark: mark || mask !== undefined ? `${hex(mark?.readUInt32LE(0) ?? 0)}/${mask !== undefined && mask !== 0xffffffff ? hex(mask) : '0xffffffff'}` : undefined,
    });
  }

  const fdb: { mac: string; dev: string; dst: string }[] = [];
  if (opts.fdb) {
    for (const m of await s.dump(RTM.GETNEIGH, ndmsg({ family: AF_BRIDGE }))) {
      const d = m.data;
      if (m.type !== RTM.NEWNEIGH || d[0] !== AF_BRIDGE) continue;
      const a = parseAttrs(d, 12);
      const ll = a.get(NDA.LLADDR);
      const dst = a.get(NDA.DST);
      if (!ll || !dst || dst.length !== 4) continue;
      const mac = macText(ll);
      if (mac !== '00:00:00:00:00:00') fdb.push({ mac, dev: dev(d.readInt32LE(4)), dst: ip4Text(dst) });
    }
  }
  return { links, addrs, routes, neighs, fdb, rules, index: new Map([...names].map(([i, n]) => [n, i])) };
}
