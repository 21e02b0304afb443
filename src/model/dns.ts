// Cluster DNS records (pure), as the Kubernetes DNS specification defines them (kubernetes/dns docs/specification.md)
// and CoreDNS's kubernetes plugin answers them, from the Topology:
//   <svc>.<ns>.svc.<domain>               A      the ClusterIP (ClusterIP and NodePort Services)
//                                         A      every ready endpoint's IP (headless Services)
//                                         CNAME  the externalName (ExternalName Services)
//   <host>.<svc>.<ns>.svc.<domain>        A      a headless Service's endpoint: <host> is the pod's hostname when its
//                                                 subdomain names the Service, else its dashed IP (a-b-c-d), as CoreDNS
//   _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV 0 <weight> <port> <target>   for every named port: the Service name
//                                                 (ClusterIP), or each endpoint's own name and port (headless); the
//                                                 weight is CoreDNS's: floor(100 / records)
//   a-b-c-d.<ns>.pod.<domain>             A      every pod's IP (CoreDNS "pods verified": only pods that exist)
//   dns-version.<domain>                  TXT    "1.1.0", the specification's schema version
//   <domain> SOA / NS, ns.dns.<domain> A  as CoreDNS serves them
// Everything else in the domain is NXDOMAIN. No PTR records (reverse lookups answer NXDOMAIN). TTL 5 s, CoreDNS's
// default. The external host serves a small zone of its own (ext.example); other names are refused.
import type { PodT, Topology, ServiceT } from './topology.js';
import { EXTERNAL_ZONE } from '../input/reserved.js';
import { dnsServiceIp } from './system.js';

export type RecordType = 'SOA' | 'NS' | 'A' | 'SRV' | 'CNAME' | 'TXT';

export interface DnsRecord {
  /** Absolute, with the trailing dot. */
  readonly name: string;
  readonly type: RecordType;
  /** As in a zone file: "10.96.0.1", "0 100 80 web.x.svc.cluster.local.", "\"1.1.0\"". */
  readonly data: string;
}

export const DNS_TTL = 5;
export const SCHEMA_VERSION = '1.1.0';

const fqdn = (n: string) => (n.endsWith('.') ? n : `${n}.`);
const dashed = (ip: string) => ip.replace(/\./g, '-');

/** The cluster domain of a topology (cluster.local for states written before podlab had DNS). */
export function domainOf(t: Pick<Topology, 'dns'>): string {
  return t.dns?.domain ?? 'cluster.local';
}

export function serviceFqdn(t: Pick<Topology, 'dns'>, s: { name: string; namespace: string }): string {
  return `${s.name}.${s.namespace}.svc.${domainOf(t)}.`;
}

export function podFqdn(t: Pick<Topology, 'dns'>, p: { ip: string; namespace: string }): string {
  return `${dashed(p.ip)}.${p.namespace}.pod.${domainOf(t)}.`;
}

/** CoreDNS's SRV weight for one of n records of equal priority (plugin/backend_lookup.go). */
export function srvWeight(n: number): number {
  return Math.max(1, Math.floor((100 / (100 * n)) * 100));
}

/** A headless Service's endpoint name: the pod's hostname when its subdomain is the Service, else its dashed IP. */
export function endpointHost(svc: Pick<ServiceT, 'name' | 'namespace'>, pod: Pick<PodT, 'ip' | 'hostname' | 'subdomain' | 'namespace'> | undefined, ip: string): string {
  if (pod?.hostname && pod.subdomain === svc.name && pod.namespace === svc.namespace) return pod.hostname;
  return dashed(ip);
}

/** The SRV records of one named Service port: what `dig SRV _<port>._<proto>.<svc>.<ns>.svc.<domain>` answers. */
export function srvRecords(t: Topology, svc: ServiceT, port: ServiceT['ports'][number]): DnsRecord[] {
  if (!port.name || svc.type === 'ExternalName') return [];
  const name = `_${port.name}._${port.protocol.toLowerCase()}.${serviceFqdn(t, svc)}`;
  if (svc.clusterIP !== 'None') return [{ name, type: 'SRV', data: `0 ${srvWeight(1)} ${port.port} ${serviceFqdn(t, svc)}` }];
  const pods = new Map(t.pods.map((p) => [p.key, p]));
  const w = srvWeight(port.endpoints.length);
  return port.endpoints.map((e) => ({ name, type: 'SRV' as const, data: `0 ${w} ${e.port} ${endpointHost(svc, pods.get(e.pod), e.ip)}.${serviceFqdn(t, svc)}` }));
}

