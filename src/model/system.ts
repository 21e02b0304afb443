// System objects (pure): the pods and Services podlab adds to a lab, as a real cluster has them besides the user's —
// the cluster DNS (Service kube-system/kube-dns and the pod behind it) and default/kubernetes (the API server's
// Service; no API server stands behind it in podlab) in every lab; the ingress controller when the lab has an Ingress
// (ingress-nginx's controller pod in namespace ingress-nginx, its Service ingress-nginx-controller, type LoadBalancer on
// 80 and 443 with externalTrafficPolicy Local as ingress-nginx's cloud manifest sets it, and the IngressClass nginx
// marked default). Each is marked with its component (`system: "dns"`, "api", "ingress"); system pods are scheduled
// and addressed after every user pod (topology.ts), so adding a system component never moves a user's pod, and they
// are run by their component (workload/dns/, the ingress controller's builtin nginx), not by the pods' runtime.
import type { ClusterSpec, IngressClassSpec, LabSpec, PodSpec, ServiceSpec } from '../input/types.js';
import { mustCidr, nth } from '../net/ip.js';
import { shortHash } from '../net/hash.js';
import { API_SERVICE, DNS_LABELS, DNS_POD, DNS_PORT, DNS_SERVICE } from '../input/reserved.js';

export { API_SERVICE, DNS_POD, DNS_SERVICE, EXTERNAL_ZONE } from '../input/reserved.js';

export const INGRESS_NAMESPACE = 'ingress-nginx';
export const INGRESS_SERVICE = 'ingress-nginx-controller';
export const INGRESS_CONTROLLER = 'k8s.io/ingress-nginx';
export const INGRESS_CLASS = 'nginx';
export const INGRESS_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller',
};

export interface SystemObjects {
  readonly pods: readonly PodSpec[];
  readonly services: readonly ServiceSpec[];
  /** Namespaces the system objects live in. */
  readonly namespaces: readonly string[];
  /** IngressClasses the system adds (nginx, when the lab has an Ingress and declares no class of that name). */
  readonly ingressClasses: readonly IngressClassSpec[];
}

/** The cluster DNS Service's address: the 10th of serviceCIDR. */
export function dnsServiceIp(c: Pick<ClusterSpec, 'serviceCIDR'>): string {
  return nth(mustCidr(c.serviceCIDR), DNS_SERVICE.offset);
}

export function apiServiceIp(c: Pick<ClusterSpec, 'serviceCIDR'>): string {
  return nth(mustCidr(c.serviceCIDR), API_SERVICE.offset);
}

/** The controller pod's name: the Deployment's name with a ReplicaSet hash and a pod suffix, derived from the cluster. */
export function controllerPodName(cluster: string): string {
  return `${INGRESS_SERVICE}-${shortHash(`${cluster}/ingress-nginx/rs`, 10).replace(/[0-9]/g, (d) => 'bcdfghjkln'[Number(d)]!)}-${shortHash(`${cluster}/ingress-nginx/pod`, 5).replace(/[0-9]/g, (d) => 'bcdfghjkln'[Number(d)]!)}`;
}

const SERVICE_BASE = {
  externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', affinityTimeoutSeconds: 10800, externalIPs: [],
  annotations: {}, loadBalancerSourceRanges: [], allocateLoadBalancerNodePorts: true,
} as const;

