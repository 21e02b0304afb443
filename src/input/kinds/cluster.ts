// kind: Cluster (podlab.io/v1alpha1): the lab itself — mode, address plan, nodes, the external host. Mode-specific
// sections (spec.bgp, spec.vpc, …) are validated by the mode plugins through the schemas passed in ParseOptions,
// so this file names no mode.
import { isIPv4, parseCidr, contains, overlaps, ipToNum, parseRange, rangeOverlapsCidr, rangeInsideCidr, type Cidr, type IpRange } from '../../net/ip.js';
import type { ClusterSpec, KubeletSpec, NodeSpec, ProxyMode, RuntimeName, Taint, TaintEffect } from '../types.js';
import type { DocCtx, Path, RawDoc } from '../doc.js';
import { checkKeys, dnsNameProblem, int, isObj, labels, list, str, DNS_LABEL, DNS_SUBDOMAIN, LABEL_KEY } from '../fields.js';
import { DNS_PORT, EXTERNAL_ZONE, SERVICE_CIDR_MAX_PREFIX } from '../reserved.js';

const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,9}$/;
/** Node names podlab's own namespaces use (pl-<cluster>-fabric, -ext, -router, -nlb). */
export const RESERVED_NAMES = ['fabric', 'ext', 'router', 'nlb'];

/** What a mode's schema sees of the Cluster document around its own section. */
export interface ClusterEnv {
  readonly mode: string;
  readonly nodes: readonly string[];
  readonly podCIDR?: Cidr;
  readonly serviceCIDR?: Cidr;
  readonly underlay?: Cidr;
  readonly hostRoutes: readonly string[];
}

/** A mode's section of the Cluster spec (`spec.<key>`), validated by the mode plugin that owns it. */
export interface ModeSchema {
  /** The mode that owns the section. */
  readonly mode: string;
  /** The section's key under spec (e.g. "bgp"). */
  readonly key: string;
  /** true: the section is an error in any other mode; false: it is validated (and defaulted) in every mode. */
  readonly onlyInMode: boolean;
  /** Validate `raw` (undefined when absent) and return the section with defaults filled in (undefined when invalid). */
  parse(ctx: DocCtx, raw: unknown, env: ClusterEnv): unknown;
  /** Node IPs come from the mode (vpc: the node's subnet), so `nodes[].ip` is refused with this reason. */
  readonly nodeIpRefused?: string;
  /** The underlay gateway address offset the mode uses instead of .1, if any (reported as reserved). */
}

export interface ClusterOptions {
  readonly mode?: string;
  readonly proxyMode?: string;
  readonly hostRoutes?: readonly string[];
  /** Every mode this build has, in registry order. */
  readonly modes: readonly string[];
  /** Every kube-proxy mode this build has (default: iptables, nftables). */
  readonly proxyModes?: readonly string[];
  readonly schemas: readonly ModeSchema[];
  /** Per mode, how its LoadBalancer Services are announced (the first is the default), e.g. overlay: [L2]. */
  readonly lbAnnounce?: Readonly<Record<string, readonly string[]>>;
}

/** Where each announcement puts its addresses: on the nodes' own subnet (ARP) or routed to it (BGP, an NLB). */
export const LB_ON_UNDERLAY: Readonly<Record<string, boolean>> = { L2: true, BGP: false, NLB: false };
/** The default pool of routed announcements (TEST-NET-2: documentation addresses, never on a real network). */
export const DEFAULT_ROUTED_POOL = '198.51.100.0/24';