/** The records of one Service (A or CNAME, the endpoints' names, SRV). */
export function serviceRecords(t: Topology, svc: ServiceT): DnsRecord[] {
  const name = serviceFqdn(t, svc);
  if (svc.type === 'ExternalName') return svc.externalName ? [{ name, type: 'CNAME', data: fqdn(svc.externalName) }] : [];
  const out: DnsRecord[] = [];
  if (svc.clusterIP !== 'None') out.push({ name, type: 'A', data: svc.clusterIP });
  else {
    const pods = new Map(t.pods.map((p) => [p.key, p]));
    const ips = [...new Set(svc.endpoints.map((e) => e.ip))];
    for (const ip of ips) out.push({ name, type: 'A', data: ip });
    for (const e of svc.endpoints) out.push({ name: `${endpointHost(svc, pods.get(e.pod), e.ip)}.${name}`, type: 'A', data: e.ip });
  }
  for (const p of svc.ports) out.push(...srvRecords(t, svc, p));
  return out;
}

/** Every record of the cluster zone except its SOA, in topology order (the SOA's serial is a hash of these). */
export function clusterRecords(t: Topology): DnsRecord[] {
  const d = domainOf(t);
  const dnsIp = t.dns?.serviceIP ?? dnsServiceIp(t);
  const out: DnsRecord[] = [
    { name: `${d}.`, type: 'NS', data: `ns.dns.${d}.` },
    { name: `ns.dns.${d}.`, type: 'A', data: dnsIp },
    { name: `dns-version.${d}.`, type: 'TXT', data: `"${SCHEMA_VERSION}"` },
  ];
  for (const s of t.services ?? []) out.push(...serviceRecords(t, s));
  for (const p of t.pods) out.push({ name: podFqdn(t, p), type: 'A', data: p.ip });
  return dedupe(out);
}

/** The SOA of a zone, with a serial that changes whenever its records do. */
export function soaRecord(zone: string, records: readonly DnsRecord[], nsName: string): DnsRecord {
  let h = 2166136261;
  for (const r of records) for (const ch of `${r.name} ${r.type} ${r.data}\n`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return { name: `${zone}.`, type: 'SOA', data: `${nsName} hostmaster.${zone}. ${(h % 2147483646) + 1} 7200 1800 86400 ${DNS_TTL}` };
}

/** The external host's own zone: the apex, www and ns, all at the external host's address. */
export function externalRecords(t: Pick<Topology, 'external' | 'dns'>): DnsRecord[] {
  const z = t.dns?.externalZone ?? EXTERNAL_ZONE;
  return [
    { name: `${z}.`, type: 'NS', data: `ns.${z}.` },
    { name: `${z}.`, type: 'A', data: t.external.ip },
    { name: `ns.${z}.`, type: 'A', data: t.external.ip },
    { name: `www.${z}.`, type: 'A', data: t.external.ip },
  ];
}

/** A pod's /etc/resolv.conf, as the kubelet writes it: ClusterFirst → the cluster DNS with the search path and
 *  ndots:5; Default (and the DNS pod itself, and nodes) → the node's resolver, which in the lab is the external host. */
export function resolvConf(t: Topology, p: Pick<PodT, 'namespace' | 'dnsPolicy'> | 'node'): string {
  if (p === 'node' || p.dnsPolicy === 'Default') return `nameserver ${t.external.ip}\n`;
  const d = domainOf(t);
  return `search ${p.namespace}.svc.${d} svc.${d} ${d}\nnameserver ${t.dns?.serviceIP ?? dnsServiceIp(t)}\noptions ndots:5\n`;
}

function dedupe(rs: readonly DnsRecord[]): DnsRecord[] {
  const seen = new Set<string>();
  const out: DnsRecord[] = [];
  for (const r of rs) {
    const k = `${r.name} ${r.type} ${r.data}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  }
  return out;
}
