// One function per use-case for the CLI: through the daemon when its socket answers, in-process otherwise — the
// same result either way, so every command has one code path for its output and exit code. In-process, the use-cases
// that change a lab take its lock themselves (lab/lock.ts; the daemon's lab queue takes it too, re-entrantly), so the
// two never act on one lab at once. The lab modules are loaded only for the in-process path (the thin client stays thin).
import type { UpResult } from '../lab/reconcile.js';
import type { StatusJson } from '../lab/status.js';
import type { DownResult } from '../lab/down.js';
import type { RunReport } from '../expect/types.js';
import type { TraceResult } from '../expect/trace.js';
import type { TraceOptions } from '../lab/trace.js';
import type { LabContext } from '../lab/context.js';
import type { LockOptions } from '../lab/lock.js';
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
  /** How the in-process path takes the lab's lock (wait or --no-wait, who is told). */
  readonly lock?: LockOptions;
}

/** The in-process context; `command` names what needs root (exit 3 when not). */
async function localCtx(o: ViaOptions, command: string): Promise<LabContext> {
  const { labContext, requireRoot } = await import('../lab/context.js');
  const ctx = labContext({ progress: o.progress, aborted: o.aborted, lock: o.lock });
  requireRoot(ctx, command);
  return ctx;
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
    const ctx = await localCtx(o, 'up');
    const { up } = await import('../lab/up.js');
    return up({ ...ctx, ...a });
  });
}

export function viaApply(a: { files: string[]; cluster?: string }, o: ViaOptions = {}): Promise<Answered<UpResult & { objects: string[] }>> {
  return via('apply', a, o, async () => {
    const ctx = await localCtx(o, 'apply');
    const { apply } = await import('../lab/live.js');
    const c = await cluster(ctx, a.cluster);
    return apply(a.files, { ...ctx, cluster: c });
  });
}

export function viaDelete(a: { files?: string[]; kind?: string; name?: string; namespace?: string; cluster?: string }, o: ViaOptions = {}): Promise<Answered<UpResult & { objects: string[] }>> {
  return via('delete', a, o, async () => {
    const ctx = await localCtx(o, 'delete');
    const { deleteObjects } = await import('../lab/live.js');
    const c = await cluster(ctx, a.cluster);
    return deleteObjects(a, { ...ctx, cluster: c });
  });
}

export function viaDown(a: { cluster?: string }, o: ViaOptions = {}): Promise<Answered<DownResult>> {
  return via('down', a, o, async () => {
    const ctx = await localCtx(o, 'down');
    const { down } = await import('../lab/down.js');
    const c = await cluster(ctx, a.cluster);
    return down(c, ctx);
  });
}

export function viaStatus(a: { cluster?: string }, o: ViaOptions = {}): Promise<Answered<StatusJson>> {
  return via('status', a, o, async () => {
    const ctx = await localCtx(o, 'status');
    const { statusFull } = await import('../lab/status.js');
    return statusFull(await cluster(ctx, a.cluster), ctx);
  });
}

export function viaCheck(a: { cluster?: string; filter?: string; concurrency?: number }, o: ViaOptions = {}): Promise<Answered<RunReport>> {
  return via('check', a, o, async () => {
    const ctx = await localCtx(o, 'check');
    const { checkLab } = await import('../lab/check.js');
    return checkLab(await cluster(ctx, a.cluster), { ...ctx, filter: a.filter, concurrency: a.concurrency, aborted: o.aborted });
  });
}

export function viaFault(a: { cluster?: string; kind: string; node: string }, o: ViaOptions = {}): Promise<Answered<{ ms: number }>> {
  return via('fault', a, o, async () => {
    const ctx = await localCtx(o, 'fault');
    const { fault } = await import('../lab/fault.js');
    const c = await cluster(ctx, a.cluster);
    return fault(c, a.kind, a.node, ctx);
  });
}

export function viaLogs(a: { cluster?: string; pod: string; container?: string; previous?: boolean }, o: ViaOptions = {}): Promise<Answered<{ text: string }>> {
  return via('logs', a, o, async () => {
    const ctx = await localCtx(o, 'logs');
    const { logsOf } = await import('../lab/logs.js');
    return logsOf(await cluster(ctx, a.cluster), a.pod, a.container, ctx, { previous: a.previous });
  });
}

export function viaTrace(a: TraceOptions & { cluster?: string }, o: ViaOptions = {}): Promise<Answered<TraceResult>> {
  return via('trace', { ...a }, o, async () => {
    const ctx = await localCtx(o, 'trace');
    const { traceLab } = await import('../lab/trace.js');
    return traceLab(await cluster(ctx, a.cluster), a, { ...ctx, aborted: o.aborted });
  });
}
