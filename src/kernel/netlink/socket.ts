// One rtnetlink socket (the `netlink` package's RawNetlinkSocket), bound to the namespace it was opened in.
// Requests go out in chunks: up to CHUNK messages in one sendmsg, only the last asking for an acknowledgement
// (the kernel answers a failed message anyway and handles a chunk's messages in order), so a namespace's whole
// batch costs one system call and one reply. At most one chunk is in flight per socket: the replies a chunk can
// produce (one per message at worst) stay far below what the receive buffer holds — the addon aborts the
// process when it overflows. Dumps are serialized per socket: the kernel runs one dump at a time on a socket.
import { createRequire } from 'node:module';
import { NLM_F, NLMSG, errorCode, message, splitMessages, type RawMessage } from './wire.js';
import type { Request } from './encode.js';

export const CHUNK = 64;
const TIMEOUT_MS = 60_000;
const NETLINK_ROUTE = 0;

interface Raw {
  send(msg: Uint8Array | Uint8Array[], options: undefined, cb: (err?: Error) => void): void;
  on(ev: 'message', f: (msg: Buffer) => void): void;
  on(ev: 'error', f: (err: Error) => void): void;
  close(): void;
  ref(): void;
  unref(): void;
}
type RawCtor = new (protocol: number, options?: { recvBufferSize?: number }) => Raw;

let Ctor: RawCtor | undefined;
let loadError: string | undefined;

function rawCtor(): RawCtor {
  if (Ctor) return Ctor;
  if (loadError) throw new Error(loadError);
  try {
    Ctor = (createRequire(import.meta.url)('netlink') as { RawNetlinkSocket: RawCtor }).RawNetlinkSocket;
    return Ctor;
  } catch (e) {
    loadError = `the netlink package does not load here: ${(e as Error).message}`;
    throw new Error(loadError);
  }
}

