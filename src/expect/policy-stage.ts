// NetworkPolicy as the last stage of the expectation model (pure): mode routing ∘ kube-proxy ∘ NetworkPolicy.
// Each generated check already says what routing and kube-proxy promise; this stage asks the policy model about
// the flow as the destination's node sees it — the pod a ClusterIP or NodePort was translated to, from the
// client's address or, where kube-proxy masqueraded on another node, from that node's address — and turns an
// expected answer into `blocked`, or narrows the backends that may answer to those the policies allow.
import type { Topology, PodT, NodeT, ServiceT, ServicePortT } from '../model/topology.js';
import type { Check, Expectation, Proto } from './types.js';
import type { ModeExpectations, PolicyStage } from './model.js';
import { composeExpectations, epHost } from './model.js';
import { MATRIX_CATEGORY } from './matrix.js';
import { DEFAULT_TRIES_NEGATIVE } from './generate.js';
import { engineForMode, policyVerdict, type FlowEnd, type PolicyEngine, type PolicyVerdict } from './policy.js';

type Source =
  | { readonly kind: 'pod'; readonly pod: PodT }
  | { readonly kind: 'node'; readonly node: NodeT }
  | { readonly kind: 'ip'; readonly ip: string };

type Dest =
  | { readonly kind: 'pod'; readonly pod: PodT; readonly port?: number }
  | { readonly kind: 'service'; readonly svc: ServiceT; readonly port: ServicePortT; readonly via?: NodeT }
  | { readonly kind: 'ip'; readonly ip: string; readonly node?: NodeT };

function sourceOf(t: Topology, c: Check): Source | undefined {
  // A hostNetwork pod shares its node's namespace: a check from there is the node's traffic.
  const pod = t.pods.find((p) => p.netns === c.from.netns && !p.hostNetwork);
  if (pod) return { kind: 'pod', pod };
  const node = t.nodes.find((n) => n.netns === c.from.netns);
  if (node) return { kind: 'node', node };
  if (c.from.netns === t.external.netns) return { kind: 'ip', ip: t.external.ip };
  const host = t.hosts.find((h) => h.netns === c.from.netns);
  if (host) return { kind: 'ip', ip: host.ip };
  return undefined;
}

function destOf(t: Topology, c: Check): Dest | undefined {
  const ip = c.to.ip;
  if (ip.startsWith('127.')) return undefined;
  const pod = t.pods.find((p) => p.ip === ip && !p.hostNetwork);
  if (pod) return { kind: 'pod', pod, port: c.to.port };
  for (const svc of t.services ?? []) {
    const port = svc.ports.find((p) => p.protocol === c.protocol && ((svc.clusterIP === ip && p.port === c.to.port) || (p.nodePort !== undefined && p.nodePort === c.to.port && t.nodes.some((n) => n.ip === ip))));
    if (port) return { kind: 'service', svc, port, via: svc.clusterIP === ip ? undefined : t.nodes.find((n) => n.ip === ip) };
  }
  const node = t.nodes.find((n) => n.ip === ip);
  return { kind: 'ip', ip, node };
}

/** The address a node's traffic carries when it reaches a pod on another node (kube-proxy's masquerade or route source). */
function nodeAddressSeenBy(m: ModeExpectations, t: Topology, n: NodeT, server: PodT): string {
  return m.nodeToPod(t, n, server).source?.preferred ?? n.ip;
}

