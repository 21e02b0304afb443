// Resolve a validated LabSpec into a Topology: every address, name and MAC decided (pure).
// The underlay and scheduling are shared; node subnets and pod addresses come from the mode's IPAM (model/ipam.ts).
// Deterministic and sticky: previous allocations (from the lab's state) are kept when still valid.
import type { LabSpec, ContainerSpec, HostAlias, KubeletSpec, Mode, ProxyMode, RestartPolicy, RuntimeName } from '../input/types.js';
import { SpecError, type Problem } from '../input/problems.js';
import { contains, mustCidr, nth, ipToNum, type Cidr } from '../net/ip.js';
import { extNetns, fabricNetns, nodeNetns, podNetns, fabricPortName } from '../net/names.js';
import { macFor } from '../net/hash.js';
import { resolveServices, serviceAllocationsOf, type ReadyFn, type ServiceT, type ServiceAllocations } from './services.js';
import { resolveVolumes, type ResolvedVolume } from './volumes.js';
import type { Ipam } from './ipam.js';
export type { ServiceT, ServicePortT, EndpointT, ReadyFn } from './services.js';
export type { ResolvedVolume, VolumeFile } from './volumes.js';

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
  readonly annotations?: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerSpec[];
  /** Run in order, each to completion, before the containers; those with restartPolicy Always are sidecars. */
  readonly initContainers?: readonly ContainerSpec[];
  /** Absent: Always. */
  readonly restartPolicy?: RestartPolicy;
  /** Absent: 30. */
  readonly terminationGracePeriodSeconds?: number;
  /** spec.hostname (the pod's hostname; absent: the pod's name) and spec.subdomain. */
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly hostAliases?: readonly HostAlias[];
  /** The pod's volumes, resolved (model/volumes.ts). Containers mount them by `volumeMounts`. */
  readonly volumes?: readonly ResolvedVolume[];
  /** Absent: process. */
  readonly runtime?: RuntimeName;
}

/** A pod the scheduler or IPAM could not place: reported as Pending, never built. */
export interface PendingPodT {
  readonly key: string;
  readonly node?: string;
  readonly reason: string;
}

/** A plain host on the pod network that is not a node (vpc: a VPC host): its own subnet, an address, a fabric port. */
export interface HostT {
  readonly name: string;
  readonly ip: string;
  readonly subnet: string;
  readonly netns: string;
  readonly port: string;
  readonly mac: string;
}

export interface Topology {
  readonly cluster: string;
  readonly mode: Mode;
  readonly proxyMode: ProxyMode;
  /** The cluster's pod address space (kube-proxy's cluster CIDR): spec.podCIDR, or the VPC CIDR in vpc mode. */
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
  /** Plain hosts that are not nodes (vpc: VPC hosts); empty in the other modes. */
  readonly hosts: readonly HostT[];
  /** Pods not built (Pending), with the reason. */
  readonly pending?: readonly PendingPodT[];
  /** What the mode's IPAM decided beyond the above (read through the mode's accessor, e.g. vpcOf(t)). */
  readonly modeData?: unknown;
  /** One-line notices found while resolving (e.g. a Service port no selected pod declares). */
  readonly notices?: readonly string[];
  /** kubelet's settings (spec.kubelet: the restart back-off), when the lab changes them. */
  readonly kubelet?: KubeletSpec;
  /** Per node, the pod address its IPAM handed out last (Allocations.lastReserved). */
  readonly lastReserved?: Readonly<Record<string, string>>;
}

/** What a previous `up` allocated, read back from the state file. */
export interface Allocations {
  readonly nodes?: Readonly<Record<string, { ip: string; podCIDR: string }>>;
  readonly pods?: Readonly<Record<string, { node: string; ip: string }>>;
  readonly services?: ServiceAllocations;
  /**
   * Per node, the pod address handed out last (host-local's last_reserved_ip, Calico's block order): the next pod
   * gets the next free one after it, so a freed address is not handed straight back to a new pod (#2).
   */
  readonly lastReserved?: Readonly<Record<string, string>>;
}

export interface ResolveOptions {
  /** Whether a pod is a ready endpoint (the lifecycle's readiness); absent: every placed pod. */
  readonly ready?: ReadyFn;
}

