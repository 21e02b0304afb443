// Desired kernel state, per network namespace (pure data). The kernel layer diffs and applies it.
import type { Topology } from '../model/topology.js';

export type LinkKind = 'bridge' | 'veth' | 'vxlan';

export interface LinkSpec {
  readonly name: string;
  readonly kind: LinkKind;
  readonly mtu?: number;
  readonly mac?: string;
  readonly master?: string;
  /** Bridge port hairpin mode (a pod reaching itself through a Service needs it). */
  readonly hairpin?: boolean;
  /** veth created from this side, with its peer placed straight into another namespace. */
  readonly peer?: { readonly name: string; readonly netns: string; readonly mtu?: number; readonly mac?: string };
  readonly vxlan?: { readonly id: number; readonly port: number; readonly local: string; readonly dev: string; readonly learning: boolean };
  /** Created by another namespace's plan (the far end of a veth): only configured here. */
  readonly foreign?: boolean;
}

export interface AddrSpec {
  readonly dev: string;
  readonly cidr: string; // "10.244.1.1/24"
}

export interface RouteSpec {
  readonly dst: string; // "default" | "10.244.2.0/24" | "10.244.1.5"
  readonly via?: string;
  readonly dev: string;
  readonly onlink?: boolean;
  readonly scope?: 'link';
  readonly proto?: string;
}

export interface NeighSpec {
  readonly ip: string;
  readonly mac: string;
  readonly dev: string;
}

/** A policy routing rule (ip rule). Only rules podlab adds are managed; the kernel's 0/32766/32767 are left alone. */
export interface RuleSpec {
  readonly priority: number;
  readonly from?: string; // "10.0.1.11" or a CIDR
  readonly to?: string;
  readonly fwmark?: string; // "0x80/0x80"
  readonly table: string; // "main" | "2"
}

export interface FdbSpec {
  readonly mac: string;
  readonly dev: string;
  readonly dst: string;
}

export type Role = 'fabric' | 'node' | 'ext' | 'pod' | 'host';

export interface NsState {
  readonly netns: string;
  readonly role: Role;
  /** Applied in phases: 0 fabric, 1 nodes and the external host, 2 pods (their veth is made by phase 1). */
  readonly phase: 0 | 1 | 2;
  /** sysctl keys in dotted form (net.ipv4.ip_forward) with the wanted value. */
  readonly sysctls: readonly (readonly [string, string])[];
  readonly links: readonly LinkSpec[];
  readonly addrs: readonly AddrSpec[];
  readonly routes: readonly RouteSpec[];
  readonly neighs: readonly NeighSpec[];
  readonly fdb: readonly FdbSpec[];
  readonly rules: readonly RuleSpec[];
  /** Full iptables-restore input for this namespace (it is ours alone), or undefined for none. */
  readonly iptables?: string;
  /** `nft -f` input that (re)creates the tables it names (kube-proxy's nftables mode), or undefined. */
  readonly nftables?: string;
  /** `ipset restore` input: every IP set the namespace's iptables rules name (NetworkPolicy); others are destroyed. */
  readonly ipsets?: string;
}

export interface Plan {
  readonly namespaces: readonly NsState[];
}

/** One dataplane mode (overlay, bgp, vpc) behind one interface. */
export interface DataplaneMode {
  readonly name: string;
  readonly description: string;
  /** Pod interface MTU for an underlay MTU. */
  podMtu(underlayMtu: number): number;
  /** Tools (commands) and kernel features the mode needs, checked before anything is built. */
  readonly requires: { readonly commands: readonly string[]; readonly linkKinds: readonly LinkKind[] };
  plan(t: Topology): Plan;
}

export function emptyNs(netns: string, role: Role, phase: 0 | 1 | 2): MutableNs {
  return { netns, role, phase, sysctls: [], links: [], addrs: [], routes: [], neighs: [], fdb: [], rules: [] };
}

export type MutableNs = {
  -readonly [K in keyof NsState]: NsState[K] extends readonly (infer U)[] ? U[] : NsState[K];
};
