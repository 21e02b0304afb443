// Lab lifecycle, in-process: up (observe → diff → apply only what is missing), down, clean, status.
// The CLI calls these directly; a long-running daemon will call the same functions.
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseLab, objectKeysOf, objectKey, type Source } from '../input/parse.js';
import type { LabSpec } from '../input/types.js';
import { resolve, allocationsOf, type Topology } from '../model/topology.js';
import { getMode, supportedModes } from '../modes/registry.js';
import { staleUdpFlows } from '../dataplane/proxy/conntrack.js';
import { applyPlan, initFresh, type IptablesLedger } from '../kernel/apply.js';
import { LocalExecutor, HOST, inNs, mapLimit, type Executor } from '../kernel/exec.js';
import { preflight, sctpUsers, policyCommands } from '../kernel/preflight.js';
import { sysctlBatch } from '../kernel/sysctl.js';
import { addNetns, delNetns, clusterNetns, clustersInKernel, killIn, listNetns, pidsIn, pidAlive, pidInNetns } from '../substrate/local.js';
import { readState, writeState, removeState, knownClusters, type LabState } from '../store/file.js';
import { syncWorkloads, readStatus, runtimeStatusFile } from '../workload/process.js';
import { PREFIX } from '../net/names.js';
import { shortHash } from '../net/hash.js';
import { syncBird, waitConverged, isBirdRecord, bgpStatus, birdDown, birdUp, type BgpSession, type BgpRoute } from '../modes/bgp/runtime.js';

export type Progress = (msg: string) => void;

export interface UpOptions {
  readonly files: readonly string[];
  /** An already parsed lab (benchmarks and tests); the files are then only recorded. */
  readonly lab?: LabSpec;
  /** Snapshots of documents added by `podlab apply` (later documents replace earlier ones of the same object). */
  readonly applied?: readonly string[];
  /** Objects removed by `podlab delete` ("Pod ns/name", "Service ns/name"). */
  readonly deleted?: readonly string[];
  readonly mode?: string;
  readonly proxyMode?: string;
  /**
   * Live change (apply/delete) of a lab whose last run converged: skip the kernel feature probe and read back
   * only the namespaces whose planned state differs from the last run's (kube-proxy's partial sync). A plain
   * `up` always reads back every namespace and repairs any drift.
   */
  readonly live?: boolean;
  readonly progress?: Progress;
  /** Checked between steps: when it returns true, up stops where it is (Ctrl-C). */
  readonly aborted?: () => boolean;
  readonly exec?: Executor;
  readonly concurrency?: number;
}

export interface UpResult {
  readonly cluster: string;
  readonly mode: string;
  /** Kernel and process changes made: 0 when the lab already matched the file. */
  readonly changes: number;
  /** Namespaces read back and compared with the plan (a live change skips those whose plan did not change). */
  readonly readBack: number;
  /** Live change: namespaces where only the rule sets changed, written without reading anything back. */
  readonly rulesSynced: number;
  readonly namespaces: number;
  readonly created: readonly string[];
  readonly deleted: readonly string[];
  readonly problems: readonly string[];
  readonly notices: readonly string[];
  readonly ms: number;
  readonly spawned: number;
}

export class AbortedError extends Error {
  constructor(readonly cluster: string) {
    super(`interrupted: the lab "${cluster}" is partly built; \`podlab down -c ${cluster}\` (or \`podlab clean -c ${cluster}\`) removes it`);
    this.name = 'AbortedError';
  }
}

export function readSources(files: readonly string[]): Source[] {
  return files.map((f) => {
    const abs = resolvePath(f);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (e) {
      throw new Error(`cannot read cluster file ${f}: ${(e as Error).message}`);
    }
    return { file: f, text, dir: dirname(abs) };
  });
}

/** IPv4 destinations of the host's own routes (main table, not default): lab CIDRs must not overlap them. */
export async function hostRoutes(exec: Executor): Promise<string[]> {
  const r = await exec.run(['ip', '-j', '-4', 'route', 'show'], HOST);
  if (r.code !== 0) return [];
  try {
    return (JSON.parse(r.stdout) as { dst: string }[]).map((x) => x.dst).filter((d) => d !== 'default');
  } catch {
    return [];
  }
}

