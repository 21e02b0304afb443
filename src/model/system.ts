// System objects (pure): the pods and Services podlab adds to every lab, as a real cluster has them besides the
// user's — the cluster DNS (Service kube-system/kube-dns and the pod behind it), default/kubernetes (the API server's
// Service; no API server stands behind it in podlab). Later the ingress controller. Each is marked with its component
// (`system: "dns"`); system pods are scheduled and addressed after every user pod (topology.ts), so adding a system
// component never moves a user's pod, and they are run by their component (workload/dns/), not by the pods' runtime.
import type { ClusterSpec, LabSpec, PodSpec, ServiceSpec } from '../input/types.js';
import { mustCidr, nth } from '../net/ip.js';
import { API_SERVICE, DNS_LABELS, DNS_POD, DNS_PORT, DNS_SERVICE } from '../input/reserved.js';

export { API_SERVICE, DNS_POD, DNS_SERVICE, EXTERNAL_ZONE } from '../input/reserved.js';

export interface SystemObjects {
  readonly pods: readonly PodSpec[];
  readonly services: readonly ServiceSpec[];
  /** Namespaces the system objects live in. */
  readonly namespaces: readonly string[];
}

/** The cluster DNS Service's address: the 10th of serviceCIDR. */
export function dnsServiceIp(c: Pick<ClusterSpec, 'serviceCIDR'>): string {
  return nth(mustCidr(c.serviceCIDR), DNS_SERVICE.offset);
}

export function apiServiceIp(c: Pick<ClusterSpec, 'serviceCIDR'>): string {
  return nth(mustCidr(c.serviceCIDR), API_SERVICE.offset);
}

/** Every system object of a lab, in the order they are scheduled and addressed (after the user's). */
export function systemObjects(lab: LabSpec): SystemObjects {
  const c = lab.cluster;
  const origin = c.origin;
  const base = { externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', sessionAffinity: 'None', affinityTimeoutSeconds: 10800, externalIPs: [], origin } as const;
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
  return { pods: [dnsPod], services: [kubernetes, kubeDns], namespaces: [DNS_POD.namespace, API_SERVICE.namespace] };
}

/** The lab with its system objects: user pods first (so they are scheduled and addressed first), then the system's. */
export function withSystem(lab: LabSpec): LabSpec {
  const sys = systemObjects(lab);
  return {
    ...lab,
    pods: [...lab.pods, ...sys.pods],
    services: [...lab.services, ...sys.services],
    namespaces: [...new Set([...lab.namespaces, ...sys.namespaces])].sort(),
  };
}
