// DNS checks (pure): from one pod of each namespace, real resolvers ask the cluster DNS (through kube-system/kube-dns's
// ClusterIP, DNAT like any Service) and must get what the Kubernetes DNS specification promises — short name,
// namespace-qualified and FQDN of every Service, exactly the ready pods of a headless one, SRV of named ports,
// ExternalName's CNAME, a pod's own A record, NXDOMAIN for an unknown name, the external host's zone, REFUSED for the
// rest of the world — and a request by name reaches an endpoint. The expected answers are derived here from the
// Services and pods (not from the zone podlab writes), so a wrong record is caught.
import type { Topology, PodT, ServiceT } from '../model/topology.js';
import { domainOf, endpointHost, podFqdn, serviceFqdn, srvWeight } from '../model/dns.js';
import type { Check, DnsExpect, Expectation, ProbeKind } from './types.js';
import type { GenContext } from './generate.js';
import { netexecPorts } from './generate.js';
import { epHost } from './model.js';
import { engineForMode, policyVerdict } from './policy.js';

export const DNS_TRIES = 2;

const fq = (n: string) => (n.endsWith('.') ? n : `${n}.`);

/** What the cluster DNS answers for an A query of `name` (absolute), following CNAMEs as unbound does. */
export function expectA(t: Topology, name: string, extReachable: boolean, depth = 0): DnsExpect {
  const d = domainOf(t);
  const n = fq(name).toLowerCase();
  const zone = t.dns?.externalZone ?? 'ext.example';
  if (n === `${zone}.` || n === `www.${zone}.` || n === `ns.${zone}.`) return extReachable ? { rcode: 'NOERROR', answers: [t.external.ip] } : { rcode: 'SERVFAIL', answers: [] };
  if (n.endsWith(`.${zone}.`)) return extReachable ? { rcode: 'NXDOMAIN', answers: [] } : { rcode: 'SERVFAIL', answers: [] };
  if (!n.endsWith(`.${d}.`) && n !== `${d}.`) return { rcode: 'REFUSED', answers: [] };
  if (n === `ns.dns.${d}.`) return { rcode: 'NOERROR', answers: [t.dns!.serviceIP] };
  for (const p of t.pods) if (podFqdn(t, p) === n) return { rcode: 'NOERROR', answers: [p.ip] };
  const pods = new Map(t.pods.map((p) => [p.key, p]));
  for (const s of t.services ?? []) {
    const sn = serviceFqdn(t, s);
    if (n === sn) {
      if (s.type === 'ExternalName') {
        if (!s.externalName || depth > 4) return { rcode: 'SERVFAIL', answers: [] };
        const target = expectA(t, s.externalName, extReachable, depth + 1);
        // A CNAME out of the lab to a name nobody serves: the upstream refuses the target, unbound answers SERVFAIL.
        if (target.rcode === 'REFUSED' || target.rcode === 'SERVFAIL') return { rcode: 'SERVFAIL', answers: [] };
        return { rcode: target.rcode, answers: [`CNAME ${fq(s.externalName)}`, ...target.answers] };
      }
      if (s.clusterIP !== 'None') return { rcode: 'NOERROR', answers: [s.clusterIP] };
      const ips = [...new Set(s.endpoints.map((e) => e.ip))];
      return ips.length ? { rcode: 'NOERROR', answers: ips } : { rcode: 'NXDOMAIN', answers: [] };
    }
    if (s.clusterIP === 'None' && s.type !== 'ExternalName') {
      const hit = s.endpoints.filter((e) => `${endpointHost(s, pods.get(e.pod), e.ip)}.${sn}` === n);
      if (hit.length) return { rcode: 'NOERROR', answers: [...new Set(hit.map((e) => e.ip))] };
    }
  }
  // Names that exist only as a parent of others (x.svc.<domain>) answer NOERROR with no data; they are not asked here.
  return { rcode: 'NXDOMAIN', answers: [] };
}

/** What an SRV query of a named Service port answers. */
export function expectSrv(t: Topology, svc: ServiceT, port: ServiceT['ports'][number]): DnsExpect {
  if (svc.clusterIP !== 'None') return { rcode: 'NOERROR', answers: [`0 ${srvWeight(1)} ${port.port} ${serviceFqdn(t, svc)}`] };
  if (!port.endpoints.length) return { rcode: 'NXDOMAIN', answers: [] };
  const pods = new Map(t.pods.map((p) => [p.key, p]));
  const w = srvWeight(port.endpoints.length);
  return { rcode: 'NOERROR', answers: port.endpoints.map((e) => `0 ${w} ${e.port} ${endpointHost(svc, pods.get(e.pod), e.ip)}.${serviceFqdn(t, svc)}`) };
}