/** The flow to one endpoint pod, as its node sees it. */
function flowTo(m: ModeExpectations, t: Topology, engine: PolicyEngine, src: Source, d: PodT, port: number | undefined, proto: Proto, via: { nodePort?: NodeT; etpLocal?: boolean; service?: boolean }): PolicyVerdict | undefined {
  const pm = t.policy!;
  const dst: FlowEnd = { ip: d.ip, pod: d.key };
  const base = { dst, protocol: proto, port } as const;
  if (src.kind === 'pod') {
    const hairpin = via.service && src.pod.key === d.key;
    // A pod through its own Service is masqueraded back to itself (E9): Calico judges it before the SNAT, the AWS
    // agent on the veth after it, from the node's address.
    return policyVerdict(pm, { ...base, src: { ip: src.pod.ip, pod: src.pod.key }, loopback: !via.service && src.pod.key === d.key, fromDestinationNode: hairpin && engine.egressToOwnNode === 'allowed' }, engine);
  }
  if (src.kind === 'node') {
    if (src.node.name === d.node) return policyVerdict(pm, { ...base, src: { ip: src.node.ip }, fromDestinationNode: true }, engine);
    return policyVerdict(pm, { ...base, src: { ip: nodeAddressSeenBy(m, t, src.node, d) } }, engine);
  }
  if (via.nodePort && !via.etpLocal) {
    if (via.nodePort.name === d.node) {
      // Masqueraded on the same node: Calico's FORWARD chains see the client (SNAT comes after them); the AWS
      // agent sees the packet at the veth, already from the node IP.
      if (engine.egressToOwnNode === 'allowed') return policyVerdict(pm, { ...base, src: { ip: via.nodePort.ip }, fromDestinationNode: true }, engine);
      return policyVerdict(pm, { ...base, src: { ip: src.ip } }, engine);
    }
    return policyVerdict(pm, { ...base, src: { ip: nodeAddressSeenBy(m, t, via.nodePort, d) } }, engine);
  }
  return policyVerdict(pm, { ...base, src: { ip: src.ip } }, engine);
}

function blocked(c: Check, reason: string): Check {
  const e: Expectation = { outcome: 'blocked', basis: `${c.expect.basis} ∘ NetworkPolicy: ${reason}` };
  return { ...c, expect: e, tries: Math.min(c.tries, DEFAULT_TRIES_NEGATIVE) };
}

function note(c: Check, v: readonly PolicyVerdict[]): Check {
  const by = [...new Set(v.flatMap((x) => x.decidedBy))];
  return by.length ? { ...c, expect: { ...c.expect, basis: `${c.expect.basis} ∘ NetworkPolicy: allowed by ${by.join(', ')}` } } : c;
}

/**
 * The model's PolicyStage (expect/model.ts composeExpectations): NetworkPolicy's verdict on a flow that reached pod
 * `dst` directly — from a pod, a node, a VPC host or the external host — as the destination's node sees it.
 * `base`: the mode's expectations without policies (which address a node's traffic carries).
 */
export function policyStage(t: Topology, base: ModeExpectations, engine: PolicyEngine = engineForMode(t.mode)): PolicyStage {
  return (src, dst, flow) => {
    if (!t.policy) return undefined;
    const s: Source = src.kind === 'pod' || src.kind === 'node' ? src : { kind: 'ip', ip: src.kind === 'host' ? src.host.ip : src.ip };
    const v = flowTo(base, t, engine, s, dst, flow.port, flow.protocol, {});
    if (!v || (v.allowed && !v.decidedBy.length)) return undefined;
    return v.allowed ? { allowed: true, basis: `NetworkPolicy: allowed by ${v.decidedBy.join(', ')}` } : { allowed: false, basis: `NetworkPolicy: ${v.reason}` };
  };
}

/** A mode's expectations with the lab's NetworkPolicies as their last stage (the mode's own when the lab has none). */
export function expectationsWithPolicy(t: Topology, base: ModeExpectations): ModeExpectations {
  return t.policy ? composeExpectations(base.facts, policyStage(t, base)) : base;
}

/**
 * Adjust one generated check for the lab's NetworkPolicies where the model's PolicyStage does not reach: Services
 * (judged per endpoint they translate to) and a pod's traffic to a node or the external host (its egress).
 * Traffic straight to a pod was judged by the stage already; declared checks and the truth table pass unchanged.
 */
export function withPolicy(t: Topology, m: ModeExpectations, c: Check, engine: PolicyEngine = engineForMode(t.mode)): Check {
  if (!t.policy || c.declared || c.category === MATRIX_CATEGORY) return c;
  // A request by name first asks the cluster DNS (kube-system/kube-dns): policies may stop that lookup already.
  if (c.to.host !== undefined && c.probe.kind !== 'dns') {
    const lookup = dnsLookup(t, m, c, engine);
    if (lookup && lookup.expect.outcome === 'blocked') return blocked(c, `the name lookup of ${c.to.host} is blocked (${lookup.expect.basis.replace(/^.*∘ NetworkPolicy: /, '')})`);
  }
  const r = judged(t, m, c, engine);
  // A DNS question the policies stop gets no answer at all: dig tells that (a timeout) apart from NXDOMAIN, which
  // getent (glibc's "not found" for both) cannot; so a blocked lookup is asked with dig.
  if (r.probe.kind === 'dns' && r.expect.outcome === 'blocked' && r.probe.tool === 'getent') return { ...r, probe: { ...r.probe, tool: 'dig' } };
  return r;
}

