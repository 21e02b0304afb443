// The iproute2 batch lines podlab's diff writes (kernel/ops.ts), parsed into typed commands. This is podlab's own
// grammar, not all of iproute2: a line outside it is an error, never guessed at. `podlab plan` prints these
// lines as the readable form; the netlink executor runs the commands they parse into.

export type IpCommand =
  | { readonly op: 'link-add'; readonly name: string; readonly mac?: string; readonly mtu?: number; readonly type: LinkType }
  | { readonly op: 'link-set'; readonly name: string; readonly master?: string | null; readonly up?: boolean; readonly mtu?: number; readonly mac?: string }
  | { readonly op: 'hairpin'; readonly name: string; readonly on: boolean }
  | { readonly op: 'link-del'; readonly name: string }
  | { readonly op: 'addr'; readonly verb: 'add' | 'del'; readonly cidr: string; readonly dev: string }
  | { readonly op: 'route'; readonly verb: 'replace' | 'del'; readonly dst: string; readonly via?: string; readonly dev: string; readonly proto?: string; readonly scope?: 'link'; readonly onlink: boolean; readonly table?: string }
  | { readonly op: 'neigh'; readonly verb: 'replace' | 'del'; readonly ip: string; readonly mac?: string; readonly dev: string }
  | { readonly op: 'rule'; readonly verb: 'add' | 'del'; readonly pref: number; readonly from?: string; readonly to?: string; readonly fwmark?: { readonly mark: number; readonly mask?: number }; readonly table: string };

export type LinkType =
  | { readonly kind: 'bridge' }
  | { readonly kind: 'vxlan'; readonly id: number; readonly local: string; readonly dev: string; readonly port: number; readonly learning: boolean }
  | { readonly kind: 'veth'; readonly peer: { readonly name: string; readonly mac?: string; readonly mtu?: number; readonly netns: string } };

export interface FdbCommand {
  readonly op: 'fdb';
  readonly verb: 'replace' | 'del';
  readonly mac: string;
  readonly dev: string;
  readonly dst: string;
  readonly permanent: boolean;
}

export type Command = IpCommand | FdbCommand;

export class LineError extends Error {
  constructor(readonly line: string, why: string) {
    super(`cannot run "${line}" through netlink: ${why} (podlab's batch grammar: kernel/netlink/commands.ts)`);
    this.name = 'LineError';
  }
}

const IFNAME = /^[^\s/:]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const IP = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** Reads tokens off a line, failing with the line in the message. */
class Tokens {
  private i = 0;
  constructor(readonly line: string, private readonly t: string[]) {}
  get done(): boolean {
    return this.i >= this.t.length;
  }
  peek(): string | undefined {
    return this.t[this.i];
  }
  fail(why: string): never {
    throw new LineError(this.line, why);
  }
  next(what: string): string {
    const v = this.t[this.i++];
    if (v === undefined) this.fail(`${what} missing`);
    return v;
  }
  word(...allowed: string[]): string {
    const v = this.next(allowed.join(' or '));
    if (!allowed.includes(v)) this.fail(`"${v}" where ${allowed.map((a) => `"${a}"`).join(' or ')} was expected`);
    return v;
  }
  name(what: string): string {
    const v = this.next(what);
    if (!IFNAME.test(v)) this.fail(`${what} "${v}" is not an interface name`);
    return v;
  }
  netns(): string {
    const v = this.next('namespace');
    if (!/^[A-Za-z0-9_.-]{1,200}$/.test(v)) this.fail(`namespace "${v}" is not a namespace name`);
    return v;
  }
  mac(): string {
    const v = this.next('MAC address');
    if (!MAC.test(v)) this.fail(`"${v}" is not a MAC address`);
    return v.toLowerCase();
  }
  ip(): string {
    const v = this.next('IPv4 address');
    if (!IP.test(v)) this.fail(`"${v}" is not an IPv4 address`);
    return v;
  }
  uint(what: string, max: number): number {
    const v = this.next(what);
    if (!/^\d+$/.test(v) || Number(v) > max) this.fail(`${what} "${v}" is not a number up to ${max}`);
    return Number(v);
  }
  end(): void {
    if (!this.done) this.fail(`unexpected "${this.t.slice(this.i).join(' ')}"`);
  }
}

/** Parses one `ip -batch` line of podlab's grammar. */
export function parseIpLine(line: string): IpCommand {
  const t = new Tokens(line, line.trim().split(/\s+/));
  const obj = t.word('link', 'addr', 'route', 'neigh', 'rule');
  switch (obj) {
    case 'link': return parseLink(t);
    case 'addr': {
      const verb = t.word('add', 'del') as 'add' | 'del';
      const cidr = t.next('address');
      if (!CIDR.test(cidr)) t.fail(`"${cidr}" is not an IPv4 address with a prefix length`);
      t.word('dev');
      const dev = t.name('device');
      t.end();
      return { op: 'addr', verb, cidr, dev };
    }
    case 'route': return parseRoute(t);
    case 'neigh': {
      const verb = t.word('replace', 'del') as 'replace' | 'del';
      const ip = t.ip();
      let mac: string | undefined;
      if (verb === 'replace') {
        t.word('lladdr');
        mac = t.mac();
      }
      t.word('dev');
      const dev = t.name('device');
      if (verb === 'replace') {
        t.word('nud');
        t.word('permanent');
      }
      t.end();
      return { op: 'neigh', verb, ip, mac, dev };
    }
    default: return parseRule(t);
  }
}