export function loadLab(files: readonly string[], opts: { mode?: string; proxyMode?: string; hostRoutes?: readonly string[]; applied?: readonly string[]; deleted?: readonly string[] } = {}): LabSpec {
  const { applied, deleted, ...rest } = opts;
  const live = (applied?.length ?? 0) > 0 || (deleted?.length ?? 0) > 0;
  return parseLab(readSources([...files, ...(applied ?? [])]), { ...rest, supportedModes: supportedModes(), lastWins: live, deleted });
}

export async function up(o: UpOptions): Promise<UpResult> {
  const t0 = performance.now();
  const exec = o.exec ?? new LocalExecutor();
  const say = o.progress ?? (() => undefined);
  // A live change keeps the Cluster document, which `up` already checked against the host's routes.
  const routes = o.live ? undefined : await hostRoutes(exec);
  const lab = o.lab ?? loadLab(o.files, { mode: o.mode, proxyMode: o.proxyMode, hostRoutes: routes, applied: o.applied, deleted: o.deleted });
  const cluster = lab.cluster.name;
  const mode = getMode(lab.cluster.mode);
  const prev = readState(cluster);
  const incremental = o.live === true && prev?.converged === true && prev.planHashes !== undefined && prev.topology.mode === mode.name;
  const sctp = sctpUsers(lab); // a live change may add the lab's first SCTP port: that needs checking even then
  const polCmds = policyCommands(lab); // … or its first NetworkPolicy
  if (!incremental) await preflight(exec, { ...mode.requires, commands: [...mode.requires.commands, ...polCmds], bridgeNetfilter: mode.requires.linkKinds.includes('bridge'), sctp });
  else if (sctp.length || polCmds.length) await preflight(exec, { commands: polCmds, linkKinds: [], sctp });

  const topo = resolve(lab, prev?.allocations);
  const plan = mode.plan(topo);
  // Per namespace, a hash of its plan without the rule sets (those have their own ledgers, by hash of the text).
  const planHashes = Object.fromEntries(plan.namespaces.map((n) => [n.netns, shortHash(JSON.stringify({ ...n, iptables: undefined, nftables: undefined, ipsets: undefined }), 16)]));
  const netUnchanged = incremental ? new Set(plan.namespaces.filter((n) => prev.planHashes?.[n.netns] === planHashes[n.netns]).map((n) => n.netns)) : undefined;
  const abortCheck = () => {
    if (o.aborted?.()) throw new AbortedError(cluster);
  };

  const existing = new Set(clusterNetns(cluster));
  const desired = new Set(plan.namespaces.map((n) => n.netns));
  // A pod whose spec changed (node, address, containers; not labels) is recreated, as Kubernetes does: its
  // namespace goes (with its veth and processes) and a new one is built.
  const recreate = new Set(prev ? recreatedPods(prev.topology, topo).filter((n) => existing.has(n)) : []);
  const stale = [...existing].filter((n) => !desired.has(n) || recreate.has(n));
  const fresh = plan.namespaces.filter((n) => !existing.has(n.netns) || recreate.has(n.netns)).map((n) => n.netns);
  let changes = 0;

  // Record what we are about to build before touching the kernel, so down/status can find it if interrupted.
  const iptState: IptablesLedger = { ...(prev?.iptables ?? {}) };
  const nftState: IptablesLedger = { ...(prev?.nftables ?? {}) };
  let procs = prev?.processes ?? [];
  const save = (converged = false) => writeState({
    ...(converged ? { converged, planHashes } : {}),
    version: 1, cluster, files: o.files.map((f) => resolvePath(f)), applied: [...(o.applied ?? [])], deleted: [...(o.deleted ?? [])],
    mode: o.mode, proxyMode: o.proxyMode, topology: topo, allocations: allocationsOf(topo),
    iptables: iptState, nftables: nftState, processes: procs, updatedAt: new Date().toISOString(),
  });
  save();

  if (stale.length) {
    say(`removing ${stale.length} namespace(s)${recreate.size ? ` (${recreate.size} of them pods to recreate)` : ''}`);
    await killIn(stale);
    // Links first: a netexec runtime's listener can keep a deleted pod namespace, and its veth, alive for a while.
    await sysctlBatch(exec, stale.map((netns) => ({ netns, unlink: true })));
    await delNetns(exec, stale);
    for (const n of stale) {
      delete iptState[n];
      delete nftState[n];
    }
    changes += stale.length;
  }
  abortCheck();
  if (fresh.length) {
    say(`creating ${fresh.length} network namespace(s)`);
    await addNetns(exec, fresh);
    changes += fresh.length;
  }
  const freshSet = new Set(fresh);
  if (fresh.length) changes += await initFresh(exec, plan, freshSet);
  const applied = await applyPlan(exec, plan, { fresh: freshSet, netUnchanged, ledger: iptState, nftLedger: nftState, concurrency: o.concurrency, progress: say, aborted: o.aborted });
  changes += applied.changes;
  const limit = o.concurrency ?? 8;
  abortCheck();
  save();

  say('starting pod processes');
  const birds = procs.filter(isBirdRecord);
  const wl = await syncWorkloads(topo, procs.filter((r) => !isBirdRecord(r)));
  procs = [...wl.records, ...birds];
  changes += wl.changes;
  save();
  if (topo.mode === 'bgp') {
    say('starting BIRD on every node');
    const b = await syncBird(exec, topo, birds);
    procs = [...wl.records, ...b.records];
    changes += b.changes;
    save();
    abortCheck();
    say('waiting for BGP sessions and routes');
    await waitConverged(exec, topo);
  }

  // As kube-proxy does after a sync: forget UDP flows to endpoints that went away, on every node.
  const flows = staleUdpFlows(prev?.topology, topo);
  if (flows.length) {
    const script = flows.map((a) => `${a.join(' ')} >/dev/null 2>&1 || true`).join('\n') + '\n';
    await mapLimit(topo.nodes, limit, (n) => exec.run(['sh', '-s'], inNs(n.netns), { input: script }));
    changes += flows.length;
  }
  save(true);
  return {
    cluster, mode: mode.name, changes, readBack: applied.readBack, rulesSynced: applied.rulesSynced, namespaces: plan.namespaces.length, created: fresh, deleted: stale, problems: wl.problems,
    notices: [...lab.notices, ...(topo.pending ?? []).map((p) => `Pod ${p.key} is Pending: ${p.reason}`)],
    ms: performance.now() - t0, spawned: exec.spawned,
  };
}

