// One lab, one writer: every command that changes a lab (up, apply, delete, down, clean, fault) holds the lab's lock
// for its whole run, in-process or in the daemon. The lock is a file in the lab's folder holding the holder's pid,
// command and start time, created with O_EXCL; a holder that died (kill -9) is detected by its pid and its lock taken
// over. A second caller waits its turn (saying who holds it), or fails at once with `wait: false`.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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

/** Take the lab's lock in `dir` (the lab's state folder); returns its release. */
export async function lockLab(dir: string, cluster: string, o: LockOptions = {}): Promise<() => void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'lock');
  const me: LockHolder = { pid: process.pid, command: o.command ?? process.argv.slice(1).join(' '), since: new Date().toISOString() };
  const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000);
  let told = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => {
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    if (!holder || !alive(holder.pid) || holder.pid === process.pid) {
      // A dead holder (or a half-written lock): take it over.
      rmSync(file, { force: true });
      continue;
    }
    if (o.wait === false) throw new LabLockedError(cluster, holder);
    if (!told) {
      o.onWait?.(holder);
      told = true;
    }
    if (Date.now() > deadline) throw new LabLockedError(cluster, holder);
    await sleep(100);
  }
}

/** Run `fn` holding the lab's lock. */
export async function withLabLock<T>(dir: string, cluster: string, o: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await lockLab(dir, cluster, o);
  try {
    return await fn();
  } finally {
    release();
  }
}
