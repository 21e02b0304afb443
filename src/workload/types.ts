// What runs in pods, behind one interface: the process runtime today (process.ts: container commands as processes
// in the pod's namespace, podlab's netexec server for containers without one), Docker next. A runtime acts on a
// host only through that host's Executor, and keeps its files in the lab's folder.
import type { Executor } from '../kernel/exec.js';
import type { Topology } from '../model/topology.js';

/** A process podlab started, as the lab's state records it. */
export interface ProcRecord {
  /** "ns/name" of the pod, "runtime/<node>" for a netexec runtime, "bird/<node>" for BIRD. */
  readonly pod: string;
  readonly container: string;
  readonly pid: number;
  readonly netns: string;
  readonly log: string;
  readonly startedAt: string;
  /** Hash of the container spec it was started from: a changed spec restarts it. */
  readonly spec?: string;
}

export interface RuntimeContext {
  readonly exec: Executor;
  /** The lab's folder on the host (logs, runtime configuration). */
  readonly dir: string;
}

export interface WorkloadResult {
  readonly records: ProcRecord[];
  readonly changes: number;
  readonly problems: string[];
}

export interface ContainerState {
  readonly name: string;
  /** How the container runs: its own process, or podlab's netexec server. */
  readonly kind: 'process' | 'netexec';
  readonly ready: boolean;
  readonly pid?: number;
  /** Why it is not ready. */
  readonly reason?: string;
}

export interface WorkloadRuntime {
  readonly name: string;
  /** Start, keep or stop what runs in the pods so that it matches the topology; `prev` is what the state recorded. */
  sync(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[]): Promise<WorkloadResult>;
  /** Every container's state, per pod key. */
  status(ctx: RuntimeContext, t: Topology, records: readonly ProcRecord[]): Promise<Map<string, ContainerState[]>>;
  /** Where a container's output is (for `podlab logs`). */
  logPath(ctx: RuntimeContext, pod: { namespace: string; name: string }, container: string): string;
  /** Whether a record is this runtime's (the lab's state also holds other processes, e.g. BIRD). */
  owns(r: ProcRecord): boolean;
}