function parseLink(t: Tokens): IpCommand {
  const verb = t.word('add', 'set', 'del');
  if (verb === 'del') {
    if (t.peek() === 'dev') t.next('dev');
    const name = t.name('device');
    t.end();
    return { op: 'link-del', name };
  }
  if (verb === 'add') {
    t.word('name');
    const name = t.name('device');
    const o = linkOpts(t, false);
    t.word('type');
    const kind = t.word('bridge', 'vxlan', 'veth') as LinkType['kind'];
    let type: LinkType;
    if (kind === 'bridge') type = { kind: 'bridge' };
    else if (kind === 'vxlan') {
      t.word('id');
      const id = t.uint('VNI', 0xffffff);
      t.word('local');
      const local = t.ip();
      t.word('dev');
      const dev = t.name('device');
      t.word('dstport');
      const port = t.uint('port', 65535);
      let learning = true;
      if (t.peek() === 'nolearning') {
        t.next('nolearning');
        learning = false;
      }
      type = { kind, id, local, dev, port, learning };
    } else {
      t.word('peer');
      t.word('name');
      const peerName = t.name('peer name');
      const p = linkOpts(t, false);
      t.word('netns');
      type = { kind, peer: { name: peerName, ...p, netns: t.netns() } };
    }
    t.end();
    return { op: 'link-add', name, ...o, type };
  }
  if (t.peek() === 'dev') t.next('dev');
  const name = t.name('device');
  if (t.peek() === 'type') {
    t.next('type');
    t.word('bridge_slave');
    t.word('hairpin');
    const on = t.word('on', 'off') === 'on';
    t.end();
    return { op: 'hairpin', name, on };
  }
  const o = linkOpts(t, true);
  t.end();
  if (o.master === undefined && o.up === undefined && o.mtu === undefined && o.mac === undefined) t.fail('nothing to set');
  return { op: 'link-set', name, ...o };
}

/** `[address M] [mtu N]` (and, for `link set`, `master B`, `nomaster`, `up`), each at most once. */
function linkOpts(t: Tokens, set: boolean): { mac?: string; mtu?: number; master?: string | null; up?: boolean } {
  const o: { mac?: string; mtu?: number; master?: string | null; up?: boolean } = {};
  const once = (k: keyof typeof o, w: string) => {
    if (o[k] !== undefined) t.fail(`"${w}" given twice`);
  };
  for (;;) {
    const w = t.peek();
    if (w === 'address') {
      once('mac', w);
      t.next(w);
      o.mac = t.mac();
    } else if (w === 'mtu') {
      once('mtu', w);
      t.next(w);
      o.mtu = t.uint('mtu', 65535);
    } else if (set && w === 'master') {
      once('master', w);
      t.next(w);
      o.master = t.name('master');
    } else if (set && w === 'nomaster') {
      once('master', w);
      t.next(w);
      o.master = null;
    } else if (set && w === 'up') {
      once('up', w);
      t.next(w);
      o.up = true;
    } else return o;
  }
}

function parseRoute(t: Tokens): IpCommand {
  const verb = t.word('replace', 'del') as 'replace' | 'del';
  const dst = t.next('destination');
  if (dst !== 'default' && !CIDR.test(dst) && !IP.test(dst)) t.fail(`destination "${dst}" is not default, an address or a prefix`);
  let via: string | undefined, dev: string | undefined, proto: string | undefined, scope: 'link' | undefined, table: string | undefined;
  let onlink = false;
  while (!t.done) {
    const w = t.word('via', 'dev', 'proto', 'scope', 'onlink', 'table');
    const dup = () => t.fail(`"${w}" given twice`);
    if (w === 'via') {
      if (via) dup();
      via = t.ip();
    } else if (w === 'dev') {
      if (dev) dup();
      dev = t.name('device');
    } else if (w === 'proto') {
      if (proto) dup();
      proto = t.next('protocol');
    } else if (w === 'scope') {
      if (scope) dup();
      scope = t.word('link') as 'link';
    } else if (w === 'table') {
      if (table) dup();
      table = t.next('table');
      if (!/^(main|\d+)$/.test(table)) t.fail(`table "${table}" is not main or a number`);
    } else {
      if (onlink) dup();
      onlink = true;
    }
  }
  if (!dev) t.fail('route without "dev"');
  return { op: 'route', verb, dst, via, dev, proto, scope, onlink, ...(table && table !== 'main' ? { table } : {}) };
}

