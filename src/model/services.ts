// Services: clusterIP and nodePort allocation (deterministic, sticky) and endpoints from label selectors (pure).
import type { ServiceSpec, ServiceType, TrafficPolicy, Protocol, LabSpec } from '../input/types.js';
import type { Problem } from '../input/problems.js';
import { serviceSelects as selects } from './selectors.js';
import { contains, mustCidr, nth, ipToNum } from '../net/ip.js';
import { nlbHostname, targetTypeOf, type LoadBalancerT } from './loadbalancer.js';
import { reservedServiceIps } from '../input/reserved.js';
import { podHostname } from './hostname.js';
export type { LoadBalancerT } from './loadbalancer.js';

export interface EndpointT {
  /** "ns/name" of the pod. */
  readonly pod: string;
  readonly ip: string;
  readonly node: string;
  readonly port: number;
  /** The pod's hostname (what netexec's /hostname answers) where it is not the pod's name: spec.hostname, or a hostNetwork pod's node. */
  readonly host?: string;
}

export interface ServicePortT {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly targetPort: number | string;
  readonly nodePort?: number;
  /** Ready endpoints for this port, sorted as kube-proxy sorts them ("IP:port", lexicographically). */
  readonly endpoints: readonly EndpointT[];
}

export interface ServiceT {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  readonly type: ServiceType;
  /** An address, or "None" for a headless or ExternalName Service (no NAT rules). */
  readonly clusterIP: string;
  /** type ExternalName: the name DNS answers with (a CNAME). */
  readonly externalName?: string;
  /** A system object (model/system.ts): its component ("dns", "api", "ingress"). */
  readonly system?: string;
  readonly ports: readonly ServicePortT[];
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly internalTrafficPolicy: TrafficPolicy;
  readonly sessionAffinity: 'None' | 'ClientIP';
  readonly affinityTimeoutSeconds: number;
  readonly externalIPs: readonly string[];
  /** Every pod that backs at least one port. */
  readonly endpoints: readonly { readonly pod: string; readonly ip: string; readonly node: string }[];
  readonly annotations?: Readonly<Record<string, string>>;
  /** type LoadBalancer: the address it got (status.loadBalancer.ingress) and how it is reached. */
  readonly loadBalancer?: LoadBalancerT;
}

export interface ServiceAllocations {
  readonly [key: string]: { readonly clusterIP: string; readonly nodePorts: Readonly<Record<string, number>>; readonly loadBalancerIP?: string; readonly healthCheckNodePort?: number };
}

/** Minimal view of a placed pod, so this module does not depend on the topology module. */
export interface PlacedPod {
  readonly key: string;
  readonly namespace: string;
  readonly ip: string;
  readonly node: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly hostname?: string;
  readonly hostNetwork?: boolean;
  readonly containers: readonly { readonly ports: readonly { readonly containerPort: number; readonly protocol: Protocol; readonly name?: string }[]; readonly readinessProbe?: unknown; readonly startupProbe?: unknown }[];
  /** Sidecars (restartPolicy Always) count for readiness. */
  readonly initContainers?: readonly { readonly restartPolicy?: string; readonly readinessProbe?: unknown; readonly startupProbe?: unknown }[];
}

/** Whether a pod is a ready endpoint. Every planned pod counts as running for now; a lifecycle will plug in here. */
export type ReadyFn = (pod: PlacedPod) => boolean;
export const allReady: ReadyFn = () => true;

export const portKey = (p: { name: string; protocol: string; port: number }): string => `${p.name}/${p.protocol}/${p.port}`;

/** String form kube-proxy sorts endpoints by. */
export const epString = (e: { ip: string; port: number }): string => `${e.ip}:${e.port}`;

/** LoadBalancer IPs decided by the caller (model/loadbalancer.ts), with what the announcement needs. */
export interface LbInput {
  readonly ips: ReadonlyMap<string, string>;
  readonly cluster: string;
  readonly announce: string;
}

