// Validation of Kubernetes documents against the upstream OpenAPI schema (pure). The validators are the ones the
// `kubernetes-models` package generates from Kubernetes' own OpenAPI definitions (types, enums, required fields,
// formats such as base64 and quantities). Those validators allow unknown fields, as the API server's non-strict
// decoding does; kubectl validates strictly, so podlab does too: the document is validated through a Proxy that
// records which property names the validator looked up at each object. A property the schema knows is always looked
// up (`data.x === undefined`), a map's keys are enumerated (labels, data), and whatever key of the document was never
// looked up is a field Kubernetes does not know. The same record tells which known fields a document uses, so
// usage.ts can say which of them podlab ignores.
//
// The validators are loaded on first use, synchronously (createRequire), so commands that parse no file do not pay
// for them.
import { createRequire } from 'node:module';
import type { DocCtx, Path } from './doc.js';
import { isObj } from './doc.js';

/** apiVersion/kind → the module of kubernetes-models that holds its model class. */
const MODELS: Readonly<Record<string, string>> = {
  'v1/Pod': 'v1/Pod', 'v1/Service': 'v1/Service', 'v1/Namespace': 'v1/Namespace', 'v1/ConfigMap': 'v1/ConfigMap', 'v1/Secret': 'v1/Secret',
  'apps/v1/Deployment': 'apps/v1/Deployment', 'apps/v1/ReplicaSet': 'apps/v1/ReplicaSet', 'apps/v1/StatefulSet': 'apps/v1/StatefulSet',
  'apps/v1/DaemonSet': 'apps/v1/DaemonSet', 'batch/v1/Job': 'batch/v1/Job', 'batch/v1/CronJob': 'batch/v1/CronJob',
};

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}
type ValidateFn = (this: unknown) => void;

const loaded = new Map<string, ValidateFn>();
let req: NodeJS.Require | undefined;

function validatorFor(apiVersion: string, kind: string): ValidateFn | undefined {
  const mod = MODELS[`${apiVersion}/${kind}`];
  if (!mod) return undefined;
  let fn = loaded.get(mod);
  if (!fn) {
    req ??= createRequire(import.meta.url);
    const m = req(`kubernetes-models/${mod}`) as Record<string, { prototype: { validate: ValidateFn } }>;
    fn = m[kind]!.prototype.validate;
    loaded.set(mod, fn);
  }
  return fn;
}

/** Whether podlab validates this apiVersion/kind against the Kubernetes schema. */
export function hasSchema(apiVersion: unknown, kind: string): boolean {
  return typeof apiVersion === 'string' && MODELS[`${apiVersion}/${kind}`] !== undefined;
}

/** What the schema said about one document. */
export interface SchemaResult {
  /** Type, enum, format and required-field problems, one per path. */
  readonly problems: readonly { readonly path: Path; readonly message: string }[];
  /** Fields the schema does not know, with the known names at that level (for "did you mean"). */
  readonly unknown: readonly { readonly path: Path; readonly known: readonly string[] }[];
  /** Every field of the document the schema knows (objects with fixed properties only, not map keys). */
  readonly known: readonly Path[];
}

/** Validate a Kubernetes document. Undefined when podlab has no schema for its apiVersion/kind. */
export function validateSchema(obj: Record<string, unknown>, kind: string): SchemaResult | undefined {
  const fn = validatorFor(String(obj.apiVersion), kind);
  if (!fn) return undefined;
  const looked = new Map<object, Set<string>>();
  const enumerated = new Set<object>();
  const proxies = new WeakMap<object, object>();
  const wrap = (v: object): object => {
    let p = proxies.get(v);
    if (p) return p;
    p = new Proxy(v, {
      get(t, k, r) {
        if (typeof k === 'string') {
          let s = looked.get(t);
          if (!s) looked.set(t, (s = new Set()));
          s.add(k);
        }
        const x = Reflect.get(t, k, r) as unknown;
        return typeof x === 'object' && x !== null ? wrap(x) : x;
      },
      ownKeys(t) {
        enumerated.add(t);
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(v, p);
    return p;
  };
  let errors: readonly AjvError[] = [];
  try {
    fn.call(wrap(obj));
  } catch (e) {
    errors = ((e as { errors?: AjvError[] }).errors ?? []);
  }

  const unknown: { path: Path; known: string[] }[] = [];
  const known: Path[] = [];
  const walk = (v: unknown, path: Path): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...path, i]));
    if (!isObj(v)) return;
    const seen = looked.get(v);
    // A map (labels, data, resources.limits) is enumerated: any key is fine. An object nothing looked into is free-form
    // (or was not reached because its parent already failed).
    if (!seen || enumerated.has(v)) return;
    for (const [k, x] of Object.entries(v)) {
      if (!seen.has(k)) unknown.push({ path: [...path, k], known: [...seen].filter((s) => s !== 'length').sort() });
      else {
        known.push([...path, k]);
        walk(x, [...path, k]);
      }
    }
  };
  walk(obj, []);
  return { problems: describe(errors, obj), unknown, known };
}

