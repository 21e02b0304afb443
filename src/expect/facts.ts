// What a dataplane mode tells the checker (the interface each mode plugin implements in modes/<name>/expect.ts):
// its routing facts — which addresses a node owns and answers from, which traffic its CNI masquerades, what can
// reach a pod from outside — and the words for its mechanisms, so a failure names what the mode at hand uses
// (no flannel wording in a bgp failure). The expectation model (model.ts) composes these with kube-proxy's
// translation and NetworkPolicy's verdict.
import type { Topology, NodeT, PodT, HostT } from '../model/topology.js';

/** An address a node owns, and on which device (for "who is 172.18.0.11?" in failure reasons). */
export interface NodeAddress {
  readonly ip: string;
  readonly dev: string;
}

/** What happens to a pod's packet leaving the pod network. */
export type Egress =
  | { readonly nat: 'none'; readonly why: string }
  | { readonly nat: 'snat'; readonly source: NodeAddress; readonly why: string }
  | { readonly nat: 'blocked'; readonly why: string };

export interface ModeWords {
  /** How pod → pod traffic goes on one node / across nodes ("through the cni0 bridge", "over VXLAN (flannel.1)"). */
  readonly sameNode: string;
  readonly crossNode: string;
  /** The CNI's masquerade of pod traffic leaving the pod network ("flannel MASQUERADE (FLANNEL-POSTRTG)"). */
  readonly masquerade: string;
  /** What a hairpin back to the pod itself needs besides kube-proxy's mark ("hairpinMode on the cni0 bridge port"). */
  readonly hairpin: string;
}

export interface RoutingFacts {
  readonly mode: string;
  /** Appended to matrix-E row names in the bases: '' for the reference column (flannel), ' (BGP)', ' (AWS)'. */
  readonly tag: string;
  readonly words: ModeWords;
  /** What the underlay gateway address is in this mode, for reasons ("the VPC internet gateway"; default "the underlay gateway"). */
  readonly gatewayName?: string;
  /** What plain hosts are called ("VPC host"; default "host"). */
  readonly hostLabel?: string;
  /** The MTU of a pod's eth0 (overlay: underlay MTU − 50 for VXLAN). */
  podMtu(t: Topology): number;
  /** Every address of a node: the source class NODE(n) accepts. */
  nodeAddresses(t: Topology, n: NodeT): readonly NodeAddress[];
  /** Rows 3, 4: the source address a node's own traffic to a pod carries (route source selection), and why. */
  nodeToPodSource(t: Topology, node: NodeT, pod: PodT): { readonly address: NodeAddress; readonly why: string };
  /** Rows 9–12: the address kube-proxy's MASQUERADE picks on `node` for a packet toward endpoint `ep`. */
  masqueradeSource(t: Topology, node: NodeT, ep: PodT): NodeAddress;
  /** Rows 1, 2: why pod → pod is never NATed on this mode. */
  podToPodWhy(t: Topology, client: PodT, server: PodT): string;
  /** Row 6: pod → another node's IP. */
  podToOtherNode(t: Topology, client: PodT, node: NodeT): Egress;
  /** Row 17: pod → the external host. */
  podToExternal(t: Topology, client: PodT): Egress;
  /** The external host → a pod IP directly: why it cannot (no mode routes pod IPs from the internet). */
  externalToPodWhy(t: Topology): string;
  /** The network the portmap plugin's hairpin mark matches on `node` (`-s containerNet`: the prefix the main plugin
   *  returned; host-local's node subnet). Absent: the pod's own /32 (Calico, the AWS CNI). */
  hostPortHairpinNet?(t: Topology, node: NodeT): string;
  /** A plain host of the pod network (vpc: a VPC host) → a pod IP directly, undefined if the mode has none. */
  hostToPod?(t: Topology, host: HostT, pod: PodT): { readonly reachable: boolean; readonly why: string };
}
