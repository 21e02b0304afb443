// What every Kubernetes kind's document starts with: apiVersion, metadata.name and metadata.namespace (pure).
import type { RawDoc } from '../doc.js';
import { isObj, str, DNS_LABEL, DNS_SUBDOMAIN } from '../fields.js';

export interface ObjectHead {
  readonly name?: string;
  readonly namespace: string;
  readonly meta: Record<string, unknown>;
}

/**
 * Check apiVersion and the object's name (a DNS subdomain, or a DNS label with `label: true`, at most `max`
 * characters) and namespace.
 */
export function objectHead(d: RawDoc, apiVersion: string, o: { label?: boolean; max?: number; what?: string } = {}): ObjectHead {
  const { ctx, obj } = d;
  if (obj.apiVersion !== apiVersion) ctx.err(['apiVersion'], `must be "${apiVersion}" for a ${d.kind}, got ${JSON.stringify(obj.apiVersion)}`);
  if (!isObj(obj.metadata)) ctx.err(['metadata'], 'is required');
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const what = o.what ?? `a ${d.kind} name (${o.label ? 'DNS label' : 'lower-case DNS subdomain'})`;
  const name = str(ctx, meta.name, ['metadata', 'name'], { required: true, re: o.label ? DNS_LABEL : DNS_SUBDOMAIN, what, max: o.max ?? (o.label ? 63 : 253) });
  const namespace = str(ctx, meta.namespace, ['metadata', 'namespace'], { re: DNS_LABEL, what: 'a namespace name (DNS label)', max: 63 }) ?? 'default';
  return { name, namespace, meta };
}
