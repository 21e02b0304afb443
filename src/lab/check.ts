// `podlab check` and `podlab test`: run the generated and declared checks against a lab; for CI, build a lab per
// mode, check it and always tear it down (also on failure, SIGINT and SIGTERM).
import { LocalExecutor, type Executor } from '../kernel/exec.js';
import type { Topology } from '../model/topology.js';
import type { CheckSpec } from '../input/types.js';
import { SpecError } from '../input/problems.js';
import { expectationsFor, whoIs } from '../expect/model.js';
import { declaredChecks, filterChecks, filterSkips, generateChecks } from '../expect/generate.js';
import { runChecks, type RunOptions } from '../probe/run.js';
import { runBatched } from '../probe/batch.js';
import { applyPolicyStage } from '../expect/policy-stage.js';
import { MATRIX_CATEGORY, policyMatrixChecks } from '../expect/matrix.js';
import type { Report, RunReport, Verdict } from '../expect/types.js';
import { labState, loadLab, up, down } from './lab.js';
import { clusterNetns } from '../substrate/local.js';
import { readState } from '../store/file.js';

export interface CheckOptions extends RunOptions {
  readonly filter?: string;
  /** Declared checks to use instead of re-reading the lab's cluster files. */
  readonly declared?: readonly CheckSpec[];
  /** Leave out the generated suite (declared checks only). */
  readonly noGenerated?: boolean;
  readonly exec?: Executor;
}

/**
 * The checks for a topology: the generated suite for its mode (with the NetworkPolicy stage applied when the lab
 * has policies), the policy truth table, then the declared ones. Pure: exported for `--list`.
 */
export function planChecks(t: Topology, declared: readonly CheckSpec[], o: { filter?: string; noGenerated?: boolean } = {}) {
  const m = expectationsFor(t.mode);
  const gen = o.noGenerated ? { checks: [], skipped: [] } : generateChecks(t, m);
  const matrix = o.noGenerated ? { checks: [], skipped: [] } : policyMatrixChecks(t);
  const dec = declaredChecks(t, declared, m);
  return {
    checks: filterChecks([...applyPolicyStage(t, m, gen.checks), ...matrix.checks, ...dec.checks], o.filter),
    skipped: filterSkips([...gen.skipped, ...matrix.skipped, ...dec.skipped], o.filter), m,
  };
}

export async function checkLab(cluster: string, o: CheckOptions = {}): Promise<RunReport> {
  const t0 = performance.now();
  const st = labState(cluster);
  const t = st.topology;
  const problems: string[] = [];
  let declared: readonly CheckSpec[] = o.declared ?? [];
  if (!o.declared) {
    try {
      declared = loadLab(st.files).checks;
    } catch (e) {
      problems.push(e instanceof SpecError ? `declared checks not run: ${e.message}` : `declared checks not run: ${(e as Error).message}`);
    }
  }
  const { checks, skipped, m } = planChecks(t, declared, o);
  const exec = o.exec ?? new LocalExecutor();
  const who = (ip: string) => whoIs(m, t, ip);
  // The truth table goes in batches (one process per client pod); every other check probes one by one.
  const cells = checks.filter((c) => c.category === MATRIX_CATEGORY);
  const single = checks.filter((c) => c.category !== MATRIX_CATEGORY);
  const [a, b] = [await runChecks(exec, single, who, o), await runBatched(exec, cells, who, o)];
  const byCheck = new Map([...a, ...b].map((v) => [v.check, v]));
  const verdicts: Verdict[] = checks.map((c) => byCheck.get(c)!);
  return { cluster, mode: t.mode, verdicts, skipped, problems, ms: performance.now() - t0 };
}

export interface TestOptions extends RunOptions {
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
  const lab = loadLab(o.files);
  const cluster = lab.cluster.name;
  if (clusterNetns(cluster).length || readState(cluster)) {
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
      const r = await up({ files: o.files, mode, aborted: o.aborted });
      problems.push(...r.problems.map((p) => `up: ${p}`));
      say(`${mode}: checking`);
      run = await checkLab(cluster, { ...o, declared: lab.checks });
      if (o.aborted?.()) problems.push('interrupted: results are partial');
    } catch (e) {
      problems.push(`${mode}: ${(e as Error).message}`);
    } finally {
      say(`${mode}: tearing down lab ${cluster}`);
      try {
        const d = await down(cluster);
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
