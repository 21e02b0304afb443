// A probe's result as kubelet's prober worker reports it (pure): a raw success or failure only changes the reported
// result after `successThreshold` / `failureThreshold` of the same in a row. Readiness starts as Failure (a container
// is not ready until a probe says so), liveness as Success, startup as Unknown (not started) — kubelet's initial values.
import type { ProbeSpec } from '../../input/types.js';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export class ProbeCounter {
  private last: boolean | undefined;
  private run = 0;
  result: ProbeResult;
  constructor(readonly kind: ProbeKind, readonly spec: ProbeSpec) {
    this.result = kind === 'readiness' ? 'Failure' : kind === 'liveness' ? 'Success' : 'Unknown';
  }

  /** Record one probe; returns the reported result when it changed. */
  record(ok: boolean): ProbeResult | undefined {
    if (this.last === ok) this.run++;
    else {
      this.last = ok;
      this.run = 1;
    }
    if (!ok && this.run < this.spec.failureThreshold) return undefined;
    if (ok && this.run < this.spec.successThreshold) return undefined;
    const r: ProbeResult = ok ? 'Success' : 'Failure';
    if (r === this.result) return undefined;
    this.result = r;
    return r;
  }

  /** After a liveness/startup failure kills the container, kubelet resets the worker's count. */
  reset(): void {
    this.last = undefined;
    this.run = 0;
  }
}

/** When a probe first runs: initialDelaySeconds after the container started (kubelet adds a random spread within one period; podlab does not, so runs are reproducible). */
export const firstProbeAt = (startedAt: number, spec: ProbeSpec): number => startedAt + spec.initialDelaySeconds * 1000;
