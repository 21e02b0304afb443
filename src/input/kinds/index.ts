// The kind registry: one module per kind, one line each here, processed in this order (a kind may refer to the
// kinds before it: pods to the Cluster's nodes, checks to pods and Services). An unknown kind is reported with the
// list of supported ones.
import type { ClusterSpec, CheckSpec, IngressClassSpec, IngressSpec, PodSpec, SecretSpec, ServiceSpec } from '../types.js';
import type { Problem } from '../problems.js';
import type { DocCtx, RawDoc } from '../doc.js';
import { parseCluster, type ClusterOptions } from './cluster.js';
import { parseNamespaces } from './namespace.js';
import { parsePod } from './pod.js';
import { parseService, checkServicesTogether } from './service.js';
import { parseChecks } from './check.js';
import { parseSecret } from './secret.js';
import { parseIngress, parseIngressClass } from './ingress.js';
import { SYSTEM_OBJECTS } from '../reserved.js';

/** A user's object that claims a system object's name (model/system.ts adds those to every lab). */
function systemName(ctx: DocCtx, kind: string, key: string): boolean {
  const what = SYSTEM_OBJECTS[`${kind} ${key}`];
  if (what) ctx.err(['metadata', 'name'], `${kind} ${key} is ${what}: a system object of every lab, it cannot be declared`);
  return !!what;
}

/** What the kinds build together while a file set is read. */
export interface LabBuilder {
  readonly opts: ClusterOptions;
  readonly problems: Problem[];
  readonly notices: string[];
  cluster?: ClusterSpec;
  /** Node names of the Cluster (also when the Cluster had problems, so references can still be checked). */
  readonly nodeNames: string[];
  /** Whether a Cluster document was found at all (references to nodes are only checked then). */
  hasCluster: boolean;
  readonly namespaces: Set<string>;
  readonly namespaceLabels: Map<string, Record<string, string>>;
  readonly pods: PodSpec[];
  /** "ns/name" → the document, for references and messages. */
  readonly podDocs: Map<string, DocCtx>;
  readonly services: ServiceSpec[];
  readonly serviceDocs: Map<string, DocCtx>;
  readonly checks: CheckSpec[];
  readonly secrets: SecretSpec[];
  readonly ingressClasses: IngressClassSpec[];
  readonly ingresses: IngressSpec[];
}

export interface KindModule {
  readonly kind: string;
  /** Validate every document of this kind and add the result to the builder. */
  parseAll(docs: readonly RawDoc[], b: LabBuilder): void;
}

const cluster: KindModule = {
  kind: 'Cluster',
  parseAll(docs, b) {
    b.hasCluster = docs.length > 0;
    for (const extra of docs.slice(1)) extra.ctx.err([], `a second Cluster document (the first is in ${docs[0]!.ctx.file}:${docs[0]!.ctx.lineOf([])}); exactly one is allowed`);
    if (docs[0]) b.cluster = parseCluster(docs[0], b.opts, b.nodeNames);
  },
};

const namespace: KindModule = { kind: 'Namespace', parseAll: parseNamespaces };

const pod: KindModule = {
  kind: 'Pod',
  parseAll(docs, b) {
    for (const d of docs) {
      const p = parsePod(d, b.notices);
      const spec = d.obj.spec as Record<string, unknown> | undefined;
      const nodeName = spec && typeof spec === 'object' ? spec.nodeName : undefined;
      if (typeof nodeName === 'string' && b.hasCluster && !b.nodeNames.includes(nodeName)) {
        d.ctx.err(['spec', 'nodeName'], `unknown node "${nodeName}" (nodes: ${b.nodeNames.join(', ')})`);
      }
      if (!p || systemName(d.ctx, 'Pod', `${p.namespace}/${p.name}`)) continue;
      b.pods.push(p);
      b.podDocs.set(`${p.namespace}/${p.name}`, d.ctx);
      b.namespaces.add(p.namespace);
    }
  },
};

const service: KindModule = {
  kind: 'Service',
  parseAll(docs, b) {
    for (const d of docs) {
      const s = parseService(d, b.cluster);
      if (!s || systemName(d.ctx, 'Service', s.key)) continue;
      b.services.push(s);
      b.serviceDocs.set(s.key, d.ctx);
      b.namespaces.add(s.namespace);
    }
    if (b.cluster) checkServicesTogether(b.services, b.serviceDocs);
  },
};

const secret: KindModule = {
  kind: 'Secret',
  parseAll(docs, b) {
    for (const d of docs) {
      const s = parseSecret(d);
      if (!s) continue;
      b.secrets.push(s);
      b.namespaces.add(s.namespace);
    }
  },
};

const ingressClass: KindModule = {
  kind: 'IngressClass',
  parseAll(docs, b) {
    for (const d of docs) {
      const c = parseIngressClass(d);
      if (c) b.ingressClasses.push(c);
    }
    const defaults = b.ingressClasses.filter((c) => c.isDefault);
    if (defaults.length > 1) for (const d of docs) d.ctx.err(['metadata', 'annotations'], `more than one IngressClass is marked default (${defaults.map((c) => c.name).join(', ')}): an Ingress without ingressClassName would be ambiguous`);
  },
};

const ingress: KindModule = {
  kind: 'Ingress',
  parseAll(docs, b) {
    for (const d of docs) {
      const i = parseIngress(d);
      if (!i) continue;
      b.ingresses.push(i);
      b.namespaces.add(i.namespace);
    }
  },
};

const check: KindModule = {
  kind: 'Check',
  parseAll(docs, b) {
    b.checks.push(...parseChecks(docs, b.cluster, b.podDocs, b.services));
  },
};

/** Every kind this build reads, in processing order. */
export const KINDS: readonly KindModule[] = [cluster, namespace, pod, service, secret, ingressClass, ingress, check];

/** Kinds that `podlab apply` / `delete` change in a running lab (everything but the Cluster and Checks). */
export const LIVE_KINDS: readonly string[] = KINDS.map((k) => k.kind).filter((k) => k !== 'Cluster' && k !== 'Check');

export function supportedKinds(): string[] {
  return KINDS.map((k) => k.kind);
}
