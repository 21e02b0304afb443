// Reading cluster files: multi-document YAML with line numbers, and the per-document context every kind's
// parser reports its problems through (file, line and the path of the field at fault).
import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import type { Problem } from './problems.js';

export interface Source {
  readonly file: string;
  readonly text: string;
  /** Working directory for container commands declared in this file (the file's folder). */
  readonly dir: string;
}

export type Path = (string | number)[];

/** Where a problem is: one document of one file, labelled "Pod ns/name", "Cluster demo", "document 3". */
export class DocCtx {
  /** Notice lines about this document (what podlab does with a field), collected by parse.ts after its kind. */
  readonly notices: string[] = [];

  constructor(
    readonly doc: Document,
    readonly file: string,
    readonly lc: LineCounter,
    readonly label: string,
    readonly problems: Problem[],
  ) {}

  lineOf(path: Path): number | undefined {
    let node: unknown = this.doc.contents;
    let best: number | undefined = rangeStart(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
        if (!pair) break;
        best = rangeStart(pair.key) ?? best;
        node = pair.value;
        if (!isMap(node) && !isSeq(node)) best = rangeStart(node) ?? best;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        best = rangeStart(node) ?? best;
      } else break;
    }
    return best === undefined ? undefined : this.lc.linePos(best).line;
  }

  err(path: Path, message: string): void {
    this.problems.push({ file: this.file, line: this.lineOf(path), path: `${this.label} ${fmtPath(path)}`.trim(), message });
  }
}

function rangeStart(n: unknown): number | undefined {
  const r = (n as Node | undefined)?.range;
  return r ? r[0] : undefined;
}

export function fmtPath(path: Path): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${k}` : k;
  return s;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One document of a cluster file, parsed but not yet validated. */
export interface RawDoc {
  readonly ctx: DocCtx;
  readonly obj: Record<string, unknown>;
  readonly kind: string;
  /** The folder of the file it came from. */
  readonly dir: string;
}

/** Kinds whose objects do not live in a namespace (podlab's Cluster and Check, Kubernetes' cluster-scoped kinds). */
const CLUSTER_SCOPED = new Set(['Cluster', 'Namespace', 'IngressClass', 'Check', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);
/** Namespaced Kubernetes kinds, named "Kind ns/name" in problems even without metadata.namespace (default). */
const NAMESPACED = new Set(['Pod', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ConfigMap', 'Secret', 'NetworkPolicy', 'Ingress', 'Endpoints', 'EndpointSlice', 'PersistentVolumeClaim', 'ServiceAccount']);

/** "Pod ns/name", "Service ns/name", "Namespace name": how apply/delete and problems name an object. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return CLUSTER_SCOPED.has(kind) ? `${kind} ${name}` : `${kind} ${namespace ?? 'default'}/${name}`;
}

export function metaOf(obj: Record<string, unknown>): { name?: string; namespace?: string } {
  const m = isObj(obj.metadata) ? obj.metadata : {};
  return { name: typeof m.name === 'string' ? m.name : undefined, namespace: typeof m.namespace === 'string' ? m.namespace : undefined };
}

/** The key of a raw document (undefined when it has no kind or name). */
export function keyOfDoc(d: { kind: string; obj: Record<string, unknown> }): string | undefined {
  const m = metaOf(d.obj);
  return d.kind && m.name !== undefined ? objectKey(d.kind, m.namespace, m.name) : undefined;
}

/** Most documents a file set may hold; a YAML alias bomb or a runaway generator is refused, not expanded. */
export const MAX_DOCUMENTS = 20_000;
/** yaml's alias expansion limit: beyond it a document is an alias bomb. */
const MAX_ALIAS_COUNT = 100;

// A long-running reader (the daemon) reads the same large files again on every live change: the YAML syntax trees of
// the last few texts are kept (they are not modified by what follows).
function parseText(text: string) {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  return { lc, list: Array.isArray(parsed) ? parsed : [parsed] };
}
const PARSED = new Map<string, ReturnType<typeof parseText>>();
function parseCached(text: string): ReturnType<typeof parseText> {
  const hit = PARSED.get(text);
  if (hit) return hit;
  const r = parseText(text);
  if (text.length > 4096) {
    if (PARSED.size >= 8) PARSED.delete(PARSED.keys().next().value!);
    PARSED.set(text, r);
  }
  return r;
}

/** Read every document of every source; YAML syntax problems are collected with their file and line. */
export function readDocuments(sources: readonly Source[], problems: Problem[]): RawDoc[] {
  const docs: RawDoc[] = [];
  for (const src of sources) {
    const { lc, list } = parseCached(src.text);
    list.forEach((doc, i) => {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) {
          const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
          problems.push({ file: src.file, line, path: `document ${i + 1}`, message: `YAML syntax: ${e.message.split('\n')[0]}` });
        }
        return;
      }
      let obj: unknown;
      try {
        obj = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        const line = lc.linePos(doc.range[0]).line;
        problems.push({ file: src.file, line, path: `document ${i + 1}`, message: `YAML: ${(e as Error).message.split('\n')[0]} (aliases expand to too much: refusing an alias bomb)` });
        return;
      }
      if (obj === null || obj === undefined) return; // empty document
      const kind = isObj(obj) && typeof obj.kind === 'string' ? obj.kind : '';
      const m = isObj(obj) ? metaOf(obj) : {};
      const namespaced = !CLUSTER_SCOPED.has(kind) && (NAMESPACED.has(kind) || m.namespace !== undefined);
      const label = kind ? (namespaced ? `${kind} ${m.namespace ?? 'default'}/${m.name ?? '?'}` : `${kind} ${m.name ?? '?'}`) : `document ${i + 1}`;
      const ctx = new DocCtx(doc, src.file, lc, label, problems);
      if (!isObj(obj)) {
        ctx.err([], 'a document must be a map with apiVersion and kind');
        return;
      }
      if (docs.length >= MAX_DOCUMENTS) {
        if (docs.length === MAX_DOCUMENTS) problems.push({ file: src.file, line: lc.linePos(doc.range[0]).line, path: `document ${i + 1}`, message: `more than ${MAX_DOCUMENTS} documents: podlab refuses a file set this large` });
        return;
      }
      docs.push({ ctx, obj, kind, dir: src.dir });
    });
  }
  return docs;
}

/** The objects (kind, namespace, name) a set of files declares, without validating them (for apply/delete). */
export function objectKeysOf(sources: readonly Source[]): string[] {
  const out: string[] = [];
  for (const d of readDocuments(sources, [])) {
    const k = keyOfDoc(d);
    if (k) out.push(k);
  }
  return out;
}

/** The last document of a file set that declares `key` (as objectKey() names it), as a plain object. */
export function findDocument(sources: readonly Source[], key: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  for (const d of readDocuments(sources, [])) if (keyOfDoc(d) === key) found = d.obj;
  return found;
}
