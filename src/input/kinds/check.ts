// `kind: Check` documents: declared expectations about real traffic (pure). Syntax only here; references to
// pods and nodes are checked by parseLab against the rest of the file, with the same file/line/path problems.
import { isIPv4 } from '../../net/ip.js';
import type { CheckFrom, CheckOutcome, CheckProtocol, CheckSourceSpec, CheckSpec, CheckTo, ClusterSpec, Origin, ServiceSpec } from '../types.js';
import type { DocCtx, Path as DocPath, RawDoc } from '../doc.js';

type Path = (string | number)[];
export interface CheckCtx {
  err(path: Path, message: string): void;
  lineOf(path: Path): number | undefined;
  readonly file: string;
}

export const CHECK_PROTOCOLS: readonly CheckProtocol[] = ['TCP', 'UDP', 'ICMP'];
export const CHECK_OUTCOMES: readonly CheckOutcome[] = ['ok', 'refused', 'dropped', 'blocked'];
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const FROM_HELP = 'pod/NS/NAME, node/NAME or external';
const TO_HELP = 'pod/NS/NAME:PORT, service/NS/NAME:PORT, nodeport/NODE/NS/NAME:PORT, external:PORT or IP:PORT';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseFrom(s: string): CheckFrom | string {
  if (s === 'external') return { kind: 'external' };
  const parts = s.split('/');
  if (parts[0] === 'pod' && parts.length === 3 && parts.slice(1).every((p) => NAME.test(p))) return { kind: 'pod', namespace: parts[1]!, name: parts[2]! };
  if (parts[0] === 'node' && parts.length === 2 && NAME.test(parts[1]!)) return { kind: 'node', name: parts[1]! };
  return `"${s}" is not a traffic source (${FROM_HELP})`;
}

/** Parse a target; the port is optional here (required unless the protocol is ICMP: checked by the caller). */
export function parseTo(s: string): CheckTo | string {
  const bad = `"${s}" is not a target (${TO_HELP})`;
  const m = /^(.*?)(?::([^:/]+))?$/.exec(s);
  if (!m) return bad;
  const [, head = '', portText] = m;
  let port: number | string | undefined;
  if (portText !== undefined) {
    if (/^\d+$/.test(portText)) {
      port = Number(portText);
      if (port < 1 || port > 65535) return `port ${portText} in "${s}" is out of range 1-65535`;
    } else if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(portText) && portText.length <= 15) port = portText;
    else return bad;
  }
  const numErr = (what: string) => `${what} targets need a port number, not the name "${String(port)}" (names are for Service ports)`;
  const num = typeof port === 'number' ? port : undefined;
  if (head === 'external') return typeof port === 'string' ? numErr('external') : { kind: 'external', port: num };
  if (isIPv4(head)) return typeof port === 'string' ? numErr('IP') : { kind: 'ip', ip: head, port: num };
  const parts = head.split('/');
  if (parts[0] === 'pod' && parts.length === 3 && parts.slice(1).every((p) => NAME.test(p))) {
    return typeof port === 'string' ? numErr('pod') : { kind: 'pod', namespace: parts[1]!, name: parts[2]!, port: num };
  }
  if (parts[0] === 'service' && parts.length === 3 && parts.slice(1).every((p) => NAME.test(p))) return { kind: 'service', namespace: parts[1]!, name: parts[2]!, port };
  if (parts[0] === 'nodeport' && parts.length === 4 && parts.slice(1).every((p) => NAME.test(p))) {
    return { kind: 'nodeport', node: parts[1]!, namespace: parts[2]!, name: parts[3]!, port };
  }
  return bad;
}

export function parseSource(v: string): CheckSourceSpec | string {
  if (v === 'pod' || v === 'node' || v === 'external') return { kind: v };
  if (isIPv4(v)) return { kind: 'ip', ip: v };
  return `"${v}" is not a source class (pod, node, external or an exact IPv4 address)`;
}