export function resolveServices(lab: LabSpec, pods: readonly PlacedPod[], prev: ServiceAllocations = {}, problems: Problem[] = [], ready: ReadyFn = allReady, notices: string[] = [], lb?: LbInput): ServiceT[] {
  namedPortNotices(lab, notices);
  const c = lab.cluster;
  const svcCidr = mustCidr(c.serviceCIDR);
  const [lo, hi] = c.nodePortRange;

  // ClusterIPs: given ones, then previous allocations, then the lowest free from the 2nd address. The 1st (what every
  // cluster gives default/kubernetes) and the 10th (the cluster DNS Service) are reserved for the system Services.
  const usedIp = new Set<number>([svcCidr.base, svcCidr.base + svcCidr.size - 1, ...reservedServiceIps(svcCidr).map((r) => ipToNum(r.ip))]);
  const ipOf = new Map<string, string>();
  for (const s of lab.services) if (s.type === 'ExternalName') ipOf.set(s.key, 'None');
  for (const s of lab.services) if (s.clusterIP && !ipOf.has(s.key)) {
    ipOf.set(s.key, s.clusterIP);
    if (s.clusterIP !== 'None') usedIp.add(ipToNum(s.clusterIP));
  }
  for (const s of lab.services) {
    if (ipOf.has(s.key)) continue;
    const p = prev[s.key]?.clusterIP;
    if (p && p !== 'None' && contains(svcCidr, p) && !usedIp.has(ipToNum(p))) {
      ipOf.set(s.key, p);
      usedIp.add(ipToNum(p));
    }
  }
  let cur = 2;
  for (const s of lab.services) {
    if (ipOf.has(s.key)) continue;
    while (cur < svcCidr.size - 1 && usedIp.has(svcCidr.base + cur)) cur++;
    if (cur >= svcCidr.size - 1) {
      problems.push({ file: s.origin.file, line: s.origin.line, path: `Service ${s.key}`, message: `no free address left in serviceCIDR ${svcCidr.text}` });
      ipOf.set(s.key, 'None');
      continue;
    }
    ipOf.set(s.key, nth(svcCidr, cur));
    usedIp.add(svcCidr.base + cur);
  }

  // NodePorts: given, previous, lowest free in the range (per protocol, as the apiserver's allocator).
  const usedNp = new Set<string>();
  const npOf = new Map<string, number>(); // "svcKey|portKey"
  const wantsNp = (s: ServiceSpec) => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts);
  for (const s of lab.services) for (const p of s.ports) if (p.nodePort !== undefined) {
    npOf.set(`${s.key}|${portKey(p)}`, p.nodePort);
    usedNp.add(`${p.nodePort}/${p.protocol}`);
  }
  for (const s of lab.services) {
    if (!wantsNp(s)) continue;
    for (const p of s.ports) {
      const k = `${s.key}|${portKey(p)}`;
      if (npOf.has(k)) continue;
      const pv = prev[s.key]?.nodePorts[portKey(p)];
      if (pv !== undefined && pv >= lo && pv <= hi && !usedNp.has(`${pv}/${p.protocol}`)) {
        npOf.set(k, pv);
        usedNp.add(`${pv}/${p.protocol}`);
      }
    }
  }
  for (const s of lab.services) {
    if (!wantsNp(s)) continue;
    for (const p of s.ports) {
      const k = `${s.key}|${portKey(p)}`;
      if (npOf.has(k)) continue;
      let n = lo;
      while (n <= hi && usedNp.has(`${n}/${p.protocol}`)) n++;
      if (n > hi) {
        problems.push({ file: s.origin.file, line: s.origin.line, path: `Service ${s.key}`, message: `no free node port left in ${lo}-${hi}` });
        continue;
      }
      npOf.set(k, n);
      usedNp.add(`${n}/${p.protocol}`);
    }
  }

  // healthCheckNodePort: eTP Local LoadBalancers, from the same range (TCP), after every nodePort.
  const hcOf = new Map<string, number>();
  const wantsHc = (s: ServiceSpec) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  for (const s of lab.services) if (wantsHc(s) && s.healthCheckNodePort !== undefined) hcOf.set(s.key, s.healthCheckNodePort);
  for (const s of lab.services) {
    if (!wantsHc(s) || hcOf.has(s.key)) continue;
    const pv = prev[s.key]?.healthCheckNodePort;
    if (pv !== undefined && pv >= lo && pv <= hi && !usedNp.has(`${pv}/TCP`)) {
      hcOf.set(s.key, pv);
      usedNp.add(`${pv}/TCP`);
    }
  }
  for (const s of lab.services) {
    if (!wantsHc(s) || hcOf.has(s.key)) continue;
    let n = lo;
    while (n <= hi && usedNp.has(`${n}/TCP`)) n++;
    if (n > hi) {
      problems.push({ file: s.origin.file, line: s.origin.line, path: `Service ${s.key}`, message: `no free node port left in ${lo}-${hi} for the health check` });
      continue;
    }
    hcOf.set(s.key, n);
    usedNp.add(`${n}/TCP`);
  }
  for (const s of lab.services) {
    if (s.type !== 'LoadBalancer' || lb?.announce !== 'NLB') continue;
    const tt = targetTypeOf(s);
    if (tt !== 'instance' && tt !== 'ip') problems.push({ file: s.origin.file, line: s.origin.line, path: `Service ${s.key} metadata.annotations`, message: `"${tt}" is not an NLB target type (instance or ip)` });
    else if (tt === 'instance' && !s.allocateLoadBalancerNodePorts) problems.push({ file: s.origin.file, line: s.origin.line, path: `Service ${s.key} spec.allocateLoadBalancerNodePorts`, message: 'an NLB with instance targets forwards to NodePorts: allocateLoadBalancerNodePorts: false needs the annotation service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip' });
  }

  return lab.services.map((s) => {
    const selected = s.selector && s.type !== 'ExternalName' ? pods.filter((p) => p.namespace === s.namespace && selects(s.selector!, p.labels) && ready(p)) : [];
    const ports: ServicePortT[] = s.ports.map((p) => {
      const endpoints: EndpointT[] = [];
      for (const pod of selected) {
        let port: number | undefined;
        if (typeof p.targetPort === 'number') port = p.targetPort;
        else {
          for (const ct of pod.containers) for (const cp of ct.ports) if (port === undefined && cp.name === p.targetPort && cp.protocol === p.protocol) port = cp.containerPort;
        }
        const host = podHostname({ name: pod.name ?? pod.key.slice(pod.key.indexOf('/') + 1), hostname: pod.hostname, hostNetwork: pod.hostNetwork, node: pod.node });
        if (port !== undefined) endpoints.push({ pod: pod.key, ip: pod.ip, node: pod.node, port, ...(host !== pod.key.slice(pod.key.indexOf('/') + 1) ? { host } : {}) });
      }
      endpoints.sort((a, b) => (epString(a) < epString(b) ? -1 : epString(a) > epString(b) ? 1 : 0));
      return { name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort, nodePort: npOf.get(`${s.key}|${portKey(p)}`), endpoints };
    });
    const seen = new Map<string, { pod: string; ip: string; node: string }>();
    for (const p of ports) for (const e of p.endpoints) if (!seen.has(e.pod)) seen.set(e.pod, { pod: e.pod, ip: e.ip, node: e.node });
    return {
      namespace: s.namespace, name: s.name, key: s.key, type: s.type, clusterIP: ipOf.get(s.key)!, ports,
      externalTrafficPolicy: s.externalTrafficPolicy, internalTrafficPolicy: s.internalTrafficPolicy,
      sessionAffinity: s.sessionAffinity, affinityTimeoutSeconds: s.affinityTimeoutSeconds, externalIPs: s.externalIPs,
      endpoints: [...seen.values()].sort((a, b) => (a.pod < b.pod ? -1 : 1)),
      annotations: s.annotations,
      ...(s.externalName !== undefined ? { externalName: s.externalName } : {}),
      ...(s.system ? { system: s.system } : {}),
      ...(s.type === 'LoadBalancer' && lb?.ips.get(s.key) ? { loadBalancer: loadBalancerOf(s, lb, hcOf.get(s.key)) } : {}),
    };
  });
}

