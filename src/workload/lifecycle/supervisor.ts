// The pod lifecycle, run: kubelet's loop for the pods of one lab. It observes each container through the runtime,
// decides what kubelet would do (machine.ts), does it — starts, hooks, probes, kills, restarts after back-off — and
// tells its host what changed through events: 'event' (kubectl's events: Started, Killing, BackOff, Unhealthy…),
// 'pod' (a pod's status changed) and 'ready' (a pod's Ready condition changed: its Service endpoints must follow).
// It runs wherever a long-running podlab process runs (the daemon hosts it; `podlab supervise` runs it in the
// foreground), keeps no state a restart would lose but probe results and back-off (as kubelet), and stops without
// stopping the containers, so the next one adopts them.
import { EventEmitter } from 'node:events';
import type { PodT, Topology } from '../../model/topology.js';
import type { ContainerSpec, HookSpec, ProbeSpec } from '../../input/types.js';
import type { ContainerRef, Observed, RuntimeContext, StartItem, WorkloadRuntime } from '../types.js';
import { Backoff, KUBELET_BACKOFF, type BackoffSettings } from './backoff.js';
import { realClock, iso, ms, type Clock } from './clock.js';
import { decide, type Memory, type PodDecision, type PodLifecycleStatus } from './machine.js';
import { ProbeCounter, firstProbeAt, type ProbeKind } from './probes.js';
import { NetnsProber, type Prober } from './prober.js';

export interface LifecycleEvent {
  readonly at: string;
  /** "ns/name" */
  readonly pod: string;
  readonly container?: string;
  readonly type: 'Normal' | 'Warning';
  /** kubelet's event reasons: Created, Started, Killing, BackOff, Unhealthy, FailedPostStartHook, FailedPreStopHook, Completed. */
  readonly reason: string;
  readonly message: string;
}

export interface PodReport extends PodLifecycleStatus {
  readonly pod: string;
  readonly terminating?: boolean;
}

export interface SupervisorOptions {
  readonly runtime: WorkloadRuntime;
  readonly ctx: RuntimeContext;
  readonly clock?: Clock;
  readonly backoff?: BackoffSettings;
  /** false: start each container once and never again (what `up` does without a daemon). Default true. */
  readonly restarts?: boolean;
  /** false: run no probes (readiness is then "running"). Default true. */
  readonly probes?: boolean;
  readonly prober?: Prober;
  /** How often containers are looked at for exits (ms, default 500). */
  readonly pollMs?: number;
}

interface ProbeWorker {
  readonly kind: ProbeKind;
  readonly counter: ProbeCounter;
  timer?: unknown;
  running?: boolean;
}

interface Entry {
  pod: PodT;
  node: string;
  observed: Map<string, Observed>;
  memory: Map<string, Memory>;
  probes: Map<string, ProbeWorker[]>;
  /** An operation in flight (a start with its hook, a kill): the pod is not decided again until it ends. */
  busy?: Promise<void>;
  terminating?: Promise<void>;
  status?: PodLifecycleStatus;
  last?: string;
  ready?: boolean;
}

const specOf = (p: PodT) => JSON.stringify([p.node, p.ip, p.initContainers ?? [], p.containers, p.restartPolicy ?? '', p.volumes ?? [], p.hostname ?? '', p.runtime ?? '']);

export class Supervisor extends EventEmitter {
  readonly clock: Clock;
  readonly backoff: Backoff;
  private readonly pods = new Map<string, Entry>();
  /** A container was started in the last pass. */
  private startedNow = false;
  private readonly restarts: boolean;
  private readonly probing: boolean;
  private prober?: Prober;
  private running = false;
  private loop?: Promise<void>;
  private wakeTimer?: unknown;
  private wakeUp?: () => void;
  private nodes = new Map<string, string>();

