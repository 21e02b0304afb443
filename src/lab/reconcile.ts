// reconcile(desired, observed): make the kernel and the processes of one lab hold what was decided — observe, diff,
// do only what is missing — and record it in the lab's state. It is what `up`, `apply` and `delete` end in, and what
// a loop can call again and again: it reads the kernel itself each time (namespaces, links, rules, processes), so a
// second call on an unchanged lab makes no change.
import { resolve as resolvePath } from 'node:path';
import type { LabSpec } from '../input/types.js';
import { allocationsOf, sandboxPods, type PodT, type Topology } from '../model/topology.js';
import type { Plan } from '../dataplane/types.js';
import { getMode } from '../modes/registry.js';
import { modeRuntime } from '../modes/runtimes.js';
import { edgeSync, isEdgeRecord } from '../workload/edge/runtime.js';
import { staleUdpFlows } from '../dataplane/proxy/conntrack.js';
import { applyPlan, initFresh, type RuleLedger } from '../kernel/apply.js';
import { inNs, mapLimit, stopPids } from '../kernel/exec.js';
import { sysctlBatch } from '../kernel/sysctl.js';
import { addNetns, delNetns, markNetns, ownedNetns } from '../kernel/netns.js';
import { SpecError, type Problem } from '../input/problems.js';
import { STATE_VERSION, type LabState } from '../store/types.js';
import { stateKey } from '../store/pack.js';
import type { ProcRecord } from '../workload/types.js';
import { isDnsRecord, removeNetnsFiles, syncDns, syncResolvConf } from '../workload/dns/server.js';
import type { Change } from '../kernel/changes.js';
import { runtimeContext, type LabContext } from './context.js';
import { planned, type Desired, type Readiness } from './desire.js';
import { hosting, oneShot, terminatePods } from './lifecycle.js';
import { applyEndpoints } from './endpoints.js';
import { stopStrays } from './strays.js';

export { desire, type Desired, type Readiness } from './desire.js';

/** The running containers' command pids (each its session's leader) and their shims: processes of the lab to keep. */
async function containerSessions(ctx: LabContext, rctx: ReturnType<typeof runtimeContext>, topo: Topology): Promise<Set<number>> {
  const keep = new Set<number>();
  if (!topo.pods.length) return keep;
  for (const o of (await ctx.runtime.observe(rctx, topo.pods)).values()) {
    if (!o.pid || !('running' in o.state)) continue;
    keep.add(o.pid);
    const stat = await ctx.exec.files.read(`/proc/${o.pid}/stat`);
    const ppid = Number(stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid > 1) keep.add(ppid);
  }
  return keep;
}

/** What a lab's state says was applied (its topology as decided then: no file is read again). */
export function desiredOf(st: LabState): Desired {
  return planned({ checks: st.checks ?? [], notices: [] }, st.topology);
}

/** Where a state's desired state came from, to record it again. */
export function provenanceOf(st: LabState): Provenance {
  return { files: st.files, applied: st.applied, deleted: st.deleted, mode: st.mode, proxyMode: st.proxyMode };
}

/** How the lab's state records where the desired state came from (so apply/delete can rebuild it). */
export interface Provenance {
  readonly files: readonly string[];
  readonly applied?: readonly string[];
  readonly deleted?: readonly string[];
  readonly mode?: string;
  readonly proxyMode?: string;
}

export interface ReconcileOptions {
  /**
   * Partial sync (a live change of a lab whose last run converged): read back only the namespaces whose planned
   * state differs from what they were converged to; the rest get their rule sets written from the ledger alone.
   */
  readonly incremental?: boolean;
  /** The readiness the desired state was computed with (recorded; the endpoints follow it). */
  readonly readiness?: Readiness;
  /**
   * A repair of a lab that holds its plan but for these namespaces (the daemon heard of drift there): only they are
   * read back and diffed; the others are taken as holding their plan, as in a partial sync. Missing namespaces and
   * processes are still found and made again everywhere.
   */
  readonly scope?: ReadonlySet<string>;
  /** Leave the faults injected with `podlab fault` in place (a resync): the mode's runtime is then not synced. */
  readonly keepFaults?: boolean;
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
  /** The controllers' steps walked in-process (a rollout's ReplicaSet sizes, a StatefulSet's next ordinal). */
  readonly steps?: readonly string[];
  /** What was changed in namespaces that existed before, per namespace and object, and processes (re)started. */
  readonly repairs: readonly Change[];
}

