// Sysctls of many namespaces without a process per namespace: in-process through the executor's session (a
// main-thread setns per namespace, see kernel/netlink/) where it has one, else one process for all of them
// (src/kernel/nsctl.py).
import { fileURLToPath } from 'node:url';
import type { Executor, KernelSession } from './exec.js';
import { CommandError, trace } from './exec.js';
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
  /** Set the namespace's ownership mark (the alias of its lo, netns.ts). */
  readonly mark?: string;
  /** Read the ownership mark (returned by nsctlBatch). */
  readonly readMark?: boolean;
  /** Delete the neighbour entries of these [device, address] pairs (nsctl.py only). */
  readonly forget?: readonly (readonly [string, string])[];
  /** Send a gratuitous ARP request for each [device, address] pair (nsctl.py only). */
  readonly garp?: readonly (readonly [string, string])[];
}

export interface NsctlResult {
  readonly values: Map<string, Record<string, string>>;
  /** Ownership marks read, by namespace (undefined: lo has no alias). */
  readonly marks: Map<string, string | undefined>;
}

/** Writes then reads, per namespace; returns the values read, keyed by dotted name. Throws on any write error. */
export async function sysctlBatch(exec: Executor, items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
  const s = items.length && !items.some((i) => i.mark || i.readMark) ? exec.openSession?.() : undefined;
  if (!s) return pySysctlBatch(exec, items);
  try {
    return await sessionSysctls(s, items);
  } finally {
    s.close();
  }
}

/** In-process sysctls (and unlink) through a session: what nsctl.py does, without the process (marks stay with nsctl.py). */
export async function sessionSysctls(s: KernelSession, items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
  const errors: string[] = [];
  for (const i of items) if (i.unlink) errors.push(...(await s.unlink(i.netns)));
  if (errors.length) throw new Error(`sysctl failed:\n  ${errors.slice(0, 10).join('\n  ')}`);
  const t0 = performance.now();
  const todo = items.filter((i) => (i.write?.length ?? 0) + (i.read?.length ?? 0) > 0);
  const out = s.sysctls(todo);
  if (todo.length) trace(t0, performance.now() - t0, 'in-process', `sysctls of ${todo.length} namespace(s)`);
  return out;
}

/** sysctlBatch through nsctl.py: one process for every namespace. */
export async function pySysctlBatch(exec: Executor, items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
  return (await nsctlBatch(exec, items)).values;
}

/** Time for one nsctl run: a base, plus per namespace and per value (a 10,000-pod lab writes ~100,000 sysctls). */
export const nsctlTimeoutMs = (namespaces: number, values: number) => 60_000 + 30 * namespaces + 2 * values;

/** sysctlBatch with the ownership marks: one process for all of it. Throws on any error but a missing namespace when only reading marks. */
export async function nsctlBatch(exec: Executor, items: readonly SysctlItem[], o: { tolerateMissing?: boolean } = {}): Promise<NsctlResult> {
  const values = new Map<string, Record<string, string>>();
  const marks = new Map<string, string | undefined>();
  const todo = items.filter((i) => (i.write?.length ?? 0) + (i.read?.length ?? 0) + (i.forget?.length ?? 0) + (i.garp?.length ?? 0) > 0 || i.unlink || i.mark || i.readMark);
  if (todo.length === 0) return { values, marks };
  const req = todo.map((i) => ({
    netns: i.netns, write: (i.write ?? []).map(([k, v]) => [sysctlPath(k), v]), read: (i.read ?? []).map(sysctlPath), unlink: i.unlink === true,
    ...(i.mark ? { mark: i.mark } : {}), ...(i.readMark ? { readMark: true } : {}),
    ...(i.forget?.length ? { forget: i.forget } : {}), ...(i.garp?.length ? { garp: i.garp } : {}),
  }));
  const nvalues = todo.reduce((a, i) => a + (i.write?.length ?? 0) + (i.read?.length ?? 0), 0);
  const r = await exec.run([PYTHON, NSCTL_PY], { host: exec.host }, { input: JSON.stringify(req), timeoutMs: nsctlTimeoutMs(todo.length, nvalues) });
  if (r.code !== 0) throw new CommandError(r, 'setting sysctls in the lab namespaces');
  const res = JSON.parse(r.stdout) as { values: Record<string, Record<string, string>>; marks?: Record<string, string | null>; errors: string[] };
  const errors = o.tolerateMissing ? res.errors.filter((e) => !/: No such file or directory$/.test(e)) : res.errors;
  if (errors.length) throw new Error(`sysctl failed:\n  ${errors.slice(0, 10).join('\n  ')}`);
  for (const i of todo) {
    const v = res.values[i.netns] ?? {};
    values.set(i.netns, Object.fromEntries((i.read ?? []).filter((k) => sysctlPath(k) in v).map((k) => [k, v[sysctlPath(k)]!])));
    if (i.readMark && res.marks && i.netns in res.marks) marks.set(i.netns, res.marks[i.netns] ?? undefined);
  }
  return { values, marks };
}
