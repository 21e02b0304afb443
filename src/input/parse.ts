// Parse and validate cluster files: multi-document YAML → LabSpec. Pure: the caller reads the files.
// Every problem found is collected (with file, line and field path) and reported together.
import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import { isIPv4, parseCidr, contains, overlaps, type Cidr } from '../net/ip.js';
import { INSTANCE_TYPES } from '../modes/vpc/instances.js';
import type {
  BgpSpec, BgpTopology,
  ClusterSpec, ContainerPort, ContainerSpec, LabSpec, Mode, NodeSpec, PodSpec, Protocol, ProxyMode, VpcHostSpec, VpcSpec,
  ServicePortSpec, ServiceSpec, ServiceType, TrafficPolicy,
} from './types.js';
import { SpecError, type Problem } from './problems.js';
import { parseCheck } from './kinds/check.js';
import { parseNetworkPolicy } from './kinds/networkpolicy.js';
import type { CheckSpec, NetworkPolicySpec } from './types.js';

export interface Source {
  readonly file: string;
  readonly text: string;
  /** Working directory for container commands declared in this file (the file's folder). */
  readonly dir: string;
}

export interface ParseOptions {
  readonly mode?: string;
  readonly proxyMode?: string;
  /** IPv4 destinations of the host's own routes (not default, not local): the pod CIDR must not overlap them. */
  readonly hostRoutes?: readonly string[];
  /** Modes this build supports (from the mode registry); others are reported. */
  readonly supportedModes?: readonly string[];
  /**
   * Live changes (`podlab apply`): a later Pod/Service/Namespace document with the same kind, namespace and
   * name replaces an earlier one instead of being reported as a duplicate.
   */
  readonly lastWins?: boolean;
  /** Objects removed by `podlab delete`, as objectKey() strings: their documents are skipped. */
  readonly deleted?: readonly string[];
}

/** Kinds `podlab apply` and `podlab delete` change in a running lab (a later document of one replaces an earlier one). */
export const LIVE_KINDS: readonly string[] = ['Pod', 'Service', 'Namespace', 'NetworkPolicy'];

/** "Pod ns/name", "Service ns/name", "Namespace name": how apply/delete name an object. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return kind === 'Namespace' || kind === 'Cluster' ? `${kind} ${name}` : `${kind} ${namespace ?? 'default'}/${name}`;
}

/** The objects (kind, namespace, name) a set of files declares, without validating them (for apply/delete). */
export function objectKeysOf(sources: readonly Source[]): string[] {
  const out: string[] = [];
  for (const src of sources) {
    for (const doc of parseAllDocuments(src.text) as Document[]) {
      const o = doc.toJS() as unknown;
      if (!isObj(o) || typeof o.kind !== 'string') continue;
      const m = isObj(o.metadata) ? o.metadata : {};
      if (typeof m.name !== 'string') continue;
      out.push(objectKey(o.kind, typeof m.namespace === 'string' ? m.namespace : undefined, m.name));
    }
  }
  return out;
}

export const MODES: readonly Mode[] = ['overlay', 'bgp', 'vpc'];
export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'nftables'];
const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,9}$/;
/** Kubernetes fields accepted and ignored by this runtime (a notice is printed). */
const IGNORED_CONTAINER_FIELDS = ['image', 'imagePullPolicy', 'resources', 'readinessProbe', 'livenessProbe', 'startupProbe'];

type Path = (string | number)[];

class DocCtx {
  constructor(
    readonly doc: Document,
    readonly file: string,
    readonly lc: LineCounter,
    readonly label: string,
    readonly problems: Problem[],
  ) {}

  lineOf(path: Path): number | undefined {
    let node: unknown = this.doc.contents;
    let best: number | undefined = rangeStart(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
        if (!pair) break;
        best = rangeStart(pair.key) ?? best;
        node = pair.value;
        if (!isMap(node) && !isSeq(node)) best = rangeStart(node) ?? best;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        best = rangeStart(node) ?? best;
      } else break;
    }
    return best === undefined ? undefined : this.lc.linePos(best).line;
  }

  err(path: Path, message: string): void {
    this.problems.push({ file: this.file, line: this.lineOf(path), path: `${this.label} ${fmtPath(path)}`.trim(), message });
  }
}

function rangeStart(n: unknown): number | undefined {
  const r = (n as Node | undefined)?.range;
  return r ? r[0] : undefined;
}

export function fmtPath(path: Path): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${k}` : k;
  return s;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(ctx: DocCtx, obj: Record<string, unknown>, path: Path, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) ctx.err([...path, k], `unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  }
}

export const DEFAULT_BGP: BgpSpec = { asn: 64512, topology: 'full-mesh', routeReflectors: [], blockSize: 26 };

