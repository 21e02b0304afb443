// A dataplane mode as one plugin (pure): everything podlab must know about a mode lives in its folder and is
// reachable from this one object — its Cluster spec section, its IPAM, its plan (the kernel state per namespace),
// and the facts the checker needs. Its effectful side, where it has one (BIRD for bgp), is a separate ModeRuntime
// (modes/runtimes.ts), so this interface stays importable by the pure layers.
import type { ModeSchema } from '../input/kinds/cluster.js';
import type { Ipam } from '../model/ipam.js';
import type { Topology } from '../model/topology.js';
import type { LinkKind, Plan } from '../dataplane/types.js';
import type { ModeExpectations } from '../expect/model.js';

export interface ModePlugin {
  readonly name: string;
  /** One line for --help and errors. */
  readonly description: string;
  /** The mode's own section of the Cluster spec (spec.bgp, spec.vpc), if it has one. */
  readonly schema?: ModeSchema;
  /** Tools (commands) and kernel link kinds the mode needs, checked before anything is built. */
  readonly requires: { readonly commands: readonly string[]; readonly linkKinds: readonly LinkKind[] };
  readonly ipam: Ipam;
  /** How the mode's real clusters announce LoadBalancer IPs (the first is the default): L2, BGP or NLB. */
  readonly loadBalancer: { readonly announce: readonly string[] };
  /** Pod interface MTU for an underlay MTU. */
  podMtu(underlayMtu: number): number;
  /** The desired kernel state of every namespace of the lab. */
  plan(t: Topology): Plan;
  /** The mode's routing facts for the checker (what is NATed where, which addresses a node answers from). */
  readonly expectations: ModeExpectations;
}
