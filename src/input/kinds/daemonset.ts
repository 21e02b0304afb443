// kind: DaemonSet (apps/v1): one pod on every node its template may run on (model/workloads/daemonset.ts).
import { parseSelector, parseTemplate, workloadHead, workloadKind } from './workload.js';

export const daemonSetKind = workloadKind('DaemonSet', (d) => {
  const before = d.ctx.problems.length;
  const h = workloadHead(d, 'apps/v1');
  const template = parseTemplate(d, ['spec', 'template'], ['Always']);
  const selector = parseSelector(d, ['spec', 'selector'], template);
  if (d.ctx.problems.length > before || !h.name || !template || !selector) return undefined;
  return { kind: 'DaemonSet', ...h, name: h.name, selector, template };
});
