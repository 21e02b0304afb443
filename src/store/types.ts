// The lab's state, behind one Store interface: a file store today (file.ts), etcd for multi-host labs. The kernel
// stays the source of truth for what exists (`clean` needs none of this); the state holds what podlab decided and
// started: the applied files, the topology and its allocations, the rule ledger, processes, plan hashes.
import type { Topology, Allocations } from '../model/topology.js';
import type { RuleLedger } from '../kernel/apply.js';
import type { ProcRecord } from '../workload/types.js';
import type { CheckSpec } from '../input/types.js';

export const STATE_VERSION = 2;

export interface LabState {
  readonly version: typeof STATE_VERSION;
  readonly cluster: string;
  readonly files: readonly string[];
  /** Snapshots of files given to `podlab apply`, in order (in the lab's state folder). */
  readonly applied?: readonly string[];
  /** Objects removed by `podlab delete` ("Pod ns/name", "Service ns/name"). */
  readonly deleted?: readonly string[];
  /** --mode / --proxy-mode given to `up`, reused by apply/delete. */
  readonly mode?: string;
  readonly proxyMode?: string;
  readonly topology: Topology;
  /** The declared `kind: Check` documents of the files, as validated when the lab was built. */
  readonly checks?: readonly CheckSpec[];
  readonly allocations: Allocations;
  /** Per namespace, per rule set: hash of what we applied and of its read-back right after. */
  readonly rules: RuleLedger;
  readonly processes: readonly ProcRecord[];
  /** True once an `up` (or apply/delete) finished: the kernel then holds the plan of `topology`. */
  readonly converged?: boolean;
  /** Per namespace, a hash of the plan it was converged to: a live change re-reads only those whose hash moves. */
  readonly planHashes?: Readonly<Record<string, string>>;
  /** Pods the lifecycle last found not Ready: out of every Service's endpoints (the topology's endpoints say the same). */
  readonly notReady?: readonly string[];
  /** Faults injected with `podlab fault` and not healed ("bgp-down node2"): a resync leaves them in place. */
  readonly faults?: readonly string[];
  readonly updatedAt: string;
}

/** The state is there but cannot be used: `down` and `clean` fall back to the kernel. */
export class CorruptStateError extends Error {
  constructor(readonly path: string, why: string, readonly cluster?: string) {
    super(`corrupt state file ${path}: ${why}`);
    this.name = 'CorruptStateError';
  }
}

/** A state of a layout this podlab does not read: written by an older podlab before versions, or by a newer one. */
export class StateVersionError extends CorruptStateError {
  constructor(path: string, readonly version: unknown, cluster?: string) {
    super(path, '', cluster);
    const v = typeof version === 'number' ? version : undefined;
    this.message = v !== undefined && v > STATE_VERSION
      ? `state file ${path} was written by a newer podlab (layout version ${v}; this one reads 1 and ${STATE_VERSION})`
      : `state file ${path} was written by an older podlab (layout ${version === undefined ? 'without a version' : `version ${JSON.stringify(version)}`}; this one reads 1 and ${STATE_VERSION})`;
    this.name = 'StateVersionError';
  }
}

export interface Store {
  /** What kind of store this is, for messages ("file /run/podlab", "etcd …"). */
  readonly describe: string;
  /** The lab's state, undefined when there is none; throws CorruptStateError when it cannot be read. */
  read(cluster: string): Promise<LabState | undefined>;
  write(state: LabState): Promise<void>;
  remove(cluster: string): Promise<void>;
  /** Labs that have a state. */
  list(): Promise<string[]>;
  /** The lab's folder on this host (logs, runtime and BIRD configuration, applied file snapshots). */
  dir(cluster: string): string;
}
