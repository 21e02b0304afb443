// The expectation model (pure): for each traffic class, what Kubernetes promises on this dataplane mode —
// the outcome and the source address the server must see. Rows cite reference/dataplane.md section E.
// One ModeExpectations per mode, in an explicit registry, so bgp and vpc plug in beside overlay.
import type { Topology, NodeT, PodT, ServiceT, ServicePortT, EndpointT } from '../model/topology.js';
import { mustCidr, nth } from '../model/ip.js';
import type { Expectation, SourceExpect } from './types.js';

/** An address a node owns, and on which device (for "who is 172.18.0.11?" in failure reasons). */
export interface NodeAddress {
  readonly ip: string;
  readonly dev: string;
}

export interface ModeExpectations {
  readonly mode: string;
  /** The MTU of a pod's eth0 on this mode (overlay: underlay MTU − 50 for VXLAN). */
  podMtu(t: Topology): number;
  /** Every address of a node, the class NODE(n) accepts. */
  nodeAddresses(t: Topology, n: NodeT): readonly NodeAddress[];
  /** Rows 1, 2: pod → pod, same node or cross node. */
  podToPod(t: Topology, client: PodT, server: PodT): Expectation;
  /** Rows 3, 4: a node's own process → a pod (local or remote). */
  nodeToPod(t: Topology, node: NodeT, server: PodT): Expectation;
  /** Rows 5, 6: pod → a node's IP (ICMP: reachability only; no server runs on nodes). */
  podToNode(t: Topology, client: PodT, node: NodeT): Expectation;
  /** Row 17: pod → the external host. */
  podToExternal(t: Topology, client: PodT): Expectation;
  /** The external host → a pod IP directly. */
  externalToPod(t: Topology, server: PodT): Expectation;
  /** Rows 7, 8: pod → ClusterIP:port (endpoints same node or remote): DNAT only. Every endpoint answers over the tries. */
  podToClusterIP(t: Topology, client: PodT, svc: ServiceT, port: ServicePortT): Expectation;
  /** Row 9: an endpoint pod → its own Service, DNATed back to itself: masqueraded (the answer from itself sees a node address). */
  hairpin(t: Topology, client: PodT, svc: ServiceT, port: ServicePortT): Expectation;
  /** Row 10: a node's own process → ClusterIP:port: DNAT + MASQ (source not in clusterCIDR). */
  nodeToClusterIP(t: Topology, node: NodeT, svc: ServiceT, port: ServicePortT): Expectation;
  /** Rows 11–14: the external host → nodeIP:nodePort via `node`, per externalTrafficPolicy. */
  externalToNodePort(t: Topology, node: NodeT, svc: ServiceT, port: ServicePortT): Expectation;
  /** Row 18: a Service port with no endpoints is REJECTed. */
  noEndpoints(t: Topology, svc: ServiceT, port: ServicePortT): Expectation;
  /** Row 19: ClientIP affinity: every try from one client answered by one backend (same NAT as rows 7/8). */
  affinity(t: Topology, client: PodT, svc: ServiceT, port: ServicePortT): Expectation;
}

/** netexec's hostname of an endpoint ("ns/name" → "name"). */
export const epHost = (pod: string): string => pod.slice(pod.indexOf('/') + 1);
const hosts = (eps: readonly EndpointT[]): string[] => [...new Set(eps.map((e) => epHost(e.pod)))];

export function nodeOf(t: Topology, name: string): NodeT {
  const n = t.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`topology has no node "${name}"`);
  return n;
}

export function podSource(p: PodT): SourceExpect {
  return { class: 'POD', allowed: [p.ip], preferred: p.ip, describe: `the pod's own ${p.ip}` };
}

export function extSource(t: Topology): SourceExpect {
  return { class: 'EXT', allowed: [t.external.ip], preferred: t.external.ip, describe: `the external host's own ${t.external.ip}` };
}

export function nodeSource(m: ModeExpectations, t: Topology, n: NodeT, preferred?: string): SourceExpect {
  const addrs = m.nodeAddresses(t, n);
  return {
    class: 'NODE', allowed: addrs.map((a) => a.ip), preferred,
    describe: `an address of node ${n.name} (${addrs.map((a) => `${a.ip} ${a.dev}`).join(', ')})`,
  };
}

/** A source class restricted to one exact node address (e.g. MASQUERADE to eth0). */
export function nodeExactSource(n: NodeT, ip: string, dev: string): SourceExpect {
  return { class: 'NODE', allowed: [ip], preferred: ip, describe: `node ${n.name}'s ${dev} address ${ip}` };
}

