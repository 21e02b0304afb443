// The expectation model (pure): for each traffic class, what Kubernetes promises on this dataplane mode —
// the outcome and the source address the server must see. Rows cite reference/dataplane.md section E.
// One ModeExpectations per mode, in an explicit registry, so bgp and vpc plug in beside overlay.
import type { Topology, NodeT, PodT, VpcHostT, ServiceT, ServicePortT, EndpointT } from '../model/topology.js';
import { mustCidr, nth } from '../net/ip.js';
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
  /** vpc only: a plain VPC host (not a node) → a pod IP directly. */
  vpcHostToPod?(t: Topology, host: VpcHostT, server: PodT): Expectation;
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

/**
 * Service rows 7–19: the same kube-proxy rules on every mode; what differs is which node address a
 * masqueraded packet carries (overlay: cni0 .1 toward a local pod; bgp and vpc: the node IP, as the cali and eni
 * veths have no address).
 */
function serviceRows(hairpinSource: (t: Topology, n: NodeT) => string): Pick<ModeExpectations, 'podToClusterIP' | 'hairpin' | 'nodeToClusterIP' | 'externalToNodePort' | 'noEndpoints' | 'affinity'> & ThisType<ModeExpectations> {
  return {
  podToClusterIP(t, client, svc, port) {
    const local = port.endpoints.some((e) => e.node === client.node);
    const remote = port.endpoints.some((e) => e.node !== client.node);
    const rows = [local ? 'E7' : '', remote ? 'E8' : ''].filter(Boolean).join('/');
    // A client that is itself an endpoint is hairpinned when the random choice picks it (row 9).
    const self = port.endpoints.some((e) => e.pod === client.key) ? epHost(client.key) : undefined;
    const n = nodeOf(t, client.node);
    return { outcome: 'ok', source: podSource(client), backends: hosts(port.endpoints), untilAll: true,
      ...(self ? { sourceFor: { [self]: nodeSource(this, t, n, hairpinSource(t, n)) } } : {}),
      basis: `${rows}${self ? '/E9' : ''}: pod→ClusterIP ${svc.clusterIP}:${port.port}, DNAT only (no MASQ for traffic from the pod CIDR)${self ? ', MASQ when hairpinned to itself' : ''}, random over ${port.endpoints.length} endpoint(s)` };
  },
  hairpin(t, client, svc, port) {
    const n = nodeOf(t, client.node);
    const self = epHost(client.key);
    const others = hosts(port.endpoints).filter((h) => h !== self);
    return { outcome: 'ok', source: podSource(client), backends: [self], mayAnswer: others, untilAll: true,
      sourceFor: { [self]: nodeSource(this, t, n, hairpinSource(t, n)) },
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
  ...serviceRows((t, n) => nth(mustCidr(n.podCIDR), 1)),
};

export const vpcExpectations: ModeExpectations = {
  mode: 'vpc',
  podMtu: (t) => t.mtu,
  nodeAddresses(_t, n) {
    // eni* host veths carry no address: the primary ENI's primary IP is the node's only one.
    return [{ ip: n.ip, dev: 'eth0' }];
  },
  podToPod(_t, client, server) {
    const same = client.node === server.node;
    return { outcome: 'ok', source: podSource(client), basis: same ? 'E1 (AWS): pod→pod same node, host routes <podIP> dev eni*, AWS-SNAT-CHAIN-0 RETURN -d VPC' : 'E2 (AWS): pod→pod cross node, routed by the VPC (secondary IP /32s), no NAT' };
  },
  nodeToPod(t, node, server) {
    const local = server.node === node.name;
    return { outcome: 'ok', source: nodeExactSource(node, node.ip, 'eth0'), basis: local ? 'E3 (AWS): node→local pod, eni* has no address so the source is the primary IP' : 'E4 (AWS): node→remote pod through the VPC, source = primary IP' };
  },
  podToNode(_t, client, node) {
    return client.node === node.name
      ? { outcome: 'ok', basis: 'E5: pod→own node IP, local delivery' }
      : { outcome: 'ok', basis: 'E6 (AWS): pod→other node IP, not NATed (node IP ∈ VPC CIDR: AWS-SNAT-CHAIN-0 RETURN)' };
  },
  podToExternal(t, client) {
    const n = nodeOf(t, client.node);
    if (t.vpc?.externalSNAT) {
      return { outcome: 'blocked', basis: 'E17 (AWS, externalSNAT: true): the pod IP leaves the node un-NATed and, with no NAT gateway, the internet gateway drops it (no public IP)' };
    }
    return { outcome: 'ok', source: nodeExactSource(n, n.ip, 'eth0'), basis: 'E17 (AWS): pod→off-VPC, AWS-SNAT-CHAIN-0 SNAT --to-source <primary IP> --random-fully' };
  },
  externalToPod() {
    return { outcome: 'blocked', basis: 'vpc: a pod secondary IP has no public IP; the internet gateway does not route to it' };
  },
  vpcHostToPod(_t, host) {
    return {
      outcome: 'ok', source: { class: 'IP', allowed: [host.ip], preferred: host.ip, describe: `VPC host ${host.name}'s own ${host.ip}` },
      basis: 'vpc: pod IPs are native VPC IPs; the VPC router delivers to the ENI holding the secondary IP, no NAT on either side',
    };
  },
  ...serviceRows((_t, n) => n.ip),
};

/** Calico BGP without encapsulation (matrix E, BGP column): pods are routed, natOutgoing covers pod → outside the pool. */
export const bgpExpectations: ModeExpectations = {
  mode: 'bgp',
  podMtu: (t) => t.mtu,
  nodeAddresses(_t, n) {
    // cali devices carry no address; the node's only address is its eth0 IP.
    return [{ ip: n.ip, dev: 'eth0' }];
  },
  podToPod(_t, client, server) {
    const same = client.node === server.node;
    return { outcome: 'ok', source: podSource(client), basis: same ? 'E1 (BGP): pod→pod same node through the two cali veths, never NATed' : 'E2 (BGP): pod→pod cross node, routed by BIRD-learned block routes, no encapsulation, never NATed' };
  },
  nodeToPod(t, node, server) {
    const local = server.node === node.name;
    return { outcome: 'ok', source: nodeSource(this, t, node, node.ip), basis: local ? 'E3 (BGP): node→local pod via the cali /32 route; cali has no address, so src = node IP' : 'E4 (BGP): node→remote pod via the peer node (proto bird), src = node IP' };
  },
  podToNode(_t, client, node) {
    return client.node === node.name
      ? { outcome: 'ok', basis: 'E5 (BGP): pod→own node IP, local delivery (node sees the pod IP)' }
      : { outcome: 'ok', basis: 'E6 (BGP): pod→other node IP is outside the pool: cali-nat-outgoing MASQUERADEs to the client node IP' };
  },
  podToExternal(t, client) {
    const n = nodeOf(t, client.node);
    return { outcome: 'ok', source: nodeExactSource(n, n.ip, 'eth0'), basis: 'E17 (BGP): pod→external, natOutgoing (cali-nat-outgoing -s pool ! -d pool MASQUERADE) to the node IP' };
  },
  externalToPod() {
    return { outcome: 'blocked', basis: 'BGP: the pool is only advertised between nodes (no external peer), so the external host has no route to pods' };
  },
  ...serviceRows((_t, n) => n.ip),
};

const REGISTRY: ReadonlyMap<string, ModeExpectations> = new Map([
  [overlayExpectations.mode, overlayExpectations],
  [bgpExpectations.mode, bgpExpectations],
  [vpcExpectations.mode, vpcExpectations],
]);

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
  if (ip === t.gateway) return t.vpc ? 'the VPC internet gateway' : 'the underlay gateway';
  const h = t.vpc?.hosts.find((x) => x.ip === ip);
  if (h) return `VPC host ${h.name}`;
  return 'unknown';
}
