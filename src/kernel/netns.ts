// Named network namespaces of a host, created in one `ip -batch` process and deleted in-process through the
// executor's session where it has one (umount + unlink, as `ip netns del`; else one `ip -force -batch`), and their ownership
// marks: every namespace podlab makes carries the name of its lab as the alias of its `lo` ("podlab:<cluster>",
// `ip -n NS link show lo` shows it), set right after it is created. Names alone are not exact — cluster "rel"'s node
// "a-node1" and cluster "rel-a"'s node "node1" are both pl-rel-a-node1 — the mark is.
import { CommandError, HOST, trace, type Executor } from './exec.js';
import { nsctlBatch } from './sysctl.js';
import { PREFIX, clusterPrefix } from '../net/names.js';

export const MARK_PREFIX = 'podlab:';
export const markOf = (cluster: string) => `${MARK_PREFIX}${cluster}`;

export async function addNetns(exec: Executor, names: readonly string[], cluster?: string): Promise<void> {
  if (names.length === 0) return;
  const s = exec.openSession?.();
  if (s?.addNetns && s.setMarks) {
    try {
      const t0 = performance.now();
      const errs = s.addNetns(names);
      if (errs !== undefined) {
        if (errs.length) throw new Error(`creating ${names.length} network namespace(s):\n    ${errs.slice(0, 6).join('\n    ')}`);
        if (cluster !== undefined) {
          const bad = await s.setMarks(names.map((netns) => ({ netns, alias: markOf(cluster) })));
          if (bad.length) throw new Error(`marking ${names.length} network namespace(s):\n    ${bad.slice(0, 6).join('\n    ')}`);
        }
        trace(t0, performance.now() - t0, 'netlink', `netns add ${names.length} namespace(s)${cluster !== undefined ? ', marked' : ''}`);
        return;
      }
    } finally {
      s.close();
    }
  } else s?.close();
  const r = await exec.run(['ip', '-batch', '-'], { ...HOST, host: exec.host }, { input: names.map((n) => `netns add ${n}`).join('\n') + '\n' });
  if (r.code !== 0) throw new CommandError(r, `creating ${names.length} network namespace(s)`);
  if (cluster !== undefined) await markNetns(exec, names, cluster);
}

/** Set the ownership mark of namespaces (one process for all). */
export async function markNetns(exec: Executor, names: readonly string[], cluster: string): Promise<void> {
  const s = exec.openSession?.();
  if (s?.setMarks) {
    try {
      const bad = await s.setMarks(names.map((netns) => ({ netns, alias: markOf(cluster) })));
      if (bad.length) throw new Error(`marking ${names.length} network namespace(s):\n    ${bad.slice(0, 6).join('\n    ')}`);
      return;
    } finally {
      s.close();
    }
  }
  s?.close();
  await nsctlBatch(exec, names.map((netns) => ({ netns, mark: markOf(cluster) })));
}

/** The lab each namespace's mark names (undefined: no mark — made by an older podlab, or by someone else). */
export async function netnsOwners(exec: Executor, names: readonly string[]): Promise<Map<string, string | undefined>> {
  const owner = (m: string | undefined) => (m?.startsWith(MARK_PREFIX) ? m.slice(MARK_PREFIX.length) : undefined);
  const s = exec.openSession?.();
  if (s?.readMarks) {
    try {
      const t0 = performance.now();
      const marks = await s.readMarks(names);
      trace(t0, performance.now() - t0, 'netlink', `read the marks of ${names.length} namespace(s)`);
      return new Map([...marks].map(([n, m]) => [n, owner(m)]));
    } finally {
      s.close();
    }
  }
  s?.close();
  const r = await nsctlBatch(exec, names.map((netns) => ({ netns, readMark: true })), { tolerateMissing: true });
  return new Map([...r.marks].map(([n, m]) => [n, m?.startsWith(MARK_PREFIX) ? m.slice(MARK_PREFIX.length) : undefined]));
}

/** Labs found in the kernel by their fabric namespace (pl-<cluster>-fabric). */
export function clustersByName(all: readonly string[]): string[] {
  return all.filter((n) => n.startsWith(PREFIX) && n.endsWith('-fabric')).map((n) => n.slice(PREFIX.length, -'-fabric'.length));
}

export interface Ownership {
  /** The lab's namespaces: marked as its own, or unmarked with its name and no longer lab's name claiming it. */
  readonly mine: readonly string[];
  /** Namespaces with the lab's prefix that belong to another lab, and which. */
  readonly foreign: ReadonlyMap<string, string>;
  /** Of `mine`, those without a mark (an older podlab, or an interrupted creation). */
  readonly unmarked: readonly string[];
}

/**
 * Which namespaces named pl-<cluster>-… are the lab's: the mark decides; without one, the name does, leaving out
 * those under the prefix of another lab that exists with a longer name (pl-rel-a-… when lab rel-a exists).
 */
export async function ownedNetns(exec: Executor, cluster: string, all: readonly string[] = exec.listNetns()): Promise<Ownership> {
  const mine = clusterPrefix(cluster);
  const candidates = all.filter((n) => n.startsWith(mine));
  const longer = clustersByName(all).filter((c) => c !== cluster && c.startsWith(cluster + '-'));
  const owners = candidates.length ? await netnsOwners(exec, candidates) : new Map<string, string | undefined>();
  const out: string[] = [];
  const unmarked: string[] = [];
  const foreign = new Map<string, string>();
  for (const n of candidates) {
    if (!owners.has(n)) continue; // gone meanwhile
    const m = owners.get(n);
    if (m === cluster) out.push(n);
    else if (m !== undefined) foreign.set(n, m);
    else {
      const other = longer.filter((c) => n.startsWith(clusterPrefix(c))).sort((a, b) => b.length - a.length)[0];
      if (other) foreign.set(n, other);
      else {
        out.push(n);
        unmarked.push(n);
      }
    }
  }
  return { mine: out, foreign, unmarked };
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
