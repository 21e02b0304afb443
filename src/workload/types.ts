// What runs in pods, behind one interface: the process runtime (process/: container commands as processes in the
// pod's namespaces, podlab's netexec server for containers without one) and the Docker runtime (docker/runtime.ts:
// containers in a pause sandbox). A runtime acts on a host only through that host's Executor, keeps its files in
// the lab's folder, and decides nothing: whether and when a container (re)starts is the lifecycle's decision
// (lifecycle/), which drives a runtime through start/observe/stop/exec.
import type { Executor } from '../kernel/exec.js';
import type { Topology, PodT } from '../model/topology.js';
import type { ContainerSpec } from '../input/types.js';

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
  /** The lab's folder on the host (logs, runtime configuration, pods' files). */
  readonly dir: string;
  /** The cluster's name (Docker labels, namespace names). */
  readonly cluster: string;
}

export interface WorkloadResult {
  readonly records: ProcRecord[];
  readonly changes: number;
  readonly problems: string[];
}

/** Kubernetes' core/v1 ContainerState (exactly one of the three). */
export type ContainerState =
  | { readonly waiting: { readonly reason: string; readonly message?: string } }
  | { readonly running: { readonly startedAt: string } }
  | { readonly terminated: { readonly exitCode: number; readonly reason: string; readonly message?: string; readonly startedAt?: string; readonly finishedAt?: string; readonly signal?: number } };

export const stateName = (s: ContainerState): 'waiting' | 'running' | 'terminated' => ('waiting' in s ? 'waiting' : 'running' in s ? 'running' : 'terminated');

/** What a runtime sees of a container's current instance — facts only; readiness and back-off are the lifecycle's. */
export interface Observed {
  /** Restarts so far: 0 for the first instance, +1 for each (kubelet's restartCount). */
  readonly attempt: number;
  /** running, terminated (with exit code and reason), or waiting (created, not started). */
  readonly state: ContainerState;
  /** The previous instance's end (for lastState and `logs --previous`). */
  readonly lastState?: ContainerState;
  readonly pid?: number;
  /** docker://<id> or process://<pid>. */
  readonly containerID?: string;
}

/** One container of one pod, as the lifecycle addresses it. */
export interface ContainerRef {
  readonly pod: PodT;
  readonly container: ContainerSpec;
  /** A regular init container or a sidecar (restartPolicy Always): it is in spec.initContainers. */
  readonly init: boolean;
}

export interface StartItem extends ContainerRef {
  /** The instance to make: 0 at first, then previous + 1. */
  readonly attempt: number;
}

/** A start the runtime could not do (that container's problem, not the batch's). */
export interface StartFailure {
  readonly pod: string;
  readonly container: string;
  readonly reason: string;
  readonly message: string;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** `key` of a container: "<ns>/<pod>/<container>". */
export const containerKey = (pod: { key: string }, container: string): string => `${pod.key}/${container}`;

export interface WorkloadRuntime {
  readonly name: string;
  /**
   * The pods' sandboxes and what stays with them: for the process runtime the pod's UTS namespace (its hostname),
   * /etc/hosts and volume folders, and the netexec runtimes; for docker the pause containers. Stops what belongs
   * to pods no longer in the topology. Starts no container: that is the lifecycle's.
   */
  sync(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[]): Promise<WorkloadResult>;
  /**
   * Runtimes whose sandbox makes the pod's network namespace (docker: the pause container's, linked under
   * /run/netns) create it here, before the dataplane wires it; the others leave `ip netns add` to the lab.
   * Returns the namespaces it made.
   */
  createSandboxes?(ctx: RuntimeContext, pods: readonly PodT[]): Promise<string[]>;
  /** Which of these pods' namespaces this runtime makes itself (createSandboxes). */
  makesNetns?(pod: PodT): boolean;
  /** Remove pods (their containers and sandboxes) before their namespaces are deleted. */
  removePods?(ctx: RuntimeContext, pods: readonly PodT[]): Promise<void>;
  /** Start these instances (one batch: a runtime may group them, e.g. one netexec reload per node). */
  start(ctx: RuntimeContext, items: readonly StartItem[]): Promise<StartFailure[]>;
  /** The current instance of each container of these pods, by containerKey; absent = never started. */
  observe(ctx: RuntimeContext, pods: readonly PodT[]): Promise<Map<string, Observed>>;
  /** Graceful stop: SIGTERM, SIGKILL after `graceSeconds`; resolves once it is gone. */
  stop(ctx: RuntimeContext, ref: ContainerRef, graceSeconds: number): Promise<void>;
  /** Run a command in the container (its namespaces, environment, working directory, mounts), as `kubectl exec`. */
  exec(ctx: RuntimeContext, ref: ContainerRef, argv: readonly string[], o?: { timeoutMs?: number }): Promise<ExecResult>;
  /** The argv that runs `argv` interactively in the container (for `podlab exec`, attached to the terminal). */
  execArgv(ctx: RuntimeContext, ref: ContainerRef, argv: readonly string[]): Promise<string[]>;
  /** A container's output, of the current instance or (previous) of the one before the last restart. */
  logs(ctx: RuntimeContext, ref: ContainerRef, o?: { previous?: boolean }): Promise<string>;
  /** Stream the output until `signal` aborts (logs -f); resolves when the instance ends or on abort. */
  followLogs(ctx: RuntimeContext, ref: ContainerRef, write: (s: string) => void, o?: { previous?: boolean; signal?: AbortSignal }): Promise<void>;
  /** Whether a record is this runtime's (the lab's state also holds other processes, e.g. BIRD). */
  owns(r: ProcRecord): boolean;
}

/** Every container of a pod, init containers first, as the lifecycle walks them. */
export function podContainers(p: PodT): ContainerRef[] {
  return [...(p.initContainers ?? []).map((c) => ({ pod: p, container: c, init: true })), ...p.containers.map((c) => ({ pod: p, container: c, init: false }))];
}

export { podHostname } from '../model/hostname.js';
