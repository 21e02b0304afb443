// Convergence: how long until something answers. One shell loop inside the client's namespace polls with curl
// (a new connection each time) every 50 ms, so the wait costs one process, not one per try.
import { inNs, type Executor } from '../../kernel/exec.js';
import { MeasureError, tail } from './common.js';

export const POLL_SCRIPT = `
url=$1; max=$2; i=0
until curl -s -o /dev/null --connect-timeout 0.5 -m 1 "$url"; do
  i=$((i + 1)); [ "$i" -ge "$max" ] && { echo "gave up after $i tries"; exit 1; }
  sleep 0.05
done
echo "$i"
`;

/** Poll `url` from `from` until it answers; resolves with the time it took and the failed tries before it. */
export async function waitAnswers(exec: Executor, i: { from: string; url: string; timeoutMs?: number }): Promise<{ ms: number; tries: number }> {
  const timeoutMs = i.timeoutMs ?? 15_000;
  const t0 = performance.now();
  // Each try takes at least 50 ms (more while the target drops packets), so this count bounds the wait.
  const r = await exec.run(['sh', '-s', '--', i.url, String(Math.ceil(timeoutMs / 50))], inNs(i.from, exec.host), { input: POLL_SCRIPT, timeoutMs: timeoutMs + 5000 });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new MeasureError('convergence', `${i.url} did not answer from ${i.from} within ${Math.round(timeoutMs / 1000)}s (${tail(r)})`);
  return { ms, tries: Number(r.stdout.trim()) || 0 };
}
