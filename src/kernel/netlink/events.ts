// Kernel events from every lab namespace through one socket in the root namespace: rtnetlink (links, addresses,
// routes, neighbours and fdb entries, ip rules) and nfnetlink's nftables group (iptables-nft and nft rule changes),
// each with NETLINK_LISTEN_ALL_NSID so a message from another namespace carries that namespace's id in a control
// message (../shared/reference/netlink.md). koffi calls libc (socket, bind, setsockopt, recvmsg) — the `netlink`
// package has no setsockopt and no control messages — and the `netlink` package parses rtnetlink payloads.
// recvmsg runs on libuv's thread pool (koffi's async calls) with a receive timeout, so the event loop never blocks.
// A namespace sends nothing until it has an id: `assignIds` gives one (`ip netns set NAME auto`).
import koffi from 'koffi';
import netlink from 'netlink';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_ROUTE = 0;
const NETLINK_NETFILTER = 12;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
const SO_RCVTIMEO = 20;
const SOL_NETLINK = 270;
const NETLINK_ADD_MEMBERSHIP = 1;
const NETLINK_LISTEN_ALL_NSID = 8;
const NLMSG_ERROR = 2;
const NLMSG_OVERRUN = 4;
const MSG_DONTWAIT = 0x40;
const ENOBUFS = 105;

// rtnetlink groups (RTNLGRP_*): link 1, neigh 3, ipv4 ifaddr 5, ipv4 route 7, ipv4 rule 8. nfnetlink: nftables 7.
const RT_GROUPS = [1, 3, 5, 7, 8];
const NFNLGRP_NFTABLES = 7;

export type EventKind = 'link' | 'address' | 'route' | 'neighbour' | 'fdb' | 'rule' | 'nftables';

export interface KernelEvent {
  /** The namespace's id as seen from the root namespace, and its name when known. */
  readonly nsid: number;
  readonly netns?: string;
  readonly kind: EventKind;
  readonly action: 'new' | 'del';
  /** What changed, as far as the message says: "10.244.1.0/24", "eth0", "10.244.1.0 dev flannel.1". */
  readonly object: string;
  /** When it was read (performance.now()). */
  readonly at: number;
}

interface Libc {
  socket: (d: number, t: number, p: number) => number;
  bind: (fd: number, a: Record<string, number>, len: number) => number;
  setsockopt: (fd: number, level: number, name: number, v: Buffer, len: number) => number;
  recvmsg: ((fd: number, m: Record<string, unknown>, f: number) => number) & { async: (fd: number, m: Record<string, unknown>, f: number, cb: (err: unknown, n: number) => void) => void };
  close: (fd: number) => number;
  errno: () => number;
}

let libc: Libc | undefined;
function lib(): Libc {
  if (libc) return libc;
  const l = koffi.load('libc.so.6');
  const sockaddr = koffi.struct('pl_sockaddr_nl', { family: 'uint16', pad: 'uint16', pid: 'uint32', groups: 'uint32' });
  koffi.struct('pl_iovec', { base: 'void *', len: 'size_t' });
  koffi.struct('pl_msghdr', { name: 'void *', namelen: 'uint32', iov: 'pl_iovec *', iovlen: 'size_t', control: 'void *', controllen: 'size_t', flags: 'int' });
  const errnoLoc = l.func('int *__errno_location()');
  libc = {
    socket: l.func('int socket(int, int, int)'),
    bind: l.func('int bind(int, const pl_sockaddr_nl *, uint32)'),
    setsockopt: l.func('int setsockopt(int, int, int, const void *, uint32)'),
    recvmsg: l.func('long recvmsg(int, _Inout_ pl_msghdr *, int)'),
    close: l.func('int close(int)'),
    errno: () => koffi.decode(errnoLoc(), 'int') as number,
  };
  void sockaddr;
  return libc;
}

const int = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};

function ipv4(b: unknown): string {
  return b instanceof Uint8Array && b.length === 4 ? [...b].join('.') : '';
}
function mac(b: unknown): string {
  return b instanceof Uint8Array ? [...b].map((x) => x.toString(16).padStart(2, '0')).join(':') : '';
}