export const overlayExpectations: ModeExpectations = {
  mode: 'overlay',
  podMtu: (t) => t.mtu - 50,
  nodeAddresses(t, n) {
    const sub = mustCidr(n.podCIDR);
    return [
      { ip: n.ip, dev: 'eth0' },
      { ip: nth(sub, 1), dev: 'cni0' },
      { ip: nth(sub, 0), dev: 'flannel.1' },
    ];
  },
  podToPod(_t, client, server) {
    const same = client.node === server.node;
    return { outcome: 'ok', source: podSource(client), basis: same ? 'E1: pod→pod same node, never NATed (FLANNEL-POSTRTG RETURN -s podCIDR -d cluster)' : 'E2: pod→pod cross node over VXLAN, never NATed' };
  },
  nodeToPod(t, node, server) {
    const sub = mustCidr(node.podCIDR);
    if (server.node === node.name) {
      return { outcome: 'ok', source: nodeSource(this, t, node, nth(sub, 1)), basis: 'E3: node→local pod, no NAT, route src = cni0 .1' };
    }
    return { outcome: 'ok', source: nodeSource(this, t, node, nth(sub, 0)), basis: 'E4: node→remote pod over flannel.1, no NAT, src = flannel.1 /32 network address' };
  },
  podToNode(_t, client, node) {
    return client.node === node.name
      ? { outcome: 'ok', basis: 'E5: pod→own node IP, local delivery (node sees the pod IP)' }
      : { outcome: 'ok', basis: 'E6: pod→other node IP, flannel MASQUERADEs to the client node eth0 IP' };
  },
  podToExternal(t, client) {
    const n = nodeOf(t, client.node);
    return { outcome: 'ok', source: nodeExactSource(n, n.ip, 'eth0'), basis: 'E17: pod→external, flannel MASQUERADE (-s podCIDR ! -d 224.0.0.0/4) to the node eth0 IP' };
  },
  externalToPod() {
    return { outcome: 'blocked', basis: 'overlay: the pod CIDR is not routed outside the cluster; the external host has no route to pods' };
  },
  podToClusterIP(t, client, svc, port) {
    const local = port.endpoints.some((e) => e.node === client.node);
    const remote = port.endpoints.some((e) => e.node !== client.node);
    const rows = [local ? 'E7' : '', remote ? 'E8' : ''].filter(Boolean).join('/');
    // A client that is itself an endpoint is hairpinned when the random choice picks it (row 9).
    const self = port.endpoints.some((e) => e.pod === client.key) ? epHost(client.key) : undefined;
    const n = nodeOf(t, client.node);
    return { outcome: 'ok', source: podSource(client), backends: hosts(port.endpoints), untilAll: true,
      ...(self ? { sourceFor: { [self]: nodeSource(this, t, n, nth(mustCidr(n.podCIDR), 1)) } } : {}),
      basis: `${rows}${self ? '/E9' : ''}: pod→ClusterIP ${svc.clusterIP}:${port.port}, DNAT only (no MASQ for traffic from the pod CIDR)${self ? ', MASQ when hairpinned to itself' : ''}, random over ${port.endpoints.length} endpoint(s)` };
  },
  hairpin(t, client, svc, port) {
    const n = nodeOf(t, client.node);
    const self = epHost(client.key);
    const others = hosts(port.endpoints).filter((h) => h !== self);
    return { outcome: 'ok', source: podSource(client), backends: [self], mayAnswer: others, untilAll: true,
      sourceFor: { [self]: nodeSource(this, t, n, nth(mustCidr(n.podCIDR), 1)) },
      basis: `E9: hairpin ${client.key}→${svc.key} DNATed back to itself: KUBE-SEP -s ${client.ip} -j KUBE-MARK-MASQ, MASQUERADE to cni0 .1 (hairpinMode on the bridge port)` };
  },
  nodeToClusterIP(t, node, svc, port) {
    return { outcome: 'ok', source: nodeSource(this, t, node), mayAnswer: hosts(port.endpoints), backends: [],
      basis: `E10: node→ClusterIP ${svc.clusterIP}:${port.port}, DNAT + MASQ (source not in the pod CIDR): cni0 .1 for a local endpoint, flannel.1 for a remote one` };
  },
  externalToNodePort(t, node, svc, port) {
    if (svc.externalTrafficPolicy === 'Local') {
      const local = port.endpoints.filter((e) => e.node === node.name);
      if (!local.length) return { outcome: 'dropped', basis: `E14: eTP Local NodePort ${port.nodePort} on ${node.name}, which has no local endpoint: KUBE-EXTERNAL-SERVICES DROP` };
      return { outcome: 'ok', source: extSource(t), backends: hosts(local), untilAll: true,
        basis: `E13: eTP Local NodePort ${port.nodePort} on ${node.name}: DNAT only to the node's local endpoint(s), the client IP is kept` };
    }
    const local = port.endpoints.some((e) => e.node === node.name);
    return { outcome: 'ok', source: nodeSource(this, t, node), backends: [], mayAnswer: hosts(port.endpoints),
      basis: `E11/E12: eTP Cluster NodePort ${port.nodePort} via ${node.name}: DNAT + MASQ on the ingress node${local ? '' : ' (no local endpoint)'}` };
  },
  noEndpoints(_t, svc, port) {
    return { outcome: 'refused', basis: `E18: ${svc.key} port ${port.port}/${port.protocol} has no endpoints: filter KUBE-SERVICES REJECT (ICMP port unreachable)` };
  },
  affinity(_t, client, svc, port) {
    return { outcome: 'ok', source: podSource(client), backends: hosts(port.endpoints), sameBackend: true,
      basis: `E19: sessionAffinity ClientIP on ${svc.key} (${svc.affinityTimeoutSeconds} s): every try from ${client.ip} goes to the same endpoint` };
  },
};

const REGISTRY: ReadonlyMap<string, ModeExpectations> = new Map([[overlayExpectations.mode, overlayExpectations]]);

export function expectationsFor(mode: string): ModeExpectations {
  const m = REGISTRY.get(mode);
  if (!m) throw new Error(`the checker has no expectation model for mode "${mode}" (models: ${[...REGISTRY.keys()].join(', ')})`);
  return m;
}

/** Name the owner of an address in this lab: "pod shop/web-1", "node node1 eth0", "the external host", "127.0.0.1 (localhost)". */
export function whoIs(m: ModeExpectations, t: Topology, ip: string): string {
  if (ip.startsWith('127.')) return 'localhost';
  const p = t.pods.find((x) => x.ip === ip);
  if (p) return `pod ${p.key}`;
  for (const n of t.nodes) for (const a of m.nodeAddresses(t, n)) if (a.ip === ip) return `node ${n.name} ${a.dev}`;
  if (ip === t.external.ip) return 'the external host';
  if (ip === t.gateway) return 'the underlay gateway';
  return 'unknown';
}
