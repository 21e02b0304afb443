// kind: Service (v1): ClusterIP, NodePort, LoadBalancer, headless and ExternalName Services, their ports, policies and affinity.
import type { ClusterSpec, Protocol, ServicePortSpec, ServiceSpec, ServiceType, TrafficPolicy } from '../types.js';
import type { DocCtx, Path, RawDoc } from '../doc.js';
import { bool, dnsNameProblem, int, isObj, labels, str, PROTOCOLS } from '../fields.js';
import { reservedServiceIps } from '../reserved.js';
import { objectHead } from './meta.js';
import { isIPv4, parseCidr, contains, ipToNum } from '../../net/ip.js';

const SVC_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const POLICIES: readonly TrafficPolicy[] = ['Cluster', 'Local'];
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;


export function parseService(d: RawDoc, cluster: ClusterSpec | undefined): ServiceSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  const { name, namespace, meta } = objectHead(d, 'v1', { label: true, what: 'a Service name (DNS label)' });
  const lbls = labels(ctx, meta.labels, ['metadata', 'labels']);
  const annotations = annotationsOf(ctx, meta.annotations);
  const spec = obj.spec;
  if (!isObj(spec)) {
    ctx.err(['spec'], 'is required (spec.ports lists the ports the Service exposes)');
    return undefined;
  }
  const type = (spec.type ?? 'ClusterIP') as string;
  const exposed = type === 'NodePort' || type === 'LoadBalancer';
  if (!SVC_TYPES.includes(type as ServiceType)) {
    ctx.err(['spec', 'type'], `unknown type "${type}" (one of: ${SVC_TYPES.join(', ')})`);
  }
  const external = type === 'ExternalName';
  let externalName: string | undefined;
  if (external) {
    // As the API server: a lower-case RFC 1123 name, a trailing dot allowed.
    const v = str(ctx, spec.externalName, ['spec', 'externalName'], { required: true, re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$/, what: 'a DNS name like db.example.com (lower-case RFC 1123)' });
    const problem = v !== undefined ? dnsNameProblem(v.replace(/\.$/, '')) : undefined;
    if (problem) ctx.err(['spec', 'externalName'], problem);
    else if (v !== undefined && isIPv4(v.replace(/\.$/, ''))) ctx.err(['spec', 'externalName'], `"${v}" is an IP address; an ExternalName Service names a host (a DNS CNAME), use a Service with externalIPs or a selector for an address`);
    else if (v !== undefined) externalName = v.replace(/\.$/, '');
    if (spec.clusterIP !== undefined && spec.clusterIP !== null && spec.clusterIP !== '') ctx.err(['spec', 'clusterIP'], 'may not be set for an ExternalName Service (it has no ClusterIP: DNS answers with a CNAME)');
    if (spec.sessionAffinity !== undefined && spec.sessionAffinity !== 'None') ctx.err(['spec', 'sessionAffinity'], 'must be None for an ExternalName Service');
  } else if (spec.externalName !== undefined) ctx.err(['spec', 'externalName'], 'may only be set when type is ExternalName');
  const svcCidr = cluster ? parseCidr(cluster.serviceCIDR) : undefined;
  let clusterIP: string | undefined;
  if (!external && spec.clusterIP !== undefined && spec.clusterIP !== null && spec.clusterIP !== '') {
    const v = str(ctx, spec.clusterIP, ['spec', 'clusterIP']);
    if (v === 'None') {
      clusterIP = 'None';
      if (exposed) ctx.err(['spec', 'clusterIP'], 'a headless Service (clusterIP: None) must have type ClusterIP');
    } else if (v !== undefined) {
      if (!isIPv4(v)) ctx.err(['spec', 'clusterIP'], `"${v}" is not an IPv4 address or "None"`);
      else if (svcCidr && typeof svcCidr !== 'string') {
        if (!contains(svcCidr, v)) ctx.err(['spec', 'clusterIP'], `${v} is not inside the serviceCIDR ${svcCidr.text}`);
        else if (ipToNum(v) === svcCidr.base || ipToNum(v) === svcCidr.base + svcCidr.size - 1) ctx.err(['spec', 'clusterIP'], `${v} is the network or broadcast address of the serviceCIDR ${svcCidr.text}`);
        else {
          const r = reservedServiceIps(svcCidr).find((x) => x.ip === v);
          if (r && r.owner !== `${namespace}/${name}`) ctx.err(['spec', 'clusterIP'], `${v} is ${r.why}`);
          else clusterIP = v;
        }
      } else clusterIP = v;
    }
  }
  if (spec.clusterIPs !== undefined) {
    const l = spec.clusterIPs;
    const ok = Array.isArray(l) && l.length <= 1 && (l.length === 0 || l[0] === spec.clusterIP);
    if (!ok) ctx.err(['spec', 'clusterIPs'], 'only a single IPv4 clusterIP is supported, and it must equal spec.clusterIP');
  }
  let selector: Record<string, string> | undefined;
  if (spec.selector !== undefined && spec.selector !== null) selector = labels(ctx, spec.selector, ['spec', 'selector']);
  const policy = (key: string): TrafficPolicy => {
    const v = (spec[key] ?? 'Cluster') as string;
    if (!POLICIES.includes(v as TrafficPolicy)) {
      ctx.err(['spec', key], `"${v}" is not a traffic policy (Cluster or Local)`);
      return 'Cluster';
    }
    return v as TrafficPolicy;
  };
  const externalTrafficPolicy = policy('externalTrafficPolicy');
  const internalTrafficPolicy = policy('internalTrafficPolicy');
  if (spec.externalTrafficPolicy !== undefined && !exposed && !(Array.isArray(spec.externalIPs) && spec.externalIPs.length)) {
    ctx.err(['spec', 'externalTrafficPolicy'], 'may only be set when type is NodePort or LoadBalancer (or externalIPs are given)');
  }
  const lb = type === 'LoadBalancer';
  const onlyLb = (key: string) => {
    if (spec[key] !== undefined && !lb) ctx.err(['spec', key], 'may only be set when type is LoadBalancer');
  };
  onlyLb('loadBalancerSourceRanges');
  onlyLb('allocateLoadBalancerNodePorts');
  const sourceRanges: string[] = [];
  if (spec.loadBalancerSourceRanges !== undefined && spec.loadBalancerSourceRanges !== null) {
    if (!Array.isArray(spec.loadBalancerSourceRanges)) ctx.err(['spec', 'loadBalancerSourceRanges'], 'must be a list of CIDRs like [203.0.113.0/24]');
    else spec.loadBalancerSourceRanges.forEach((v: unknown, i: number) => {
      const c = parseCidr(typeof v === 'string' && !v.includes('/') && isIPv4(v) ? `${v}/32` : v);
      if (typeof c === 'string') ctx.err(['spec', 'loadBalancerSourceRanges', i], c);
      else sourceRanges.push(c.text);
    });
  }
  const allocNp = bool(ctx, spec.allocateLoadBalancerNodePorts, ['spec', 'allocateLoadBalancerNodePorts']) ?? true;
  let healthCheckNodePort: number | undefined;
  if (spec.healthCheckNodePort !== undefined && spec.healthCheckNodePort !== null) {
    if (!lb || externalTrafficPolicy !== 'Local') ctx.err(['spec', 'healthCheckNodePort'], 'may only be set when type is LoadBalancer and externalTrafficPolicy is Local');
    else if (cluster) {
      const [lo, hi] = cluster.nodePortRange;
      healthCheckNodePort = int(ctx, spec.healthCheckNodePort, ['spec', 'healthCheckNodePort'], lo, hi);
    }
  }
  const sessionAffinity = (spec.sessionAffinity ?? 'None') as string;
  if (sessionAffinity !== 'None' && sessionAffinity !== 'ClientIP') ctx.err(['spec', 'sessionAffinity'], `"${sessionAffinity}" is not None or ClientIP`);
  let timeout = 10800;
  if (spec.sessionAffinityConfig !== undefined) {
    const c = spec.sessionAffinityConfig;
    if (!isObj(c)) ctx.err(['spec', 'sessionAffinityConfig'], 'must be a map like {clientIP: {timeoutSeconds: 10800}}');
    else {
      if (sessionAffinity !== 'ClientIP') ctx.err(['spec', 'sessionAffinityConfig'], 'may only be set when sessionAffinity is ClientIP');
      if (c.clientIP !== undefined) {
        if (!isObj(c.clientIP)) ctx.err(['spec', 'sessionAffinityConfig', 'clientIP'], 'must be a map like {timeoutSeconds: 10800}');
        else {
          timeout = int(ctx, c.clientIP.timeoutSeconds, ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'], 1, 86400) ?? timeout;
        }
      }
    }
  }
  const externalIPs: string[] = [];
  if (spec.externalIPs !== undefined) {
    if (!Array.isArray(spec.externalIPs)) ctx.err(['spec', 'externalIPs'], 'must be a list of IPv4 addresses');
    else spec.externalIPs.forEach((v: unknown, i: number) => {
      const ip = str(ctx, v, ['spec', 'externalIPs', i]);
      if (ip !== undefined && !isIPv4(ip)) ctx.err(['spec', 'externalIPs', i], `"${ip}" is not an IPv4 address`);
      else if (ip !== undefined) externalIPs.push(ip);
    });
  }

  const ports: ServicePortSpec[] = [];
  if (!Array.isArray(spec.ports) || spec.ports.length === 0) {
    if (spec.ports !== undefined && spec.ports !== null && !Array.isArray(spec.ports)) ctx.err(['spec', 'ports'], 'must be a list like [{port: 80, targetPort: 8080}]');
    else if (clusterIP !== 'None' && !external) ctx.err(['spec', 'ports'], 'at least one port is required, e.g. ports: [{port: 80, targetPort: 8080}]');
  } else {
    const names = new Set<string>();
    const keys = new Set<string>();
    const multi = spec.ports.length > 1;
    spec.ports.forEach((pt: unknown, i: number) => {
      const pp: Path = ['spec', 'ports', i];
      if (!isObj(pt)) return ctx.err(pp, 'must be a map like {port: 80, targetPort: 8080}');
      const pname = str(ctx, pt.name, [...pp, 'name'], { re: PORT_NAME, what: 'a port name (lower-case DNS label)', max: 63 }) ?? '';
      if (multi && !pname) ctx.err([...pp, 'name'], 'is required when a Service has more than one port');
      if (pname && names.has(pname)) ctx.err([...pp, 'name'], `duplicate port name "${pname}"`);
      names.add(pname);
      const proto = (pt.protocol ?? 'TCP') as string;
      if (!PROTOCOLS.includes(proto as Protocol)) ctx.err([...pp, 'protocol'], `"${proto}" is not a protocol (TCP, UDP or SCTP)`);
      if (pt.port === undefined) return ctx.err([...pp, 'port'], 'is required');
      const port = int(ctx, pt.port, [...pp, 'port'], 1, 65535);
      if (port === undefined) return;
      if (keys.has(`${port}/${proto}`)) ctx.err([...pp, 'port'], `${port}/${proto} is declared twice`);
      keys.add(`${port}/${proto}`);
      let targetPort: number | string = port;
      if (pt.targetPort !== undefined && pt.targetPort !== null) {
        if (typeof pt.targetPort === 'number') targetPort = int(ctx, pt.targetPort, [...pp, 'targetPort'], 1, 65535) ?? port;
        else if (typeof pt.targetPort === 'string' && /^\d+$/.test(pt.targetPort)) targetPort = int(ctx, Number(pt.targetPort), [...pp, 'targetPort'], 1, 65535) ?? port;
        else targetPort = str(ctx, pt.targetPort, [...pp, 'targetPort'], { re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, what: 'a port number or a containerPort name', max: 15 }) ?? port;
      }
      let nodePort: number | undefined;
      if (pt.nodePort !== undefined && pt.nodePort !== null) {
        if (!exposed) ctx.err([...pp, 'nodePort'], 'may only be set when type is NodePort or LoadBalancer');
        else if (lb && !allocNp) ctx.err([...pp, 'nodePort'], 'may not be set when allocateLoadBalancerNodePorts is false');
        else if (cluster) {
          const [lo, hi] = cluster.nodePortRange;
          if (typeof pt.nodePort !== 'number' || !Number.isInteger(pt.nodePort)) ctx.err([...pp, 'nodePort'], `must be an integer, got ${JSON.stringify(pt.nodePort)}`);
          else if (pt.nodePort < lo || pt.nodePort > hi) ctx.err([...pp, 'nodePort'], `${pt.nodePort} is outside the node port range ${lo}-${hi} (spec.nodePortRange of the Cluster)`);
          else nodePort = pt.nodePort;
        }
      }
      ports.push({ name: pname, protocol: proto as Protocol, port, targetPort, nodePort, line: ctx.lineOf([...pp, 'targetPort']) });
    });
  }
  if (ctx.problems.length > before || !name) return undefined;
  return {
    namespace, name, key: `${namespace}/${name}`, labels: lbls, type: type as ServiceType, clusterIP, selector, ports,
    externalTrafficPolicy, internalTrafficPolicy, sessionAffinity: sessionAffinity as 'None' | 'ClientIP', affinityTimeoutSeconds: timeout,
    externalIPs, annotations, loadBalancerSourceRanges: sourceRanges, allocateLoadBalancerNodePorts: allocNp, healthCheckNodePort,
    ...(externalName !== undefined ? { externalName } : {}), origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 },
  };
}

