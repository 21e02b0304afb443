// The NetworkPolicy verdict (pure): may a new connection from a source (pod, node or any address) reach a pod on
// a port and protocol, and which policies decide it. Stateful, as every CNI enforces it: replies of an allowed
// connection always pass, so only the opening packet is judged — against the destination pod's ingress and the
// source pod's egress. The caller passes the flow as the destination's node sees it: after kube-proxy's DNAT (so a
// ClusterIP or NodePort is judged as traffic to the pod it was translated to) and from the address the packet
// carries there (the client's own, or a node's where kube-proxy masqueraded before the packet reached that node).
import { peerMatchesIp, podByIp, podPolicyOf, policyOf, portsAllow, type PolicyModel, type PolicyProtocol, type RuleT } from '../model/policy.js';

/** How an imitated CNI treats traffic between a pod and its own node (everything else follows the API). */
export interface PolicyEngine {
  readonly name: string;
  /**
   * A pod's egress to its own node's addresses: policed (Calico's cali-wl-to-host sends it through the pod's
   * egress chain) or always allowed (the AWS agent puts the node IP in every pod's maps as allow-all).
   */
  readonly egressToOwnNode: 'policed' | 'allowed';
}

/** Canal / Calico (felix/rules/static.go): "We don't currently police host -> endpoint according to the endpoint's ingress policy". */
export const CALICO_ENGINE: PolicyEngine = { name: 'calico', egressToOwnNode: 'policed' };
/** aws-network-policy-agent (fwruleprocessor): "Traffic from the local node should always be allowed. Add NodeIP by default to map entries." */
export const AWS_ENGINE: PolicyEngine = { name: 'aws-network-policy-agent', egressToOwnNode: 'allowed' };

export function engineForMode(mode: string): PolicyEngine {
  return mode === 'vpc' ? AWS_ENGINE : CALICO_ENGINE;
}

export interface FlowEnd {
  readonly ip: string;
  /** "ns/name" when the address is a pod's (found from the IP when left out). */
  readonly pod?: string;
}

export interface PolicyFlow {
  readonly src: FlowEnd;
  readonly dst: FlowEnd;
  readonly protocol: PolicyProtocol;
  readonly port?: number;
  /** The source is the destination pod's own node (a host process, kubelet probes; or, on AWS, a packet SNATed there). */
  readonly fromDestinationNode?: boolean;
  /** The destination address is the source pod's own node. */
  readonly toSourceNode?: boolean;
  /** A pod talking to its own address: the packet never leaves its network namespace. */
  readonly loopback?: boolean;
}

export type DirectionState = 'not-isolated' | 'allowed' | 'blocked' | 'exempt';

export interface DirectionVerdict {
  readonly state: DirectionState;
  /** Allowed: the policies whose rules allow it. Blocked: every policy that isolates the pod in this direction. */
  readonly policies: readonly string[];
}

export interface PolicyVerdict {
  readonly allowed: boolean;
  /** The policies that decide it ("ns/name"), empty when none applies. */
  readonly decidedBy: readonly string[];
  /** One line, e.g. "blocked: ingress of x/a is isolated by x/deny-all and no rule allows TCP:80 from y/b". */
  readonly reason: string;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

const NONE: DirectionVerdict = { state: 'not-isolated', policies: [] };

function describe(m: PolicyModel, e: FlowEnd): string {
  const pod = e.pod ?? podByIp(m, e.ip)?.key;
  return pod ? `${pod} (${e.ip})` : e.ip;
}

function what(f: PolicyFlow): string {
  return f.protocol === 'ICMP' ? 'ICMP' : `${f.protocol}:${f.port ?? '*'}`;
}

/** Which of these policies' rules (ingress or egress) let the flow through. */
function allowingPolicies(m: PolicyModel, keys: readonly string[], dir: 'ingress' | 'egress', peerIp: string, dstPod: string | undefined, f: PolicyFlow): string[] {
  const dstPorts = dstPod ? m.podPorts[dstPod] : undefined;
  return keys.filter((k) => {
    const rules: readonly RuleT[] = dir === 'ingress' ? policyOf(m, k).ingress : policyOf(m, k).egress;
    return rules.some((r) => (r.peers === null || r.peers.some((p) => peerMatchesIp(p, peerIp))) && portsAllow(r.ports, dstPorts, f.protocol, f.port));
  });
}

export function policyVerdict(m: PolicyModel, f: PolicyFlow, engine: PolicyEngine = CALICO_ENGINE): PolicyVerdict {
  const srcPod = f.src.pod ?? podByIp(m, f.src.ip)?.key;
  const dstPod = f.dst.pod ?? podByIp(m, f.dst.ip)?.key;
  if (f.loopback) {
    return { allowed: true, decidedBy: [], reason: 'allowed: a pod reaching its own address never leaves its network namespace (loopback)', egress: { state: 'exempt', policies: [] }, ingress: { state: 'exempt', policies: [] } };
  }
  let egress = NONE;
  const sp = srcPod ? podPolicyOf(m, srcPod) : undefined;
  if (sp && sp.egress.length) {
    if (f.toSourceNode && engine.egressToOwnNode === 'allowed') egress = { state: 'exempt', policies: [] };
    else {
      const ok = allowingPolicies(m, sp.egress, 'egress', f.dst.ip, dstPod, f);
      egress = ok.length ? { state: 'allowed', policies: ok } : { state: 'blocked', policies: sp.egress };
    }
  }
  let ingress = NONE;
  const dp = dstPod ? podPolicyOf(m, dstPod) : undefined;
  if (dp && dp.ingress.length) {
    if (f.fromDestinationNode) ingress = { state: 'exempt', policies: [] };
    else {
      const ok = allowingPolicies(m, dp.ingress, 'ingress', f.src.ip, dstPod, f);
      ingress = ok.length ? { state: 'allowed', policies: ok } : { state: 'blocked', policies: dp.ingress };
    }
  }
  const blocked = [egress, ingress].filter((d) => d.state === 'blocked');
  const allowed = blocked.length === 0;
  const decidedBy = [...new Set((allowed ? [egress, ingress] : blocked).flatMap((d) => d.policies))];
  const src = describe(m, f.src);
  const dst = describe(m, f.dst);
  let reason: string;
  if (!allowed) {
    const parts: string[] = [];
    if (egress.state === 'blocked') parts.push(`egress of ${srcPod} is isolated by ${egress.policies.join(', ')} and no egress rule allows ${what(f)} to ${dst}`);
    if (ingress.state === 'blocked') parts.push(`ingress of ${dstPod} is isolated by ${ingress.policies.join(', ')} and no ingress rule allows ${what(f)} from ${src}`);
    reason = `blocked: ${parts.join('; ')}`;
  } else if (decidedBy.length) {
    reason = `allowed by ${decidedBy.join(', ')} (${what(f)} ${src} → ${dst})`;
  } else {
    const exempt = ingress.state === 'exempt' ? `the destination's own node is not policed (${engine.name})` : egress.state === 'exempt' ? `a pod's own node is always allowed (${engine.name})` : 'no policy isolates either end';
    reason = `allowed: ${exempt}`;
  }
  return { allowed, decidedBy, reason, egress, ingress };
}
