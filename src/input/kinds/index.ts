// The kind registry: one module per kind, one line each here, processed in this order (a kind may refer to the
// kinds before it: pods to the Cluster's nodes, checks to pods and Services). An unknown kind is reported with the
// list of supported ones. Kubernetes kinds are also validated against the upstream schema (schema.ts, in parse.ts).
import type { ClusterSpec, CheckSpec, ConfigMapSpec, NetworkPolicySpec, PodSpec, SecretSpec, ServiceSpec, WorkloadSpec, IngressClassSpec, IngressSpec } from '../types.js';
import type { Problem } from '../problems.js';
import { fmtPath, type DocCtx, type RawDoc } from '../doc.js';
import { parseCluster, type ClusterOptions } from './cluster.js';
import { parseNamespaces } from './namespace.js';
import { parsePod } from './pod.js';
import { parseService, checkServicesTogether } from './service.js';
import { parseChecks } from './check.js';
import { parseNetworkPolicy } from './networkpolicy.js';
import { parseIngress, parseIngressClass } from './ingress.js';
import { SYSTEM_OBJECTS } from '../reserved.js';

/** A user's object that claims a system object's name (model/system.ts adds those to every lab). */
function systemName(ctx: DocCtx, kind: string, key: string): boolean {
  const what = SYSTEM_OBJECTS[`${kind} ${key}`];
  if (what) ctx.err(['metadata', 'name'], `${kind} ${key} is ${what}: a system object of every lab, it cannot be declared`);
  return !!what;
}
import { parseConfigMap, parseSecret } from './configmap.js';
import { deploymentKind } from './deployment.js';
import { replicaSetKind } from './replicaset.js';
import { statefulSetKind } from './statefulset.js';
import { daemonSetKind } from './daemonset.js';
import { jobKind } from './job.js';
import { cronJobKind } from './cronjob.js';

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
  readonly workloads: WorkloadSpec[];
  readonly configMaps: ConfigMapSpec[];
  readonly secrets: SecretSpec[];
  readonly policies: NetworkPolicySpec[];
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
      const p = parsePod(d);
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

const networkPolicy: KindModule = {
  kind: 'NetworkPolicy',
  parseAll(docs, b) {
    for (const d of docs) {
      const ctx = {
        err: (path: (string | number)[], message: string) => d.ctx.err(path, message),
        lineOf: (path: (string | number)[]) => d.ctx.lineOf(path),
        file: d.ctx.file,
        notice: (path: (string | number)[], message: string) => b.notices.push(`${d.ctx.file}:${d.ctx.lineOf(path) ?? '?'}: ${d.ctx.label} ${fmtPath(path)}: ${message}`),
      };
      const np = parseNetworkPolicy(ctx, d.obj);
      if (!np) continue;
      b.policies.push(np);
      b.namespaces.add(np.namespace);
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

const configMap: KindModule = {
  kind: 'ConfigMap',
  parseAll(docs, b) {
    for (const d of docs) {
      const c = parseConfigMap(d);
      if (c) b.configMaps.push(c);
      if (c) b.namespaces.add(c.namespace);
    }
  },
};

const secret: KindModule = {
  kind: 'Secret',
  parseAll(docs, b) {
    for (const d of docs) {
      const s = parseSecret(d);
      if (s) b.secrets.push(s);
      if (s) b.namespaces.add(s.namespace);
    }
  },
};

/** Every kind this build reads, in processing order. */
export const KINDS: readonly KindModule[] = [
  cluster, namespace, configMap, secret, pod, deploymentKind, replicaSetKind, statefulSetKind, daemonSetKind, jobKind, cronJobKind, service, networkPolicy, ingressClass, ingress, check,
];

/** Kinds that `podlab apply` / `delete` change in a running lab (every kind of the registry but the Cluster and Checks). */
export const LIVE_KINDS: readonly string[] = KINDS.map((k) => k.kind).filter((k) => k !== 'Cluster' && k !== 'Check');

export function supportedKinds(): string[] {
  return KINDS.map((k) => k.kind);
}
