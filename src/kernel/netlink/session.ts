// One pass over many namespaces: a socket per namespace, opened on first use through a main-thread setns (with
// that namespace's sysctl reads and writes done in the same visit), kept while the pass needs it and closed at
// the end. At most MAX_OPEN sockets are open at once; an idle one is closed to make room (reopening costs ~0.1 ms).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { Observed } from '../ops.js';
import type { KernelSession, SysctlWork } from '../exec.js';
import { canCreateNetns, createNetns, deleteNetns, inNetns, openAt, O_RDONLY, O_WRONLY } from './netns.js';
import { RtSocket } from './socket.js';
import { parseBatch } from './commands.js';
import { readLinks, readNs } from './read.js';
import { runCommands, type NsLink } from './run.js';
import { AF_UNSPEC, RTM, errnoName, ifinfomsg, parseAttrs, str } from './wire.js';

const IFLA_IFALIAS = 20;
const LO_INDEX = 1;

const MAX_OPEN = 256;

/** Runs `fn` on every item, SLICE at a time (each holds a namespace's socket busy while it waits). */
const SLICE = 128;
async function inSlices<T>(items: readonly T[], fn: (x: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += SLICE) await Promise.all(items.slice(i, i + SLICE).map(fn));
}

/**
 * Sysctls of the namespace the thread is in (only synchronous fs calls see it): writes, then reads, every key
 * under net. opened relative to this namespace's /proc/sys/net. Errors are collected as nsctl.py words them; a
 * key that cannot be read is left out.
 */
