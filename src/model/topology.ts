// Resolve a validated LabSpec into a Topology: every address, name and MAC decided (pure).
// The underlay and scheduling are shared; node subnets and pod addresses come from the mode's IPAM (model/ipam.ts).
// Deterministic and sticky: previous allocations (from the lab's state) are kept when still valid.
import type { LabSpec, ContainerSpec, DnsPolicy, HostAlias, KubeletSpec, Mode, ProxyMode, OwnerRef, PodSpec, RestartPolicy, RuntimeName } from '../input/types.js';
import { SpecError, type Problem } from '../input/problems.js';
import { contains, mustCidr, nth, ipToNum, type Cidr } from '../net/ip.js';
import { extNetns, fabricNetns, nodeNetns, podNetns, fabricPortName, routerNetns } from '../net/names.js';
import { macFor, shortHash } from '../net/hash.js';
import { resolveServices, serviceAllocationsOf, type ReadyFn, type ServiceT, type ServiceAllocations } from './services.js';
import type { Ipam } from './ipam.js';
import { allocateLoadBalancerIps } from './loadbalancer.js';
import { withSystem, dnsServiceIp, EXTERNAL_ZONE } from './system.js';
import { resolveIngress, type IngressT } from './ingress.js';
import { serviceEnv } from './envvars.js';
import { nodeLabels, schedule } from './scheduler.js';
import { expandWorkloads, type WorkloadT } from './workloads/index.js';
import { configIssue, configObjects, resolveContainers, resolveVolumes, serviceAccountVolume, SERVICE_ACCOUNT_DIR, type ResolvedVolume } from './env.js';
import { effectiveRuntime } from '../input/podspec.js';
export type { ServiceT, ServicePortT, EndpointT, ReadyFn } from './services.js';
export type { WorkloadT } from './workloads/index.js';
export type { ResolvedVolume, VolumeFile } from './env.js';
import { resolvePolicies, type PolicyModel } from './policy.js';

export interface NodeT {
  readonly name: string;
  readonly index: number;
  readonly ip: string;
  readonly netns: string;
  readonly podCIDR: string;
  /** The node's labels as the scheduler sees them: kubernetes.io/hostname and kubernetes.io/os, then the lab's. */
  readonly labels: Readonly<Record<string, string>>;
  /** The node's taints (spec.nodes[].taints). */
  readonly taints?: readonly { readonly key: string; readonly value: string; readonly effect: string }[];
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
  /** The containers, with their environment resolved (ConfigMaps, Secrets, the downward API: model/env.ts). */
  readonly containers: readonly ContainerSpec[];
  /** Run in order, each to completion, before the containers; those with restartPolicy Always are sidecars. */
  readonly initContainers?: readonly ContainerSpec[];
  /** Absent: Always. */
  readonly restartPolicy?: RestartPolicy;
  /** Absent: 30. */
  readonly terminationGracePeriodSeconds?: number;
  /** The controller that made the pod (a ReplicaSet, StatefulSet, DaemonSet or Job). */
  readonly owner?: OwnerRef;
  /** spec.hostname / spec.subdomain (the pod's hostname; absent: the pod's name. A StatefulSet's pods: their own name and its serviceName). */
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly hostAliases?: readonly HostAlias[];
  /**
   * The pod's volumes, resolved: the files of configMap/secret/downwardAPI/projected volumes, emptyDir, hostPath, and a
   * persistent claim's directory (relative to the lab's folder). Containers mount them by `volumeMounts`.
   */
  readonly volumes?: readonly ResolvedVolume[];
  readonly dnsPolicy?: DnsPolicy;
  /** The service environment variables the pod got when it was created (model/envvars.ts); the containers' own env wins. */
  readonly serviceEnv?: Readonly<Record<string, string>>;
  /** A system pod (model/system.ts): its component ("dns", "ingress"). Run by that component, left out of the pod checks. */
  readonly system?: string;
  /** Absent: process. */
  readonly runtime?: RuntimeName;
  /** spec.hostNetwork: no sandbox network (no veth, no IPAM): `netns` is the node's and `ip` the node's address. */
  readonly hostNetwork?: boolean;
}

/** The pods with a sandbox network of their own (a veth, an address from the IPAM): all but the hostNetwork ones. */
export function sandboxPods(t: Pick<Topology, 'pods'>): PodT[] {
  return t.pods.filter((p) => !p.hostNetwork);
}

