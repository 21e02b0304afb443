// StatefulSet (pure): pods <name>-<ordinal> with a stable identity — hostname = pod name, subdomain = serviceName, so
// <name>-0.<service>.<ns>.svc.cluster.local names it once cluster DNS lands — and per ordinal a claim
// <template>-<name>-<ordinal> for each volumeClaimTemplate (a directory that outlives the pod). OrderedReady creates
// ordinals one at a time, each Ready before the next, and removes them highest first: `current` is how far it got,
// and statefulSetStep() says what the controller does next. Parallel creates them all at once.
import type { PodSpec, StatefulSetSpec, VolumeSpec } from '../../input/types.js';
import { computeHash } from './names.js';
import { podFromTemplate } from './pods.js';
import type { WorkloadT } from './types.js';

export function claimName(template: string, sts: string, ordinal: number): string {
  return `${template}-${sts}-${ordinal}`;
}

export function expandStatefulSet(s: StatefulSetSpec, prev: WorkloadT | undefined, progressive: boolean): { pods: PodSpec[]; workload: WorkloadT } {
  const ordered = s.podManagementPolicy === 'OrderedReady';
  const current = progressive && ordered ? prev?.current ?? 0 : s.replicas;
  const revision = `${s.name}-${computeHash(s.template.canonical)}`;
  const pods: PodSpec[] = [];
  for (let i = 0; i < current; i++) {
    const ordinal = s.ordinalsStart + i;
    const name = `${s.name}-${ordinal}`;
    const claims: VolumeSpec[] = s.volumeClaimTemplates.map((c) => ({ name: c.name, kind: 'persistentVolumeClaim', source: { type: 'persistentVolumeClaim', claimName: claimName(c.name, s.name, ordinal), readOnly: false } }));
    const volumes = [...(s.template.volumes ?? []).filter((v) => !claims.some((c) => c.name === v.name)), ...claims];
    pods.push(podFromTemplate(s, s.template, name, {
      'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal),
    }, { kind: 'StatefulSet', name: s.name }, {
      hostname: s.template.hostname ?? name, ...(s.serviceName ? { subdomain: s.serviceName } : {}), ...(volumes.length ? { volumes } : {}),
    }));
  }
  return {
    pods,
    workload: {
      kind: 'StatefulSet', namespace: s.namespace, name: s.name, key: s.key, desired: s.replicas, current,
      pods: pods.map((p) => `${p.namespace}/${p.name}`), settled: current === s.replicas,
    },
  };
}

/**
 * The next `current` of an OrderedReady StatefulSet, or undefined when it waits or is done: one more ordinal once
 * every existing one is ready, one fewer (the highest) when there are too many.
 */
export function statefulSetStep(w: WorkloadT, ready: (podKey: string) => boolean): number | undefined {
  const cur = w.current ?? 0;
  if (cur > w.desired) return cur - 1;
  if (cur < w.desired && w.pods.every(ready)) return cur + 1;
  return undefined;
}
