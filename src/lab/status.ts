// `podlab status`: nodes, pods (addresses, namespaces, the phase and containers as Kubernetes reports them) and
// Services with their endpoints, from the lab's state and what the kernel and the runtimes say now; plus what only
// the running mode can tell (bgp: sessions, routes). Pod statuses come from the lab's supervisor when one runs (here,
// or its snapshot), else from looking at the containers: then nothing restarts them, and status says so.
import { join } from 'node:path';
import { podDir } from '../workload/pods.js';
import { modeRuntime } from '../modes/runtimes.js';
import type { PodT, Topology } from '../model/topology.js';
import type { ContainerSpec } from '../input/types.js';
import type { ContainerState } from '../workload/types.js';
import type { PodReport } from '../workload/lifecycle/supervisor.js';
import type { ContainerStatusT, PodCondition } from '../workload/lifecycle/status.js';
import { kindOf } from '../workload/process/index.js';
import { labContext, requireRoot, runtimeContext, type LabContext } from './context.js';
import { netnsOwners } from '../kernel/netns.js';
import { labState } from './targets.js';
import { hosting, oneShot, readSnapshot } from './lifecycle.js';
import { edgeStatus, type EdgeStatus } from '../workload/edge/runtime.js';
import { dnsContainerState, dnsPodOf } from '../workload/dns/server.js';
import { domainOf } from '../model/dns.js';
import type { WorkloadT } from '../model/workloads/index.js';
import { nextRun } from '../model/workloads/cronjob.js';
import type { ProcRecord } from '../workload/types.js';

export interface ContainerView {
  name: string;
  /** How it runs: process (its command), netexec (podlab's server on its ports), idle, docker (the image). */
  kind: 'process' | 'netexec' | 'idle' | 'docker';
  image?: string;
  state: 'waiting' | 'running' | 'terminated';
  reason?: string;
  message?: string;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  restartCount: number;
  ready: boolean;
  started: boolean;
  /** process://<pid> or docker://<id>, as kubectl's containerID. */
  containerID?: string;
  /** The running process runtime's container: its process (for /proc/<pid>, nsenter -t). */
  pid?: number;
  lastState?: { state: 'waiting' | 'running' | 'terminated'; reason?: string; exitCode?: number; startedAt?: string; finishedAt?: string };
}

export interface PodStatus {
  namespace: string; name: string; node: string; ip: string; netns: string; labels: Record<string, string>;
  /** Kubernetes' phase; Missing when the pod's namespace is gone. */
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown' | 'Missing';
  /** kubectl get pods: STATUS ("Running", "Init:0/2", "CrashLoopBackOff", …), READY ("1/2"), RESTARTS. */
  status: string;
  ready: string;
  restarts: number;
  reason?: string;
  runtime: 'process' | 'docker';
  containers: ContainerView[];
  initContainers: ContainerView[];
  conditions: PodCondition[];
  /** A system pod podlab adds to the lab (the cluster DNS server, the ingress controller), not one of the files'. */
  system?: true;
  /** The controller that made it: {kind: ReplicaSet|StatefulSet|DaemonSet|Job, name}. */
  owner?: { kind: string; name: string };
  /** spec.hostNetwork: `ip` is the node's and `netns` the node's namespace. */
  hostNetwork?: true;
}

/** Whether a pod's Ready condition is True (what Services, rollouts and `kubectl get deploy` count). */
export const podReady = (p: Pick<PodStatus, 'conditions'>): boolean => p.conditions.some((c) => c.type === 'Ready' && c.status === 'True');

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

/** Who runs the pods' lifecycle: a supervisor (restarts, probes, readiness) or nobody (started once by `up`). */
export interface LifecycleStatus {
  supervised: boolean;
  /** "daemon", "podlab supervise" (pid), when supervised. */
  by?: string;
  pid?: number;
  since?: string;
  note: string;
}

