// Deployment (pure): a ReplicaSet per template, named <deploy>-<pod-template-hash>, with the revision history the
// deployment controller keeps. A new template gets a new ReplicaSet at the next revision (an old template brought
// back — `rollout undo` — takes the next revision too, as Kubernetes does). Without a rollout in progress the current
// ReplicaSet is scaled straight to `replicas`; with one, `progressive` keeps the sizes the previous run left for the
// rollout's step function (rollout.ts) to move, and the settled form is the rollout's end.
import type { DeploymentSpec, PodSpec } from '../../input/types.js';
import { computeHash } from './names.js';
import { replicaSetPods } from './replicaset.js';
import type { ReplicaSetT, WorkloadT } from './types.js';

export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export function expandDeployment(cluster: string, d: DeploymentSpec, prev: WorkloadT | undefined, progressive: boolean, deleted: ReadonlySet<string> = new Set()): { pods: PodSpec[]; workload: WorkloadT } {
  const hash = computeHash(d.template.canonical);
  let rss: ReplicaSetT[] = [...(prev?.replicaSets ?? [])];
  const maxRev = rss.reduce((m, r) => Math.max(m, r.revision), 0);
  const existing = rss.find((r) => r.hash === hash);
  const changeCause = d.annotations[CHANGE_CAUSE];
  if (!existing) rss.push({ name: `${d.name}-${hash}`, hash, revision: maxRev + 1, replicas: 0, template: d.template, ...(changeCause ? { changeCause } : {}) });
  else if (existing.revision !== maxRev) {
    rss = rss.filter((r) => r !== existing);
    rss.push({ ...existing, revision: maxRev + 1, ...(changeCause ? { changeCause } : {}) });
  }
  const current = rss.find((r) => r.hash === hash)!;
  const rollingOut = rss.some((r) => r !== current && r.replicas > 0);
  rss = rss.map((r) => {
    if (progressive && rollingOut) return r;
    return { ...r, replicas: r === current ? d.replicas : 0 };
  });
  // revisionHistoryLimit: old ReplicaSets with no pods beyond the limit go, oldest first.
  const old = rss.filter((r) => r.hash !== hash && r.replicas === 0).sort((a, b) => a.revision - b.revision);
  const drop = new Set(old.slice(0, Math.max(0, old.length - d.revisionHistoryLimit)).map((r) => r.hash));
  rss = rss.filter((r) => !drop.has(r.hash)).sort((a, b) => a.revision - b.revision);
  const pods = rss.flatMap((r) => replicaSetPods(cluster, d, r.name, r.hash === hash ? d.template : r.template, r.replicas, { [POD_TEMPLATE_HASH]: r.hash }, deleted));
  const settled = rss.every((r) => (r.hash === hash ? r.replicas === d.replicas : r.replicas === 0));
  return {
    pods,
    workload: {
      kind: 'Deployment', namespace: d.namespace, name: d.name, key: d.key, desired: d.replicas, hash,
      pods: pods.map((p) => `${p.namespace}/${p.name}`), replicaSets: rss, settled,
    },
  };
}
