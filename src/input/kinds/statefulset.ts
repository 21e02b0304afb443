// kind: StatefulSet (apps/v1): pods <name>-0 … <name>-N-1 with a stable identity (hostname, subdomain from
// serviceName) and a directory per ordinal from volumeClaimTemplates (model/workloads/statefulset.ts).
import { int, isObj, str, DNS_LABEL } from '../fields.js';
import { parseSelector, parseTemplate, replicas, workloadHead, workloadKind } from './workload.js';

export const statefulSetKind = workloadKind('StatefulSet', (d) => {
  const before = d.ctx.problems.length;
  const h = workloadHead(d, 'apps/v1');
  const spec = isObj(d.obj.spec) ? d.obj.spec : {};
  // Pod names <name>-<ordinal> are DNS labels (hostname), so the StatefulSet's name must leave room for the ordinal.
  if (h.name && (!DNS_LABEL.test(h.name) || h.name.length > 52)) d.ctx.err(['metadata', 'name'], `"${h.name}" must be a DNS label of at most 52 characters (its pods are named ${h.name}-0, ${h.name}-1, …)`);
  const claimNames = (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).filter(isObj).map((v) => (isObj(v.metadata) ? String(v.metadata.name ?? '') : ''));
  const template = parseTemplate(d, ['spec', 'template'], ['Always'], claimNames);
  const selector = parseSelector(d, ['spec', 'selector'], template);
  const serviceName = str(d.ctx, spec.serviceName, ['spec', 'serviceName'], { re: DNS_LABEL, what: 'a Service name (DNS label)', max: 63 }) || undefined;
  const policy = spec.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady';
  const vcts = (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []).filter(isObj).map((v, i) => {
    const meta = isObj(v.metadata) ? v.metadata : {};
    const name = str(d.ctx, meta.name, ['spec', 'volumeClaimTemplates', i, 'metadata', 'name'], { required: true, re: DNS_LABEL, what: 'a claim name (DNS label)', max: 63 }) ?? '';
    const vs = isObj(v.spec) ? v.spec : {};
    const res = isObj(vs.resources) && isObj(vs.resources.requests) ? vs.resources.requests : {};
    return { name, ...(res.storage !== undefined ? { storage: String(res.storage) } : {}) };
  });
  const ord = isObj(spec.ordinals) ? spec.ordinals : {};
  const ordinalsStart = int(d.ctx, ord.start, ['spec', 'ordinals', 'start'], 0, 1_000_000) ?? 0;
  const n = replicas(d, spec.replicas, ['spec', 'replicas']);
  if (d.ctx.problems.length > before || !h.name || !template || !selector) return undefined;
  return { kind: 'StatefulSet', ...h, name: h.name, selector, template, replicas: n, serviceName, podManagementPolicy: policy, volumeClaimTemplates: vcts, ordinalsStart };
});
