// Runs a namespace's parsed batch on its socket: requests go out in chunks; a device needed as an index that is
// not known yet (made earlier in this batch, or never read) is looked up by name after the requests before it
// are done. The first failure stops the batch and is reported with what was being done and its line.
import { describe, type Command } from './commands.js';
import { encode, needs, type Request } from './encode.js';
import { CHUNK, type RtSocket } from './socket.js';
import { openNetns } from './netns.js';
import { closeSync } from 'node:fs';
import { AF_UNSPEC, IFLA, NLMSG, RTEXT_FILTER_SKIP_STATS, RTM, attrs, errnoName, ifinfomsg, str, u32 } from './wire.js';

/** A socket in one namespace with what is known of its interface indexes. */
export interface NsLink {
  readonly netns: string;
  readonly sock: RtSocket;
  readonly index: Map<string, number>;
}

export class BatchError extends Error {
  constructor(readonly netns: string, readonly line: string, readonly errno: string, what: string, more: number) {
    super(`${what} in ${netns}: ${errno}${more ? ` (and ${more} more failed in the same chunk)` : ''}\n    at: ${line}`);
    this.name = 'BatchError';
  }
}

async function lookup(h: NsLink, name: string, c: Command, line: string): Promise<void> {
  const r = await h.sock.get(RTM.GETLINK, attrs(ifinfomsg({ family: AF_UNSPEC }), str(IFLA.IFNAME, name), u32(IFLA.EXT_MASK, RTEXT_FILTER_SKIP_STATS)));
  if (typeof r === 'number') throw new BatchError(h.netns, line, r === 19 ? `no device ${name} (ENODEV)` : errnoName(r), describe(c), 0);
  if (r.type !== RTM.NEWLINK && r.type !== NLMSG.DONE) throw new Error(`unexpected answer (type ${r.type}) looking up ${name} in ${h.netns}`);
  h.index.set(name, r.data.readInt32LE(4));
}

/** Runs commands in order. Returns how many requests went to the kernel. */
export async function runCommands(h: NsLink, commands: readonly Command[], lines: readonly string[]): Promise<number> {
  const fds = new Map<string, number>();
  let pending: { req: Request; i: number }[] = [];
  let sent = 0;
  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    const errs = await h.sock.chunk(batch.map((p) => p.req));
    sent += batch.length;
    const bad = errs.map((e, k) => [e, k] as const).filter(([e]) => e !== 0);
    if (bad.length) {
      const [e, k] = bad[0]!;
      const i = batch[k]!.i;
      throw new BatchError(h.netns, lines[i]!, errnoName(e), describe(commands[i]!), bad.length - 1);
    }
  };
  try {
    for (let i = 0; i < commands.length; i++) {
      const c = commands[i]!;
      for (const name of needs(c)) {
        if (h.index.has(name)) continue;
        await flush();
        await lookup(h, name, c, lines[i]!);
      }
      const req = encode(c, {
        index: (n) => h.index.get(n)!,
        netnsFd: (ns) => {
          let fd = fds.get(ns);
          if (fd === undefined) fds.set(ns, (fd = openNetns(ns)));
          return fd;
        },
      });
      pending.push({ req, i });
      // A created or deleted link's index is no longer what we knew.
      if (c.op === 'link-add' || c.op === 'link-del') h.index.delete(c.name);
      if (pending.length >= CHUNK) await flush();
    }
    await flush();
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return sent;
}
