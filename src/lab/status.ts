// `podlab status`: nodes, pods (addresses, namespaces, phase) and Services with their endpoints, from the lab's state
// and what the kernel and the runtimes say now; plus what only the running mode can tell (bgp: sessions, routes).
import { modeRuntime } from '../modes/runtimes.js';
import { edgeStatus, type EdgeStatus } from '../workload/edge/runtime.js';
import { netnsOwners } from '../kernel/netns.js';
import type { ContainerState } from '../workload/types.js';
import { labContext, requireRoot, runtimeContext, type LabContext } from './context.js';
import { labState } from './targets.js';
import { dnsContainerState, dnsPodOf } from '../workload/dns/server.js';
import { domainOf } from '../model/dns.js';
import type { WorkloadT } from '../model/workloads/index.js';
import { nextRun } from '../model/workloads/cronjob.js';

export interface PodStatus {
  namespace: string; name: string; node: string; ip: string; netns: string; labels: Record<string, string>;
  phase: 'Running' | 'Failed' | 'Missing' | 'Pending';
  reason?: string;
  containers: ContainerState[];
  /** A system pod podlab adds to the lab (the cluster DNS server, the ingress controller), not one of the files'. */
  system?: true;
  /** The controller that made it: {kind: ReplicaSet|StatefulSet|DaemonSet|Job, name}. */
  owner?: { kind: string; name: string };
  /** spec.hostNetwork: `ip` is the node's and `netns` the node's namespace. */
  hostNetwork?: true;
}

/** One workload as `kubectl get deploy,rs,sts,ds,job,cronjob` shows it. */
export interface WorkloadStatus {
  kind: string; namespace: string; name: string;
  /** Replicas asked for (DaemonSet: nodes it should run on; Job: completions). */
  desired: number;
  /** Pods it has (created, Pending included). */
  current: number;
  /** Of those, Running and ready. */
  ready: number;
  /** Deployment: pods of the current template; DaemonSet, StatefulSet: = current. */
  upToDate?: number;
  /** The ReplicaSet a Deployment owns, with its own counts (kubectl get rs). */
  owner?: string;
  /** ReplicaSet: its revision; Deployment: the current revision. */
  revision?: number;
  /** Job: Running, Complete, Failed, Suspended; completions "0/1". */
  jobStatus?: string;
  completions?: string;
  /** CronJob. */
  schedule?: string; timeZone?: string; suspend?: boolean; nextSchedule?: string;
}

export interface ServiceStatus {
  namespace: string; name: string; type: string; clusterIP: string;
  externalTrafficPolicy: string; internalTrafficPolicy: string; sessionAffinity: string; externalIPs: string[];
  ports: { name: string; protocol: string; port: number; targetPort: number | string; nodePort?: number; endpoints: { pod: string; ip: string; node: string; port: number }[] }[];
  endpoints: { pod: string; ip: string; node: string }[];
  /** type LoadBalancer: the address it got, as kubectl shows `status.loadBalancer.ingress` (vpc: also the NLB's hostname). */
  status?: { loadBalancer: { ingress: { ip: string; hostname?: string }[] } };
  loadBalancerSourceRanges?: string[];
  healthCheckNodePort?: number;
  /** type ExternalName: the name it is a DNS alias for. */
  externalName?: string;
  /** A system Service podlab adds to every lab (kube-system/kube-dns, default/kubernetes; the ingress controller's). */
  system?: true;
}

export interface DnsStatusJson {
  /** spec.clusterDomain. */
  domain: string;
  /** kube-system/kube-dns's ClusterIP, every ClusterFirst pod's nameserver. */
  serviceIP: string;
  /** The pod serving it ("kube-system/cluster-dns"), empty when it could not be placed. */
  pod: string;
  /** The external host's zone (names outside the cluster domain that resolve). */
  externalZone: string;
}

export interface BgpStatusJson {
  sessions: { node: string; peer: string; peerIp?: string; protocol?: string; state: string }[];
  routes: { node: string; dst: string; via?: string; type: string }[];
}

