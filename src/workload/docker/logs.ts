// A container's output as the engine kept it (json-file): stdout and stderr in the order written, of the
// current instance or, with previous, of the one before the last restart (`kubectl logs --previous`).
import { Writable } from 'node:stream';
import type { Engine } from './engine.js';
import type { PodRef } from './labels.js';
import { instances } from './containers.js';

export interface LogFrame {
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

/** Split the engine's multiplexed log format (8-byte header: stream, 0, 0, 0, big-endian length) into frames. */
export function demux(buf: Buffer): LogFrame[] {
  const out: LogFrame[] = [];
  let o = 0;
  while (o + 8 <= buf.length) {
    const kind = buf[o]!;
    const len = buf.readUInt32BE(o + 4);
    if (kind > 2 || o + 8 + len > buf.length) break;
    out.push({ stream: kind === 2 ? 'stderr' : 'stdout', data: buf.subarray(o + 8, o + 8 + len) });
    o += 8 + len;
  }
  if (o < buf.length && out.length === 0) out.push({ stream: 'stdout', data: buf }); // a TTY container's logs are not multiplexed
  return out;
}

export interface LogOpts {
  /** The instance before the last restart. */
  readonly previous?: boolean;
  /** Only the last N lines. */
  readonly tail?: number;
  /** Only lines written after this time (seconds since the epoch). */
  readonly since?: number;
  readonly timestamps?: boolean;
}

export class NoInstanceError extends Error {
  constructor(ref: PodRef, container: string, previous: boolean) {
    super(previous
      ? `previous terminated container "${container}" in pod "${ref.namespace}/${ref.pod}" not found (it has not restarted)`
      : `pod "${ref.namespace}/${ref.pod}" has no container "${container}"`);
    this.name = 'NoInstanceError';
  }
}

async function instanceId(engine: Engine, ref: PodRef, container: string, previous: boolean): Promise<string> {
  const have = await instances(engine, ref, container);
  const c = have[previous ? 1 : 0];
  if (!c) throw new NoInstanceError(ref, container, previous);
  return c.Id;
}

const query = (o: LogOpts) => ({ stdout: true, stderr: true, timestamps: !!o.timestamps, ...(o.tail !== undefined ? { tail: o.tail } : {}), ...(o.since !== undefined ? { since: o.since } : {}) });

/** The whole log at once: interleaved text (as kubectl logs prints it) and each stream alone. */
export async function containerLogs(engine: Engine, ref: PodRef, container: string, opts: LogOpts = {}): Promise<{ text: string; stdout: string; stderr: string }> {
  const id = await instanceId(engine, ref, container, !!opts.previous);
  const buf = await engine.docker.getContainer(id).logs({ ...query(opts), follow: false });
  const frames = demux(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
  const join = (fs: LogFrame[]) => Buffer.concat(fs.map((f) => f.data)).toString();
  return { text: join(frames), stdout: join(frames.filter((f) => f.stream === 'stdout')), stderr: join(frames.filter((f) => f.stream === 'stderr')) };
}

/** Follow the log (`logs -f`): write each chunk as it comes; resolves when the container stops or the signal aborts. */
export async function followLogs(engine: Engine, ref: PodRef, container: string, write: (f: LogFrame) => void, opts: LogOpts & { signal?: AbortSignal } = {}): Promise<void> {
  const id = await instanceId(engine, ref, container, !!opts.previous);
  const stream = await engine.docker.getContainer(id).logs({ ...query(opts), follow: true });
  const sink = (kind: LogFrame['stream']) => new Writable({ write(c: Buffer, _e, cb) { write({ stream: kind, data: c }); cb(); } });
  engine.docker.modem.demuxStream(stream, sink('stdout'), sink('stderr'));
  await new Promise<void>((resolve, reject) => {
    const stop = () => { (stream as unknown as { destroy(): void }).destroy(); resolve(); };
    if (opts.signal?.aborted) return stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', (e) => (opts.signal?.aborted ? resolve() : reject(e)));
  });
}
