// One function per use-case for the CLI: through the daemon when its socket answers, in-process otherwise — the
// same result either way, so every command has one code path for its output and exit code. The in-process path
// takes the lab's lock (lab/lock.ts) for commands that change a lab, as the daemon does, so the two never act on
// one lab at once. The lab modules are loaded only for the in-process path (the thin client stays thin).
import type { UpResult } from '../lab/reconcile.js';
import type { StatusJson } from '../lab/status.js';
import type { DownResult } from '../lab/down.js';
import type { RunReport } from '../expect/types.js';
import type { LabContext } from '../lab/context.js';
import { call, type CallOptions } from '../daemon/client.js';
import type { Op } from '../daemon/protocol.js';

export type Via = 'daemon' | 'in-process';
export interface Answered<T> {
  readonly result: T;
  readonly via: Via;
}

export interface ViaOptions extends CallOptions {
  /** Ctrl-C (in-process only: a daemon finishes what it started). */
  readonly aborted?: () => boolean;
}

async function localCtx(o: ViaOptions, extra: Partial<LabContext> = {}): Promise<LabContext> {
  const { labContext } = await import('../lab/context.js');
  return labContext({ progress: o.progress, aborted: o.aborted, ...extra });
}

/** Run `fn` holding the lab's lock, saying so when someone else holds it. */
async function locked<T>(ctx: LabContext, cluster: string, o: ViaOptions, what: string, fn: () => Promise<T>): Promise<T> {
  const { withLabLock } = await import('../lab/lock.js');
  const say = o.progress ?? ((m: string) => process.stderr.write(m + '\n'));
  return withLabLock(ctx.store.dir(cluster), cluster, { command: `podlab ${what}`, onWait: (h) => say(`waiting: lab ${cluster} is locked by pid ${h.pid} (${h.command}, since ${h.since})`) }, fn);
}

async function via<T>(op: Op, body: Record<string, unknown>, o: ViaOptions, local: () => Promise<T>): Promise<Answered<T>> {
  const r = await call<T>(op, { cwd: process.cwd(), progress: o.progress !== undefined, ...body }, o);
  if (r !== undefined) return { result: r, via: 'daemon' };
  return { result: await local(), via: 'in-process' };
}

async function cluster(ctx: LabContext, name?: string): Promise<string> {
  const { pickCluster } = await import('../lab/targets.js');
  return pickCluster(ctx, name);
}

export function viaUp(a: { files: string[]; mode?: string; proxyMode?: string }, o: ViaOptions = {}): Promise<Answered<UpResult>> {
  return via('up', a, o, async () => {
    const ctx = await localCtx(o);
    const { up } = await import('../lab/up.js');
    const { readSources } = await import('../lab/load.js');
    const { objectKeysOf } = await import('../input/parse.js');
    // The lab's name, to lock it (an invalid file set is reported by up itself, with every problem).
    let name: string | undefined;
    try {
      name = objectKeysOf(readSources(a.files)).find((k) => k.startsWith('Cluster '))?.slice('Cluster '.length);
    } catch {
      /* up reports it */
    }
    const run = () => up({ ...ctx, ...a });
    return name ? locked(ctx, name, o, 'up', run) : run();
  });
}

export function viaApply(a: { files: string[]; cluster?: string }, o: ViaOptions = {}): Promise<Answered<UpResult & { objects: string[] }>> {
  return via('apply', a, o, async () => {
    const ctx = await localCtx(o);
    const { apply } = await import('../lab/live.js');
    const c = await cluster(ctx, a.cluster);
    return locked(ctx, c, o, 'apply', () => apply(a.files, { ...ctx, cluster: c }));
  });
}

export function viaDelete(a: { files?: string[]; kind?: string; name?: string; cluster?: string }, o: ViaOptions = {}): Promise<Answered<UpResult & { objects: string[] }>> {
  return via('delete', a, o, async () => {
    const ctx = await localCtx(o);
    const { deleteObjects } = await import('../lab/live.js');
    const c = await cluster(ctx, a.cluster);
    return locked(ctx, c, o, 'delete', () => deleteObjects(a, { ...ctx, cluster: c }));
  });
}

export function viaDown(a: { cluster?: string }, o: ViaOptions = {}): Promise<Answered<DownResult>> {
  return via('down', a, o, async () => {
    const ctx = await localCtx(o);
    const { down } = await import('../lab/down.js');
    const c = await cluster(ctx, a.cluster);
    return locked(ctx, c, o, 'down', () => down(c, ctx));
  });
}

export function viaStatus(a: { cluster?: string }, o: ViaOptions = {}): Promise<Answered<StatusJson>> {
  return via('status', a, o, async () => {
    const ctx = await localCtx(o);
    const { statusFull } = await import('../lab/status.js');
    return statusFull(await cluster(ctx, a.cluster), ctx);
  });
}

export function viaCheck(a: { cluster?: string; filter?: string; concurrency?: number }, o: ViaOptions = {}): Promise<Answered<RunReport>> {
  return via('check', a, o, async () => {
    const ctx = await localCtx(o);
    const { checkLab } = await import('../lab/check.js');
    return checkLab(await cluster(ctx, a.cluster), { ...ctx, filter: a.filter, concurrency: a.concurrency, aborted: o.aborted });
  });
}

export function viaFault(a: { cluster?: string; kind: string; node: string }, o: ViaOptions = {}): Promise<Answered<{ ms: number }>> {
  return via('fault', a, o, async () => {
    const ctx = await localCtx(o);
    const { fault } = await import('../lab/fault.js');
    const c = await cluster(ctx, a.cluster);
    return locked(ctx, c, o, 'fault', () => fault(c, a.kind, a.node, ctx));
  });
}

export function viaLogs(a: { cluster?: string; pod: string; container?: string; previous?: boolean }, o: ViaOptions = {}): Promise<Answered<{ text: string }>> {
  return via('logs', a, o, async () => {
    const ctx = await localCtx(o);
    const { logsOf } = await import('../lab/logs.js');
    return logsOf(await cluster(ctx, a.cluster), a.pod, a.container, ctx, { previous: a.previous });
  });
}
