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
  /** The last pod address handed out per node (host-local's last_reserved_ip), kept in the allocations. */
  readonly lastReserved?: ReadonlyMap<string, string>;
  /** Whatever else the mode decided and its plan needs (read back through the mode's own accessor). */
  readonly modeData?: unknown;
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
  /** Filled with the last address handed out per node (host-local's last_reserved_ip), to keep in the allocations. */
  readonly last?: Map<string, string>;
}

/**
 * host-local style addresses: sticky, else the next free offset after the node's last reserved address
 * (prev.lastReserved), wrapping to `first` — as host-local does, so an address a pod just released is not handed to
 * the next pod at once (its neighbours still hold the old pod's MAC, its conntrack entries the old flows).
 */
export function hostLocal(pods: readonly PodSpec[], placement: ReadonlyMap<string, string>, subnets: ReadonlyMap<string, Cidr>, prev: Allocations, o: HostLocalOptions): Map<string, string> {
  const taken = new Map<string, Set<number>>([...subnets.keys()].map((n) => [n, new Set<number>()]));
  const out = new Map<string, string>();
  const last = new Map(Object.entries(prev.lastReserved ?? {}));
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
  for (const p of pods) {
    const key = `${p.namespace}/${p.name}`;
    const node = placement.get(key);
    if (!node || out.has(key)) continue;
    const sn = subnets.get(node)!;
    const t = taken.get(node)!;
    const end = o.end(node, sn);
    const lastIp = last.get(node);
    const after = lastIp !== undefined && contains(sn, lastIp) ? offset(sn, lastIp) + 1 : o.first;
    const start = after >= o.first && after < end ? after : o.first;
    let off: number | undefined;
    for (let i = 0; i < end - o.first; i++) {
      const x = o.first + ((start - o.first + i) % (end - o.first));
      if (!t.has(x)) {
        off = x;
        break;
      }
    }
    if (off === undefined) {
      o.full(p, key, node, sn);
      continue;
    }
    t.add(off);
    out.set(key, nth(sn, off));
    last.set(node, nth(sn, off));
  }
  if (o.last) for (const [n, ip] of last) if (subnets.has(n)) o.last.set(n, ip);
  return out;
}