/** What getent (glibc, through the search path) finds: the addresses of an A answer, or nothing. */
const viaGetent = (e: DnsExpect): DnsExpect => {
  const ips = e.answers.filter((a) => !a.startsWith('CNAME '));
  return e.rcode === 'NOERROR' && ips.length ? { rcode: 'NOERROR', answers: ips } : { rcode: 'NOTFOUND', answers: [] };
};

function dnsCheck(g: GenContext, category: string, from: PodT, probe: Extract<ProbeKind, { kind: 'dns' }>, expect: DnsExpect, basis: string): void {
  const t = g.full;
  const label = `${probe.name} ${probe.qtype} (${probe.tool})`;
  const c: Check = {
    id: `${category} UDP ${from.key} -> ${label}`, category, from: { label: from.key, netns: from.netns },
    to: { label, ip: t.dns!.serviceIP, port: 53 }, protocol: 'UDP', probe,
    expect: { outcome: 'ok', dns: expect, basis } as Expectation, tries: DNS_TRIES,
  };
  g.checks.push(c);
}

/** The DNS generator (GENERATORS in generate.ts). */
export function dnsChecks(g: GenContext): void {
  const t = g.full;
  if (!t.dns) return;
  const dnsPod = t.pods.find((p) => p.system === 'dns');
  if (!dnsPod) {
    g.skipped.push({ category: 'dns', what: 'every DNS check', reason: 'the cluster DNS pod is Pending (no node could take it): nothing answers at the DNS Service' });
    return;
  }
  const d = domainOf(t);
  // The external zone is forwarded to the external host (UDP 53): the DNS pod's own egress policies may stop that.
  const extPolicy = t.policy ? policyVerdict(t.policy, { src: { ip: dnsPod.ip, pod: dnsPod.key }, dst: { ip: t.external.ip }, protocol: 'UDP', port: 53 }, engineForMode(t.mode)) : undefined;
  const ext = g.m.podToExternal(t, dnsPod).outcome === 'ok' && extPolicy?.allowed !== false;
  const extWhy = ext ? '' : ` (the DNS pod cannot reach the external host in this lab: ${extPolicy?.allowed === false ? `NetworkPolicy: ${extPolicy.reason}` : g.m.podToExternal(t, dnsPod).basis})`;
  const userSvcs = (t.services ?? []).filter((s) => !s.system);
  const clients: PodT[] = [];
  for (const p of g.t.pods) if (p.dnsPolicy !== 'Default' && !clients.some((x) => x.namespace === p.namespace)) clients.push(p);
  clients.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  for (const p of g.t.pods.filter((x) => x.dnsPolicy === 'Default')) g.skipped.push({ category: 'dns', what: p.key, reason: 'dnsPolicy: Default: it resolves through the node\'s resolver (the external host), not the cluster DNS' });
  const api = (t.services ?? []).find((s) => s.system === 'api');
  const spec = `Kubernetes DNS specification`;
  for (const [i, c] of clients.entries()) {
    const ns = c.namespace;
    if (api) dnsCheck(g, 'dns/namespace', c, { kind: 'dns', tool: 'getent', name: `${api.name}.${api.namespace}`, qtype: 'A' }, viaGetent(expectA(t, serviceFqdn(t, api), ext)),
      `${spec}: ${api.name}.${api.namespace} through the search path ${ns}.svc.${d} svc.${d} ${d} → ${serviceFqdn(t, api)} (the API server's Service; no API server stands behind it in podlab)`);
    for (const s of userSvcs) {
      const fqdn = serviceFqdn(t, s);
      const full = expectA(t, fqdn, ext);
      if (s.namespace !== ns) {
        if (s.type !== 'ExternalName') dnsCheck(g, 'dns/namespace', c, { kind: 'dns', tool: 'getent', name: `${s.name}.${s.namespace}`, qtype: 'A' }, viaGetent(full), `${spec}: a Service of another namespace by <svc>.<ns>, completed by the search path svc.${d}`);
        continue;
      }
      if (s.type === 'ExternalName') {
        dnsCheck(g, 'dns/externalname', c, { kind: 'dns', tool: 'dig', name: fqdn, qtype: 'A' }, full, `${spec}: ExternalName ${s.key} is a CNAME to ${s.externalName}, which the cluster DNS follows${extWhy}`);
        continue;
      }
      const headless = s.clusterIP === 'None';
      // The pod's own /etc/hosts names it by its hostname, and getent reads files before DNS (as in Kubernetes):
      // a pod named like the Service resolves that name to itself.
      if (!headless && !c.hostNetwork && (c.hostname ?? c.name) === s.name) g.skipped.push({ category: 'dns', what: `dns/short ${c.key} -> ${s.name}`, reason: `the pod's hostname is ${s.name}: its /etc/hosts answers that name with its own address before the cluster DNS is asked` });
      else if (!headless) dnsCheck(g, 'dns/short', c, { kind: 'dns', tool: 'getent', name: s.name, qtype: 'A' }, viaGetent(full), `${spec}: a Service of the pod's own namespace by its name, completed by the search path ${ns}.svc.${d}`);
      dnsCheck(g, headless ? 'dns/headless' : 'dns/fqdn', c, { kind: 'dns', tool: 'dig', name: fqdn, qtype: 'A' }, full,
        headless ? `${spec}: a headless Service answers with the IPs of its ready endpoints, exactly (${s.endpoints.map((e) => e.pod).join(', ') || 'none: NXDOMAIN'})` : `${spec}: <svc>.<ns>.svc.<domain> A → the ClusterIP`);
      for (const port of s.ports) {
        if (!port.name) continue;
        dnsCheck(g, 'dns/srv', c, { kind: 'dns', tool: 'dig', name: `_${port.name}._${port.protocol.toLowerCase()}.${fqdn}`, qtype: 'SRV' }, expectSrv(t, s, port),
          `${spec}: SRV of the named port ${port.name}/${port.protocol}: ${headless ? 'one record per ready endpoint, its own name and port' : 'the Service name and port'}, weight as CoreDNS`);
      }
      if (headless) {
        for (const e of s.endpoints) {
          const pod = t.pods.find((x) => x.key === e.pod);
          if (!pod?.hostname || pod.subdomain !== s.name) continue;
          const name = `${pod.hostname}.${fqdn}`;
          dnsCheck(g, 'dns/hostname', c, { kind: 'dns', tool: 'dig', name, qtype: 'A' }, expectA(t, name, ext), `${spec}: pod ${pod.key} with hostname ${pod.hostname} and subdomain ${s.name} (a headless Service selecting it)`);
        }
      }
    }
    dnsCheck(g, 'dns/pod', c, { kind: 'dns', tool: 'dig', name: podFqdn(t, c), qtype: 'A' }, { rcode: 'NOERROR', answers: [c.ip] }, `${spec}: a pod's A record <a-b-c-d>.<ns>.pod.<domain>`);
    let unknown = 'no-such-service';
    while (userSvcs.some((s) => s.namespace === ns && s.name === unknown)) unknown += '-x';
    dnsCheck(g, 'dns/nxdomain', c, { kind: 'dns', tool: 'dig', name: `${unknown}.${ns}.svc.${d}.`, qtype: 'A' }, { rcode: 'NXDOMAIN', answers: [] }, `${spec}: a name in the cluster domain that names nothing is NXDOMAIN`);
    if (i === 0) {
      const z = t.dns.externalZone;
      dnsCheck(g, 'dns/outside', c, { kind: 'dns', tool: 'getent', name: `www.${z}`, qtype: 'A' }, viaGetent(expectA(t, `www.${z}`, ext)), `outside the cluster domain only the external host's own zone ${z} resolves, answered by the external host${extWhy}`);
      dnsCheck(g, 'dns/outside', c, { kind: 'dns', tool: 'dig', name: 'example.com.', qtype: 'A' }, { rcode: 'REFUSED', answers: [] }, 'any other name is refused by the cluster DNS: nothing is ever forwarded beyond the lab');
    }
    byName(g, c);
  }
}