export interface StatusJson {
  cluster: string; mode: string; proxyMode: string;
  podCIDR: string; serviceCIDR: string; underlay: string; mtu: number;
  nodes: { name: string; ip: string; netns: string; podCIDR: string; present: boolean }[];
  pods: PodStatus[];
  services: ServiceStatus[];
  external: { ip: string; netns: string; ports: readonly number[] };
  /** NetworkPolicies with the pods each selects (present when the lab has any). */
  policies?: { namespace: string; name: string; podSelector: string; policyTypes: string[]; pods: string[] }[];
  dns?: DnsStatusJson;
  workloads: WorkloadStatus[];
  /** Who runs the controllers: "in-process" (each command expands them once) or "daemon". */
  controllers: 'in-process' | 'daemon';
  /** bgp mode only: BIRD sessions and the routes it installed (proto bird), per node. */
  bgp?: BgpStatusJson;
  /** Who announces each load-balancer IP now (L2: the elected speaker; BGP: the router's next hops; NLB: its targets). */
  loadBalancers?: EdgeStatus['loadBalancers'];
  /** The upstream router (BGP) or the NLB (vpc) of the lab's LoadBalancer Services. */
  lbHost?: { name: string; ip: string; netns: string };
  ingress?: EdgeStatus['ingress'];
}

/** The lab as its state and the runtimes see it (no call into the mode's daemons). */
export async function status(cluster: string, o: Partial<LabContext> = {}): Promise<StatusJson> {
  const ctx = labContext(o);
  requireRoot(ctx, 'status');
  const st = await labState(ctx, cluster);
  const t = st.topology;
  // A namespace is this lab's when it exists and its mark does not name another lab (#11: pl-rel-a-node1 may be rel-a's).
  const exists = new Set(ctx.exec.listNetns());
  const wanted = [...t.nodes.map((n) => n.netns), ...t.pods.map((p) => p.netns)].filter((n) => exists.has(n));
  const owners = await netnsOwners(ctx.exec, wanted);
  const present = new Set(wanted.filter((n) => owners.has(n) && (owners.get(n) ?? cluster) === cluster));
  const foreign = (n: string) => exists.has(n) && !present.has(n) ? ` (the namespace ${n} belongs to lab "${owners.get(n) ?? '?'}")` : '';
  const rctx = runtimeContext(ctx, cluster);
  const containers = new Map([...(await ctx.runtime.status(rctx, t, st.processes)), ...dnsContainerState(rctx, t, st.processes)]);
  const pods: PodStatus[] = t.pods.map((p) => {
    const cs = containers.get(p.key) ?? [];
    const exists = present.has(p.netns);
    const failed = cs.find((c) => !c.ready);
    return {
      namespace: p.namespace, name: p.name, node: p.node, ip: p.ip, netns: p.netns, labels: { ...p.labels },
      phase: !exists ? 'Missing' : failed ? 'Failed' : 'Running',
      reason: !exists ? `namespace ${p.netns} does not exist${foreign(p.netns)}` : failed ? `${failed.name}: ${failed.reason}` : undefined,
      containers: cs, ...(p.owner ? { owner: { ...p.owner } } : {}),
      ...(p.system ? { system: true as const } : {}), ...(p.hostNetwork ? { hostNetwork: true as const } : {}),
    };
  });
  for (const p of t.pending ?? []) {
    const [namespace, name] = p.key.split('/') as [string, string];
    pods.push({ namespace, name, node: p.node ?? '', ip: '', netns: '', labels: {}, phase: 'Pending', reason: p.reason, containers: [], ...(p.owner ? { owner: { ...p.owner } } : {}), ...(p.system ? { system: true as const } : {}) });
  }
  const running = new Set(pods.filter((p) => p.phase === 'Running').map((p) => `${p.namespace}/${p.name}`));
  return {
    cluster, mode: t.mode, proxyMode: t.proxyMode, podCIDR: t.podCIDR, serviceCIDR: t.serviceCIDR, underlay: t.underlay, mtu: t.mtu,
    nodes: t.nodes.map((n) => ({ name: n.name, ip: n.ip, netns: n.netns, podCIDR: n.podCIDR, present: present.has(n.netns) })),
    pods,
    services: (t.services ?? []).map((v) => ({
      namespace: v.namespace, name: v.name, type: v.type, clusterIP: v.clusterIP,
      externalTrafficPolicy: v.externalTrafficPolicy, internalTrafficPolicy: v.internalTrafficPolicy,
      sessionAffinity: v.sessionAffinity, externalIPs: [...v.externalIPs],
      ports: v.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort, nodePort: p.nodePort, endpoints: p.endpoints.map((e) => ({ ...e })) })),
      endpoints: v.endpoints.map((e) => ({ ...e })),
      ...(v.loadBalancer ? {
        status: { loadBalancer: { ingress: [{ ip: v.loadBalancer.ip, ...(v.loadBalancer.hostname ? { hostname: v.loadBalancer.hostname } : {}) }] } },
        loadBalancerSourceRanges: [...v.loadBalancer.sourceRanges],
        ...(v.loadBalancer.healthCheckNodePort !== undefined ? { healthCheckNodePort: v.loadBalancer.healthCheckNodePort } : {}),
      } : {}),
      ...(v.externalName !== undefined ? { externalName: v.externalName } : {}),
      ...(v.system ? { system: true as const } : {}),
    })),
    ...(t.lbHost ? { lbHost: { name: t.lbHost.name, ip: t.lbHost.ip, netns: t.lbHost.netns } } : {}),
    external: { ip: t.external.ip, netns: t.external.netns, ports: t.external.ports },
    ...(t.policy ? { policies: t.policy.policies.map((p) => ({
      namespace: p.namespace, name: p.name, podSelector: p.podSelector,
      policyTypes: [...(p.ingressType ? ['Ingress'] : []), ...(p.egressType ? ['Egress'] : [])], pods: [...p.selected],
    })) } : {}),
    ...(t.dns ? { dns: { domain: domainOf(t), serviceIP: t.dns.serviceIP, pod: dnsPodOf(t)?.key ?? '', externalZone: t.dns.externalZone } } : {}),
    workloads: workloadStatus(t.workloads ?? [], running, new Date()),
    controllers: ctx.controllers ? 'daemon' : 'in-process',
  };
}

