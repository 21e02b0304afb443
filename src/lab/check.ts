// `podlab check`: run the generated and declared checks against a lab, with real packets.
import type { Topology } from '../model/topology.js';
import type { CheckSpec } from '../input/types.js';
import { whoIs } from '../expect/model.js';
import { diagnose } from '../expect/diagnose.js';
import { declaredChecks, filterChecks, filterSkips, generateChecks } from '../expect/generate.js';
import { getMode } from '../modes/registry.js';
import { runChecks, type RunOptions } from '../probe/run.js';
import type { RunReport, Verdict } from '../expect/types.js';
import { labContext, requireRoot, type LabContext } from './context.js';
import { labState } from './targets.js';

export interface CheckOptions extends RunOptions, Partial<Omit<LabContext, 'aborted'>> {
  readonly filter?: string;
  /** Declared checks to use instead of those recorded when the lab was built. */
  readonly declared?: readonly CheckSpec[];
  /** Leave out the generated suite (declared checks only). */
  readonly noGenerated?: boolean;
}

/** The checks for a topology: the generated suite for its mode, then the declared ones. Pure except for nothing: exported for `--list`. */
export function planChecks(t: Topology, declared: readonly CheckSpec[], o: { filter?: string; noGenerated?: boolean } = {}) {
  const m = getMode(t.mode).expectations;
  const gen = o.noGenerated ? { checks: [], skipped: [] } : generateChecks(t, m);
  const dec = declaredChecks(t, declared, m);
  return { checks: filterChecks([...gen.checks, ...dec.checks], o.filter), skipped: filterSkips([...gen.skipped, ...dec.skipped], o.filter), m };
}

export async function checkLab(cluster: string, o: CheckOptions = {}): Promise<RunReport> {
  const t0 = performance.now();
  const ctx = labContext(o);
  requireRoot(ctx, 'check');
  const st = await labState(ctx, cluster);
  const t = st.topology;
  const problems: string[] = [];
  const declared: readonly CheckSpec[] = o.declared ?? st.checks ?? [];
  const { checks, skipped, m } = planChecks(t, declared, o);
  const ran: Verdict[] = await runChecks(ctx.exec, checks, (ip) => whoIs(m, t, ip), o);
  // Stopped (SIGINT/SIGTERM): the checks that never ran are left out, not counted as errors; the report says how many.
  const interrupted = o.aborted?.() === true;
  const verdicts = diagnose(interrupted ? ran.filter((v) => v.attempts.length > 0) : ran, t);
  return { cluster, mode: t.mode, verdicts, skipped, problems, ms: performance.now() - t0, ...(interrupted ? { interrupted: true, notRun: checks.length - verdicts.length } : {}) };
}