/** spec.bgp: {asn, topology: full-mesh | route-reflector, routeReflectors: [node…], blockSize}. */
function parseBgp(ctx: DocCtx, v: unknown, nodeNames: readonly string[], podPrefix: number | undefined): BgpSpec {
  if (v === undefined || v === null) return DEFAULT_BGP;
  const base: Path = ['spec', 'bgp'];
  if (!isObj(v)) {
    ctx.err(base, 'must be a map like {asn: 64512, topology: full-mesh}');
    return DEFAULT_BGP;
  }
  checkKeys(ctx, v, base, ['asn', 'topology', 'routeReflectors', 'blockSize']);
  const asn = int(ctx, v.asn, [...base, 'asn'], 1, 4294967294) ?? DEFAULT_BGP.asn;
  let topology: BgpTopology = DEFAULT_BGP.topology;
  if (v.topology !== undefined) {
    if (v.topology === 'full-mesh' || v.topology === 'route-reflector') topology = v.topology;
    else ctx.err([...base, 'topology'], `unknown BGP topology ${JSON.stringify(v.topology)} (one of: full-mesh, route-reflector)`);
  }
  const routeReflectors: string[] = [];
  if (v.routeReflectors !== undefined) {
    if (!Array.isArray(v.routeReflectors)) ctx.err([...base, 'routeReflectors'], 'must be a list of node names');
    else v.routeReflectors.forEach((r: unknown, i: number) => {
      const path: Path = [...base, 'routeReflectors', i];
      if (typeof r !== 'string') ctx.err(path, `must be a node name, got ${JSON.stringify(r)}`);
      else if (!nodeNames.includes(r)) ctx.err(path, `unknown node "${r}" (nodes: ${nodeNames.join(', ')})`);
      else if (routeReflectors.includes(r)) ctx.err(path, `node "${r}" is listed twice`);
      else routeReflectors.push(r);
    });
  }
  if (topology === 'route-reflector' && routeReflectors.length === 0) ctx.err([...base, 'routeReflectors'], 'topology route-reflector needs at least one node in routeReflectors');
  if (topology === 'full-mesh' && routeReflectors.length > 0) ctx.err([...base, 'routeReflectors'], 'only used with topology: route-reflector');
  const blockSize = int(ctx, v.blockSize, [...base, 'blockSize'], 20, 32) ?? DEFAULT_BGP.blockSize;
  if (podPrefix !== undefined && blockSize < podPrefix) ctx.err([...base, 'blockSize'], `/${blockSize} blocks are larger than the podCIDR (/${podPrefix})`);
  return { asn, topology, routeReflectors, blockSize };
}

function str(ctx: DocCtx, v: unknown, path: Path, opts: { required?: boolean; re?: RegExp; what?: string; max?: number } = {}): string | undefined {
  if (v === undefined || v === null) {
    if (opts.required) ctx.err(path, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    ctx.err(path, `must be a string, got ${JSON.stringify(v)}`);
    return undefined;
  }
  if (opts.max !== undefined && v.length > opts.max) {
    ctx.err(path, `"${v}" is longer than ${opts.max} characters`);
    return undefined;
  }
  if (opts.re && !opts.re.test(v)) {
    ctx.err(path, `"${v}" is not ${opts.what ?? `valid (${opts.re.source})`}`);
    return undefined;
  }
  return v;
}

function int(ctx: DocCtx, v: unknown, path: Path, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    ctx.err(path, `must be an integer, got ${JSON.stringify(v)}`);
    return undefined;
  }
  if (v < min || v > max) {
    ctx.err(path, `${v} is out of range ${min}-${max}`);
    return undefined;
  }
  return v;
}

function labels(ctx: DocCtx, v: unknown, path: Path): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) {
    ctx.err(path, 'must be a map of string to string');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(k)) ctx.err([...path, k], `"${k}" is not a valid label key`);
    if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else ctx.err([...path, k], 'label values must be strings');
  }
  return out;
}

interface RawDoc {
  ctx: DocCtx;
  obj: Record<string, unknown>;
  kind: string;
  dir: string;
}