export interface StatusJson {
  cluster: string; mode: string; proxyMode: string;
  podCIDR: string; serviceCIDR: string; underlay: string; mtu: number;
  nodes: { name: string; ip: string; netns: string; podCIDR: string; present: boolean }[];
  pods: PodStatus[];
  services: ServiceStatus[];
  external: { ip: string; netns: string; ports: readonly number[] };
  lifecycle: LifecycleStatus;
  /** NetworkPolicies with the pods each selects (present when the lab has any). */
  policies?: { namespace: string; name: string; podSelector: string; policyTypes: string[]; pods: string[] }[];
  dns?: DnsStatusJson;
  workloads: WorkloadStatus[];
  /**
   * Who runs the controllers that act over time (Jobs, CronJobs): "in-process" (each command expands them once), or the
   * lab's supervisor ("supervisor": `podlab supervise` or the daemon, which hosts one per lab).
   */
  controllers: 'in-process' | 'daemon' | 'supervisor';
  /** bgp mode only: BIRD sessions and the routes it installed (proto bird), per node. */
  bgp?: BgpStatusJson;
  /** Who announces each load-balancer IP now (L2: the elected speaker; BGP: the router's next hops; NLB: its targets). */
  loadBalancers?: EdgeStatus['loadBalancers'];
  /** The upstream router (BGP) or the NLB (vpc) of the lab's LoadBalancer Services. */
  lbHost?: { name: string; ip: string; netns: string };
  ingress?: EdgeStatus['ingress'];
}

function flat(s: ContainerState): Pick<ContainerView, 'state' | 'reason' | 'message' | 'exitCode' | 'startedAt' | 'finishedAt'> {
  if ('running' in s) return { state: 'running', startedAt: s.running.startedAt };
  if ('waiting' in s) return { state: 'waiting', reason: s.waiting.reason, ...(s.waiting.message ? { message: s.waiting.message } : {}) };
  const t = s.terminated;
  return { state: 'terminated', reason: t.reason, exitCode: t.exitCode, ...(t.message ? { message: t.message } : {}), ...(t.startedAt ? { startedAt: t.startedAt } : {}), ...(t.finishedAt ? { finishedAt: t.finishedAt } : {}) };
}

function view(p: PodT, c: ContainerSpec, s: ContainerStatusT | undefined): ContainerView {
  const kind: ContainerView['kind'] = p.runtime === 'docker' ? 'docker' : kindOf(c);
  const base = { name: c.name, kind, ...(c.image ? { image: c.image } : {}) };
  if (!s) return { ...base, state: 'waiting', reason: 'Unknown', restartCount: 0, ready: false, started: false };
  const last = s.lastState ? flat(s.lastState) : undefined;
  return {
    ...base, ...flat(s.state), restartCount: s.restartCount, ready: s.ready, started: s.started ?? false,
    ...(s.containerID ? { containerID: s.containerID } : {}),
    ...('running' in s.state && s.containerID?.startsWith('process://') ? { pid: Number(s.containerID.slice('process://'.length)) } : {}),
    ...(last ? { lastState: { state: last.state, ...(last.reason ? { reason: last.reason } : {}), ...(last.exitCode !== undefined ? { exitCode: last.exitCode } : {}), ...(last.startedAt ? { startedAt: last.startedAt } : {}), ...(last.finishedAt ? { finishedAt: last.finishedAt } : {}) } } : {}),
  };
}

/**
 * A system pod, run by its component (workload/dns/: unbound; workload/edge/: the ingress controller's nginx): its
 * containers run while that process does. Nothing restarts them but the next reconcile (the daemon's resync).
 */
function systemPod(ctx: LabContext, p: PodT, t: Topology, records: readonly ProcRecord[]): { phase: PodStatus['phase']; containers: ContainerView[]; reason?: string } {
  const dns = dnsContainerState(runtimeContext(ctx, t.cluster), t, records).get(p.key);
  const states = dns ?? p.containers.map((c) => {
    const ok = ctx.exec.pidsIn([p.netns]).size > 0;
    return { name: c.name, running: ok, ...(ok ? {} : { reason: `${c.builtin ?? 'its process'} is not running` }) };
  });
  const containers: ContainerView[] = states.map((c) => ({
    name: c.name, kind: 'process', ...(p.containers.find((x) => x.name === c.name)?.image ? { image: p.containers.find((x) => x.name === c.name)!.image } : {}),
    state: c.running ? 'running' : 'terminated', ...(c.running ? {} : { reason: 'Error', message: c.reason }),
    restartCount: 0, ready: c.running, started: c.running, ...('pid' in c && c.pid !== undefined && c.running ? { pid: c.pid } : {}),
  }));
  const bad = states.find((c) => !c.running);
  return { phase: bad ? 'Failed' : 'Running', containers, ...(bad ? { reason: `${bad.name}: ${bad.reason}` } : {}) };
}

