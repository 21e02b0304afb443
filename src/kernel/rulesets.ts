// Rule sets of many namespaces in a few processes: iptables-restore / nft -f and the read-backs that feed the
// ledgers (iptables-save, nft -s list) for every namespace of a phase run from a few `sh`, each command through
// nsenter.
// Spawning from Node blocks its main thread for the whole fork (7–20 ms at this heap size on a loaded 2-core
// machine); a shell forks cheaply. Commands run in order; each one's exit code and output come back separately.
import { randomBytes } from 'node:crypto';
import { CommandError, HOST, trace, type Executor, type RunResult } from './exec.js';

/** What to do in one namespace, in this order. */
export interface RuleSetJob {
  readonly netns: string;
  /** iptables-restore input. */
  readonly iptablesRestore?: string;
  /** nft -f input, or 'delete' to remove kube-proxy's table. */
  readonly nft?: string;
  readonly iptablesSave?: boolean;
  readonly nftList?: boolean;
}

export type RuleStep = 'iptables-restore' | 'iptables-save' | 'nft' | 'nft-delete' | 'nft-list';

export interface StepResult {
  readonly code: number;
  /** stdout of the read-backs; stdout and stderr of the writes. */
  readonly out: string;
}

export const STEP_ARGV: Record<RuleStep, string[]> = {
  'iptables-restore': ['iptables-restore', '-w', '5'],
  'iptables-save': ['iptables-save'],
  nft: ['nft', '-f', '-'],
  'nft-delete': ['nft', 'delete', 'table', 'ip', 'kube-proxy'],
  'nft-list': ['nft', '-s', 'list', 'table', 'ip', 'kube-proxy'],
};

const RS = '\x1e';
const NAME = /^[A-Za-z0-9_.-]+$/;

function steps(j: RuleSetJob): [RuleStep, string | undefined][] {
  const out: [RuleStep, string | undefined][] = [];
  if (j.iptablesRestore !== undefined) out.push(['iptables-restore', j.iptablesRestore]);
  if (j.iptablesSave) out.push(['iptables-save', undefined]);
  if (j.nft === 'delete') out.push(['nft-delete', undefined]);
  else if (j.nft !== undefined) out.push(['nft', j.nft]);
  if (j.nftList) out.push(['nft-list', undefined]);
  return out;
}

/** The shell script for the jobs (exported for the unit test). */
export function ruleScript(jobs: readonly RuleSetJob[], end = `PODLAB_END_${randomBytes(6).toString('hex')}`): string {
  const lines = ['set +e'];
  for (const j of jobs) {
    if (!NAME.test(j.netns)) throw new Error(`not a namespace name: "${j.netns}"`);
    for (const [step, input] of steps(j)) {
      const argv = STEP_ARGV[step].join(' ');
      const run = `nsenter --net=/run/netns/${j.netns} -- ${argv}`;
      // Read-backs keep stdout alone (what the ledgers hash); writes report stderr too, for the error message.
      const redirect = step === 'iptables-save' || step === 'nft-list' ? '2>/dev/null' : '2>&1';
      if (input === undefined) lines.push(`${run} ${redirect} </dev/null`);
      else {
        if (input.split('\n').includes(end)) throw new Error('rule set input contains the here-document terminator');
        lines.push(`${run} ${redirect} <<'${end}'`, input.endsWith('\n') ? input.slice(0, -1) : input, end);
      }
      lines.push(`printf '${RS}%s %s %d${RS}' ${step} ${j.netns} $?`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Splits the script's output into each step's result. */
export function parseRuleOutput(stdout: string): Map<string, Map<RuleStep, StepResult>> {
  const out = new Map<string, Map<RuleStep, StepResult>>();
  const parts = stdout.split(RS);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const m = /^(\S+) (\S+) (\d+)$/.exec(parts[i + 1]!);
    if (!m) throw new Error(`unexpected output of the rule set batch near "${parts[i + 1]!.slice(0, 80)}"`);
    const [, step, netns, code] = m;
    if (!out.has(netns!)) out.set(netns!, new Map());
    out.get(netns!)!.set(step as RuleStep, { code: Number(code), out: parts[i]! });
  }
  return out;
}

/** Shells run side by side: enough to keep both cores busy, few enough that their forks cost little. */
export const RULE_SHELLS = 4;

/**
 * Runs the jobs in up to `shells` shells at once (jobs dealt round-robin, each shell taking its share in order);
 * every step of every job gets a result (a missing one is an error).
 */
export async function runRuleSets(exec: Executor, jobs: readonly RuleSetJob[], shells = RULE_SHELLS): Promise<Map<string, Map<RuleStep, StepResult>>> {
  const todo = jobs.filter((j) => steps(j).length > 0);
  const out = new Map<string, Map<RuleStep, StepResult>>();
  if (!todo.length) return out;
  const groups = Array.from({ length: Math.min(shells, todo.length) }, (_, g) => todo.filter((_, i) => i % Math.min(shells, todo.length) === g));
  await Promise.all(groups.map(async (group) => {
    const r: RunResult = await exec.run(['sh', '-s'], HOST, { input: ruleScript(group), timeoutMs: 120_000 + 10_000 * group.length });
    const res = parseRuleOutput(r.stdout);
    for (const j of group) {
      for (const [step] of steps(j)) {
        const s = res.get(j.netns)?.get(step);
        if (!s) throw new CommandError(r, `the rule set batch (${group.length} namespace(s)) stopped before ${step} in ${j.netns}`);
        trace(performance.now(), 0, `exit ${s.code}`, `${STEP_ARGV[step].join(' ')} (batched)`, j.netns);
      }
      out.set(j.netns, res.get(j.netns)!);
    }
  }));
  return out;
}

/** A failed write step as the error the per-namespace process would have raised. */
export function stepError(netns: string, step: RuleStep, s: StepResult): CommandError {
  const argv = ['nsenter', `--net=/run/netns/${netns}`, '--', ...STEP_ARGV[step]];
  return new CommandError({ argv, place: { host: 'local', netns }, code: s.code, stdout: '', stderr: s.out, timedOut: false, ms: 0 }, step === 'nft' ? 'nft -f' : step);
}
