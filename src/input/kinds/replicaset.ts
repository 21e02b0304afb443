// kind: ReplicaSet (apps/v1): a fixed number of pods from one template (model/workloads/replicaset.ts).
import { isObj } from '../fields.js';
import { parseSelector, parseTemplate, replicas, workloadHead, workloadKind } from './workload.js';

export const replicaSetKind = workloadKind('ReplicaSet', (d) => {
  const before = d.ctx.problems.length;
  const h = workloadHead(d, 'apps/v1');
  const spec = isObj(d.obj.spec) ? d.obj.spec : {};
  const template = parseTemplate(d, ['spec', 'template'], ['Always']);
  const selector = parseSelector(d, ['spec', 'selector'], template);
  const n = replicas(d, spec.replicas, ['spec', 'replicas']);
  if (d.ctx.problems.length > before || !h.name || !template || !selector) return undefined;
  return { kind: 'ReplicaSet', ...h, name: h.name, selector, template, replicas: n };
});