/** Parse and validate. Throws SpecError listing every problem; returns a complete LabSpec otherwise. */
export function parseLab(sources: readonly Source[], opts: ParseOptions = {}): LabSpec {
  const problems: Problem[] = [];
  const notices: string[] = [];
  const docs: RawDoc[] = [];

  for (const src of sources) {
    const lc = new LineCounter();
    const parsed = parseAllDocuments(src.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(parsed) ? parsed : [parsed];
    list.forEach((doc, i) => {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) {
          const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
          problems.push({ file: src.file, line, path: `document ${i + 1}`, message: `YAML syntax: ${e.message.split('\n')[0]}` });
        }
        return;
      }
      const obj = doc.toJS() as unknown;
      if (obj === null || obj === undefined) return; // empty document
      const kind = isObj(obj) && typeof obj.kind === 'string' ? obj.kind : '';
      const meta = isObj(obj) && isObj(obj.metadata) ? obj.metadata : {};
      const nm = typeof meta.name === 'string' ? meta.name : '?';
      const ns = typeof meta.namespace === 'string' ? meta.namespace : 'default';
      const label = kind === 'Pod' || kind === 'Service' || kind === 'NetworkPolicy' ? `${kind} ${ns}/${nm}` : kind ? `${kind} ${nm}` : `document ${i + 1}`;
      const ctx = new DocCtx(doc, src.file, lc, label, problems);
      if (!isObj(obj)) {
        ctx.err([], 'a document must be a map with apiVersion and kind');
        return;
      }
      docs.push({ ctx, obj, kind, dir: src.dir });
    });
  }
  if (opts.lastWins || opts.deleted?.length) {
    const keyOf = (d: RawDoc) => {
      const m = isObj(d.obj.metadata) ? d.obj.metadata : {};
      return typeof m.name === 'string' && LIVE_KINDS.includes(d.kind)
        ? objectKey(d.kind, typeof m.namespace === 'string' ? m.namespace : undefined, m.name) : undefined;
    };
    const gone = new Set(opts.deleted ?? []);
    const last = new Map<string, RawDoc>();
    for (const d of docs) {
      const k = keyOf(d);
      if (k) last.set(k, d);
    }
    const keep = docs.filter((d) => {
      const k = keyOf(d);
      return !k || (!gone.has(k) && (!opts.lastWins || last.get(k) === d));
    });
    docs.splice(0, docs.length, ...keep);
  }

  const clusters = docs.filter((d) => d.kind === 'Cluster');
  const nsDocs = docs.filter((d) => d.kind === 'Namespace');
  const podDocs = docs.filter((d) => d.kind === 'Pod');
  const checkDocs = docs.filter((d) => d.kind === 'Check');
  const svcDocs = docs.filter((d) => d.kind === 'Service');
  const policyDocs = docs.filter((d) => d.kind === 'NetworkPolicy');
  for (const d of docs) {
    if (!['Cluster', 'Namespace', 'Pod', 'Service', 'NetworkPolicy', 'Check'].includes(d.kind)) {
      const later = ['Endpoints', 'EndpointSlice'].includes(d.kind);
      d.ctx.err(['kind'], d.kind
        ? `unknown kind "${d.kind}"${later ? ' (not supported by this version of podlab yet)' : ''} (supported: Cluster, Namespace, Pod, Service, NetworkPolicy, Check)`
        : 'kind is required (Cluster, Namespace, Pod, Service, NetworkPolicy or Check)');
    }
  }

  if (clusters.length === 0 && problems.length === 0) {
    problems.push({ file: sources.map((s) => s.file).join(', ') || '(no files)', path: 'Cluster', message: 'no Cluster document found: exactly one is required' });
  }
  for (const extra of clusters.slice(1)) extra.ctx.err([], `a second Cluster document (the first is in ${clusters[0]!.ctx.file}:${clusters[0]!.ctx.lineOf([])}); exactly one is allowed`);

  const nodeNames: string[] = [];
  const cluster = clusters[0] ? parseCluster(clusters[0], opts, nodeNames) : undefined;

  const namespaces = new Set<string>();
  const namespaceLabels: Record<string, Record<string, string>> = {};
  for (const d of nsDocs) {
    checkKeys(d.ctx, d.obj, [], ['apiVersion', 'kind', 'metadata']);
    if (d.obj.apiVersion !== 'v1') d.ctx.err(['apiVersion'], `must be "v1" for a Namespace`);
    const meta = isObj(d.obj.metadata) ? d.obj.metadata : {};
    checkKeys(d.ctx, meta, ['metadata'], ['name', 'labels', 'annotations']);
    const lbls = labels(d.ctx, meta.labels, ['metadata', 'labels']);
    const name = str(d.ctx, meta.name, ['metadata', 'name'], { required: true, re: DNS_LABEL, what: 'a DNS label', max: 63 });
    if (name) {
      if (namespaces.has(name)) d.ctx.err(['metadata', 'name'], `duplicate Namespace "${name}"`);
      namespaces.add(name);
      const auto = lbls['kubernetes.io/metadata.name'];
      if (auto !== undefined && auto !== name) d.ctx.err(['metadata', 'labels', 'kubernetes.io/metadata.name'], `is set by Kubernetes to the namespace's name ("${name}"), not "${auto}"`);
      namespaceLabels[name] = lbls;
    }
  }

  const pods: PodSpec[] = [];
  const seenPods = new Map<string, DocCtx>();
  for (const d of podDocs) {
    const meta = isObj(d.obj.metadata) ? d.obj.metadata : {};
    const key = `${typeof meta.namespace === 'string' ? meta.namespace : 'default'}/${String(meta.name)}`;
    const prev = seenPods.get(key);
    if (prev) {
      d.ctx.err(['metadata', 'name'], `duplicate Pod "${key}" (first declared at ${prev.file}:${prev.lineOf([])})`);
      continue;
    }
    seenPods.set(key, d.ctx);
    const pod = parsePod(d, notices);
    const spec = isObj(d.obj.spec) ? d.obj.spec : {};
    if (typeof spec.nodeName === 'string' && clusters.length > 0 && !nodeNames.includes(spec.nodeName)) {
      d.ctx.err(['spec', 'nodeName'], `unknown node "${spec.nodeName}" (nodes: ${nodeNames.join(', ')})`);
    }
    if (!pod) continue;
    pods.push(pod);
    namespaces.add(pod.namespace);
  }

  const services: ServiceSpec[] = [];
  const seenSvcs = new Map<string, DocCtx>();
  for (const d of svcDocs) {
    const svc = parseService(d, cluster);
    if (!svc) continue;
    const prev = seenSvcs.get(svc.key);
    if (prev) d.ctx.err(['metadata', 'name'], `duplicate Service "${svc.key}" (first declared at ${prev.file}:${prev.lineOf([])})`);
    else {
      seenSvcs.set(svc.key, d.ctx);
      services.push(svc);
      namespaces.add(svc.namespace);
    }
  }
  if (cluster) checkServicesTogether(services, seenSvcs, pods, cluster, notices);
  const checks = parseChecks(checkDocs, cluster, seenPods, services);

  const policies: NetworkPolicySpec[] = [];
  const seenPolicies = new Map<string, DocCtx>();
  for (const d of policyDocs) {
    const ctx = {
      err: (path: Path, message: string) => d.ctx.err(path, message),
      lineOf: (path: Path) => d.ctx.lineOf(path),
      file: d.ctx.file,
      notice: (path: Path, message: string) => notices.push(`${d.ctx.file}:${d.ctx.lineOf(path) ?? '?'}: ${d.ctx.label} ${fmtPath(path)}: ${message}`),
    };
    const np = parseNetworkPolicy(ctx, d.obj);
    if (!np) continue;
    const prev = seenPolicies.get(np.key);
    if (prev) d.ctx.err(['metadata', 'name'], `duplicate NetworkPolicy "${np.key}" (first declared at ${prev.file}:${prev.lineOf([])})`);
    else {
      seenPolicies.set(np.key, d.ctx);
      policies.push(np);
      namespaces.add(np.namespace);
    }
  }

  if (problems.length > 0 || !cluster) throw new SpecError(problems);
  return { cluster, namespaces: [...namespaces].sort(), namespaceLabels, pods, services, policies, checks, notices };
}

