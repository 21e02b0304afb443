// Commands → rtnetlink requests, field for field what iproute2 sends for the same line (ip/iplink.c, ipaddress.c,
// iproute.c, ipneigh.c, iprule.c, bridge/fdb.c). Pure: interface indexes and namespace fds come from the caller.
import type { Command } from './commands.js';
import {
  AF_BRIDGE, AF_INET, AF_UNSPEC, FRA, FR_ACT_TO_TBL, IFF_UP, IFLA, IFLA_BRPORT_MODE, IFLA_INFO, IFLA_VXLAN, IFA, NDA, NLM_F, NTF_SELF,
  NUD_NOARP, NUD_PERMANENT, RTA, RTM, RTN, RTNH_F_ONLINK, RTPROT_BOOT, RTPROT_NAMES, RT_SCOPE, RT_TABLE_MAIN, TABLE_NAMES, VETH_INFO_PEER,
  attr, attrs, ifaddrmsg, ifinfomsg, ip4, mac, ndmsg, prefix, rtmsg, rulemsg, str, u16be, u32, u8,
} from './wire.js';

export interface Request {
  readonly type: number;
  /** NLM_F_* flags besides REQUEST and ACK (the executor adds those). */
  readonly flags: number;
  readonly body: Buffer;
}

export interface Resolve {
  /** Interface index of a device in the namespace the request goes to. */
  index(name: string): number;
  /** An open fd of a named network namespace (for a veth peer placed there). */
  netnsFd(netns: string): number;
}

/** Device names a command needs as indexes (links themselves are addressed by name). */
export function needs(c: Command): string[] {
  switch (c.op) {
    case 'link-add': return c.type.kind === 'vxlan' ? [c.type.dev] : [];
    case 'link-set': return c.master ? [c.master] : [];
    case 'hairpin':
    case 'link-del':
    case 'rule': return [];
    default: return [c.dev];
  }
}

const byName = (name: string, o: { flags?: number; change?: number } = {}) => attrs(ifinfomsg({ family: AF_UNSPEC, ...o }), str(IFLA.IFNAME, name));

export function protoNumber(p: string): number {
  const n = Object.entries(RTPROT_NAMES).find(([, v]) => v === p)?.[0] ?? (/^\d+$/.test(p) && Number(p) < 256 ? p : undefined);
  if (n === undefined) throw new Error(`unknown route protocol "${p}"`);
  return Number(n);
}

export function tableNumber(t: string): number {
  const n = Object.entries(TABLE_NAMES).find(([, v]) => v === t)?.[0] ?? (/^\d+$/.test(t) ? t : undefined);
  if (n === undefined) throw new Error(`unknown routing table "${t}"`);
  return Number(n);
}

