// Resolve a validated LabSpec into a Topology: every address, name and MAC decided (pure).
// IPAM is deterministic and sticky: previous allocations (from the state file) are kept when still valid.
import type { LabSpec, ContainerSpec, Mode, ProxyMode, BgpSpec } from '../input/types.js';
import { SpecError, type Problem } from '../input/problems.js';
import { contains, mustCidr, nth, offset, subnet, subnetCount, ipToNum, type Cidr } from '../net/ip.js';
import { extNetns, fabricNetns, nodeNetns, podNetns, fabricPortName } from '../net/names.js';
import { macFor } from '../net/hash.js';
import { resolveServices, serviceAllocationsOf, type ServiceT, type ServiceAllocations } from './services.js';
export type { ServiceT, ServicePortT, EndpointT } from './services.js';
import { maxPods, maxPodsFormula, NODE_PRIMARY_OFFSET, FIRST_POD_OFFSET, HOST_OFFSET, SUBNET_ROUTER } from '../modes/vpc/instances.js';
import { vpcHostNetns, vpcHostPortName } from '../net/names.js';
import { resolvePolicies, type PolicyModel } from './policy.js';

export interface NodeT {
  readonly name: string;
  readonly index: number;
  readonly ip: string;
  readonly netns: string;
  readonly podCIDR: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The node's port on the fabric bridge. */
  readonly fabricPort: string;
  readonly mac: string;
  /** bgp mode: the Calico IPAM blocks affine to this node, in allocation order (podCIDR is the first, or ""). */
  readonly blocks?: readonly string[];
}

export interface PodT {
  readonly namespace: string;
  readonly name: string;
  readonly key: string; // "ns/name"
  readonly node: string;
  readonly ip: string;
  readonly netns: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerSpec[];
}

/** A pod the scheduler or IPAM could not place: reported as Pending, never built. */
export interface PendingPodT {
  readonly key: string;
  readonly node?: string;
  readonly reason: string;
}

/** A plain VPC host (not a node): its own subnet, an address in it, a port on the VPC router. */
export interface VpcHostT {
  readonly name: string;
  readonly ip: string;
  readonly subnet: string;
  readonly netns: string;
  readonly port: string;
  readonly mac: string;
}

export interface VpcT {
  readonly cidr: string;
  readonly subnetMaskSize: number;
  readonly instanceType: string;
  readonly maxPods: number;
  readonly externalSNAT: boolean;
  readonly excludeSNATCIDRs: readonly string[];
  readonly hosts: readonly VpcHostT[];
}

export interface Topology {
  readonly cluster: string;
  readonly mode: Mode;
  readonly proxyMode: ProxyMode;
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  readonly nodeCIDRMaskSize: number;
  readonly nodePortRange: readonly [number, number];
  readonly underlay: string;
  readonly underlayPrefix: number;
  /** The underlay gateway (.1), held by the fabric namespace. It never forwards, so nothing leaves the lab. */
  readonly gateway: string;
  readonly mtu: number;
  readonly nodes: readonly NodeT[];
  readonly pods: readonly PodT[];
  readonly services: readonly ServiceT[];
  readonly external: { readonly ip: string; readonly netns: string; readonly ports: readonly number[]; readonly mac: string };
  readonly fabric: { readonly netns: string; readonly bridge: string };
  readonly namespaces: readonly string[];
  /** mode vpc: the VPC. Nodes' podCIDR is then their VPC subnet and their ip the primary ENI's primary IP. */
  readonly vpc?: VpcT;
  /** Pods not built (Pending), with the reason. */
  readonly pending?: readonly PendingPodT[];
  readonly bgp: BgpSpec;
  /** NetworkPolicies resolved against the pods and namespaces (present when the lab has at least one policy). */
  readonly policy?: PolicyModel;
}

/** What a previous `up` allocated, read back from the state file. */
export interface Allocations {
  readonly nodes?: Readonly<Record<string, { ip: string; podCIDR: string }>>;
  readonly pods?: Readonly<Record<string, { node: string; ip: string }>>;
  readonly services?: ServiceAllocations;
}

