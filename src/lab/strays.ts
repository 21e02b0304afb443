// Processes in a lab's namespaces that its state does not know — left by a kill -9 during process start, a deleted
// state folder, an older podlab — would hold the ports the runtime is about to bind ("Address already in use").
// Before starting anything, `up` finds every process in the lab's namespaces (as `clean` does, by namespace, never by
// name) and stops those that are the lab's own workload: a netexec runtime or BIRD started from the lab's folder, or
// a container process (its environment names the pod whose namespace it is in). Anything else — a shell opened with
// `podlab exec`, a tcpdump — is left running and named in a notice.
import type { Topology } from '../model/topology.js';
import type { ProcRecord } from '../workload/types.js';
import { stopPids } from '../kernel/exec.js';
import type { LabContext } from './context.js';

export interface Strays {
  readonly stopped: number;
  /** Processes in the lab's namespaces that are not the lab's: "pid 123 (tcpdump -ni eth0) in pl-demo-node1". */
  readonly foreign: readonly string[];
}

const nul = (s: string | undefined) => (s ?? '').split('\0').filter(Boolean);

/** `sessions`: pids whose processes, and every process of their session, are known (the pods' containers and shims). */
export async function stopStrays(ctx: LabContext, cluster: string, topo: Topology, netns: readonly string[], known: readonly ProcRecord[], sessions: ReadonlySet<number> = new Set()): Promise<Strays> {
  const { exec } = ctx;
  const knownPids = new Set(known.filter((r) => exec.alive(r.pid, r.netns)).map((r) => r.pid));
  const dir = ctx.store.dir(cluster) + '/';
  // A node's namespace also holds its hostNetwork pods.
  const podsOf = new Map<string, Topology['pods'][number][]>();
  for (const p of topo.pods) podsOf.set(p.netns, [...(podsOf.get(p.netns) ?? []), p]);
  const ours: number[] = [];
  const foreign: string[] = [];
  for (const [pid, ns] of exec.pidsIn(netns)) {
    if (knownPids.has(pid) || sessions.has(pid)) continue;
    // A known process's children are its own (the ingress controller's nginx workers); a container's session is its.
    const stat = (await exec.files.read(`/proc/${pid}/stat`)) ?? '';
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (knownPids.has(Number(fields[1]))) continue;
    if (sessions.size && sessions.has(Number(fields[3]))) continue;
    const argv = nul(await exec.files.read(`/proc/${pid}/cmdline`));
    const env = new Set(nul(await exec.files.read(`/proc/${pid}/environ`)));
    const mine = argv.some((a) => a.startsWith(dir)) || (podsOf.get(ns) ?? []).some((pod) => env.has(`POD_NAME=${pod.name}`) && env.has(`POD_NAMESPACE=${pod.namespace}`));
    if (mine) ours.push(pid);
    else foreign.push(`pid ${pid} (${argv.join(' ').slice(0, 60) || '?'}) in ${ns}`);
  }
  return { stopped: await stopPids(exec, ours), foreign };
}