  constructor(readonly o: SupervisorOptions) {
    super();
    this.clock = o.clock ?? realClock;
    this.backoff = new Backoff(o.backoff ?? KUBELET_BACKOFF);
    this.restarts = o.restarts ?? true;
    this.probing = o.probes ?? true;
    this.prober = o.prober;
  }

  /** Take the lab's pods over (adopting what already runs) and begin the loop. */
  async start(t: Topology): Promise<void> {
    this.update(t);
    this.running = true;
    this.loop = this.run();
  }

  /** The desired pods changed: new ones are started, removed ones stopped gracefully, changed ones start over. */
  update(t: Topology): void {
    this.nodes = new Map(t.nodes.map((n) => [n.name, n.netns]));
    // System pods (the DNS pod, the ingress controller) are run by their components, not by a kubelet of podlab's.
    const want = new Map(t.pods.filter((p) => !p.system).map((p) => [p.key, p]));
    for (const [key, e] of this.pods) {
      const p = want.get(key);
      if (!p) void this.terminate(key);
      else if (specOf(p) !== specOf(e.pod)) {
        // Recreated by reconcile (a new namespace): nothing of the old pod remains.
        this.dropProbes(e);
        this.backoff.forget(key);
        this.pods.set(key, this.entry(p));
      } else e.pod = p;
    }
    for (const [key, p] of want) if (!this.pods.has(key)) this.pods.set(key, this.entry(p));
    this.wake();
  }

  private entry(p: PodT): Entry {
    return { pod: p, node: this.nodes.get(p.node) ?? '', observed: new Map(), memory: new Map(), probes: new Map() };
  }

  /** Stop the loop and the probes; the containers keep running (the next supervisor adopts them). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all([...this.pods.values()].map((e) => e.busy));
    for (const e of this.pods.values()) this.dropProbes(e);
    this.prober?.close();
  }

  /** Every pod's status as kubelet would report it now. */
  statuses(): PodReport[] {
    return [...this.pods.values()].filter((e) => e.status).map((e) => ({ pod: e.pod.key, ...e.status!, ...(e.terminating ? { terminating: true } : {}) }));
  }

  status(key: string): PodReport | undefined {
    return this.statuses().find((s) => s.pod === key);
  }

  /** Pods whose Ready condition is False (Service endpoints leave them out). */
  notReady(): string[] {
    return [...this.pods.values()].filter((e) => e.status && !e.status.ready).map((e) => e.pod.key);
  }

  /** One pass over every pod now (tests, `up`). */
  async pass(): Promise<void> {
    await this.tick();
  }

  /** Start each pod as far as it goes without restarts, waiting for init containers (bounded); for `up` alone. */
  async runOnce(t: Topology, timeoutMs = 120_000, say?: (line: string) => void): Promise<PodReport[]> {
    this.update(t);
    const t0 = this.clock.now();
    const deadline = t0 + timeoutMs;
    let told = t0;
    for (;;) {
      const decisions = await this.tick();
      await Promise.all([...this.pods.values()].map((e) => e.busy));
      const waiting = [...decisions.entries()].filter(([key, d]) => d.starts.length > 0 || initRunning(this.pods.get(key)!, d)).map(([key]) => key);
      if (!waiting.length || this.clock.now() >= deadline) break;
      // Every 5 s, what it still waits for (an init container that never ends holds `up` until the deadline).
      if (say && this.clock.now() - told >= 5_000) {
        told = this.clock.now();
        say(`waiting for ${waiting.length} pod(s) to start (${waiting.slice(0, 3).join(', ')}${waiting.length > 3 ? ', …' : ''}): ${Math.round((told - t0) / 1000)} s of at most ${Math.round(timeoutMs / 1000)} s`);
      }
      await this.clock.sleep(100);
    }
    await this.tick();
    return this.statuses();
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private schedule(at: number): void {
    const delay = Math.max(0, at - this.clock.now());
    if (this.wakeTimer) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = this.clock.setTimeout(() => this.wake(), delay);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let next: number | undefined;
      try {
        const ds = await this.tick();
        for (const d of ds.values()) if (d.wakeAt !== undefined) next = next === undefined ? d.wakeAt : Math.min(next, d.wakeAt);
      } catch (e) {
        this.emit('problem', e);
      }
      if (!this.running) break;
      // Containers just started: look again at once (their Ready report puts them in their Services' endpoints).
      const poll = this.clock.now() + (this.startedNow ? 0 : this.o.pollMs ?? 500);
      this.startedNow = false;
      this.schedule(next === undefined ? poll : Math.min(next, poll));
      await new Promise<void>((r) => (this.wakeUp = r));
      this.wakeUp = undefined;
    }
    if (this.wakeTimer) this.clock.clearTimeout(this.wakeTimer);
  }

