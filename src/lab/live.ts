// Live changes of a running lab: `podlab apply -f FILE…` adds or updates objects, `podlab delete` removes them.
// The files join the lab's file set (a later document replaces an earlier one of the same object) and the same
// convergent up runs as a partial sync: only what changed is touched. The whole set is validated first.
import { resolve as resolvePath } from 'node:path';
import { objectKey, objectKeysOf } from '../input/parse.js';
import { LIVE_KINDS } from '../input/kinds/index.js';
import { labContext, requireRoot, withLock, type LabContext } from './context.js';
import { readSources } from './load.js';
import { labState, pickCluster } from './targets.js';
import { upLocked, type UpResult } from './up.js';

export interface LiveOptions extends Partial<LabContext> {
  readonly cluster?: string;
}

const liveKind = (k: string) => LIVE_KINDS.some((kind) => k.startsWith(`${kind} `));

export async function apply(files: readonly string[], o: LiveOptions = {}): Promise<UpResult & { objects: string[] }> {
  const ctx = labContext(o);
  requireRoot(ctx, 'apply');
  const cluster = await pickCluster(ctx, o.cluster);
  return withLock(ctx, cluster, () => applyLocked(ctx, cluster, files));
}

async function applyLocked(ctx: LabContext, cluster: string, files: readonly string[]): Promise<UpResult & { objects: string[] }> {
  const st = await labState(ctx, cluster);
  const keys = objectKeysOf(readSources(files, ctx.cwd));
  const bad = keys.filter((k) => !liveKind(k));
  if (bad.length) throw new Error(`apply adds or updates ${LIVE_KINDS.join(', ')} only (${bad.join(', ')}); change the Cluster with \`podlab up -f\``);
  const abs = files.map((f) => resolvePath(ctx.cwd ?? process.cwd(), f));
  const applied = [...(st.applied ?? []).filter((f) => !abs.includes(f)), ...abs];
  const deleted = (st.deleted ?? []).filter((k) => !keys.includes(k));
  const r = await upLocked(ctx, { ...ctx, files: st.files, applied, deleted, mode: st.mode, proxyMode: st.proxyMode, live: true });
  return { ...r, objects: keys };
}

/** kubectl's resource names and short names for the kinds `delete` takes. */
const KIND_NAMES: Readonly<Record<string, string>> = { pod: 'Pod', pods: 'Pod', po: 'Pod', service: 'Service', services: 'Service', svc: 'Service' };

export async function deleteObjects(what: { files?: readonly string[]; kind?: string; name?: string }, o: LiveOptions = {}): Promise<UpResult & { objects: string[] }> {
  const ctx = labContext(o);
  requireRoot(ctx, 'delete');
  const cluster = await pickCluster(ctx, o.cluster);
  return withLock(ctx, cluster, () => deleteLocked(ctx, cluster, what));
}

async function deleteLocked(ctx: LabContext, cluster: string, what: { files?: readonly string[]; kind?: string; name?: string }): Promise<UpResult & { objects: string[] }> {
  const st = await labState(ctx, cluster);
  let keys: string[];
  if (what.files?.length) keys = objectKeysOf(readSources(what.files, ctx.cwd)).filter((k) => liveKind(k) && !k.startsWith('Namespace '));
  else {
    const kind = KIND_NAMES[(what.kind ?? '').toLowerCase()];
    if (!kind || !what.name) throw new Error('say what to delete: `podlab delete pod NS/NAME`, `podlab delete service NS/NAME` or `podlab delete -f FILE`');
    const [ns, name] = what.name.includes('/') ? what.name.split('/', 2) : ['default', what.name];
    keys = [objectKey(kind, ns, name!)];
  }
  const t = st.topology;
  const exists = new Set([...t.pods.map((p) => `Pod ${p.key}`), ...(t.services ?? []).map((s) => `Service ${s.key}`), ...(t.pending ?? []).map((p) => `Pod ${p.key}`)]);
  const missing = keys.filter((k) => !exists.has(k));
  if (missing.length) throw new Error(`not in lab ${cluster}: ${missing.join(', ')}`);
  const deleted = [...new Set([...(st.deleted ?? []), ...keys])];
  const r = await upLocked(ctx, { ...ctx, files: st.files, applied: st.applied ?? [], deleted, mode: st.mode, proxyMode: st.proxyMode, live: true });
  return { ...r, objects: keys };
}