export function resolve(lab: LabSpec, prev: Allocations = {}): Topology {
  const c = lab.cluster;
  const problems: Problem[] = [];
  const underlay = mustCidr(c.underlay);
  const podCIDR = mustCidr(c.podCIDR);
  const gateway = nth(underlay, 1);

  // Underlay addresses: gateway, external host, explicit node IPs, then previous allocations, then .11 upward.
  const used = new Set<string>([gateway]);
  const extIp = c.external.ip ?? (underlay.size > 101 ? nth(underlay, 100) : nth(underlay, underlay.size - 2));
  used.add(extIp);
  for (const n of c.nodes) if (n.ip) used.add(n.ip);
  const nodeIps = new Map<string, string>();
  const vpc = c.mode === 'vpc' ? c.vpc : undefined;
  if (c.mode === 'vpc' && !vpc) throw new Error('mode vpc without spec.vpc (parseLab fills the defaults)');
  for (const n of c.nodes) {
    if (vpc) continue;
    if (n.ip) nodeIps.set(n.name, n.ip);
    else {
      const p = prev.nodes?.[n.name]?.ip;
      if (p && contains(underlay, p) && !used.has(p) && validHost(underlay, p)) {
        nodeIps.set(n.name, p);
        used.add(p);
      }
    }
  }
  let cursor = 11;
  for (const n of c.nodes) {
    if (vpc || nodeIps.has(n.name)) continue;
    while (cursor < underlay.size - 1 && used.has(nth(underlay, cursor))) cursor++;
    if (cursor >= underlay.size - 1) {
      problems.push({ file: n.origin.file, line: n.origin.line, path: `Cluster ${c.name} spec.nodes`, message: `no free underlay address left in ${underlay.text} for node ${n.name}` });
      break;
    }
    const ip = nth(underlay, cursor);
    nodeIps.set(n.name, ip);
    used.add(ip);
  }

  // Node pod CIDRs (vpc: node subnets): sticky, else the lowest free subnet. VPC hosts take subnets from the top.
  const subBase = vpc ? mustCidr(vpc.cidr) : podCIDR;
  const subMask = vpc ? vpc.subnetMaskSize : c.nodeCIDRMaskSize;
  const nSubnets = subnetCount(subBase, subMask);
  const takenSub = new Set<number>();
  const hosts: VpcHostT[] = (vpc?.hosts ?? []).map((h, j) => {
    takenSub.add(nSubnets - 1 - j);
    const sn = subnet(subBase, subMask, nSubnets - 1 - j);
    return { name: h.name, ip: nth(sn, HOST_OFFSET), subnet: sn.text, netns: vpcHostNetns(c.name, h.name), port: vpcHostPortName(h.name), mac: macFor(`${c.name}/host/${h.name}/eth0`) };
  });
  const nodeSub = new Map<string, number>();
  for (const n of c.nodes) {
    const p = prev.nodes?.[n.name]?.podCIDR;
    if (!p) continue;
    const pc = mustCidr(p);
    if (pc.prefix !== subMask || !contains(subBase, pc.base)) continue;
    const i = (pc.base - subBase.base) / pc.size;
    if (!takenSub.has(i)) {
      takenSub.add(i);
      nodeSub.set(n.name, i);
    }
  }
  let si = 0;
  for (const n of c.nodes) {
    if (nodeSub.has(n.name)) continue;
    while (takenSub.has(si)) si++;
    if (si >= nSubnets) break; // reported by validation already
    takenSub.add(si);
    nodeSub.set(n.name, si);
  }

  const nodes: NodeT[] = c.nodes.map((n, index) => ({
    name: n.name,
    index,
    ip: vpc ? nth(subnet(subBase, subMask, nodeSub.get(n.name) ?? 0), NODE_PRIMARY_OFFSET) : nodeIps.get(n.name) ?? '0.0.0.0',
    netns: nodeNetns(c.name, n.name),
    podCIDR: subnet(subBase, subMask, nodeSub.get(n.name) ?? 0).text,
    labels: n.labels,
    fabricPort: fabricPortName(n.name),
    mac: macFor(`${c.name}/node/${n.name}/eth0`),
  }));

  // Scheduling: nodeName, else the previous node, else the node with the fewest pods (ties: file order).
  const count = new Map(nodes.map((n) => [n.name, 0]));
  const placement = new Map<string, string>();
  const nodeNames = new Set(nodes.map((n) => n.name));
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    const prevNode = prev.pods?.[key]?.node;
    const node = p.nodeName ?? (prevNode && nodeNames.has(prevNode) ? prevNode : undefined);
    if (node) {
      placement.set(key, node);
      count.set(node, count.get(node)! + 1);
    }
  }
  const limit = vpc ? maxPods(vpc.instanceType) : Infinity;
  const pending: PendingPodT[] = [];
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    if (placement.has(key)) continue;
    let best = nodes[0]!.name;
    for (const n of nodes) if (count.get(n.name)! < count.get(best)!) best = n.name;
    if (count.get(best)! >= limit) {
      pending.push({ key, reason: `0/${nodes.length} nodes are available: ${nodes.length} Too many pods (each ${maxPodsFormula(vpc!.instanceType)})` });
      continue;
    }
    placement.set(key, best);
    count.set(best, count.get(best)! + 1);
  }

  const bgpBlocks = c.mode === 'bgp' ? calicoIpam(lab, podCIDR, placement, prev, problems) : undefined;

  // Pod IPs: host-local style, .2 upward in the node's CIDR (.1 is cni0), sticky across runs.
  // vpc: secondary IPs of the node's subnet from .11, at most max-pods of them (over the limit: Pending).
  const firstOff = vpc ? FIRST_POD_OFFSET : 2;
  const nodeCidr = new Map(nodes.map((n) => [n.name, mustCidr(n.podCIDR)]));
  const endOff = (node: string) => Math.min(nodeCidr.get(node)!.size - 1, firstOff + limit);
  const takenIp = new Map<string, Set<number>>(nodes.map((n) => [n.name, new Set<number>()]));
  const podIp = new Map<string, string>();
  const isPending = new Set(pending.map((p) => p.key));
  if (bgpBlocks) for (const [k, ip] of bgpBlocks.podIp) podIp.set(k, ip);
  if (!bgpBlocks) for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    if (isPending.has(key)) continue;
    const node = placement.get(key)!;
    const pr = prev.pods?.[key];
    if (pr && pr.node === node && contains(nodeCidr.get(node)!, pr.ip)) {
      const off = offset(nodeCidr.get(node)!, pr.ip);
      if (off >= firstOff && off < endOff(node) && !takenIp.get(node)!.has(off)) {
        takenIp.get(node)!.add(off);
        podIp.set(key, pr.ip);
      }
    }
  }
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    if (podIp.has(key) || isPending.has(key)) continue;
    const node = placement.get(key)!;
    const nc = nodeCidr.get(node)!;
    const taken = takenIp.get(node)!;
    let off = firstOff;
    while (off < endOff(node) && taken.has(off)) off++;
    if (vpc && off >= endOff(node)) {
      pending.push({ key, node, reason: `node ${node} is full: ${maxPodsFormula(vpc.instanceType)}; no secondary IP left for this pod` });
      isPending.add(key);
      continue;
    }
    if (off >= nc.size - 1) {
      problems.push({ file: p.origin.file, line: p.origin.line, path: `Pod ${key}`, message: `node ${node}'s pod CIDR ${nc.text} is full (${nc.size - 3} pods); use a larger nodeCIDRMaskSize or more nodes` });
      continue;
    }
    taken.add(off);
    podIp.set(key, nth(nc, off));
  }

  if (bgpBlocks) {
    nodes.forEach((n, i) => {
      const blocks = bgpBlocks.blocks.get(n.name) ?? [];
      nodes[i] = { ...n, podCIDR: blocks[0] ?? '', blocks };
    });
  }

  const pods: PodT[] = lab.pods.filter((p) => !isPending.has(`${p.namespace}/${p.name}`)).map((p) => {
    const key = `${p.namespace}/${p.name}`;
    return {
      namespace: p.namespace, name: p.name, key, node: placement.get(key)!, ip: podIp.get(key) ?? '0.0.0.0',
      netns: podNetns(c.name, p.namespace, p.name), labels: p.labels, containers: p.containers,
    };
  });

  // Names must not collide (a node "x-a" and a pod x/a would share pl-<c>-x-a).
  const owners = new Map<string, string>();
  const claim = (ns: string, who: string, file: string, line: number) => {
    const o = owners.get(ns);
    if (o) problems.push({ file, line, path: who, message: `its network namespace name ${ns} collides with ${o}; rename one of them` });
    else owners.set(ns, who);
  };
  claim(fabricNetns(c.name), 'the fabric', c.origin.file, c.origin.line);
  claim(extNetns(c.name), 'the external host', c.origin.file, c.origin.line);
  c.nodes.forEach((n, i) => claim(nodes[i]!.netns, `node ${n.name}`, n.origin.file, n.origin.line));
  for (const p of pods) {
    const o = lab.pods.find((x) => `${x.namespace}/${x.name}` === p.key)!.origin;
    claim(p.netns, `Pod ${p.key}`, o.file, o.line);
  }
  (vpc?.hosts ?? []).forEach((h, i) => claim(hosts[i]!.netns, `VPC host ${h.name}`, h.origin.file, h.origin.line));

  const services = resolveServices(lab, pods, prev.services, problems);
  const policy = (lab.policies ?? []).length ? resolvePolicies(lab.policies, pods.map((p) => ({
    key: p.key, namespace: p.namespace, labels: p.labels, ip: p.ip, node: p.node,
    ports: p.containers.flatMap((c) => c.ports.map((cp) => ({ ...(cp.name ? { name: cp.name } : {}), port: cp.containerPort, protocol: cp.protocol }))),
  })), lab.namespaces.map((name) => ({ name, labels: lab.namespaceLabels?.[name] ?? {} }))) : undefined;

  if (problems.length) throw new SpecError(problems);
  return {
    cluster: c.name, mode: c.mode, proxyMode: c.proxyMode, podCIDR: c.podCIDR, serviceCIDR: c.serviceCIDR,
    nodeCIDRMaskSize: c.nodeCIDRMaskSize, nodePortRange: c.nodePortRange, underlay: c.underlay,
    underlayPrefix: underlay.prefix, gateway, mtu: c.mtu, nodes, pods, services,
    external: { ip: extIp, netns: extNetns(c.name), ports: c.external.ports, mac: macFor(`${c.name}/ext/eth0`) },
    fabric: { netns: fabricNetns(c.name), bridge: 'fabric' },
    namespaces: lab.namespaces, bgp: c.bgp,
    ...(vpc ? {
      vpc: { cidr: vpc.cidr, subnetMaskSize: vpc.subnetMaskSize, instanceType: vpc.instanceType, maxPods: limit, externalSNAT: vpc.externalSNAT, excludeSNATCIDRs: vpc.excludeSNATCIDRs, hosts },
      podCIDR: vpc.cidr,
      gateway: nth(underlay, SUBNET_ROUTER),
    } : {}),
    ...(pending.length ? { pending } : {}),
    ...(policy ? { policy } : {}),
  };
}

