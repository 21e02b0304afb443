// The lab's runtime: each pod goes to the runtime its spec names (spec.runtime of the Cluster, or the pod's
// annotation podlab.io/runtime), process by default. The Docker runtime is only touched when a pod asks for it.
import type { PodT, Topology } from '../model/topology.js';
import type { ContainerRef, Observed, StartFailure, WorkloadRuntime } from './types.js';
import { processRuntime } from './process/index.js';
import { dockerRuntime } from './docker/runtime.js';

export const RUNTIMES: Readonly<Record<string, WorkloadRuntime>> = { process: processRuntime, docker: dockerRuntime };

const nameOf = (p: PodT) => p.runtime ?? 'process';

/** A runtime that sends each pod to its own (the lab context's default). */
export function podRuntime(by: Readonly<Record<string, WorkloadRuntime>> = RUNTIMES): WorkloadRuntime {
  const of = (p: PodT) => by[nameOf(p)] ?? by.process!;
  const group = <T extends { pod: PodT }>(xs: readonly T[]) => {
    const m = new Map<WorkloadRuntime, T[]>();
    for (const x of xs) m.set(of(x.pod), [...(m.get(of(x.pod)) ?? []), x]);
    return m;
  };
  const pods = (ps: readonly PodT[]) => group(ps.map((pod) => ({ pod })));
  const used = (t: Pick<Topology, 'pods'>) => new Set(t.pods.map(of));
  return {
    name: 'pods',
    owns: (r) => by.process!.owns(r),
    makesNetns: (p) => of(p).makesNetns?.(p) ?? false,
    async sync(ctx, t, prev) {
      const r = await by.process!.sync(ctx, t, prev);
      const out = { records: [...r.records], changes: r.changes, problems: [...r.problems] };
      for (const rt of used(t)) {
        if (rt === by.process) continue;
        const x = await rt.sync(ctx, t, prev);
        out.records.push(...x.records);
        out.changes += x.changes;
        out.problems.push(...x.problems);
      }
      return out;
    },
    async createSandboxes(ctx, ps) {
      const out: string[] = [];
      for (const [rt, xs] of pods(ps)) if (rt.createSandboxes) out.push(...(await rt.createSandboxes(ctx, xs.map((x) => x.pod))));
      return out;
    },
    async removePods(ctx, ps) {
      for (const [rt, xs] of pods(ps)) await rt.removePods?.(ctx, xs.map((x) => x.pod));
    },
    async start(ctx, items) {
      const out: StartFailure[] = [];
      for (const [rt, xs] of group(items)) out.push(...(await rt.start(ctx, xs)));
      return out;
    },
    async observe(ctx, ps) {
      const out = new Map<string, Observed>();
      for (const [rt, xs] of pods(ps)) for (const [k, v] of await rt.observe(ctx, xs.map((x) => x.pod))) out.set(k, v);
      return out;
    },
    stop: (ctx, r: ContainerRef, g) => of(r.pod).stop(ctx, r, g),
    exec: (ctx, r, argv, o) => of(r.pod).exec(ctx, r, argv, o),
    execArgv: (ctx, r, argv) => of(r.pod).execArgv(ctx, r, argv),
    logs: (ctx, r, o) => of(r.pod).logs(ctx, r, o),
    followLogs: (ctx, r, w, o) => of(r.pod).followLogs(ctx, r, w, o),
  };
}
