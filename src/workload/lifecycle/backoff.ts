// kubelet's container restart back-off (client-go flowcontrol.Backoff as kuberuntime uses it, without the jitter):
// a container that exits is restarted at once the first time; after that each restart waits `initial`, doubling up to
// `max`; an entry whose last restart is older than `reset` (2 × max: 10 minutes) is forgotten, so a container that ran
// that long restarts at once again. Keyed per container, timed from the exited instance's finishedAt.

export interface BackoffSettings {
  readonly initialSeconds: number;
  readonly maxSeconds: number;
  readonly resetSeconds: number;
}

export const KUBELET_BACKOFF: BackoffSettings = { initialSeconds: 10, maxSeconds: 300, resetSeconds: 600 };

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  constructor(readonly settings: BackoffSettings = KUBELET_BACKOFF) {}

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > this.settings.resetSeconds * 1000;
  }

  /** The delay of the current entry (what "back-off 10s" names), 0 without one. */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** kubelet's IsInBackOffSince: whether a restart of an instance that finished at `eventTime` must still wait. */
  inBackoffSince(key: string, eventTime: number, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) return false;
    return now - eventTime < e.backoffMs;
  }

  /** When the wait for an instance that finished at `eventTime` ends (eventTime when there is none). */
  until(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) return eventTime;
    return eventTime + e.backoffMs;
  }

  /** kubelet's Next: record a restart now; the next one waits twice as long (or `initial` after a reset). */
  next(key: string, eventTime: number, now: number): void {
    const e = this.entries.get(key);
    const { initialSeconds, maxSeconds } = this.settings;
    if (!e || this.expired(eventTime, e)) this.entries.set(key, { backoffMs: initialSeconds * 1000, lastUpdate: now });
    else {
      e.backoffMs = Math.min(e.backoffMs * 2, maxSeconds * 1000);
      e.lastUpdate = now;
    }
  }

  forget(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k === prefix || k.startsWith(prefix + '/')) this.entries.delete(k);
  }
}

/** "10s", "2m40s", "5m0s" as Go's time.Duration prints whole seconds. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000 * 1000) / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round((s - m * 60) * 1000) / 1000;
  return m >= 60 ? `${Math.floor(m / 60)}h${m % 60}m${rest}s` : `${m}m${rest}s`;
}
