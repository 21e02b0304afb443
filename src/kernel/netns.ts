// Named network namespaces of a host, created and deleted in one `ip -batch` process each.
import { CommandError, HOST, type Executor } from './exec.js';

export async function addNetns(exec: Executor, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const r = await exec.run(['ip', '-batch', '-'], { ...HOST, host: exec.host }, { input: names.map((n) => `netns add ${n}`).join('\n') + '\n' });
  if (r.code !== 0) throw new CommandError(r, `creating ${names.length} network namespace(s)`);
}

/** Delete namespaces (their links go with them) in one `ip -batch -force` process; throws naming any left. */
export async function delNetns(exec: Executor, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const r = await exec.run(['ip', '-force', '-batch', '-'], { ...HOST, host: exec.host }, { input: names.map((n) => `netns del ${n}`).join('\n') + '\n' });
  const present = new Set(exec.listNetns());
  const left = names.filter((n) => present.has(n));
  if (left.length) throw new CommandError(r, `deleting network namespaces (${left.length} left: ${left.slice(0, 5).join(', ')})`);
}