/** Check documents: shape (spec/check.ts), unique names, and references to pods and nodes of this file. */
function parseChecks(checkDocs: readonly RawDoc[], cluster: ClusterSpec | undefined, pods: ReadonlyMap<string, DocCtx>, services: readonly ServiceSpec[]): CheckSpec[] {
  const out: CheckSpec[] = [];
  const seen = new Map<string, DocCtx>();
  const nodeNames = cluster?.nodes.map((n) => n.name) ?? [];
  for (const d of checkDocs) {
    const meta = isObj(d.obj.metadata) ? d.obj.metadata : {};
    const rawName = typeof meta.name === 'string' ? meta.name : undefined;
    const prev = rawName !== undefined ? seen.get(rawName) : undefined;
    if (prev) d.ctx.err(['metadata', 'name'], `duplicate Check "${rawName}" (first declared at ${prev.file}:${prev.lineOf([])})`);
    else if (rawName !== undefined) seen.set(rawName, d.ctx);
    const c = parseCheck(d.ctx, d.obj);
    if (!c || prev) continue;
    const before = d.ctx.problems.length;
    const podRef = (key: string, path: Path) => {
      if (!pods.has(key)) d.ctx.err(path, `unknown pod "${key}" (pods: ${[...pods.keys()].join(', ') || 'none'})`);
    };
    const nodeRef = (n: string, path: Path) => {
      if (cluster && !nodeNames.includes(n)) d.ctx.err(path, `unknown node "${n}" (nodes: ${nodeNames.join(', ')})`);
    };
    if (c.from.kind === 'pod') podRef(`${c.from.namespace}/${c.from.name}`, ['spec', 'from']);
    if (c.from.kind === 'node') nodeRef(c.from.name, ['spec', 'from']);
    if (c.to.kind === 'pod') podRef(`${c.to.namespace}/${c.to.name}`, ['spec', 'to']);
    if (c.to.kind === 'nodeport') nodeRef(c.to.node, ['spec', 'to']);
    if (c.to.kind === 'service' || c.to.kind === 'nodeport') {
      const to = c.to;
      const svc = services.find((x) => x.namespace === to.namespace && x.name === to.name);
      if (!svc) d.ctx.err(['spec', 'to'], `unknown Service "${to.namespace}/${to.name}" (Services: ${services.map((x) => x.key).join(', ') || 'none'})`);
      else {
        const problem = servicePortProblem(svc, to.port, c.protocol, to.kind === 'nodeport', cluster);
        if (problem) d.ctx.err(['spec', 'to'], `"${c.toText}": ${problem}`);
      }
    }
    if (c.to.kind === 'ip' && c.from.kind !== 'external' && c.to.ip === '0.0.0.0') d.ctx.err(['spec', 'to'], '0.0.0.0 is not a destination');
    c.expect.backends?.forEach((b, i) => podRef(b, ['spec', 'expect', 'backends', i]));
    if (d.ctx.problems.length === before) out.push(c);
  }
  return out;
}

/** Why a Check's service/nodeport target names no port of the Service (undefined when it does). A nodeport target may
 *  name the Service port, its name, or a nodePort number (allocated ones are only known at \`up\`, so any number in
 *  the node port range is accepted there). */
