// kind: Secret (v1), minimal: metadata, type, data (base64) and stringData (plain text, wins over data), as the
// apiserver merges them. Enough for Ingress TLS (type kubernetes.io/tls: tls.crt and tls.key); the workloads' kinds
// can extend it (env from Secrets, volumes) without changing its shape.
import type { SecretSpec } from '../types.js';
import type { RawDoc } from '../doc.js';
import { checkKeys, isObj, labels, str, DNS_LABEL, DNS_SUBDOMAIN } from '../fields.js';
import { annotationsOf } from './service.js';

/** A data key (ConfigMap/Secret): [-._a-zA-Z0-9]+. */
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Keys a Secret of a built-in type must have (the apiserver's validation). */
const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = { 'kubernetes.io/tls': ['tls.crt', 'tls.key'] };

export function parseSecret(d: RawDoc): SecretSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  checkKeys(ctx, obj, [], ['apiVersion', 'kind', 'metadata', 'type', 'data', 'stringData', 'immutable']);
  if (obj.apiVersion !== 'v1') ctx.err(['apiVersion'], `must be "v1" for a Secret, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) ctx.err(['metadata'], 'is required');
  checkKeys(ctx, meta, ['metadata'], ['name', 'namespace', 'labels', 'annotations']);
  const name = str(ctx, meta.name, ['metadata', 'name'], { required: true, re: DNS_SUBDOMAIN, what: 'a Secret name (DNS subdomain)', max: 253 });
  const namespace = str(ctx, meta.namespace, ['metadata', 'namespace'], { re: DNS_LABEL, what: 'a namespace name (DNS label)', max: 63 }) ?? 'default';
  labels(ctx, meta.labels, ['metadata', 'labels']);
  annotationsOf(ctx, meta.annotations);
  const type = str(ctx, obj.type, ['type']) ?? 'Opaque';
  const data: Record<string, string> = {};
  if (obj.data !== undefined && obj.data !== null) {
    if (!isObj(obj.data)) ctx.err(['data'], 'must be a map of key to base64 text');
    else for (const [k, v] of Object.entries(obj.data)) {
      if (!DATA_KEY.test(k)) ctx.err(['data', k], `"${k}" is not a valid data key ([-._a-zA-Z0-9]+)`);
      const text = typeof v === 'string' ? v.replace(/\s+/g, '') : undefined;
      if (text === undefined || !BASE64.test(text) || text.length % 4 !== 0) ctx.err(['data', k], 'must be base64 text (use stringData for plain text)');
      else data[k] = Buffer.from(text, 'base64').toString('utf8');
    }
  }
  if (obj.stringData !== undefined && obj.stringData !== null) {
    if (!isObj(obj.stringData)) ctx.err(['stringData'], 'must be a map of key to text');
    else for (const [k, v] of Object.entries(obj.stringData)) {
      if (!DATA_KEY.test(k)) ctx.err(['stringData', k], `"${k}" is not a valid data key ([-._a-zA-Z0-9]+)`);
      if (typeof v !== 'string') ctx.err(['stringData', k], 'must be a string');
      else data[k] = v;
    }
  }
  for (const k of REQUIRED_KEYS[type] ?? []) if (data[k] === undefined) ctx.err(['data'], `a Secret of type ${type} needs the key "${k}"`);
  if (ctx.problems.length > before || !name) return undefined;
  return { namespace, name, type, data, origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 } };
}
