// What every command shares: output and exit codes (output.ts, light for the thin client), the common options,
// the in-process context, the lab lock's options, signals.
import { labContext, requireRoot, type LabContext } from '../lab/context.js';
import type { LockHolder, LockOptions } from '../lab/lock.js';
import { err } from './output.js';
export { isTTY, out, err, exitCodeOf, fail, table, exitFlushed } from './output.js';

export const clusterOpt = { alias: 'c', type: 'string', describe: 'lab name (default: the only lab that exists)' } as const;
export const jsonOpt = { type: 'boolean', default: false, describe: 'print machine-readable JSON on stdout' } as const;

export const waitOpt = { type: 'boolean', default: true, describe: 'wait its turn when another command is changing this lab; --no-wait fails at once (exit 1)' } as const;

/** How a command that changes a lab takes its lock: waits (saying for whom, once, on stderr) unless --no-wait. */
export function lockOptions(a: Record<string, unknown>): LockOptions {
  return {
    wait: !(a['no-wait'] === true || a.wait === false),
    command: `podlab ${process.argv.slice(2).join(' ')}`,
    onWait: (h: LockHolder) => err(`podlab: waiting its turn: the lab is being changed by pid ${h.pid} (${h.command}, since ${h.since}); --no-wait fails at once instead`),
  };
}

/** The context of a command run in-process on this machine; `command` (e.g. "status") needs root. */
export function context(o: Partial<LabContext> = {}, command?: string): LabContext {
  const ctx = labContext(o);
  if (command) requireRoot(ctx, command);
  return ctx;
}

/** SIGINT/SIGTERM turn `stop` on (a second Ctrl-C exits at once); returns the flag's reader. */
export function stopOnSignals(onFirst?: (sig: string) => void): () => boolean {
  let stop = false;
  const h = (sig: NodeJS.Signals) => () => {
    if (stop && sig === 'SIGINT') process.exit(130);
    if (!stop) onFirst?.(sig);
    stop = true;
  };
  process.on('SIGINT', h('SIGINT'));
  process.on('SIGTERM', h('SIGTERM'));
  return () => stop;
}
