// What the daemon did and why: one log line per action (text or JSON) and the events `podlab events` streams, kept
// per lab in memory (the last 1,000) and appended to events.jsonl in the lab's folder (so they outlive a restart).
import { appendFileSync, existsSync, readFileSync, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { EventJson } from './protocol.js';

export type LogFormat = 'text' | 'json';
const KEEP = 1000;

export class EventLog {
  private readonly byLab = new Map<string, EventJson[]>();
  private readonly subs = new Set<{ cluster?: string; each: (e: EventJson) => void }>();

  constructor(private readonly format: LogFormat, private readonly dirOf: (cluster: string) => string, private readonly write: (line: string) => void = (l) => process.stdout.write(l + '\n')) {}

  /** A log line that is no lab's event (listening, stopping). */
  log(message: string, fields: Record<string, unknown> = {}): void {
    const time = new Date().toISOString();
    this.write(this.format === 'json' ? JSON.stringify({ time, level: 'info', message, ...fields }) : `${time} ${message}`);
  }

  emit(e: Omit<EventJson, 'time'>): EventJson {
    const ev: EventJson = { time: new Date().toISOString(), ...e };
    this.write(this.format === 'json' ? JSON.stringify({ level: ev.type === 'Warning' ? 'warn' : 'info', ...ev }) : `${ev.time} ${ev.cluster} ${ev.type} ${ev.reason}: ${ev.message}`);
    const list = this.history(ev.cluster);
    list.push(ev);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
    const dir = this.dirOf(ev.cluster);
    if (existsSync(dir)) {
      const f = join(dir, 'events.jsonl');
      try {
        if (existsSync(f) && statSync(f).size > 1 << 20) renameSync(f, f + '.1');
        appendFileSync(f, JSON.stringify(ev) + '\n', { mode: 0o600 });
      } catch {
        /* a lab being removed */
      }
    }
    for (const s of this.subs) if (!s.cluster || s.cluster === ev.cluster) s.each(ev);
    return ev;
  }

  /** The lab's events, oldest first (read from its file the first time). */
  history(cluster: string): EventJson[] {
    let list = this.byLab.get(cluster);
    if (!list) {
      list = [];
      const f = join(this.dirOf(cluster), 'events.jsonl');
      try {
        for (const l of readFileSync(f, 'utf8').split('\n')) if (l.trim()) list.push(JSON.parse(l) as EventJson);
      } catch {
        /* none yet */
      }
      if (list.length > KEEP) list.splice(0, list.length - KEEP);
      this.byLab.set(cluster, list);
    }
    return list;
  }

  all(clusters: readonly string[]): EventJson[] {
    return clusters.flatMap((c) => this.history(c)).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }

  forget(cluster: string): void {
    this.byLab.delete(cluster);
  }

  subscribe(cluster: string | undefined, each: (e: EventJson) => void): () => void {
    const s = { cluster, each };
    this.subs.add(s);
    return () => this.subs.delete(s);
  }
}