/** Describe one rtnetlink message (type and payload after the header), or undefined for what podlab does not manage. */
export function describeRt(type: number, payload: Buffer, names: (index: number) => string | undefined): Omit<KernelEvent, 'nsid' | 'at'> | undefined {
  const action = type % 4 === 0 ? 'new' : type % 4 === 1 ? 'del' : undefined;
  if (!action) return undefined;
  let m: ReturnType<typeof netlink.rt.parseMessage>;
  try {
    m = netlink.rt.parseMessage(type, payload);
  } catch {
    return undefined;
  }
  const any = m as unknown as { kind: string; data: Record<string, unknown>; attrs: Record<string, unknown> };
  const dev = (i: unknown) => (typeof i === 'number' ? names(i) ?? `if${i}` : '?');
  switch (any.kind) {
    case 'link':
      return { kind: 'link', action, object: String(any.attrs.ifname ?? `if${any.data.index as number}`) };
    case 'address':
      if (any.data.family !== 2) return undefined;
      return { kind: 'address', action, object: `${ipv4(any.attrs.local ?? any.attrs.address)}/${any.data.prefixlen as number} dev ${dev(any.data.index)}` };
    case 'route': {
      if (any.data.family !== 2 || any.data.table !== 254) return undefined; // the main table of IPv4
      const len = any.data.dstLen as number;
      const dst = len === 0 ? 'default' : `${ipv4(any.attrs.dst)}${len === 32 ? '' : `/${len}`}`;
      return { kind: 'route', action, object: dst };
    }
    case 'neighbor': {
      const st = any.data.state as Record<string, boolean> | undefined;
      // What ARP and the bridge learn and forget as traffic passes (incomplete, reachable, stale, delay, probe) is not
      // podlab's: its neighbours are permanent, its fdb entries permanent or static (noarp). Deleting a permanent
      // neighbour is reported as failed (`ip monitor`: "… FAILED", then "Deleted … FAILED"), so a failed one counts.
      const learned = !st?.permanent && !st?.noarp && !(st?.failed && action === 'del');
      if (any.data.family === 7) {
        if (learned) return undefined;
        return { kind: 'fdb', action, object: `${mac(any.attrs.lladdr)} dev ${dev(any.data.ifindex)}${any.attrs.dst ? ` dst ${ipv4(any.attrs.dst)}` : ''}` };
      }
      if (any.data.family !== 2) return undefined;
      if (learned || (!st?.permanent && action === 'new')) return undefined;
      return { kind: 'neighbour', action, object: `${ipv4(any.attrs.dst)} dev ${dev(any.data.ifindex)}` };
    }
    case 'rule':
      return any.data.family === 2 ? { kind: 'rule', action, object: `pref ${String(any.attrs.priority ?? '?')}` } : undefined;
    default:
      return undefined;
  }
}

export interface WatchOptions {
  /** Called for every event of a namespace with an id (events of the root namespace are not podlab's). */
  readonly onEvent: (e: KernelEvent) => void;
  /** The receive buffer overflowed: events were lost, everything must be read again. */
  readonly onOverrun?: () => void;
  readonly onError?: (e: Error) => void;
}

/** nsid → name, from `ip -j netns list` (refreshed when an unknown id shows up). */
export function readNsids(): Map<number, string> {
  const out = new Map<number, string>();
  try {
    const j = JSON.parse(execFileSync('ip', ['-j', 'netns', 'list'], { encoding: 'utf8' }) || '[]') as { name: string; id?: number }[];
    for (const n of j) if (typeof n.id === 'number') out.set(n.id, n.name);
  } catch {
    /* none */
  }
  return out;
}

/** Namespaces given an id by this process, with the inode they had then (a namespace made anew under the name has another, mostly). */
const named = new Map<string, number>();
const inoOf = (n: string) => {
  try {
    return statSync(`/run/netns/${n}`).ino;
  } catch {
    return -1;
  }
};

/**
 * Give namespaces an id where they have none, in one `ip -batch` (without one they send no events): those this
 * process has not named yet, or that were made anew since (`fresh`: the kernel may hand a new namespace a freed
 * one's inode). Returns whether any was named: the caller then reads the ids again. Naming a namespace that has an
 * id already fails harmlessly; nothing is spawned when every namespace is known (a 1,000-pod lab's `ip netns list`
 * took ~180 ms after every call).
 */
