// `networking.k8s.io/v1 NetworkPolicy` documents (pure): the whole v1 API, validated as the API server does
// (pkg/apis/networking/validation: ValidateNetworkPolicySpec, …Port, …Peer, ValidateIPBlock), every problem with
// its path. Selector semantics live in model/selectors.ts; resolving against pods is model/policy.ts.
import { IPv6CidrRange, Validator } from 'ip-num';
import { cidr as mkCidr, ipToNum, isIPv4 } from '../../net/ip.js';
import type { LabelSelector, SelectorOperator, SelectorRequirement } from '../../model/selectors.js';
import type { NetworkPolicySpec, Origin, PolicyIPBlockSpec, PolicyPeerSpec, PolicyPortSpec, PolicyRuleSpec, PolicyType, Protocol } from '../types.js';

type Path = (string | number)[];
export interface KindCtx {
  err(path: Path, message: string): void;
  lineOf(path: Path): number | undefined;
  readonly file: string;
  /** A one-line notice about the document (accepted, but worth saying). */
  notice?(path: Path, message: string): void;
}

export const POLICY_API_VERSION = 'networking.k8s.io/v1';
export const POLICY_PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES: readonly PolicyType[] = ['Ingress', 'Egress'];
const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A label key: optional DNS-subdomain prefix, then a name of ≤ 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** IANA_SVC_NAME (validation.IsValidPortName): 1–15 of [a-z0-9-], at least one letter, no "--", no leading/trailing "-". */
export function portNameProblem(s: string): string | undefined {
  if (s.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(s)) return 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
  if (!/[a-z]/.test(s)) return 'must contain at least one letter (a-z)';
  if (s.includes('--')) return 'must not contain consecutive hyphens';
  if (s.startsWith('-') || s.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

interface ParsedCidr { readonly text: string; readonly family: 4 | 6; readonly v4?: { base: number; prefix: number } ; readonly v6?: IPv6CidrRange }

/** A CIDR as net.ParseCIDR reads it: host bits may be set (the network is what counts, with a notice). */
function parseAnyCidr(s: unknown): ParsedCidr | { error: string } {
  if (typeof s !== 'string') return { error: `must be a CIDR string like 10.0.0.0/16, got ${JSON.stringify(s)}` };
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return { error: `"${s}" is not a CIDR (address/prefix, like 10.0.0.0/16)` };
  const [, ip = '', p = ''] = m;
  const prefix = Number(p);
  if (isIPv4(ip)) {
    if (prefix > 32) return { error: `"${s}" has an invalid prefix length (0-32 for IPv4)` };
    const c = mkCidr(ipToNum(ip), prefix);
    return { text: c.text, family: 4, v4: { base: c.base, prefix } };
  }
  if (ip.includes(':')) {
    if (prefix > 128 || !Validator.isValidIPv6CidrNotation(s)[0]) return { error: `"${s}" is not a valid IPv6 CIDR` };
    let r: IPv6CidrRange;
    try {
      r = IPv6CidrRange.fromCidr(s);
    } catch {
      return { error: `"${s}" is not a valid IPv6 CIDR` };
    }
    return { text: `${r.getFirst().toString()}/${prefix}`, family: 6, v6: r };
  }
  return { error: `"${s}" is not a CIDR: "${ip}" is not an IP address` };
}

function strictSubset(inner: ParsedCidr, outer: ParsedCidr): boolean {
  if (inner.family !== outer.family) return false;
  if (inner.v4 && outer.v4) {
    if (inner.v4.prefix <= outer.v4.prefix) return false;
    const size = 2 ** (32 - outer.v4.prefix);
    return inner.v4.base >= outer.v4.base && inner.v4.base < outer.v4.base + size;
  }
  if (inner.v6 && outer.v6) return inner.v6.getPrefix().getValue() > outer.v6.getPrefix().getValue() && outer.v6.contains(inner.v6);
  return false;
}

/** A metav1.LabelSelector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), validated. */
export function parseLabelSelector(ctx: KindCtx, v: unknown, path: Path): LabelSelector | undefined {
  if (v === null || v === undefined) return {};
  if (!isObj(v)) {
    ctx.err(path, 'must be a label selector like {matchLabels: {app: web}} ({} selects everything)');
    return undefined;
  }
  let ok = true;
  const bad = (p: Path, m: string) => {
    ok = false;
    ctx.err(p, m);
  };
  for (const k of Object.keys(v)) if (k !== 'matchLabels' && k !== 'matchExpressions') bad([...path, k], `unknown field "${k}" (allowed: matchLabels, matchExpressions)`);
  const matchLabels: Record<string, string> = {};
  if (v.matchLabels !== undefined && v.matchLabels !== null) {
    if (!isObj(v.matchLabels)) bad([...path, 'matchLabels'], 'must be a map of label key to value');
    else for (const [k, val] of Object.entries(v.matchLabels)) {
      const p = [...path, 'matchLabels', k];
      if (!LABEL_KEY.test(k) || k.length > 317) bad(p, `"${k}" is not a valid label key`);
      const s = typeof val === 'string' ? val : typeof val === 'number' || typeof val === 'boolean' ? String(val) : undefined;
      if (s === undefined) bad(p, `label values must be strings, got ${JSON.stringify(val)}`);
      else if (!LABEL_VALUE.test(s)) bad(p, `"${s}" is not a valid label value (≤ 63 of [A-Za-z0-9-_.], starting and ending alphanumeric)`);
      else matchLabels[k] = s;
    }
  }
  const matchExpressions: SelectorRequirement[] = [];
  if (v.matchExpressions !== undefined && v.matchExpressions !== null) {
    if (!Array.isArray(v.matchExpressions)) bad([...path, 'matchExpressions'], 'must be a list of {key, operator, values}');
    else v.matchExpressions.forEach((e: unknown, i: number) => {
      const p: Path = [...path, 'matchExpressions', i];
      if (!isObj(e)) return bad(p, 'must be {key, operator, values}');
      for (const k of Object.keys(e)) if (!['key', 'operator', 'values'].includes(k)) bad([...p, k], `unknown field "${k}" (allowed: key, operator, values)`);
      const key = e.key;
      if (typeof key !== 'string' || key === '') bad([...p, 'key'], 'is required (a label key)');
      else if (!LABEL_KEY.test(key)) bad([...p, 'key'], `"${key}" is not a valid label key`);
      const op = e.operator;
      if (op === undefined) bad([...p, 'operator'], `is required (${OPERATORS.join(', ')})`);
      else if (!OPERATORS.includes(op as SelectorOperator)) bad([...p, 'operator'], `"${String(op)}" is not a valid selector operator (${OPERATORS.join(', ')})`);
      let values: string[] | undefined;
      if (e.values !== undefined && e.values !== null) {
        if (!Array.isArray(e.values)) bad([...p, 'values'], 'must be a list of strings');
        else {
          values = [];
          e.values.forEach((x: unknown, j: number) => {
            const s = typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
            if (s === undefined || !LABEL_VALUE.test(s)) bad([...p, 'values', j], `${JSON.stringify(x)} is not a valid label value`);
            else values!.push(s);
          });
        }
      }
      if ((op === 'In' || op === 'NotIn') && (!values || values.length === 0)) bad([...p, 'values'], `must be specified and non-empty when operator is ${op}`);
      if ((op === 'Exists' || op === 'DoesNotExist') && values && values.length > 0) bad([...p, 'values'], `may not be specified when operator is ${op}`);
      if (typeof key === 'string' && OPERATORS.includes(op as SelectorOperator)) {
        matchExpressions.push({ key, operator: op as SelectorOperator, ...(values && values.length ? { values } : {}) });
      }
    });
  }
  if (!ok) return undefined;
  return { ...(Object.keys(matchLabels).length ? { matchLabels } : {}), ...(matchExpressions.length ? { matchExpressions } : {}) };
}

/** Validate one NetworkPolicy document; returns undefined when it has problems (all reported through ctx). */
export function parseNetworkPolicy(ctx: KindCtx, obj: Record<string, unknown>): NetworkPolicySpec | undefined {
  let bad = false;
  const err = (p: Path, m: string) => {
    bad = true;
    ctx.err(p, m);
  };
  const keys = (o: Record<string, unknown>, p: Path, allowed: readonly string[]) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) err([...p, k], `unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  };
  const sel = (v: unknown, p: Path) => {
    const s = parseLabelSelector(ctx, v, p);
    if (!s) bad = true;
    return s;
  };
  keys(obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (obj.apiVersion !== POLICY_API_VERSION) err(['apiVersion'], `must be "${POLICY_API_VERSION}" for a NetworkPolicy, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) err(['metadata'], 'is required (metadata.name names the policy)');
  keys(meta, ['metadata'], ['name', 'namespace', 'labels', 'annotations']);
  const name = typeof meta.name === 'string' && DNS_SUBDOMAIN.test(meta.name) && meta.name.length <= 253 ? meta.name : undefined;
  if (!name) err(['metadata', 'name'], meta.name === undefined ? 'is required' : `${JSON.stringify(meta.name)} is not a NetworkPolicy name (lower-case DNS subdomain)`);
  let namespace = 'default';
  if (meta.namespace !== undefined) {
    if (typeof meta.namespace !== 'string' || !DNS_LABEL.test(meta.namespace) || meta.namespace.length > 63) err(['metadata', 'namespace'], `${JSON.stringify(meta.namespace)} is not a namespace name (DNS label)`);
    else namespace = meta.namespace;
  }
  const spec = obj.spec;
  if (!isObj(spec)) {
    err(['spec'], 'is required (spec.podSelector picks the pods the policy applies to; {} is every pod of the namespace)');
    return undefined;
  }
  keys(spec, ['spec'], ['podSelector', 'policyTypes', 'ingress', 'egress']);
  if (spec.podSelector === undefined) err(['spec', 'podSelector'], 'is required ({} selects every pod of the namespace)');
  const podSelector = sel(spec.podSelector, ['spec', 'podSelector']);

  const rules = (dir: 'ingress' | 'egress'): PolicyRuleSpec[] => {
    const v = spec[dir];
    const peerKey = dir === 'ingress' ? 'from' : 'to';
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      err(['spec', dir], `must be a list of rules like [{${peerKey}: [...], ports: [...]}]`);
      return [];
    }
    return v.map((r: unknown, i: number): PolicyRuleSpec => {
      const rp: Path = ['spec', dir, i];
      if (r === null || r === undefined) return {};
      if (!isObj(r)) {
        err(rp, `must be a rule like {${peerKey}: [...], ports: [...]} ({} allows everything)`);
        return {};
      }
      keys(r, rp, [peerKey, 'ports']);
      const out: { peers?: PolicyPeerSpec[]; ports?: PolicyPortSpec[] } = {};
      const ps = r[peerKey];
      if (ps !== undefined && ps !== null) {
        if (!Array.isArray(ps)) err([...rp, peerKey], 'must be a list of peers (podSelector, namespaceSelector, ipBlock)');
        else if (ps.length) out.peers = ps.map((p: unknown, j: number) => parsePeer(p, [...rp, peerKey, j])).filter((x): x is PolicyPeerSpec => !!x);
      }
      const ports = r.ports;
      if (ports !== undefined && ports !== null) {
        if (!Array.isArray(ports)) err([...rp, 'ports'], 'must be a list like [{protocol: TCP, port: 80}]');
        else if (ports.length) out.ports = ports.map((p: unknown, j: number) => parsePort(p, [...rp, 'ports', j])).filter((x): x is PolicyPortSpec => !!x);
      }
      return out;
    });
  };

  const parsePeer = (p: unknown, pp: Path): PolicyPeerSpec | undefined => {
    if (!isObj(p)) {
      err(pp, 'must be a peer: {podSelector}, {namespaceSelector}, both, or {ipBlock}');
      return undefined;
    }
    keys(p, pp, ['podSelector', 'namespaceSelector', 'ipBlock']);
    const has = (k: string) => p[k] !== undefined && p[k] !== null;
    const n = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(has).length;
    if (n === 0) {
      err(pp, 'must specify a peer (podSelector, namespaceSelector or ipBlock)');
      return undefined;
    }
    if (has('ipBlock') && n > 1) {
      err(pp, 'may not specify more than 1 peer: ipBlock cannot be combined with podSelector or namespaceSelector');
      return undefined;
    }
    if (has('ipBlock')) {
      const b = parseIPBlock(p.ipBlock, [...pp, 'ipBlock']);
      return b ? { ipBlock: b } : undefined;
    }
    const out: { podSelector?: LabelSelector; namespaceSelector?: LabelSelector } = {};
    if (has('podSelector')) out.podSelector = sel(p.podSelector, [...pp, 'podSelector']);
    if (has('namespaceSelector')) out.namespaceSelector = sel(p.namespaceSelector, [...pp, 'namespaceSelector']);
    return out;
  };

  const parseIPBlock = (b: unknown, bp: Path): PolicyIPBlockSpec | undefined => {
    if (!isObj(b)) {
      err(bp, 'must be {cidr, except}');
      return undefined;
    }
    keys(b, bp, ['cidr', 'except']);
    if (b.cidr === undefined || b.cidr === null || b.cidr === '') {
      err([...bp, 'cidr'], 'is required (a CIDR like 10.0.0.0/16)');
      return undefined;
    }
    const c = parseAnyCidr(b.cidr);
    if ('error' in c) {
      err([...bp, 'cidr'], c.error);
      return undefined;
    }
    if (c.text !== b.cidr) ctx.notice?.([...bp, 'cidr'], `${String(b.cidr)} has host bits set: it means the network ${c.text}`);
    if (c.family === 6) ctx.notice?.([...bp, 'cidr'], `IPv6 block ${c.text}: podlab labs are IPv4 only, so it matches no traffic`);
    const except: string[] = [];
    if (b.except !== undefined && b.except !== null) {
      if (!Array.isArray(b.except)) err([...bp, 'except'], 'must be a list of CIDRs inside cidr');
      else b.except.forEach((x: unknown, i: number) => {
        const e = parseAnyCidr(x);
        if ('error' in e) return err([...bp, 'except', i], e.error);
        if (!strictSubset(e, c)) return err([...bp, 'except', i], `${e.text} must be a strict subset of cidr ${c.text}`);
        except.push(e.text);
      });
    }
    return { cidr: c.text, family: c.family, except };
  };

  const parsePort = (p: unknown, pp: Path): PolicyPortSpec | undefined => {
    if (!isObj(p)) {
      err(pp, 'must be {protocol, port, endPort}');
      return undefined;
    }
    keys(p, pp, ['protocol', 'port', 'endPort']);
    let ok = true;
    const perr = (q: Path, m: string) => {
      ok = false;
      err(q, m);
    };
    const protocol = (p.protocol ?? 'TCP') as string;
    if (!POLICY_PROTOCOLS.includes(protocol as Protocol)) perr([...pp, 'protocol'], `${JSON.stringify(p.protocol)} is not a supported protocol (${POLICY_PROTOCOLS.join(', ')})`);
    let port: number | string | undefined;
    if (p.port !== undefined && p.port !== null) {
      if (typeof p.port === 'number') {
        if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) perr([...pp, 'port'], `${p.port} must be between 1 and 65535, inclusive`);
        else port = p.port;
      } else if (typeof p.port === 'string') {
        const why = portNameProblem(p.port);
        if (why) perr([...pp, 'port'], /^\d+$/.test(p.port) ? `"${p.port}" is a string: write ${p.port} without quotes for a port number (a named port ${why})` : `"${p.port}" is not a port name: it ${why}`);
        else port = p.port;
      } else perr([...pp, 'port'], `must be a port number or a named port, got ${JSON.stringify(p.port)}`);
    }
    let endPort: number | undefined;
    if (p.endPort !== undefined && p.endPort !== null) {
      if (typeof p.endPort !== 'number' || !Number.isInteger(p.endPort) || p.endPort < 1 || p.endPort > 65535) perr([...pp, 'endPort'], `${JSON.stringify(p.endPort)} must be between 1 and 65535, inclusive`);
      else if (p.port === undefined || p.port === null) perr([...pp, 'endPort'], 'may not be specified without port (port must be set when endPort is)');
      else if (typeof p.port === 'string') perr([...pp, 'endPort'], `may not be specified when port is a named port ("${p.port}")`);
      else if (typeof port === 'number' && p.endPort < port) perr([...pp, 'endPort'], `${p.endPort} must be greater than or equal to port ${port}`);
      else endPort = p.endPort;
    }
    if (!ok) return undefined;
    return { protocol: protocol as Protocol, ...(port !== undefined ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}) };
  };

  const ingress = rules('ingress');
  const egress = rules('egress');
  let policyTypes: PolicyType[];
  if (spec.policyTypes === undefined || spec.policyTypes === null) {
    // The API's default: Ingress always, Egress when there are egress rules.
    policyTypes = egress.length ? ['Ingress', 'Egress'] : ['Ingress'];
  } else if (!Array.isArray(spec.policyTypes)) {
    err(['spec', 'policyTypes'], 'must be a list: [Ingress], [Egress] or [Ingress, Egress]');
    policyTypes = ['Ingress'];
  } else {
    policyTypes = [];
    if (spec.policyTypes.length > 2) err(['spec', 'policyTypes'], `may not have more than 2 entries, got ${spec.policyTypes.length}`);
    spec.policyTypes.forEach((x: unknown, i: number) => {
      if (!POLICY_TYPES.includes(x as PolicyType)) err(['spec', 'policyTypes', i], `${JSON.stringify(x)} is not a policy type (Ingress, Egress)`);
      else if (policyTypes.includes(x as PolicyType)) err(['spec', 'policyTypes', i], `duplicate policy type "${String(x)}"`);
      else policyTypes.push(x as PolicyType);
    });
    if (spec.policyTypes.length === 0) policyTypes = egress.length ? ['Ingress', 'Egress'] : ['Ingress'];
    if (egress.length && !policyTypes.includes('Egress')) ctx.notice?.(['spec', 'egress'], 'egress rules without "Egress" in policyTypes are ignored (the policy does not isolate egress)');
    if (ingress.length && !policyTypes.includes('Ingress')) ctx.notice?.(['spec', 'ingress'], 'ingress rules without "Ingress" in policyTypes are ignored (the policy does not isolate ingress)');
  }
  if (bad || !name || !podSelector) return undefined;
  const origin: Origin = { file: ctx.file, line: ctx.lineOf([]) ?? 1 };
  return { namespace, name, key: `${namespace}/${name}`, podSelector, policyTypes, ingress, egress, origin };
}
