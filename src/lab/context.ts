// What a use-case acts through: the host's Executor, the Store of lab states, the pods' runtime, and how it reports
// (progress) and is stopped (aborted). The CLI builds one for this machine; tests give a FakeExecutor and a MemoryStore.
import type { Executor } from '../kernel/exec.js';
import { LocalExecutor } from '../substrate/local.js';
import type { Store } from '../store/types.js';
import { FileStore } from '../store/file.js';
import type { RuntimeContext, WorkloadRuntime } from '../workload/types.js';
import { podRuntime } from '../workload/runtimes.js';
import type { Supervisor } from '../workload/lifecycle/supervisor.js';
import type { Desired } from './desire.js';
import { withLabLock, type LockOptions } from './lock.js';

export type Progress = (msg: string) => void;

export interface LabContext {
  readonly exec: Executor;
  readonly store: Store;
  readonly runtime: WorkloadRuntime;
  readonly progress?: Progress;
  /** Checked between steps: when it returns true, the use-case stops where it is (Ctrl-C). */
  readonly aborted?: () => boolean;
  /** Namespaces worked on at once. */
  readonly concurrency?: number;
  /** Whether this process may change the kernel (root). */
  readonly root?: boolean;
  /** The lab's supervisor when this process runs it (the daemon): reconcile hands it the topology. */
  readonly supervisor?: Supervisor;
  /** Without a supervisor, how long `up` waits for init containers to complete (ms, default 120 000). */
  readonly startTimeoutMs?: number;
  /**
   * A long-running process (the daemon) runs the controllers over time — Jobs, CronJobs, replacing pods that died. When
   * absent, `up`/`apply` expand the workloads once, walk rollouts and ordered StatefulSets in-process, and say so.
   */
  readonly controllers?: boolean;
  /** How a use-case that changes a lab takes its lock (lock.ts): wait (default) or not, who is told, what we are. */
  readonly lock?: LockOptions;
  /** The caller's folder, where relative file names are from (the daemon serves callers in many folders). */
  readonly cwd?: string;
  /**
   * The rule-set texts last written, per "netns|key", kept by a long-running caller (the daemon): a changed
   * iptables rule set is then written as a partial restore of its changed chains, as kube-proxy does.
   */
  readonly ruleTexts?: Map<string, string>;
  /** Told the desired state a reconcile works toward (the daemon keeps it for its repairs). */
  readonly onDesired?: (d: Desired) => void;
}

/** A command that reads or changes labs, run by a user who is not root (exit 3 in the CLI). */
export class RootRequiredError extends Error {
  constructor(readonly command: string) {
    super(`\`podlab ${command}\` needs root: the labs' network namespaces and their state (${process.env.PODLAB_STATE_DIR ?? '/run/podlab'}) belong to root; run it with sudo`);
    this.name = 'RootRequiredError';
  }
}

/** Throws RootRequiredError when the context is not root. */
export function requireRoot(ctx: Pick<LabContext, 'root'>, command: string): void {
  if (ctx.root === false) throw new RootRequiredError(command);
}

/** Run a use-case that changes `cluster` holding its lock: one writer per lab, in this process and across processes. */
export function withLock<T>(ctx: LabContext, cluster: string, fn: () => Promise<T>): Promise<T> {
  return withLabLock(ctx.store.dir(cluster), cluster, ctx.lock ?? {}, fn);
}

export function labContext(o: Partial<LabContext> = {}): LabContext {
  return {
    ...o,
    exec: o.exec ?? new LocalExecutor(),
    store: o.store ?? new FileStore(),
    runtime: o.runtime ?? podRuntime(),
    root: o.root ?? (process.getuid ? process.getuid() === 0 : true),
  };
}

export function runtimeContext(ctx: LabContext, cluster: string): RuntimeContext {
  return { exec: ctx.exec, dir: ctx.store.dir(cluster), cluster };
}