function workloadStatus(ws: readonly WorkloadT[], running: ReadonlySet<string>, now: Date): WorkloadStatus[] {
  const out: WorkloadStatus[] = [];
  for (const w of ws) {
    const base = { kind: w.kind, namespace: w.namespace, name: w.name, desired: w.desired, current: w.pods.length, ready: w.pods.filter((p) => running.has(p)).length };
    if (w.kind === 'Deployment') {
      const cur = w.replicaSets?.find((r) => r.hash === w.hash);
      const inRs = (r: string) => w.pods.filter((p) => p.split('/')[1]!.startsWith(`${r}-`));
      out.push({ ...base, upToDate: cur ? inRs(cur.name).length : 0, ...(cur ? { revision: cur.revision } : {}) });
      for (const r of w.replicaSets ?? []) {
        const pods = inRs(r.name);
        out.push({ kind: 'ReplicaSet', namespace: w.namespace, name: r.name, desired: r.replicas, current: pods.length, ready: pods.filter((p) => running.has(p)).length, owner: `Deployment ${w.name}`, revision: r.revision });
      }
    } else if (w.kind === 'Job') {
      const j = w.job;
      const type = j?.condition?.type ?? 'Running';
      out.push({ ...base, jobStatus: type, completions: `${j?.succeeded ?? 0}/${w.desired}` });
    } else if (w.kind === 'CronJob' && w.schedule) {
      let next: string | undefined;
      try {
        next = w.schedule.suspend ? undefined : nextRun(w.schedule, now)?.toISOString();
      } catch {
        next = undefined;
      }
      out.push({ ...base, schedule: w.schedule.schedule, ...(w.schedule.timeZone ? { timeZone: w.schedule.timeZone } : {}), suspend: w.schedule.suspend, ...(next ? { nextSchedule: next } : {}) });
    } else out.push({ ...base, ...(w.kind !== 'ReplicaSet' ? { upToDate: base.current } : {}) });
  }
  return out;
}

/** status() plus what only the kernel and the mode's daemons can tell (bgp sessions and routes). */
export async function statusFull(cluster: string, o: Partial<LabContext> = {}): Promise<StatusJson> {
  const ctx = labContext(o);
  const s = await status(cluster, ctx);
  const mr = modeRuntime(s.mode);
  const t = (await labState(ctx, cluster)).topology;
  const rctx = runtimeContext(ctx, cluster);
  const edge = await edgeStatus(rctx, t);
  const mode = mr ? ((await mr.status(rctx, t)) as Partial<StatusJson>) : {};
  // BGP: an IP is announced by the nodes the router has it from.
  const lbs = edge.loadBalancers.map((l) => (l.announce === 'BGP'
    ? { ...l, announcedBy: (mode.bgp?.routes ?? []).filter((r) => r.node === t.lbHost?.name && r.dst === l.ip).map((r) => t.nodes.find((n) => n.ip === r.via)?.name ?? r.via ?? '?') }
    : l));
  return { ...s, ...mode, ...(lbs.length ? { loadBalancers: lbs } : {}), ...(edge.ingress ? { ingress: edge.ingress } : {}) };
}
