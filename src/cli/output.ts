// Output and exit codes, light enough for the thin client (no import): errors are told apart by name, so an error
// the daemon raised (RemoteError named after the use-case's error class) exits exactly as the in-process one.

export const isTTY = process.stderr.isTTY;
export const out = (s: string): void => void process.stdout.write(s + '\n');
export const err = (s: string): void => void process.stderr.write(s + '\n');

/** Exit code of an error: 2 invalid cluster file · 3 missing tool, kernel feature or privilege · 130 interrupted · 1 else. */
export function exitCodeOf(e: unknown): number {
  const name = e instanceof Error ? e.name : '';
  if (name === 'SpecError') return 2;
  if (name === 'PreflightError' || name === 'RefusedError' || name === 'RootRequiredError' || name === 'EngineError' || name === 'ImageMissingError') return 3;
  if (name === 'AbortedError') return 130;
  return 1;
}

/** Exit codes: 0 ok · 1 failure · 2 invalid cluster file · 3 missing tool, kernel feature or privilege · 130 interrupted. */
export function fail(e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  err(`podlab: ${msg}`);
  if (e instanceof Error && (e.name === 'CorruptStateError' || e.name === 'StateVersionError')) {
    const c = (e as { cluster?: string }).cluster ?? 'NAME';
    const what = e.name === 'StateVersionError' ? 'this podlab cannot use that state' : 'the state cannot be used';
    err(`  ${what}: \`podlab down -c ${c}\` (or \`podlab clean -c ${c}\`) still removes the lab from the kernel; then \`podlab up -f FILE\` builds it anew`);
  }
  else if (process.env.PODLAB_DEBUG && e instanceof Error) err(e.stack ?? '');
  process.exit(exitCodeOf(e));
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
