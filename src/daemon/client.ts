// The thin client of the daemon's API (node:http on the unix socket, nothing else): the CLI's path when the daemon
// of its state directory answers. `call` returns undefined when no daemon listens there (the CLI then runs the
// use-case in-process), the result when it answered, and throws the daemon's error as a RemoteError otherwise.
import { request } from 'node:http';
import { API, socketPath, type EventJson, type Op, type WireError } from './protocol.js';

/** An error the daemon raised, with the name of the use-case's error class (SpecError, PreflightError, …). */
export class RemoteError extends Error {
  constructor(readonly wire: WireError, readonly status: number) {
    super(wire.message);
    this.name = wire.name;
  }
  get problems() {
    return this.wire.problems ?? [];
  }
}

/** A non-root caller of a root-only daemon. */
export class RefusedError extends Error {
  constructor(readonly socket: string, readonly op?: string) {
    super(`\`podlab ${op ?? 'COMMAND'}\` needs root: the labs' network namespaces, their state and the podlab daemon's socket ${socket} belong to root; run it with sudo`);
    this.name = 'RefusedError';
  }
}

export interface CallOptions {
  readonly socket?: string;
  /** Progress lines the daemon streams while it works (and "waiting: …" when the lab is busy). */
  readonly progress?: (msg: string) => void;
  /** Do not use the daemon (PODLAB_NO_DAEMON=1 does the same). */
  readonly local?: boolean;
}

const noDaemon = (code?: string) => code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK';

/** Lines of an NDJSON body, as they arrive. */
function lines(res: NodeJS.ReadableStream, each: (o: Record<string, unknown>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (l) each(JSON.parse(l) as Record<string, unknown>);
      }
    });
    res.on('end', () => {
      if (buf.trim()) each(JSON.parse(buf) as Record<string, unknown>);
      resolve();
    });
    res.on('error', reject);
  });
}

interface Answer {
  status: number;
  res: import('node:http').IncomingMessage;
}

function open(method: string, path: string, body: unknown, socket: string, op?: string): Promise<Answer | undefined> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: socket, method, path, headers: text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {} }, (res) => resolve({ status: res.statusCode ?? 0, res }));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (noDaemon(e.code)) resolve(undefined);
      else if (e.code === 'EACCES' || e.code === 'EPERM') reject(new RefusedError(socket, op));
      else reject(e);
    });
    req.end(text);
  });
}

/** Whether `PODLAB_NO_DAEMON` asks for in-process runs. */
export function daemonDisabled(o: CallOptions = {}): boolean {
  return o.local === true || !!process.env.PODLAB_NO_DAEMON;
}

/** Call a use-case on the daemon: undefined when no daemon answers. */
export async function call<T>(op: Op, body: Record<string, unknown>, o: CallOptions = {}): Promise<T | undefined> {
  if (daemonDisabled(o)) return undefined;
  const socket = o.socket ?? socketPath();
  const a = await open('POST', `${API}/${op}`, body, socket, op);
  if (!a) return undefined;
  let result: T | undefined;
  let error: WireError | undefined;
  let got = false;
  await lines(a.res, (m) => {
    if (typeof m.progress === 'string') {
      if (o.progress) o.progress(m.progress);
      else if (m.progress.startsWith('waiting:')) process.stderr.write(m.progress + '\n'); // as the in-process lock says it
    }
    else if ('result' in m) {
      result = m.result as T;
      got = true;
    } else if (m.error) error = m.error as WireError;
  });
  if (error) throw new RemoteError(error, a.status);
  if (!got) throw new Error(`the podlab daemon at ${socket} ended the ${op} call without an answer (did it stop?)`);
  return result;
}

/** Stream the daemon's events; resolves when the stream ends (never with follow, unless the daemon stops). */
export async function events(q: { cluster?: string; follow?: boolean }, each: (e: EventJson) => void, o: CallOptions = {}): Promise<boolean> {
  const socket = o.socket ?? socketPath();
  const qs = new URLSearchParams({ ...(q.cluster ? { cluster: q.cluster } : {}), ...(q.follow ? { follow: '1' } : {}) });
  const a = await open('GET', `${API}/events?${qs}`, undefined, socket, 'events');
  if (!a) return false;
  if (a.status >= 400) {
    let err: WireError | undefined;
    await lines(a.res, (m) => { err = m.error as WireError; });
    throw new RemoteError(err ?? { name: 'Error', message: `HTTP ${a.status}` }, a.status);
  }
  await lines(a.res, (m) => each(m as unknown as EventJson));
  return true;
}

/** The daemon's health answer, or undefined when none listens. */
export async function health(o: CallOptions = {}): Promise<{ pid: number; labs: string[]; socket: string; stateDir: string } | undefined> {
  const socket = o.socket ?? socketPath();
  const a = await open('GET', `${API}/health`, undefined, socket);
  if (!a) return undefined;
  let h: unknown;
  await lines(a.res, (m) => { h = m; });
  return h as { pid: number; labs: string[]; socket: string; stateDir: string };
}