export function netlinkLoads(): string | undefined {
  try {
    rawCtor();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** An errno from the kernel for one request. */
export class NetlinkError extends Error {
  constructor(readonly errno: number, msg: string) {
    super(msg);
    this.name = 'NetlinkError';
  }
}

type Waiter = (m: RawMessage) => void;

export class RtSocket {
  private readonly raw: Raw;
  private seq = 1;
  private readonly waiters = new Map<number, Waiter>();
  private failed?: Error;
  private closed = false;
  private dumps: Promise<unknown> = Promise.resolve();

  /** Opens a socket in the thread's current namespace (see netns.ts inNetns to open one elsewhere). */
  constructor(readonly where: string) {
    const C = rawCtor();
    this.raw = new C(NETLINK_ROUTE, { recvBufferSize: 1 << 20 });
    this.raw.unref();
    this.raw.on('message', (buf) => this.receive(buf));
    this.raw.on('error', (err) => this.fail(new Error(`netlink socket in ${where}: ${err.message}`)));
  }

  get busy(): boolean {
    return this.waiters.size > 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error(`netlink socket in ${this.where} closed`));
    this.raw.close();
  }

  private fail(e: Error): void {
    this.failed ??= e;
    const ws = [...this.waiters.values()];
    this.waiters.clear();
    for (const w of ws) w({ type: -1, flags: 0, seq: 0, data: Buffer.alloc(0) });
  }

  private receive(buf: Buffer): void {
    let msgs: RawMessage[];
    try {
      msgs = splitMessages(buf);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    for (const m of msgs) this.waiters.get(m.seq)?.(m);
  }

  private wait(seq: number, w: Waiter): void {
    if (this.waiters.size === 0) this.raw.ref();
    this.waiters.set(seq, w);
  }

  private done(seq: number): void {
    this.waiters.delete(seq);
    if (this.waiters.size === 0) this.raw.unref();
  }

  private check(): void {
    if (this.failed) throw this.failed;
  }

  private send(buf: Buffer | Buffer[], onErr: (e: Error) => void): void {
    this.raw.send(buf, undefined, (err) => {
      if (err) onErr(new Error(`sending to the kernel from ${this.where}: ${(err as { code?: string }).code ?? err.message}`));
    });
  }

  /**
   * Sends up to CHUNK requests in one sendmsg; resolves with the errno of each (0 = done). The kernel handles them
   * in order, so when the last one's acknowledgement arrives every earlier failure has arrived before it.
   */
  chunk(reqs: readonly Request[]): Promise<number[]> {
    this.check();
    if (reqs.length === 0) return Promise.resolve([]);
    if (reqs.length > CHUNK) throw new Error(`at most ${CHUNK} requests per chunk (${reqs.length})`);
    const first = this.seq;
    this.seq += reqs.length;
    const bufs = reqs.map((r, i) => message(r.type, NLM_F.REQUEST | r.flags | (i === reqs.length - 1 ? NLM_F.ACK : 0), first + i, r.body));
    const errs = new Array<number>(reqs.length).fill(0);
    return new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no answer from the kernel in ${this.where} after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      timer.unref();
      let settled = false;
      const finish = (e?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        for (let i = 0; i < reqs.length; i++) this.done(first + i);
        if (e) reject(e);
        else resolve(errs);
      };
      for (let i = 0; i < reqs.length; i++) {
        const seq = first + i;
        this.wait(seq, (m) => {
          if (m.type === -1) return finish(this.failed);
          if (m.type === NLMSG.ERROR) errs[i] = errorCode(m);
          if (i === reqs.length - 1) finish();
        });
      }
      this.send(Buffer.concat(bufs), finish);
    });
  }

  /** One request whose answer is a single message (RTM_GETLINK of one device): the message, or the errno. */
  get(type: number, body: Buffer): Promise<RawMessage | number> {
    this.check();
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.wait(seq, (m) => {
        this.done(seq);
        if (m.type === -1) reject(this.failed);
        else if (m.type === NLMSG.ERROR) resolve(errorCode(m));
        else resolve(m);
      });
      this.send(message(type, NLM_F.REQUEST, seq, body), (e) => {
        this.done(seq);
        reject(e);
      });
    });
  }

  /** A dump (one at a time per socket); retried when the kernel marks it interrupted by a concurrent change. */
  dump(type: number, body: Buffer): Promise<RawMessage[]> {
    const run = async (): Promise<RawMessage[]> => {
      for (let attempt = 0; ; attempt++) {
        const r = await this.dumpOnce(type, body);
        if (!r.interrupted || attempt >= 4) return r.msgs;
      }
    };
    const p = this.dumps.then(run, run);
    this.dumps = p.catch(() => undefined);
    return p;
  }

  private dumpOnce(type: number, body: Buffer): Promise<{ msgs: RawMessage[]; interrupted: boolean }> {
    this.check();
    const seq = this.seq++;
    const msgs: RawMessage[] = [];
    let interrupted = false;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.done(seq);
        reject(new Error(`dump in ${this.where} did not finish after ${TIMEOUT_MS / 1000} s`));
      }, TIMEOUT_MS);
      timer.unref();
      this.wait(seq, (m) => {
        if (m.flags & NLM_F.DUMP_INTR) interrupted = true;
        if (m.type === -1 || m.type === NLMSG.ERROR || m.type === NLMSG.DONE) {
          clearTimeout(timer);
          this.done(seq);
          const code = m.type === -1 ? 0 : m.data.length >= 4 ? -m.data.readInt32LE(0) : 0;
          if (m.type === -1) reject(this.failed);
          else if (code) reject(new NetlinkError(code, `dump in ${this.where} failed: errno ${code}`));
          else resolve({ msgs, interrupted });
          return;
        }
        msgs.push(m);
      });
      this.send(message(type, NLM_F.REQUEST | NLM_F.DUMP, seq, body), (e) => {
        clearTimeout(timer);
        this.done(seq);
        reject(e);
      });
    });
  }
}
