// A process container's state, from the files its shim writes (shim.sh) and podlab's own record of each instance:
// <pod>/containers/<name>/attempt (the current instance), <n>.meta.json (how it was started), <n>.start, <n>.exit,
// <n>.log. What the kernel says (is the pid alive?) decides between running and gone.
import { join } from 'node:path';
import type { Executor } from '../../kernel/exec.js';
import type { ContainerState, Observed } from '../types.js';

/** How an instance runs: its own command under the shim, or a listener set of the node's netexec runtime. */
export interface InstanceMeta {
  readonly kind: 'process' | 'netexec' | 'idle';
  readonly attempt: number;
  readonly spawnedAt: string;
  /** The shim (process, idle) or the node's netexec runtime. */
  readonly pid?: number;
  /** netexec: the listener id in the runtime's status. */
  readonly listener?: string;
  readonly netns: string;
}

export const files = (dir: string, n: number) => ({
  meta: join(dir, `${n}.meta.json`), start: join(dir, `${n}.start`), exit: join(dir, `${n}.exit`), log: join(dir, `${n}.log`),
});
export const attemptFile = (dir: string) => join(dir, 'attempt');

const isoOf = (epoch: string | undefined) => {
  const n = Number(epoch);
  return Number.isFinite(n) && n > 0 ? new Date(Math.round(n * 1000)).toISOString() : undefined;
};

