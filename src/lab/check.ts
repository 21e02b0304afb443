// `podlab check`: run the generated and declared checks against a lab, with real packets.
import type { Topology } from '../model/topology.js';
import type { CheckSpec } from '../input/types.js';
import { whoIs } from '../expect/model.js';
import { diagnose } from '../expect/diagnose.js';
import { declaredChecks, filterChecks, filterSkips, generateChecks } from '../expect/generate.js';
import { getMode } from '../modes/registry.js';
import { runChecks, type RunOptions } from '../probe/run.js';
import { runBatched } from '../probe/batch.js';
import { applyPolicyStage, expectationsWithPolicy } from '../expect/policy-stage.js';
import { MATRIX_CATEGORY, policyMatrixChecks } from '../expect/matrix.js';
import type { RunReport, Verdict } from '../expect/types.js';
import { labContext, requireRoot, type LabContext } from './context.js';
import { labState } from './targets.js';
import type { LiveFacts } from '../expect/edge.js';
import { forgetL2Neighbours, speakersDown } from '../workload/edge/runtime.js';

export interface CheckOptions extends RunOptions, Partial<Omit<LabContext, 'aborted'>> {
  readonly filter?: string;
  /** Declared checks to use instead of those recorded when the lab was built. */
  readonly declared?: readonly CheckSpec[];
  /** Leave out the generated suite (declared checks only). */
  readonly noGenerated?: boolean;
}

/**
 * The checks for a topology: the generated suite for its mode (NetworkPolicy as the expectation model's last stage
 * when the lab has policies, Services judged per endpoint), the policy truth table, then the declared ones. Pure:
 * exported for `--list`.
 */
export function planChecks(t: Topology, declared: readonly CheckSpec[], o: { filter?: string; noGenerated?: boolean; live?: LiveFacts } = {}) {
  const m = expectationsWithPolicy(t, getMode(t.mode).expectations);
  const gen = o.noGenerated ? { checks: [], skipped: [] } : generateChecks(t, m, o.live);
  const matrix = o.noGenerated ? { checks: [], skipped: [] } : policyMatrixChecks(t);
  const dec = declaredChecks(t, declared, m);
  return {
    checks: filterChecks([...applyPolicyStage(t, m, gen.checks), ...matrix.checks, ...dec.checks], o.filter),
    skipped: filterSkips([...gen.skipped, ...matrix.skipped, ...dec.skipped], o.filter), m,
  };
}

export async function checkLab(cluster: string, o: CheckOptions = {}): Promise<RunReport> {
  const t0 = performance.now();
  const ctx = labContext(o);
  requireRoot(ctx, 'check');
  const st = await labState(ctx, cluster);
  const t = st.topology;
  const problems: string[] = [];
  const declared: readonly CheckSpec[] = o.declared ?? st.checks ?? [];
  const live: LiveFacts = { speakersDown: speakersDown(ctx.exec, t, st.processes) };
  const { checks, skipped, m } = planChecks(t, declared, { ...o, live });
  if (checks.some((c) => c.category === 'service/loadbalancer')) await forgetL2Neighbours(ctx.exec, t);
  const who = (ip: string) => whoIs(m, t, ip);
  // The truth table goes in batches (one process per client pod); every other check probes one by one.
  const cells = checks.filter((c) => c.category === MATRIX_CATEGORY);
  const single = checks.filter((c) => c.category !== MATRIX_CATEGORY);
  const a = await runChecks(ctx.exec, single, who, o);
  const b = o.aborted?.() ? [] : await runBatched(ctx.exec, cells, who, o);
  const byCheck = new Map([...a, ...b].map((v) => [v.check, v]));
  const ran: Verdict[] = checks.map((c) => byCheck.get(c)).filter((v): v is Verdict => !!v);
  // Stopped (SIGINT/SIGTERM): the checks that never ran are left out, not counted as errors; the report says how many.
  const interrupted = o.aborted?.() === true;
  const verdicts = diagnose(interrupted ? ran.filter((v) => v.attempts.length > 0) : ran, t);
  return { cluster, mode: t.mode, verdicts, skipped, problems, ms: performance.now() - t0, ...(interrupted ? { interrupted: true, notRun: checks.length - verdicts.length } : {}) };
}

