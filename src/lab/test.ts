// `podlab test`: for CI, build the lab once per mode, check it and always tear it down (also on failure, SIGINT and
// SIGTERM); one report across modes.
import type { Report, RunReport } from '../expect/types.js';
import type { RunOptions } from '../probe/run.js';
import { ownedNetns } from '../kernel/netns.js';
import { labContext, requireRoot, withLock, type LabContext } from './context.js';
import { hostRoutes, loadLab } from './load.js';
import { upLocked } from './up.js';
import { downLocked } from './down.js';
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
  requireRoot(ctx, 'test');
  return withLock(ctx, cluster, () => testLocked(ctx, o, lab, say));
}

async function testLocked(ctx: LabContext, o: TestOptions, lab: ReturnType<typeof loadLab>, say: (m: string) => void): Promise<Report> {
  const cluster = lab.cluster.name;
  const routes = await hostRoutes(ctx.exec);
  if ((await ownedNetns(ctx.exec, cluster)).mine.length || (await ctx.store.list()).includes(cluster)) {
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
      const r = await upLocked(ctx, { ...ctx, files: o.files, mode, aborted: o.aborted, hostRoutes: routes });
      problems.push(...r.problems.map((p) => `up: ${p}`));
      say(`${mode}: checking`);
      run = await checkLab(cluster, { ...o, ...ctx, declared: lab.checks });
      if (o.aborted?.()) problems.push('interrupted: results are partial');
    } catch (e) {
      problems.push(`${mode}: ${(e as Error).message}`);
    } finally {
      say(`${mode}: tearing down lab ${cluster}`);
      try {
        const d = await downLocked(ctx, cluster);
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
