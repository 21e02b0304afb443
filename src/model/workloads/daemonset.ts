// DaemonSet (pure): one pod <ds>-<5 chars> on every node the template may run on — its nodeSelector and node affinity
// match and it tolerates the node's NoSchedule/NoExecute taints (the DaemonSet controller's nodeShouldRunDaemonPod).
// Each pod is bound to its node the way the controller binds it: a required node affinity on metadata.name.
import type { DaemonSetSpec, NodeSpec, PodSpec } from '../../input/types.js';
import { nodeAffinityMatches, nodeLabels, untolerated } from '../scheduler.js';
import { computeHash, suffix } from './names.js';
import { podFromTemplate } from './pods.js';
import type { WorkloadT } from './types.js';

export function daemonNodes(ds: DaemonSetSpec, nodes: readonly NodeSpec[]): NodeSpec[] {
  return nodes.filter((n) => nodeAffinityMatches(ds.template, { name: n.name, labels: nodeLabels(n) }) && !untolerated(n.taints, ds.template.tolerations ?? []));
}

export function expandDaemonSet(cluster: string, ds: DaemonSetSpec, nodes: readonly NodeSpec[]): { pods: PodSpec[]; workload: WorkloadT } {
  const revision = computeHash(ds.template.canonical);
  const pods = daemonNodes(ds, nodes).map((n) => {
    const pin = { matchExpressions: [], matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: [n.name] }] };
    // The controller replaces the template's required node affinity with the node's name (ReplaceDaemonSetPodNodeNameNodeAffinity).
    const affinity = { ...(ds.template.affinity ?? {}), nodeRequired: [pin] };
    return podFromTemplate(ds, ds.template, `${ds.name}-${suffix(cluster, `${ds.namespace}/${ds.name}`, n.name)}`, {
      'controller-revision-hash': revision, 'pod-template-generation': '1',
    }, { kind: 'DaemonSet', name: ds.name }, { affinity });
  });
  return {
    pods,
    workload: { kind: 'DaemonSet', namespace: ds.namespace, name: ds.name, key: ds.key, desired: pods.length, pods: pods.map((p) => `${p.namespace}/${p.name}`), settled: true },
  };
}