/** metadata.annotations: a map of string to string (values as written). */
export function annotationsOf(ctx: DocCtx, v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) {
    ctx.err(['metadata', 'annotations'], 'must be a map of string to string');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else ctx.err(['metadata', 'annotations', k], 'annotation values must be strings');
  }
  return out;
}

/** Checks across Services: unique clusterIPs, nodePorts and healthCheckNodePorts. */
export function checkServicesTogether(services: readonly ServiceSpec[], ctxs: ReadonlyMap<string, DocCtx>): void {
  const ips = new Map<string, string>();
  const nodePorts = new Map<string, string>();
  for (const s of services) {
    const ctx = ctxs.get(s.key)!;
    if (s.clusterIP && s.clusterIP !== 'None') {
      const prev = ips.get(s.clusterIP);
      if (prev) ctx.err(['spec', 'clusterIP'], `${s.clusterIP} is already the clusterIP of Service ${prev}`);
      else ips.set(s.clusterIP, s.key);
    }
    s.ports.forEach((p, i) => {
      if (p.nodePort === undefined) return;
      const k = `${p.nodePort}/${p.protocol}`;
      const prev = nodePorts.get(k);
      if (prev) ctx.err(['spec', 'ports', i, 'nodePort'], `${k} is already used by ${prev}`);
      else nodePorts.set(k, `Service ${s.key}`);
    });
    if (s.healthCheckNodePort !== undefined) {
      const k = `${s.healthCheckNodePort}/TCP`;
      const prev = nodePorts.get(k);
      if (prev) ctx.err(['spec', 'healthCheckNodePort'], `${k} is already used by ${prev}`);
      else nodePorts.set(k, `Service ${s.key} (health check)`);
    }
  }
}

