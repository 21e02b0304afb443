// The pod lifecycle from the lab's side: whether a supervisor runs for the lab (in this process — the daemon — or in
// another, announced by its heartbeat file), what it last reported (its snapshot, for `status` and for the
// readiness of endpoints), and what `up` does when none runs: start every pod once (init containers in order, each
// to completion), and nothing restarts them afterwards.
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { PodT, Topology } from '../model/topology.js';
import type { RuntimeContext, WorkloadRuntime } from '../workload/types.js';
import { Supervisor, type PodReport } from '../workload/lifecycle/supervisor.js';
import { KUBELET_BACKOFF, type BackoffSettings } from '../workload/lifecycle/backoff.js';
import { runtimeContext, type LabContext } from './context.js';
import type { Readiness } from './desire.js';

export const lifecycleDir = (dir: string) => join(dir, 'lifecycle');
const heartbeatFile = (dir: string) => join(lifecycleDir(dir), 'supervisor.json');
const snapshotFile = (dir: string) => join(lifecycleDir(dir), 'status.json');

export interface Heartbeat {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly beat: string;
  /** Who hosts it: "daemon", "podlab supervise". */
  readonly by: string;
}

export interface Snapshot {
  readonly at: string;
  readonly pods: readonly PodReport[];
  /** Pods whose Ready condition is False (their endpoints are out of every Service). */
  readonly notReady: readonly string[];
}

export const backoffOf = (t: Pick<Topology, 'kubelet'>): BackoffSettings => t.kubelet?.backoff ?? KUBELET_BACKOFF;

export async function writeHeartbeat(rctx: RuntimeContext, h: Heartbeat): Promise<void> {
  await rctx.exec.files.write(heartbeatFile(rctx.dir), JSON.stringify(h));
}

export async function clearHeartbeat(rctx: RuntimeContext): Promise<void> {
  await rctx.exec.files.remove(heartbeatFile(rctx.dir));
}

/** The supervisor of another process that runs for this lab now, if any (its pid alive, beat within 30 s). */
export async function liveSupervisor(rctx: RuntimeContext): Promise<Heartbeat | undefined> {
  try {
    const t = await rctx.exec.files.read(heartbeatFile(rctx.dir));
    if (!t) return undefined;
    const h = JSON.parse(t) as Heartbeat;
    // Our own pid: this process hosts it (the daemon), and its reconciles leave the containers to it.
    if (!rctx.exec.alive(h.pid)) return undefined;
    if (Date.now() - Date.parse(h.beat) > 30_000) return undefined;
    return h;
  } catch {
    return undefined;
  }
}

/** What `down`/`clean` did about a supervisor of the lab that another process runs. */
export interface StoppedSupervisor {
  readonly pid: number;
  readonly by: string;
  /** It did not end on SIGTERM within the grace: SIGKILL. */
  readonly killed?: boolean;
}

/**
 * Stop the `podlab supervise` of this lab that another process of this host runs, before `down` or `clean` removes
 * the lab: left running it would restart the containers it sees gone (a container was left behind) and write its
 * heartbeat into the removed folder. Its heartbeat names the pid; the process must still be a `podlab … supervise`
 * (its command line says so), so a reused pid is never signalled. SIGTERM (it stops its loop and exits, the
 * containers untouched), then SIGKILL after `graceMs`. The daemon's own supervisor is stopped by the daemon.
 */