export function assignIds(names: readonly string[], fresh: Iterable<string> = []): boolean {
  const f = new Set(fresh);
  const todo = names.map((n) => [n, inoOf(n)] as const).filter(([n, ino]) => ino >= 0 && (f.has(n) || named.get(n) !== ino));
  if (!todo.length) return false;
  try {
    execFileSync('ip', ['-force', '-batch', '-'], { input: todo.map(([n]) => `netns set ${n} auto`).join('\n') + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
  } catch {
    /* one had an id already, or was deleted meanwhile: the next resync names it again */
  }
  for (const [n, ino] of todo) named.set(n, ino);
  return true;
}

/** One socket reading one netlink family from every namespace. */
class Reader {
  private fd = -1;
  private stopped = false;
  private readonly buf = Buffer.alloc(1 << 18);
  private readonly ctl = Buffer.alloc(256);

  constructor(private readonly protocol: number, private readonly groups: readonly number[], private readonly each: (nsid: number, type: number, payload: Buffer) => void,
    private readonly o: WatchOptions) {}

  start(): void {
    const c = lib();
    const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, this.protocol);
    if (fd < 0) throw new Error(`netlink socket (protocol ${this.protocol}): errno ${c.errno()}`);
    if (c.bind(fd, { family: AF_NETLINK, pad: 0, pid: 0, groups: 0 }, 12) < 0) throw new Error(`netlink bind: errno ${c.errno()}`);
    for (const g of this.groups) if (c.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, int(g), 4) < 0) throw new Error(`netlink group ${g}: errno ${c.errno()}`);
    if (c.setsockopt(fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, int(1), 4) < 0) throw new Error(`NETLINK_LISTEN_ALL_NSID: errno ${c.errno()}`);
    // Room for a burst: the kernel sends every message of a transaction (one per rule: ~80,000, over 8 MB, for a full
    // restore of a 1,000-pod lab's nat tables) before we read any; what overflows costs a resync of every lab.
    // Charged only while queued.
    if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, int(64 << 20), 4) < 0) c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, int(8 << 20), 4);
    const tv = Buffer.alloc(16);
    tv.writeBigInt64LE(0n, 0);
    tv.writeBigInt64LE(300_000n, 8); // 0.3 s: recvmsg returns so that stop() is noticed
    c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
    this.fd = fd;
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    const m = { name: null, namelen: 0, iov: [{ base: this.buf, len: this.buf.length }], iovlen: 1, control: this.ctl, controllen: this.ctl.length, flags: 0 };
    lib().recvmsg.async(this.fd, m, 0, (err, n) => {
      if (this.stopped) return this.close();
      if (err) {
        this.o.onError?.(err as Error);
      } else if (n < 0) {
        if (lib().errno() === ENOBUFS) this.o.onOverrun?.();
      } else {
        this.dispatch(n, Number(m.controllen));
        // What else is queued, read here without a trip through the thread pool (an iptables-restore of a big
        // table queues one message per rule): at most 512 at a time, so that the event loop keeps turning.
        for (let i = 0; i < 512 && !this.stopped; i++) {
          const d = { ...m, controllen: this.ctl.length, flags: 0 };
          const k = lib().recvmsg(this.fd, d, MSG_DONTWAIT);
          if (k < 0) {
            if (lib().errno() === ENOBUFS) this.o.onOverrun?.();
            break;
          }
          this.dispatch(k, Number(d.controllen));
        }
      }
      setImmediate(() => this.loop());
    });
  }

  private dispatch(n: number, clen: number): void {
    let nsid = -1;
    for (let off = 0; off + 16 <= clen;) {
      const len = Number(this.ctl.readBigUInt64LE(off));
      if (this.ctl.readInt32LE(off + 8) === SOL_NETLINK && this.ctl.readInt32LE(off + 12) === NETLINK_LISTEN_ALL_NSID) nsid = this.ctl.readInt32LE(off + 16);
      if (!len) break;
      off += (len + 7) & ~7;
    }
    if (nsid < 0) return; // the root namespace's own
    for (let p = 0; p + 16 <= n;) {
      const len = this.buf.readUInt32LE(p);
      const type = this.buf.readUInt16LE(p + 4);
      if (len < 16) break;
      if (type === NLMSG_OVERRUN) this.o.onOverrun?.();
      else if (type !== NLMSG_ERROR) this.each(nsid, type, Buffer.from(this.buf.subarray(p + 16, p + len)));
      p += (len + 3) & ~3;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private close(): void {
    if (this.fd >= 0) lib().close(this.fd);
    this.fd = -1;
  }
}

/** Watch every namespace that has an id. Links' names are tracked per namespace to name devices in messages. */
export class KernelEvents {
  private nsids = readNsids();
  private readonly ifnames = new Map<string, string>();
  private readers: Reader[] = [];

  constructor(private readonly o: WatchOptions) {}

  start(): void {
    const emit = (nsid: number, d: Omit<KernelEvent, 'nsid' | 'at'>) => {
      let netns = this.nsids.get(nsid);
      if (netns === undefined) {
        this.nsids = readNsids();
        netns = this.nsids.get(nsid);
      }
      this.o.onEvent({ ...d, nsid, netns, at: performance.now() });
    };
    const rt = new Reader(NETLINK_ROUTE, RT_GROUPS, (nsid, type, payload) => {
      const d = describeRt(type, payload, (i) => this.ifnames.get(`${nsid}|${i}`));
      if (type === 16 || type === 17) {
        const index = payload.readInt32LE(4);
        const name = d?.object;
        if (name && type === 16) this.ifnames.set(`${nsid}|${index}`, name);
      }
      if (d) emit(nsid, d);
    }, this.o);
    // nfnetlink, the nftables subsystem (NFNL_SUBSYS_NFTABLES = 10): every committed transaction (an iptables-nft
    // command, an iptables-restore, an `nft -f`) ends with one NFT_MSG_NEWGEN (16), after one message per table,
    // chain and rule it changed — 4,000 of them for a big node's nat table. One event per transaction: the NEWGEN.
    // (Set elements a rule adds as traffic passes — affinity — are no transaction: no NEWGEN.)
    const nf = new Reader(NETLINK_NETFILTER, [NFNLGRP_NFTABLES], (nsid, type) => {
      if (type >> 8 !== 10 || (type & 0xff) !== 16) return;
      emit(nsid, { kind: 'nftables', action: 'new', object: 'rule set' });
    }, this.o);
    rt.start();
    nf.start();
    this.readers = [rt, nf];
  }

  /** Forget namespace ids (a namespace was deleted and its id may be reused). */
  refresh(): void {
    this.nsids = readNsids();
  }

  stop(): void {
    for (const r of this.readers) r.stop();
    this.readers = [];
  }
}
