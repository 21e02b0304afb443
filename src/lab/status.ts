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
}

export interface ServiceStatus {
  namespace: string; name: string; type: string; clusterIP: string;
  externalTrafficPolicy: string; internalTrafficPolicy: string; sessionAffinity: string; externalIPs: string[];
  ports: { name: string; protocol: string; port: number; targetPort: number | string; nodePort?: number; endpoints: { pod: string; ip: string; node: string; port: number }[] }[];
  endpoints: { pod: string; ip: string; node: string }[];
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
  /** bgp mode only: BIRD sessions and the routes it installed (proto bird), per node. */
  bgp?: BgpStatusJson;
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
    ...(last ? { lastState: { state: last.state, ...(last.reason ? { reason: last.reason } : {}), ...(last.exitCode !== undefined ? { exitCode: last.exitCode } : {}), ...(last.startedAt ? { startedAt: last.startedAt } : {}), ...(last.finishedAt ? { finishedAt: last.finishedAt } : {}) } } : {}),
  };
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
    const r = reports.get(p.key);
    const exists = present.has(p.netns);
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
      runtime: p.runtime ?? 'process', containers, initContainers, conditions: [...(r?.conditions ?? [])],
    };
  });
  for (const p of t.pending ?? []) {
    const [namespace, name] = p.key.split('/') as [string, string];
    pods.push({
      namespace, name, node: p.node ?? '', ip: '', netns: '', labels: {}, phase: 'Pending', status: 'Pending', ready: '0/0', restarts: 0, reason: p.reason,
      runtime: 'process', containers: [], initContainers: [], conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: p.reason }],
    });
  }
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
    })),
    external: { ip: t.external.ip, netns: t.external.netns, ports: t.external.ports },
    lifecycle,
  };
}

/** status() plus what only the kernel and the mode's daemons can tell (bgp sessions and routes). */
export async function statusFull(cluster: string, o: Partial<LabContext> = {}): Promise<StatusJson> {
  const ctx = labContext(o);
  const s = await status(cluster, ctx);
  const mr = modeRuntime(s.mode);
  if (!mr) return s;
  const t = (await labState(ctx, cluster)).topology;
  return { ...s, ...(await mr.status(runtimeContext(ctx, cluster), t)) };
}
