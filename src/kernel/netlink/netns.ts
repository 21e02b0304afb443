// Entering a named network namespace from the main thread: setns(2) through koffi calling libc, some synchronous
// work (open a netlink socket, read or write /proc/sys), setns back. Nothing else runs in between: JavaScript is
// single-threaded and the work is synchronous, so no other code ever sees the thread in a lab namespace. libuv's
// worker threads never move, so only synchronous fs calls may touch /proc/sys in here.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';

const CLONE_NEWNET = 0x40000000;
const NETNS_DIR = '/run/netns';

interface Libc {
  setns(fd: number, nstype: number): number;
  openat(dirfd: number, path: string, flags: number): number;
  umount2(target: string, flags: number): number;
  unshare(flags: number): number;
  mount(source: string, target: string, fstype: string, flags: number, data: null): number;
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
    const unshare = lib.func('int unshare(int flags)');
    const mount = lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, void *data)');
    libc = {
      setns: (fd, t) => setns(fd, t), openat: (d, p, f) => openat(d, p, f), umount2: (p, f) => umount2(p, f),
      unshare: (f) => unshare(f), mount: (s, t, fs, f, d) => mount(s, t, fs, f, d), errno: () => koffi.errno(),
    };
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

const ERRNO: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 4: 'EINTR', 9: 'EBADF', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 28: 'ENOSPC' };

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

const MS_BIND = 0x1000;

/** Whether /run/netns is a mount point with shared propagation (as `ip netns add` leaves it), read from mountinfo. */
function netnsDirShared(): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => {
      const f = l.split(' ');
      return f[4] === NETNS_DIR && f.slice(6, f.indexOf('-')).some((o) => o.startsWith('shared:'));
    });
  } catch {
    return false;
  }
}

/**
 * Whether namespaces can be made in-process here: koffi loads and /run/netns is already the shared mount point
 * `ip netns add` makes on its first use (podlab leaves setting that up — a change to the host's mounts — to ip).
 */
export function canCreateNetns(): boolean {
  try {
    load();
  } catch {
    return false;
  }
  return netnsDirShared();
}

/**
 * Makes a named namespace as `ip netns add` does (iproute2's netns_add): an empty file under /run/netns, a new
 * network namespace unshared by the main thread, bind-mounted on that file, and the thread back home. Only call it
 * when canCreateNetns() holds. Returns the error (the name is removed again), or undefined.
 */
export function createNetns(netns: string): string | undefined {
  const c = load();
  const path = `${NETNS_DIR}/${netns}`;
  mkdirSync(NETNS_DIR, { recursive: true, mode: 0o755 });
  // The namespace first, then its name and the mount at once: a kill between them leaves as little as can be (an
  // empty name, which readMarks and deleteNetns handle); unshare is the slow part.
  if (c.unshare(CLONE_NEWNET) !== 0) {
    const e = c.errno();
    return `${netns}: unshare: ${ERRNO[e] ?? `errno ${e}`}`;
  }
  let err: string | undefined;
  let made = false;
  try {
    try {
      closeSync(openSync(path, 'wx', 0));
      made = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      err = `Cannot create namespace file "${path}": ${code === 'EEXIST' ? 'File exists' : code}`;
    }
    if (made && c.mount('/proc/thread-self/ns/net', path, 'none', MS_BIND, null) !== 0) {
      const e = c.errno();
      err = `Bind /proc/self/ns/net -> ${path} failed: ${ERRNO[e] ?? `errno ${e}`}`;
    }
  } finally {
    if (c.setns(home!, CLONE_NEWNET) !== 0) {
      process.stderr.write(`podlab: fatal: cannot return to the original network namespace after making ${netns} (errno ${c.errno()})\n`);
      process.exit(70);
    }
  }
  if (err && made) {
    try {
      unlinkSync(path);
    } catch {
      /* nothing to remove */
    }
  }
  return err;
}