function parseRule(t: Tokens): IpCommand {
  const verb = t.word('add', 'del') as 'add' | 'del';
  t.word('pref');
  const pref = t.uint('priority', 0xffffffff);
  let from: string | undefined, to: string | undefined, fwmark: { mark: number; mask?: number } | undefined;
  for (;;) {
    const w = t.next('"lookup"');
    if (w === 'lookup') break;
    if (w === 'from' || w === 'to') {
      const v = t.next('prefix');
      if (v !== 'all' && !CIDR.test(v) && !IP.test(v)) t.fail(`"${v}" is not an address or a prefix`);
      if ((w === 'from' ? from : to) !== undefined) t.fail(`"${w}" given twice`);
      if (w === 'from') from = v;
      else to = v;
    } else if (w === 'fwmark') {
      if (fwmark) t.fail('"fwmark" given twice');
      const v = t.next('mark');
      const m = /^(0x[0-9a-f]+|\d+)(?:\/(0x[0-9a-f]+|\d+))?$/i.exec(v);
      if (!m) t.fail(`fwmark "${v}" is not MARK or MARK/MASK`);
      const num = (s: string) => Number(s);
      fwmark = { mark: num(m[1]!), mask: m[2] === undefined ? undefined : num(m[2]) };
      if (fwmark.mark > 0xffffffff || (fwmark.mask ?? 0) > 0xffffffff) t.fail(`fwmark "${v}" is out of range`);
    } else t.fail(`"${w}" where "from", "to", "fwmark" or "lookup" was expected`);
  }
  const table = t.next('table');
  if (!/^(main|local|default|\d+)$/.test(table)) t.fail(`table "${table}" is not main, local, default or a number`);
  t.end();
  return { op: 'rule', verb, pref, from, to, fwmark, table };
}

/** Parses one `bridge -batch` line of podlab's grammar: `fdb replace|del MAC dev D dst IP self [permanent]`. */
export function parseBridgeLine(line: string): FdbCommand {
  const t = new Tokens(line, line.trim().split(/\s+/));
  t.word('fdb');
  const verb = t.word('replace', 'del') as 'replace' | 'del';
  const mac = t.mac();
  t.word('dev');
  const dev = t.name('device');
  t.word('dst');
  const dst = t.ip();
  t.word('self');
  let permanent = false;
  if (t.peek() === 'permanent') {
    t.next('permanent');
    permanent = true;
  }
  t.end();
  return { op: 'fdb', verb, mac, dev, dst, permanent };
}

/** Parses a whole namespace's batch, reporting every bad line at once. */
export function parseBatch(ip: readonly string[], bridge: readonly string[]): { commands: Command[]; lines: string[] } {
  const commands: Command[] = [];
  const lines: string[] = [];
  const bad: string[] = [];
  const add = (l: string, f: (l: string) => Command, tool: string) => {
    if (!l.trim() || l.trim().startsWith('#')) return; // as ip -batch: blank lines and comments are skipped
    try {
      commands.push(f(l));
      lines.push(`${tool} ${l.trim()}`);
    } catch (e) {
      bad.push((e as Error).message);
    }
  };
  for (const l of ip) add(l, parseIpLine, 'ip');
  for (const l of bridge) add(l, parseBridgeLine, 'bridge');
  if (bad.length) throw new Error(bad.join('\n'));
  return { commands, lines };
}

/** What a command does, for error messages ("creating veth vethab12 in pl-x-node1: EEXIST"). */
export function describe(c: Command): string {
  switch (c.op) {
    case 'link-add':
      return c.type.kind === 'veth' ? `creating veth ${c.name} (peer ${c.type.peer.name} in ${c.type.peer.netns})` : `creating ${c.type.kind} ${c.name}`;
    case 'link-set': {
      const what = [c.master === null ? 'nomaster' : c.master ? `master ${c.master}` : '', c.mtu ? `mtu ${c.mtu}` : '', c.mac ? `address ${c.mac}` : ''].filter(Boolean);
      return what.length ? `setting ${what.join(', ')} of ${c.name}${c.up ? ' and bringing it up' : ''}` : `bringing ${c.name} up`;
    }
    case 'hairpin': return `turning hairpin ${c.on ? 'on' : 'off'} on bridge port ${c.name}`;
    case 'link-del': return `deleting link ${c.name}`;
    case 'addr': return `${c.verb === 'add' ? 'adding' : 'deleting'} address ${c.cidr} ${c.verb === 'add' ? 'to' : 'of'} ${c.dev}`;
    case 'route': return `${c.verb === 'replace' ? 'replacing' : 'deleting'} route ${c.dst}${c.via ? ` via ${c.via}` : ''} dev ${c.dev}${c.table ? ` table ${c.table}` : ''}`;
    case 'neigh': return c.verb === 'replace' ? `adding permanent neighbour ${c.ip} lladdr ${c.mac} on ${c.dev}` : `deleting neighbour ${c.ip} on ${c.dev}`;
    case 'rule': return `${c.verb === 'add' ? 'adding' : 'deleting'} rule pref ${c.pref}`;
    case 'fdb': return `${c.verb === 'replace' ? 'replacing' : 'deleting'} fdb entry ${c.mac} dst ${c.dst} on ${c.dev}`;
  }
}