/** Namespaces of pods in both topologies whose spec changed in a way that makes Kubernetes recreate the pod. */
function recreatedPods(before: Topology, after: Topology): string[] {
  // Not workingDir: it defaults to the folder of the file that declared the pod, so the same pod read from
  // another folder would be recreated. A changed workingDir restarts the container's process instead.
  const spec = (p: Topology['pods'][number]) => JSON.stringify([p.node, p.ip, p.containers.map((c) => ({ ...c, workingDir: '' }))]);
  const old = new Map(before.pods.map((p) => [p.netns, spec(p)]));
  return after.pods.filter((p) => old.has(p.netns) && old.get(p.netns) !== spec(p)).map((p) => p.netns);
}

export interface LiveOptions {
  readonly cluster?: string;
  readonly progress?: Progress;
  readonly exec?: Executor;
}

/**
 * `podlab apply -f FILE…`: add or update Pods, Services, Namespaces and NetworkPolicies of a running lab. The files join the lab's
 * file set (a later document replaces an earlier one of the same object) and the same convergent `up` runs:
 * only what changed is touched. The whole set is validated before anything is changed.
 */
export async function apply(files: readonly string[], o: LiveOptions = {}): Promise<UpResult & { objects: string[] }> {
  const cluster = pickCluster(o.cluster);
  const st = labState(cluster);
  const keys = objectKeysOf(readSources(files));
  const bad = keys.filter((k) => !/^(Pod|Service|Namespace|NetworkPolicy) /.test(k));
  if (bad.length) throw new Error(`apply adds or updates Pods, Services, Namespaces and NetworkPolicies only (${bad.join(', ')}); change the Cluster with \`podlab up -f\``);
  const abs = files.map((f) => resolvePath(f));
  const applied = [...(st.applied ?? []).filter((f) => !abs.includes(f)), ...abs];
  const deleted = (st.deleted ?? []).filter((k) => !keys.includes(k));
  const r = await up({ files: st.files, applied, deleted, mode: st.mode, proxyMode: st.proxyMode, live: true, progress: o.progress, exec: o.exec });
  return { ...r, objects: keys };
}

