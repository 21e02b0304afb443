// IPAM: how a mode hands out node subnets and pod addresses (the interface each mode plugin implements), and the
// two allocators the modes share — a subnet per node, and host-local addresses inside a node's subnet. Pure and
// sticky: previous allocations (from the lab's state) are kept while they are still valid.
import type { LabSpec, NodeSpec, PodSpec } from '../input/types.js';
import type { Problem } from '../input/problems.js';
import { contains, mustCidr, nth, offset, subnet, subnetCount, type Cidr } from '../net/ip.js';
import type { Allocations, HostT, PendingPodT } from './topology.js';

export interface NodeAddressing {
  /** The node's own address when the IPAM decides it (vpc: the primary ENI's IP); else it is on the underlay. */
  readonly ip?: string;
  /** The node's pod subnet (overlay), its first IPAM block (bgp), or its VPC subnet (vpc). */
  readonly podCIDR: string;
  /** Every block affine to the node, in allocation order (bgp). */
  readonly blocks?: readonly string[];
}

export interface IpamInput {
  readonly lab: LabSpec;
  readonly nodes: readonly NodeSpec[];
  /** Pod key "ns/name" → node, for every pod the scheduler placed. */
  readonly placement: ReadonlyMap<string, string>;
  readonly prev: Allocations;
  /** Problems that stop the build (e.g. a full pod CIDR), with file and line. */
  readonly problems: Problem[];
}

export interface IpamResult {
  /** The cluster's pod address space (kube-proxy's --cluster-cidr, the local-traffic detector). */
  readonly podNetwork: string;
  readonly nodes: ReadonlyMap<string, NodeAddressing>;
  /** Pod key → IP for every pod that got one. */
  readonly podIps: ReadonlyMap<string, string>;
  /** Pods placed on a node that has no address left for them (they stay Pending, not built). */
  readonly pending: readonly PendingPodT[];
  /** Plain hosts on the pod network that are not nodes (vpc: VPC hosts). */
  readonly hosts?: readonly HostT[];
  /** The load balancer's own host on the pod network (vpc: the NLB in its subnet), when the lab has LoadBalancers. */
  readonly lbHost?: HostT;
  /** Whatever else the mode decided and its plan needs (read back through the mode's own accessor). */
  readonly modeData?: unknown;
  /** Per node, the pod address handed out last (kept in the state: the next pod starts after it). */
  readonly lastReserved?: ReadonlyMap<string, string>;
}

export interface Ipam {
  /** 'underlay': node IPs are underlay addresses (.11 upward); 'ipam': the IPAM gives each node its IP. */
  readonly nodeIps: 'underlay' | 'ipam';
  /** How many pods a node can hold, and the scheduler's per-node reason when it cannot take one more ("Too many pods"; unbounded if absent). */
  capacity?(lab: LabSpec, nodes: number): { readonly limit: number; readonly reason: string };
  assign(input: IpamInput): IpamResult;
}

/**
 * One subnet of `mask` inside `base` per node, sticky; the lowest free one otherwise. `reserved` holds subnet
 * indexes already taken (e.g. VPC hosts from the top).
 */
export function subnetPerNode(base: Cidr, mask: number, nodes: readonly NodeSpec[], prev: Allocations, reserved: ReadonlySet<number> = new Set()): Map<string, Cidr> {
  const n = subnetCount(base, mask);
  const taken = new Set(reserved);
  const out = new Map<string, Cidr>();
  for (const node of nodes) {
    const p = prev.nodes?.[node.name]?.podCIDR;
    if (!p) continue;
    const pc = mustCidr(p);
    if (pc.prefix !== mask || !contains(base, pc.base)) continue;
    const i = (pc.base - base.base) / pc.size;
    if (!taken.has(i)) {
      taken.add(i);
      out.set(node.name, pc);
    }
  }
  let si = 0;
  for (const node of nodes) {
    if (out.has(node.name)) continue;
    while (taken.has(si)) si++;
    if (si >= n) break; // reported by validation already
    taken.add(si);
    out.set(node.name, subnet(base, mask, si));
  }
  return out;
}

export interface HostLocalOptions {
  /** The first offset handed out in a node's subnet (.2 on a bridge CNI: .1 is the bridge). */
  readonly first: number;
  /** One past the last offset a node may hand out. */
  readonly end: (node: string, subnet: Cidr) => number;
  /** What to do with a pod when its node has no address left. */
  readonly full: (pod: PodSpec, key: string, node: string, subnet: Cidr) => void;
}

/**
 * host-local style addresses: sticky, else the next free offset after the node's last reserved one (wrapping to
 * `first`), as host-local's last_reserved_ip does — a freed address is handed out again only after the others.
 * `last` (node → IP) is read from the previous allocations and updated with what this call handed out.
 */
export function hostLocal(pods: readonly PodSpec[], placement: ReadonlyMap<string, string>, subnets: ReadonlyMap<string, Cidr>, prev: Allocations, o: HostLocalOptions, last: Map<string, string> = new Map()): Map<string, string> {
  const taken = new Map<string, Set<number>>([...subnets.keys()].map((n) => [n, new Set<number>()]));
  const out = new Map<string, string>();
  for (const p of pods) {
    const key = `${p.namespace}/${p.name}`;
    const node = placement.get(key);
    const pr = prev.pods?.[key];
    if (!node || !pr || pr.node !== node) continue;
    const sn = subnets.get(node)!;
    if (!contains(sn, pr.ip)) continue;
    const off = offset(sn, pr.ip);
    if (off >= o.first && off < o.end(node, sn) && !taken.get(node)!.has(off)) {
      taken.get(node)!.add(off);
      out.set(key, pr.ip);
    }
  }
  for (const [node, sn] of subnets) {
    const l = prev.lastReserved?.[node];
    if (l && contains(sn, l) && !last.has(node)) last.set(node, l);
  }
  for (const p of pods) {
    const key = `${p.namespace}/${p.name}`;
    const node = placement.get(key);
    if (!node || out.has(key)) continue;
    const sn = subnets.get(node)!;
    const t = taken.get(node)!;
    const end = o.end(node, sn);
    const l = last.get(node);
    const start = l !== undefined && offset(sn, l) >= o.first && offset(sn, l) < end ? offset(sn, l) + 1 : o.first;
    const off = nextFree(start, o.first, end, t);
    if (off === undefined) {
      o.full(p, key, node, sn);
      continue;
    }
    t.add(off);
    const ip = nth(sn, off);
    out.set(key, ip);
    last.set(node, ip);
  }
  return out;
}

/** The first offset in [start, end) then [first, start) not in `taken`. */
export function nextFree(start: number, first: number, end: number, taken: ReadonlySet<number>): number | undefined {
  for (let i = 0, n = end - first; i < n; i++) {
    const off = first + ((start - first + i) % n);
    if (!taken.has(off)) return off;
  }
  return undefined;
}
