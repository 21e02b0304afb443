// What every command shares: output and exit codes (output.ts, light for the thin client), the common options,
// the in-process context, signals.
import { labContext, type LabContext } from '../lab/context.js';
export { isTTY, out, err, exitCodeOf, fail, table, exitFlushed } from './output.js';

export const clusterOpt = { alias: 'c', type: 'string', describe: 'lab name (default: the only lab that exists)' } as const;
export const jsonOpt = { type: 'boolean', default: false, describe: 'print machine-readable JSON on stdout' } as const;

/** The context of a command run in-process on this machine. */
export function context(o: Partial<LabContext> = {}): LabContext {
  return labContext(o);
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
