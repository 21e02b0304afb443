// Live changes of a running lab: `podlab apply -f FILE…` adds or updates objects, `podlab delete` removes them.
// The files join the lab's file set (a later document replaces an earlier one of the same object) and the same
// convergent up runs as a partial sync: only what changed is touched. The whole set is validated first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
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

/** kubectl's resource names and short names for the kinds `delete` (and scale, rollout) take. */
export const KIND_NAMES: Readonly<Record<string, string>> = {
  pod: 'Pod', pods: 'Pod', po: 'Pod', service: 'Service', services: 'Service', svc: 'Service',
  ingress: 'Ingress', ingresses: 'Ingress', ing: 'Ingress',
  networkpolicy: 'NetworkPolicy', networkpolicies: 'NetworkPolicy', netpol: 'NetworkPolicy',
  deployment: 'Deployment', deployments: 'Deployment', deploy: 'Deployment', replicaset: 'ReplicaSet', replicasets: 'ReplicaSet', rs: 'ReplicaSet',
  statefulset: 'StatefulSet', statefulsets: 'StatefulSet', sts: 'StatefulSet', daemonset: 'DaemonSet', daemonsets: 'DaemonSet', ds: 'DaemonSet',
  job: 'Job', jobs: 'Job', cronjob: 'CronJob', cronjobs: 'CronJob', cj: 'CronJob', configmap: 'ConfigMap', configmaps: 'ConfigMap', cm: 'ConfigMap',
  secret: 'Secret', secrets: 'Secret', namespace: 'Namespace', namespaces: 'Namespace', ns: 'Namespace',
};

/** "deployment/web" or ("deployment", "web") → the kind and name, kubectl's way. */
export function parseRef(ref: string, name?: string): { kind: string; name: string } {
  const [k, n] = ref.includes('/') ? ref.split('/', 2) as [string, string] : [ref, name ?? ''];
  const kind = KIND_NAMES[k.toLowerCase()];
  if (!kind) throw new Error(`unknown resource type "${k}" (one of: ${[...new Set(Object.values(KIND_NAMES))].join(', ')})`);
  if (!n) throw new Error(`name a ${kind}: ${k.toLowerCase()}/NAME`);
  return { kind, name: n };
}

/** The objects the lab's files declare now (applied snapshots included, deleted objects not). */
export function labObjects(st: { files: readonly string[]; applied?: readonly string[]; deleted?: readonly string[] }): Set<string> {
  const gone = new Set(st.deleted ?? []);
  const have = new Set<string>();
  for (const f of [...st.files, ...(st.applied ?? [])]) {
    try {
      for (const k of objectKeysOf(readSources([f]))) if (!gone.has(k)) have.add(k);
    } catch {
      /* a file that went away since: its objects are not there */
    }
  }
  return have;
}

/**
 * Apply a document podlab wrote for a kubectl-like command (scale, rollout undo, create job): it goes into the lab's
 * folder, joins the lab's applied files, and the same live change runs.
 */
export async function applyGenerated(doc: Record<string, unknown>, what: string, o: LiveOptions = {}): Promise<UpResult & { objects: string[] }> {
  const ctx = labContext(o);
  const cluster = await pickCluster(ctx, o.cluster);
  // On this host, beside the lab's state, where readSources (and so every later apply) reads the lab's files.
  const dir = join(ctx.store.dir(cluster), 'applied');
  mkdirSync(dir, { recursive: true });
  const m = doc.metadata as { name: string; namespace?: string };
  const file = join(dir, `${String(doc.kind).toLowerCase()}-${m.namespace ?? 'default'}-${m.name}-${what}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return apply([file], { ...ctx, cluster });
}

export async function deleteObjects(what: { files?: readonly string[]; kind?: string; name?: string; namespace?: string }, o: LiveOptions = {}): Promise<UpResult & { objects: string[] }> {
  const ctx = labContext(o);
  requireRoot(ctx, 'delete');
  const cluster = await pickCluster(ctx, o.cluster);
  return withLock(ctx, cluster, () => deleteLocked(ctx, cluster, what));
}

async function deleteLocked(ctx: LabContext, cluster: string, what: { files?: readonly string[]; kind?: string; name?: string; namespace?: string }): Promise<UpResult & { objects: string[] }> {
  const st = await labState(ctx, cluster);
  let keys: string[];
  if (what.files?.length) keys = objectKeysOf(readSources(what.files, ctx.cwd)).filter((k) => liveKind(k) && !k.startsWith('Namespace '));
  else {
    if (what.kind?.includes('/')) what = { ...what, ...parseRef(what.kind), kind: what.kind.split('/')[0] };
    const kind = KIND_NAMES[(what.kind ?? '').toLowerCase()];
    if (!kind || !what.name) throw new Error('say what to delete: `podlab delete pod NS/NAME`, `podlab delete networkpolicy NS/NAME`, `podlab delete ingress NS/NAME`, `podlab delete deployment NAME -n NS` or `podlab delete -f FILE`');
    const [ns, name] = what.name.includes('/') ? what.name.split('/', 2) : [what.namespace ?? 'default', what.name];
    keys = [objectKey(kind, ns, name!)];
  }
  const t = st.topology;
  const exists = labObjects(st);
  const system = new Set([...t.pods.filter((p) => p.system).map((p) => `Pod ${p.key}`), ...(t.services ?? []).filter((s) => s.system).map((s) => `Service ${s.key}`)]);
  const sys = keys.filter((k) => system.has(k));
  if (sys.length) throw new Error(`${sys.join(', ')}: system object${sys.length > 1 ? 's' : ''} podlab adds to the lab (the cluster DNS, the API server's Service, the ingress controller), not deletable`);
  // A controller's pod: a ReplicaSet's (a Deployment's) is replaced by one with a new name, as its controller does.
  const owned = new Map(t.pods.filter((p) => p.owner).map((p) => [`Pod ${p.key}`, p.owner!]));
  const others = keys.filter((k) => owned.has(k) && owned.get(k)!.kind !== 'ReplicaSet');
  if (others.length) {
    throw new Error(others.map((k) => `${k} is managed by ${owned.get(k)!.kind} ${owned.get(k)!.name}, which would make it again under the same name: podlab does not recreate such a pod in place — scale or delete the ${owned.get(k)!.kind} instead`).join('; '));
  }
  // Secrets and IngressClasses are not in the topology: their documents are simply left out.
  const missing = keys.filter((k) => !exists.has(k) && !owned.has(k) && !/^(Secret|IngressClass) /.test(k));
  if (missing.length) throw new Error(`not in lab ${cluster}: ${missing.join(', ')}`);
  const deleted = [...new Set([...(st.deleted ?? []), ...keys])];
  const r = await upLocked(ctx, { ...ctx, files: st.files, applied: st.applied ?? [], deleted, mode: st.mode, proxyMode: st.proxyMode, live: true });
  return { ...r, objects: keys };
}