function servicePortProblem(svc: ServiceSpec, want: number | string | undefined, protocol: string, nodePort: boolean, cluster: ClusterSpec | undefined): string | undefined {
  const list = svc.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}`).join(', ');
  if (svc.clusterIP === 'None') return `Service ${svc.key} is headless (clusterIP: None): there is no ClusterIP or NodePort to reach`;
  if (nodePort && svc.type !== 'NodePort') return `Service ${svc.key} is of type ${svc.type}, it has no nodePorts`;
  const ofProto = svc.ports.filter((p) => protocol === 'ICMP' || p.protocol === protocol);
  if (want === undefined) return ofProto.length === 1 ? undefined : `Service ${svc.key} has ${ofProto.length || 'no'} ${protocol} ports: name one (ports: ${list})`;
  if (typeof want === 'string') return ofProto.some((p) => p.name === want) ? undefined : `Service ${svc.key} has no ${protocol} port named "${want}" (ports: ${list})`;
  if (ofProto.some((p) => p.port === want || (nodePort && p.nodePort === want))) return undefined;
  if (nodePort && cluster && want >= cluster.nodePortRange[0] && want <= cluster.nodePortRange[1]) return undefined;
  return `Service ${svc.key} has no ${protocol} port ${want} (ports: ${list})`;
}

function parseCluster(d: RawDoc, opts: ParseOptions, nodeNames: string[]): ClusterSpec | undefined {
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
  checkKeys(ctx, spec, ['spec'], ['mode', 'proxyMode', 'podCIDR', 'nodeCIDRMaskSize', 'serviceCIDR', 'nodePortRange', 'underlay', 'mtu', 'nodes', 'external', 'bgp', 'vpc']);

  let mode = (opts.mode ?? spec.mode ?? 'overlay') as string;
  const modePath: Path = opts.mode !== undefined ? ['(--mode)'] : ['spec', 'mode'];
  if (!MODES.includes(mode as Mode)) {
    ctx.err(modePath, `unknown mode "${mode}" (one of: ${MODES.join(', ')})`);
    mode = 'overlay';
  } else if (opts.supportedModes && !opts.supportedModes.includes(mode)) {
    ctx.err(modePath, `mode "${mode}" is not built in this version of podlab yet (available: ${opts.supportedModes.join(', ')})`);
  }
  let proxyMode = (opts.proxyMode ?? spec.proxyMode ?? 'iptables') as string;
  if (!PROXY_MODES.includes(proxyMode as ProxyMode)) {
    ctx.err(opts.proxyMode !== undefined ? ['(--proxy-mode)'] : ['spec', 'proxyMode'], `unknown proxy mode "${proxyMode}" (one of: ${PROXY_MODES.join(', ')})`);
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

  // Nodes.
  const nodes: NodeSpec[] = [];
  if (!Array.isArray(spec.nodes) || spec.nodes.length === 0) {
    ctx.err(['spec', 'nodes'], 'at least one node is required, e.g. nodes: [{name: node1}]');
  } else {
    const names = new Set<string>();
    spec.nodes.forEach((n: unknown, i: number) => {
      const p: Path = ['spec', 'nodes', i];
      if (!isObj(n)) {
        ctx.err(p, 'must be a map like {name: node1}');
        return;
      }
      checkKeys(ctx, n, p, ['name', 'ip', 'labels']);
      const nn = str(ctx, n.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a node name (DNS label: [a-z0-9-])', max: 40 });
      if (nn && ['fabric', 'ext'].includes(nn)) ctx.err([...p, 'name'], `"${nn}" is reserved for podlab's own namespaces`);
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
      if (ip && mode === 'vpc') ctx.err([...p, 'ip'], 'in vpc mode a node\'s primary IP comes from its VPC subnet; remove ip');
      else if (ip && underlay) {
        if (!contains(underlay, ip)) ctx.err([...p, 'ip'], `${ip} is not inside the underlay ${underlay.text}`);
        else {
          const prev = reservedUnderlay.get(ip);
          if (prev) ctx.err([...p, 'ip'], `${ip} is already used by ${prev}`);
          reservedUnderlay.set(ip, `node ${nn}`);
        }
      }
      nodes.push({ name: nn ?? `#${i}`, ip, labels: labels(ctx, n.labels, [...p, 'labels']), origin: { file: ctx.file, line: ctx.lineOf(p) ?? 0 } });
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
        else extPorts = spec.external.ports.map((v: unknown, i: number) => int(ctx, v, ['spec', 'external', 'ports', i], 1, 65535) ?? 0).filter((x: number) => x > 0);
      }
    }
  }
  const bgp = parseBgp(ctx, spec.bgp, nodes.map((n) => n.name), podCIDR?.prefix);
  if (underlay) {
    const gw = underlay.base + 1;
    for (const [ip, who] of reservedUnderlay) {
      const n = Number(ip.split('.').reduce((a, b) => a * 256 + Number(b), 0));
      if (n === gw) ctx.err(['spec'], `${ip} (${who}) is the underlay gateway address, reserved by podlab`);
      if (n === underlay.base || n === underlay.base + underlay.size - 1) ctx.err(['spec'], `${ip} (${who}) is the underlay's network or broadcast address`);
    }
  }

  const vpc = parseVpc(ctx, spec.vpc, mode, { serviceCIDR, underlay, hostRoutes: opts.hostRoutes ?? [], nodes: nodes.map((n) => n.name) });

  if (ctx.problems.length > before || !name || !podCIDR || !serviceCIDR || !underlay) return undefined;
  return {
    vpc,
    name, mode: mode as Mode, proxyMode: proxyMode as ProxyMode,
    podCIDR: podCIDR.text, nodeCIDRMaskSize: maskSize, serviceCIDR: serviceCIDR.text, nodePortRange,
    underlay: underlay.text, mtu, nodes, external: { ip: extIp, ports: extPorts }, bgp,
    origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 },
  };
}