export function encode(c: Command, r: Resolve): Request {
  switch (c.op) {
    case 'link-add': {
      const own = [str(IFLA.IFNAME, c.name), c.mac ? attr(IFLA.ADDRESS, mac(c.mac)) : undefined, c.mtu ? u32(IFLA.MTU, c.mtu) : undefined];
      let info: Buffer;
      const t = c.type;
      if (t.kind === 'bridge') info = str(IFLA_INFO.KIND, 'bridge');
      else if (t.kind === 'vxlan') {
        info = attrs(str(IFLA_INFO.KIND, 'vxlan'), attr(IFLA_INFO.DATA, attrs(
          u32(IFLA_VXLAN.ID, t.id), u32(IFLA_VXLAN.LINK, r.index(t.dev)), attr(IFLA_VXLAN.LOCAL, ip4(t.local)),
          u8(IFLA_VXLAN.LEARNING, t.learning ? 1 : 0), u16be(IFLA_VXLAN.PORT, t.port),
        )));
      } else {
        const p = t.peer;
        const peer = attrs(ifinfomsg({}), str(IFLA.IFNAME, p.name), p.mac ? attr(IFLA.ADDRESS, mac(p.mac)) : undefined, p.mtu ? u32(IFLA.MTU, p.mtu) : undefined, u32(IFLA.NET_NS_FD, r.netnsFd(p.netns)));
        info = attrs(str(IFLA_INFO.KIND, 'veth'), attr(IFLA_INFO.DATA, attr(VETH_INFO_PEER, peer)));
      }
      return { type: RTM.NEWLINK, flags: NLM_F.CREATE | NLM_F.EXCL, body: attrs(ifinfomsg({}), ...own, attr(IFLA.LINKINFO, info)) };
    }
    case 'link-set': {
      const body = attrs(
        byName(c.name, c.up ? { flags: IFF_UP, change: IFF_UP } : {}),
        c.master !== undefined ? u32(IFLA.MASTER, c.master === null ? 0 : r.index(c.master)) : undefined,
        c.mtu ? u32(IFLA.MTU, c.mtu) : undefined,
        c.mac ? attr(IFLA.ADDRESS, mac(c.mac)) : undefined,
      );
      return { type: RTM.NEWLINK, flags: 0, body };
    }
    case 'hairpin':
      return { type: RTM.NEWLINK, flags: 0, body: attrs(byName(c.name), attr(IFLA.LINKINFO, attrs(str(IFLA_INFO.SLAVE_KIND, 'bridge'), attr(IFLA_INFO.SLAVE_DATA, u8(IFLA_BRPORT_MODE, c.on ? 1 : 0))))) };
    case 'link-del':
      return { type: RTM.DELLINK, flags: 0, body: byName(c.name) };
    case 'addr': {
      const p = prefix(c.cidr);
      const a = p.addr!;
      const scope = c.verb === 'add' && a[0] === 127 ? RT_SCOPE.HOST : RT_SCOPE.UNIVERSE;
      const body = attrs(ifaddrmsg({ family: AF_INET, prefixlen: p.len, scope, index: r.index(c.dev) }), attr(IFA.ADDRESS, a), attr(IFA.LOCAL, a));
      return c.verb === 'add' ? { type: RTM.NEWADDR, flags: NLM_F.CREATE | NLM_F.EXCL, body } : { type: RTM.DELADDR, flags: 0, body };
    }
    case 'route': {
      const p = prefix(c.dst);
      const add = c.verb === 'replace';
      const scope = !add ? RT_SCOPE.NOWHERE : c.scope === 'link' || !c.via ? RT_SCOPE.LINK : RT_SCOPE.UNIVERSE;
      const tn = c.table ? tableNumber(c.table) : RT_TABLE_MAIN;
      const hdr = rtmsg({
        family: AF_INET, dstLen: p.len, table: tn < 256 ? tn : 0, scope,
        protocol: add ? (c.proto ? protoNumber(c.proto) : RTPROT_BOOT) : c.proto ? protoNumber(c.proto) : 0,
        type: add ? RTN.UNICAST : RTN.UNSPEC, flags: c.onlink ? RTNH_F_ONLINK : 0,
      });
      const body = attrs(hdr, p.addr ? attr(RTA.DST, p.addr) : undefined, c.via ? attr(RTA.GATEWAY, ip4(c.via)) : undefined, u32(RTA.OIF, r.index(c.dev)), tn >= 256 ? u32(RTA.TABLE, tn) : undefined);
      return add ? { type: RTM.NEWROUTE, flags: NLM_F.CREATE | NLM_F.REPLACE, body } : { type: RTM.DELROUTE, flags: 0, body };
    }
    case 'neigh': {
      const body = attrs(ndmsg({ family: AF_INET, index: r.index(c.dev), state: NUD_PERMANENT }), attr(NDA.DST, ip4(c.ip)), c.mac ? attr(NDA.LLADDR, mac(c.mac)) : undefined);
      return c.verb === 'replace' ? { type: RTM.NEWNEIGH, flags: NLM_F.CREATE | NLM_F.REPLACE, body } : { type: RTM.DELNEIGH, flags: 0, body };
    }
    case 'rule': {
      const add = c.verb === 'add';
      const from = c.from && c.from !== 'all' ? prefix(c.from) : undefined;
      const to = c.to && c.to !== 'all' ? prefix(c.to) : undefined;
      const table = tableNumber(c.table);
      const hdr = rulemsg({ family: AF_INET, srcLen: from?.len ?? 0, dstLen: to?.len ?? 0, table: table < 256 ? table : 0, action: add ? FR_ACT_TO_TBL : 0 });
      const body = attrs(
        hdr, from?.addr ? attr(FRA.SRC, from.addr) : undefined, to?.addr ? attr(FRA.DST, to.addr) : undefined, u32(FRA.PRIORITY, c.pref),
        c.fwmark ? u32(FRA.FWMARK, c.fwmark.mark) : undefined, c.fwmark?.mask !== undefined ? u32(FRA.FWMASK, c.fwmark.mask) : undefined,
        table >= 256 ? u32(FRA.TABLE, table) : undefined,
      );
      return add ? { type: RTM.NEWRULE, flags: NLM_F.CREATE | NLM_F.EXCL, body } : { type: RTM.DELRULE, flags: 0, body };
    }
    case 'fdb': {
      // bridge fdb: state NOARP, plus PERMANENT (given, or by default when neither permanent nor dynamic is).
      const body = attrs(ndmsg({ family: AF_BRIDGE, index: r.index(c.dev), state: NUD_NOARP | NUD_PERMANENT, flags: NTF_SELF }), attr(NDA.LLADDR, mac(c.mac)), attr(NDA.DST, ip4(c.dst)));
      return c.verb === 'replace' ? { type: RTM.NEWNEIGH, flags: NLM_F.CREATE | NLM_F.REPLACE, body } : { type: RTM.DELNEIGH, flags: 0, body };
    }
  }
}
