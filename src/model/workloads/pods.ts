// A pod from a template (pure): the template's body with the controller's labels and its owner.
import type { PodSpec, PodTemplate, WorkloadSpec } from '../../input/types.js';

export function podFromTemplate(w: WorkloadSpec, t: PodTemplate, name: string, extraLabels: Readonly<Record<string, string>>, owner: { kind: string; name: string }, more: Partial<PodSpec> = {}): PodSpec {
  const { canonical: _canonical, ...body } = t;
  return { ...body, ...more, labels: { ...t.labels, ...extraLabels }, namespace: w.namespace, name, origin: w.origin, owner };
}
