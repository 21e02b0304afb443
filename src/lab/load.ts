// Reading cluster files from disk into a validated LabSpec, with this build's modes.
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Source } from '../input/parse.js';
import type { LabSpec } from '../input/types.js';
import { parseLabFiles } from '../modes/registry.js';
import { HOST, type Executor } from '../kernel/exec.js';

/** Read cluster files; relative names are taken from `cwd` (the caller's folder: the daemon serves many). */
export function readSources(files: readonly string[], cwd = process.cwd()): Source[] {
  return files.map((f) => {
    const abs = resolvePath(cwd, f);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (e) {
      throw new Error(`cannot read cluster file ${f}: ${(e as Error).message}`);
    }
    return { file: f, text, dir: dirname(abs) };
  });
}

export interface LoadOptions {
  readonly mode?: string;
  readonly proxyMode?: string;
  readonly hostRoutes?: readonly string[];
  /** Snapshots of documents added by `podlab apply` (later documents replace earlier ones of the same object). */
  readonly applied?: readonly string[];
  /** Objects removed by `podlab delete`. */
  readonly deleted?: readonly string[];
  /** Where relative file names are from (default: this process's folder). */
  readonly cwd?: string;
}

export function loadLab(files: readonly string[], opts: LoadOptions = {}): LabSpec {
  const { applied, deleted, cwd, ...rest } = opts;
  const live = (applied?.length ?? 0) > 0 || (deleted?.length ?? 0) > 0;
  return parseLabFiles(readSources([...files, ...(applied ?? [])], cwd), { ...rest, lastWins: live, deleted });
}

/** IPv4 destinations of the host's own routes (main table, not default): lab CIDRs must not overlap them. */
export async function hostRoutes(exec: Executor): Promise<string[]> {
  const r = await exec.run(['ip', '-j', '-4', 'route', 'show'], { ...HOST, host: exec.host });
  if (r.code !== 0) return [];
  try {
    return (JSON.parse(r.stdout) as { dst: string }[]).map((x) => x.dst).filter((d) => d !== 'default');
  } catch {
    return [];
  }
}
