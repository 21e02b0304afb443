// Desired kernel state, per network namespace (pure data). The kernel layer diffs and applies it.

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
  /** A policy-routing table other than main (a number, e.g. "100"). */
  readonly table?: string;
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
  /** Rule sets written as a whole: at most one iptables ruleset (iptables-restore replaces whole tables) and one per nft table. */
  readonly rulesets: readonly RuleSet[];
  /** Rule sets that must not exist here (ledger keys): kube-proxy's nft table in iptables mode, as its cleanup removes it. */
  readonly absentRulesets?: readonly string[];
}

/** ipset: `ipset restore` input of the IP sets the namespace's iptables rules name (NetworkPolicy), applied before them. */
export type RuleEngine = 'iptables' | 'nftables' | 'ipset';

/**
 * A rule set of one namespace, written and read back as a whole. iptables: the full iptables-restore input of the
 * namespace (the tables it names are ours alone). nftables: `nft -f` input that (re)creates `table` atomically.
 * `owner` says whose rules they are ("node": kube-proxy composed with the CNI's; "vpc-router"; …).
 */
export interface RuleSet {
  readonly engine: RuleEngine;
  readonly owner: string;
  readonly text: string;
  /** nftables: the family and name of the table the text (re)creates, e.g. "ip kube-proxy". */
  readonly table?: string;
}

/** The ledger key of a rule set in a namespace: "iptables", "ipset", or "nftables ip kube-proxy". */
export function rulesetKey(r: Pick<RuleSet, 'engine' | 'table'>): string {
  return r.engine === 'nftables' ? `nftables ${r.table ?? ''}` : r.engine;
}

export interface Plan {
  readonly namespaces: readonly NsState[];
}

export function emptyNs(netns: string, role: Role, phase: 0 | 1 | 2): MutableNs {
  return { netns, role, phase, sysctls: [], links: [], addrs: [], routes: [], neighs: [], fdb: [], rules: [], rulesets: [] };
}

export type MutableNs = {
  -readonly [K in keyof NsState]: NsState[K] extends readonly (infer U)[] ? U[] : NsState[K];
};
