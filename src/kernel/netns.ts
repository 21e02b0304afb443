// Named network namespaces of a host, created in one `ip -batch` process; deleted in-process through the executor's
// session where it has one (umount + unlink, as `ip netns del`), else in one `ip -force -batch` process.
import { CommandError, HOST, type Executor } from './exec.js';

export async function addNetns(exec: Executor, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const r = await exec.run(['ip', '-batch', '-'], { ...HOST, host: exec.host }, { input: names.map((n) => `netns add ${n}`).join('\n') + '\n' });
  if (r.code !== 0) throw new CommandError(r, `creating ${names.length} network namespace(s)`);
}

/** Delete namespaces (their links go with them) in one `ip -batch -force` process; throws naming any left. */
export async function delNetns(exec: Executor, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const s = exec.openSession?.();
  if (s) {
    let errs: string[];
    try {
      errs = s.deleteNetns(names);
    } finally {
      s.close();
    }
    const present = new Set(exec.listNetns());
    const left = names.filter((n) => present.has(n));
    if (left.length) throw new Error(`deleting network namespaces (${left.length} left: ${left.slice(0, 5).join(', ')})${errs.length ? `:\n    ${errs.slice(0, 6).join('\n    ')}` : ''}`);
    return;
  }
  const r = await exec.run(['ip', '-force', '-batch', '-'], { ...HOST, host: exec.host }, { input: names.map((n) => `netns del ${n}`).join('\n') + '\n' });
  const present = new Set(exec.listNetns());
  const left = names.filter((n) => present.has(n));
  if (left.length) throw new CommandError(r, `deleting network namespaces (${left.length} left: ${left.slice(0, 5).join(', ')})`);
}
