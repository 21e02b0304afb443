// Shared by the measurements: a failure type that names what could not be measured and why, and small helpers.
import type { Executor, RunResult } from '../../kernel/exec.js';

/** A measurement that could not be made (a tool missing, no answer): the comparison records it and goes on. */
export class MeasureError extends Error {
  constructor(what: string, why: string) {
    super(`${what}: ${why}`);
    this.name = 'MeasureError';
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The last few lines a failed command printed, for an error message. */
export function tail(r: Pick<RunResult, 'stdout' | 'stderr' | 'code' | 'timedOut'>): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' / ');
  return `exit ${r.code}${r.timedOut ? ', timed out' : ''}${text ? `: ${text}` : ''}`;
}

/** `command -v` says "not found" as exit 127 from sh: name the Debian package. */
export function missingTool(r: Pick<RunResult, 'code' | 'stderr'>, tool: string, pkg = tool): string | undefined {
  return r.code === 127 || new RegExp(`${tool}: (command )?not found|No such file or directory.*${tool}|exec.*${tool}.*failed`).test(r.stderr)
    ? `${tool} is not installed (apt-get install ${pkg})` : undefined;
}

/** Debian packages of the tools the measurements run. */
export const MEASURE_TOOLS: Readonly<Record<string, string>> = {
  tcpdump: 'tcpdump', iperf3: 'iperf3', ping: 'iputils-ping', curl: 'curl', ss: 'iproute2', base64: 'coreutils', timeout: 'coreutils',
};

/** Every tool that is not on PATH, as "tool (apt-get install pkg)"; one process for all of them. */
export async function missingTools(exec: Executor, tools: readonly string[] = Object.keys(MEASURE_TOOLS)): Promise<string[]> {
  const r = await exec.run(['sh', '-c', 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done', 'sh', ...tools], { host: exec.host }, { timeoutMs: 10_000 });
  return r.stdout.split('\n').map((s) => s.trim()).filter(Boolean).map((t) => `${t} (apt-get install ${MEASURE_TOOLS[t] ?? t})`);
}
