// What kubelet would do next for one pod (pure, given a clock value and the back-off table): kuberuntime's
// computePodActions and computeInitContainerActions with native sidecars. Init containers run one after another,
// each to completion (a sidecar — restartPolicy Always — only has to start); then the app containers start in order.
// An exited container restarts as restartPolicy says, after kubelet's back-off; a container whose liveness or
// startup probe failed is killed and restarted the same way; when every app container is done for good, the sidecars
// are stopped (last started, first stopped). The pod's status — containers' states, phase, conditions, kubectl's
// columns — comes out of the same pass, so what is shown is what was decided.
import type { ContainerSpec, RestartPolicy } from '../../input/types.js';
import type { PodT } from '../../model/topology.js';
import type { ContainerState, Observed } from '../types.js';
import { Backoff, goDuration } from './backoff.js';
import { iso, ms } from './clock.js';
import { kubectlColumns, podConditions, podPhase, type ContainerStatusT, type PodCondition, type PodPhase } from './status.js';

/** What the lifecycle knows of a container's current instance beyond the runtime's facts (probes, hooks). */
export interface Memory {
  /** The instance this memory is about (a new instance starts with a clean one). */
  readonly attempt: number;
  /** Startup probe passed (true at once without one). */
  readonly started: boolean;
  /** Readiness probe passed successThreshold times (true at once without one, once started). */
  readonly ready: boolean;
  /** A failed liveness/startup probe or postStart hook: kill this instance. */
  readonly unhealthy?: { readonly reason: string; readonly message: string; readonly graceSeconds?: number };
  /** The runtime could not start the instance. */
  readonly startFailure?: { readonly reason: string; readonly message: string; readonly at: number };
}

export interface PodView {
  readonly observed: ReadonlyMap<string, Observed>;
  readonly memory: ReadonlyMap<string, Memory>;
}

export interface DecideOptions {
  readonly now: number;
  readonly backoff: Backoff;
  /** false: containers are started once and never again (no supervisor: `up` alone). */
  readonly restarts: boolean;
  /** Being deleted: start nothing. */
  readonly terminating?: boolean;
  /** false: no prober runs, so a running container counts as started and ready (`up` without a supervisor). */
  readonly probes?: boolean;
}

export interface StartAction { readonly name: string; readonly init: boolean; readonly attempt: number }
export interface KillAction { readonly name: string; readonly init: boolean; readonly reason: string; readonly message: string; readonly graceSeconds?: number }

export interface PodDecision {
  /** In the order to start them (a container with a postStart hook holds the ones after it back). */
  readonly starts: readonly StartAction[];
  /** Liveness/startup failures and failed hooks: stop now, restart per policy afterwards. */
  readonly kills: readonly KillAction[];
  /** The pod is done (its app containers will not run again): stop these sidecars, in this order. */
  readonly stopSidecars: readonly string[];
  /** The earliest time a back-off ends (a pass is due then). */
  readonly wakeAt?: number;
  readonly terminal: boolean;
  readonly initialized: boolean;
  readonly status: PodLifecycleStatus;
}

export interface PodLifecycleStatus {
  readonly phase: PodPhase;
  readonly conditions: readonly PodCondition[];
  readonly initContainerStatuses: readonly ContainerStatusT[];
  readonly containerStatuses: readonly ContainerStatusT[];
  /** kubectl get pods: STATUS, READY ("1/2"), RESTARTS. */
  readonly display: { readonly status: string; readonly ready: string; readonly restarts: number };
  readonly ready: boolean;
}

const isSidecar = (c: ContainerSpec) => c.restartPolicy === 'Always';
const stopped = (o?: Observed) => !!o && 'terminated' in o.state;
const running = (o?: Observed) => !!o && 'running' in o.state;
const exitCode = (o?: Observed) => (o && 'terminated' in o.state ? o.state.terminated.exitCode : undefined);
const finished = (o: Observed) => ('terminated' in o.state ? ms(o.state.terminated.finishedAt) : undefined);

/** kubelet's ShouldContainerBeRestarted for an exited container. */
export function shouldRestart(policy: RestartPolicy, code: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return code !== 0;
  return true;
}

export const backoffKey = (pod: Pick<PodT, 'key'>, c: string) => `${pod.key}/${c}`;

