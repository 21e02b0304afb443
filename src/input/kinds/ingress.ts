// kind: Ingress and IngressClass (networking.k8s.io/v1): host and path rules (Prefix, Exact,
// ImplementationSpecific), the default backend, TLS with Secrets; classes with their controller and the
// is-default-class annotation. References to Services and Secrets are resolved later (a missing one is what the
// controller reports: 503 for a Service, its fake certificate for a Secret), as Kubernetes accepts them.
import type { IngressBackendSpec, IngressClassSpec, IngressPathSpec, IngressSpec } from '../types.js';
import type { DocCtx, Path, RawDoc } from '../doc.js';
import { checkKeys, int, isObj, labels, list, str, DNS_LABEL, DNS_SUBDOMAIN, PORT_NAME } from '../fields.js';
import { annotationsOf } from './service.js';

export const INGRESS_API = 'networking.k8s.io/v1';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const PATH_TYPES = ['Prefix', 'Exact', 'ImplementationSpecific'] as const;
/** A host: a DNS subdomain, or a wildcard "*." followed by one. */
const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function metadata(ctx: DocCtx, obj: Record<string, unknown>, kind: string, namespaced: boolean) {
  if (obj.apiVersion !== INGRESS_API) ctx.err(['apiVersion'], `must be "${INGRESS_API}" for an ${kind}, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) ctx.err(['metadata'], 'is required');
  checkKeys(ctx, meta, ['metadata'], namespaced ? ['name', 'namespace', 'labels', 'annotations'] : ['name', 'labels', 'annotations']);
  const name = str(ctx, meta.name, ['metadata', 'name'], { required: true, re: DNS_SUBDOMAIN, what: `an ${kind} name (DNS subdomain)`, max: 253 });
  const namespace = namespaced ? str(ctx, meta.namespace, ['metadata', 'namespace'], { re: DNS_LABEL, what: 'a namespace name (DNS label)', max: 63 }) ?? 'default' : '';
  labels(ctx, meta.labels, ['metadata', 'labels']);
  return { name, namespace, annotations: annotationsOf(ctx, meta.annotations) };
}

function backend(ctx: DocCtx, v: unknown, p: Path): IngressBackendSpec | undefined {
  if (!isObj(v)) {
    ctx.err(p, 'must be {service: {name, port: {number}}}');
    return undefined;
  }
  checkKeys(ctx, v, p, ['service', 'resource']);
  if (v.resource !== undefined) ctx.err([...p, 'resource'], 'resource backends are not supported (only service backends)');
  if (!isObj(v.service)) {
    ctx.err([...p, 'service'], 'is required: {name, port: {number}} or {name, port: {name}}');
    return undefined;
  }
  checkKeys(ctx, v.service, [...p, 'service'], ['name', 'port']);
  const name = str(ctx, v.service.name, [...p, 'service', 'name'], { required: true, re: DNS_LABEL, what: 'a Service name', max: 63 });
  const port = v.service.port;
  let pv: number | string | undefined;
  if (!isObj(port)) ctx.err([...p, 'service', 'port'], 'is required: {number: 80} or {name: http}');
  else {
    checkKeys(ctx, port, [...p, 'service', 'port'], ['number', 'name']);
    if ((port.number === undefined) === (port.name === undefined)) ctx.err([...p, 'service', 'port'], 'needs exactly one of number and name');
    else if (port.number !== undefined) pv = int(ctx, port.number, [...p, 'service', 'port', 'number'], 1, 65535);
    else pv = str(ctx, port.name, [...p, 'service', 'port', 'name'], { re: PORT_NAME, what: 'a port name', max: 15 });
  }
  return name && pv !== undefined ? { service: name, port: pv } : undefined;
}

export function parseIngress(d: RawDoc): IngressSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  checkKeys(ctx, obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  const { name, namespace } = metadata(ctx, obj, 'Ingress', true);
  const spec = isObj(obj.spec) ? obj.spec : {};
  if (!isObj(obj.spec)) ctx.err(['spec'], 'is required (rules or defaultBackend)');
  checkKeys(ctx, spec, ['spec'], ['ingressClassName', 'defaultBackend', 'rules', 'tls']);
  const ingressClassName = str(ctx, spec.ingressClassName, ['spec', 'ingressClassName'], { re: DNS_SUBDOMAIN, what: 'an IngressClass name', max: 253 });
  const defaultBackend = spec.defaultBackend === undefined ? undefined : backend(ctx, spec.defaultBackend, ['spec', 'defaultBackend']);
  const rules: { host?: string; paths: IngressPathSpec[] }[] = [];
  (list(ctx, spec.rules, ['spec', 'rules'], 'a list of {host, http: {paths}}') ?? []).forEach((r, i) => {
    const rp: Path = ['spec', 'rules', i];
    if (!isObj(r)) return ctx.err(rp, 'must be {host, http: {paths}}');
    checkKeys(ctx, r, rp, ['host', 'http']);
    const host = str(ctx, r.host, [...rp, 'host'], { re: HOST, what: 'a host name (DNS subdomain, "*." wildcard allowed; no IP, no port)', max: 253 });
    const paths: IngressPathSpec[] = [];
    if (!isObj(r.http)) ctx.err([...rp, 'http'], 'is required: {paths: [{path, pathType, backend}]}');
    else {
      checkKeys(ctx, r.http, [...rp, 'http'], ['paths']);
      const ps = list(ctx, r.http.paths, [...rp, 'http', 'paths'], 'a list of {path, pathType, backend}');
      if (!ps || ps.length === 0) ctx.err([...rp, 'http', 'paths'], 'at least one path is required');
      (ps ?? []).forEach((pt, j) => {
        const pp: Path = [...rp, 'http', 'paths', j];
        if (!isObj(pt)) return ctx.err(pp, 'must be {path, pathType, backend}');
        checkKeys(ctx, pt, pp, ['path', 'pathType', 'backend']);
        const pathType = str(ctx, pt.pathType, [...pp, 'pathType'], { required: true });
        if (pathType !== undefined && !(PATH_TYPES as readonly string[]).includes(pathType)) ctx.err([...pp, 'pathType'], `"${pathType}" is not one of ${PATH_TYPES.join(', ')}`);
        const path = str(ctx, pt.path, [...pp, 'path']) ?? (pathType === 'ImplementationSpecific' ? '/' : undefined);
        if (path === undefined) ctx.err([...pp, 'path'], `is required for pathType ${pathType}`);
        else if (!path.startsWith('/')) ctx.err([...pp, 'path'], `"${path}" must be an absolute path (start with /)`);
        else if (/[\s{};]/.test(path)) ctx.err([...pp, 'path'], `"${path}" may not hold spaces, braces or semicolons`);
        const b = backend(ctx, pt.backend, [...pp, 'backend']);
        if (path && b && pathType && (PATH_TYPES as readonly string[]).includes(pathType)) paths.push({ path, pathType: pathType as IngressPathSpec['pathType'], backend: b });
      });
    }
    rules.push({ host, paths });
  });
  if (rules.length === 0 && !defaultBackend && !ctx.problems.slice(before).length) ctx.err(['spec'], 'needs rules or a defaultBackend');
  const tls: { hosts: string[]; secretName: string }[] = [];
  (list(ctx, spec.tls, ['spec', 'tls'], 'a list of {hosts, secretName}') ?? []).forEach((x, i) => {
    const tp: Path = ['spec', 'tls', i];
    if (!isObj(x)) return ctx.err(tp, 'must be {hosts, secretName}');
    checkKeys(ctx, x, tp, ['hosts', 'secretName']);
    const hosts = (list(ctx, x.hosts, [...tp, 'hosts'], 'a list of host names') ?? []).map((h, j) => str(ctx, h, [...tp, 'hosts', j], { re: HOST, what: 'a host name', max: 253 })).filter((h): h is string => !!h);
    const secretName = str(ctx, x.secretName, [...tp, 'secretName'], { required: true, re: DNS_SUBDOMAIN, what: 'a Secret name', max: 253 });
    if (secretName) tls.push({ hosts, secretName });
  });
  if (ctx.problems.length > before || !name) return undefined;
  return { namespace, name, key: `${namespace}/${name}`, ingressClassName, defaultBackend, rules, tls, origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 } };
}

export function parseIngressClass(d: RawDoc): IngressClassSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  checkKeys(ctx, obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  const { name, annotations } = metadata(ctx, obj, 'IngressClass', false);
  const spec = isObj(obj.spec) ? obj.spec : {};
  checkKeys(ctx, spec, ['spec'], ['controller', 'parameters']);
  const controller = str(ctx, spec.controller, ['spec', 'controller'], { required: true, re: /^[a-z0-9.-]+\/[-a-zA-Z0-9._/]+$/, what: 'a controller name like k8s.io/ingress-nginx' });
  const def = annotations[DEFAULT_CLASS_ANNOTATION];
  if (def !== undefined && def !== 'true' && def !== 'false') ctx.err(['metadata', 'annotations', DEFAULT_CLASS_ANNOTATION], 'must be "true" or "false"');
  if (ctx.problems.length > before || !name || !controller) return undefined;
  return { name, controller, isDefault: def === 'true', origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 } };
}