function parseVpc(ctx: DocCtx, v: unknown, mode: string, o: { serviceCIDR?: Cidr; underlay?: Cidr; hostRoutes: readonly string[]; nodes: readonly string[] }): VpcSpec | undefined {
  const base: Path = ['spec', 'vpc'];
  if (mode !== 'vpc') {
    if (v !== undefined) ctx.err(base, `is only for mode vpc (this cluster's mode is ${mode})`);
    return undefined;
  }
  const raw = v === undefined ? {} : v;
  if (!isObj(raw)) {
    ctx.err(base, 'must be a map like {cidr: 10.0.0.0/16, instanceType: t3.medium}');
    return undefined;
  }
  checkKeys(ctx, raw, base, ['cidr', 'subnetMaskSize', 'instanceType', 'externalSNAT', 'excludeSNATCIDRs', 'hosts']);
  let cidr: Cidr | undefined;
  const c = parseCidr(raw.cidr ?? '10.0.0.0/16');
  if (typeof c === 'string') ctx.err([...base, 'cidr'], c);
  else cidr = c;
  if (cidr && (cidr.prefix < 8 || cidr.prefix > 24)) ctx.err([...base, 'cidr'], `${cidr.text}: a VPC CIDR is /16 to /28 in AWS; podlab takes /8 to /24`);
  if (cidr && o.serviceCIDR && overlaps(cidr, o.serviceCIDR)) ctx.err([...base, 'cidr'], `${cidr.text} overlaps serviceCIDR ${o.serviceCIDR.text}`);
  if (cidr && o.underlay && overlaps(cidr, o.underlay)) ctx.err([...base, 'cidr'], `${cidr.text} overlaps the underlay ${o.underlay.text} (the internet side of the VPC)`);
  if (cidr) {
    for (const r of o.hostRoutes) {
      const hc = parseCidr(r.includes('/') ? r : `${r}/32`);
      if (typeof hc !== 'string' && hc.prefix > 0 && overlaps(hc, cidr)) ctx.err([...base, 'cidr'], `${cidr.text} overlaps this host's own route to ${hc.text}; pick another VPC CIDR`);
    }
  }
  const mask = int(ctx, raw.subnetMaskSize, [...base, 'subnetMaskSize'], 16, 27) ?? 24;
  if (cidr && mask < cidr.prefix) ctx.err([...base, 'subnetMaskSize'], `/${mask} is larger than the VPC ${cidr.text}`);
  const instanceType = raw.instanceType === undefined ? 't3.medium' : str(ctx, raw.instanceType, [...base, 'instanceType']);
  if (instanceType !== undefined && !INSTANCE_TYPES[instanceType]) ctx.err([...base, 'instanceType'], `unknown instance type "${instanceType}" (known: ${Object.keys(INSTANCE_TYPES).join(', ')})`);
  let externalSNAT = false;
  if (raw.externalSNAT !== undefined) {
    if (typeof raw.externalSNAT !== 'boolean') ctx.err([...base, 'externalSNAT'], 'must be true or false');
    else externalSNAT = raw.externalSNAT;
  }
  const exclude: string[] = [];
  if (raw.excludeSNATCIDRs !== undefined) {
    if (!Array.isArray(raw.excludeSNATCIDRs)) ctx.err([...base, 'excludeSNATCIDRs'], 'must be a list of CIDRs');
    else raw.excludeSNATCIDRs.forEach((x: unknown, i: number) => {
      const e = parseCidr(x);
      if (typeof e === 'string') ctx.err([...base, 'excludeSNATCIDRs', i], e);
      else exclude.push(e.text);
    });
  }
  const hosts: VpcHostSpec[] = [];
  if (raw.hosts !== undefined) {
    if (!Array.isArray(raw.hosts)) ctx.err([...base, 'hosts'], 'must be a list like [{name: bastion}]');
    else {
      const seen = new Set(o.nodes);
      raw.hosts.forEach((h: unknown, i: number) => {
        const p: Path = [...base, 'hosts', i];
        if (!isObj(h)) return ctx.err(p, 'must be a map like {name: bastion}');
        checkKeys(ctx, h, p, ['name']);
        const n = str(ctx, h.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a host name (DNS label: [a-z0-9-])', max: 20 });
        if (n && ['fabric', 'ext'].includes(n)) ctx.err([...p, 'name'], `"${n}" is reserved for podlab's own namespaces`);
        else if (n && seen.has(n)) ctx.err([...p, 'name'], `"${n}" is already a node or host name`);
        if (n) {
          seen.add(n);
          hosts.push({ name: n, origin: { file: ctx.file, line: ctx.lineOf(p) ?? 0 } });
        }
      });
    }
  }
  if (cidr && mask >= cidr.prefix) {
    const count = 2 ** (mask - cidr.prefix);
    const want = o.nodes.length + hosts.length;
    if (count < want) ctx.err([...base, 'cidr'], `${cidr.text} holds only ${count} subnet(s) of /${mask}, but ${want} nodes and hosts need one each`);
  }
  if (!cidr || instanceType === undefined) return undefined;
  return { cidr: cidr.text, subnetMaskSize: mask, instanceType, externalSNAT, excludeSNATCIDRs: exclude, hosts };
}

function parsePod(d: RawDoc, notices: string[]): PodSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  checkKeys(ctx, obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (obj.apiVersion !== 'v1') ctx.err(['apiVersion'], `must be "v1" for a Pod, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) ctx.err(['metadata'], 'is required');
  checkKeys(ctx, meta, ['metadata'], ['name', 'namespace', 'labels', 'annotations']);
  const name = str(ctx, meta.name, ['metadata', 'name'], { required: true, re: DNS_SUBDOMAIN, what: 'a Pod name (lower-case DNS subdomain)', max: 253 });
  const namespace = str(ctx, meta.namespace, ['metadata', 'namespace'], { re: DNS_LABEL, what: 'a namespace name (DNS label)', max: 63 }) ?? 'default';
  const lbls = labels(ctx, meta.labels, ['metadata', 'labels']);
  const spec = obj.spec;
  if (!isObj(spec)) {
    ctx.err(['spec'], 'is required (spec.containers lists what runs in the pod)');
    return undefined;
  }
  checkKeys(ctx, spec, ['spec'], ['nodeName', 'containers', 'restartPolicy', 'terminationGracePeriodSeconds']);
  const nodeName = str(ctx, spec.nodeName, ['spec', 'nodeName']);
  const containers: ContainerSpec[] = [];
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) ctx.err(['spec', 'containers'], 'at least one container is required');
  else {
    const cnames = new Set<string>();
    const ports = new Map<string, string>();
    spec.containers.forEach((c: unknown, i: number) => {
      const p: Path = ['spec', 'containers', i];
      if (!isObj(c)) {
        ctx.err(p, 'must be a map with a name');
        return;
      }
      checkKeys(ctx, c, p, ['name', 'command', 'args', 'env', 'ports', 'workingDir', ...IGNORED_CONTAINER_FIELDS]);
      const cn = str(ctx, c.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a container name (DNS label)', max: 63 });
      if (cn && cnames.has(cn)) ctx.err([...p, 'name'], `duplicate container "${cn}"`);
      if (cn) cnames.add(cn);
      const image = str(ctx, c.image, [...p, 'image']);
      for (const f of IGNORED_CONTAINER_FIELDS) {
        if (c[f] !== undefined) notices.push(`${ctx.file}:${ctx.lineOf([...p, f])}: Pod ${namespace}/${name} container ${cn}: "${f}" is ignored by the process runtime`);
      }
      const strList = (v: unknown, key: string): string[] | undefined => {
        if (v === undefined || v === null) return undefined;
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
          ctx.err([...p, key], 'must be a list of strings');
          return undefined;
        }
        return v.map(String);
      };
      const command = strList(c.command, 'command');
      const args = strList(c.args, 'args');
      if (command && command.length === 0) ctx.err([...p, 'command'], 'must not be empty (leave it out to run the built-in netexec server)');
      if (args && !command) ctx.err([...p, 'args'], 'args without command: the process runtime has no image entrypoint to pass them to');
      const env: Record<string, string> = {};
      if (c.env !== undefined) {
        if (!Array.isArray(c.env)) ctx.err([...p, 'env'], 'must be a list of {name, value}');
        else c.env.forEach((e: unknown, j: number) => {
          if (!isObj(e)) return ctx.err([...p, 'env', j], 'must be {name, value}');
          checkKeys(ctx, e, [...p, 'env', j], ['name', 'value']);
          const en = str(ctx, e.name, [...p, 'env', j, 'name'], { required: true, re: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/, what: 'an environment variable name' });
          if (en) env[en] = e.value === undefined || e.value === null ? '' : String(e.value);
        });
      }
      const cports: ContainerPort[] = [];
      if (c.ports !== undefined) {
        if (!Array.isArray(c.ports)) ctx.err([...p, 'ports'], 'must be a list of {containerPort, protocol}');
        else c.ports.forEach((pt: unknown, j: number) => {
          const pp: Path = [...p, 'ports', j];
          if (!isObj(pt)) return ctx.err(pp, 'must be {containerPort, protocol}');
          checkKeys(ctx, pt, pp, ['containerPort', 'protocol', 'name', 'hostPort']);
          if (pt.hostPort !== undefined) ctx.err([...pp, 'hostPort'], 'hostPort is not supported by podlab');
          if (pt.containerPort === undefined) return ctx.err([...pp, 'containerPort'], 'is required');
          const port = int(ctx, pt.containerPort, [...pp, 'containerPort'], 1, 65535);
          const proto = (pt.protocol ?? 'TCP') as string;
          if (!PROTOCOLS.includes(proto as Protocol)) ctx.err([...pp, 'protocol'], `"${proto}" is not a protocol (TCP, UDP or SCTP)`);
          const pname = str(ctx, pt.name, [...pp, 'name'], { re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, what: 'a port name (IANA_SVC_NAME)', max: 15 });
          if (port === undefined) return;
          const key = `${port}/${proto}`;
          const prev = ports.get(key);
          if (prev) ctx.err([...pp, 'containerPort'], `${key} is already declared by container "${prev}": containers of a pod share one network namespace, so two cannot bind the same port`);
          else ports.set(key, cn ?? `#${i}`);
          cports.push({ containerPort: port, protocol: proto as Protocol, name: pname });
        });
      }
      if (!command && cports.length === 0) ctx.err([...p, 'ports'], 'a container without command runs the built-in netexec server, which needs at least one port to listen on');
      const wd = str(ctx, c.workingDir, [...p, 'workingDir']);
      containers.push({
        name: cn ?? `#${i}`, image, command: command ? [...command, ...(args ?? [])] : undefined,
        env, ports: cports, workingDir: wd ? (wd.startsWith('/') ? wd : `${d.dir}/${wd}`) : d.dir,
      });
    });
  }
  if (ctx.problems.length > before || !name) return undefined;
  return { namespace, name, labels: lbls, nodeName, containers, origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 } };
}