/** `podlab delete -f FILE…` or `podlab delete pod|service|networkpolicy NS/NAME`: remove them from a running lab. */
export async function deleteObjects(what: { files?: readonly string[]; kind?: string; name?: string }, o: LiveOptions = {}): Promise<UpResult & { objects: string[] }> {
  const cluster = pickCluster(o.cluster);
  const st = labState(cluster);
  let keys: string[];
  if (what.files?.length) keys = objectKeysOf(readSources(what.files)).filter((k) => /^(Pod|Service|NetworkPolicy) /.test(k));
  else {
    const kind = {
      pod: 'Pod', pods: 'Pod', po: 'Pod', service: 'Service', services: 'Service', svc: 'Service',
      networkpolicy: 'NetworkPolicy', networkpolicies: 'NetworkPolicy', netpol: 'NetworkPolicy',
    }[(what.kind ?? '').toLowerCase()];
    if (!kind || !what.name) throw new Error('say what to delete: `podlab delete pod NS/NAME`, `podlab delete service NS/NAME`, `podlab delete networkpolicy NS/NAME` or `podlab delete -f FILE`');
    const [ns, name] = what.name.includes('/') ? what.name.split('/', 2) : ['default', what.name];
    keys = [objectKey(kind, ns, name!)];
  }
  const t = st.topology;
  const exists = new Set([...t.pods.map((p) => `Pod ${p.key}`), ...(t.services ?? []).map((s) => `Service ${s.key}`), ...(t.policy?.policies ?? []).map((p) => `NetworkPolicy ${p.key}`)]);
  const missing = keys.filter((k) => !exists.has(k));
  if (missing.length) throw new Error(`not in lab ${cluster}: ${missing.join(', ')}`);
  const deleted = [...new Set([...(st.deleted ?? []), ...keys])];
  const r = await up({ files: st.files, applied: st.applied ?? [], deleted, mode: st.mode, proxyMode: st.proxyMode, live: true, progress: o.progress, exec: o.exec });
  return { ...r, objects: keys };
}

export interface DownResult {
  readonly cluster: string;
  readonly removedNetns: number;
  readonly killed: number;
  /** Anything of the lab still present after removal (should be empty). */
  readonly leftovers: readonly string[];
}

/** Remove a lab: stop its processes, delete its namespaces (their links go with them), verify. */
export async function down(cluster: string, exec: Executor = new LocalExecutor()): Promise<DownResult> {
  const nsList = clusterNetns(cluster);
  const st = readState(cluster);
  // Processes we started whose namespace is already gone would otherwise survive.
  const killed = await killIn(nsList);
  for (const p of st?.processes ?? []) {
    if (pidAlive(p.pid) && pidInNetns(p.pid, p.netns)) process.kill(p.pid, 'SIGKILL');
  }
  await delNetns(exec, nsList).catch(() => undefined);
  removeState(cluster);
  return { cluster, removedNetns: nsList.length, killed, leftovers: await leftovers(exec, cluster) };
}

/** What of a lab still exists in the kernel: namespaces, processes in them, host links with our names. */
export async function leftovers(exec: Executor, cluster: string): Promise<string[]> {
  const out: string[] = [];
  const ns = clusterNetns(cluster);
  for (const n of ns) out.push(`network namespace ${n}`);
  for (const [pid, n] of pidsIn(ns)) out.push(`process ${pid} in ${n}`);
  const links = await exec.run(['ip', '-j', 'link', 'show'], HOST);
  try {
    for (const l of JSON.parse(links.stdout) as { ifname: string }[]) if (l.ifname.startsWith(PREFIX + cluster + '-')) out.push(`host link ${l.ifname}`);
  } catch {
    /* ignore */
  }
  return out;
}