function doSysctls(netns: string, w: SysctlWork, errors: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = [...(w.write ?? []).map(([k]) => k), ...(w.read ?? [])];
  if (!keys.length) return out;
  const dir = keys.some((k) => k.startsWith('net.')) ? openSync('/proc/sys/net', 'r') : -1;
  // The costly step is the one below net (ipv4, ipv6, bridge): every namespace's entry of that name hangs off the one
  // shared `net` dentry (1.3 ms each with 10,000 namespaces, against 5 µs deeper). Looked up once per visit.
  const sub = new Map<string, number>();
  const under = (c: string) => {
    let fd = sub.get(c);
    if (fd === undefined) sub.set(c, (fd = openAt(dir, c, O_RDONLY)));
    return fd;
  };
  const open = (k: string, flags: number) => {
    if (!k.startsWith('net.')) return openSync(`/proc/sys/${k.replace(/\./g, '/')}`, flags === O_WRONLY ? 'w' : 'r');
    const [c, ...rest] = k.slice(4).split('.');
    return rest.length ? openAt(under(c!), rest.join('/'), flags) : openAt(dir, c!, flags);
  };
  try {
    for (const [k, v] of w.write ?? []) {
      try {
        const fd = open(k, O_WRONLY);
        try {
          writeSync(fd, v);
        } finally {
          closeSync(fd);
        }
      } catch (e) {
        errors.push(`${netns}: ${k}=${v}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    const buf = Buffer.alloc(4096);
    for (const k of w.read ?? []) {
      // Absent (ENOENT: an interface not made yet, a module not loaded) is left out; a read interrupted by a
      // signal is tried again (libuv does not retry reads on EINTR); anything else is an error, never "absent".
      for (let attempt = 0; ; attempt++) {
        try {
          const fd = open(k, O_RDONLY);
          try {
            out[k] = buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, null)).trim();
          } finally {
            closeSync(fd);
          }
          break;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if ((code === 'EINTR' || code === 'EAGAIN') && attempt < 5) continue;
          throw new Error(`reading ${k} in ${netns}: ${code ?? (e as Error).message}`);
        }
      }
    }
  } finally {
    for (const fd of sub.values()) closeSync(fd);
    if (dir >= 0) closeSync(dir);
  }
  return out;
}

/** The LocalExecutor's KernelSession (kernel/exec.ts): rtnetlink sockets per namespace of this host. */
export class NetlinkSession implements KernelSession {
  private readonly open = new Map<string, NsLink>();
  private closed = false;
  /** Requests sent and namespaces entered, for benchmarks and traces. */
  requests = 0;
  entered = 0;

  /** The socket of a namespace, opening it (and doing `sys` there in the same visit) when needed. */
  link(netns: string, sys?: SysctlWork, errors: string[] = []): { h: NsLink; values: Record<string, string> } {
    if (this.closed) throw new Error('netlink session is closed');
    let h = this.open.get(netns);
    let values: Record<string, string> = {};
    if (h) {
      this.open.delete(netns); // most recently used goes last
      this.open.set(netns, h);
      if (sys && ((sys.write?.length ?? 0) || (sys.read?.length ?? 0))) values = this.enter(netns, () => doSysctls(netns, sys, errors));
      return { h, values };
    }
    this.makeRoom();
    const sock = this.enter(netns, () => {
      if (sys) values = doSysctls(netns, sys, errors);
      return new RtSocket(netns);
    });
    h = { netns, sock, index: new Map() };
    this.open.set(netns, h);
    return { h, values };
  }

  private enter<T>(netns: string, fn: () => T): T {
    this.entered++;
    return inNetns(netns, fn);
  }

  private makeRoom(): void {
    if (this.open.size < MAX_OPEN) return;
    for (const [ns, h] of this.open) {
      if (h.sock.busy) continue;
      h.sock.close();
      this.open.delete(ns);
      if (this.open.size < MAX_OPEN) return;
    }
  }

  /** Forget what is known of a namespace's indexes (its veth was just recreated from the other end). */
  forget(netns: string): void {
    this.open.get(netns)?.index.clear();
  }

  /** Sysctls of many namespaces, each in one visit; throws listing every failed write. */
  sysctls(items: readonly ({ netns: string } & SysctlWork)[]): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    const errors: string[] = [];
    for (const i of items) {
      if (!(i.write?.length || i.read?.length)) continue;
      const h = this.open.get(i.netns);
      out.set(i.netns, h ? this.link(i.netns, i, errors).values : this.enter(i.netns, () => doSysctls(i.netns, i, errors)));
    }
    if (errors.length) throw new Error(`sysctl failed:\n  ${errors.slice(0, 10).join('\n  ')}`);
    return out;
  }

  /** Reads a namespace back (links … rules, and the given sysctls) in the shape of parseObserved. */
  async observe(netns: string, sysctlKeys: readonly string[], opts: { fdb: boolean }): Promise<Observed> {
    const { h, values } = this.link(netns, { read: sysctlKeys });
    const r = await readNs(h.sock, opts);
    h.index.clear();
    for (const [n, i] of r.index) h.index.set(n, i);
    const { index: _, ...rest } = r;
    return { ...rest, sysctls: values };
  }

  /** Runs a namespace's ip and bridge lines (podlab's grammar; anything else fails before the first request). */
  async run(netns: string, ip: readonly string[], bridge: readonly string[]): Promise<number> {
    const { commands, lines } = parseBatch(ip, bridge);
    if (!commands.length) return 0;
    const { h } = this.link(netns);
    const n = await runCommands(h, commands, lines);
    this.requests += n;
    for (const c of commands) if (c.op === 'link-add' && c.type.kind === 'veth') this.forget(c.type.peer.netns);
    return n;
  }

  /** Deletes every link but lo (a veth's peer goes with it): see nsctl.py on why, before deleting a namespace. */
  async unlink(netns: string): Promise<string[]> {
    const { h } = this.link(netns);
    const { links, names } = await readLinks(h.sock);
    const idx = new Map([...names].map(([i, n]) => [n, i]));
    const doomed = links.filter((l) => l.name !== 'lo');
    const errs: string[] = [];
    for (let i = 0; i < doomed.length; i += 64) {
      const part = doomed.slice(i, i + 64);
      const res = await h.sock.chunk(part.map((l) => ({ type: RTM.DELLINK, flags: 0, body: ifinfomsg({ family: AF_UNSPEC, index: idx.get(l.name) ?? 0 }) })));
      res.forEach((e, k) => {
        if (e !== 0 && e !== 19) errs.push(`${netns}: delete link ${part[k]!.name}: ${errnoName(e)}`); // ENODEV: went with its peer
      });
    }
    h.index.clear();
    return errs;
  }

  /** Deletes named namespaces in-process (what `ip -force -batch` with `netns del` lines does); returns the errors. */
  deleteNetns(names: readonly string[]): string[] {
    const errs: string[] = [];
    for (const n of names) {
      this.open.get(n)?.sock.close();
      this.open.delete(n);
      const e = deleteNetns(n);
      if (e) errs.push(e);
    }
    return errs;
  }

  /**
   * Makes named namespaces in-process (what `ip -batch` with `netns add` lines does), or undefined when this host's
   * /run/netns is not yet the shared mount point ip makes on first use (the caller then uses ip).
   */
  addNetns(names: readonly string[]): string[] | undefined {
    if (!canCreateNetns()) return undefined;
    const errs: string[] = [];
    for (const n of names) {
      const e = createNetns(n);
      if (e) errs.push(e);
    }
    return errs;
  }

  /** Sets the alias of each namespace's lo (podlab's ownership mark, see kernel/netns.ts); returns the errors. */
  async setMarks(items: readonly { netns: string; alias: string }[]): Promise<string[]> {
    const errs: string[] = [];
    await inSlices(items, async ({ netns, alias }) => {
      try {
        const { h } = this.link(netns);
        const [e] = await h.sock.chunk([{ type: RTM.NEWLINK, flags: 0, body: Buffer.concat([ifinfomsg({ family: AF_UNSPEC, index: LO_INDEX }), str(IFLA_IFALIAS, alias)]) }]);
        if (e) errs.push(`${netns}: mark lo: ${errnoName(e)}`);
      } catch (e) {
        errs.push((e as Error).message);
      }
    });
    return errs;
  }

  /** The alias of each namespace's lo (undefined: none); a namespace that is gone is left out. */
  async readMarks(names: readonly string[]): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    await inSlices(names, async (netns) => {
      let h: NsLink;
      try {
        h = this.link(netns).h;
      } catch (e) {
        const m = (e as Error).message;
        if (/ENOENT/.test(m)) return; // deleted meanwhile
        // EINVAL: a name with no namespace bound to it (a creation killed between the file and its mount): no mark.
        if (/EINVAL/.test(m)) return void out.set(netns, undefined);
        throw e;
      }
      const m = await h.sock.get(RTM.GETLINK, ifinfomsg({ family: AF_UNSPEC, index: LO_INDEX }));
      if (typeof m === 'number') {
        if (m === 19) return; // ENODEV: the namespace is being torn down
        throw new Error(`${netns}: reading lo: ${errnoName(m)}`);
      }
      const a = parseAttrs(m.data, 16).get(IFLA_IFALIAS);
      const v = a ? a.toString('utf8').replace(/\0+$/, '') : '';
      out.set(netns, v === '' ? undefined : v);
    });
    return out;
  }

  close(): void {
    this.closed = true;
    for (const h of this.open.values()) h.sock.close();
    this.open.clear();
  }
}
