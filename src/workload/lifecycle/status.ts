// A pod's status as Kubernetes computes it (pure): the phase (kubelet's getPhase), the conditions (kubelet's
// status/generate.go: Initialized, Ready, ContainersReady, PodScheduled) and the STATUS, READY and RESTARTS columns
// of `kubectl get pods` (kubectl's printPod), from the containers' statuses.
import type { ContainerSpec, RestartPolicy } from '../../input/types.js';
import type { ContainerState } from '../types.js';

/** core/v1 ContainerStatus (the fields podlab fills). */
export interface ContainerStatusT {
  readonly name: string;
  readonly state: ContainerState;
  readonly lastState?: ContainerState;
  readonly ready: boolean;
  /** Running and past its startup probe (absent: not running). */
  readonly started?: boolean;
  readonly restartCount: number;
  readonly containerID?: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodCondition {
  readonly type: 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready';
  readonly status: 'True' | 'False';
  readonly reason?: string;
  readonly message?: string;
}

interface Spec {
  readonly initContainers?: readonly Pick<ContainerSpec, 'name' | 'restartPolicy'>[];
  readonly containers: readonly Pick<ContainerSpec, 'name'>[];
  readonly restartPolicy?: RestartPolicy;
}

const isSidecar = (c: Pick<ContainerSpec, 'restartPolicy'>) => c.restartPolicy === 'Always';
const find = (info: readonly ContainerStatusT[], name: string) => info.find((s) => s.name === name);
const lastTerminated = (s: ContainerStatusT) => (s.lastState && 'terminated' in s.lastState ? s.lastState.terminated : undefined);

/** kubecontainer.HasAnyRegularContainerStarted: some app container is running or has terminated. */
export function anyRegularStarted(spec: Spec, info: readonly ContainerStatusT[]): boolean {
  return spec.containers.some((c) => {
    const s = find(info, c.name);
    return !!s && ('running' in s.state || 'terminated' in s.state);
  });
}

/** kubelet's getPhase (pkg/kubelet/kubelet_pods.go), with native sidecars. */
export function podPhase(spec: Spec, info: readonly ContainerStatusT[], podIsTerminal: boolean): PodPhase {
  const policy = spec.restartPolicy ?? 'Always';
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    if (isSidecar(c)) continue;
    const s = find(info, c.name);
    if (!s) {
      pendingInitialization++;
      continue;
    }
    if ('running' in s.state) pendingInitialization++;
    else if ('terminated' in s.state) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if ('waiting' in s.state) {
      const lt = lastTerminated(s);
      if (lt) {
        if (lt.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }
  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    if (!isSidecar(c)) continue;
    const s = find(info, c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if ('running' in s.state) {
      if (!s.started) pendingInitialization++;
      running++;
    } else if ('waiting' in s.state && !lastTerminated(s)) {
      pendingInitialization++;
      waiting++;
    }
  }
  for (const c of spec.containers) {
    const s = find(info, c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if ('running' in s.state) running++;
    else if ('terminated' in s.state) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (lastTerminated(s)) stopped++;
    else waiting++;
  }
  if (failedInitialization > 0 && policy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && !anyRegularStarted(spec, info)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

const list = (names: string[]) => `[${names.join(' ')}]`;

/** kubelet's GeneratePodInitializedCondition, GenerateContainersReadyCondition, GeneratePodReadyCondition, PodScheduled. */
export function podConditions(spec: Spec, info: readonly ContainerStatusT[], phase: PodPhase): PodCondition[] {
  // Initialized
  let initialized: PodCondition;
  const unknownI: string[] = [];
  const incomplete: string[] = [];
  for (const c of spec.initContainers ?? []) {
    const s = find(info, c.name);
    if (!s) unknownI.push(c.name);
    else if (isSidecar(c) ? !s.started : !s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknownI.length === 0) initialized = { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  else if (anyRegularStarted(spec, info)) initialized = { type: 'Initialized', status: 'True' };
  else if (unknownI.length || incomplete.length) {
    const msg = [unknownI.length ? `containers with unknown status: ${list(unknownI)}` : '', incomplete.length ? `containers with incomplete status: ${list(incomplete)}` : ''].filter(Boolean).join(', ');
    initialized = { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: msg };
  } else initialized = { type: 'Initialized', status: 'True' };

  // ContainersReady
  const unknownC: string[] = [];
  const unready: string[] = [];
  for (const c of [...(spec.initContainers ?? []).filter(isSidecar), ...spec.containers]) {
    const s = find(info, c.name);
    if (!s) unknownC.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  let cr: PodCondition;
  if (phase === 'Succeeded' && unknownC.length === 0) cr = { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  else if (phase === 'Failed') cr = { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  else if (unknownC.length || unready.length) {
    const msg = [unknownC.length ? `containers with unknown status: ${list(unknownC)}` : '', unready.length ? `containers with unready status: ${list(unready)}` : ''].filter(Boolean).join(', ');
    cr = { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: msg };
  } else cr = { type: 'ContainersReady', status: 'True' };
  const ready: PodCondition = cr.status === 'True' ? { type: 'Ready', status: 'True' } : { ...cr, type: 'Ready' };
  return [initialized, ready, cr, { type: 'PodScheduled', status: 'True' }];
}

/** The STATUS, READY and RESTARTS columns of `kubectl get pods` (kubectl's printPod). */
export function kubectlColumns(spec: Spec, phase: PodPhase, init: readonly ContainerStatusT[], containers: readonly ContainerStatusT[], conditions: readonly PodCondition[], terminating = false): { status: string; ready: string; restarts: number } {
  let reason: string = phase;
  let total = spec.containers.length;
  let readyCount = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  const initSpec = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  for (const c of spec.initContainers ?? []) if (isSidecar(c)) total++;
  let initializing = false;
  for (let i = 0; i < init.length; i++) {
    const s = init[i]!;
    restarts += s.restartCount;
    const side = isSidecar(initSpec.get(s.name) ?? {});
    if (side) sidecarRestarts += s.restartCount;
    if ('terminated' in s.state && s.state.terminated.exitCode === 0) continue;
    if (side && s.started) {
      if (s.ready) readyCount++;
      continue;
    }
    if ('terminated' in s.state) {
      const t = s.state.terminated;
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    } else if ('waiting' in s.state && s.state.waiting.reason && s.state.waiting.reason !== 'PodInitializing') reason = `Init:${s.state.waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
    break;
  }
  const initializedTrue = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    let hasRunning = false;
    for (let i = containers.length - 1; i >= 0; i--) {
      const s = containers[i]!;
      restarts += s.restartCount;
      if ('waiting' in s.state && s.state.waiting.reason) reason = s.state.waiting.reason;
      else if ('terminated' in s.state && s.state.terminated.reason) reason = s.state.terminated.reason;
      else if ('terminated' in s.state) reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`;
      else if (s.ready && 'running' in s.state) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (terminating && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  return { status: reason, ready: `${readyCount}/${total}`, restarts };
}
