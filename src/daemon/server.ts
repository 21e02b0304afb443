// The API's HTTP side on the unix socket: routes, JSON bodies, NDJSON answers, errors as the CLI would print them.
// The socket is created with mode 0600 and owned by root: only root can connect (a non-root client's connect fails
// with EACCES and the thin client says why).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { SpecError } from '../input/problems.js';
import { PreflightError } from '../kernel/preflight.js';
import { API, OPS, statusOf, type Op, type WireError } from './protocol.js';
import type { Daemon } from './daemon.js';

const MAX_BODY = 1 << 20;

export function wireError(e: unknown): WireError {
  if (e instanceof SpecError) return { name: 'SpecError', message: e.message, problems: e.problems };
  if (e instanceof PreflightError) return { name: 'PreflightError', message: e.message, missing: e.missing };
  if (e instanceof Error) return { name: e.name === 'Error' ? 'Error' : e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      text += d;
      if (text.length > MAX_BODY) {
        reject(Object.assign(new Error('request body over 1 MiB'), { name: 'BadRequest' }));
        req.destroy();
      }
    });
    req.on('end', () => {
      if (!text.trim()) return resolve({});
      try {
        const v = JSON.parse(text) as unknown;
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('the body must be a JSON object');
        resolve(v as Record<string, unknown>);
      } catch (e) {
        reject(Object.assign(new Error(`bad JSON body: ${(e as Error).message}`), { name: 'BadRequest' }));
      }
    });
    req.on('error', reject);
  });
}

/** An NDJSON answer whose status is decided by its first line: a lone error before anything else keeps its 4xx. */
class Answer {
  private started = false;
  constructor(private readonly res: ServerResponse) {}
  private begin(status: number) {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(status, { 'content-type': 'application/x-ndjson' });
  }
  line(o: unknown, status = 200): void {
    this.begin(status);
    this.res.write(JSON.stringify(o) + '\n');
  }
  end(o: unknown, status = 200): void {
    this.line(o, status);
    this.res.end();
  }
}

async function handle(d: Daemon, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://podlab');
  const a = new Answer(res);
  const fail = (e: unknown) => {
    const w = wireError(e);
    a.end({ error: w }, statusOf(w));
  };
  if (req.method === 'GET' && url.pathname === `${API}/health`) {
    a.end({ pid: process.pid, labs: d.labNames(), socket: d.o.socket, stateDir: d.o.stateDir, resyncMs: d.o.resyncMs });
    return;
  }
  if (req.method === 'GET' && url.pathname === `${API}/events`) {
    const cluster = url.searchParams.get('cluster') ?? undefined;
    const labs = cluster ? [cluster] : [...new Set([...d.labNames(), ...(await d.store.list())])];
    if (cluster && !labs.some((c) => d.labNames().includes(c)) && !(await d.store.list()).includes(cluster)) {
      fail(Object.assign(new Error(`no lab named "${cluster}"`), { name: 'NotFound' }));
      return;
    }
    for (const e of d.log.all(labs)) a.line(e);
    if (url.searchParams.get('follow') !== '1') {
      res.end();
      return;
    }
    a.line({ time: new Date().toISOString(), cluster: cluster ?? '', type: 'Normal', reason: 'Watching', object: cluster ? `lab ${cluster}` : 'all labs', message: 'following: new events appear as the daemon acts' });
    const off = d.log.subscribe(cluster, (e) => a.line(e));
    req.on('close', off);
    return;
  }
  const op = url.pathname.startsWith(`${API}/`) ? url.pathname.slice(API.length + 1) : '';
  if (req.method !== 'POST' || !(OPS as readonly string[]).includes(op)) {
    fail(Object.assign(new Error(`no such call: ${req.method} ${url.pathname} (calls: ${OPS.map((o) => `POST ${API}/${o}`).join(', ')}, GET ${API}/events, GET ${API}/health)`), { name: 'NotFound' }));
    return;
  }
  let b: Record<string, unknown>;
  try {
    b = await body(req);
  } catch (e) {
    fail(e);
    return;
  }
  try {
    const result = await d.call(op as Op, b, (m) => a.line({ progress: m }));
    a.end({ result: result ?? null });
  } catch (e) {
    fail(e);
  }
}

/** Whether a daemon already answers on this socket. */
export function answering(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(socket);
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

export async function listen(d: Daemon, socket: string): Promise<Server> {
  if (existsSync(socket)) {
    if (await answering(socket)) throw new Error(`a podlab daemon already answers on ${socket}`);
    rmSync(socket, { force: true }); // left by a daemon that was killed
  }
  const server = createServer((req, res) => void handle(d, req, res).catch((e) => {
    if (!res.headersSent) res.writeHead(500);
    res.end(JSON.stringify({ error: wireError(e) }) + '\n');
  }));
  server.keepAliveTimeout = 1000;
  const old = process.umask(0o177); // the socket is born 0600: no window where others could connect
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => resolve());
    });
  } finally {
    process.umask(old);
  }
  chmodSync(socket, 0o600);
  return server;
}