export async function readAttempt(exec: Executor, dir: string): Promise<number | undefined> {
  const t = await exec.files.read(attemptFile(dir));
  const n = t === undefined ? NaN : Number(t.trim());
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export async function readMeta(exec: Executor, dir: string, n: number): Promise<InstanceMeta | undefined> {
  try {
    const t = await exec.files.read(files(dir, n).meta);
    return t ? (JSON.parse(t) as InstanceMeta) : undefined;
  } catch {
    return undefined;
  }
}

/** "<code> <time> [<reason> [<message>]]" */
export function parseExit(text: string): { code: number; at?: string; reason?: string; message?: string } | undefined {
  const m = /^(-?\d+)\s+(\S+)(?:\s+(\S+)(?:\s+(.*))?)?/.exec(text.trim());
  if (!m) return undefined;
  return { code: Number(m[1]), at: isoOf(m[2]), ...(m[3] ? { reason: m[3] } : {}), ...(m[4] ? { message: m[4] } : {}) };
}

export function exitLine(code: number, reason?: string, message?: string): string {
  return `${code} ${(Date.now() / 1000).toFixed(6)}${reason ? ` ${reason}${message ? ` ${message.replace(/\n/g, ' ')}` : ''}` : ''}\n`;
}

/** Kubernetes' reason for an exit: Completed, Error (a kill by SIGKILL/SIGTERM is an Error with 137/143, as in a cluster). */
const reasonOf = (code: number) => (code === 0 ? 'Completed' : 'Error');

export interface Liveness {
  /** Whether a netexec listener is up (undefined: not a netexec instance). */
  listenerOk?(meta: InstanceMeta): { ok: boolean; error?: string } | undefined;
  /** exec.alive, answered once per pid for a pass over many containers (the netexec ones share their node's runtime). */
  alive?(pid: number, netns?: string): boolean;
}

/**
 * An instance's meta and start record, as read last time while its meta file is the same file (by inode, mtime and
 * size): both are written once per instance, and reading them for every container twice a second was most of a
 * 1,000-pod lab's supervisor. Bounded: a daemon that saw many pods come and go starts the cache over.
 */
const seen = new Map<string, { stamp: string; meta: InstanceMeta; start?: string }>();

async function metaAndStart(exec: Executor, dir: string, n: number): Promise<{ meta: InstanceMeta; start?: string } | undefined> {
  const f = files(dir, n);
  const stamp = exec.files.stamp?.(f.meta);
  if (exec.files.stamp && stamp === undefined) return undefined;
  let e = stamp !== undefined ? seen.get(f.meta) : undefined;
  if (!e || e.stamp !== stamp) {
    const meta = await readMeta(exec, dir, n);
    if (!meta) return undefined;
    e = { stamp: stamp ?? '', meta };
    if (stamp !== undefined) {
      if (seen.size >= 20_000) seen.clear();
      seen.set(f.meta, e);
    }
  }
  if (e.start === undefined) {
    const t = await exec.files.read(f.start);
    if (!t?.trim()) return { meta: e.meta };
    if (stamp !== undefined) e.start = t;
    return { meta: e.meta, start: t };
  }
  return e;
}

/** One instance's state: running, terminated or waiting (made, not started yet). */
export async function instanceState(exec: Executor, dir: string, n: number, live: Liveness): Promise<{ state: ContainerState; pid?: number } | undefined> {
  const ms = await metaAndStart(exec, dir, n);
  if (!ms) return undefined;
  const meta = ms.meta;
  const alive = (pid: number, netns?: string) => (live.alive ? live.alive(pid, netns) : exec.alive(pid, netns));
  const f = files(dir, n);
  const startT = ms.start;
  const exitT = exec.files.stamp && exec.files.stamp(f.exit) === undefined ? undefined : await exec.files.read(f.exit);
  const started = startT ? startT.trim().split(/\s+/) : undefined;
  const startedAt = isoOf(started?.[1]) ?? meta.spawnedAt;
  if (exitT) {
    const x = parseExit(exitT);
    if (x) {
      const finishedAt = x.at && startedAt && x.at < startedAt ? startedAt : x.at;
      return { state: { terminated: { exitCode: x.code, reason: x.reason ?? reasonOf(x.code), ...(x.message ? { message: x.message } : {}), startedAt, ...(finishedAt ? { finishedAt } : {}) } } };
    }
  }
  if (meta.kind === 'netexec') {
    const l = live.listenerOk?.(meta);
    const rtAlive = meta.pid !== undefined && alive(meta.pid, meta.netns);
    if (l?.ok && rtAlive) return { state: { running: { startedAt } }, pid: meta.pid };
    if (l && !l.ok) return { state: { terminated: { exitCode: 1, reason: 'Error', message: l.error ?? 'netexec could not listen', startedAt, finishedAt: startedAt } } };
    if (!rtAlive) return { state: { terminated: { exitCode: 137, reason: 'Error', message: 'the node\'s netexec runtime is gone', startedAt, finishedAt: new Date().toISOString() } } };
    return { state: { waiting: { reason: 'ContainerCreating' } } };
  }
  if (started) {
    const pid = Number(started[0]);
    if (pid > 0 && alive(pid)) return { state: { running: { startedAt } }, pid };
    if (meta.pid !== undefined && alive(meta.pid)) return { state: { running: { startedAt } }, pid };
    // The shim is gone without a record: killed from outside (down, a namespace deleted under it).
    return { state: { terminated: { exitCode: 137, reason: 'Error', message: 'the container\'s shim was killed', startedAt, finishedAt: startedAt } } };
  }
  if (meta.pid !== undefined && alive(meta.pid)) return { state: { waiting: { reason: 'ContainerCreating' } } };
  return { state: { terminated: { exitCode: 128, reason: 'StartError', message: 'the container did not start (see podlab logs)', startedAt: meta.spawnedAt, finishedAt: meta.spawnedAt } } };
}

/** The container's current instance and the end of the one before. */
export async function observeContainer(exec: Executor, dir: string, live: Liveness): Promise<Observed | undefined> {
  const n = await readAttempt(exec, dir);
  if (n === undefined) return undefined;
  const cur = await instanceState(exec, dir, n, live);
  if (!cur) return undefined;
  const prev = n > 0 ? await instanceState(exec, dir, n - 1, live) : undefined;
  return {
    attempt: n, state: cur.state, ...(prev && 'terminated' in prev.state ? { lastState: prev.state } : {}),
    ...(cur.pid !== undefined ? { pid: cur.pid, containerID: `process://${cur.pid}` } : {}),
  };
}