/** One request by name from a client: a TCP Service of its namespace (else of another) whose endpoints run netexec. */
function byName(g: GenContext, c: PodT): void {
  const t = g.full;
  const candidates = (t.services ?? []).filter((s) => !s.system && s.clusterIP !== 'None' && s.type !== 'ExternalName')
    .sort((a, b) => Number(b.namespace === c.namespace) - Number(a.namespace === c.namespace));
  for (const s of candidates) {
    const port = s.ports.find((p) => p.protocol === 'TCP' && p.endpoints.length > 0 && p.endpoints.every((e) => {
      const pod = t.pods.find((x) => x.key === e.pod);
      return !!pod && netexecPorts(pod).all.some((x) => x.port === e.port && x.protocol === 'TCP');
    }));
    if (!port) continue;
    const host = s.namespace === c.namespace ? s.name : `${s.name}.${s.namespace}`;
    const e = g.m.podToClusterIP(t, c, s, port);
    const hosts = [...new Set(port.endpoints.map((x) => epHost(x)))];
    g.checks.push({
      id: `dns/by-name TCP ${c.key} -> http://${host}:${port.port}`, category: 'dns/by-name', from: { label: c.key, netns: c.netns },
      to: { label: `http://${host}:${port.port}`, ip: s.clusterIP, port: port.port, host }, protocol: 'TCP', probe: { kind: 'netexec' },
      expect: { ...e, backends: [], mayAnswer: hosts, untilAll: false, basis: `a request by name: ${host} resolves through the pod's resolv.conf to ${s.clusterIP}, then ${e.basis}` },
      tries: 3,
    });
    return;
  }
  g.skipped.push({ category: 'dns/by-name', what: c.key, reason: 'no TCP Service with netexec endpoints to request by name' });
}
