// kind: ConfigMap (v1) and kind: Secret (v1): the objects pods read through env, envFrom and volumes. A pod that names
// a missing one is not a problem of the files (Kubernetes accepts it): the model keeps it Pending (model/env.ts).
import type { ConfigMapSpec, SecretSpec } from '../types.js';
import type { Path, RawDoc } from '../doc.js';
import { isObj } from '../fields.js';
import { objectHead } from './meta.js';

/** A key of a ConfigMap or Secret: what a file name inside a volume may be. */
export const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
/** The API server's limit on one object (etcd's request size): 1 MiB of data. */
export const MAX_DATA_BYTES = 1024 * 1024;

function keys(d: RawDoc, v: unknown, at: Path): [string, string][] {
  if (!isObj(v)) return [];
  const out: [string, string][] = [];
  for (const [k, x] of Object.entries(v)) {
    if (!CONFIG_KEY.test(k) || k.length > 253 || k === '.' || k === '..') d.ctx.err([...at, k], `"${k}" is not a valid key: use letters, digits, '-', '_' or '.' (at most 253)`);
    else if (typeof x === 'string') out.push([k, x]);
  }
  return out;
}

function sizeCheck(d: RawDoc, bytes: number): void {
  if (bytes > MAX_DATA_BYTES) d.ctx.err([], `holds ${bytes} bytes of data: Kubernetes stores at most ${MAX_DATA_BYTES} (1 MiB) in one object`);
}

export function parseConfigMap(d: RawDoc): ConfigMapSpec | undefined {
  const before = d.ctx.problems.length;
  const { name, namespace } = objectHead(d, 'v1');
  const data = Object.fromEntries(keys(d, d.obj.data, ['data']));
  const binaryData = Object.fromEntries(keys(d, d.obj.binaryData, ['binaryData']));
  for (const k of Object.keys(binaryData)) if (k in data) d.ctx.err(['binaryData', k], `duplicate of data.${k}: a key may be in data or binaryData, not both`);
  sizeCheck(d, Object.values(data).reduce((n, v) => n + Buffer.byteLength(v), 0) + Object.values(binaryData).reduce((n, v) => n + Math.floor(v.length * 3 / 4), 0));
  if (d.ctx.problems.length > before || !name) return undefined;
  return { namespace, name, data, binaryData, origin: { file: d.ctx.file, line: d.ctx.lineOf([]) ?? 1 } };
}

export function parseSecret(d: RawDoc): SecretSpec | undefined {
  const before = d.ctx.problems.length;
  const { name, namespace } = objectHead(d, 'v1');
  const base64: Record<string, string> = {};
  for (const [k, v] of keys(d, d.obj.data, ['data'])) base64[k] = v.replace(/\s+/g, '');
  for (const [k, v] of keys(d, d.obj.stringData, ['stringData'])) base64[k] = Buffer.from(v, 'utf8').toString('base64');
  const data = Object.fromEntries(Object.entries(base64).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  sizeCheck(d, Object.values(base64).reduce((n, v) => n + Math.floor(v.length * 3 / 4), 0));
  const type = typeof d.obj.type === 'string' && d.obj.type ? d.obj.type : 'Opaque';
  // As the API server validates them: a TLS Secret carries both keys.
  if (type === 'kubernetes.io/tls') for (const k of ['tls.crt', 'tls.key']) if (!(k in base64)) d.ctx.err(['data'], `a Secret of type kubernetes.io/tls needs the key "${k}"`);
  if (d.ctx.problems.length > before || !name) return undefined;
  return { namespace, name, type, data, base64, origin: { file: d.ctx.file, line: d.ctx.lineOf([]) ?? 1 } };
}