export interface CleanResult {
  readonly clusters: readonly string[];
  readonly removedNetns: number;
  readonly leftovers: readonly string[];
}

/** Remove leftovers of crashed runs from the kernel alone, without any state file. */
export async function clean(opts: { cluster?: string; all?: boolean }, exec: Executor = new LocalExecutor()): Promise<CleanResult> {
  const targets = opts.all ? listNetns().filter((n) => n.startsWith(PREFIX)) : clusterNetns(opts.cluster!);
  const clusters = opts.all ? [...new Set([...clustersInKernel(), ...knownClusters()])] : [opts.cluster!];
  await killIn(targets);
  await delNetns(exec, targets).catch(() => undefined);
  for (const c of clusters) removeState(c);
  const left = opts.all ? listNetns().filter((n) => n.startsWith(PREFIX)).map((n) => `network namespace ${n}`) : await leftovers(exec, opts.cluster!);
  return { clusters, removedNetns: targets.length, leftovers: left };
}

/** Which cluster a command means: the one named, or the only one that exists. */
export function pickCluster(name?: string): string {
  if (name) return name;
  const all = [...new Set([...clustersInKernel(), ...knownClusters()])].sort();
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new Error('no lab is running (start one with `podlab up -f FILE`)');
  throw new Error(`several labs exist (${all.join(', ')}): say which with -c NAME`);
}

export interface PodStatus {
  namespace: string; name: string; node: string; ip: string; netns: string; labels: Record<string, string>;
  phase: 'Running' | 'Failed' | 'Missing' | 'Pending';
  reason?: string;
  containers: { name: string; kind: 'process' | 'netexec'; ready: boolean; pid?: number; reason?: string }[];
}

export interface ServiceStatus {
  namespace: string; name: string; type: string; clusterIP: string;
  externalTrafficPolicy: string; internalTrafficPolicy: string; sessionAffinity: string; externalIPs: string[];
  ports: { name: string; protocol: string; port: number; targetPort: number | string; nodePort?: number; endpoints: { pod: string; ip: string; node: string; port: number }[] }[];
  endpoints: { pod: string; ip: string; node: string }[];
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
  /** bgp mode only: BIRD sessions and the routes it installed (proto bird), per node. */
  bgp?: { sessions: { node: string; peer: string; state: string }[]; routes: BgpRoute[] };
}

/** status() plus what only the kernel and BIRD can tell (bgp sessions and routes). */
export async function statusFull(cluster: string, exec: Executor = new LocalExecutor()): Promise<StatusJson> {
  const s = status(cluster);
  const t = labState(cluster).topology;
  if (t.mode !== 'bgp') return s;
  const b = await bgpStatus(exec, t);
  return { ...s, bgp: { sessions: b.sessions.map((x: BgpSession) => ({ node: x.node, peer: x.peer, peerIp: x.peerIp, protocol: x.protocol, state: x.state })), routes: b.routes } };
}

export type FaultKind = 'bgp-down' | 'bgp-up';
export const FAULTS: readonly FaultKind[] = ['bgp-down', 'bgp-up'];

/** Inject or heal a fault. bgp-down stops BIRD on a node (peers withdraw its blocks); bgp-up starts it and waits for reconvergence. */
export async function fault(cluster: string, kind: FaultKind, node: string, exec: Executor = new LocalExecutor()): Promise<{ ms: number }> {
  const st = labState(cluster);
  const t = st.topology;
  if (t.mode !== 'bgp') throw new Error(`fault ${kind} needs a bgp-mode lab; "${cluster}" is ${t.mode}`);
  const t0 = performance.now();
  const procs = kind === 'bgp-down' ? await birdDown(t, node, st.processes) : await birdUp(exec, t, node, st.processes);
  writeState({ ...st, processes: procs, updatedAt: new Date().toISOString() });
  const upNodes = new Set(t.nodes.filter((n) => procs.some((r) => r.pod === `bird/${n.name}`)).map((n) => n.name));
  await waitConverged(exec, t, { up: upNodes });
  return { ms: performance.now() - t0 };
}