/** JSON pointer → a path with numbers for list indexes (as DocCtx wants it). */
function toPath(pointer: string, root: unknown): Path {
  const out: Path = [];
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(seg);
      out.push(i);
      node = node[i];
    } else {
      out.push(seg);
      node = isObj(node) ? node[seg] : undefined;
    }
  }
  return out;
}

function valueAt(root: unknown, path: Path): unknown {
  let n: unknown = root;
  for (const k of path) n = Array.isArray(n) ? n[k as number] : isObj(n) ? n[k as string] : undefined;
  return n;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: 'an integer', string: 'a string', object: 'a map', array: 'a list', boolean: 'true or false', number: 'a number',
};
const FORMAT_WORDS: Readonly<Record<string, string>> = {
  byte: 'base64 data', int32: 'a 32-bit integer', int64: 'a 64-bit integer', quantity: 'a quantity (like 100m, 64Mi, 2)',
  'date-time': 'a date-time (RFC 3339)', 'int-or-string': 'an integer or a string',
};

/** One readable message per path, in kubectl's spirit: what the field must be and what it was. */
function describe(errors: readonly AjvError[], root: unknown): { path: Path; message: string }[] {
  const byPath = new Map<string, AjvError[]>();
  for (const e of errors) {
    const key = e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty)}` : e.instancePath;
    const l = byPath.get(key) ?? [];
    l.push(e);
    byPath.set(key, l);
  }
  const out: { path: Path; message: string }[] = [];
  for (const [key, es] of byPath) {
    const path = toPath(key, root);
    const got = JSON.stringify(valueAt(root, path));
    const e = es.find((x) => x.keyword === 'oneOf' || x.keyword === 'anyOf') ?? es[0]!;
    // Go's base64 decoder (how the API server reads `byte` fields) skips line breaks; the schema's pattern does not.
    const v = valueAt(root, path);
    if (e.keyword === 'format' && e.params.format === 'byte' && typeof v === 'string' && BASE64.test(v.replace(/[\r\n]/g, ''))) continue;
    let message: string;
    switch (e.keyword) {
      case 'required': message = 'is required'; break;
      case 'type': {
        const t = String(e.params.type).split(',');
        message = `must be ${t.map((x) => TYPE_WORDS[x] ?? x).join(' or ')}, got ${got}`;
        break;
      }
      case 'enum': message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${got}`; break;
      case 'format': message = `must be ${FORMAT_WORDS[String(e.params.format)] ?? `in format "${String(e.params.format)}"`}, got ${got}`; break;
      case 'oneOf': case 'anyOf': {
        const types = es.filter((x) => x.keyword === 'type').map((x) => TYPE_WORDS[String(x.params.type)] ?? String(x.params.type));
        message = types.length ? `must be ${[...new Set(types)].join(' or ')}, got ${got}` : `${e.message ?? 'is invalid'}, got ${got}`;
        break;
      }
      default: message = `${e.message ?? 'is invalid'} (${e.keyword})`;
    }
    out.push({ path, message });
  }
  return out;
}

/** The closest known name to a misspelt one (edit distance ≤ 2, or a case-only difference). */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    if (k.toLowerCase() === name.toLowerCase()) return k;
    const d = editDistance(name, k, bestD);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Report a document's schema problems and unknown fields through its context, except at paths podlab's own checks
 * already reported (their messages carry podlab's hints).
 */
export function reportSchema(ctx: DocCtx, r: SchemaResult, reportedBefore: number): void {
  const ours = new Set(ctx.problems.slice(reportedBefore).filter((p) => p.file === ctx.file && p.path.startsWith(ctx.label + ' ')).map((p) => p.path.slice(ctx.label.length + 1)));
  const fmt = (p: Path) => p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');
  for (const u of r.unknown) {
    const name = String(u.path[u.path.length - 1]);
    const hint = didYouMean(name, u.known);
    ctx.err(u.path, `unknown field "${name}": Kubernetes does not know it${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }
  for (const p of r.problems) if (!ours.has(fmt(p.path))) ctx.err(p.path, p.message);
}
