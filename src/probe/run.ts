// The runner (effectful): attempts each check until the judge's retry policy is satisfied, with a bound on
// how many probes are in flight (the lab shares the host's cores with the kernel work it is checking).
import { mapLimit, type Executor } from '../kernel/exec.js';
import type { Attempt, Check, Verdict } from '../expect/types.js';
import { judge, wantsMore, type WhoIs } from '../expect/judge.js';
import { attempt, DEFAULT_TIMEOUTS, type ProbeTimeouts } from './probe.js';

export interface RunOptions {
  readonly concurrency?: number;
  readonly timeouts?: ProbeTimeouts;
  /** Pause between retries of a positive check (ms). */
  readonly retryDelayMs?: number;
  readonly onVerdict?: (v: Verdict) => void;
  readonly aborted?: () => boolean;
}

export const DEFAULT_CONCURRENCY = 8;

export async function runCheck(exec: Executor, c: Check, whoIs: WhoIs, o: RunOptions = {}): Promise<Verdict> {
  const t0 = performance.now();
  const attempts: Attempt[] = [];
  while (wantsMore(c, attempts)) {
    if (attempts.length && attempts[attempts.length - 1]!.observed !== 'ok' && c.expect.outcome === 'ok') {
      await new Promise((r) => setTimeout(r, o.retryDelayMs ?? 200));
    }
    attempts.push(await attempt(exec, c, o.timeouts ?? DEFAULT_TIMEOUTS));
  }
  return judge(c, attempts, whoIs, Math.round(performance.now() - t0));
}

export async function runChecks(exec: Executor, checks: readonly Check[], whoIs: WhoIs, o: RunOptions = {}): Promise<Verdict[]> {
  return mapLimit(checks, o.concurrency ?? DEFAULT_CONCURRENCY, async (c) => {
    if (o.aborted?.()) return judge(c, [], whoIs);
    const v = await runCheck(exec, c, whoIs, o);
    o.onVerdict?.(v);
    return v;
  });
}
