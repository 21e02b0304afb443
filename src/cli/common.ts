// What every command shares: output, exit codes for each kind of failure, the common options, tables.
import { SpecError } from '../input/problems.js';
import { PreflightError } from '../kernel/preflight.js';
import { AbortedError } from '../lab/reconcile.js';
import { CorruptStateError } from '../store/types.js';
import { EngineError, ImageMissingError } from '../workload/docker/index.js';
import { labContext, type LabContext } from '../lab/context.js';

export const isTTY = process.stderr.isTTY;
export const out = (s: string): void => void process.stdout.write(s + '\n');
export const err = (s: string): void => void process.stderr.write(s + '\n');

/** Exit codes: 0 ok · 1 failure · 2 invalid cluster file · 3 missing tool, kernel feature or privilege · 130 interrupted. */
export function fail(e: unknown): never {
  if (e instanceof SpecError) {
    err(`podlab: ${e.message}`);
    process.exit(2);
  }
  if (e instanceof PreflightError) {
    err(`podlab: ${e.message}`);
    process.exit(3);
  }
  if (e instanceof EngineError || e instanceof ImageMissingError) {
    err(`podlab: ${e.message}`);
    process.exit(3);
  }
  if (e instanceof AbortedError) {
    err(`podlab: ${e.message}`);
    process.exit(130);
  }
  if (e instanceof CorruptStateError) {
    err(`podlab: ${e.message}\n  \`podlab down -c NAME\` or \`podlab clean -c NAME\` still removes the lab from the kernel`);
    process.exit(1);
  }
  err(`podlab: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.PODLAB_DEBUG && e instanceof Error) err(e.stack ?? '');
  process.exit(1);
}

export const clusterOpt = { alias: 'c', type: 'string', describe: 'lab name (default: the only lab that exists)' } as const;
export const jsonOpt = { type: 'boolean', default: false, describe: 'print machine-readable JSON on stdout' } as const;

/** The context of a command run in-process on this machine. */
export function context(o: Partial<LabContext> = {}): LabContext {
  return labContext(o);
}

export function table(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  out(head.map((h, i) => h.padEnd(w[i]!)).join('  '));
  for (const r of rows) out(r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd());
}

/** Exit once stdout has drained: reports can be large, and process.exit drops what a pipe has not taken yet. */
export function exitFlushed(code: number): void {
  process.stdout.write('', () => process.exit(code));
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
