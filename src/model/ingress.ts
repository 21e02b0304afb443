// Ingresses as the controller sees them (pure): which Ingresses the nginx class serves (by ingressClassName, or the
// default class for those without one), their rules merged per host in the order ingress-nginx keeps (the older
// Ingress wins a duplicate path), backends resolved to the Service port's endpoints (ingress-nginx proxies to pod
// IPs, not to the ClusterIP), and TLS certificates from kubernetes.io/tls Secrets.
import type { LabSpec, IngressBackendSpec, IngressSpec } from '../input/types.js';
import type { ServiceT, EndpointT } from './services.js';
import { INGRESS_CONTROLLER, INGRESS_NAMESPACE, controllerPodName } from './system.js';

export interface BackendT {
  /** "ns/name:port" as written. */
  readonly service: string;
  readonly port: number | string;
  /** "ns-name-port", ingress-nginx's upstream name. */
  readonly upstream: string;
  readonly endpoints: readonly Pick<EndpointT, 'pod' | 'ip' | 'port'>[];
  /** Why there is nothing to proxy to (no such Service or port): the controller answers 503. */
  readonly missing?: string;
}

export interface IngressPathT {
  readonly path: string;
  readonly pathType: 'Prefix' | 'Exact' | 'ImplementationSpecific';
  readonly backend: BackendT;
  /** The Ingress that declared it. */
  readonly ingress: string;
}

export interface IngressHostT {
  /** "" for rules without a host (they join the default server). */
  readonly host: string;
  readonly paths: readonly IngressPathT[];
  /** PEM of the certificate and key (kubernetes.io/tls Secret), or undefined: the controller's fake certificate. */
  readonly tls?: { readonly secret: string; readonly cert: string; readonly key: string };
}

export interface IngressT {
  /** The controller pod ("ingress-nginx/ingress-nginx-controller-…"). */
  readonly controller: string;
  readonly served: readonly string[];
  /** Ingresses of another class (not this controller's). */
  readonly ignored: readonly string[];
  readonly hosts: readonly IngressHostT[];
  /** An Ingress's spec.defaultBackend (the first served one), else the controller's own 404. */
  readonly defaultBackend?: BackendT;
  readonly notices: readonly string[];
}

function backendOf(ns: string, b: IngressBackendSpec, services: readonly ServiceT[]): BackendT {
  const svc = services.find((s) => s.namespace === ns && s.name === b.service);
  const upstream = `${ns}-${b.service}-${b.port}`;
  const base = { service: `${ns}/${b.service}`, port: b.port, upstream };
  if (!svc) return { ...base, endpoints: [], missing: `no Service ${ns}/${b.service}` };
  const port = svc.ports.find((p) => (typeof b.port === 'number' ? p.port === b.port : p.name === b.port));
  if (!port) return { ...base, endpoints: [], missing: `Service ${svc.key} has no port ${b.port}` };
  return { ...base, endpoints: port.endpoints.map((e) => ({ pod: e.pod, ip: e.ip, port: e.port })) };
}

export function resolveIngress(lab: LabSpec, services: readonly ServiceT[]): IngressT | undefined {
  if (!lab.ingresses.length) return undefined;
  const ours = new Set(lab.ingressClasses.filter((c) => c.controller === INGRESS_CONTROLLER).map((c) => c.name));
  const def = lab.ingressClasses.find((c) => c.isDefault);
  const notices: string[] = [];
  const served: IngressSpec[] = [];
  const ignored: string[] = [];
  for (const i of lab.ingresses) {
    const cls = i.ingressClassName ?? def?.name;
    if (cls && ours.has(cls)) served.push(i);
    else {
      ignored.push(i.key);
      notices.push(`${i.origin.file}:${i.origin.line}: Ingress ${i.key}: ${cls ? `class "${cls}" is not served by ${INGRESS_CONTROLLER}` : 'no ingressClassName and no default IngressClass'}; podlab's controller leaves it alone`);
    }
  }
  const hosts = new Map<string, { paths: IngressPathT[]; tls?: IngressHostT['tls'] }>();
  const hostOf = (h: string) => {
    let e = hosts.get(h);
    if (!e) hosts.set(h, (e = { paths: [] }));
    return e;
  };
  let defaultBackend: BackendT | undefined;
  for (const i of served) {
    if (i.defaultBackend && !defaultBackend) defaultBackend = backendOf(i.namespace, i.defaultBackend, services);
    for (const r of i.rules) {
      const h = hostOf(r.host ?? '');
      for (const p of r.paths) {
        const dup = h.paths.find((x) => x.path === p.path && x.pathType === p.pathType);
        if (dup) {
          notices.push(`${i.origin.file}:${i.origin.line}: Ingress ${i.key}: ${r.host ?? '*'} ${p.path} is already served by Ingress ${dup.ingress} (the older one wins)`);
          continue;
        }
        const backend = backendOf(i.namespace, p.backend, services);
        if (backend.missing) notices.push(`${i.origin.file}:${i.origin.line}: Ingress ${i.key}: ${backend.missing}: ${r.host ?? '*'} ${p.path} answers 503`);
        h.paths.push({ path: p.path, pathType: p.pathType, backend, ingress: i.key });
      }
    }
    for (const x of i.tls) {
      const sec = lab.secrets.find((s) => s.namespace === i.namespace && s.name === x.secretName);
      const key = `${i.namespace}/${x.secretName}`;
      const why = !sec ? `no Secret ${key}` : sec.type !== 'kubernetes.io/tls' ? `Secret ${key} is of type ${sec.type}, not kubernetes.io/tls`
        : sec.data['tls.crt'] === undefined || sec.data['tls.key'] === undefined ? `Secret ${key} lacks tls.crt or tls.key` : undefined;
      if (why) notices.push(`${i.origin.file}:${i.origin.line}: Ingress ${i.key}: ${why}; ${x.hosts.join(', ') || 'its hosts'} get the controller's fake certificate`);
      for (const host of x.hosts) {
        const h = hostOf(host);
        if (!why && !h.tls) h.tls = { secret: key, cert: sec!.data['tls.crt']!, key: sec!.data['tls.key']! };
      }
    }
  }
  return {
    controller: `${INGRESS_NAMESPACE}/${controllerPodName(lab.cluster.name)}`, served: served.map((i) => i.key), ignored,
    hosts: [...hosts].map(([host, e]) => ({ host, paths: e.paths, ...(e.tls ? { tls: e.tls } : {}) })).sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)),
    ...(defaultBackend ? { defaultBackend } : {}), notices,
  };
}
