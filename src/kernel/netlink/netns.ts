// Entering a named network namespace from the main thread: setns(2) through koffi calling libc, some synchronous
// work (open a netlink socket, read or write /proc/sys), setns back. Nothing else runs in between: JavaScript is
// single-threaded and the work is synchronous, so no other code ever sees the thread in a lab namespace. libuv's
// worker threads never move, so only synchronous fs calls may touch /proc/sys in here.
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';

const CLONE_NEWNET = 0x40000000;
const NETNS_DIR = '/run/netns';

interface Libc {
  setns(fd: number, nstype: number): number;
  openat(dirfd: number, path: string, flags: number): number;
  umount2(target: string, flags: number): number;
  errno(): number;
}

let libc: Libc | undefined;
let loadError: string | undefined;
let home: number | undefined;

function load(): Libc {
  if (libc) return libc;
  if (loadError) throw new Error(loadError);
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as { load(p: string): { func(sig: string): (...a: unknown[]) => number }; errno(): number };
    const lib = koffi.load('libc.so.6');
    const setns = lib.func('int setns(int fd, int nstype)');
    // Declared without its optional mode: podlab never passes O_CREAT.
    const openat = lib.func('int openat(int dirfd, const char *path, int flags)');
    const umount2 = lib.func('int umount2(const char *target, int flags)');
    libc = { setns: (fd, t) => setns(fd, t), openat: (d, p, f) => openat(d, p, f), umount2: (p, f) => umount2(p, f), errno: () => koffi.errno() };
    home = openSync('/proc/self/ns/net', 'r');
    return libc;
  } catch (e) {
    loadError = `setns through koffi is not available here: ${(e as Error).message}`;
    throw new Error(loadError);
  }
}

/** Whether this process can enter namespaces in-process (koffi loads, libc has setns). */
export function canSetns(): string | undefined {
  try {
    load();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const ERRNO: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 4: 'EINTR', 9: 'EBADF', 11: 'EAGAIN', 13: 'EACCES', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL' };

export const O_RDONLY = 0;
export const O_WRONLY = 1;
const O_CLOEXEC = 0o2000000;

/**
 * openat(2) relative to an open directory. /proc/sys lookups are the expensive part of a sysctl read when the host
 * holds thousands of namespaces (every namespace's `net` entry shares one dentry hash chain, walked under a lock),
 * so a namespace's sysctls are opened relative to its /proc/sys/net, looked up once per visit.
 */
export function openAt(dirfd: number, path: string, flags: number): number {
  const fd = load().openat(dirfd, path, flags | O_CLOEXEC);
  if (fd < 0) {
    const e = libc!.errno();
    throw Object.assign(new Error(`${path}: ${ERRNO[e] ?? `errno ${e}`}`), { code: ERRNO[e] ?? `errno ${e}` });
  }
  return fd;
}

/** Opens a named namespace (the caller closes the fd). */
export function openNetns(netns: string): number {
  try {
    return openSync(`${NETNS_DIR}/${netns}`, 'r');
  } catch (e) {
    throw new Error(`opening network namespace ${netns}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Runs `fn` synchronously with the main thread inside the named namespace. */
export function inNetns<T>(netns: string, fn: () => T): T {
  const c = load();
  const fd = openNetns(netns);
  try {
    if (c.setns(fd, CLONE_NEWNET) !== 0) {
      const e = c.errno();
      throw new Error(`entering network namespace ${netns}: setns: ${ERRNO[e] ?? `errno ${e}`}`);
    }
    try {
      return fn();
    } finally {
      if (c.setns(home!, CLONE_NEWNET) !== 0) {
        // Never carry on in a lab namespace: every later socket and child process would land there.
        process.stderr.write(`podlab: fatal: cannot return to the original network namespace after ${netns} (errno ${c.errno()})\n`);
        process.exit(70);
      }
    }
  } finally {
    closeSync(fd);
  }
}

const MNT_DETACH = 2;
const EINVAL = 22;

/**
 * Deletes a named namespace as `ip netns del` does: detach its bind mount and remove the name (the kernel frees the
 * namespace, and its links, once nothing holds it). An absent name is not an error; the error is returned, not thrown.
 */
export function deleteNetns(netns: string): string | undefined {
  const c = load();
  const path = `${NETNS_DIR}/${netns}`;
  // EINVAL: not a mount point (a name left without its mount); the unlink below still removes it.
  if (c.umount2(path, MNT_DETACH) !== 0) {
    const e = c.errno();
    if (e !== EINVAL && e !== 2) return `${netns}: umount: ${ERRNO[e] ?? `errno ${e}`}`;
  }
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `${netns}: unlink: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  return undefined;
}