export class AbortedError extends Error {
  constructor(readonly cluster: string) {
    super(`interrupted: the lab "${cluster}" is partly built; \`podlab down -c ${cluster}\` (or \`podlab clean -c ${cluster}\`) removes it`);
    this.name = 'AbortedError';
  }
}

export async function reconcile(ctx: LabContext, d: Desired, prev: LabState | undefined, from: Provenance, o: ReconcileOptions = {}): Promise<UpResult> {
  const t0 = performance.now();
  const { exec, store } = ctx;
  const say = ctx.progress ?? (() => undefined);
  const { topo, plan, planHashes } = d;
  const cluster = topo.cluster;
  ctx.onDesired?.(d);
  const incremental = o.incremental === true && prev?.converged === true && prev.planHashes !== undefined && prev.topology.mode === topo.mode;
  const netUnchanged = o.scope ? new Set(plan.namespaces.filter((n) => !o.scope!.has(n.netns)).map((n) => n.netns))
    : incremental ? new Set(plan.namespaces.filter((n) => prev.planHashes?.[n.netns] === planHashes[n.netns]).map((n) => n.netns)) : undefined;
  const abortCheck = () => {
    if (ctx.aborted?.()) throw new AbortedError(cluster);
  };

  const own = await ownedNetns(exec, cluster);
  const existing = new Set(own.mine);
  const desired = new Set(plan.namespaces.map((n) => n.netns));
  // A namespace this lab needs that another lab owns: a validation error naming both, before anything is touched.
  const clashes = clashProblems(d, own.foreign);
  if (clashes.length) throw new SpecError(clashes);
  // A pod whose spec changed (node, address, containers; not labels) is recreated, as Kubernetes does: its
  // namespace goes (with its veth and processes) and a new one is built.
  // A new mode (overlay → vpc…) is a new dataplane: every namespace is built anew, so nothing of the old mode's
  // devices, sysctls or rules lingers.
  const modeSwitch = prev !== undefined && prev.topology.mode !== topo.mode;
  const recreate = new Set(modeSwitch ? [...existing].filter((n) => desired.has(n)) : prev ? recreatedPods(prev.topology, topo).filter((n) => existing.has(n)) : []);
  const stale = [...existing].filter((n) => !desired.has(n) || recreate.has(n));
  const fresh = plan.namespaces.filter((n) => !existing.has(n.netns) || recreate.has(n.netns)).map((n) => n.netns);
  let changes = 0;

  // Record what we are about to build before touching the kernel, so down/status can find it if interrupted.
  const rules: RuleLedger = structuredClone(prev?.rules ?? {});
  let procs: readonly ProcRecord[] = prev?.processes ?? [];
  let notReady = [...(o.readiness?.notReady ?? prev?.notReady ?? [])].filter((k) => topo.pods.some((p) => p.key === k));
  let cur = d;
  // The state is written before each change (the daemon's journal); a write that would record nothing new is skipped.
  let last = prev ? stateKey(prev) : '';
  const faults = o.keepFaults ? prev?.faults ?? [] : [];
  const save = async (converged = false) => {
    const s: LabState = {
      ...(converged ? { converged, planHashes: cur.planHashes } : {}),
      version: STATE_VERSION, cluster, files: from.files.map((f) => resolvePath(ctx.cwd ?? process.cwd(), f)), applied: [...(from.applied ?? [])], deleted: [...(from.deleted ?? [])],
      mode: from.mode, proxyMode: from.proxyMode, topology: cur.topo, allocations: allocationsOf(cur.topo), checks: d.lab.checks,
      rules, processes: procs, ...(notReady.length ? { notReady } : {}), ...(faults.length ? { faults } : {}), updatedAt: new Date().toISOString(),
    };
    const key = stateKey(s);
    if (key === last) return;
    last = key;
    await store.write(s);
  };
  await save();
  const repairs: Change[] = [];
  const rctx = runtimeContext(ctx, cluster);

  // Endpoints go before their pods and come after them, in the order of the endpoints controller and kubelet: while
  // pods are removed or made, the nodes' Service rules hold only the endpoints of pods that already ran and still do.
  const settled = prev ? settledPlan(topo, new Set(topo.pods.filter((p) => existing.has(p.netns) && !recreate.has(p.netns)).map((p) => p.key))) : undefined;
  const rulesOnly = (p: Plan, keep: (netns: string) => boolean) => {
    const namespaces = p.namespaces.filter((n) => keep(n.netns));
    return applyPlan(exec, { ...p, namespaces }, { fresh: new Set(), netUnchanged: new Set(namespaces.map((n) => n.netns)), ledger: rules, concurrency: ctx.concurrency, aborted: ctx.aborted, texts: ctx.ruleTexts });
  };
  if (prev && stale.length) {
    say('removing the endpoints of the pods that go');
    const staleSet = new Set(stale);
    changes += (await rulesOnly(settled ?? plan, (n) => existing.has(n) && !staleSet.has(n))).changes;
  }

  if (stale.length) {
    say(`removing ${stale.length} namespace(s)${recreate.size ? ` (${recreate.size} of them pods to recreate)` : ''}`);
    // Pods first, as Kubernetes deletes them: preStop, SIGTERM, their grace period; the engine's containers before
    // any process in their namespaces is killed from outside.
    const gone = new Set(stale);
    const stalePods: PodT[] = (prev?.topology.pods ?? []).filter((p) => gone.has(p.netns));
    await terminatePods(ctx, rctx, topo, stalePods);
    await ctx.runtime.removePods?.(rctx, stalePods);
    await stopPids(exec, [...exec.pidsIn(stale).keys()]);
    // Links first: a netexec runtime's listener can keep a deleted pod namespace, and its veth, alive for a while.
    const present = stale.filter((n) => exec.netnsId(n) !== undefined);
    await sysctlBatch(exec, present.map((netns) => ({ netns, unlink: true })));
    await delNetns(exec, present);
    await removeNetnsFiles(exec, stale.filter((n) => !desired.has(n)));
    for (const n of stale) delete rules[n];
    changes += stale.length;
    for (const n of stale) repairs.push({ netns: n, kind: 'namespace', object: n, action: recreate.has(n) ? 'changed' : 'removed' });
  }
  abortCheck();
  if (fresh.length) {
    // A docker pod's namespace is its pause container's (linked under /run/netns); the others are made here.
    const byNetns = new Map(topo.pods.map((p) => [p.netns, p]));
    const sandboxed = fresh.map((n) => byNetns.get(n)).filter((p): p is PodT => !!p && !!ctx.runtime.makesNetns?.(p));
    const own = new Set(sandboxed.map((p) => p.netns));
    say(`creating ${fresh.length} network namespace(s)${own.size ? ` (${own.size} of them pod sandboxes)` : ''}`);
    await addNetns(exec, fresh.filter((n) => !own.has(n)), cluster);
    if (sandboxed.length) await ctx.runtime.createSandboxes?.(rctx, sandboxed);
    changes += fresh.length;
    // A namespace the last run had built is gone: someone deleted it.
    for (const n of fresh) if (prev?.planHashes?.[n] !== undefined && !recreate.has(n)) repairs.push({ netns: n, kind: 'namespace', object: n, action: 'added' });
  }
  // Ours by name but without the mark (built by an older podlab, or interrupted right after `ip netns add`).
  const unmarked = own.unmarked.filter((n) => desired.has(n) && !stale.includes(n));
  if (unmarked.length) {
    await markNetns(exec, unmarked, cluster);
    changes += unmarked.length;
  }
  const freshSet = new Set(fresh);
  // A namespace made again needs its veths from the namespaces that hold their other end: read those back too.
  if (netUnchanged) for (const n of plan.namespaces) if (n.links.some((l) => l.peer && freshSet.has(l.peer.netns))) netUnchanged.delete(n.netns);
  if (fresh.length) changes += await initFresh(exec, plan, freshSet);
  const applied = await applyPlan(exec, settled ? withRulesOf(plan, settled) : plan, { fresh: freshSet, netUnchanged, ledger: rules, concurrency: ctx.concurrency, progress: say, aborted: ctx.aborted, texts: ctx.ruleTexts });
  changes += applied.changes;
  repairs.push(...applied.changed);
  abortCheck();
  await save();

  // Every pod's resolv.conf before its processes start (they see /etc/netns/<netns>/ through `ip netns exec`).
  changes += await syncResolvConf(exec, topo);
  // Processes of this lab that the state does not know would hold the ports the runtime binds: stop them first —
  // but not the pods' containers, which the lifecycle knows by their shim's records (their sessions are kept).
  const keep = await containerSessions(ctx, rctx, topo);
  const strays = await stopStrays(ctx, cluster, topo, plan.namespaces.map((n) => n.netns).filter((n) => !freshSet.has(n)), procs, keep);
  changes += strays.stopped;
  if (strays.stopped) say(`stopped ${strays.stopped} process(es) of the lab that its state did not know`);

  say('preparing pod sandboxes');
  const mr = modeRuntime(topo.mode);
  const modeProcs = procs.filter((r) => mr?.owns(r));
  const edgeProcs = procs.filter(isEdgeRecord);
  let dnsProcs = procs.filter(isDnsRecord);
  const wl = await ctx.runtime.sync(rctx, topo, procs.filter((r) => !mr?.owns(r) && !isEdgeRecord(r) && !isDnsRecord(r)));
  procs = [...wl.records, ...modeProcs, ...edgeProcs, ...dnsProcs];
  changes += wl.changes;
  await save();
  let modeRecords = modeProcs;
  if (mr && faults.length === 0) {
    abortCheck();
    const m = await mr.sync(rctx, topo, modeProcs, say);
    modeRecords = m.records;
    procs = [...wl.records, ...m.records, ...edgeProcs, ...dnsProcs];
    changes += m.changes;
    await save();
  }
  // The cluster's edge: L2 speakers, kube-proxy's health-check servers, the NLB, the ingress controller.
  abortCheck();
  const edge = await edgeSync(rctx, topo, edgeProcs, say, faults);
  procs = [...wl.records, ...modeRecords, ...edge.records, ...dnsProcs];
  changes += edge.changes;
  await save();
  abortCheck();
  say('cluster DNS');
  const dns = await syncDns(rctx, topo, dnsProcs);
  dnsProcs = dns.records;
  procs = [...wl.records, ...modeRecords, ...edge.records, ...dnsProcs];
  changes += dns.changes;
  await save();

  // The containers: the supervisor that runs for the lab takes the new topology; without one, every pod is started
  // once (init containers in order, each to completion) and nothing restarts them.
  abortCheck();
  const host = await hosting(ctx, rctx);
  const problems = [...wl.problems];
  const notices: string[] = [];
  let endpointsWritten = false;
  if (host.kind === 'here') host.supervisor.update(topo);
  else if (host.kind === 'none') {
    say('starting containers');
    const once = oneShot(ctx.runtime, rctx, topo);
    const reports = await once.runOnce(topo, ctx.startTimeoutMs ?? 120_000, say);
    for (const r of reports) {
      const bad = [...r.initContainerStatuses, ...r.containerStatuses].find((c) => 'terminated' in c.state && c.state.terminated.exitCode !== 0 && c.state.terminated.reason !== 'Completed');
      if (r.display.status.startsWith('Init:') && !/Error|CrashLoop/.test(r.display.status)) notices.push(`Pod ${r.pod} is ${r.display.status} (an init container still runs; without a supervisor nothing will start the app containers after it)`);
      else if (bad && 'terminated' in bad.state) {
        const what = `Pod ${r.pod} container ${bad.name} exited with code ${bad.state.terminated.exitCode} (${bad.state.terminated.reason}); see \`podlab logs ${r.pod} -c ${bad.name}\``;
        // A Job's pod may fail: its controller counts that against backoffLimit; it is no problem of the lab.
        if (topo.pods.find((p) => p.key === r.pod)?.owner?.kind === 'Job') notices.push(`${what} (counted by the job controller when a supervisor runs)`);
        else problems.push(what);
      }
    }
    // Endpoints follow what actually runs: a pod whose containers did not start is not ready.
    const now = reports.filter((r) => !r.ready).map((r) => r.pod).sort();
    if (d.spec && JSON.stringify(now) !== JSON.stringify([...notReady].sort())) {
      notReady = now;
      cur = await applyEndpoints(ctx, d.spec, { rules, prev: cur, readiness: { notReady: new Set(now) }, allocations: allocationsOf(topo) });
      endpointsWritten = true;
      await save();
    }
  }
  // The new pods' endpoints go in once their containers run (as the endpoints controller waits for Ready): before
  // that a connection to them would be refused — a rolling update under traffic would lose requests.
  if (settled && !endpointsWritten) {
    abortCheck();
    say('adding the endpoints of the pods that started');
    changes += (await rulesOnly(plan, () => true)).changes;
    await save();
  }
  // As kube-proxy does after a sync: forget UDP flows to endpoints that went away, on every node.
  const flows = staleUdpFlows(prev?.topology, cur.topo);
  if (flows.length) {
    const script = flows.map((a) => `${a.join(' ')} >/dev/null 2>&1 || true`).join('\n') + '\n';
    await mapLimit(topo.nodes, ctx.concurrency ?? 8, (n) => exec.run(['sh', '-s'], inNs(n.netns, exec.host), { input: script }));
    changes += flows.length;
  }
  await save(true);
  const before = new Set((prev?.processes ?? []).map((r) => r.pid));
  for (const r of procs) if (!before.has(r.pid)) repairs.push({ netns: r.netns, kind: 'process', object: `${r.pod} ${r.container}`, action: 'added' });
  return {
    cluster, mode: topo.mode, changes, readBack: applied.readBack, rulesSynced: applied.rulesSynced, namespaces: plan.namespaces.length,
    created: fresh, deleted: stale, problems: [...problems, ...edge.problems, ...dns.problems],
    notices: [...d.lab.notices, ...(topo.notices ?? []), ...(topo.pending ?? []).map((p) => `Pod ${p.key} is Pending: ${p.reason}`), ...notices,
      ...strays.foreign.map((f) => `${f} is not the lab's: left running`), ...controllerNotice(topo, ctx, host.kind !== 'none')],
    ms: performance.now() - t0, spawned: exec.spawned, repairs,
  };
}

