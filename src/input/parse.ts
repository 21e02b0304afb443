// Parse and validate cluster files: multi-document YAML → LabSpec (pure: the caller reads the files).
// Documents are read with their line numbers (doc.ts), then each kind's module validates its documents (kinds/,
// in registry order). Every problem found is collected (file, line, field path) and reported together.
import type { LabSpec } from './types.js';
import { SpecError, type Problem } from './problems.js';
import { readDocuments, keyOfDoc, type RawDoc, type Source } from './doc.js';
import { KINDS, supportedKinds, type LabBuilder } from './kinds/index.js';
import type { ModeSchema } from './kinds/cluster.js';
import { hasSchema, reportSchema, validateSchema } from './schema.js';
import { IgnoredFields } from './usage.js';
import { hostNetworkRuntimeNotice } from './podspec.js';

export type { Source } from './doc.js';
export { objectKey, objectKeysOf, fmtPath, findDocument } from './doc.js';

export interface ParseOptions {
  readonly mode?: string;
  readonly proxyMode?: string;
  /** IPv4 destinations of the host's own routes (not default, not local): the pod CIDR must not overlap them. */
  readonly hostRoutes?: readonly string[];
  /** The modes this build has (the mode registry's names) and their Cluster spec sections. */
  readonly modes: readonly string[];
  /** The kube-proxy modes this build has. */
  readonly proxyModes?: readonly string[];
  readonly schemas: readonly ModeSchema[];
  /** Per mode, how LoadBalancer IPs are announced (the first is the default). */
  readonly lbAnnounce?: Readonly<Record<string, readonly string[]>>;
  /**
   * Live changes (`podlab apply`): a later document with the same kind, namespace and name replaces an earlier one
   * instead of being reported as a duplicate.
   */
  readonly lastWins?: boolean;
  /** Objects removed by `podlab delete`, as objectKey() strings: their documents are skipped. */
  readonly deleted?: readonly string[];
}

/** At most this many problems are listed; the rest are counted ("… and 9,400 more"). */
export const MAX_PROBLEMS = 200;

/** Parse and validate. Throws SpecError listing every problem; returns a complete LabSpec otherwise. */
export function parseLab(sources: readonly Source[], opts: ParseOptions): LabSpec {
  const problems: Problem[] = [];
  let docs = readDocuments(sources, problems);

  // One object, one document: a later duplicate is a problem, unless live changes replace or delete it.
  const gone = new Set(opts.deleted ?? []);
  const last = new Map<string, RawDoc>();
  for (const d of docs) {
    const k = keyOfDoc(d);
    if (k && d.kind !== 'Cluster') last.set(k, d);
  }
  const first = new Map<string, RawDoc>();
  docs = docs.filter((d) => {
    const k = keyOfDoc(d);
    if (!k || d.kind === 'Cluster') return true;
    if (gone.has(k)) return false;
    if (opts.lastWins) return last.get(k) === d;
    const prev = first.get(k);
    if (prev) {
      d.ctx.err(['metadata', 'name'], `duplicate ${k.replace(' ', ' "')}" (first declared at ${prev.ctx.file}:${prev.ctx.lineOf([])})`);
      return false;
    }
    first.set(k, d);
    return true;
  });

  const known = new Set(supportedKinds());
  for (const d of docs) {
    if (known.has(d.kind)) continue;
    d.ctx.err(['kind'], d.kind
      ? `unknown kind "${d.kind}" (supported: ${supportedKinds().join(', ')})`
      : `kind is required (${supportedKinds().join(', ')})`);
  }

  const b: LabBuilder = {
    opts, problems, notices: [], nodeNames: [], hasCluster: false, namespaces: new Set(), namespaceLabels: new Map(),
    pods: [], podDocs: new Map(), services: [], serviceDocs: new Map(), checks: [], workloads: [], configMaps: [], secrets: [], policies: [], ingressClasses: [], ingresses: [],
  };
  if (!docs.some((d) => d.kind === 'Cluster') && problems.length === 0) {
    problems.push({ file: sources.map((s) => s.file).join(', ') || '(no files)', path: 'Cluster', message: 'no Cluster document found: exactly one is required' });
  }
  // Each kind's own checks, then the upstream schema's (type, enum, required, unknown fields) where podlab's own
  // checks said nothing at the same path; the known fields podlab ignores become one notice each.
  const ignored = new IgnoredFields();
  for (const k of KINDS) {
    const mine = docs.filter((d) => d.kind === k.kind);
    const before = problems.length;
    const schemas = mine.map((d) => (hasSchema(d.obj.apiVersion, d.kind) ? validateSchema(d.obj, d.kind) : undefined));
    k.parseAll(mine, b);
    mine.forEach((d, i) => {
      const r = schemas[i];
      if (!r) return;
      reportSchema(d.ctx, r, before);
      ignored.add(d.ctx, d.kind, r.known);
    });
    for (const d of mine) b.notices.push(...d.ctx.notices);
  }
  b.notices.push(...ignored.notices());
  if (b.cluster) {
    for (const p of b.pods) {
      const n = hostNetworkRuntimeNotice(p, b.cluster, `${p.origin.file}:${p.origin.line}: Pod ${p.namespace}/${p.name}`);
      if (n) b.notices.push(n);
    }
    for (const w of b.workloads) {
      const n = hostNetworkRuntimeNotice(w.template, b.cluster, `${w.origin.file}:${w.origin.line}: ${w.key}`);
      if (n) b.notices.push(n);
    }
  }

  if (problems.length > 0 || !b.cluster) throw new SpecError(problems, MAX_PROBLEMS);
  return {
    cluster: b.cluster, namespaces: [...b.namespaces].sort(),
    namespaceLabels: Object.fromEntries([...b.namespaceLabels].sort(([a], [c]) => (a < c ? -1 : 1))),
    pods: b.pods, workloads: b.workloads, configMaps: b.configMaps, secrets: b.secrets, services: b.services, policies: b.policies, checks: b.checks, notices: b.notices,
    ingresses: b.ingresses, ingressClasses: b.ingressClasses,
    ...(gone.size ? { deletedPods: [...gone].filter((k) => k.startsWith('Pod ')).map((k) => k.slice(4)).sort() } : {}),
  };
}