export async function stopOtherSupervisor(rctx: RuntimeContext, o: { graceMs?: number } = {}): Promise<StoppedSupervisor | undefined> {
  let h: Heartbeat;
  try {
    const t = await rctx.exec.files.read(heartbeatFile(rctx.dir));
    if (!t) return undefined;
    h = JSON.parse(t) as Heartbeat;
  } catch {
    return undefined;
  }
  if (h.by !== 'podlab supervise' || h.pid === process.pid || h.host !== hostname() || !rctx.exec.alive(h.pid)) return undefined;
  const cmd = ((await rctx.exec.files.read(`/proc/${h.pid}/cmdline`).catch(() => undefined)) ?? '').split('\0');
  if (!cmd.includes('supervise')) return undefined;
  rctx.exec.signal(h.pid, 'SIGTERM');
  const end = Date.now() + (o.graceMs ?? 15_000);
  while (rctx.exec.alive(h.pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  if (!rctx.exec.alive(h.pid)) return { pid: h.pid, by: h.by };
  rctx.exec.signal(h.pid, 'SIGKILL');
  while (rctx.exec.alive(h.pid) && Date.now() < end + 5000) await new Promise((r) => setTimeout(r, 50));
  await clearHeartbeat(rctx);
  return { pid: h.pid, by: h.by, killed: true };
}

export async function writeSnapshot(rctx: RuntimeContext, s: Snapshot): Promise<void> {
  await rctx.exec.files.write(snapshotFile(rctx.dir), JSON.stringify(s));
}

export async function readSnapshot(rctx: RuntimeContext): Promise<Snapshot | undefined> {
  try {
    const t = await rctx.exec.files.read(snapshotFile(rctx.dir));
    return t ? (JSON.parse(t) as Snapshot) : undefined;
  } catch {
    return undefined;
  }
}

/** Where the lab's lifecycle is run: here (ctx.supervisor), by another process, or by nobody. */
export type Hosting = { readonly kind: 'here'; readonly supervisor: Supervisor } | { readonly kind: 'elsewhere'; readonly heartbeat: Heartbeat } | { readonly kind: 'none' };

export async function hosting(ctx: LabContext, rctx: RuntimeContext): Promise<Hosting> {
  if (ctx.supervisor) return { kind: 'here', supervisor: ctx.supervisor };
  const h = await liveSupervisor(rctx);
  return h ? { kind: 'elsewhere', heartbeat: h } : { kind: 'none' };
}

/** A supervisor for one job (start once, stop gracefully, look), without a loop of its own. */
export function oneShot(runtime: WorkloadRuntime, rctx: RuntimeContext, t: Pick<Topology, 'kubelet'>): Supervisor {
  return new Supervisor({ runtime, ctx: rctx, backoff: backoffOf(t), restarts: false, probes: false });
}

/** Stop pods gracefully before their namespaces go: preStop, SIGTERM, SIGKILL after their grace period. */
export async function terminatePods(ctx: LabContext, rctx: RuntimeContext, t: Pick<Topology, 'kubelet'>, pods: readonly PodT[]): Promise<void> {
  if (!pods.length) return;
  if (ctx.supervisor) return ctx.supervisor.terminatePods(pods);
  await oneShot(ctx.runtime, rctx, t).terminatePods(pods);
}

/** Readiness as the lifecycle last knew it: the supervisor's (here or its snapshot), else the state's. */
export async function notReadyNow(ctx: LabContext, rctx: RuntimeContext, fromState: readonly string[] | undefined): Promise<Set<string>> {
  const h = await hosting(ctx, rctx);
  if (h.kind === 'here') return new Set(h.supervisor.notReady());
  if (h.kind === 'elsewhere') return new Set((await readSnapshot(rctx))?.notReady ?? fromState ?? []);
  return new Set(fromState ?? []);
}

/**
 * Which pods the endpoints leave out now: the running supervisor's view, else what the state last recorded. `existing`:
 * the pods of the lab's state before this change — not new, whatever the supervisor has reported of them yet (its
 * snapshot lags): only the pods this change makes start unready under a supervisor.
 */
export async function readinessFor(ctx: LabContext, cluster: string, fromState: readonly string[] | undefined, existing: readonly { key: string }[] = []): Promise<Readiness> {
  const rctx = runtimeContext(ctx, cluster);
  const h = await hosting(ctx, rctx);
  const had = existing.map((p) => p.key);
  if (h.kind === 'here') return { notReady: new Set(h.supervisor.notReady()), known: new Set([...had, ...h.supervisor.statuses().map((s) => s.pod)]) };
  if (h.kind === 'elsewhere') {
    const snap = await readSnapshot(rctx);
    return { notReady: new Set(snap?.notReady ?? fromState ?? []), known: new Set([...had, ...(snap?.pods.map((p) => p.pod) ?? [])]) };
  }
  return { notReady: new Set(fromState ?? []) };
}