export function parseCluster(d: RawDoc, opts: ClusterOptions, nodeNames: string[]): ClusterSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  checkKeys(ctx, obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (obj.apiVersion !== 'podlab.io/v1alpha1') ctx.err(['apiVersion'], `must be "podlab.io/v1alpha1" for a Cluster, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) ctx.err(['metadata'], 'is required (metadata.name names the cluster)');
  checkKeys(ctx, meta, ['metadata'], ['name']);
  const name = str(ctx, meta.name, ['metadata', 'name'], {
    required: true, re: CLUSTER_NAME, what: 'a cluster name: 1-10 characters of [a-z0-9-], starting with a letter',
  });
  const spec = obj.spec === undefined ? {} : obj.spec;
  if (!isObj(spec)) {
    ctx.err(['spec'], 'must be a map');
    return undefined;
  }
  const sectionKeys = [...new Set(opts.schemas.map((s) => s.key))];
  checkKeys(ctx, spec, ['spec'], ['mode', 'proxyMode', 'podCIDR', 'nodeCIDRMaskSize', 'serviceCIDR', 'nodePortRange', 'underlay', 'mtu', 'nodes', 'external', 'loadBalancer', 'clusterDomain', 'runtime', 'kubelet', ...sectionKeys]);

  let mode = (opts.mode ?? spec.mode ?? 'overlay') as string;
  const modePath: Path = opts.mode !== undefined ? ['(--mode)'] : ['spec', 'mode'];
  if (typeof mode !== 'string' || !opts.modes.includes(mode)) {
    ctx.err(modePath, `unknown mode ${JSON.stringify(mode)} (one of: ${opts.modes.join(', ')})`);
    mode = opts.modes[0] ?? 'overlay';
  }
  let proxyMode = (opts.proxyMode ?? spec.proxyMode ?? 'iptables') as string;
  const proxyModes = opts.proxyModes ?? ['iptables', 'nftables'];
  if (!proxyModes.includes(proxyMode)) {
    ctx.err(opts.proxyMode !== undefined ? ['(--proxy-mode)'] : ['spec', 'proxyMode'], `unknown proxy mode ${JSON.stringify(proxyMode)} (one of: ${proxyModes.join(', ')})`);
    proxyMode = 'iptables';
  }

  const cidrField = (key: string, def: string): Cidr | undefined => {
    const v = spec[key] ?? def;
    const c = parseCidr(v);
    if (typeof c === 'string') {
      ctx.err(['spec', key], c);
      return undefined;
    }
    return c;
  };
  const podCIDR = cidrField('podCIDR', '10.244.0.0/16');
  const serviceCIDR = cidrField('serviceCIDR', '10.96.0.0/12');
  const underlay = cidrField('underlay', '172.18.0.0/24');
  const maskSize = int(ctx, spec.nodeCIDRMaskSize, ['spec', 'nodeCIDRMaskSize'], 8, 30) ?? 24;
  const mtu = int(ctx, spec.mtu, ['spec', 'mtu'], 1280, 9000) ?? 1500;

  let nodePortRange: [number, number] = [30000, 32767];
  if (spec.nodePortRange !== undefined) {
    const m = typeof spec.nodePortRange === 'string' ? /^(\d+)-(\d+)$/.exec(spec.nodePortRange) : null;
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2]) : NaN;
    if (!m || lo < 1 || hi > 65535 || lo > hi) ctx.err(['spec', 'nodePortRange'], `${JSON.stringify(spec.nodePortRange)} is not a port range like 30000-32767`);
    else nodePortRange = [lo, hi];
  }

  // Address plan checks.
  const reservedUnderlay = new Map<string, string>();
  if (podCIDR && serviceCIDR && overlaps(podCIDR, serviceCIDR)) ctx.err(['spec', 'serviceCIDR'], `${serviceCIDR.text} overlaps podCIDR ${podCIDR.text}`);
  if (podCIDR && underlay && overlaps(podCIDR, underlay)) ctx.err(['spec', 'underlay'], `${underlay.text} overlaps podCIDR ${podCIDR.text}`);
  if (serviceCIDR && underlay && overlaps(serviceCIDR, underlay)) ctx.err(['spec', 'underlay'], `${underlay.text} overlaps serviceCIDR ${serviceCIDR.text}`);
  if (podCIDR && maskSize < podCIDR.prefix) ctx.err(['spec', 'nodeCIDRMaskSize'], `/${maskSize} is larger than podCIDR ${podCIDR.text}`);
  if (podCIDR) {
    for (const r of opts.hostRoutes ?? []) {
      const hc = parseCidr(r.includes('/') ? r : `${r}/32`);
      if (typeof hc !== 'string' && hc.prefix > 0 && overlaps(hc, podCIDR)) {
        ctx.err(['spec', 'podCIDR'], `${podCIDR.text} overlaps this host's own route to ${hc.text}; pick another podCIDR so lab addresses cannot be confused with real ones`);
      }
    }
  }
  if (underlay && underlay.prefix > 28) ctx.err(['spec', 'underlay'], `${underlay.text} is too small: use /28 or larger`);
  if (serviceCIDR && serviceCIDR.prefix > SERVICE_CIDR_MAX_PREFIX) ctx.err(['spec', 'serviceCIDR'], `${serviceCIDR.text} is too small: the cluster DNS Service takes its 10th address; use /${SERVICE_CIDR_MAX_PREFIX} or larger`);
  const clusterDomain = str(ctx, spec.clusterDomain, ['spec', 'clusterDomain'], { re: DNS_SUBDOMAIN, what: 'a DNS domain like cluster.local (lower-case labels, no trailing dot)', max: 200 }) ?? 'cluster.local';
  const domainProblem = dnsNameProblem(clusterDomain);
  if (domainProblem) ctx.err(['spec', 'clusterDomain'], domainProblem);
  else if (clusterDomain === EXTERNAL_ZONE || clusterDomain.endsWith(`.${EXTERNAL_ZONE}`) || EXTERNAL_ZONE.endsWith(`.${clusterDomain}`)) {
    ctx.err(['spec', 'clusterDomain'], `"${clusterDomain}" overlaps ${EXTERNAL_ZONE}, the zone the lab's external host serves`);
  }
  const ownSchema = opts.schemas.find((s) => s.mode === mode && s.nodeIpRefused);

  // Nodes.
  const nodes: NodeSpec[] = [];
  if (spec.nodes !== undefined && spec.nodes !== null && !Array.isArray(spec.nodes)) {
    ctx.err(['spec', 'nodes'], `must be a list of nodes like [{name: node1}], got ${JSON.stringify(spec.nodes)}`);
  } else if (!Array.isArray(spec.nodes) || spec.nodes.length === 0) {
    ctx.err(['spec', 'nodes'], 'at least one node is required, e.g. nodes: [{name: node1}]');
  } else {
    const names = new Set<string>();
    spec.nodes.forEach((n: unknown, i: number) => {
      const p: Path = ['spec', 'nodes', i];
      if (!isObj(n)) {
        ctx.err(p, 'must be a map like {name: node1}');
        return;
      }
      checkKeys(ctx, n, p, ['name', 'ip', 'labels', 'taints']);
      const nn = str(ctx, n.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a node name (DNS label: [a-z0-9-])', max: 40 });
      if (nn && RESERVED_NAMES.includes(nn)) ctx.err([...p, 'name'], `"${nn}" is reserved for podlab's own namespaces`);
      if (nn && names.has(nn)) ctx.err([...p, 'name'], `duplicate node "${nn}"`);
      if (nn) {
        names.add(nn);
        nodeNames.push(nn);
      }
      let ip: string | undefined;
      if (n.ip !== undefined) {
        ip = str(ctx, n.ip, [...p, 'ip']);
        if (ip !== undefined && !isIPv4(ip)) {
          ctx.err([...p, 'ip'], `"${ip}" is not an IPv4 address`);
          ip = undefined;
        }
      }
      if (ip && ownSchema) ctx.err([...p, 'ip'], ownSchema.nodeIpRefused!);
      else if (ip && underlay) {
        if (!contains(underlay, ip)) ctx.err([...p, 'ip'], `${ip} is not inside the underlay ${underlay.text}`);
        else {
          const prev = reservedUnderlay.get(ip);
          if (prev) ctx.err([...p, 'ip'], `${ip} is already used by ${prev}`);
          reservedUnderlay.set(ip, `node ${nn}`);
        }
      }
      nodes.push({ name: nn ?? `#${i}`, ip, labels: labels(ctx, n.labels, [...p, 'labels']), taints: parseTaints(ctx, n.taints, [...p, 'taints']), origin: { file: ctx.file, line: ctx.lineOf(p) ?? 0 } });
    });
    if (podCIDR && maskSize >= podCIDR.prefix) {
      const count = 2 ** (maskSize - podCIDR.prefix);
      if (count < spec.nodes.length) ctx.err(['spec', 'podCIDR'], `${podCIDR.text} holds only ${count} node subnet(s) of /${maskSize}, but there are ${spec.nodes.length} nodes`);
    }
    if (underlay && spec.nodes.length + 12 > underlay.size) ctx.err(['spec', 'underlay'], `${underlay.text} is too small for ${spec.nodes.length} nodes`);
  }

  // External host.
  let extIp: string | undefined;
  let extPorts: number[] = [8080];
  if (spec.external !== undefined) {
    if (!isObj(spec.external)) ctx.err(['spec', 'external'], 'must be a map like {ip: 172.18.0.100}');
    else {
      checkKeys(ctx, spec.external, ['spec', 'external'], ['ip', 'ports']);
      if (spec.external.ip !== undefined) {
        extIp = str(ctx, spec.external.ip, ['spec', 'external', 'ip']);
        if (extIp !== undefined && !isIPv4(extIp)) {
          ctx.err(['spec', 'external', 'ip'], `"${extIp}" is not an IPv4 address`);
          extIp = undefined;
        } else if (extIp && underlay && !contains(underlay, extIp)) ctx.err(['spec', 'external', 'ip'], `${extIp} is not inside the underlay ${underlay.text}`);
        else if (extIp && reservedUnderlay.has(extIp)) ctx.err(['spec', 'external', 'ip'], `${extIp} is already used by ${reservedUnderlay.get(extIp)}`);
      }
      if (spec.external.ports !== undefined) {
        if (!Array.isArray(spec.external.ports)) ctx.err(['spec', 'external', 'ports'], 'must be a list of port numbers');
        else extPorts = spec.external.ports.map((v: unknown, i: number) => {
          const port = int(ctx, v, ['spec', 'external', 'ports', i], 1, 65535) ?? 0;
          if (port === DNS_PORT) ctx.err(['spec', 'external', 'ports', i], `port ${DNS_PORT} is taken by the external host's DNS server (the ${EXTERNAL_ZONE} zone)`);
          return port;
        }).filter((x: number) => x > 0);
      }
    }
  }
  if (underlay) {
    const gw = underlay.base + 1;
    for (const [ip, who] of reservedUnderlay) {
      const n = ipToNum(ip);
      if (n === gw) ctx.err(['spec'], `${ip} (${who}) is the underlay gateway address, reserved by podlab`);
      if (n === underlay.base || n === underlay.base + underlay.size - 1) ctx.err(['spec'], `${ip} (${who}) is the underlay's network or broadcast address`);
    }
  }

  // What runs the pods, and kubelet's restart back-off.
  let runtime: RuntimeName | undefined;
  if (spec.runtime !== undefined) {
    if (spec.runtime !== 'process' && spec.runtime !== 'docker') ctx.err(['spec', 'runtime'], `${JSON.stringify(spec.runtime)} is not a runtime (process or docker)`);
    else runtime = spec.runtime;
  }
  const kubelet = parseKubelet(ctx, spec.kubelet);

  const loadBalancer = parseLoadBalancer(ctx, spec.loadBalancer, mode, opts, { podCIDR, serviceCIDR, underlay, reserved: reservedUnderlay, hostRoutes: opts.hostRoutes ?? [] });

  // The modes' own sections.
  const env: ClusterEnv = { mode, nodes: nodes.map((n) => n.name), podCIDR, serviceCIDR, underlay, hostRoutes: opts.hostRoutes ?? [] };
  const modeSpecs: Record<string, unknown> = {};
  for (const s of opts.schemas) {
    if (s.onlyInMode && s.mode !== mode) {
      if (spec[s.key] !== undefined) ctx.err(['spec', s.key], `is only for mode ${s.mode} (this cluster's mode is ${mode})`);
      continue;
    }
    const v = s.parse(ctx, spec[s.key], env);
    if (v !== undefined) modeSpecs[s.key] = v;
  }

  if (ctx.problems.length > before || !name || !podCIDR || !serviceCIDR || !underlay) return undefined;
  return {
    name, mode, proxyMode: proxyMode as ProxyMode,
    podCIDR: podCIDR.text, nodeCIDRMaskSize: maskSize, serviceCIDR: serviceCIDR.text, nodePortRange,
    underlay: underlay.text, mtu, nodes, external: { ip: extIp, ports: extPorts }, loadBalancer, clusterDomain, modeSpecs,
    ...(runtime ? { runtime } : {}), ...(kubelet ? { kubelet } : {}),
    origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 },
  };
}