/** Validate one Check document's shape; returns undefined when it has problems (all reported through ctx). */
export function parseCheck(ctx: CheckCtx, obj: Record<string, unknown>): CheckSpec | undefined {
  let bad = false;
  const err = (p: Path, m: string) => {
    bad = true;
    ctx.err(p, m);
  };
  const keys = (o: Record<string, unknown>, p: Path, allowed: string[]) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) err([...p, k], `unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  };
  keys(obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (obj.apiVersion !== 'podlab.io/v1alpha1') err(['apiVersion'], `must be "podlab.io/v1alpha1" for a Check, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) err(['metadata'], 'is required (metadata.name names the check)');
  keys(meta, ['metadata'], ['name', 'labels', 'annotations']);
  const name = typeof meta.name === 'string' && NAME.test(meta.name) && meta.name.length <= 253 ? meta.name : undefined;
  if (!name) err(['metadata', 'name'], meta.name === undefined ? 'is required' : `${JSON.stringify(meta.name)} is not a check name (lower-case DNS subdomain)`);
  const spec = obj.spec;
  if (!isObj(spec)) {
    err(['spec'], 'is required (spec.from, spec.to, spec.protocol, spec.expect)');
    return undefined;
  }
  keys(spec, ['spec'], ['from', 'to', 'protocol', 'expect', 'tries']);

  const text = (v: unknown, p: Path): string | undefined => {
    if (v === undefined || v === null) return void err(p, 'is required');
    if (typeof v !== 'string') return void err(p, `must be a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const fromText = text(spec.from, ['spec', 'from']);
  let from: CheckFrom | undefined;
  if (fromText !== undefined) {
    const f = parseFrom(fromText);
    if (typeof f === 'string') err(['spec', 'from'], f);
    else from = f;
  }
  const toText = text(spec.to, ['spec', 'to']);
  let to: CheckTo | undefined;
  if (toText !== undefined) {
    const t = parseTo(toText);
    if (typeof t === 'string') err(['spec', 'to'], t);
    else to = t;
  }
  const protocol = (spec.protocol ?? 'TCP') as CheckProtocol;
  if (!CHECK_PROTOCOLS.includes(protocol)) err(['spec', 'protocol'], `${JSON.stringify(spec.protocol)} is not a check protocol (${CHECK_PROTOCOLS.join(', ')})`);
  else if (to) {
    if (protocol === 'ICMP' && to.port !== undefined) err(['spec', 'to'], `ICMP has no ports: write the target without ":${to.port}"`);
    if (protocol !== 'ICMP' && to.port === undefined) err(['spec', 'to'], `a ${protocol} check needs a port ("${toText}:PORT")`);
  }

  let outcome: CheckOutcome = 'ok';
  let source: CheckSourceSpec | undefined;
  let backends: string[] | undefined;
  if (!isObj(spec.expect)) err(['spec', 'expect'], 'is required, e.g. {outcome: ok, source: pod}');
  else {
    const e = spec.expect;
    keys(e, ['spec', 'expect'], ['outcome', 'source', 'backends']);
    if (e.outcome === undefined) err(['spec', 'expect', 'outcome'], `is required (${CHECK_OUTCOMES.join(', ')})`);
    else if (!CHECK_OUTCOMES.includes(e.outcome as CheckOutcome)) err(['spec', 'expect', 'outcome'], `${JSON.stringify(e.outcome)} is not an outcome (${CHECK_OUTCOMES.join(', ')})`);
    else outcome = e.outcome as CheckOutcome;
    if (e.source !== undefined) {
      if (typeof e.source !== 'string') err(['spec', 'expect', 'source'], 'must be pod, node, external or an IPv4 address');
      else {
        const s = parseSource(e.source);
        if (typeof s === 'string') err(['spec', 'expect', 'source'], s);
        else source = s;
      }
      if (outcome !== 'ok') err(['spec', 'expect', 'source'], `a source address can only be observed when the outcome is ok, not ${outcome}`);
      if (protocol === 'ICMP') err(['spec', 'expect', 'source'], 'the source address the server sees is observed over TCP or UDP (netexec), not ICMP');
    }
    if (e.backends !== undefined) {
      if (!Array.isArray(e.backends) || e.backends.length === 0) err(['spec', 'expect', 'backends'], 'must be a non-empty list of NS/NAME pods');
      else {
        backends = [];
        e.backends.forEach((b: unknown, i: number) => {
          if (typeof b !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(b)) err(['spec', 'expect', 'backends', i], `${JSON.stringify(b)} is not a pod NS/NAME`);
          else backends!.push(b);
        });
      }
      if (outcome !== 'ok') err(['spec', 'expect', 'backends'], `backends only make sense when the outcome is ok, not ${outcome}`);
      if (protocol === 'ICMP') err(['spec', 'expect', 'backends'], 'backends are identified over TCP or UDP (netexec), not ICMP');
    }
  }
  let tries: number | undefined;
  if (spec.tries !== undefined) {
    if (typeof spec.tries !== 'number' || !Number.isInteger(spec.tries) || spec.tries < 1 || spec.tries > 100) err(['spec', 'tries'], `${JSON.stringify(spec.tries)} must be an integer 1-100`);
    else tries = spec.tries;
  }
  if (bad || !name || !from || !to || fromText === undefined || toText === undefined) return undefined;
  const origin: Origin = { file: ctx.file, line: ctx.lineOf([]) ?? 1 };
  return { name, from, to, fromText, toText, protocol, expect: { outcome, source, backends }, tries, origin };
}


/** Check documents: shape (parseCheck above), and references to pods, nodes and Services of the file set. */
export function parseChecks(checkDocs: readonly RawDoc[], cluster: ClusterSpec | undefined, pods: ReadonlyMap<string, DocCtx>, services: readonly ServiceSpec[]): CheckSpec[] {
  const out: CheckSpec[] = [];
  const nodeNames = cluster?.nodes.map((n) => n.name) ?? [];
  for (const d of checkDocs) {
    const c = parseCheck(d.ctx, d.obj);
    if (!c) continue;
    const before = d.ctx.problems.length;
    const podRef = (key: string, path: DocPath) => {
      if (!pods.has(key)) d.ctx.err(path, `unknown pod "${key}" (pods: ${[...pods.keys()].join(', ') || 'none'})`);
    };
    const nodeRef = (n: string, path: DocPath) => {
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