export function labState(cluster: string): LabState {
  const st = readState(cluster);
  if (!st) {
    const inKernel = clustersInKernel().includes(cluster);
    throw new Error(inKernel
      ? `lab "${cluster}" has namespaces but no state file (an interrupted run?): \`podlab up -f FILE\` rebuilds it, \`podlab clean -c ${cluster}\` removes it`
      : `no lab named "${cluster}"`);
  }
  return st;
}

export function status(cluster: string): StatusJson {
  const st = labState(cluster);
  const t: Topology = st.topology;
  const present = new Set(listNetns());
  const statusByNode = new Map<string, ReturnType<typeof readStatus>>();
  for (const n of t.nodes) statusByNode.set(n.name, readStatus(runtimeStatusFile(cluster, n.name)));
  const rtAlive = new Map<string, boolean>();
  for (const p of st.processes) if (p.pod.startsWith('runtime/')) rtAlive.set(p.pod.slice(8), pidAlive(p.pid) && pidInNetns(p.pid, p.netns));
  const pods: PodStatus[] = t.pods.map((p) => {
    const containers = p.containers.map((c) => {
      if (c.command) {
        const rec = st.processes.find((r) => r.pod === p.key && r.container === c.name);
        const ok = !!rec && pidAlive(rec.pid) && pidInNetns(rec.pid, p.netns);
        return { name: c.name, kind: 'process' as const, ready: ok, pid: rec?.pid, reason: ok ? undefined : 'process not running (see podlab logs)' };
      }
      const rs = statusByNode.get(p.node);
      const mine = rs?.listeners.filter((l) => l.id === `${p.key}/${c.name}`) ?? [];
      const bad = mine.find((l) => !l.ok);
      const ok = !!rtAlive.get(p.node) && mine.length === c.ports.length && !bad;
      return { name: c.name, kind: 'netexec' as const, ready: ok, reason: ok ? undefined : bad?.error ?? 'netexec runtime not running' };
    });
    const exists = present.has(p.netns);
    const failed = containers.find((c) => !c.ready);
    return {
      namespace: p.namespace, name: p.name, node: p.node, ip: p.ip, netns: p.netns, labels: { ...p.labels },
      phase: !exists ? 'Missing' : failed ? 'Failed' : 'Running',
      reason: !exists ? `namespace ${p.netns} does not exist` : failed ? `${failed.name}: ${failed.reason}` : undefined,
      containers,
    };
  });
  for (const p of t.pending ?? []) {
    const [namespace, name] = p.key.split('/') as [string, string];
    pods.push({ namespace, name, node: p.node ?? '', ip: '', netns: '', labels: {}, phase: 'Pending', reason: p.reason, containers: [] });
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
    ...(t.policy ? { policies: t.policy.policies.map((p) => ({
      namespace: p.namespace, name: p.name, podSelector: p.podSelector,
      policyTypes: [...(p.ingressType ? ['Ingress'] : []), ...(p.egressType ? ['Egress'] : [])], pods: [...p.selected],
    })) } : {}),
  };
}

/** Resolve an exec/logs target to its namespace: ns/pod, pod (namespace default), node/NAME, ext. */
export function targetNetns(t: Topology, target: string): string {
  if (target === 'ext' || target === 'external') return t.external.netns;
  if (target === 'fabric' || (t.vpc && target === 'vpc')) return t.fabric.netns;
  if (target.startsWith('host/') && t.vpc) {
    const h = t.vpc.hosts.find((x) => x.name === target.slice(5));
    if (!h) throw new Error(`no VPC host "${target.slice(5)}" (hosts: ${t.vpc.hosts.map((x) => x.name).join(', ') || 'none'})`);
    return h.netns;
  }
  if (target.startsWith('node/')) {
    const n = t.nodes.find((x) => x.name === target.slice(5));
    if (!n) throw new Error(`no node "${target.slice(5)}" (nodes: ${t.nodes.map((x) => x.name).join(', ')})`);
    return n.netns;
  }
  const key = target.includes('/') ? target : `default/${target}`;
  const p = t.pods.find((x) => x.key === key);
  if (!p) throw new Error(`no pod "${key}" (pods: ${t.pods.map((x) => x.key).join(', ') || 'none'}); targets are ns/pod, pod, node/NAME or ext`);
  return p.netns;
}

