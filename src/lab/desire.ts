// Decide what a lab must be (pure): the topology with sticky allocations from the previous state and the lifecycle's
// readiness (an unready pod is no Service endpoint), the plan of every namespace, and per-namespace plan hashes.
import type { LabSpec } from '../input/types.js';
import type { Allocations, PodT, ReadyFn, Topology } from '../model/topology.js';
import type { Plan } from '../dataplane/types.js';
import { getMode, resolveLab } from '../modes/registry.js';
import type { LabState } from '../store/types.js';
import { shortHash } from '../net/hash.js';

/** What a lab must be: every address decided, the kernel state of every namespace, and what the files declared besides. */
export interface Desired {
  /** The declared `kind: Check` documents and the files' notices. */
  readonly lab: Pick<LabSpec, 'checks' | 'notices'>;
  /** The validated files, when the desired state was made from them (not from a state alone): endpoints can then follow readiness. */
  readonly spec?: LabSpec;
  readonly topo: Topology;
  readonly plan: Plan;
  /** Per namespace, a hash of its plan without the rule sets (those have their own ledger, by hash of the text). */
  readonly planHashes: Readonly<Record<string, string>>;
}

/**
 * Which pods are not ready: those the lifecycle said so of. Under a supervisor (`known` given), a pod it does not know
 * yet is not ready either — its containers are the supervisor's to start, and the endpoints controller adds a pod
 * once it is Ready, not before its container listens; without one, every pod not listed is ready (the command starts
 * its containers before it writes the endpoints).
 */
export interface Readiness {
  readonly notReady: ReadonlySet<string>;
  /** With a supervisor running the pods: those it reported on, or that the lab had before the change (the rest are new). */
  readonly known?: ReadonlySet<string>;
}

export function readyFn(r: Readiness | undefined): ReadyFn | undefined {
  if (!r) return undefined;
  return (p) => {
    if (r.known && !r.known.has(p.key)) return false;
    return !r.notReady.has(p.key);
  };
}

/**
 * Decide everything (pure): topology with sticky allocations from the previous state, the lifecycle's readiness, and
 * the plan. `workloads`: the controllers' state to start from instead of the previous state's (a step of a rollout,
 * lab/workloads.ts).
 */
export function desire(lab: LabSpec, prev?: LabState, readiness?: Readiness, workloads?: Allocations['workloads']): Desired {
  const ready = readyFn(readiness);
  const allocations = { ...(prev?.allocations ?? {}), ...(workloads ? { workloads } : {}) };
  const topo = resolveLab(lab, allocations, { progressive: true, now: new Date().toISOString(), ...(ready ? { ready } : {}) });
  return { ...planned(lab, topo), spec: lab };
}

/** The plan of a topology and its per-namespace hashes. */
export function planned(lab: Pick<LabSpec, 'checks' | 'notices'>, topo: Topology): Desired {
  const plan = getMode(topo.mode).plan(topo);
  const planHashes = Object.fromEntries(plan.namespaces.map((n) => [n.netns, shortHash(JSON.stringify({ ...n, rulesets: undefined, absentRulesets: undefined }), 16)]));
  return { lab: { checks: lab.checks, notices: lab.notices }, topo, plan, planHashes };
}

/** Pods whose Ready state the endpoints of `t` reflect as not ready (selected by a Service, yet no endpoint). */
export const podKeys = (ps: readonly Pick<PodT, 'key'>[]) => new Set(ps.map((p) => p.key));