/** The lookup a request by name makes first: UDP 53 to the cluster DNS Service, from the same pod. */
function dnsLookup(t: Topology, m: ModeExpectations, c: Check, engine: PolicyEngine): Check | undefined {
  if (!t.dns) return undefined;
  const q: Check = { ...c, id: `${c.id} (lookup)`, to: { label: 'cluster DNS', ip: t.dns.serviceIP, port: 53 }, protocol: 'UDP', probe: { kind: 'dns', tool: 'dig', name: c.to.host!, qtype: 'A' }, expect: { outcome: 'ok', basis: 'a name lookup through the pod\'s resolv.conf' } };
  return judged(t, m, q, engine);
}

function judged(t: Topology, m: ModeExpectations, c: Check, engine: PolicyEngine): Check {
  const pm = t.policy!;
  if (c.expect.outcome === 'dropped') return c;
  const src = sourceOf(t, c);
  const dst = destOf(t, c);
  if (!src || !dst) return c;
  const proto = c.protocol;
  if (dst.kind === 'pod') return c;
  if (dst.kind === 'ip') {
    // Traffic to a node or the external host: only a pod's egress can decide it.
    if (src.kind !== 'pod' || c.expect.outcome === 'blocked') return c;
    const toOwnNode = dst.node?.name === src.pod.node;
    const v = policyVerdict(pm, { src: { ip: src.pod.ip, pod: src.pod.key }, dst: { ip: dst.ip }, protocol: proto, port: c.to.port, toSourceNode: toOwnNode }, engine);
    return v.allowed ? note(c, [v]) : blocked(c, v.reason);
  }
  // A Service: judged per endpoint it may be translated to.
  const eps = dst.port.endpoints.filter((e) => !dst.via || dst.svc.externalTrafficPolicy !== 'Local' || src.kind !== 'ip' || e.node === dst.via.name);
  if (c.expect.outcome === 'refused' || !eps.length) {
    // No endpoint: nothing is translated, so only the client's egress (to the Service address) can stop it first.
    if (src.kind !== 'pod') return c;
    const v = policyVerdict(pm, { src: { ip: src.pod.ip, pod: src.pod.key }, dst: { ip: c.to.ip }, protocol: proto, port: c.to.port }, engine);
    return v.allowed ? c : blocked(c, v.reason);
  }
  if (c.expect.outcome !== 'ok') return c;
  const verdicts = eps.map((e) => {
    const pod = t.pods.find((p) => p.key === e.pod)!;
    return { e, v: flowTo(m, t, engine, src, pod, e.port, proto, { service: true, nodePort: dst.via, etpLocal: dst.svc.externalTrafficPolicy === 'Local' })! };
  });
  const ok = verdicts.filter((x) => x.v.allowed);
  if (!ok.length) return blocked(c, `every endpoint of ${dst.svc.key} is blocked: ${verdicts.map((x) => `${x.e.pod}: ${x.v.reason}`).join('; ')}`);
  if (ok.length === verdicts.length) return note(c, ok.map((x) => x.v));
  const allowedHosts = new Set(ok.map((x) => epHost(x.e)));
  const narrowed: Expectation = {
    ...c.expect,
    ...(c.expect.backends ? { backends: c.expect.backends.filter((h) => allowedHosts.has(h)) } : {}),
    ...(c.expect.mayAnswer ? { mayAnswer: c.expect.mayAnswer.filter((h) => allowedHosts.has(h)) } : {}),
    basis: `${c.expect.basis} ∘ NetworkPolicy: only ${[...allowedHosts].join(', ')} may answer (${verdicts.filter((x) => !x.v.allowed).map((x) => `${x.e.pod} ${x.v.reason}`).join('; ')})`,
  };
  return { ...c, expect: narrowed };
}

export function applyPolicyStage(t: Topology, m: ModeExpectations, checks: readonly Check[], engine: PolicyEngine = engineForMode(t.mode)): Check[] {
  if (!t.policy) return [...checks];
  return checks.map((c) => withPolicy(t, m, c, engine));
}
