// What the controllers' kinds share: the object head, the label selector, the pod template (its body, the labels
// the selector must match, the restartPolicy the controller allows) and the canonical text its pod-template-hash is
// computed over (pure).
import type { IntOrPercent, LabelSelectorSpec, PodTemplate, WorkloadSpec } from '../types.js';
import type { Path, RawDoc } from '../doc.js';
import { int, isObj, labels } from '../fields.js';
import { parsePodBody, podMeta, selectorOf } from '../podspec.js';
import type { KindModule, LabBuilder } from './index.js';
import { objectHead } from './meta.js';

/** Most replicas one workload may ask for in a lab (every replica is a network namespace and processes). */
export const MAX_REPLICAS = 2000;

export interface WorkloadHead {
  readonly name?: string;
  readonly namespace: string;
  readonly key: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly origin: { file: string; line: number };
}

export function workloadHead(d: RawDoc, apiVersion: string): WorkloadHead {
  const { name, namespace, meta } = objectHead(d, apiVersion);
  const { labels: lbls, annotations } = podMeta(d.ctx, meta, ['metadata']);
  return { name, namespace, key: `${d.kind} ${namespace}/${name ?? '?'}`, labels: lbls, annotations, origin: { file: d.ctx.file, line: d.ctx.lineOf([]) ?? 1 } };
}

/** JSON with sorted keys: the same template always gives the same text, whatever the key order in the file. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** A template at `at` (e.g. spec.template); `restart` lists the restartPolicy values the controller accepts (first = default). */
export function parseTemplate(d: RawDoc, at: Path, restart: readonly string[], claims: readonly string[] = []): PodTemplate | undefined {
  const { ctx } = d;
  let raw: unknown = d.obj;
  for (const k of at) raw = isObj(raw) ? raw[k as string] : undefined;
  if (!isObj(raw)) {
    ctx.err(at, 'is required (the pods this controller makes)');
    return undefined;
  }
  const meta = isObj(raw.metadata) ? raw.metadata : {};
  const { labels: lbls, annotations } = podMeta(ctx, meta, [...at, 'metadata']);
  if (!isObj(raw.spec)) {
    ctx.err([...at, 'spec'], 'is required (spec.containers lists what runs in each pod)');
    return undefined;
  }
  const body = parsePodBody(ctx, raw.spec, [...at, 'spec'], d.dir, lbls, annotations, claims);
  const rp = body.restartPolicy ?? restart[0];
  if (!restart.includes(rp!)) ctx.err([...at, 'spec', 'restartPolicy'], `"${rp}" is not allowed for a ${d.kind}: use ${restart.map((r) => `"${r}"`).join(' or ')}`);
  return { ...body, restartPolicy: rp as PodTemplate['restartPolicy'], canonical: canonicalJson(raw) };
}

/** The selector at `at` must select the template's labels (the API server's "`selector` does not match template `labels`"). */
export function parseSelector(d: RawDoc, at: Path, template: PodTemplate | undefined, required = true): LabelSelectorSpec | undefined {
  let raw: unknown = d.obj;
  for (const k of at) raw = isObj(raw) ? raw[k as string] : undefined;
  if (raw === undefined) {
    if (required) d.ctx.err(at, 'is required (a label selector matching spec.template.metadata.labels)');
    return undefined;
  }
  const sel = selectorOf(raw);
  if (!sel) return undefined;
  if (isObj(raw) && isObj(raw.matchLabels)) labels(d.ctx, raw.matchLabels, [...at, 'matchLabels']);
  if (!sel.matchLabels && !sel.matchExpressions?.length) d.ctx.err(at, 'empty selector is invalid for a controller: it would select every pod of the namespace');
  else if (template && !selects(sel, template.labels)) d.ctx.err(['spec', 'template', 'metadata', 'labels'], '`selector` does not match template `labels`');
  return sel;
}

function selects(s: LabelSelectorSpec, l: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (l[k] !== v) return false;
  return (s.matchExpressions ?? []).every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const vals = r.values ?? [];
    switch (r.operator) {
      case 'In': return has && vals.includes(l[r.key]!);
      case 'NotIn': return !has || !vals.includes(l[r.key]!);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

export function replicas(d: RawDoc, v: unknown, at: Path, def = 1): number {
  return int(d.ctx, v, at, 0, MAX_REPLICAS) ?? def;
}

/** A kind module for a controller: parse each document, register what parsed. */
export function workloadKind(kind: WorkloadSpec['kind'], parse: (d: RawDoc, b: LabBuilder) => WorkloadSpec | undefined): KindModule {
  return {
    kind,
    parseAll(docs, b) {
      for (const d of docs) {
        const w = parse(d, b);
        if (!w) continue;
        b.workloads.push(w);
        b.namespaces.add(w.namespace);
      }
    },
  };
}

/** maxSurge / maxUnavailable: an integer ≥ 0 or a percentage. */
export function intOrPercent(d: RawDoc, v: unknown, at: Path, def: IntOrPercent): IntOrPercent {
  if (v === undefined || v === null) return def;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+%$/.test(v)) return v as IntOrPercent;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  d.ctx.err(at, `${JSON.stringify(v)} must be an integer ≥ 0 or a percentage like "25%"`);
  return def;
}
