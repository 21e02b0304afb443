// kind: Deployment (apps/v1): replicas of a pod template through ReplicaSets, rolled out by strategy
// (model/workloads/deployment.ts expands it, model/workloads/rollout.ts steps a rollout).
import type { DeploymentSpec } from '../types.js';
import { int, isObj } from '../fields.js';
import { intOrPercent, parseSelector, parseTemplate, replicas, workloadHead, workloadKind } from './workload.js';

export const deploymentKind = workloadKind('Deployment', (d) => {
  const before = d.ctx.problems.length;
  const h = workloadHead(d, 'apps/v1');
  const spec = isObj(d.obj.spec) ? d.obj.spec : {};
  const template = parseTemplate(d, ['spec', 'template'], ['Always']);
  const selector = parseSelector(d, ['spec', 'selector'], template);
  const st = isObj(spec.strategy) ? spec.strategy : {};
  const type = st.type ?? 'RollingUpdate';
  let strategy: DeploymentSpec['strategy'] = { type: 'Recreate' };
  if (type === 'RollingUpdate') {
    const ru = isObj(st.rollingUpdate) ? st.rollingUpdate : {};
    const maxSurge = intOrPercent(d, ru.maxSurge, ['spec', 'strategy', 'rollingUpdate', 'maxSurge'], '25%');
    const maxUnavailable = intOrPercent(d, ru.maxUnavailable, ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'], '25%');
    const zero = (x: unknown) => x === 0 || x === '0%';
    if (zero(maxSurge) && zero(maxUnavailable)) d.ctx.err(['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'], 'may not be 0 when `maxSurge` is 0');
    strategy = { type: 'RollingUpdate', maxSurge, maxUnavailable };
  } else if (st.rollingUpdate !== undefined) d.ctx.err(['spec', 'strategy', 'rollingUpdate'], 'may not be specified when strategy `type` is \'Recreate\'');
  const revisionHistoryLimit = int(d.ctx, spec.revisionHistoryLimit, ['spec', 'revisionHistoryLimit'], 0, 1000) ?? 10;
  const n = replicas(d, spec.replicas, ['spec', 'replicas']);
  if (d.ctx.problems.length > before || !h.name || !template || !selector) return undefined;
  return { kind: 'Deployment', ...h, name: h.name, selector, template, replicas: n, strategy, revisionHistoryLimit };
});
