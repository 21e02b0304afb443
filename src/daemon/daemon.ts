// The podlab daemon: the lab use-cases (src/lab/) behind an API on a root-only unix socket, one LabManager per lab
// (serialized calls, the reconcile loop), the journal (JournalStore), and the watch that turns kernel events and
// process exits into repairs. It adopts every lab of its state directory when it starts, without rebuilding any.
import { watch, type FSWatcher } from 'node:fs';
import { LocalExecutor, clusterNetns, listNetns } from '../substrate/local.js';
import { labContext, type LabContext } from '../lab/context.js';
import { loadLab } from '../lab/load.js';
import { up } from '../lab/up.js';
import { apply, deleteObjects } from '../lab/live.js';
import { down } from '../lab/down.js';
import { statusFull } from '../lab/status.js';
import { checkLab } from '../lab/check.js';
import { traceLab } from '../lab/trace.js';
import { fault } from '../lab/fault.js';
import { logsOf } from '../lab/logs.js';
import { pickCluster } from '../lab/targets.js';
import { KernelEvents, assignIds, type KernelEvent } from '../kernel/netlink/events.js';
import { PREFIX } from '../net/names.js';
import { JournalStore } from './store.js';
import { EventLog, type LogFormat } from './events.js';
import { LabManager } from './lab.js';
import type { Op } from './protocol.js';

export interface DaemonOptions {
  readonly stateDir: string;
  readonly socket: string;
  readonly resyncMs: number;
  readonly logFormat: LogFormat;
  /** Watch kernel events (default true); without, drift is found by the resync alone. */
  readonly kernelEvents?: boolean;
  /** How often recorded processes are checked for exit (ms). */
  readonly processCheckMs?: number;
  /** Node mode (docs/multihost.md): the node this daemon serves, registered in the etcd store. */
  readonly node?: { readonly name: string; readonly store: string; readonly credentials?: string; readonly underlayDev: string; readonly ttlSeconds?: number };
}

export class BadRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequest';
  }
}

const str = (v: unknown, what: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`${what} must be a string`);
  return v;
};
const strs = (v: unknown, what: string): string[] | undefined => {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new BadRequest(`${what} must be a list of strings`);
  return v as string[];
};

export class Daemon {
  readonly exec = new LocalExecutor();
  readonly store: JournalStore;
  readonly log: EventLog;
  private readonly labs = new Map<string, LabManager>();
  private kernel?: KernelEvents;
  private netnsWatch?: FSWatcher;
  private procTimer?: NodeJS.Timeout;

  constructor(readonly o: DaemonOptions) {
    this.store = new JournalStore(o.stateDir);
    this.log = new EventLog(o.logFormat, (c) => this.store.dir(c));
  }

  /** A context for one lab: its manager keeps the rule texts written and the desired state. */
  labCtx(m: LabManager, extra: Partial<LabContext>): LabContext {
    // With the lab's supervisor: reconcile gives it the new topology (it starts the new pods at once, and their
    // endpoints follow its Ready reports) and stops removed pods through it (so it does not restart them).
    return this.ctx({ ...extra, ruleTexts: m.ruleTexts, onDesired: (d) => m.remember(d), ...(m.running ? { supervisor: m.running } : {}) });
  }

  ctx(extra: Partial<LabContext> = {}): LabContext {
    return labContext({ exec: this.exec, store: this.store, root: true, ...extra });
  }

  lab(cluster: string): LabManager {
    let m = this.labs.get(cluster);
    if (!m) {
      m = new LabManager(cluster, this, this.o.resyncMs);
      this.labs.set(cluster, m);
      m.start();
    }
    return m;
  }

  labNames(): string[] {
    return [...this.labs.keys()].sort();
  }

  watchLab(cluster: string, created: Iterable<string> = []): void {
    if (this.o.kernelEvents === false) return;
    if (assignIds(clusterNetns(cluster, listNetns()), created)) this.kernel?.refresh();
  }