const SVC_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort'];
const POLICIES: readonly TrafficPolicy[] = ['Cluster', 'Local'];
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function ipNum(ip: string): number {
  return ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}

function parseService(d: RawDoc, cluster: ClusterSpec | undefined): ServiceSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  checkKeys(ctx, obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (obj.apiVersion !== 'v1') ctx.err(['apiVersion'], `must be "v1" for a Service, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) ctx.err(['metadata'], 'is required');
  checkKeys(ctx, meta, ['metadata'], ['name', 'namespace', 'labels', 'annotations']);
  const name = str(ctx, meta.name, ['metadata', 'name'], { required: true, re: DNS_LABEL, what: 'a Service name (DNS label)', max: 63 });
  const namespace = str(ctx, meta.namespace, ['metadata', 'namespace'], { re: DNS_LABEL, what: 'a namespace name (DNS label)', max: 63 }) ?? 'default';
  const lbls = labels(ctx, meta.labels, ['metadata', 'labels']);
  const spec = obj.spec;
  if (!isObj(spec)) {
    ctx.err(['spec'], 'is required (spec.ports lists the ports the Service exposes)');
    return undefined;
  }
  checkKeys(ctx, spec, ['spec'], ['type', 'clusterIP', 'clusterIPs', 'selector', 'ports', 'externalTrafficPolicy', 'internalTrafficPolicy',
    'sessionAffinity', 'sessionAffinityConfig', 'externalIPs', 'ipFamilies', 'ipFamilyPolicy', 'publishNotReadyAddresses']);
  const type = (spec.type ?? 'ClusterIP') as string;
  if (!SVC_TYPES.includes(type as ServiceType)) {
    ctx.err(['spec', 'type'], type === 'LoadBalancer' || type === 'ExternalName'
      ? `type "${type}" is not supported by this version of podlab (supported: ${SVC_TYPES.join(', ')})`
      : `unknown type "${type}" (one of: ${SVC_TYPES.join(', ')})`);
  }
  const svcCidr = cluster ? parseCidr(cluster.serviceCIDR) : undefined;
  let clusterIP: string | undefined;
  if (spec.clusterIP !== undefined && spec.clusterIP !== null && spec.clusterIP !== '') {
    const v = str(ctx, spec.clusterIP, ['spec', 'clusterIP']);
    if (v === 'None') {
      clusterIP = 'None';
      if (type === 'NodePort') ctx.err(['spec', 'clusterIP'], 'a headless Service (clusterIP: None) must have type ClusterIP');
    } else if (v !== undefined) {
      if (!isIPv4(v)) ctx.err(['spec', 'clusterIP'], `"${v}" is not an IPv4 address or "None"`);
      else if (svcCidr && typeof svcCidr !== 'string') {
        if (!contains(svcCidr, v)) ctx.err(['spec', 'clusterIP'], `${v} is not inside the serviceCIDR ${svcCidr.text}`);
        else if (ipNum(v) === svcCidr.base || ipNum(v) === svcCidr.base + svcCidr.size - 1) ctx.err(['spec', 'clusterIP'], `${v} is the network or broadcast address of the serviceCIDR ${svcCidr.text}`);
        else clusterIP = v;
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
  if (spec.externalTrafficPolicy !== undefined && type === 'ClusterIP' && !(Array.isArray(spec.externalIPs) && spec.externalIPs.length)) {
    ctx.err(['spec', 'externalTrafficPolicy'], 'may only be set when type is NodePort (or externalIPs are given)');
  }
  const sessionAffinity = (spec.sessionAffinity ?? 'None') as string;
  if (sessionAffinity !== 'None' && sessionAffinity !== 'ClientIP') ctx.err(['spec', 'sessionAffinity'], `"${sessionAffinity}" is not None or ClientIP`);
  let timeout = 10800;
  if (spec.sessionAffinityConfig !== undefined) {
    const c = spec.sessionAffinityConfig;
    if (!isObj(c)) ctx.err(['spec', 'sessionAffinityConfig'], 'must be a map like {clientIP: {timeoutSeconds: 10800}}');
    else {
      checkKeys(ctx, c, ['spec', 'sessionAffinityConfig'], ['clientIP']);
      if (sessionAffinity !== 'ClientIP') ctx.err(['spec', 'sessionAffinityConfig'], 'may only be set when sessionAffinity is ClientIP');
      if (c.clientIP !== undefined) {
        if (!isObj(c.clientIP)) ctx.err(['spec', 'sessionAffinityConfig', 'clientIP'], 'must be a map like {timeoutSeconds: 10800}');
        else {
          checkKeys(ctx, c.clientIP, ['spec', 'sessionAffinityConfig', 'clientIP'], ['timeoutSeconds']);
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
    if (clusterIP !== 'None') ctx.err(['spec', 'ports'], 'at least one port is required, e.g. ports: [{port: 80, targetPort: 8080}]');
  } else {
    const names = new Set<string>();
    const keys = new Set<string>();
    const multi = spec.ports.length > 1;
    spec.ports.forEach((pt: unknown, i: number) => {
      const pp: Path = ['spec', 'ports', i];
      if (!isObj(pt)) return ctx.err(pp, 'must be a map like {port: 80, targetPort: 8080}');
      checkKeys(ctx, pt, pp, ['name', 'protocol', 'port', 'targetPort', 'nodePort', 'appProtocol']);
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
        if (type !== 'NodePort') ctx.err([...pp, 'nodePort'], 'may only be set when type is NodePort');
        else if (cluster) {
          const [lo, hi] = cluster.nodePortRange;
          if (typeof pt.nodePort !== 'number' || !Number.isInteger(pt.nodePort)) ctx.err([...pp, 'nodePort'], `must be an integer, got ${JSON.stringify(pt.nodePort)}`);
          else if (pt.nodePort < lo || pt.nodePort > hi) ctx.err([...pp, 'nodePort'], `${pt.nodePort} is outside the node port range ${lo}-${hi} (spec.nodePortRange of the Cluster)`);
          else nodePort = pt.nodePort;
        }
      }
      ports.push({ name: pname, protocol: proto as Protocol, port, targetPort, nodePort });
    });
  }
  if (ctx.problems.length > before || !name) return undefined;
  return {
    namespace, name, key: `${namespace}/${name}`, labels: lbls, type: type as ServiceType, clusterIP, selector, ports,
    externalTrafficPolicy, internalTrafficPolicy, sessionAffinity: sessionAffinity as 'None' | 'ClientIP', affinityTimeoutSeconds: timeout,
    externalIPs, origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 },
  };
}

/** Checks across Services: unique clusterIPs and nodePorts; named targetPorts no selected pod declares (notice). */
function checkServicesTogether(services: readonly ServiceSpec[], ctxs: Map<string, DocCtx>, pods: readonly PodSpec[], _cluster: ClusterSpec, notices: string[]): void {
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
    if (!s.selector) continue;
    const selected = pods.filter((p) => p.namespace === s.namespace && serviceSelects(s.selector!, p.labels));
    s.ports.forEach((p, i) => {
      if (typeof p.targetPort !== 'string' || selected.length === 0) return;
      const declared = selected.some((pod) => pod.containers.some((c) => c.ports.some((cp) => cp.name === p.targetPort && cp.protocol === p.protocol)));
      if (!declared) notices.push(`${ctx.file}:${ctx.lineOf(['spec', 'ports', i, 'targetPort'])}: Service ${s.key} spec.ports[${i}].targetPort: no selected pod declares a ${p.protocol} containerPort named "${p.targetPort}", so this port has no endpoints`);
    });
  }
}

/** Label selector match with a Service's semantics (an empty selector selects nothing). */
import { serviceSelects } from '../model/selectors.js';
export { serviceSelects as selects };
