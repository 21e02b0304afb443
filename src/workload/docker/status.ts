// A Docker container's state in Kubernetes' words (core/v1 ContainerState), as kubelet's dockershim mapped it:
// running → running{startedAt}; exited → terminated{exitCode, reason Completed|Error|OOMKilled}; a container
// the runtime could not start → terminated{reason ContainerCannotRun, message}; created → waiting.

import type { ContainerState } from '../types.js';
export type { ContainerState } from '../types.js';

/** The part of `docker inspect`'s State this mapping reads. */
export interface DockerState {
  readonly Status: string;
  readonly Running: boolean;
  readonly OOMKilled: boolean;
  readonly ExitCode: number;
  readonly Error: string;
  readonly StartedAt: string;
  readonly FinishedAt: string;
}

/** Docker writes 0001-01-01T00:00:00Z for "never". */
export const time = (t: string | undefined): string | undefined => (!t || t.startsWith('0001-') ? undefined : t);

/** An RFC 3339 time with its fraction padded to nanoseconds, so two times compare as strings. */
const sortable = (t: string) => t.replace(/(\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/, (_, hms: string, f = '') => `${hms}.${f.padEnd(9, '0')}Z`);

/**
 * The engine can record a short-lived container's exit before its start (the exit time is containerd's, the
 * start time dockerd's, taken after the start call returned): a finish is never reported before the start.
 */
export function finishedAfterStart(startedAt: string | undefined, finishedAt: string | undefined): string | undefined {
  if (!startedAt || !finishedAt) return finishedAt;
  return sortable(finishedAt) < sortable(startedAt) ? startedAt : finishedAt;
}

export function toContainerState(s: DockerState): ContainerState {
  if (s.Running || s.Status === 'running' || s.Status === 'paused' || s.Status === 'restarting') return { running: { startedAt: time(s.StartedAt) ?? '' } };
  if (s.Error) {
    return { terminated: { exitCode: s.ExitCode || 128, reason: 'ContainerCannotRun', message: s.Error, ...(time(s.StartedAt) ? { startedAt: time(s.StartedAt) } : {}), ...(time(s.FinishedAt) ? { finishedAt: time(s.FinishedAt) } : {}) } };
  }
  if (s.Status === 'created') return { waiting: { reason: 'ContainerCreating' } };
  const reason = s.OOMKilled ? 'OOMKilled' : s.ExitCode === 0 ? 'Completed' : 'Error';
  const startedAt = time(s.StartedAt);
  const finishedAt = finishedAfterStart(startedAt, time(s.FinishedAt));
  return { terminated: { exitCode: s.ExitCode, reason, ...(startedAt ? { startedAt } : {}), ...(finishedAt ? { finishedAt } : {}) } };
}

/** kubelet's ContainerStatus, minus what the lifecycle decides (ready, started). */
export interface ContainerStatus {
  readonly name: string;
  /** docker://<id> */
  readonly containerID: string;
  readonly image: string;
  readonly imageID: string;
  /** Instances made after the first (each restart recreates the container). */
  readonly restartCount: number;
  readonly state: ContainerState;
  /** The previous instance's final state, if there is one. */
  readonly lastState?: ContainerState;
  readonly pid?: number;
}

export { stateName } from '../types.js';
