// The local substrate: every node, pod, the fabric and the external host are network namespaces on this host.
// LocalExecutor is this machine's Executor. Namespaces are found by name (pl-<cluster>-…), their processes through
// /proc/<pid>/ns/net — never by process name.
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync, statSync, existsSync, openSync, closeSync, readFileSync, writeFileSync, renameSync, mkdirSync, appendFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { CommandError, HOST, LOCAL, placeArgv, trace, type Executor, type KernelSession, type HostFiles, type Place, type RunOpts, type RunResult, type SpawnOpts } from '../kernel/exec.js';
import { PREFIX, clusterPrefix } from '../net/names.js';
import { kernelPath } from '../kernel/backend.js';
import { NetlinkSession } from '../kernel/netlink/session.js';

const NETNS_DIR = '/run/netns';

const localFiles: HostFiles = {
  async read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  stamp(path) {
    const s = statSync(path, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.mtimeMs}:${s.size}` : undefined;
  },
  async write(path, text, mode) {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp${process.pid}`;
    writeFileSync(tmp, text, mode !== undefined ? { mode } : undefined);
    renameSync(tmp, path);
  },
  async append(path, text) {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, text);
  },
  async mkdir(path, mode) {
    mkdirSync(path, { recursive: true, ...(mode !== undefined ? { mode } : {}) });
  },
  async remove(path) {
    // Retried (ENOTEMPTY, EBUSY): a pod's folder can still be written while it goes — its container's shim records
    // the exit of the process just stopped, or a daemon's supervisor records what it saw (the daemon test hit it).
    // Asynchronous (libuv's threads), so that callers removing many folders at once run them in parallel.
    await rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  },
  async exists(path) {
    return existsSync(path);
  },
  async list(dir) {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

export class LocalExecutor implements Executor {
  readonly host = LOCAL;
  spawned = 0;
  readonly files = localFiles;

  async run(argv: readonly string[], place: Place = HOST, opts: RunOpts = {}): Promise<RunResult> {
    onHost(this.host, place);
    const full = placeArgv(argv, place);
    const t0 = performance.now();
    this.spawned++;
    const r = await execa(full[0]!, full.slice(1), {
      input: opts.input,
      timeout: opts.timeoutMs ?? 60_000,
      reject: false,
      stripFinalNewline: false,
      env: { LC_ALL: 'C', ...(opts.env ?? {}) },
    });
    const res: RunResult = {
      argv: full, place, code: typeof r.exitCode === 'number' ? r.exitCode : -1,
      stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? (r as { message?: string }).message ?? ''),
      timedOut: Boolean(r.timedOut), ms: performance.now() - t0,
    };
    trace(t0, res.ms, `exit ${res.code}`, argv.join(' '), place.netns);
    if (opts.check && res.code !== 0) throw new CommandError(res);
    return res;
  }

  async spawn(argv: readonly string[], place: Place, opts: SpawnOpts): Promise<{ pid: number }> {
    onHost(this.host, place);
    // Long-running processes see the namespace's own /etc/netns files, as a container would: `ip netns exec`.
    const full = place.netns ? ['ip', 'netns', 'exec', place.netns, ...argv] : [...argv];
    mkdirSync(dirname(opts.log), { recursive: true });
    const fd = openSync(opts.log, 'a');
    this.spawned++;
    const child = spawn(full[0]!, full.slice(1), {
      cwd: opts.cwd && existsSync(opts.cwd) ? opts.cwd : '/', env: opts.env ? { ...opts.env } : process.env,
      detached: true, stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${argv[0]}${place.netns ? ` in ${place.netns}` : ''}`);
    trace(performance.now(), 0, `spawn pid ${child.pid}`, argv.join(' '), place.netns);
    return { pid: child.pid };
  }

  signal(pid: number, sig: NodeJS.Signals): boolean {
    try {
      process.kill(pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  alive(pid: number, netns?: string): boolean {
    if (!pidAlive(pid)) return false;
    return netns === undefined || pidInNetns(pid, netns);
  }

  pidsIn(netns: readonly string[]): Map<number, string> {
    return pidsIn(netns);
  }

  listNetns(): string[] {
    return listNetns();
  }

  /** rtnetlink sockets per namespace, in this process (kernel/netlink/), unless PODLAB_KERNEL=iproute2 or netlink cannot be had here. */
  openSession(): KernelSession | undefined {
    return kernelPath().path === 'netlink' ? new NetlinkSession() : undefined;
  }

  netnsId(netns: string): string | undefined {
    const ino = netnsInode(netns);
    return ino === undefined ? undefined : String(ino);
  }
}

/** A place of another host given to this host's executor is a bug in the caller: say so rather than act here. */
export function onHost(host: string, place: Place): void {
  if (place.host !== host) throw new Error(`internal error: a command for host "${place.host}" was given to the executor of host "${host}"`);
}

export function listNetns(): string[] {
  try {
    return readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

/** Clusters that exist in the kernel, found through their fabric namespace. */
export function clustersInKernel(all: readonly string[] = listNetns()): string[] {
  return all
    .filter((n) => n.startsWith(PREFIX) && n.endsWith('-fabric'))
    .map((n) => n.slice(PREFIX.length, -'-fabric'.length));
}

/**
 * The namespaces of one cluster. A name like pl-demo-2-x also starts with "pl-demo-", so namespaces
 * that belong to another existing cluster with a longer name are left out.
 */
export function clusterNetns(cluster: string, all: readonly string[] = listNetns()): string[] {
  const mine = clusterPrefix(cluster);
  const others = clustersInKernel(all)
    .filter((c) => c !== cluster && c.startsWith(cluster + '-'))
    .map(clusterPrefix);
  return all.filter((n) => n.startsWith(mine) && !others.some((o) => n.startsWith(o)));
}

export function netnsExists(name: string): boolean {
  return existsSync(`${NETNS_DIR}/${name}`);
}

/** Inode of a named namespace, to match /proc/<pid>/ns/net against. */
export function netnsInode(name: string): number | undefined {
  try {
    return statSync(`${NETNS_DIR}/${name}`).ino;
  } catch {
    return undefined;
  }
}

/** PIDs whose network namespace is one of the given ones (what `ip netns pids` does, for many at once). */
export function pidsIn(netnsNames: readonly string[]): Map<number, string> {
  const byIno = new Map<number, string>();
  for (const n of netnsNames) {
    const ino = netnsInode(n);
    if (ino !== undefined) byIno.set(ino, n);
  }
  const out = new Map<number, string>();
  if (byIno.size === 0) return out;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const m = /net:\[(\d+)\]/.exec(readlinkSync(`/proc/${d}/ns/net`));
      const ns = m ? byIno.get(Number(m[1])) : undefined;
      if (ns && !isZombie(Number(d))) out.set(Number(d), ns);
    } catch {
      /* gone or not ours to read */
    }
  }
  return out;
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}

export function pidInNetns(pid: number, netns: string): boolean {
  const ino = netnsInode(netns);
  if (ino === undefined) return false;
  try {
    return readlinkSync(`/proc/${pid}/ns/net`) === `net:[${ino}]`;
  } catch {
    return false;
  }
}
