// The local substrate: every node, pod, the fabric and the external host are network namespaces on this host.
// Namespaces are found by name (pl-<cluster>-…), their processes through /proc — never by process name.
import { readdirSync, readlinkSync, statSync, existsSync } from 'node:fs';
import type { Executor } from '../kernel/exec.js';
import { CommandError, HOST } from '../kernel/exec.js';
import { PREFIX, clusterPrefix } from '../net/names.js';

const NETNS_DIR = '/run/netns';

export function listNetns(): string[] {
  try {
    return readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

/** Clusters that exist in the kernel, found through their fabric namespace. */
export function clustersInKernel(): string[] {
  return listNetns()
    .filter((n) => n.startsWith(PREFIX) && n.endsWith('-fabric'))
    .map((n) => n.slice(PREFIX.length, -'-fabric'.length));
}

/**
 * The namespaces of one cluster. A name like pl-demo-2-x also starts with "pl-demo-", so namespaces
 * that belong to another existing cluster with a longer name are left out.
 */
export function clusterNetns(cluster: string, all = listNetns()): string[] {
  const mine = clusterPrefix(cluster);
  const others = clustersInKernel()
    .filter((c) => c !== cluster && c.startsWith(cluster + '-'))
    .map(clusterPrefix);
  return all.filter((n) => n.startsWith(mine) && !others.some((o) => n.startsWith(o)));
}

export function netnsExists(name: string): boolean {
  return existsSync(`${NETNS_DIR}/${name}`);
}

/** Inode of a named namespace, to match /proc/<pid>/ns/net against. */
export function netnsInode(name: string): number | undefined {
  try {
    return statSync(`${NETNS_DIR}/${name}`).ino;
  } catch {
    return undefined;
  }
}

/** PIDs whose network namespace is one of the given ones (what `ip netns pids` does, for many at once). */
export function pidsIn(netnsNames: readonly string[]): Map<number, string> {
  const byIno = new Map<number, string>();
  for (const n of netnsNames) {
    const ino = netnsInode(n);
    if (ino !== undefined) byIno.set(ino, n);
  }
  const out = new Map<number, string>();
  if (byIno.size === 0) return out;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const m = /net:\[(\d+)\]/.exec(readlinkSync(`/proc/${d}/ns/net`));
      const ns = m ? byIno.get(Number(m[1])) : undefined;
      if (ns) out.set(Number(d), ns);
    } catch {
      /* gone or not ours to read */
    }
  }
  return out;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function pidInNetns(pid: number, netns: string): boolean {
  const ino = netnsInode(netns);
  if (ino === undefined) return false;
  try {
    return readlinkSync(`/proc/${pid}/ns/net`) === `net:[${ino}]`;
  } catch {
    return false;
  }
}

/** Stop every process inside the namespaces: SIGTERM, then SIGKILL after a grace period. */
export async function killIn(netnsNames: readonly string[], graceMs = 1500): Promise<number> {
  let pids = pidsIn(netnsNames);
  const n = pids.size;
  for (const pid of pids.keys()) tryKill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    pids = pidsIn(netnsNames);
    if (pids.size === 0) return n;
    await sleep(50);
  }
  for (const pid of pids.keys()) tryKill(pid, 'SIGKILL');
  await sleep(50);
  return n;
}

function tryKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Create namespaces in one `ip -batch` process. */
export async function addNetns(exec: Executor, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const r = await exec.run(['ip', '-batch', '-'], HOST, { input: names.map((n) => `netns add ${n}`).join('\n') + '\n' });
  if (r.code !== 0) throw new CommandError(r, `creating ${names.length} network namespace(s)`);
}

/** Delete namespaces (their links go with them) in one `ip -batch -force` process. */
export async function delNetns(exec: Executor, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const r = await exec.run(['ip', '-force', '-batch', '-'], HOST, { input: names.map((n) => `netns del ${n}`).join('\n') + '\n' });
  const left = names.filter(netnsExists);
  if (left.length) throw new CommandError(r, `deleting network namespaces (${left.length} left: ${left.slice(0, 5).join(', ')})`);
}

