// `podlab test`: for CI, build the lab once per mode, check it and always tear it down (also on failure, SIGINT and
// SIGTERM); one report across modes.
import type { Report, RunReport } from '../expect/types.js';
import type { RunOptions } from '../probe/run.js';
import { clusterNetns } from '../substrate/local.js';
import { labContext, type LabContext } from './context.js';
import { loadLab } from './load.js';
import { up } from './up.js';
import { down } from './down.js';
import { checkLab } from './check.js';

export interface TestOptions extends RunOptions, Partial<Omit<LabContext, 'aborted' | 'progress'>> {
  readonly files: readonly string[];
  readonly modes?: readonly string[];
  readonly filter?: string;
  readonly progress?: (msg: string) => void;
  /** Checked between steps; when true, the run stops and tears down what it built. */
  readonly aborted?: () => boolean;
}

/** For each mode: up → check → down, always down. One report across modes. */
export async function testLabs(o: TestOptions): Promise<Report> {
  const say = o.progress ?? (() => undefined);
  const ctx = labContext(o);
  const lab = loadLab(o.files);
  const cluster = lab.cluster.name;
  if (clusterNetns(cluster, ctx.exec.listNetns()).length || (await ctx.store.list()).includes(cluster)) {
    throw new Error(`a lab named "${cluster}" already exists: \`podlab test\` builds and removes its own lab, so it will not touch yours (rename the cluster or \`podlab down -c ${cluster}\`)`);
  }
  const modes = o.modes?.length ? o.modes : [lab.cluster.mode];
  const runs: RunReport[] = [];
  for (const mode of modes) {
    if (o.aborted?.()) {
      runs.push({ cluster, mode, verdicts: [], skipped: [], problems: ['not run: interrupted'], ms: 0 });
      continue;
    }
    const t0 = performance.now();
    const problems: string[] = [];
    let run: RunReport | undefined;
    try {
      say(`${mode}: building lab ${cluster}`);
      const r = await up({ ...ctx, files: o.files, mode, aborted: o.aborted });
      problems.push(...r.problems.map((p) => `up: ${p}`));
      say(`${mode}: checking`);
      run = await checkLab(cluster, { ...o, ...ctx, declared: lab.checks });
      if (o.aborted?.()) problems.push('interrupted: results are partial');
    } catch (e) {
      problems.push(`${mode}: ${(e as Error).message}`);
    } finally {
      say(`${mode}: tearing down lab ${cluster}`);
      try {
        const d = await down(cluster, ctx);
        if (d.leftovers.length) problems.push(`down left things behind: ${d.leftovers.join(', ')}`);
      } catch (e) {
        problems.push(`down failed: ${(e as Error).message}`);
      }
    }
    runs.push({
      cluster, mode, verdicts: run?.verdicts ?? [], skipped: run?.skipped ?? [],
      problems: [...(run?.problems ?? []), ...problems], ms: run?.ms ?? performance.now() - t0,
    });
  }
  return { runs };
}
