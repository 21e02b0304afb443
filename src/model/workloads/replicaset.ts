// ReplicaSet (pure): `replicas` pods <rs>-<5 chars> from the template. Slot i of a ReplicaSet always gets the same
// name, so scaling up adds names and scaling down removes the newest ones (the ReplicaSet controller deletes the
// newest pods first when all are ready).
import type { PodSpec, PodTemplate, ReplicaSetSpec, WorkloadSpec } from '../../input/types.js';
import { suffix } from './names.js';
import { podFromTemplate } from './pods.js';
import type { WorkloadT } from './types.js';

/** The pods of one ReplicaSet (also a Deployment's). */
export function replicaSetPods(cluster: string, w: WorkloadSpec, rsName: string, t: PodTemplate, replicas: number, labels: Readonly<Record<string, string>> = {}, deleted: ReadonlySet<string> = new Set()): PodSpec[] {
  const out: PodSpec[] = [];
  const used = new Set<string>();
  for (let slot = 0; out.length < replicas; slot++) {
    const name = `${rsName}-${suffix(cluster, `${w.namespace}/${rsName}`, slot)}`;
    if (used.has(name)) continue; // two slots drew the same 5 characters: take the next slot
    if (deleted.has(`${w.namespace}/${name}`)) continue; // deleted by hand: the controller makes another in its place
    used.add(name);
    out.push(podFromTemplate(w, t, name, labels, { kind: 'ReplicaSet', name: rsName }));
  }
  return out;
}

export function expandReplicaSet(cluster: string, rs: ReplicaSetSpec, replicas = rs.replicas, deleted: ReadonlySet<string> = new Set()): { pods: PodSpec[]; workload: WorkloadT } {
  const pods = replicaSetPods(cluster, rs, rs.name, rs.template, replicas, {}, deleted);
  return {
    pods,
    workload: { kind: 'ReplicaSet', namespace: rs.namespace, name: rs.name, key: rs.key, desired: replicas, pods: pods.map((p) => `${p.namespace}/${p.name}`), settled: true },
  };
}