/**
 * Without a supervisor (`podlab supervise`, the daemon) running the controllers that act over time, say once that
 * nothing reacts after this run.
 */
function controllerNotice(t: Topology, ctx: LabContext, supervised: boolean): string[] {
  const ws = t.workloads ?? [];
  if (!ws.length || ctx.controllers || supervised) return [];
  const names = ws.slice(0, 3).map((w) => w.key).join(', ') + (ws.length > 3 ? `, … (${ws.length})` : '');
  return [`${names}: expanded once by this command; nothing reacts to a pod that exits, a Job's completions or a CronJob's schedule until a supervisor runs the controllers that act over time (\`podlab supervise\` or the daemon)`];
}

/**
 * The plan of the topology whose Services keep only the endpoints of `running` pods, when that drops any endpoint
 * (undefined otherwise: the rules need no intermediate step).
 */
function settledPlan(t: Topology, running: ReadonlySet<string>): Plan | undefined {
  let dropped = false;
  const keep = <E extends { pod: string }>(es: readonly E[]) => {
    const kept = es.filter((e) => running.has(e.pod));
    if (kept.length < es.length) dropped = true;
    return kept;
  };
  const services = t.services.map((v) => ({ ...v, ports: v.ports.map((p) => ({ ...p, endpoints: keep(p.endpoints) })), endpoints: keep(v.endpoints) }));
  return dropped ? getMode(t.mode).plan({ ...t, services }) : undefined;
}

