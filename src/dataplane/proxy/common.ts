// What kube-proxy computes before it renders any rule (shared by the iptables and nftables renderers) (pure).
import type { Topology, NodeT, ServiceT, ServicePortT, EndpointT } from '../../model/topology.js';
import { base32, sha256 } from '../../net/hash.js';

/** Default `--iptables-masquerade-bit` 14. */
export const MASQ_MARK = '0x4000';

/** `ServicePortName.String()`: "ns/name:port", or "ns/name" for an unnamed port (KPU types.go). */
export function servicePortName(s: { key: string }, p: { name: string }): string {
  return p.name ? `${s.key}:${p.name}` : s.key;
}

// Every node renders the same chain names: remember them (a 1,000-endpoint lab of 20 nodes hashes 20× less).
const HASHES = new Map<string, string>();
function hash16(s: string): string {
  let h = HASHES.get(s);
  if (h === undefined) {
    if (HASHES.size > 200_000) HASHES.clear();
    h = base32(sha256(s)).slice(0, 16);
    HASHES.set(s, h);
  }
  return h;
}

/** KP `portProtoHash`: base32(sha256(servicePortName + protocol))[:16]. No separators (reference F.2). */
export function portProtoHash(spn: string, protocol: string): string {
  return hash16(spn + protocol.toLowerCase());
}

/** KP `servicePortEndpointChainName`: KUBE-SEP- + base32(sha256(spn + protocol + "IP:port"))[:16]. */
export function sepChain(spn: string, protocol: string, endpoint: string): string {
  return 'KUBE-SEP-' + hash16(spn + protocol.toLowerCase() + endpoint);
}

/** KP `computeProbability`: fmt.Sprintf("%0.10f", 1.0/float64(n)). */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

export const epStr = (e: EndpointT): string => `${e.ip}:${e.port}`;

/** One service port as one node's kube-proxy sees it. */
export interface PortView {
  readonly svc: ServiceT;
  readonly port: ServicePortT;
  readonly spn: string;
  readonly proto: string; // lower case
  readonly all: readonly EndpointT[];
  readonly local: readonly EndpointT[];
  readonly hasEndpoints: boolean;
  readonly internalLocal: boolean;
  readonly externalLocal: boolean;
  readonly internalEndpoints: readonly EndpointT[];
  readonly externalEndpoints: readonly EndpointT[];
  readonly externallyAccessible: boolean;
  readonly usesClusterPolicy: boolean;
  readonly usesLocalPolicy: boolean;
  readonly usesExternalChain: boolean;
  /** Load-balancer IPs (status.loadBalancer.ingress) kube-proxy captures. */
  readonly lbIps: readonly string[];
  readonly sourceRanges: readonly string[];
  /** REJECT (no endpoints at all) or DROP (no local ones), with kube-proxy's comment. */
  readonly internalFilter: { target: 'REJECT' | 'DROP'; comment: string };
  readonly externalFilter: { target: 'REJECT' | 'DROP'; comment: string };
}

/** Services with NAT rules (headless ones have none), in a stable order. */
export function proxiedServices(t: Topology): ServiceT[] {
  return (t.services ?? []).filter((s) => s.clusterIP !== 'None').slice().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function portView(svc: ServiceT, port: ServicePortT, node: NodeT): PortView {
  const spn = servicePortName(svc, port);
  const all = port.endpoints;
  const local = all.filter((e) => e.node === node.name);
  const internalLocal = svc.internalTrafficPolicy === 'Local';
  const externalLocal = svc.externalTrafficPolicy === 'Local';
  // KP ExternallyAccessible: a NodePort, a load-balancer IP or an external IP.
  const externallyAccessible = port.nodePort !== undefined || svc.externalIPs.length > 0 || svc.loadBalancer !== undefined;
  const internalEndpoints = internalLocal ? local : all;
  const externalEndpoints = externalLocal ? local : all;
  const hasEndpoints = all.length > 0;
  // KP UsesClusterEndpoints; an eTP-Local EXT chain also short-circuits pod and host traffic into the cluster chain.
  const usesClusterPolicy = all.length > 0 && (!internalLocal || externallyAccessible);
  const usesLocalPolicy = local.length > 0 && (internalLocal || (externallyAccessible && externalLocal));
  const none = { target: 'REJECT' as const, comment: `${spn} has no endpoints` };
  const noLocal = { target: 'DROP' as const, comment: `${spn} has no local endpoints` };
  return {
    svc, port, spn, proto: port.protocol.toLowerCase(), all, local, hasEndpoints, internalLocal, externalLocal,
    internalEndpoints, externalEndpoints, externallyAccessible, usesClusterPolicy, usesLocalPolicy,
    usesExternalChain: hasEndpoints && externallyAccessible,
    lbIps: svc.loadBalancer ? [svc.loadBalancer.ip] : [], sourceRanges: svc.loadBalancer?.sourceRanges ?? [],
    internalFilter: hasEndpoints ? noLocal : none,
    externalFilter: hasEndpoints ? noLocal : none,
  };
}

/** Endpoints a node's rules can DNAT to: cluster-policy ones and local-policy ones (KP allLocallyReachableEndpoints). */
export function reachable(v: PortView): EndpointT[] {
  const m = new Map<string, EndpointT>();
  if (v.usesClusterPolicy) for (const e of v.all) m.set(epStr(e), e);
  if (v.usesLocalPolicy) for (const e of v.local) m.set(epStr(e), e);
  return [...m.values()].sort((a, b) => (epStr(a) < epStr(b) ? -1 : epStr(a) > epStr(b) ? 1 : 0));
}
