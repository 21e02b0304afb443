// What the cluster's system objects take (pure): model/system.ts builds them from these, and the kinds refuse a user's
// object that claims one of their names or addresses. Kept in input/ so validation can name the reason without
// reaching up into the model.
import type { Cidr } from '../net/ip.js';
import { nth } from '../net/ip.js';

/** The cluster DNS Service, as kubeadm names it, at the 10th address of serviceCIDR (10.96.0.10 by default). */
export const DNS_SERVICE = { namespace: 'kube-system', name: 'kube-dns', offset: 10 } as const;
/** The API server's Service every cluster has, at the first address. No API server stands behind it in podlab. */
export const API_SERVICE = { namespace: 'default', name: 'kubernetes', offset: 1 } as const;
/** The pod that serves cluster DNS (unbound, workload/dns/), labelled k8s-app=kube-dns as CoreDNS's pods are. */
export const DNS_POD = { namespace: 'kube-system', name: 'cluster-dns' } as const;
export const DNS_LABELS: Readonly<Record<string, string>> = { 'k8s-app': 'kube-dns' };
/** The lab's own outside zone, served by the external host's DNS server (.example is reserved: RFC 2606). */
export const EXTERNAL_ZONE = 'ext.example';
export const DNS_PORT = 53;

/** The smallest serviceCIDR that holds the DNS Service's address (and a broadcast address after it). */
export const SERVICE_CIDR_MAX_PREFIX = 28;

export interface ReservedAddress {
  readonly ip: string;
  readonly owner: string;
  readonly why: string;
}

/** The serviceCIDR addresses user Services may not take, and why. */
export function reservedServiceIps(c: Cidr): ReservedAddress[] {
  const out: ReservedAddress[] = [];
  if (c.size > API_SERVICE.offset + 1) out.push({ ip: nth(c, API_SERVICE.offset), owner: `${API_SERVICE.namespace}/${API_SERVICE.name}`, why: `the first address of serviceCIDR ${c.text}, which every cluster gives the API server's Service ${API_SERVICE.namespace}/${API_SERVICE.name}` });
  if (c.size > DNS_SERVICE.offset + 1) out.push({ ip: nth(c, DNS_SERVICE.offset), owner: `${DNS_SERVICE.namespace}/${DNS_SERVICE.name}`, why: `the 10th address of serviceCIDR ${c.text}, reserved for the cluster DNS Service ${DNS_SERVICE.namespace}/${DNS_SERVICE.name}` });
  return out;
}

/** System objects by kind and "ns/name", with what they are (a user's object of that name is refused). */
export const SYSTEM_OBJECTS: Readonly<Record<string, string>> = {
  [`Service ${DNS_SERVICE.namespace}/${DNS_SERVICE.name}`]: "podlab's cluster DNS Service",
  [`Service ${API_SERVICE.namespace}/${API_SERVICE.name}`]: "the API server's Service podlab adds to every lab",
  [`Pod ${DNS_POD.namespace}/${DNS_POD.name}`]: "podlab's cluster DNS server pod",
};