  /** The lab a namespace belongs to (the longest managed cluster name that prefixes it). */
  private labOf(netns: string | undefined): LabManager | undefined {
    if (!netns?.startsWith(PREFIX)) return undefined;
    let best: LabManager | undefined;
    for (const [c, m] of this.labs) if (netns.startsWith(`${PREFIX}${c}-`) && (!best || c.length > best.cluster.length)) best = m;
    return best;
  }

  async start(): Promise<void> {
    // Adopt every lab of the state directory: resync each (repair what drifted while no daemon ran, roll forward a
    // change that was cut short), rebuilding nothing that holds.
    for (const c of await this.store.list()) {
      const st = await this.store.read(c).catch((e: Error) => {
        this.log.emit({ cluster: c, type: 'Warning', reason: 'Failed', object: `lab ${c}`, message: `not adopted: ${e.message}` });
        return undefined;
      });
      if (!st) continue;
      this.lab(c);
      this.log.emit({ cluster: c, type: 'Normal', reason: 'Adopted', object: `lab ${c}`, message: `adopted lab ${c} (${st.topology.mode}, ${st.topology.nodes.length} node(s), ${st.topology.pods.length} pod(s))${st.converged ? '' : '; its last change was cut short: rolling it forward'}` });
    }
    if (this.o.kernelEvents !== false) {
      this.kernel = new KernelEvents({
        onEvent: (e: KernelEvent) => this.labOf(e.netns)?.drift(e.netns, e.at),
        onOverrun: () => {
          this.log.log('kernel events overran the receive buffer: resyncing every lab');
          for (const m of this.labs.values()) void m.repair('resync');
        },
        onError: (e) => this.log.log(`kernel events: ${e.message}`),
      });
      this.kernel.start();
      for (const c of this.labs.keys()) this.watchLab(c);
      // A deleted namespace sends no event of its own: /run/netns does.
      try {
        this.netnsWatch = watch('/run/netns', (_ev, name) => {
          if (name && !listNetns().includes(String(name))) this.labOf(String(name))?.processGone(performance.now());
        });
      } catch {
        /* no /run/netns yet */
      }
    }
    this.procTimer = setInterval(() => void this.checkProcesses(), this.o.processCheckMs ?? 250);
    this.procTimer.unref();
    await Promise.all([...this.labs.values()].map((m) => m.repair('adopt')));
    for (const m of this.labs.values()) m.supervise();
  }

  /** Process exit: a recorded process that is gone (kill -9, a crash) gets its lab repaired at once. */
  private async checkProcesses(): Promise<void> {
    for (const m of this.labs.values()) {
      if (m.isBusy) continue;
      const st = await this.store.read(m.cluster).catch(() => undefined);
      if (st?.converged && st.processes.some((p) => !this.exec.alive(p.pid))) m.processGone(performance.now());
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.procTimer);
    this.netnsWatch?.close();
    this.kernel?.stop();
    for (const m of this.labs.values()) m.stop();
    await Promise.all([...this.labs.values()].map((m) => m.stopLifecycle()));
  }

