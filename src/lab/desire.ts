// Decide what a lab must be (pure): the topology with sticky allocations from the previous state and the lifecycle's
// readiness (an unready pod is no Service endpoint), the plan of every namespace, and per-namespace plan hashes.
import type { LabSpec } from '../input/types.js';
import type { PodT, Topology } from '../model/topology.js';
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

/** Which pods are not ready: those the lifecycle said so of; a pod it does not know yet is ready unless `probed` says otherwise. */
export interface Readiness {
  readonly notReady: ReadonlySet<string>;
  /** Pods the lifecycle reported on (the rest are new). */
  readonly known?: ReadonlySet<string>;
  /** A supervisor runs the probes: a new pod with a readinessProbe starts unready, as in Kubernetes. */
  readonly probed?: boolean;
}

export function readyFn(r: Readiness | undefined, lab: LabSpec): ((p: { key: string }) => boolean) | undefined {
  if (!r) return undefined;
  const probes = new Set(lab.pods.filter((p) => [...(p.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...p.containers].some((c) => c.readinessProbe || c.startupProbe)).map((p) => `${p.namespace}/${p.name}`));
  return (p) => {
    if (r.known && !r.known.has(p.key)) return !(r.probed && probes.has(p.key));
    return !r.notReady.has(p.key);
  };
}

export function desire(lab: LabSpec, prev?: LabState, readiness?: Readiness): Desired {
  const ready = readyFn(readiness, lab);
  const topo = resolveLab(lab, prev?.allocations, ready ? { ready } : {});
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