/** kubelet's container back-off: 10 s doubling to 300 s, forgotten after 2 × max (kubelet's constants). */
export const DEFAULT_BACKOFF = { initialSeconds: 10, maxSeconds: 300, resetSeconds: 600 } as const;

function seconds(ctx: DocCtx, v: unknown, at: Path): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !(v >= 0.05) || v > 86_400) {
    ctx.err(at, `must be a number of seconds from 0.05 to 86400, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

/** spec.kubelet: {backoff: {initialSeconds, maxSeconds, resetSeconds}} — a shorter back-off for tests and demos. */
function parseKubelet(ctx: DocCtx, v: unknown): KubeletSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const at: Path = ['spec', 'kubelet'];
  if (!isObj(v)) {
    ctx.err(at, 'must be a map like {backoff: {initialSeconds: 1, maxSeconds: 8}}');
    return undefined;
  }
  checkKeys(ctx, v, at, ['backoff']);
  if (v.backoff === undefined) return undefined;
  if (!isObj(v.backoff)) {
    ctx.err([...at, 'backoff'], 'must be a map like {initialSeconds: 1, maxSeconds: 8}');
    return undefined;
  }
  const b = v.backoff;
  checkKeys(ctx, b, [...at, 'backoff'], ['initialSeconds', 'maxSeconds', 'resetSeconds']);
  const initialSeconds = seconds(ctx, b.initialSeconds, [...at, 'backoff', 'initialSeconds']) ?? DEFAULT_BACKOFF.initialSeconds;
  const maxSeconds = seconds(ctx, b.maxSeconds, [...at, 'backoff', 'maxSeconds']) ?? Math.max(initialSeconds, b.initialSeconds !== undefined ? initialSeconds * 30 : DEFAULT_BACKOFF.maxSeconds);
  if (maxSeconds < initialSeconds) ctx.err([...at, 'backoff', 'maxSeconds'], `${maxSeconds} is less than initialSeconds ${initialSeconds}`);
  const resetSeconds = seconds(ctx, b.resetSeconds, [...at, 'backoff', 'resetSeconds']) ?? 2 * maxSeconds;
  return { backoff: { initialSeconds, maxSeconds, resetSeconds } };
}

const EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** A node's taints, as kubectl taint writes them: {key, value?, effect}. */
function parseTaints(ctx: DocCtx, v: unknown, at: Path): Taint[] {
  const out: Taint[] = [];
  const seen = new Set<string>();
  (list(ctx, v, at, 'a list of taints like [{key: dedicated, value: gpu, effect: NoSchedule}]') ?? []).forEach((t, i) => {
    const p: Path = [...at, i];
    if (!isObj(t)) return ctx.err(p, 'must be a map like {key: dedicated, value: gpu, effect: NoSchedule}');
    checkKeys(ctx, t, p, ['key', 'value', 'effect']);
    const key = str(ctx, t.key, [...p, 'key'], { required: true, re: LABEL_KEY, what: 'a taint key (a label key)' });
    const value = str(ctx, t.value, [...p, 'value'], { re: /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, what: 'a taint value (a label value)' }) ?? '';
    const effect = t.effect as TaintEffect;
    if (!EFFECTS.includes(effect)) ctx.err([...p, 'effect'], `${JSON.stringify(t.effect)} is not a taint effect (${EFFECTS.join(', ')})`);
    if (!key || !EFFECTS.includes(effect)) return;
    if (seen.has(`${key}:${effect}`)) ctx.err(p, `duplicate taint ${key}:${effect}`);
    seen.add(`${key}:${effect}`);
    out.push({ key, value, effect });
    });
  return out;
}

/** spec.loadBalancer: {announce, pool}. The pool must suit the announcement: on the underlay for L2, off it otherwise. */
function parseLoadBalancer(ctx: DocCtx, raw: unknown, mode: string, opts: ClusterOptions,
  env: { podCIDR?: Cidr; serviceCIDR?: Cidr; underlay?: Cidr; reserved: ReadonlyMap<string, string>; hostRoutes: readonly string[] }): { announce: string; pool: string[] } {
  const allowed = opts.lbAnnounce?.[mode] ?? ['L2'];
  const out = { announce: allowed[0] ?? 'L2', pool: [] as string[] };
  if (raw === undefined || raw === null) return out;
  const path: Path = ['spec', 'loadBalancer'];
  if (!isObj(raw)) {
    ctx.err(path, 'must be a map like {pool: [172.18.0.200-172.18.0.250]}');
    return out;
  }
  checkKeys(ctx, raw, path, ['announce', 'pool']);
  if (raw.announce !== undefined) {
    const a = str(ctx, raw.announce, [...path, 'announce']);
    if (a !== undefined && !allowed.includes(a)) ctx.err([...path, 'announce'], `"${a}" is not how mode ${mode} announces load-balancer IPs (one of: ${allowed.join(', ')})`);
    else if (a) out.announce = a;
  }
  if (raw.pool === undefined || raw.pool === null) return out;
  const items = typeof raw.pool === 'string' ? [raw.pool] : Array.isArray(raw.pool) ? raw.pool : undefined;
  if (!items) {
    ctx.err([...path, 'pool'], 'must be a list of address ranges or CIDRs');
    return out;
  }
  const onUnderlay = LB_ON_UNDERLAY[out.announce] ?? true;
  const ranges: IpRange[] = [];
  items.forEach((v: unknown, i: number) => {
    const p: Path = typeof raw.pool === 'string' ? [...path, 'pool'] : [...path, 'pool', i];
    const r = parseRange(v);
    if (typeof r === 'string') return ctx.err(p, r);
    for (const [c, what] of [[env.podCIDR, 'podCIDR'], [env.serviceCIDR, 'serviceCIDR']] as const) {
      if (c && rangeOverlapsCidr(r, c)) ctx.err(p, `${r.text} overlaps ${what} ${c.text}`);
    }
    if (env.underlay) {
      if (onUnderlay && !rangeInsideCidr(r, env.underlay)) ctx.err(p, `${r.text} is not on the underlay ${env.underlay.text}: ${out.announce} announces an IP by answering ARP, which only works on the nodes' own subnet`);
      if (!onUnderlay && rangeOverlapsCidr(r, env.underlay)) ctx.err(p, `${r.text} overlaps the underlay ${env.underlay.text}: ${out.announce} addresses are routed to the cluster, so they must be outside the nodes' subnet`);
      const gw = env.underlay.base + 1;
      if (onUnderlay && gw >= r.first && gw <= r.last) ctx.err(p, `${r.text} holds the underlay gateway address`);
    }
    for (const [ip, who] of env.reserved) {
      const n = ipToNum(ip);
      if (n >= r.first && n <= r.last) ctx.err(p, `${r.text} holds ${ip}, the address of ${who}`);
    }
    for (const h of env.hostRoutes) {
      const hc = parseCidr(h.includes('/') ? h : `${h}/32`);
      if (!onUnderlay && typeof hc !== 'string' && hc.prefix > 0 && rangeOverlapsCidr(r, hc)) ctx.err(p, `${r.text} overlaps this host's own route to ${hc.text}`);
    }
    for (const o of ranges) if (r.first <= o.last && o.first <= r.last) ctx.err(p, `${r.text} overlaps ${o.text}`);
    ranges.push(r);
    out.pool.push(r.text);
  });
  return out;
}