  /** Run one API call. `say` streams progress; the result is what the in-process use-case returns. */
  async call(op: Op, b: Record<string, unknown>, say: (m: string) => void): Promise<unknown> {
    const cwd = str(b.cwd, 'cwd') ?? '/';
    const ctx = this.ctx({ cwd, progress: b.progress ? say : undefined });
    const pick = () => pickCluster(ctx, str(b.cluster, 'cluster'));
    switch (op) {
      case 'up': {
        const files = strs(b.files, 'files');
        if (!files?.length) throw new BadRequest('files: name at least one cluster file');
        const mode = str(b.mode, 'mode');
        const proxyMode = str(b.proxyMode, 'proxyMode');
        // Validated before it queues: bad input is answered at once, with every problem.
        const cluster = loadLab(files, { mode, proxyMode, cwd }).cluster.name;
        const m = this.lab(cluster);
        try {
          const r = await m.serial('up', say, () => up({ ...this.labCtx(m, ctx), files, mode, proxyMode }));
          this.applied(cluster, 'up', r);
          return r;
        } catch (e) {
          if (!(await this.store.read(cluster).catch(() => undefined))) this.forget(cluster);
          throw e;
        }
      }
      case 'apply': {
        const files = strs(b.files, 'files');
        if (!files?.length) throw new BadRequest('files: name at least one file');
        const cluster = await pick();
        const m = this.lab(cluster);
        const r = await m.serial('apply', say, () => apply(files, { ...this.labCtx(m, ctx), cluster }));
        this.applied(cluster, 'apply', r);
        return r;
      }
      case 'delete': {
        const cluster = await pick();
        const m = this.lab(cluster);
        const r = await m.serial('delete', say, () => deleteObjects({ files: strs(b.files, 'files'), kind: str(b.kind, 'kind'), name: str(b.name, 'name'), namespace: str(b.namespace, 'namespace') }, { ...this.labCtx(m, ctx), cluster }));
        this.applied(cluster, 'delete', r);
        return r;
      }
      case 'down': {
        const cluster = await pick();
        const m = this.lab(cluster);
        await m.stopLifecycle();
        const r = await m.serial('down', say, () => down(cluster, ctx));
        this.forget(cluster);
        this.log.emit({ cluster, type: 'Normal', reason: 'Removed', object: `lab ${cluster}`, message: `removed lab ${cluster}: ${r.removedNetns} namespace(s), ${r.killed} process(es)` });
        this.log.forget(cluster);
        return r;
      }
      case 'status':
        return statusFull(await pick(), ctx);
      case 'check':
        return checkLab(await pick(), { ...ctx, filter: str(b.filter, 'filter'), concurrency: typeof b.concurrency === 'number' ? b.concurrency : undefined });
      case 'trace': {
        const from = str(b.from, 'from');
        const to = str(b.to, 'to');
        if (!from || !to) throw new BadRequest('trace needs from and to');
        return traceLab(await pick(), { from, to, protocol: str(b.protocol, 'protocol'), port: typeof b.port === 'number' ? b.port : undefined, pcap: str(b.pcap, 'pcap') }, ctx);
      }
      case 'fault': {
        const cluster = await pick();
        const kind = str(b.kind, 'kind');
        const node = str(b.node, 'node');
        if (!kind || !node) throw new BadRequest('fault needs kind and node');
        const r = await this.lab(cluster).serial('fault', say, () => fault(cluster, kind, node, ctx));
        this.log.emit({ cluster, type: 'Normal', reason: 'Fault', object: `node ${node}`, message: `${kind} ${node} (kept until healed; the resync leaves it in place)` });
        return r;
      }
      case 'logs': {
        const pod = str(b.pod, 'pod');
        if (!pod) throw new BadRequest('logs needs pod');
        return logsOf(await pick(), pod, str(b.container, 'container'), ctx, { previous: b.previous === true });
      }
    }
  }

  private forget(cluster: string): void {
    this.labs.get(cluster)?.stop();
    this.labs.delete(cluster);
  }

  private applied(cluster: string, op: string, r: { changes: number; ms: number; created: readonly string[]; deleted: readonly string[]; objects?: readonly string[] }): void {
    this.labs.get(cluster)?.supervise();
    this.log.emit({ cluster, type: 'Normal', reason: op === 'up' ? 'Applied' : op === 'apply' ? 'Applied' : 'Deleted', object: r.objects?.length ? r.objects.join(', ') : `lab ${cluster}`,
      message: `${op}${r.objects?.length ? ` ${r.objects.join(', ')}` : ''}: ${r.changes} change(s) in ${Math.round(r.ms)} ms${r.created.length ? `, ${r.created.length} namespace(s) created` : ''}${r.deleted.length ? `, ${r.deleted.length} removed` : ''}`, ms: Math.round(r.ms) });
  }
}
