// One lab in the daemon: its calls serialized (a second one waits its turn and says so), its reconcile loop (a full
// resync on a period, a scoped repair when the kernel or a process exit reports drift), and what it keeps in memory
// (the desired state of the last applied topology, the rule-set texts written) so a live change or a repair does not
// re-plan or rewrite what did not change.
import type { Topology } from '../model/topology.js';
import type { Desired, UpResult } from '../lab/reconcile.js';
import { desiredOf } from '../lab/reconcile.js';
import { resync } from '../lab/resync.js';
import { withLabLock, LabLockedError } from '../lab/lock.js';
import type { LabContext } from '../lab/context.js';
import type { Change } from '../kernel/changes.js';
import type { EventLog } from './events.js';
import { superviseLab, type LabSupervisor } from '../lab/supervise.js';

export interface LabHost {
  readonly log: EventLog;
  ctx(extra?: Partial<LabContext>): LabContext;
  /** After work on a lab: give its namespaces ids so their events reach the watch (those it created anew among them). */
  watchLab(cluster: string, created?: Iterable<string>): void;
}

/** The namespaces a call changed (a reconcile's result), or every one when it does not say. */
function touchedBy(r: unknown): Set<string> {
  const x = r as Partial<UpResult> | undefined;
  if (!x || !Array.isArray(x.repairs)) return new Set(['*']);
  return new Set([...x.repairs.map((c) => c.netns), ...(x.created ?? []), ...(x.deleted ?? [])]);
}

/** Why something had to be repaired, in the words of `podlab events`. */
export function whyOf(c: Change): string {
  if (c.kind === 'process') return 'it had exited';
  if (c.kind === 'namespace') return c.action === 'added' ? 'deleted by someone' : 'not in the lab';
  if (c.kind === 'iptables' || c.kind === 'nftables' || c.kind === 'ipset') return c.action === 'removed' ? 'not in the lab' : 'its rules differ from what was applied';
  return c.action === 'added' ? 'deleted by someone' : c.action === 'removed' ? 'added by someone' : 'changed by someone';
}

const verb = (c: Change) => (c.kind === 'process' ? 'restarted' : c.action === 'removed' ? 'removed' : 'repaired');

export class LabManager {
  private tail: Promise<unknown> = Promise.resolve();
  private busy?: { op: string; since: string };
  /** Kernel events from the namespaces our last call changed, until then, are the echo of our own changes. */
  private quietUntil = 0;
  private touched = new Set<string>();
  /** Namespaces drift was heard of while a call ran, with when. */
  private readonly heard = new Map<string, number>();
  private scope = new Set<string>();
  private firstDrift?: number;
  private repairTimer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  private lastProcRepair = 0;
  /** A process or namespace went while a call was running: repaired when it ends. */
  private goneWhileBusy?: number;
  /** Consecutive failed repairs: each is retried, reading everything back, after 1 s, 2 s, 4 s … (at most the period). */
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private goneTimer?: NodeJS.Timeout;
  private cached?: { topo: Topology; d: Desired };
  readonly ruleTexts = new Map<string, string>();
  stopped = false;
  /** The lab's pod lifecycle (restarts, probes, readiness → endpoints), hosted here once the lab has a state. */
  private lifecycle?: Promise<LabSupervisor | undefined>;
  /** Its supervisor once running: the daemon's calls on the lab hand it their topology and their pods to stop. */
  running?: LabSupervisor['supervisor'];

  constructor(readonly cluster: string, private readonly host: LabHost, private readonly resyncMs: number) {}

