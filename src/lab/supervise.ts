// Hosting the lab's supervisor: what the daemon does (and `podlab supervise` in the foreground until it lands).
// It takes the lab's topology from the state, runs the lifecycle, turns every readiness change into an endpoint
// sync on every node (serialized, coalesced), writes a heartbeat and a status snapshot other podlab processes read,
// and follows the state when another process changes the lab (`up`, `apply`, `delete`). It also runs the controllers
// that act over time on the lifecycle's reports (lab/jobs.ts: Jobs).
import { hostname } from 'node:os';
import type { Topology } from '../model/topology.js';
import type { Desired } from './desire.js';
import { Supervisor, type LifecycleEvent, type PodReport } from '../workload/lifecycle/supervisor.js';
import type { Clock } from '../workload/lifecycle/clock.js';
import { labContext, runtimeContext, type LabContext } from './context.js';
import { labState } from './targets.js';
import { backoffOf, clearHeartbeat, writeHeartbeat, writeSnapshot } from './lifecycle.js';
import { syncReadiness, type EndpointSync } from './endpoints.js';
import { activeJobs, syncCronJobs, syncJobs, syncTtl, type JobMove } from './jobs.js';

export interface SuperviseOptions extends Partial<LabContext> {
  /** Who hosts it, for `status` ("daemon", "podlab supervise"). */
  readonly by?: string;
  /** Each lifecycle event (kubectl's events). */
  readonly onEvent?: (e: LifecycleEvent) => void;
  /** Each endpoint sync made because readiness changed (what, how long). */
  readonly onSync?: (s: EndpointSync & { reason: string; at: string }) => void;
  /** Each pod status change. */
  readonly onPod?: (p: PodReport) => void;
  /** Each move of a Job (pods created, Complete, Failed). */
  readonly onJob?: (m: JobMove) => void;
  /** How often unfinished Jobs are looked at for their deadlines and TTLs, besides their pods' exits (ms, default 2000). */
  readonly jobPollMs?: number;
  /** How often CronJobs' schedules are looked at (ms, default 5000; their times are whole minutes). */
  readonly cronPollMs?: number;
  /** How often the state is looked at for changes made by another process (ms, default 1000; 0: never). */
  readonly followMs?: number;
  readonly clock?: Clock;
  readonly pollMs?: number;
  /**
   * The lab's state is gone (`down`, `clean`, or removed by hand): the supervisor has stopped following it, writes
   * nothing more into the lab's folder, and the host should stop it (`podlab supervise` exits). Checked with the
   * state's follow (followMs); twice missing in a row counts.
   */
  readonly onGone?: () => void;
  /**
   * Run an endpoint sync in the host's order of calls on the lab (the daemon's: after the call running, before the
   * next; its rule writes are then known as its own, not drift). Without, a sync runs when readiness changes.
   */
  readonly serialize?: <T>(op: string, fn: () => Promise<T>) => Promise<T>;
  /** The host's desired state of the lab as it last applied it (the daemon's), so a sync need not read the files and plan twice. */
  readonly current?: () => Desired | undefined;
}

export interface LabSupervisor {
  readonly supervisor: Supervisor;
  /** Stop: the loop, the probes, the heartbeat (the containers keep running). */
  stop(): Promise<void>;
  /** The endpoint syncs still in flight have ended. */
  settled(): Promise<void>;
}

/**
 * What the supervisor follows of a topology's pods, once per topology object. Not the service environment tables
 * (24 KB a pod in a 100-Service namespace, stringified twice a second this was most of a big lab's daemon CPU):
 * a pod's table changes only when the pod is recreated, which changes its node, address or spec too.
 */
const podsKeys = new WeakMap<Topology, string>();
function podsKey(t: Topology): string {
  let k = podsKeys.get(t);
  if (k === undefined) podsKeys.set(t, (k = JSON.stringify(t.pods.map((p) => ({ ...p, serviceEnv: undefined })))));
  return k;
}