export function resolve(lab: LabSpec, ipam: Ipam, prev: Allocations = {}, ro: ResolveOptions = {}): Topology {
  const c = lab.cluster;
  const problems: Problem[] = [];
  const underlay = mustCidr(c.underlay);
  const gateway = nth(underlay, 1);

  // Underlay addresses: gateway, external host, explicit node IPs, then previous allocations, then .11 upward.
  const used = new Set<string>([gateway]);
  const extIp = c.external.ip ?? (underlay.size > 101 ? nth(underlay, 100) : nth(underlay, underlay.size - 2));
  used.add(extIp);
  for (const n of c.nodes) if (n.ip) used.add(n.ip);
  const nodeIps = new Map<string, string>();
  if (ipam.nodeIps === 'underlay') {
    for (const n of c.nodes) {
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
      if (nodeIps.has(n.name)) continue;
      while (cursor < underlay.size - 1 && used.has(nth(underlay, cursor))) cursor++;
      if (cursor >= underlay.size - 1) {
        problems.push({ file: n.origin.file, line: n.origin.line, path: `Cluster ${c.name} spec.nodes`, message: `no free underlay address left in ${underlay.text} for node ${n.name}` });
        break;
      }
      const ip = nth(underlay, cursor);
      nodeIps.set(n.name, ip);
      used.add(ip);
    }
  }

  // Scheduling: nodeName, else the previous node, else the node with the fewest pods (ties: file order).
  const count = new Map(c.nodes.map((n) => [n.name, 0]));
  const placement = new Map<string, string>();
  const nodeNames = new Set(c.nodes.map((n) => n.name));
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    const prevNode = prev.pods?.[key]?.node;
    const node = p.nodeName ?? (prevNode && nodeNames.has(prevNode) ? prevNode : undefined);
    if (node) {
      placement.set(key, node);
      count.set(node, count.get(node)! + 1);
    }
  }
  const cap = ipam.capacity?.(lab, c.nodes.length);
  const pending: PendingPodT[] = [];
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    if (placement.has(key)) continue;
    let best = c.nodes[0]!.name;
    for (const n of c.nodes) if (count.get(n.name)! < count.get(best)!) best = n.name;
    if (cap && count.get(best)! >= cap.limit) {
      pending.push({ key, reason: cap.reason });
      continue;
    }
    placement.set(key, best);
    count.set(best, count.get(best)! + 1);
  }

  const ip = ipam.assign({ lab, nodes: c.nodes, placement, prev, problems });
  pending.push(...ip.pending);
  const isPending = new Set(pending.map((p) => p.key));

  const nodes: NodeT[] = c.nodes.map((n, index) => {
    const a = ip.nodes.get(n.name);
    return {
      name: n.name, index,
      ip: a?.ip ?? nodeIps.get(n.name) ?? '0.0.0.0',
      netns: nodeNetns(c.name, n.name),
      podCIDR: a?.podCIDR ?? '',
      labels: n.labels,
      fabricPort: fabricPortName(n.name),
      mac: macFor(`${c.name}/node/${n.name}/eth0`),
      ...(a?.blocks ? { blocks: a.blocks } : {}),
    };
  });

  const notices: string[] = [];
  const pods: PodT[] = lab.pods.filter((p) => !isPending.has(`${p.namespace}/${p.name}`)).map((p) => {
    const key = `${p.namespace}/${p.name}`;
    const runtime = p.runtime ?? c.runtime;
    const volumes = resolveVolumes(p, `${c.name}/${key}`, notices);
    return {
      namespace: p.namespace, name: p.name, key, node: placement.get(key)!, ip: ip.podIps.get(key) ?? '0.0.0.0',
      netns: podNetns(c.name, p.namespace, p.name), labels: p.labels, containers: p.containers,
      ...(p.annotations ? { annotations: p.annotations } : {}),
      ...(p.initContainers?.length ? { initContainers: p.initContainers } : {}),
      ...(p.restartPolicy ? { restartPolicy: p.restartPolicy } : {}),
      ...(p.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: p.terminationGracePeriodSeconds } : {}),
      ...(p.hostname ? { hostname: p.hostname } : {}), ...(p.subdomain ? { subdomain: p.subdomain } : {}),
      ...(p.hostAliases?.length ? { hostAliases: p.hostAliases } : {}),
      ...(volumes.length ? { volumes } : {}),
      ...(runtime && runtime !== 'process' ? { runtime } : {}),
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
  for (const h of ip.hosts ?? []) claim(h.netns, `host ${h.name}`, c.origin.file, c.origin.line);

  const services = resolveServices(lab, pods, prev.services, problems, ro.ready, notices);

  if (problems.length) throw new SpecError(problems);
  return {
    cluster: c.name, mode: c.mode, proxyMode: c.proxyMode, podCIDR: ip.podNetwork, serviceCIDR: c.serviceCIDR,
    nodeCIDRMaskSize: c.nodeCIDRMaskSize, nodePortRange: c.nodePortRange, underlay: c.underlay,
    underlayPrefix: underlay.prefix, gateway, mtu: c.mtu, nodes, pods, services,
    external: { ip: extIp, netns: extNetns(c.name), ports: c.external.ports, mac: macFor(`${c.name}/ext/eth0`) },
    fabric: { netns: fabricNetns(c.name), bridge: 'fabric' },
    namespaces: lab.namespaces, hosts: ip.hosts ?? [],
    ...(ip.modeData !== undefined ? { modeData: ip.modeData } : {}),
    ...(ip.lastReserved?.size ? { lastReserved: Object.fromEntries(ip.lastReserved) } : {}),
    ...(pending.length ? { pending } : {}),
    ...(notices.length ? { notices } : {}),
    ...(c.kubelet ? { kubelet: c.kubelet } : {}),
  };
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
    ...(t.lastReserved ? { lastReserved: t.lastReserved } : {}),
  };
}