  start(): void {
    this.resyncTimer = setInterval(() => void this.repair('resync'), this.resyncMs);
    this.resyncTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.repairTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.goneTimer);
    void this.stopLifecycle();
  }

  /** Host the lab's supervisor (once): it follows the lab's state, so later ups and applies reach it by themselves. */
  supervise(): void {
    if (this.stopped || this.lifecycle) return;
    const log = this.host.log;
    const cluster = this.cluster;
    this.lifecycle = superviseLab(cluster, {
      // The rule texts the daemon last wrote: an endpoint change is a partial restore of the changed chains.
      ...this.host.ctx({ ruleTexts: this.ruleTexts, onDesired: (d) => this.remember(d) }), by: 'daemon',
      serialize: (op, fn) => this.serial(op, () => undefined, fn),
      current: () => this.cached?.d,
      onEvent: (e) => {
        if (e.reason === 'Started' || e.reason === 'Completed') return; // kubectl's Normal chatter stays in `status`
        log.emit({ cluster, type: e.type, reason: e.reason, object: `pod ${e.pod}${e.container ? ` container ${e.container}` : ''}`, message: e.message });
      },
      onSync: (x) => log.log(`${cluster}: endpoints: ${x.reason}: ${x.changed ? 'rules rewritten' : 'no rule changed'} in ${Math.round(x.ms)} ms`),
    }).then((l) => {
      if (!this.stopped) this.running = l.supervisor;
      return l;
    }, (e: Error) => {
      log.emit({ cluster, type: 'Warning', reason: 'Failed', object: `lab ${cluster}`, message: `pod lifecycle not started: ${e.message}` });
      this.lifecycle = undefined;
      return undefined;
    });
  }

  /** Stop the supervisor (the containers keep running), before a down stops them for good. */
  async stopLifecycle(): Promise<void> {
    const l = this.lifecycle;
    this.lifecycle = undefined;
    this.running = undefined;
    await (await l)?.stop();
  }

  get isBusy(): boolean {
    return this.busy !== undefined;
  }

  /** Run `fn` when the lab's earlier calls are done, holding the lab's lock (a CLI in-process run takes it too). */
  serial<T>(op: string, say: (m: string) => void, fn: () => Promise<T>, o: { wait?: boolean } = {}): Promise<T> {
    if (this.busy) say(`waiting: lab ${this.cluster} is busy with ${this.busy.op} (since ${this.busy.since}); this ${op} runs after it`);
    const run = async () => {
      this.busy = { op, since: new Date().toISOString() };
      let result: T | undefined;
      try {
        const ctx = this.host.ctx();
        result = await withLabLock(ctx.store.dir(this.cluster), this.cluster, {
          command: `podlab daemon (${op})`, wait: o.wait,
          onWait: (h) => say(`waiting: lab ${this.cluster} is locked by pid ${h.pid} (${h.command}, since ${h.since})`),
        }, fn);
        return result;
      } finally {
        this.busy = undefined;
        // What this call changed is ours; drift heard of elsewhere meanwhile is not, and gets its repair.
        this.touched = touchedBy(result);
        this.quietUntil = performance.now() + 150;
        if (!this.stopped) {
          this.host.watchLab(this.cluster, (result as Partial<UpResult> | undefined)?.created ?? []);
          for (const [ns, at] of this.heard) if (!this.touched.has(ns)) this.drift(ns, at);
          const gone = this.goneWhileBusy;
          this.goneWhileBusy = undefined;
          if (gone !== undefined) this.processGone(gone);
        }
        this.heard.clear();
      }
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** The desired state of the lab's current state, planned once per applied topology. */
  desiredFor(topo: Topology, make: () => Desired): Desired {
    if (this.cached?.topo !== topo) this.cached = { topo, d: make() };
    return this.cached.d;
  }

  remember(d: Desired): void {
    this.cached = { topo: d.topo, d };
  }

  /** Drift heard of in a namespace of the lab (a kernel event not of our making). */
  drift(netns: string | undefined, at: number): void {
    if (this.stopped) return;
    if (this.busy) {
      if (netns && !this.heard.has(netns)) this.heard.set(netns, at);
      return;
    }
    if (netns && (this.touched.has(netns) || this.touched.has('*')) && at < this.quietUntil) return;
    if (netns) this.scope.add(netns);
    this.firstDrift ??= at;
    clearTimeout(this.repairTimer);
    this.repairTimer = setTimeout(() => void this.repair('event'), 15);
  }

  /** A recorded process is gone (or a namespace was deleted): repair without reading any namespace but missing ones. */
  processGone(at: number): void {
    if (this.stopped) return;
    if (this.busy) {
      this.goneWhileBusy ??= at;
      return;
    }
    if (at - this.lastProcRepair < 1000) {
      // At most one such repair a second, but none lost: the next one comes when the second is up.
      clearTimeout(this.goneTimer);
      this.goneTimer = setTimeout(() => this.processGone(this.lastProcRepair + 1000), this.lastProcRepair + 1000 - at);
      this.goneTimer.unref();
      return;
    }
    this.lastProcRepair = at;
    this.firstDrift ??= at;
    clearTimeout(this.repairTimer);
    this.repairTimer = setTimeout(() => void this.repair('event'), 15);
  }

  /** Resync (everything read back) or repair (the namespaces drift was heard of); logs every repair with what drifted. */
  async repair(kind: 'resync' | 'event' | 'adopt' | 'retry'): Promise<UpResult | undefined> {
    if (this.stopped) return undefined;
    if (kind === 'resync' && this.busy) return undefined; // a call is running: the next period will do
    const scope = kind === 'event' ? new Set(this.scope) : undefined;
    const since = this.firstDrift;
    this.scope.clear();
    this.firstDrift = undefined;
    const log = this.host.log;
    try {
      return await this.serial(kind, () => undefined, async () => {
        const t0 = performance.now();
        const ctx = this.host.ctx({ ruleTexts: this.ruleTexts, onDesired: (d) => this.remember(d) });
        const st = await ctx.store.read(this.cluster);
        if (!st) return undefined;
        const d = this.desiredFor(st.topology, () => desiredOf(st));
        const r = await resync(this.cluster, { ...ctx, scope, desired: d });
        const ms = Math.round(performance.now() - (since ?? t0));
        for (const c of r.repairs) {
          log.emit({ cluster: this.cluster, type: 'Warning', reason: c.kind === 'process' ? 'Restarted' : 'Repaired', object: `${c.kind} ${c.object}`, netns: c.netns,
            message: `${verb(c)} ${c.kind} ${c.object} in ${c.netns}: ${whyOf(c)}`, ms });
        }
        for (const p of r.problems) log.emit({ cluster: this.cluster, type: 'Warning', reason: 'Failed', object: `lab ${this.cluster}`, message: p });
        if (kind !== 'event' || r.repairs.length === 0) {
          log.log(`${this.cluster}: ${kind === 'event' ? 'drift event' : kind}: ${r.repairs.length ? `${r.repairs.length} repair(s)` : 'no drift'} (read back ${r.readBack} of ${r.namespaces} namespaces, ${Math.round(r.ms)} ms)`,
            { cluster: this.cluster, kind, repairs: r.repairs.length, readBack: r.readBack, ms: Math.round(r.ms) });
        }
        if (this.failures) log.log(`${this.cluster}: ${kind}: the lab is whole again after ${this.failures} failed repair(s)`);
        this.failures = 0;
        return r;
      }, { wait: kind !== 'resync' });
    } catch (e) {
      if (e instanceof LabLockedError) {
        log.log(`${this.cluster}: ${kind} skipped: ${e.message}`);
        return undefined;
      }
      this.failures++;
      const wait = Math.min(1000 * 2 ** (this.failures - 1), this.resyncMs);
      log.emit({ cluster: this.cluster, type: 'Warning', reason: 'Failed', object: `lab ${this.cluster}`, message: `${kind} failed: ${(e as Error).message} (reading everything back again in ${wait / 1000} s)` });
      clearTimeout(this.retryTimer);
      if (!this.stopped) {
        this.retryTimer = setTimeout(() => void this.repair('retry'), wait);
        this.retryTimer.unref();
      }
      return undefined;
    }
  }
}