export async function superviseLab(cluster: string, o: SuperviseOptions = {}): Promise<LabSupervisor> {
  const base = labContext(o);
  const rctx = runtimeContext(base, cluster);
  const st = await labState(base, cluster);
  let topo: Topology = st.topology;
  const sup = new Supervisor({ runtime: base.runtime, ctx: rctx, backoff: backoffOf(topo), ...(o.clock ? { clock: o.clock } : {}), ...(o.pollMs ? { pollMs: o.pollMs } : {}) });
  const ctx: LabContext = { ...base, supervisor: sup };
  const since = new Date().toISOString();
  const by = o.by ?? 'podlab supervise';
  // Once the lab's state is gone nothing is written into its folder again (it would make the folder anew).
  let gone = false;
  const beat = async () => {
    if (gone || !(await rctx.exec.files.exists(rctx.dir))) return;
    await writeHeartbeat(rctx, { pid: process.pid, host: hostname(), since, beat: new Date().toISOString(), by });
  };

  // Readiness → endpoints: one sync at a time; a change during a sync makes one more.
  let syncing: Promise<void> = Promise.resolve();
  let dirty = false;
  let running = false;
  let lastUpdate = st.updatedAt;
  const syncNow = (reason: string) => {
    dirty = true;
    if (running) return;
    running = true;
    syncing = (async () => {
      while (dirty) {
        dirty = false;
        try {
          const sync = () => {
            const current = o.current?.();
            return syncReadiness(cluster, sup.notReady(), current ? { ...ctx, current } : ctx);
          };
          const r = await (o.serialize ? o.serialize(`endpoints (${reason})`, sync) : sync());
          lastUpdate = (await ctx.store.read(cluster))?.updatedAt ?? lastUpdate;
          o.onSync?.({ ...r, reason, at: new Date().toISOString() });
        } catch (e) {
          o.onEvent?.({ at: new Date().toISOString(), pod: '', type: 'Warning', reason: 'EndpointSyncFailed', message: (e as Error).message });
        }
      }
      running = false;
    })();
  };
  let snapTimer: NodeJS.Timeout | undefined;
  const snapshot = () => {
    if (snapTimer) return;
    snapTimer = setTimeout(() => {
      snapTimer = undefined;
      if (gone) return;
      void writeSnapshot(rctx, { at: new Date().toISOString(), pods: sup.statuses(), notReady: sup.notReady() });
    }, 50);
  };
  // The job controller: one sync at a time, again when a pod ended during one.
  let jobsBusy = false;
  let jobsDirty = false;
  let jobsRun: Promise<void> = Promise.resolve();
  let stopped = false;
  const jobsNow = () => {
    jobsDirty = true;
    if (jobsBusy || stopped) return;
    jobsBusy = true;
    jobsRun = (async () => {
      while (jobsDirty && !stopped) {
        jobsDirty = false;
        try {
          const moves = [...(await syncJobs(cluster, (k) => sup.status(k), ctx)), ...(await syncTtl(cluster, ctx))];
          for (const m of moves) {
            o.onJob?.(m);
            o.onEvent?.({ at: new Date().toISOString(), pod: m.job, type: m.reason === 'Completed' || m.reason === 'SuccessfulCreate' || m.reason === 'Progress' ? 'Normal' : 'Warning', reason: m.reason, message: m.message });
          }
          if (moves.length) {
            lastUpdate = (await ctx.store.read(cluster))?.updatedAt ?? lastUpdate;
            topo = (await ctx.store.read(cluster))?.topology ?? topo;
          }
        } catch (e) {
          o.onEvent?.({ at: new Date().toISOString(), pod: '', type: 'Warning', reason: 'JobSyncFailed', message: (e as Error).message });
        }
      }
      jobsBusy = false;
    })();
  };
  const jobPods = () => new Set((topo.workloads ?? []).filter((w) => w.kind === 'Job').flatMap((w) => w.pods));
  sup.on('event', (e: LifecycleEvent) => o.onEvent?.(e));
  sup.on('pod', (p: PodReport) => {
    o.onPod?.(p);
    snapshot();
    if ((p.phase === 'Succeeded' || p.phase === 'Failed' || p.display.restarts > 0) && jobPods().has(p.pod)) jobsNow();
  });
  sup.on('ready', (r: { pod: string; ready: boolean }) => syncNow(`pod ${r.pod} ${r.ready ? 'ready' : 'not ready'}`));
  sup.on('problem', (e: Error) => o.onEvent?.({ at: new Date().toISOString(), pod: '', type: 'Warning', reason: 'SupervisorError', message: e.message }));

  await beat();
  await sup.start(topo);
  const beatTimer = setInterval(() => void beat(), 5000);
  beatTimer.unref();
  // Deadlines (activeDeadlineSeconds) and pods that ended before this supervisor came: look at unfinished Jobs.
  const jobTimer = setInterval(() => {
    void ctx.store.read(cluster).then((now) => {
      if (activeJobs(now) || (now?.topology.workloads ?? []).some((w) => w.kind === 'Job' && w.job?.condition)) jobsNow();
    }).catch(() => undefined);
  }, o.jobPollMs ?? 2000);
  jobTimer.unref();
  // The CronJob controller: the schedule times since this supervisor started (a missed time before it is not run).
  let cronSince = new Date();
  let cronBusy = false;
  const cronTimer = setInterval(() => {
    if (cronBusy || stopped) return;
    cronBusy = true;
    const now = new Date();
    void syncCronJobs(cluster, cronSince, ctx).then((moves) => {
      cronSince = now;
      for (const m of moves) o.onEvent?.({ at: new Date().toISOString(), pod: m.job, type: m.reason.startsWith('Failed') || m.reason === 'MissSchedule' ? 'Warning' : 'Normal', reason: m.reason, message: m.message });
    }).catch((e: Error) => o.onEvent?.({ at: new Date().toISOString(), pod: '', type: 'Warning', reason: 'CronJobSyncFailed', message: e.message }))
      .finally(() => { cronBusy = false; });
  }, o.cronPollMs ?? 5000);
  cronTimer.unref();
  // Another process changed the lab: follow its topology. Its state gone: stop following, tell the host.
  let missing = 0;
  const followNow = async () => {
    if (gone) return;
    try {
      const now = await ctx.store.read(cluster);
      missing = now ? 0 : missing + 1;
      if (missing >= 2) {
        gone = true;
        if (follow) clearInterval(follow);
        o.onGone?.();
        return;
      }
      if (!now || now.updatedAt === lastUpdate) return;
      lastUpdate = now.updatedAt;
      if (now.topology !== topo && podsKey(now.topology) !== podsKey(topo)) {
        topo = now.topology;
        sup.update(topo);
      }
    } catch {
      /* a state being written; next time */
    }
  };
  const follow = o.followMs === 0 ? undefined : setInterval(() => void followNow(), o.followMs ?? 1000);
  follow?.unref();
  return {
    supervisor: sup,
    settled: async () => {
      await syncing;
    },
    async stop() {
      stopped = true;
      clearInterval(beatTimer);
      clearInterval(jobTimer);
      clearInterval(cronTimer);
      await jobsRun;
      if (follow) clearInterval(follow);
      await sup.stop();
      await syncing;
      if (snapTimer) clearTimeout(snapTimer);
      if (!gone && (await rctx.exec.files.exists(rctx.dir))) {
        await writeSnapshot(rctx, { at: new Date().toISOString(), pods: sup.statuses(), notReady: sup.notReady() });
        await clearHeartbeat(rctx);
      }
    },
  };
}
