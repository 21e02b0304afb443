// Validation problems: every one carries file, line and the path of the field at fault.

export interface Problem {
  readonly file: string;
  readonly line?: number;
  /** e.g. `pods[3].spec.nodeName` or `Pod x/a: spec.nodeName` */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.path}: ${p.message}`;
}

/** Thrown when the input is invalid. Lists every problem; nothing has been built. */
export class SpecError extends Error {
  readonly problems: readonly Problem[];
  /** `max`: list at most this many in the message (all of them stay in `problems`). */
  constructor(problems: readonly Problem[], max = Infinity) {
    const n = problems.length;
    const shown = problems.slice(0, max).map((p) => '  ' + formatProblem(p));
    if (n > max) shown.push(`  … and ${n - max} more problem${n - max === 1 ? '' : 's'} (fix these first)`);
    super(`invalid cluster file: ${n} problem${n === 1 ? '' : 's'} (nothing was built)\n` + shown.join('\n'));
    this.name = 'SpecError';
    this.problems = problems;
  }
}