function systemConditions(ready: boolean): PodCondition[] {
  const s = ready ? 'True' : 'False';
  return [{ type: 'PodScheduled', status: 'True' }, { type: 'Initialized', status: 'True' }, { type: 'ContainersReady', status: s }, { type: 'Ready', status: s }];
}

/** Each pod's lifecycle status and who reports it. */
async function podReports(ctx: LabContext, cluster: string, t: Topology): Promise<{ reports: Map<string, PodReport>; lifecycle: LifecycleStatus }> {
  const rctx = runtimeContext(ctx, cluster);
  const h = await hosting(ctx, rctx);
  if (h.kind === 'here') return { reports: new Map(h.supervisor.statuses().map((r) => [r.pod, r])), lifecycle: { supervised: true, by: 'this process', pid: process.pid, note: 'restarts, probes and readiness are handled by the supervisor in this process' } };
  if (h.kind === 'elsewhere') {
    const snap = await readSnapshot(rctx);
    const b = h.heartbeat;
    if (snap) return { reports: new Map(snap.pods.map((r) => [r.pod, r])), lifecycle: { supervised: true, by: b.by, pid: b.pid, since: b.since, note: `restarts, probes and readiness are handled by ${b.by} (pid ${b.pid}); as of ${snap.at}` } };
  }
  const looked = await oneShot(ctx.runtime, rctx, t).look(t);
  return {
    reports: new Map(looked.map((r) => [r.pod, r])),
    lifecycle: { supervised: false, note: 'no supervisor runs for this lab: `up` started the containers once and nothing restarts them or runs their probes (run `podlab supervise`, or the daemon)' },
  };
}

