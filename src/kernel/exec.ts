// The only way podlab runs commands: an Executor runs argv in a Place (a network namespace on this host,
// later a VM). It never throws for a non-zero exit unless asked to (check: true).
import { execa } from 'execa';

export interface Place {
  readonly host: 'local';
  readonly netns?: string;
}

export const HOST: Place = { host: 'local' };
export const inNs = (netns: string): Place => ({ host: 'local', netns });

export interface RunOpts {
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Throw a CommandError on a non-zero exit. */
  readonly check?: boolean;
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
    const where = result.place.netns ? ` in ${result.place.netns}` : '';
    const err = (result.stderr || result.stdout).trim().split('\n').slice(-6).join('\n    ');
    super(`${what ?? `\`${result.argv.join(' ')}\``}${where} failed (exit ${result.code}${result.timedOut ? ', timed out' : ''})${err ? `:\n    ${err}` : ''}`);
    this.name = 'CommandError';
  }
}

export interface Executor {
  run(argv: readonly string[], place?: Place, opts?: RunOpts): Promise<RunResult>;
  /** Total commands run (processes spawned), for benchmarks and tests. */
  readonly spawned: number;
}

/**
 * argv as run on the host. Inside a namespace we use `nsenter --net` rather than `ip -n` or
 * `ip netns exec`: those also unshare the mount namespace, which copies every mount (one per lab
 * namespace), so their cost grows with the lab — 15 ms per call at 1,000 pods instead of 2 ms.
 */
export function placeArgv(argv: readonly string[], place: Place): string[] {
  if (!place.netns) return [...argv];
  return ['nsenter', `--net=/run/netns/${place.netns}`, '--', ...argv];
}

/** `PODLAB_TRACE=1`: every command, where it ran, its exit code and how long it took, on stderr. */
export const TRACE = !!process.env.PODLAB_TRACE;
const T0 = performance.now();

/** One trace line (commands here; netlink batches and read-backs from kernel/backend.ts). */
export function trace(t0: number, ms: number, result: string, what: string, netns?: string): void {
  if (TRACE) process.stderr.write(`[trace +${Math.round(t0 - T0)}ms ${Math.round(ms)}ms ${result}] ${what}${netns ? ` (in ${netns})` : ''}\n`);
}

export class LocalExecutor implements Executor {
  spawned = 0;
  async run(argv: readonly string[], place: Place = HOST, opts: RunOpts = {}): Promise<RunResult> {
    const full = placeArgv(argv, place);
    const t0 = performance.now();
    this.spawned++;
    const r = await execa(full[0]!, full.slice(1), {
      input: opts.input,
      timeout: opts.timeoutMs ?? 60_000,
      reject: false,
      stripFinalNewline: false,
      env: { LC_ALL: 'C' },
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
