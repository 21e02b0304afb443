// kind: Namespace (v1): optional (namespaces named by other objects exist implicitly); carries labels.
import type { RawDoc } from '../doc.js';
import { isObj, labels, str, DNS_LABEL } from '../fields.js';
import type { LabBuilder } from './index.js';

export function parseNamespaces(docs: readonly RawDoc[], b: LabBuilder): void {
  for (const d of docs) {
    if (d.obj.apiVersion !== 'v1') d.ctx.err(['apiVersion'], `must be "v1" for a Namespace`);
    const meta = isObj(d.obj.metadata) ? d.obj.metadata : {};
    const lbls = labels(d.ctx, meta.labels, ['metadata', 'labels']);
    const name = str(d.ctx, meta.name, ['metadata', 'name'], { required: true, re: DNS_LABEL, what: 'a DNS label', max: 63 });
    if (name) {
      const auto = lbls['kubernetes.io/metadata.name'];
      if (auto !== undefined && auto !== name) d.ctx.err(['metadata', 'labels', 'kubernetes.io/metadata.name'], `is set by Kubernetes to the namespace's name ("${name}"), not "${auto}"`);
      b.namespaces.add(name);
      b.namespaceLabels.set(name, lbls);
    }
  }
}
