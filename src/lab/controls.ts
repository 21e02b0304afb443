// kubectl's workload commands on a running lab: `scale`, `rollout status|history|undo`, `create job --from cronjob/X`.
// Each changes the lab as kubectl changes the cluster — the object itself: podlab writes the changed document into the
// lab's folder and applies it (live.ts applyGenerated), so a later `podlab apply -f` of the original file undoes it,
// as it would with kubectl. Rollouts are walked by `apply` (lab/workloads.ts) (the daemon does not run them over time yet).
import { findDocument } from '../input/parse.js';
import { isObj } from '../input/doc.js';
import type { WorkloadT } from '../model/workloads/index.js';
import { rolloutComplete } from '../model/workloads/rollout.js';
import { jobNameFor } from '../model/workloads/cronjob.js';
import { kubectlName } from '../model/workloads/names.js';
import { labContext } from './context.js';
import { readSources } from './load.js';
import { applyGenerated, labObjects, parseRef, type LiveOptions } from './live.js';
import { podReady, status } from './status.js';
import { labState, pickCluster } from './targets.js';
import { sleep } from '../kernel/exec.js';
import type { UpResult } from './reconcile.js';

export { kubectlName };

export interface Ref {
  /** "deployment/web" (or a kind, with `name`). */
  readonly ref: string;
  readonly name?: string;
  readonly namespace?: string;
}


async function target(r: Ref, o: LiveOptions, kinds: readonly string[]) {
  const ctx = labContext(o);
  const cluster = await pickCluster(ctx, o.cluster);
  const st = await labState(ctx, cluster);
  const { kind, name } = parseRef(r.ref, r.name);
  if (!kinds.includes(kind)) throw new Error(`${r.ref}: this command takes ${kinds.map((k) => k.toLowerCase()).join(', ')}`);
  const ns = r.namespace ?? 'default';
  const key = `${kind} ${ns}/${name}`;
  if (!labObjects(st).has(key)) throw new Error(`${kind.toLowerCase()}s "${name}" not found in namespace ${ns} of lab ${cluster}`);
  const doc = findDocument(readSources([...st.files, ...(st.applied ?? [])]), key);
  if (!doc) throw new Error(`${key}: its document is not in the lab's files any more`);
  return { ctx, cluster, st, kind, name, ns, key, doc: structuredClone(doc) };
}

export async function scale(r: Ref, replicas: number, o: LiveOptions = {}): Promise<UpResult & { objects: string[]; message: string }> {
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`--replicas must be an integer ≥ 0, got ${replicas}`);
  const t = await target(r, o, ['Deployment', 'ReplicaSet', 'StatefulSet']);
  const spec = isObj(t.doc.spec) ? t.doc.spec : (t.doc.spec = {});
  (spec as Record<string, unknown>).replicas = replicas;
  const res = await applyGenerated(t.doc, 'scale', { ...o, cluster: t.cluster });
  return { ...res, message: `${kubectlName(t.kind, t.name)} scaled` };
}

export interface RolloutRevision { revision: number; replicaSet: string; changeCause?: string; replicas: number }

export async function rolloutHistory(r: Ref, o: LiveOptions = {}): Promise<{ name: string; revisions: RolloutRevision[] }> {
  const t = await target(r, o, ['Deployment']);
  const w = t.st.topology.workloads?.find((x) => x.key === t.key);
  return {
    name: kubectlName(t.kind, t.name),
    revisions: (w?.replicaSets ?? []).map((x) => ({ revision: x.revision, replicaSet: x.name, ...(x.changeCause ? { changeCause: x.changeCause } : {}), replicas: x.replicas })),
  };
}

export async function rolloutUndo(r: Ref, toRevision: number | undefined, o: LiveOptions = {}): Promise<UpResult & { objects: string[]; message: string }> {
  const t = await target(r, o, ['Deployment']);
  const w = t.st.topology.workloads?.find((x) => x.key === t.key);
  const rss = [...(w?.replicaSets ?? [])].sort((a, b) => b.revision - a.revision);
  const cur = rss.find((x) => x.hash === w?.hash);
  const to = toRevision ? rss.find((x) => x.revision === toRevision) : rss.find((x) => x !== cur);
  if (!to) throw new Error(toRevision ? `unable to find specified revision ${toRevision} in history` : `no rollout history found for deployment "${t.name}"`);
  if (to === cur) return { ...(await noChange(t.cluster)), objects: [t.key], message: `${kubectlName(t.kind, t.name)} skipped rollback (current template already matches revision ${to.revision})` };
  (t.doc.spec as Record<string, unknown>).template = JSON.parse(to.template.canonical) as unknown;
  const res = await applyGenerated(t.doc, 'undo', { ...o, cluster: t.cluster });
  return { ...res, message: `${kubectlName(t.kind, t.name)} rolled back` };
}