function loadBalancerOf(s: ServiceSpec, lb: LbInput, hc: number | undefined): LoadBalancerT {
  const nlb = lb.announce === 'NLB';
  return {
    ip: lb.ips.get(s.key)!, sourceRanges: s.loadBalancerSourceRanges,
    ...(hc !== undefined ? { healthCheckNodePort: hc } : {}),
    ...(nlb ? { hostname: nlbHostname(lb.cluster, s), targetType: targetTypeOf(s) as 'instance' | 'ip' } : {}),
  };
}

export function serviceAllocationsOf(services: readonly ServiceT[]): ServiceAllocations {
  return Object.fromEntries(services.map((s) => [s.key, {
    clusterIP: s.clusterIP,
    nodePorts: Object.fromEntries(s.ports.filter((p) => p.nodePort !== undefined).map((p) => [portKey(p), p.nodePort!])),
    ...(s.loadBalancer ? { loadBalancerIP: s.loadBalancer.ip } : {}),
    ...(s.loadBalancer?.healthCheckNodePort !== undefined ? { healthCheckNodePort: s.loadBalancer.healthCheckNodePort } : {}),
  }]));
}

/** A named targetPort that no pod selected by the Service declares: that port has no endpoints (a notice, as kubectl
 *  accepts it). Judged on every selected pod of the file, whether or not it could be placed. */
function namedPortNotices(lab: LabSpec, notices: string[]): void {
  for (const s of lab.services) {
    if (!s.selector || s.type === 'ExternalName') continue;
    const selected = lab.pods.filter((p) => p.namespace === s.namespace && selects(s.selector!, p.labels));
    s.ports.forEach((p, i) => {
      if (typeof p.targetPort !== 'string' || selected.length === 0) return;
      const declared = selected.some((pod) => pod.containers.some((c) => c.ports.some((cp) => cp.name === p.targetPort && cp.protocol === p.protocol)));
      if (!declared) notices.push(`${s.origin.file}:${p.line ?? s.origin.line}: Service ${s.key} spec.ports[${i}].targetPort: no selected pod declares a ${p.protocol} containerPort named "${p.targetPort}", so this port has no endpoints`);
    });
  }
}
