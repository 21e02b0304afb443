// A sandbox's network namespace, named: /run/netns/<name> bind-mounted from /proc/<pid>/ns/net, exactly what
// `ip netns attach NAME PID` does, so podlab (and `ip netns exec`, `ip -n`) wires it like any pod namespace.
// Linking and unlinking go through one `ip -batch` for many sandboxes.
import { statSync } from 'node:fs';
import type { Executor } from '../../kernel/exec.js';
import { LocalExecutor } from '../../substrate/local.js';
import { netnsInode } from '../../substrate/local.js';

/** Inode of a process's network namespace (the same number a /run/netns link of it has). */
export function pidNetnsInode(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}/ns/net`).ino;
  } catch {
    return undefined;
  }
}

export interface NetnsLink {
  readonly name: string;
  readonly pid: number;
}

/**
 * Link each pid's network namespace under /run/netns/<name>. A link that already points at that namespace is
 * kept; a name that exists and points elsewhere is an error (never replaced: it may be another pod's).
 * Returns the names linked now.
 */
export async function linkNetns(links: readonly NetnsLink[], exec: Executor = new LocalExecutor()): Promise<string[]> {
  const problems: string[] = [];
  const todo: NetnsLink[] = [];
  for (const l of links) {
    const want = pidNetnsInode(l.pid);
    if (want === undefined) problems.push(`${l.name}: process ${l.pid} is gone (no /proc/${l.pid}/ns/net)`);
    else if (want === pidNetnsInode(process.pid)) problems.push(`${l.name}: process ${l.pid} is in the host's network namespace, not a sandbox of its own`);
    else {
      const have = netnsInode(l.name);
      if (have === undefined) todo.push(l);
      else if (have !== want) problems.push(`/run/netns/${l.name} already exists and is another namespace (inode ${have}, the sandbox's is ${want}): remove that pod first`);
    }
  }
  if (todo.length) {
    const r = await exec.run(['ip', '-force', '-batch', '-'], { host: exec.host }, { input: todo.map((l) => `netns attach ${l.name} ${l.pid}`).join('\n') + '\n' });
    for (const l of todo) {
      if (netnsInode(l.name) !== pidNetnsInode(l.pid)) problems.push(`\`ip netns attach ${l.name} ${l.pid}\` did not link it${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join('; ')}` : ''}`);
    }
  }
  if (problems.length) throw new Error(`linking sandbox network namespaces:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return todo.map((l) => l.name);
}

/** Remove the /run/netns links that exist (the namespace itself goes when its last process and link are gone). */
export async function unlinkNetns(names: readonly string[], exec: Executor = new LocalExecutor()): Promise<string[]> {
  const present = [...new Set(names)].filter((n) => netnsInode(n) !== undefined);
  if (present.length) await exec.run(['ip', '-force', '-batch', '-'], { host: exec.host }, { input: present.map((n) => `netns delete ${n}`).join('\n') + '\n' });
  const left = present.filter((n) => netnsInode(n) !== undefined);
  if (left.length) throw new Error(`could not remove /run/netns/${left.join(', /run/netns/')}`);
  return present;
}
