// Every effect podlab has on a host goes through that host's Executor: running a command in a Place (a network
// namespace of the host, or its root), starting and signalling long-running processes, finding processes and
// namespaces, reading and writing files, and (openSession) in-process rtnetlink work on the host's namespaces.
// A command never throws for a non-zero exit unless asked (check: true).
// LocalExecutor (substrate/local.ts) is this machine; FakeExecutor (kernel/fake.ts) replays a recorded kernel for tests.

import type { Observed } from './ops.js';

/** Where a command runs: a host, and a network namespace on it (absent: the host's root namespace). */
export interface Place {
  readonly host: string;
  readonly netns?: string;
  /**
   * Run as `ip netns exec` does, not only in the namespace's network stack: the namespace's files under
   * /etc/netns/<netns>/ (resolv.conf, hosts) are bind-mounted over /etc for the command. Slower (a mount
   * namespace per call); for probes that must see the pod's own files (cluster DNS).
   */
  readonly nsFiles?: boolean;
}

/** This machine. */
export const LOCAL = 'local';
/** The root namespace of this machine. */
export const HOST: Place = { host: LOCAL };
export const inNs = (netns: string, host: string = LOCAL): Place => ({ host, netns });

export interface RunOpts {
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Throw a CommandError on a non-zero exit. */
  readonly check?: boolean;
  /** Extra environment (LC_ALL=C is always set). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunResult {
  readonly argv: readonly string[];
  readonly place: Place;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly ms: number;
}

export class CommandError extends Error {
  constructor(readonly result: RunResult, what?: string) {
    const where = result.place.netns && !(what ?? '').includes(result.place.netns) ? ` in ${result.place.netns}` : '';
    const err = (result.stderr || result.stdout).trim().split('\n').slice(-6).join('\n    ');
    super(`${what ?? `\`${result.argv.join(' ')}\``}${where} failed (exit ${result.code}${result.timedOut ? ', timed out' : ''})${err ? `:\n    ${err}` : ''}`);
    this.name = 'CommandError';
  }
}

export interface SpawnOpts {
  /** File the process's stdout and stderr are appended to. */
  readonly log: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface Executor {
  /** The host this executor acts on. */
  readonly host: string;
  run(argv: readonly string[], place?: Place, opts?: RunOpts): Promise<RunResult>;
  /** Start a long-running process in a place, detached from podlab (it outlives the command that started it). */
  spawn(argv: readonly string[], place: Place, opts: SpawnOpts): Promise<{ readonly pid: number }>;
  /** Send a signal to a process podlab started; false when it is gone. */
  signal(pid: number, sig: NodeJS.Signals): boolean;
  /** Whether the process is alive (and, when given, inside that network namespace). */
  alive(pid: number, netns?: string): boolean;
  /** Processes whose network namespace is one of these (what `ip netns pids` does, for many at once). */
  pidsIn(netns: readonly string[]): Map<number, string>;
  /** Named network namespaces of the host (/run/netns). */
  listNetns(): string[];
  /** A namespace's identity (its inode), to tell a recreated namespace from the old one; undefined when absent. */
  netnsId(netns: string): string | undefined;
  readonly files: HostFiles;
  /** Total commands run and processes started, for benchmarks and tests. */
  readonly spawned: number;
  /**
   * In-process kernel access for one pass (an `up`, a `down`): what `ip -batch`, `ip -j` and the sysctl helper do,
   * without a process per namespace (LocalExecutor: rtnetlink sockets per namespace, kernel/netlink/). Absent, or
   * undefined when it cannot be had here (PODLAB_KERNEL=iproute2, not root): callers run the iproute2 commands.
   * The caller closes the session when the pass ends.
   */
  openSession?(): KernelSession | undefined;
}

/** Sysctl writes then reads in one namespace (dotted names). */
export interface SysctlWork {
  readonly write?: readonly (readonly [string, string])[];
  readonly read?: readonly string[];
}

/** A pass of in-process kernel work on a host (Executor.openSession). */
export interface KernelSession {
  /** Runs a namespace's ip and bridge lines (podlab's batch grammar, kernel/ops.ts); throws on the first failure, naming the line. */
  run(netns: string, ip: readonly string[], bridge: readonly string[]): Promise<number>;
  /** Reads a namespace back (links, addresses, routes, neighbours, rules, fdb where asked, the given sysctls), as ip -j does. */
  observe(netns: string, sysctlKeys: readonly string[], opts: { fdb: boolean }): Promise<Observed>;
  /** Sysctls of many namespaces; throws listing every failed write. */
  sysctls(items: readonly ({ netns: string } & SysctlWork)[]): Map<string, Record<string, string>>;
  /** Deletes every link but lo in a namespace (before it is deleted); returns the errors. */
  unlink(netns: string): Promise<string[]>;
  /** Deletes named namespaces (as `ip netns del`); returns the errors. */
  deleteNetns(names: readonly string[]): string[];
  /** Makes named namespaces (as `ip netns add`); returns the errors, or undefined when it cannot here (use ip). */
  addNetns?(names: readonly string[]): string[] | undefined;
  /** Sets the alias of each namespace's lo; returns the errors. */
  setMarks?(items: readonly { netns: string; alias: string }[]): Promise<string[]>;
  /** The alias of each namespace's lo (undefined: none); namespaces that are gone are left out. */
  readMarks?(names: readonly string[]): Promise<Map<string, string | undefined>>;
  close(): void;
}

/** Files on a host. Paths are absolute. */
export interface HostFiles {
  read(path: string): Promise<string | undefined>;
  /** Atomic (write + rename); `mode` for new files. */
  write(path: string, text: string, mode?: number): Promise<void>;
  append(path: string, text: string): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  remove(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  list(dir: string): Promise<string[]>;
  /**
   * Which version of the file is there (inode, mtime, size), undefined when there is none: lets a caller that reads
   * the same file again and again (the supervisor, twice a second per container) keep what it read.
   */
  stamp?(path: string): string | undefined;
}

/**
 * argv as run on the host. Inside a namespace we use `nsenter --net` rather than `ip -n` or `ip netns exec`: those
 * also unshare the mount namespace, which copies every mount (one per lab namespace), so their cost grows with the
 * lab — 15 ms per call at 1,000 pods instead of 2 ms. `nsFiles` places use `ip netns exec` on purpose.
 */
export function placeArgv(argv: readonly string[], place: Place): string[] {
  if (!place.netns) return [...argv];
  if (place.nsFiles) return ['ip', 'netns', 'exec', place.netns, ...argv];
  return ['nsenter', `--net=/run/netns/${place.netns}`, '--', ...argv];
}

/** `PODLAB_TRACE=1`: every command, where it ran, its exit code and how long it took, on stderr. */
export const TRACE = !!process.env.PODLAB_TRACE;
const T0 = performance.now();

/** One trace line (commands in substrate/local.ts; netlink batches and read-backs from kernel/backend.ts). */
export function trace(t0: number, ms: number, result: string, what: string, netns?: string): void {
  if (TRACE) process.stderr.write(`[trace +${Math.round(t0 - T0)}ms ${Math.round(ms)}ms ${result}] ${what}${netns ? ` (in ${netns})` : ''}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs tasks with at most `limit` in flight. Results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Stop processes: SIGTERM, then SIGKILL after a grace period. Returns how many there were. */
export async function stopPids(exec: Executor, pids: readonly number[], graceMs = 1500): Promise<number> {
  let left = pids.filter((p) => exec.alive(p));
  const n = left.length;
  for (const pid of left) exec.signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (left.length && Date.now() < deadline) {
    await sleep(20);
    left = left.filter((p) => exec.alive(p));
  }
  for (const pid of left) exec.signal(pid, 'SIGKILL');
  return n;
}