/**
 * Calico IPAM (reference C.2): the pool is cut into blocks (/26 by default); a node gets a block when it
 * needs addresses (its first pod, or when its blocks are full). Every address of a block is handed out,
 * .0 included (pods are /32s). Sticky: a previous pod IP is kept while it is in a block of the pod's node.
 */
function calicoIpam(lab: LabSpec, pool: Cidr, placement: ReadonlyMap<string, string>, prev: Allocations, problems: Problem[]): { blocks: Map<string, string[]>; podIp: Map<string, string> } {
  const bs = lab.cluster.bgp.blockSize;
  const nBlocks = subnetCount(pool, bs);
  const owner = new Map<number, string>(); // block index → node
  const blocks = new Map<string, number[]>();
  const used = new Map<number, Set<number>>(); // block index → used offsets
  const podIp = new Map<string, string>();
  const give = (node: string, bi: number) => {
    owner.set(bi, node);
    blocks.set(node, [...(blocks.get(node) ?? []), bi]);
    used.set(bi, new Set());
  };
  // Sticky first: blocks that held a pod of the same node before.
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    const node = placement.get(key)!;
    const pr = prev.pods?.[key];
    if (!pr || pr.node !== node || !contains(pool, pr.ip)) continue;
    const bi = Math.floor((ipToNum(pr.ip) - pool.base) / 2 ** (32 - bs));
    if (owner.has(bi) && owner.get(bi) !== node) continue;
    if (!owner.has(bi)) give(node, bi);
    const off = ipToNum(pr.ip) - pool.base - bi * 2 ** (32 - bs);
    if (used.get(bi)!.has(off)) continue;
    used.get(bi)!.add(off);
    podIp.set(key, pr.ip);
  }
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    if (podIp.has(key)) continue;
    const node = placement.get(key)!;
    let done = false;
    for (const bi of blocks.get(node) ?? []) {
      const b = subnet(pool, bs, bi);
      const u = used.get(bi)!;
      let off = 0;
      while (off < b.size && u.has(off)) off++;
      if (off < b.size) {
        u.add(off);
        podIp.set(key, nth(b, off));
        done = true;
        break;
      }
    }
    if (done) continue;
    let bi = 0;
    while (bi < nBlocks && owner.has(bi)) bi++;
    if (bi >= nBlocks) {
      problems.push({ file: p.origin.file, line: p.origin.line, path: `Pod ${key}`, message: `no free /${bs} IPAM block left in podCIDR ${pool.text}` });
      continue;
    }
    give(node, bi);
    used.get(bi)!.add(0);
    podIp.set(key, nth(subnet(pool, bs, bi), 0));
  }
  const out = new Map<string, string[]>();
  for (const [n, bis] of blocks) out.set(n, bis.map((bi) => subnet(pool, bs, bi).text));
  return { blocks: out, podIp };
}

function validHost(c: Cidr, ip: string): boolean {
  const n = ipToNum(ip);
  return n > c.base + 1 && n < c.base + c.size - 1;
}

export function allocationsOf(t: Topology): Allocations {
  return {
    nodes: Object.fromEntries(t.nodes.map((n) => [n.name, { ip: n.ip, podCIDR: n.podCIDR }])),
    pods: Object.fromEntries(t.pods.map((p) => [p.key, { node: p.node, ip: p.ip }])),
    services: serviceAllocationsOf(t.services ?? []),
  };
}