function dnsObjects(lab: LabSpec): SystemObjects {
  const c = lab.cluster;
  const origin = c.origin;
  const base = { ...SERVICE_BASE, origin } as const;
  const dnsPod: PodSpec = {
    namespace: DNS_POD.namespace, name: DNS_POD.name, labels: DNS_LABELS, system: 'dns',
    // The DNS server's container: run by workload/dns/ (unbound), not by the pods' runtime.
    containers: [{ name: 'unbound', image: 'unbound', env: {}, workingDir: '/', ports: [
      { containerPort: DNS_PORT, protocol: 'UDP', name: 'dns' },
      { containerPort: DNS_PORT, protocol: 'TCP', name: 'dns-tcp' },
    ] }],
    // As CoreDNS's pods (dnsPolicy: Default): it resolves through the node's resolver, not through itself.
    enableServiceLinks: false, dnsPolicy: 'Default', origin,
  };
  const kubeDns: ServiceSpec = {
    ...base, namespace: DNS_SERVICE.namespace, name: DNS_SERVICE.name, key: `${DNS_SERVICE.namespace}/${DNS_SERVICE.name}`, system: 'dns',
    labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' }, type: 'ClusterIP', clusterIP: dnsServiceIp(c), selector: DNS_LABELS,
    ports: [
      { name: 'dns', protocol: 'UDP', port: DNS_PORT, targetPort: DNS_PORT },
      { name: 'dns-tcp', protocol: 'TCP', port: DNS_PORT, targetPort: DNS_PORT },
    ],
  };
  const kubernetes: ServiceSpec = {
    ...base, namespace: API_SERVICE.namespace, name: API_SERVICE.name, key: `${API_SERVICE.namespace}/${API_SERVICE.name}`, system: 'api',
    labels: { component: 'apiserver', provider: 'kubernetes' }, type: 'ClusterIP', clusterIP: apiServiceIp(c),
    ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }],
  };
  return { pods: [dnsPod], services: [kubernetes, kubeDns], namespaces: [DNS_POD.namespace, API_SERVICE.namespace], ingressClasses: [] };
}

/** The ingress controller, when the lab has an Ingress (none otherwise). */
function ingressObjects(lab: LabSpec): SystemObjects {
  if (!lab.ingresses.length) return { pods: [], services: [], namespaces: [], ingressClasses: [] };
  const origin = lab.ingresses[0]!.origin;
  const pod: PodSpec = {
    namespace: INGRESS_NAMESPACE, name: controllerPodName(lab.cluster.name), labels: { ...INGRESS_LABELS }, system: 'ingress', origin,
    containers: [{
      name: 'controller', builtin: 'ingress-nginx', env: {}, workingDir: '/',
      ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443, protocol: 'TCP', name: 'https' }],
    }],
    // As ingress-nginx's Deployment: ClusterFirst, and the service links a pod gets by default.
    enableServiceLinks: true, dnsPolicy: 'ClusterFirst',
  };
  const svc: ServiceSpec = {
    ...SERVICE_BASE, namespace: INGRESS_NAMESPACE, name: INGRESS_SERVICE, key: `${INGRESS_NAMESPACE}/${INGRESS_SERVICE}`, labels: { ...INGRESS_LABELS },
    type: 'LoadBalancer', selector: { ...INGRESS_LABELS }, externalTrafficPolicy: 'Local', system: 'ingress', origin,
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }, { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' }],
  };
  const userHas = lab.services.some((s) => s.key === svc.key);
  const classes: IngressClassSpec[] = lab.ingressClasses.some((x) => x.name === INGRESS_CLASS) ? []
    : [{ name: INGRESS_CLASS, controller: INGRESS_CONTROLLER, isDefault: !lab.ingressClasses.some((x) => x.isDefault), origin }];
  return { pods: [pod], services: userHas ? [] : [svc], namespaces: [INGRESS_NAMESPACE], ingressClasses: classes };
}

/** Every system object of a lab, in the order they are scheduled and addressed (after the user's): DNS, then ingress. */
export function systemObjects(lab: LabSpec): SystemObjects {
  const parts = [dnsObjects(lab), ingressObjects(lab)];
  return {
    pods: parts.flatMap((p) => p.pods), services: parts.flatMap((p) => p.services),
    namespaces: parts.flatMap((p) => p.namespaces), ingressClasses: parts.flatMap((p) => p.ingressClasses),
  };
}

/** The lab with its system objects: user pods first (so they are scheduled and addressed first), then the system's. */
export function withSystem(lab: LabSpec): LabSpec {
  const sys = systemObjects(lab);
  return {
    ...lab,
    pods: [...lab.pods, ...sys.pods],
    services: [...lab.services, ...sys.services],
    namespaces: [...new Set([...lab.namespaces, ...sys.namespaces])].sort(),
    ingressClasses: [...lab.ingressClasses, ...sys.ingressClasses],
  };
}