/** `plan` with the rule sets of `other` (the same namespaces): links and routes as planned, Service rules as `other`. */
function withRulesOf(plan: Plan, other: Plan): Plan {
  const by = new Map(other.namespaces.map((n) => [n.netns, n]));
  return { ...plan, namespaces: plan.namespaces.map((n) => {
    const o = by.get(n.netns);
    return o ? { ...n, rulesets: o.rulesets, absentRulesets: o.absentRulesets } : n;
  }) };
}

/** Every namespace of the plan that another lab owns, as a problem at the object that needs it. */
function clashProblems(d: Desired, foreign: ReadonlyMap<string, string>): Problem[] {
  if (!foreign.size) return [];
  // The files' objects when the desired state came from files; a repair from the state alone names the namespaces.
  const full: LabSpec | undefined = d.spec ?? ('cluster' in d.lab ? (d.lab as LabSpec) : undefined);
  const name = d.topo.cluster;
  const at = new Map<string, { who: string; file: string; line?: number }>();
  if (full) {
    full.cluster.nodes.forEach((n, i) => at.set(d.topo.nodes[i]!.netns, { who: `Cluster ${name} spec.nodes[${i}].name`, file: n.origin.file, line: n.origin.line }));
    for (const p of full.pods) {
      const t = d.topo.pods.find((x) => x.key === `${p.namespace}/${p.name}`);
      if (t) at.set(t.netns, { who: `Pod ${t.key}`, file: p.origin.file, line: p.origin.line });
    }
  }
  const out: Problem[] = [];
  for (const n of d.plan.namespaces) {
    const owner = foreign.get(n.netns);
    if (owner === undefined) continue;
    const w = at.get(n.netns) ?? { who: `Cluster ${name}`, file: full?.cluster.origin.file ?? '(state)', line: full?.cluster.origin.line };
    out.push({ file: w.file, line: w.line, path: w.who, message: `its network namespace ${n.netns} belongs to lab "${owner}" (${n.netns.slice(`pl-${owner}-`.length) || n.netns} there): the names of lab "${name}" and lab "${owner}" clash; rename this object or the cluster` });
  }
  return out;
}


/** Namespaces of pods in both topologies whose spec changed in a way that makes Kubernetes recreate the pod. */
function recreatedPods(before: Topology, after: Topology): string[] {
  // Not workingDir: it defaults to the folder of the file that declared the pod, so the same pod read from
  // another folder would be recreated. A changed workingDir restarts the container's process instead.
  const spec = (p: Topology['pods'][number]) => JSON.stringify([p.node, p.ip, [...(p.initContainers ?? []), ...p.containers].map((c) => ({ ...c, workingDir: '' })), p.restartPolicy ?? '', p.hostname ?? '', p.subdomain ?? '', p.hostAliases ?? [], p.volumes ?? [], p.runtime ?? '', p.terminationGracePeriodSeconds ?? '']);
  // A hostNetwork pod's namespace is its node's: a changed one restarts its processes, never rebuilds the node.
  const old = new Map(sandboxPods(before).map((p) => [p.netns, spec(p)]));
  return sandboxPods(after).filter((p) => old.has(p.netns) && old.get(p.netns) !== spec(p)).map((p) => p.netns);
}
