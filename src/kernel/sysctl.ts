// Sysctls of many namespaces in one process (src/kernel/nsctl.py), instead of one spawn per namespace.
import { fileURLToPath } from 'node:url';
import type { Executor } from './exec.js';
import { CommandError } from './exec.js';
import { PYTHON } from './python.js';

export const NSCTL_PY = fileURLToPath(new URL('../../src/kernel/nsctl.py', import.meta.url));

/** Dotted sysctl name → path under /proc/sys (interface names here never contain dots). */
export const sysctlPath = (key: string) => key.replace(/\./g, '/');

export interface SysctlItem {
  readonly netns: string;
  readonly write?: readonly (readonly [string, string])[];
  readonly read?: readonly string[];
  /** Delete every link but lo first (see nsctl.py: before deleting a namespace that sockets may keep alive). */
  readonly unlink?: boolean;
}

/** Writes then reads, per namespace; returns the values read, keyed by dotted name. Throws on any write error. */
export async function sysctlBatch(exec: Executor, items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  const todo = items.filter((i) => (i.write?.length ?? 0) + (i.read?.length ?? 0) > 0 || i.unlink);
  if (todo.length === 0) return out;
  const req = todo.map((i) => ({ netns: i.netns, write: (i.write ?? []).map(([k, v]) => [sysctlPath(k), v]), read: (i.read ?? []).map(sysctlPath), unlink: i.unlink === true }));
  const r = await exec.run([PYTHON, NSCTL_PY], { host: exec.host }, { input: JSON.stringify(req), timeoutMs: 60_000 + 30 * todo.length });
  if (r.code !== 0) throw new CommandError(r, 'setting sysctls in the lab namespaces');
  const res = JSON.parse(r.stdout) as { values: Record<string, Record<string, string>>; errors: string[] };
  if (res.errors.length) throw new Error(`sysctl failed:\n  ${res.errors.slice(0, 10).join('\n  ')}`);
  for (const i of todo) {
    const v = res.values[i.netns] ?? {};
    out.set(i.netns, Object.fromEntries((i.read ?? []).filter((k) => sysctlPath(k) in v).map((k) => [k, v[sysctlPath(k)]!])));
  }
  return out;
}