/** Cluster DNS as the topology decides it. */
export interface DnsT {
  /** spec.clusterDomain (cluster.local). */
  readonly domain: string;
  /** The ClusterIP of kube-system/kube-dns: every ClusterFirst pod's nameserver. */
  readonly serviceIP: string;
  /** The zone the external host serves (ext.example): the only names outside the cluster domain that resolve. */
  readonly externalZone: string;
}

/** A pod the scheduler or IPAM could not place, or kubelet could not start: reported as Pending, never built. */
export interface PendingPodT {
  readonly key: string;
  /** The node it was scheduled to (a pod kubelet cannot start), if any. */
  readonly node?: string;
  readonly reason: string;
  /** A system pod's component ("dns"). */
  readonly system?: string;
  readonly owner?: OwnerRef;
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
  /** How LoadBalancer IPs are announced (L2, BGP, NLB), from spec.loadBalancer. */
  readonly loadBalancer?: { readonly announce: string };
  /** The host that receives load-balancer traffic from outside: the upstream router (BGP) or the NLB (vpc). */
  readonly lbHost?: HostT;
  /** The Ingresses the ingress controller serves, resolved to endpoints and certificates. */
  readonly ingress?: IngressT;
  /** Cluster DNS (absent in states written before podlab had it). */
  readonly dns?: DnsT;
  /** Pods not built (Pending), with the reason. */
  readonly pending?: readonly PendingPodT[];
  /** The controllers' workloads (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs) and their state. */
  readonly workloads?: readonly WorkloadT[];
  /** What the mode's IPAM decided beyond the above (read through the mode's accessor, e.g. vpcOf(t)). */
  readonly modeData?: unknown;
  /** One-line notices found while resolving (e.g. a Service port no selected pod declares). */
  readonly notices?: readonly string[];
  /** kubelet's settings (spec.kubelet: the restart back-off), when the lab changes them. */
  readonly kubelet?: KubeletSpec;
  /** Per node, the pod address its IPAM handed out last (Allocations.lastReserved). */
  readonly lastReserved?: Readonly<Record<string, string>>;
  /** NetworkPolicies resolved against the pods and namespaces (present when the lab has at least one policy). */
  readonly policy?: PolicyModel;
}

/** What a previous `up` allocated, read back from the state file. */
export interface Allocations {
  readonly nodes?: Readonly<Record<string, { ip: string; podCIDR: string }>>;
  readonly pods?: Readonly<Record<string, { node: string; ip: string; env?: Readonly<Record<string, string>>; spec?: string }>>;
  readonly services?: ServiceAllocations;
  /** The controllers' state (ReplicaSets and revisions, StatefulSet progress, Job counts). */
  readonly workloads?: readonly WorkloadT[];
  /**
   * Per node, the pod address handed out last (host-local's last_reserved_ip, Calico's block order): the next pod
   * gets the next free one after it, so a freed address is not handed straight back to a new pod (#2).
   */
  readonly lastReserved?: Readonly<Record<string, string>>;
}

export interface ResolveOptions {
  /** Whether a pod is a ready endpoint (the lifecycle's readiness); absent: every placed pod. */
  readonly ready?: ReadyFn;
  /**
   * Keep the steps of rollouts and ordered StatefulSets for a walker (lab/workloads.ts, the daemon) instead of jumping
   * to each controller's end state.
   */
  readonly progressive?: boolean;
  /** An ISO time (a new Job's startTime). */
  readonly now?: string;
}