export function decide(pod: PodT, view: PodView, o: DecideOptions): PodDecision {
  const policy = pod.restartPolicy ?? 'Always';
  const inits = pod.initContainers ?? [];
  const starts: StartAction[] = [];
  const kills: KillAction[] = [];
  const waiting = new Map<string, { reason: string; message?: string }>();
  let wakeAt: number | undefined;
  const obs = (n: string) => view.observed.get(n);
  const mem = (n: string) => {
    const m = view.memory.get(n);
    const ob = obs(n);
    return m && ob && m.attempt === ob.attempt ? m : undefined;
  };

  /** Restart an exited container if the back-off allows; else say why it waits. */
  const restart = (c: ContainerSpec, init: boolean) => {
    const ob = obs(c.name)!;
    if (!o.restarts || o.terminating) return;
    const key = backoffKey(pod, c.name);
    const fin = finished(ob) ?? o.now;
    if (o.backoff.inBackoffSince(key, fin, o.now)) {
      waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(o.backoff.get(key))} restarting failed container=${c.name} pod=${pod.name}_${pod.namespace}` });
      const until = o.backoff.until(key, fin);
      wakeAt = wakeAt === undefined ? until : Math.min(wakeAt, until);
      return;
    }
    o.backoff.next(key, fin, o.now);
    starts.push({ name: c.name, init, attempt: ob.attempt + 1 });
  };
  const start = (c: ContainerSpec, init: boolean) => {
    if (o.terminating) return;
    const m = view.memory.get(c.name);
    const ob = obs(c.name);
    // A start the runtime refused: retried after the back-off like a crash (kubelet: RunContainerError, then back-off).
    if (m?.startFailure && !ob) {
      const key = backoffKey(pod, c.name);
      if (!o.restarts) return;
      if (o.backoff.inBackoffSince(key, m.startFailure.at, o.now)) {
        const until = o.backoff.until(key, m.startFailure.at);
        wakeAt = wakeAt === undefined ? until : Math.min(wakeAt, until);
        return;
      }
      o.backoff.next(key, m.startFailure.at, o.now);
    }
    starts.push({ name: c.name, init, attempt: ob ? ob.attempt + 1 : 0 });
  };
  const unhealthy = (c: ContainerSpec, init: boolean) => {
    const u = mem(c.name)?.unhealthy;
    if (u && running(obs(c.name))) {
      kills.push({ name: c.name, init, reason: u.reason, message: u.message, ...(u.graceSeconds !== undefined ? { graceSeconds: u.graceSeconds } : {}) });
      return true;
    }
    return false;
  };
  /** Sidecar and app containers that run: past the startup probe? */
  const startedOk = (c: ContainerSpec) => running(obs(c.name)) && (o.probes === false || (mem(c.name)?.started ?? !c.startupProbe));

  // Has the pod been initialized before (an app container has run)? Then only sidecars are kept running.
  const initializedBefore = pod.containers.some((c) => !!obs(c.name));
  // Done for good: a failed init container under Never, or every app container exited and none restarts.
  const initFailed = !initializedBefore && policy === 'Never' && inits.some((c) => !isSidecar(c) && stopped(obs(c.name)) && exitCode(obs(c.name)) !== 0);
  const appsDone = initializedBefore && pod.containers.every((c) => stopped(obs(c.name)) && !shouldRestart(policy, exitCode(obs(c.name))!));
  const terminal = initFailed || appsDone;
  let initialized = initializedBefore;
  if (!terminal && !initializedBefore) {
    let done = true;
    for (const c of inits) {
      const ob = obs(c.name);
      if (!ob) {
        start(c, true);
        done = false;
        break;
      }
      if (isSidecar(c)) {
        if (running(ob)) {
          if (unhealthy(c, true) || !startedOk(c)) {
            done = false;
            break;
          }
          continue;
        }
        // Made but not started yet (ContainerCreating): wait for it; a second start would run it twice.
        if (stopped(ob)) restart(c, true);
        done = false;
        break;
      }
      if (!stopped(ob)) {
        done = false;
        break;
      }
      if (exitCode(ob) === 0) continue;
      restart(c, true);
      done = false;
      break;
    }
    initialized = done;
  } else if (!terminal) {
    for (const c of inits) {
      if (!isSidecar(c)) continue;
      const ob = obs(c.name);
      if (!ob) start(c, true);
      else if (stopped(ob)) restart(c, true);
      else unhealthy(c, true);
    }
  }

  // App containers, once initialized: start, restart per policy, kill the unhealthy.
  if (initialized && !terminal) {
    for (const c of pod.containers) {
      const ob = obs(c.name);
      if (!ob) start(c, false);
      else if (running(ob)) unhealthy(c, false);
      else if (stopped(ob) && shouldRestart(policy, exitCode(ob)!)) restart(c, false);
    }
  }
  // Unhealthy containers that will restart afterwards are started by a later pass (after the kill).
  const killed = new Set(kills.map((k) => k.name));
  const order = starts.filter((s) => !killed.has(s.name));
  // A postStart hook holds back the containers after it (kubelet starts them one by one).
  const held: StartAction[] = [];
  for (const s of order) {
    held.push(s);
    const spec = (s.init ? inits : pod.containers).find((c) => c.name === s.name);
    if (spec?.lifecycle?.postStart) break;
  }
  const stopSidecars = terminal ? inits.filter(isSidecar).filter((c) => running(obs(c.name))).map((c) => c.name).reverse() : [];
  const status = podStatus(pod, view, o, waiting, new Set(held.map((s) => s.name)), terminal);
  return { starts: held, kills, stopSidecars, ...(wakeAt !== undefined ? { wakeAt } : {}), terminal, initialized, status };
}

function containerStatus(c: ContainerSpec, init: boolean, ob: Observed | undefined, m: Memory | undefined, waitingFor: { reason: string; message?: string } | undefined, pending: string, about: (ob: Observed) => Memory | undefined, probes: boolean): ContainerStatusT {
  if (!ob) {
    const f = m?.startFailure;
    return { name: c.name, state: { waiting: f ? { reason: f.reason, message: f.message } : { reason: pending } }, ready: false, started: false, restartCount: 0 };
  }
  const mm = about(ob);
  const base = { name: c.name, restartCount: ob.attempt, ...(ob.containerID ? { containerID: ob.containerID } : {}) };
  if ('running' in ob.state) {
    const started = !probes || (mm?.started ?? !c.startupProbe);
    const ready = started && (!probes || (mm?.ready ?? !c.readinessProbe));
    return { ...base, state: ob.state, ...(ob.lastState ? { lastState: ob.lastState } : {}), ready, started };
  }
  if ('terminated' in ob.state) {
    // A regular init container that completed is "ready" (kubelet: it initialized the pod).
    const ready = init && c.restartPolicy !== 'Always' && ob.state.terminated.exitCode === 0;
    if (waitingFor) return { ...base, state: { waiting: waitingFor }, lastState: ob.state, ready: false, started: false };
    return { ...base, state: ob.state, ...(ob.lastState ? { lastState: ob.lastState } : {}), ready, started: false };
  }
  return { ...base, state: ob.state, ...(ob.lastState ? { lastState: ob.lastState } : {}), ready: false, started: false };
}

function podStatus(pod: PodT, view: PodView, o: DecideOptions, waiting: Map<string, { reason: string; message?: string }>, starting: Set<string>, terminal: boolean): PodLifecycleStatus {
  const inits = pod.initContainers ?? [];
  const about = (name: string) => (ob: Observed) => {
    const m = view.memory.get(name);
    return m && m.attempt === ob.attempt ? m : undefined;
  };
  const initialized = pod.containers.some((c) => view.observed.has(c.name)) || inits.every((c) => {
    const ob = view.observed.get(c.name);
    return c.restartPolicy === 'Always' ? !!ob && 'running' in ob.state : !!ob && 'terminated' in ob.state && ob.state.terminated.exitCode === 0;
  });
  const init = inits.map((c) => containerStatus(c, true, view.observed.get(c.name), view.memory.get(c.name), waiting.get(c.name), 'PodInitializing', about(c.name), o.probes !== false));
  const containers = pod.containers.map((c) => containerStatus(c, false, view.observed.get(c.name), view.memory.get(c.name), waiting.get(c.name), initialized || starting.has(c.name) ? 'ContainerCreating' : 'PodInitializing', about(c.name), o.probes !== false));
  const spec = { initContainers: inits, containers: pod.containers, restartPolicy: pod.restartPolicy };
  const all = [...init, ...containers];
  const phase = podPhase(spec, all, terminal);
  const conditions = podConditions(spec, all, phase);
  const display = kubectlColumns(spec, phase, init, containers, conditions, o.terminating);
  return { phase, conditions, initContainerStatuses: init, containerStatuses: containers, display, ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True') };
}

/** The instant a container state began or ended, for ordering events and timelines. */
export function stateTime(s: ContainerState): string | undefined {
  if ('running' in s) return s.running.startedAt;
  if ('terminated' in s) return s.terminated.finishedAt;
  return undefined;
}

export { iso };