async function noChange(cluster: string): Promise<UpResult> {
  return { cluster, mode: '', changes: 0, readBack: 0, rulesSynced: 0, namespaces: 0, created: [], deleted: [], problems: [], notices: [], ms: 0, spawned: 0, repairs: [] };
}

/** kubectl rollout status's words for a workload, and whether it is done. */
export function rolloutMessage(w: WorkloadT, ready: (pod: string) => boolean): { done: boolean; message: string } {
  const avail = (prefix: string) => w.pods.filter((p) => p.split('/')[1]!.startsWith(prefix) && ready(p)).length;
  if (w.kind === 'Deployment' && w.replicaSets && w.hash) {
    const cur = w.replicaSets.find((x) => x.hash === w.hash)!;
    const rss = w.replicaSets.map((x) => ({ name: x.name, replicas: x.replicas, available: avail(`${x.name}-`) }));
    const updated = cur.replicas;
    const old = rss.filter((x) => x.name !== cur.name).reduce((s, x) => s + x.replicas, 0);
    const available = avail(`${cur.name}-`);
    if (rolloutComplete(w.desired, rss, cur.name)) return { done: true, message: `deployment "${w.name}" successfully rolled out` };
    if (updated < w.desired) return { done: false, message: `Waiting for deployment "${w.name}" rollout to finish: ${updated} out of ${w.desired} new replicas have been updated...` };
    if (old > 0) return { done: false, message: `Waiting for deployment "${w.name}" rollout to finish: ${old} old replicas are pending termination...` };
    return { done: false, message: `Waiting for deployment "${w.name}" rollout to finish: ${available} of ${w.desired} updated replicas are available...` };
  }
  const readyN = w.pods.filter(ready).length;
  if (w.kind === 'StatefulSet') {
    if ((w.current ?? 0) === w.desired && readyN === w.desired) return { done: true, message: `partitioned roll out complete: ${w.desired} new pods have been updated...` };
    return { done: false, message: `Waiting for ${w.desired - readyN} pods to be ready...` };
  }
  if (w.kind === 'DaemonSet') {
    if (readyN === w.desired) return { done: true, message: `daemon set "${w.name}" successfully rolled out` };
    return { done: false, message: `Waiting for daemon set "${w.name}" rollout to finish: ${readyN} of ${w.desired} updated pods are available...` };
  }
  return { done: true, message: `${w.key}: no rollout` };
}

/** `rollout status`: print each new state until done or `timeoutMs` passed. */
export async function rolloutStatus(r: Ref, o: LiveOptions & { timeoutMs?: number; watch?: boolean; onMessage?: (m: string) => void } = {}): Promise<{ done: boolean; message: string }> {
  const t = await target(r, o, ['Deployment', 'StatefulSet', 'DaemonSet']);
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  let last = '';
  for (;;) {
    const st = await labState(t.ctx, t.cluster);
    const w = st.topology.workloads?.find((x) => x.key === t.key);
    if (!w) throw new Error(`${t.key} is not in the lab's state: run \`podlab up\` or \`podlab apply\` first`);
    const s = await status(t.cluster, t.ctx);
    const ready = new Set(s.pods.filter(podReady).map((p) => `${p.namespace}/${p.name}`));
    const m = rolloutMessage(w, (p) => ready.has(p));
    if (m.message !== last) o.onMessage?.(m.message);
    last = m.message;
    if (m.done || o.watch === false || Date.now() > deadline) return m;
    await sleep(500);
  }
}

/** `create job NAME --from cronjob/X`: the CronJob's jobTemplate as a Job, applied now. */
export async function createJobFrom(from: string, name: string | undefined, o: LiveOptions & { namespace?: string; instantiate?: 'manual' | 'scheduled' } = {}): Promise<UpResult & { objects: string[]; message: string }> {
  const t = await target({ ref: from, namespace: o.namespace }, o, ['CronJob']);
  const spec = isObj(t.doc.spec) ? t.doc.spec : {};
  const jt = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
  const jm = isObj(jt.metadata) ? jt.metadata : {};
  const jobName = name ?? jobNameFor({ name: t.name }, new Date());
  if (labObjects(t.st).has(`Job ${t.ns}/${jobName}`)) throw new Error(`jobs.batch "${jobName}" already exists`);
  const doc = {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: jobName, namespace: t.ns, ...(isObj(jm.labels) ? { labels: jm.labels } : {}), annotations: { ...(isObj(jm.annotations) ? jm.annotations : {}), 'cronjob.kubernetes.io/instantiate': o.instantiate ?? 'manual' } },
    spec: jt.spec ?? {},
  };
  const res = await applyGenerated(doc, 'create', { ...o, cluster: t.cluster });
  return { ...res, message: `job.batch/${jobName} created` };
}
