// One lab, one writer: every command that changes a lab (up, apply, delete, down, clean, fault, test) holds the lab's
// lock for its whole run, in-process or in the daemon. The lock is flock(2) on a file in the lab's folder that holds
// the holder's pid, command and start time (for the message others see): the kernel releases it when its holder dies
// (kill -9), so there is no stale lock to detect and take over — reading a dead pid and removing its file raced with
// a second taker, which could remove the first one's fresh lock and leave two holders. Where flock cannot be called
// (koffi does not load), the file is created with O_EXCL and a dead pid's lock taken over, as before. A second caller
// waits its turn (saying who holds it), or fails at once with `wait: false`. Within one process
// (the daemon) callers queue on the same lock in memory first, so two use-cases of one process never share it; a
// use-case called by one that holds the lock already (the daemon's lab queue → up; test → up) re-enters it: the
// locks a call chain holds travel with it (AsyncLocalStorage).
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sleep } from '../kernel/exec.js';

export interface LockHolder {
  readonly pid: number;
  readonly command: string;
  readonly since: string;
}

export class LabLockedError extends Error {
  constructor(readonly cluster: string, readonly holder: LockHolder) {
    super(`lab "${cluster}" is being changed by pid ${holder.pid} (${holder.command}, since ${holder.since}); wait for it, or run again without --no-wait`);
    this.name = 'LabLockedError';
  }
}

export interface LockOptions {
  /** Wait for the holder to finish (default), or fail at once. */
  readonly wait?: boolean;
  /** Called once when the lock is held by someone else and we wait. */
  readonly onWait?: (holder: LockHolder) => void;
  /** What this process is doing, for the message others see (default: its argv). */
  readonly command?: string;
  readonly timeoutMs?: number;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A pause that does not keep the process alive by itself. */
const unrefSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Lock files held by this process, and the holder each waiter sees. */
const held = new Map<string, { holder: LockHolder; done: Promise<void> }>();

/** Take the lab's lock in `dir` (the lab's state folder); returns its release. */
export async function lockLab(dir: string, cluster: string, o: LockOptions = {}): Promise<() => void> {
  const file = join(dir, 'lock');
  const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000);
  // Another use-case of this process holds it: wait for it in memory (the file says this pid, so it cannot tell).
  let told = false;
  for (let h = held.get(file); h; h = held.get(file)) {
    if (o.wait === false) throw new LabLockedError(cluster, h.holder);
    if (!told) o.onWait?.(h.holder);
    told = true;
    if (Date.now() > deadline) throw new LabLockedError(cluster, h.holder);
    await Promise.race([h.done, unrefSleep(Math.max(0, deadline - Date.now()) + 1)]);
  }
  let done!: () => void;
  const entry = { holder: { pid: process.pid, command: o.command ?? process.argv.slice(1).join(' '), since: new Date().toISOString() }, done: new Promise<void>((r) => (done = r)) };
  held.set(file, entry);
  try {
    const release = await lockFile(dir, file, cluster, entry.holder, deadline, told, o);
    return () => {
      release();
      held.delete(file);
      done();
    };
  } catch (e) {
    held.delete(file);
    done();
    throw e;
  }
}

const LOCK_EX = 2;
const LOCK_NB = 4;
let flockFn: ((fd: number, op: number) => number) | null | undefined;
/** flock(2) through koffi, or null where it cannot be loaded. */
function flock(): ((fd: number, op: number) => number) | null {
  if (flockFn !== undefined) return flockFn;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as { load(p: string): { func(sig: string): (...a: unknown[]) => number } };
    const f = koffi.load('libc.so.6').func('int flock(int fd, int operation)');
    flockFn = (fd, op) => f(fd, op);
  } catch {
    flockFn = null;
  }
  return flockFn;
}

async function lockFile(dir: string, file: string, cluster: string, me: LockHolder, deadline: number, told: boolean, o: LockOptions): Promise<() => void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fl = flock();
  if (fl) return flockFile(fl, dir, file, cluster, me, deadline, told, o);
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => {
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
        try {
          rmdirSync(dir); // only when empty: `down` removed the lab's state while holding the lock
        } catch {
          /* the lab lives on */
        }
      };
    } catch (e) {
      // The holder's release removed the lab's emptied folder while we waited: make it again and retry.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        continue;
      }
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    if (!holder || !alive(holder.pid) || holder.pid === process.pid) {
      // A dead holder, a half-written lock, or one left by an earlier process that had our pid (this process's own
      // holders are in `held`): take it over.
      rmSync(file, { force: true });
      continue;
    }
    told = await waitTurn(cluster, holder, deadline, told, o, 100);
  }
}

/** Someone else holds the lock: fail (wait: false, or past the deadline), or say so once and pause before trying again. */
async function waitTurn(cluster: string, holder: LockHolder, deadline: number, told: boolean, o: LockOptions, ms: number): Promise<boolean> {
  if (o.wait === false) throw new LabLockedError(cluster, holder);
  if (!told) o.onWait?.(holder);
  if (Date.now() > deadline) throw new LabLockedError(cluster, holder);
  await sleep(ms);
  return true;
}

async function flockFile(fl: (fd: number, op: number) => number, dir: string, file: string, cluster: string, me: LockHolder, deadline: number, told: boolean, o: LockOptions): Promise<() => void> {
  for (;;) {
    let fd: number;
    try {
      // Node opens with O_CLOEXEC: the processes a holder starts (containers) do not inherit its lock.
      fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
    } catch (e) {
      // The holder's release removed the lab's emptied folder while we waited: make it again and retry.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      continue;
    }
    if (fl(fd, LOCK_EX | LOCK_NB) === 0) {
      // Locked — but a holder releasing removes the file before it unlocks: ours is the lock only if it still is the file.
      const now = statSync(file, { throwIfNoEntry: false });
      if (!now || now.ino !== fstatSync(fd).ino) {
        closeSync(fd);
        continue;
      }
      ftruncateSync(fd, 0);
      writeSync(fd, JSON.stringify(me), 0);
      return () => {
        rmSync(file, { force: true }); // we hold it: the file is ours (see above)
        closeSync(fd); // unlocks
        try {
          rmdirSync(dir); // only when empty: `down` removed the lab's state while holding the lock
        } catch {
          /* the lab lives on */
        }
      };
    }
    closeSync(fd);
    // Held (the holder may not have written its name yet).
    const holder = readHolder(file) ?? { pid: 0, command: 'another podlab (taking the lock now)', since: new Date().toISOString() };
    told = await waitTurn(cluster, holder, deadline, told, o, 50);
  }
}

/** The lock files held by the current call chain. */
const chain = new AsyncLocalStorage<ReadonlySet<string>>();

/** Run `fn` holding the lab's lock (at once when this call chain holds it already). */
export async function withLabLock<T>(dir: string, cluster: string, o: LockOptions, fn: () => Promise<T>): Promise<T> {
  const file = join(dir, 'lock');
  const mine = chain.getStore();
  if (mine?.has(file)) return fn();
  const release = await lockLab(dir, cluster, o);
  try {
    return await chain.run(new Set([...(mine ?? []), file]), fn);
  } finally {
    release();
  }
}