  /** The pods' statuses as observed now, without acting (`status` when no supervisor runs). */
  async look(t: Topology): Promise<PodReport[]> {
    this.update(t);
    await this.tick(false);
    return this.statuses();
  }

  private async tick(act = true): Promise<Map<string, PodDecision>> {
    const idle = [...this.pods.values()].filter((e) => !e.busy && !e.terminating);
    const decisions = new Map<string, PodDecision>();
    if (idle.length === 0) return decisions;
    const seen = await this.o.runtime.observe(this.o.ctx, idle.map((e) => e.pod));
    const now = this.clock.now();
    const starts: { e: Entry; d: PodDecision }[] = [];
    for (const e of idle) {
      if (!this.pods.has(e.pod.key) || e.busy || e.terminating) continue;
      const before = e.observed;
      e.observed = new Map(podRefs(e.pod).flatMap((r) => {
        const o = seen.get(`${e.pod.key}/${r.container.name}`);
        return o ? [[r.container.name, o] as const] : [];
      }));
      this.noticeExits(e, before);
      this.adopt(e);
      const d = decide(e.pod, { observed: e.observed, memory: e.memory }, { now, backoff: this.backoff, restarts: this.restarts && act, probes: this.probing });
      decisions.set(e.pod.key, d);
      this.report(e, d.status);
      if (!act) continue;
      this.syncProbes(e);
      for (const [name, w] of waitingBackoff(d)) if (!e.memory.get(name)?.startFailure) this.event(e, name, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${e.pod.name}_${e.pod.namespace}`, w);
      if (d.kills.length || d.stopSidecars.length) e.busy = this.kill(e, d).finally(() => { e.busy = undefined; this.wake(); });
      else if (d.starts.length) starts.push({ e, d });
    }
    if (starts.length) await this.startAll(starts);
    return decisions;
  }

  /** An instance another process started (`up`, an earlier supervisor): known from now on as a fresh one of ours. */
  private adopt(e: Entry): void {
    for (const [name, o] of e.observed) {
      const m = e.memory.get(name);
      if (m && m.attempt === o.attempt) continue;
      if (!('running' in o.state)) continue;
      const c = containerSpec(e.pod, name);
      if (c) e.memory.set(name, { attempt: o.attempt, started: !c.startupProbe, ready: !c.readinessProbe });
    }
  }

  /** Say once when a container instance ended (kubectl's events say nothing; the host may log it). */
  private noticeExits(e: Entry, before: Map<string, Observed>): void {
    for (const [name, o] of e.observed) {
      const b = before.get(name);
      if ('terminated' in o.state && b && b.attempt === o.attempt && 'running' in b.state) {
        const t = o.state.terminated;
        this.event(e, name, t.exitCode === 0 ? 'Normal' : 'Warning', t.exitCode === 0 ? 'Completed' : 'Died', `Container ${name} exited with code ${t.exitCode} (${t.reason})`);
      }
    }
  }

  private async startAll(batch: { e: Entry; d: PodDecision }[]): Promise<void> {
    const items: StartItem[] = [];
    for (const { e, d } of batch) {
      for (const s of d.starts) {
        const c = containerSpec(e.pod, s.name)!;
        items.push({ pod: e.pod, container: c, init: s.init, attempt: s.attempt });
      }
    }
    const at = this.clock.now();
    let failures: Awaited<ReturnType<WorkloadRuntime['start']>> = [];
    try {
      failures = await this.o.runtime.start(this.o.ctx, items);
    } catch (err) {
      failures = items.map((i) => ({ pod: i.pod.key, container: i.container.name, reason: 'RunContainerError', message: (err as Error).message }));
    }
    for (const i of items) {
      const e = this.pods.get(i.pod.key);
      if (!e) continue;
      const f = failures.find((x) => x.pod === i.pod.key && x.container === i.container.name);
      if (f) {
        e.memory.set(i.container.name, { attempt: i.attempt, started: false, ready: false, startFailure: { reason: f.reason, message: f.message, at } });
        this.event(e, i.container.name, 'Warning', 'Failed', `Error: ${f.message}`);
        continue;
      }
      const c = i.container;
      e.memory.set(c.name, { attempt: i.attempt, started: !c.startupProbe, ready: !c.readinessProbe });
      this.startedNow = true;
      this.event(e, c.name, 'Normal', 'Started', `Started container ${c.name}`);
      const hook = c.lifecycle?.postStart;
      if (hook) {
        const run = this.hook(e, c, i.init, hook, 'postStart').then((err) => {
          if (err === undefined) return;
          const m = e.memory.get(c.name);
          if (m && m.attempt === i.attempt) e.memory.set(c.name, { ...m, unhealthy: { reason: 'FailedPostStartHook', message: err } });
          this.event(e, c.name, 'Warning', 'FailedPostStartHook', err);
        });
        e.busy = run.finally(() => { e.busy = undefined; this.wake(); });
      }
    }
  }

  /** Liveness/startup kills (then restart per policy), and the sidecars of a finished pod, last started first. */
  private async kill(e: Entry, d: PodDecision): Promise<void> {
    const grace = e.pod.terminationGracePeriodSeconds ?? 30;
    await Promise.all(d.kills.map(async (k) => {
      const c = containerSpec(e.pod, k.name)!;
      this.event(e, k.name, 'Normal', 'Killing', `Container ${k.name} ${k.message}, will be restarted`);
      await this.stopOne(e, c, k.init, k.graceSeconds ?? grace);
      const m = e.memory.get(k.name);
      if (m) e.memory.set(k.name, { ...m, unhealthy: undefined });
    }));
    for (const name of d.stopSidecars) {
      const c = containerSpec(e.pod, name)!;
      this.event(e, name, 'Normal', 'Killing', `Stopping container ${name}`);
      await this.stopOne(e, c, true, grace);
    }
  }

  /** preStop (bounded by the grace period), then SIGTERM, SIGKILL after what is left of it. */
  private async stopOne(e: Entry, c: ContainerSpec, init: boolean, graceSeconds: number): Promise<void> {
    const t0 = this.clock.now();
    const pre = c.lifecycle?.preStop;
    if (pre) {
      const err = await Promise.race([this.hook(e, c, init, pre, 'preStop', graceSeconds * 1000), sleepMs(this.clock, graceSeconds * 1000).then(() => `preStop hook did not end within the ${graceSeconds}s grace period`)]);
      if (err) this.event(e, c.name, 'Warning', 'FailedPreStopHook', err);
    }
    const left = Math.max(0, graceSeconds - (this.clock.now() - t0) / 1000);
    await this.o.runtime.stop(this.o.ctx, { pod: e.pod, container: c, init }, Math.max(left, pre ? 2 : 0));
    this.dropProbes(e, c.name);
  }

  /** Delete a pod gracefully: preStop and SIGTERM to the app containers, then the sidecars in reverse order. */
  terminate(key: string): Promise<void> {
    const e = this.pods.get(key);
    if (!e) return Promise.resolve();
    if (e.terminating) return e.terminating;
    e.terminating = (async () => {
      await e.busy;
      const grace = e.pod.terminationGracePeriodSeconds ?? 30;
      const deadline = this.clock.now() + grace * 1000;
      const left = () => Math.max(0, (deadline - this.clock.now()) / 1000);
      const seen = await this.o.runtime.observe(this.o.ctx, [e.pod]);
      const isRunning = (n: string) => {
        const o = seen.get(`${key}/${n}`);
        return !!o && 'running' in o.state;
      };
      await Promise.all(e.pod.containers.filter((c) => isRunning(c.name)).map((c) => {
        this.event(e, c.name, 'Normal', 'Killing', `Stopping container ${c.name}`);
        return this.stopOne(e, c, false, left());
      }));
      for (const c of [...(e.pod.initContainers ?? [])].reverse()) {
        if (!isRunning(c.name)) continue;
        this.event(e, c.name, 'Normal', 'Killing', `Stopping container ${c.name}`);
        await this.stopOne(e, c, true, left());
      }
      this.dropProbes(e);
      this.pods.delete(key);
      this.backoff.forget(key);
      if (e.ready !== false) this.emit('ready', { pod: key, ready: false, gone: true });
      this.emit('gone', key);
    })();
    if (e.ready) {
      // A terminating pod leaves its Services at once (kube-proxy drops it before it is gone).
      e.ready = false;
      this.emit('ready', { pod: key, ready: false });
    }
    return e.terminating;
  }

  /** Gracefully stop these pods (reconcile, before their namespaces go). */
  async terminatePods(all: readonly PodT[]): Promise<void> {
    const pods = all.filter((p) => !p.system);
    for (const p of pods) if (!this.pods.has(p.key)) this.pods.set(p.key, this.entry(p));
    await Promise.all(pods.map((p) => this.terminate(p.key)));
  }

  private report(e: Entry, s: PodLifecycleStatus): void {
    e.status = s;
    const sig = JSON.stringify([s.phase, s.display, s.containerStatuses.map((c) => [c.state, c.ready, c.restartCount]), s.initContainerStatuses.map((c) => [c.state, c.ready, c.restartCount])]);
    if (sig !== e.last) {
      e.last = sig;
      this.emit('pod', { pod: e.pod.key, ...s });
    }
    if (e.ready !== s.ready) {
      e.ready = s.ready;
      // The first report too: a new pod's endpoints wait for it (lab/desire.ts readyFn), an adopted one's are checked.
      this.emit('ready', { pod: e.pod.key, ready: s.ready });
    }
  }

  private event(e: Entry, container: string | undefined, type: 'Normal' | 'Warning', reason: string, message: string, dedupe?: unknown): void {
    if (dedupe !== undefined) {
      const k = `${container}:${reason}:${JSON.stringify(dedupe)}`;
      const m = (e as Entry & { said?: Set<string> }).said ?? new Set<string>();
      (e as Entry & { said?: Set<string> }).said = m;
      if (m.has(k)) return;
      m.add(k);
    }
    const ev: LifecycleEvent = { at: iso(this.clock.now()), pod: e.pod.key, ...(container ? { container } : {}), type, reason, message };
    this.emit('event', ev);
  }

  // ---- hooks -------------------------------------------------------------------------------------------------

  /** Run a hook; undefined when it succeeded, else what went wrong. */
  private async hook(e: Entry, c: ContainerSpec, init: boolean, h: HookSpec, what: 'postStart' | 'preStop', timeoutMs = 120_000): Promise<string | undefined> {
    const ref: ContainerRef = { pod: e.pod, container: c, init };
    try {
      if (h.type === 'sleep') {
        await this.clock.sleep(h.seconds * 1000);
        return undefined;
      }
      if (h.type === 'exec') {
        const r = await this.o.runtime.exec(this.o.ctx, ref, h.command, { timeoutMs });
        if (r.exitCode === 0) return undefined;
        return `${what === 'postStart' ? 'PostStartHookError' : 'PreStopHookError'}: command '${h.command.join(' ')}' exited with ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(-300)}`;
      }
      const out = await this.act(e, h, timeoutMs);
      return out.ok ? undefined : `${what === 'postStart' ? 'PostStartHookError' : 'PreStopHookError'}: ${out.message}`;
    } catch (err) {
      return `${what} hook: ${(err as Error).message}`;
    }
  }

  /** An httpGet or tcpSocket action from the pod's node (host: the pod IP unless given). */
  private async act(e: Entry, a: { type: 'httpGet' | 'tcpSocket'; port: number; host?: string; path?: string; scheme?: 'HTTP' | 'HTTPS'; headers?: readonly { name: string; value: string }[] }, timeoutMs: number) {
    this.prober ??= new NetnsProber();
    const netns = this.nodes.get(e.pod.node) ?? e.node;
    const host = a.host ?? e.pod.ip;
    if (a.type === 'tcpSocket') return this.prober.tcp(netns, host, a.port, timeoutMs);
    return this.prober.http(netns, { host, port: a.port, path: a.path ?? '/', scheme: a.scheme ?? 'HTTP', headers: a.headers ?? [] }, timeoutMs);
  }

  // ---- probes ------------------------------------------------------------------------------------------------

  /** Probe workers follow the running instances: made when one runs, dropped when it ends. */
  private syncProbes(e: Entry): void {
    if (!this.probing) return;
    for (const r of podRefs(e.pod)) {
      const c = r.container;
      const o = e.observed.get(c.name);
      const m = e.memory.get(c.name);
      const live = !!o && 'running' in o.state && !!m && m.attempt === o.attempt;
      const has = e.probes.get(c.name);
      if (!live) {
        if (has) this.dropProbes(e, c.name);
        continue;
      }
      if (has) continue;
      const kinds: [ProbeKind, ProbeSpec | undefined][] = [['startup', c.startupProbe], ['readiness', c.readinessProbe], ['liveness', c.livenessProbe]];
      const workers: ProbeWorker[] = kinds.filter(([, s]) => s).map(([kind, s]) => ({ kind, counter: new ProbeCounter(kind, s!) }));
      if (!workers.length) continue;
      e.probes.set(c.name, workers);
      const startedAt = ms('running' in o!.state ? o!.state.running.startedAt : undefined) ?? this.clock.now();
      for (const w of workers) this.arm(e, r, w, o!.attempt, Math.max(this.clock.now(), firstProbeAt(startedAt, w.counter.spec)));
    }
  }

  private arm(e: Entry, r: ContainerRef, w: ProbeWorker, attempt: number, at: number): void {
    w.timer = this.clock.setTimeout(() => void this.probeOnce(e, r, w, attempt), Math.max(0, at - this.clock.now()));
  }

  private async probeOnce(e: Entry, r: ContainerRef, w: ProbeWorker, attempt: number): Promise<void> {
    const c = r.container;
    const m = e.memory.get(c.name);
    if (!this.pods.has(e.pod.key) || e.probes.get(c.name)?.includes(w) !== true || !m || m.attempt !== attempt) return;
    const spec = w.counter.spec;
    const period = spec.periodSeconds * 1000;
    // Readiness and liveness wait for the startup probe; a startup probe stops once it succeeded.
    const gated = w.kind !== 'startup' && c.startupProbe && !m.started;
    if (gated || m.unhealthy || (w.kind === 'startup' && m.started)) {
      if (!(w.kind === 'startup' && m.started)) this.arm(e, r, w, attempt, this.clock.now() + period);
      return;
    }
    const t0 = this.clock.now();
    const out = await this.runProbe(e, r, spec);
    const cur = e.memory.get(c.name);
    if (!cur || cur.attempt !== attempt || e.probes.get(c.name)?.includes(w) !== true) return;
    const changed = w.counter.record(out.ok);
    if (!out.ok) this.event(e, c.name, 'Warning', 'Unhealthy', `${w.kind[0]!.toUpperCase()}${w.kind.slice(1)} probe failed: ${out.message}`);
    if (changed) {
      if (w.kind === 'readiness') e.memory.set(c.name, { ...cur, ready: changed === 'Success' });
      else if (w.kind === 'startup' && changed === 'Success') e.memory.set(c.name, { ...cur, started: true });
      else if (changed === 'Failure') {
        e.memory.set(c.name, { ...cur, unhealthy: { reason: 'Unhealthy', message: `failed ${w.kind} probe`, ...(spec.terminationGracePeriodSeconds !== undefined ? { graceSeconds: spec.terminationGracePeriodSeconds } : {}) } });
        w.counter.reset();
      }
      this.wake();
    }
    if (w.kind === 'startup' && e.memory.get(c.name)?.started) return;
    this.arm(e, r, w, attempt, Math.max(this.clock.now(), t0 + period));
  }

  private async runProbe(e: Entry, r: ContainerRef, spec: ProbeSpec): Promise<{ ok: boolean; message: string }> {
    const timeoutMs = spec.timeoutSeconds * 1000;
    const a = spec.action;
    try {
      if (a.type === 'exec') {
        const x = await this.o.runtime.exec(this.o.ctx, r, a.command, { timeoutMs });
        if (x.timedOut) return { ok: false, message: `command '${a.command.join(' ')}' timed out after ${spec.timeoutSeconds}s` };
        return x.exitCode === 0 ? { ok: true, message: '' } : { ok: false, message: `command '${a.command.join(' ')}' exited with ${x.exitCode}${(x.stdout + x.stderr).trim() ? `: ${(x.stdout + x.stderr).trim().slice(-200)}` : ''}` };
      }
      return await this.act(e, a, timeoutMs);
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }

  private dropProbes(e: Entry, name?: string): void {
    for (const [n, ws] of e.probes) {
      if (name !== undefined && n !== name) continue;
      for (const w of ws) if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
      e.probes.delete(n);
    }
  }
}

function podRefs(p: PodT): ContainerRef[] {
  return [...(p.initContainers ?? []).map((c) => ({ pod: p, container: c, init: true })), ...p.containers.map((c) => ({ pod: p, container: c, init: false }))];
}

function containerSpec(p: PodT, name: string): ContainerSpec | undefined {
  return p.containers.find((c) => c.name === name) ?? p.initContainers?.find((c) => c.name === name);
}

function waitingBackoff(d: PodDecision): [string, unknown][] {
  return [...d.status.initContainerStatuses, ...d.status.containerStatuses]
    .filter((c) => 'waiting' in c.state && c.state.waiting.reason === 'CrashLoopBackOff')
    .map((c) => [c.name, [c.restartCount, 'waiting' in c.state ? c.state.waiting.message : '']]);
}

/**
 * A pod still on its way (runOnce waits for it): a regular init container running, or any container made but not
 * yet started (its shim has not written its start: under load that can take a while, and the next container in
 * order — the next init container, the app after a sidecar — is only decided once this one runs or ends).
 */
function initRunning(e: Entry, d: PodDecision): boolean {
  const refs = [...(e.pod.initContainers ?? []), ...e.pod.containers];
  if (refs.some((c) => { const o = e.observed.get(c.name); return !!o && 'waiting' in o.state && o.state.waiting.reason === 'ContainerCreating'; })) return true;
  if (d.initialized) return false;
  return (e.pod.initContainers ?? []).some((c) => c.restartPolicy !== 'Always' && (() => {
    const o = e.observed.get(c.name);
    return !!o && 'running' in o.state;
  })());
}

function sleepMs(clock: Clock, msec: number): Promise<void> {
  return new Promise((r) => clock.setTimeout(r, msec));
}