/** The lab as its state and the runtimes see it (no call into the mode's daemons). */
export async function status(cluster: string, o: Partial<LabContext> = {}): Promise<StatusJson> {
  const ctx = labContext(o);
  requireRoot(ctx, 'status');
  const st = await labState(ctx, cluster);
  const t = st.topology;
  // A namespace is this lab's when it exists and its mark does not name another lab (#11: pl-rel-a-node1 may be rel-a's).
  const inKernel = new Set(ctx.exec.listNetns());
  const wanted = [...t.nodes.map((n) => n.netns), ...t.pods.map((p) => p.netns)].filter((n) => inKernel.has(n));
  const owners = await netnsOwners(ctx.exec, wanted);
  const present = new Set(wanted.filter((n) => owners.has(n) && (owners.get(n) ?? cluster) === cluster));
  const foreign = (n: string) => inKernel.has(n) && !present.has(n) ? ` (the namespace ${n} belongs to lab "${owners.get(n) ?? '?'}")` : '';
  const { reports, lifecycle } = await podReports(ctx, cluster, t);
  const sandboxes = new Map<string, string | undefined>();
  for (const p of t.pods) {
    try {
      const sb = await ctx.exec.files.read(join(podDir(runtimeContext(ctx, cluster), p), 'sandbox.json'));
      sandboxes.set(p.key, sb ? (JSON.parse(sb) as { netnsId?: string }).netnsId : undefined);
    } catch {
      /* none */
    }
  }
  const pods: PodStatus[] = t.pods.map((p) => {
    const exists = present.has(p.netns);
    const tags = { ...(p.owner ? { owner: { ...p.owner } } : {}), ...(p.system ? { system: true as const } : {}) };
    if (p.system) {
      const sp = systemPod(ctx, p, t, st.processes);
      const phase = !exists ? 'Missing' : sp.phase;
      const ok = exists && sp.phase === 'Running';
      return {
        namespace: p.namespace, name: p.name, node: p.node, ip: p.ip, netns: p.netns, labels: { ...p.labels }, phase,
        status: !exists ? 'Missing' : ok ? 'Running' : 'Error', ready: `${sp.containers.filter((c) => c.ready).length}/${sp.containers.length}`, restarts: 0,
        ...(!exists ? { reason: `namespace ${p.netns} does not exist${foreign(p.netns)}` } : sp.reason ? { reason: sp.reason } : {}),
        runtime: 'process' as const, containers: sp.containers, initContainers: [], conditions: systemConditions(ok), ...tags,
      };
    }
    const r = reports.get(p.key);
    // A namespace deleted and made again by hand is not the one the pod's sandbox was made in.
    const replaced = exists && sandboxes.get(p.key) !== undefined && sandboxes.get(p.key) !== ctx.exec.netnsId(p.netns);
    const statuses = new Map([...(r?.initContainerStatuses ?? []), ...(r?.containerStatuses ?? [])].map((s) => [s.name, s]));
    const containers = p.containers.map((c) => view(p, c, statuses.get(c.name)));
    const initContainers = (p.initContainers ?? []).map((c) => view(p, c, statuses.get(c.name)));
    const bad = [...initContainers, ...containers].find((c) => c.state !== 'running' && c.reason && c.reason !== 'Completed');
    return {
      namespace: p.namespace, name: p.name, node: p.node, ip: p.ip, netns: p.netns, labels: { ...p.labels },
      phase: !exists ? 'Missing' : replaced ? 'Failed' : r?.phase ?? 'Unknown',
      status: !exists ? 'Missing' : r?.display.status ?? 'Unknown', ready: r?.display.ready ?? `0/${containers.length}`, restarts: r?.display.restarts ?? 0,
      ...(!exists ? { reason: `namespace ${p.netns} does not exist${foreign(p.netns)}` } : replaced ? { reason: `network namespace ${p.netns} is not the one the pod was made in (deleted by hand?): \`podlab up\` rebuilds the pod` } : bad ? { reason: `${bad.name}: ${bad.reason}${bad.message ? ` (${bad.message})` : ''}` } : {}),
      runtime: p.runtime ?? 'process', containers, initContainers, conditions: [...(r?.conditions ?? [])], ...tags, ...(p.hostNetwork ? { hostNetwork: true as const } : {}),
    };
  });
  for (const p of t.pending ?? []) {
    const [namespace, name] = p.key.split('/') as [string, string];
    pods.push({
      namespace, name, node: p.node ?? '', ip: '', netns: '', labels: {}, phase: 'Pending', status: 'Pending', ready: '0/0', restarts: 0, reason: p.reason,
      runtime: 'process', containers: [], initContainers: [],
      conditions: p.node ? [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: p.reason }] : [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: p.reason }],
      ...(p.owner ? { owner: { ...p.owner } } : {}), ...(p.system ? { system: true as const } : {}),
    });
  }
  const ready = new Set(pods.filter(podReady).map((p) => `${p.namespace}/${p.name}`));
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
    workloads: workloadStatus(t.workloads ?? [], ready, new Date()),
    controllers: ctx.controllers ? 'daemon' : lifecycle.supervised ? 'supervisor' : 'in-process',
    lifecycle,
  };
}
function workloadStatus(ws: readonly WorkloadT[], ready: ReadonlySet<string>, now: Date): WorkloadStatus[] {
  const out: WorkloadStatus[] = [];
  for (const w of ws) {
    const base = { kind: w.kind, namespace: w.namespace, name: w.name, desired: w.desired, current: w.pods.length, ready: w.pods.filter((p) => ready.has(p)).length };
    if (w.kind === 'Deployment') {
      const cur = w.replicaSets?.find((r) => r.hash === w.hash);
      const inRs = (r: string) => w.pods.filter((p) => p.split('/')[1]!.startsWith(`${r}-`));
      out.push({ ...base, upToDate: cur ? inRs(cur.name).length : 0, ...(cur ? { revision: cur.revision } : {}) });
      for (const r of w.replicaSets ?? []) {
        const pods = inRs(r.name);
        out.push({ kind: 'ReplicaSet', namespace: w.namespace, name: r.name, desired: r.replicas, current: pods.length, ready: pods.filter((p) => ready.has(p)).length, owner: `Deployment ${w.name}`, revision: r.revision });
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