export function resolve(userLab: LabSpec, ipam: Ipam, prev: Allocations = {}, ro: ResolveOptions = {}): Topology {
  // The controllers' pods join the bare ones before scheduling; the system objects come after the user's (scheduled
  // and addressed last, so they never move a user's pod). From here on `lab.pods` is every pod.
  const exp = expandWorkloads(userLab, userLab.cluster.nodes, prev.workloads, ro);
  const lab: LabSpec = withSystem({ ...userLab, pods: [...userLab.pods, ...exp.pods] });
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

  // Scheduling (model/scheduler.ts): nodeName, else the previous node while it still fits, else kube-scheduler's
  // filters and scores; then kubelet's admission: a pod whose ConfigMap or Secret is missing stays Pending on its node.
  const prevNodes = new Map(Object.entries(prev.pods ?? {}).map(([k, v]) => [k, v.node]));
  const sched = schedule({ pods: lab.pods, nodes: c.nodes, prev: prevNodes, capacity: ipam.capacity?.(lab, c.nodes.length), namespaceLabels: lab.namespaceLabels });
  const placement = sched.placement;
  const ownerOf = new Map(lab.pods.map((p) => [`${p.namespace}/${p.name}`, p.owner]));
  const pending: PendingPodT[] = sched.pending.map((p) => ({ ...p, ...(ownerOf.get(p.key) ? { owner: ownerOf.get(p.key) } : {}) }));
  const objects = configObjects(lab);
  for (const p of lab.pods) {
    const key = `${p.namespace}/${p.name}`;
    const node = placement.get(key);
    const why = node ? configIssue(p, objects) : undefined;
    if (!node || !why) continue;
    placement.delete(key);
    pending.push({ key, node, reason: why, ...(p.owner ? { owner: p.owner } : {}) });
  }

  // hostNetwork pods take no address from the IPAM (no CNI call): their IP is their node's.
  const hostNet = new Set(lab.pods.filter((p) => p.hostNetwork).map((p) => `${p.namespace}/${p.name}`));
  const ipamPlacement = hostNet.size ? new Map([...placement].filter(([k]) => !hostNet.has(k))) : placement;
  const ip = ipam.assign({ lab, nodes: c.nodes, placement: ipamPlacement, prev, problems });
  pending.push(...ip.pending);
  const isPending = new Set(pending.map((p) => p.key));

  const nodes: NodeT[] = c.nodes.map((n, index) => {
    const a = ip.nodes.get(n.name);
    return {
      name: n.name, index,
      ip: a?.ip ?? nodeIps.get(n.name) ?? '0.0.0.0',
      netns: nodeNetns(c.name, n.name),
      podCIDR: a?.podCIDR ?? '',
      labels: nodeLabels(n),
      ...(n.taints.length ? { taints: n.taints } : {}),
      fabricPort: fabricPortName(n.name),
      mac: macFor(`${c.name}/node/${n.name}/eth0`),
      ...(a?.blocks ? { blocks: a.blocks } : {}),
    };
  });

  const nodeIpOf = new Map(nodes.map((n) => [n.name, n.ip]));
  const pods: PodT[] = lab.pods.filter((p) => !isPending.has(`${p.namespace}/${p.name}`)).map((p) => {
    const key = `${p.namespace}/${p.name}`;
    const node = placement.get(key)!;
    const facts = { cluster: c.name, ip: (p.hostNetwork ? nodeIpOf.get(node) : ip.podIps.get(key)) ?? '0.0.0.0', node, hostIP: nodeIpOf.get(node) ?? '' };
    // Only where a process could read it: a pod of netexec servers and idle containers has no use for the folder.
    const reads = [...(p.initContainers ?? []), ...p.containers].some((x) => x.command);
    const sa = !reads || (p.volumes ?? []).some((v) => v.name === 'kube-api-access') ? undefined : serviceAccountVolume(p);
    const volumes = [...resolveVolumes(p, facts, objects), ...(sa ? [sa] : [])];
    // Every container gets the service account folder, unless it mounts something there itself (as kubelet).
    const withSa = (cs: ContainerSpec[]): ContainerSpec[] => (sa ? cs.map((x) => ((x.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_DIR) ? x
      : { ...x, volumeMounts: [...(x.volumeMounts ?? []), { name: sa.name, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true }] })) : cs);
    const runtime = effectiveRuntime(p, c);
    return {
      namespace: p.namespace, name: p.name, key, node, ip: facts.ip,
      netns: p.hostNetwork ? nodeNetns(c.name, node) : podNetns(c.name, p.namespace, p.name), labels: p.labels, containers: withSa(resolveContainers(p, facts, objects)),
      ...(p.annotations ? { annotations: p.annotations } : {}),
      ...(p.initContainers?.length ? { initContainers: withSa(resolveContainers(p, facts, objects, p.initContainers)) } : {}),
      ...(p.restartPolicy ? { restartPolicy: p.restartPolicy } : {}),
      ...(p.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: p.terminationGracePeriodSeconds } : {}),
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      ...(p.owner ? { owner: p.owner } : {}), ...(p.hostname ? { hostname: p.hostname } : {}), ...(p.subdomain ? { subdomain: p.subdomain } : {}),
      ...(p.hostAliases?.length ? { hostAliases: p.hostAliases } : {}),
      ...(volumes.length ? { volumes } : {}),
      dnsPolicy: p.dnsPolicy, ...(p.system ? { system: p.system } : {}),
      ...(runtime && runtime !== 'process' ? { runtime } : {}),
    };
  });
  const podByKey = new Map<string, PodSpec>(lab.pods.map((p) => [`${p.namespace}/${p.name}`, p]));

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
  const seenPod = new Map<string, PodSpec>();
  for (const p of lab.pods) {
    const k = `${p.namespace}/${p.name}`;
    const other = seenPod.get(k);
    // A controller's pod named like a bare pod (or another controller's): Kubernetes would refuse the second.
    if (other) problems.push({ file: p.origin.file, line: p.origin.line, path: p.owner ? `${p.owner.kind} ${p.namespace}/${p.owner.name}` : `Pod ${k}`, message: `its pod ${k} has the name of ${other.owner ? `a pod of ${other.owner.kind} ${other.owner.name}` : 'Pod ' + k} (${other.origin.file}:${other.origin.line}); rename one of them` });
    seenPod.set(k, p);
  }
  for (const p of pods) {
    if (p.hostNetwork) continue; // in its node's namespace
    const o = podByKey.get(p.key)!;
    claim(p.netns, p.owner ? `Pod ${p.key} (of ${p.owner.kind} ${p.owner.name})` : `Pod ${p.key}`, o.origin.file, o.origin.line);
  }
  for (const h of ip.hosts ?? []) claim(h.netns, `host ${h.name}`, c.origin.file, c.origin.line);

  const notices: string[] = [];
  const lbIps = allocateLoadBalancerIps({
    lab, problems, taken: new Set([gateway, extIp, ...nodes.map((n) => n.ip)]),
    prev: Object.fromEntries(Object.entries(prev.services ?? {}).map(([k, v]) => [k, v.loadBalancerIP])),
  });
  const services = resolveServices(lab, pods, prev.services, problems, ro.ready, notices, { ips: lbIps, cluster: c.name, announce: c.loadBalancer.announce });
  const ingress = resolveIngress(lab, services);
  if (ingress) notices.push(...ingress.notices);
  // MetalLB's BGP mode needs a router to peer with: the lab adds one on the fabric, at the highest free address.
  let lbHost = ip.lbHost;
  if (c.loadBalancer.announce === 'BGP' && lbIps.size) {
    const taken = new Set([gateway, extIp, ...nodes.map((n) => n.ip)]);
    let off = underlay.size - 2;
    while (off > 1 && taken.has(nth(underlay, off))) off--;
    lbHost = { name: 'router', ip: nth(underlay, off), subnet: underlay.text, netns: routerNetns(c.name), port: 'n-router', mac: macFor(`${c.name}/router/eth0`) };
  }
  // Service links: what a pod saw when it was created stays while it lives (same node, address and containers).
  const specOf = new Map(lab.pods.map((x) => [`${x.namespace}/${x.name}`, x]));
  // One object per namespace and setting, shared by its pods: the state file stores each such table once (store/pack.ts).
  const envs = new Map<string, Record<string, string>>();
  const envFor = (ns: string, links: boolean) => {
    const k = `${ns}\0${links}`;
    let e = envs.get(k);
    if (!e) envs.set(k, (e = serviceEnv(ns, links, services)));
    return e;
  };
  const withEnv = pods.map((p) => {
    const spec = podSpecHash(p);
    const pr = prev.pods?.[p.key];
    const spec0 = specOf.get(p.key)!;
    const env = pr && pr.node === p.node && pr.ip === p.ip && (pr.spec === undefined || pr.spec === spec)
      ? (pr.env ?? {}) : envFor(p.namespace, spec0.enableServiceLinks);
    return { ...p, serviceEnv: env };
  });
  for (const p of lab.pods) {
    if (!p.subdomain || !p.hostname) continue;
    const svc = services.find((s) => s.namespace === p.namespace && s.name === p.subdomain);
    const key = `${p.namespace}/${p.name}`;
    if (!svc || svc.clusterIP !== 'None' || svc.type === 'ExternalName') notices.push(`${p.origin.file}:${p.origin.line}: Pod ${key} spec.subdomain: no headless Service "${p.subdomain}" in namespace ${p.namespace}, so ${p.hostname}.${p.subdomain}.${p.namespace}.svc.${c.clusterDomain} does not resolve`);
    else if (!svc.endpoints.some((e) => e.pod === key)) notices.push(`${p.origin.file}:${p.origin.line}: Pod ${key}: the headless Service ${svc.key} does not select it, so ${p.hostname}.${p.subdomain}.${p.namespace}.svc.${c.clusterDomain} does not resolve`);
  }
  const dnsPending = pending.find((p) => lab.pods.some((x) => x.system === 'dns' && `${x.namespace}/${x.name}` === p.key));
  if (dnsPending) notices.push(`the cluster DNS pod ${dnsPending.key} is Pending (${dnsPending.reason}): names do not resolve in this lab`);
  // hostNetwork pods have no workload endpoint: policies neither select them nor match them as peers (Calico, the AWS agent).
  const policy = (lab.policies ?? []).length ? resolvePolicies(lab.policies, pods.filter((p) => !p.hostNetwork).map((p) => ({
    key: p.key, namespace: p.namespace, labels: p.labels, ip: p.ip, node: p.node,
    ports: p.containers.flatMap((ct) => ct.ports.map((cp) => ({ ...(cp.name ? { name: cp.name } : {}), port: cp.containerPort, protocol: cp.protocol }))),
  })), lab.namespaces.map((name) => ({ name, labels: lab.namespaceLabels?.[name] ?? {} }))) : undefined;

  if (problems.length) throw new SpecError(problems);
  return {
    cluster: c.name, mode: c.mode, proxyMode: c.proxyMode, podCIDR: ip.podNetwork, serviceCIDR: c.serviceCIDR,
    nodeCIDRMaskSize: c.nodeCIDRMaskSize, nodePortRange: c.nodePortRange, underlay: c.underlay,
    underlayPrefix: underlay.prefix, gateway, mtu: c.mtu, nodes, pods: withEnv, services,
    dns: { domain: c.clusterDomain, serviceIP: dnsServiceIp(c), externalZone: EXTERNAL_ZONE },
    external: { ip: extIp, netns: extNetns(c.name), ports: c.external.ports, mac: macFor(`${c.name}/ext/eth0`) },
    fabric: { netns: fabricNetns(c.name), bridge: 'fabric' },
    namespaces: lab.namespaces, hosts: ip.hosts ?? [], loadBalancer: { announce: c.loadBalancer.announce },
    ...(lbHost ? { lbHost } : {}),
    ...(ingress ? { ingress } : {}),
    ...(ip.modeData !== undefined ? { modeData: ip.modeData } : {}),
    ...(ip.lastReserved?.size ? { lastReserved: Object.fromEntries(ip.lastReserved) } : {}),
    ...(pending.length ? { pending: pending.map((p) => (specOf.get(p.key)?.system ? { ...p, system: specOf.get(p.key)!.system } : p)) } : {}),
    ...(exp.workloads.length ? { workloads: exp.workloads } : {}),
    ...(notices.length ? { notices } : {}),
    ...(policy ? { policy } : {}),
    ...(c.kubelet ? { kubelet: c.kubelet } : {}),
  };
}

/** What makes Kubernetes recreate a pod (reconcile.ts recreatedPods): its node, address and containers. */
export function podSpecHash(p: Pick<PodT, 'node' | 'ip' | 'containers'>): string {
  return shortHash(JSON.stringify([p.node, p.ip, p.containers.map((c) => ({ ...c, workingDir: '' }))]), 16);
}

function validHost(c: Cidr, ip: string): boolean {
  const n = ipToNum(ip);
  return n > c.base + 1 && n < c.base + c.size - 1;
}

export function allocationsOf(t: Topology): Allocations {
  return {
    nodes: Object.fromEntries(t.nodes.map((n) => [n.name, { ip: n.ip, podCIDR: n.podCIDR }])),
    pods: Object.fromEntries(t.pods.map((p) => [p.key, { node: p.node, ip: p.ip, env: p.serviceEnv ?? {}, spec: podSpecHash(p) }])),
    services: serviceAllocationsOf(t.services ?? []),
    ...(t.workloads?.length ? { workloads: t.workloads } : {}),
    ...(t.lastReserved ? { lastReserved: t.lastReserved } : {}),
  };
}
