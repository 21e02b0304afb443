// The expectation model (pure): for each traffic class, what Kubernetes promises — the outcome and the source address
// the server must see — composed in stages, as the packet meets them: kube-proxy's translation (DNAT to an endpoint,
// masquerade or not: the same on every mode, reference/dataplane.md A.7), the mode's routing facts (facts.ts: which
// address a node answers from, what the CNI masquerades, what can reach a pod from outside), then NetworkPolicy's
// verdict on the translated destination (a PolicyStage, when the lab has policies). Rows cite matrix E.
import type { Topology, NodeT, PodT, HostT, ServiceT, ServicePortT, EndpointT } from '../model/topology.js';
import type { Expectation, SourceExpect } from './types.js';
import type { NodeAddress, RoutingFacts } from './facts.js';
import { edgeExpectations, type EdgeExpectations } from './edge.js';
import { contains, mustCidr } from '../net/ip.js';
import { podHostname } from '../model/hostname.js';
export type { NodeAddress, RoutingFacts } from './facts.js';

/** Where a flow starts, for the policy stage. */
export type FlowSource =
  | { readonly kind: 'pod'; readonly pod: PodT }
  | { readonly kind: 'node'; readonly node: NodeT }
  | { readonly kind: 'external'; readonly ip: string }
  | { readonly kind: 'host'; readonly host: HostT };

/** The port and protocol of a flow (policies are per port). */
export interface FlowPort {
  readonly port?: number;
  readonly protocol: 'TCP' | 'UDP' | 'ICMP';
}

/** NetworkPolicy's verdict on a flow that reached pod `dst` (undefined: no policy isolates `dst` for it). */
export type PolicyStage = (src: FlowSource, dst: PodT, flow: FlowPort) => { readonly allowed: boolean; readonly basis: string } | undefined;

export interface ModeExpectations extends EdgeExpectations {
  readonly mode: string;
  readonly facts: RoutingFacts;
  /** The MTU of a pod's eth0 on this mode. */
  podMtu(t: Topology): number;
  /** Every address of a node, the class NODE(n) accepts. */
  nodeAddresses(t: Topology, n: NodeT): readonly NodeAddress[];
  /** Rows 1, 2: pod → pod, same node or cross node. */
  podToPod(t: Topology, client: PodT, server: PodT, flow?: FlowPort): Expectation;
  /** Rows 3, 4: a node's own process → a pod (local or remote). */
  nodeToPod(t: Topology, node: NodeT, server: PodT, flow?: FlowPort): Expectation;
  /** Rows 5, 6: pod → a node's IP (ICMP: reachability only; no server runs on nodes). */
  podToNode(t: Topology, client: PodT, node: NodeT): Expectation;
  /** Row 17: pod → the external host. */
  podToExternal(t: Topology, client: PodT): Expectation;
  /** The external host → a pod IP directly. */
  externalToPod(t: Topology, server: PodT, flow?: FlowPort): Expectation;
  /** A plain host of the pod network (vpc: a VPC host) → a pod IP directly; absent when the mode has none. */
  hostToPod?(t: Topology, host: HostT, server: PodT, flow?: FlowPort): Expectation;
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
  /** A pod → a hostNetwork pod (its node's IP:port): what pod → node IP does on this mode (rows 5, 6). */
  podToHostNetwork(t: Topology, client: PodT, server: PodT): Expectation;
  /** A hostNetwork pod → ClusterIP:port: it is the node's own process (row 10). */
  hostNetworkToClusterIP(t: Topology, client: PodT, svc: ServiceT, port: ServicePortT): Expectation;
  /** The external host → nodeIP:hostPort of a pod on that node: the portmap plugin's DNAT, the client address kept. */
  externalToHostPort(t: Topology, pod: PodT, hostPort: number, containerPort: number): Expectation;
  /** The external host → nodeIP:port of a hostNetwork pod: the node's own socket. */
  externalToHostNetwork(t: Topology, pod: PodT, port: number): Expectation;
  /** A pod → nodeIP:hostPort of `pod` (its own node's or another's): the hairpin mark, or what pod → node IP does. */
  podToHostPort(t: Topology, client: PodT, pod: PodT, hostPort: number): Expectation;
  /** A node's own process → 127.0.0.1:hostPort or its own IP:hostPort of a pod on it (portmap's OUTPUT jump). */
  nodeToHostPort(t: Topology, node: NodeT, pod: PodT, hostPort: number, localhost: boolean): Expectation;
  /** The external host → a node's IP at a hostPort no pod of that node holds: nothing listens, the node resets. */
  externalToFreeHostPort(t: Topology, node: NodeT, hostPort: number): Expectation;
}

/** netexec's hostname of an endpoint ("ns/name" → "name"). */
/** The hostname an endpoint answers /hostname with: its pod's (spec.hostname, a hostNetwork pod's node), else its name. */
export const epHost = (e: string | Pick<EndpointT, 'pod' | 'host'>): string => (typeof e === 'string' ? e.slice(e.indexOf('/') + 1) : e.host ?? e.pod.slice(e.pod.indexOf('/') + 1));
const hosts = (eps: readonly EndpointT[]): string[] => [...new Set(eps.map((e) => epHost(e)))];

export function nodeOf(t: Topology, name: string): NodeT {
  const n = t.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`topology has no node "${name}"`);
  return n;
}

function podOf(t: Topology, key: string): PodT | undefined {
  return t.pods.find((p) => p.key === key);
}

export function podSource(p: PodT): SourceExpect {
  return { class: 'POD', allowed: [p.ip], preferred: p.ip, describe: `the pod's own ${p.ip}` };
}

export function extSource(t: Topology): SourceExpect {
  return { class: 'EXT', allowed: [t.external.ip], preferred: t.external.ip, describe: `the external host's own ${t.external.ip}` };
}

export function nodeSource(m: Pick<ModeExpectations, 'nodeAddresses'>, t: Topology, n: NodeT, preferred?: string): SourceExpect {
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

/** Compose a mode's routing facts with kube-proxy's translation and (when given) NetworkPolicy's verdict. */
export function composeExpectations(f: RoutingFacts, policy?: PolicyStage): ModeExpectations {
  const row = (r: string) => `${r}${f.tag}`;
  const explain = { masquerade: f.words.masquerade, hairpin: f.words.hairpin };
  /** The policy stage on a flow that reached pod `dst`. */
  const gate = (e: Expectation, src: FlowSource, dst: PodT, flow?: FlowPort): Expectation => {
    if (!policy || !flow || e.outcome !== 'ok') return e;
    const v = policy(src, dst, flow);
    if (!v) return e;
    if (v.allowed) return { ...e, basis: `${e.basis}; ${v.basis}` };
    return { outcome: 'blocked', basis: `${e.basis}; but ${v.basis}` };
  };
  const masqSource = (t: Topology, n: NodeT, toward: PodT): SourceExpect => {
    const a = f.masqueradeSource(t, n, toward);
    return nodeSource(m, t, n, a.ip);
  };
  /** What a pod's packet to `node`'s own address looks like when it arrives (rows 5, 6): local delivery on its own
   *  node; to another node, the mode's egress (flannel's and Calico's masquerade to the client node's eth0). */
  const toNodeSource = (t: Topology, client: PodT, node: NodeT): { source: SourceExpect; why: string; blocked?: boolean } => {
    if (client.node === node.name) return { source: podSource(client), why: `${row('E5')}: to its own node's IP, local delivery (the pod IP is kept)` };
    const eg = f.podToOtherNode(t, client, node);
    if (eg.nat === 'blocked') return { source: podSource(client), why: `${row('E6')}: ${eg.why}`, blocked: true };
    if (eg.nat === 'snat') return { source: nodeExactSource(nodeOf(t, client.node), eg.source.ip, eg.source.dev), why: `${row('E6')}: to another node's IP, ${eg.why} to the client node's ${eg.source.dev} ${eg.source.ip}` };
    return { source: podSource(client), why: `${row('E6')}: to another node's IP, not NATed: ${eg.why}` };
  };
  /** Endpoints that are hostNetwork pods (their address is their node's): the answer from each carries what pod → node IP does. */
  const hostNetSources = (t: Topology, client: PodT, port: ServicePortT): Record<string, SourceExpect> => Object.fromEntries(port.endpoints
    .filter((e) => t.nodes.some((n) => n.name === e.node && n.ip === e.ip))
    .map((e) => [epHost(e), toNodeSource(t, client, nodeOf(t, e.node)).source]));
  const m: ModeExpectations = {
    mode: f.mode,
    facts: f,
    podMtu: (t) => f.podMtu(t),
    nodeAddresses: (t, n) => f.nodeAddresses(t, n),
    podToPod(t, client, server, flow) {
      const same = client.node === server.node;
      const e: Expectation = { outcome: 'ok', source: podSource(client),
        basis: `${row(same ? 'E1' : 'E2')}: pod→pod ${same ? 'same node' : 'cross node'} ${same ? f.words.sameNode : f.words.crossNode}, never NATed (${f.podToPodWhy(t, client, server)})` };
      return gate(e, { kind: 'pod', pod: client }, server, flow);
    },
    nodeToPod(t, node, server, flow) {
      const local = server.node === node.name;
      const s = f.nodeToPodSource(t, node, server);
      const e: Expectation = { outcome: 'ok', source: nodeSource(m, t, node, s.address.ip),
        basis: `${row(local ? 'E3' : 'E4')}: node→${local ? 'local' : 'remote'} pod, no NAT, source ${s.address.ip} (${s.address.dev}): ${s.why}` };
      return gate(e, { kind: 'node', node }, server, flow);
    },
    podToNode(t, client, node) {
      if (client.node === node.name) return { outcome: 'ok', basis: `${row('E5')}: pod→own node IP, local delivery (the node sees the pod IP)` };
      const eg = f.podToOtherNode(t, client, node);
      if (eg.nat === 'blocked') return { outcome: 'blocked', basis: `${row('E6')}: pod→other node IP: ${eg.why}` };
      return { outcome: 'ok', basis: `${row('E6')}: pod→other node IP, ${eg.nat === 'snat' ? `${eg.why} to the client node's ${eg.source.dev} ${eg.source.ip}` : `not NATed: ${eg.why}`}` };
    },
    podToExternal(t, client) {
      const n = nodeOf(t, client.node);
      const eg = f.podToExternal(t, client);
      if (eg.nat === 'blocked') return { outcome: 'blocked', basis: `${row('E17')}: pod→external: ${eg.why}` };
      if (eg.nat === 'none') return { outcome: 'ok', source: podSource(client), basis: `${row('E17')}: pod→external, not NATed: ${eg.why}` };
      return { outcome: 'ok', source: nodeExactSource(n, eg.source.ip, eg.source.dev), explain, basis: `${row('E17')}: pod→external, ${eg.why} to the node's ${eg.source.dev} ${eg.source.ip}` };
    },
    externalToPod(t) {
      return { outcome: 'blocked', basis: `${f.mode}: ${f.externalToPodWhy(t)}` };
    },
    ...(f.hostToPod ? {
      hostToPod(t: Topology, host: HostT, server: PodT, flow?: FlowPort): Expectation {
        const r = f.hostToPod!(t, host, server);
        if (!r.reachable) return { outcome: 'blocked', basis: `${f.mode}: ${r.why}` };
        const e: Expectation = { outcome: 'ok', source: { class: 'IP', allowed: [host.ip], preferred: host.ip, describe: `host ${host.name}'s own ${host.ip}` }, basis: `${f.mode}: ${r.why}` };
        return gate(e, { kind: 'host', host }, server, flow);
      },
    } : {}),

    // kube-proxy (the same rules on every mode); the mode decides which node address a masqueraded packet carries.
    podToClusterIP(t, client, svc, port) {
      const local = port.endpoints.some((e) => e.node === client.node);
      const remote = port.endpoints.some((e) => e.node !== client.node);
      const rows = [local ? 'E7' : '', remote ? 'E8' : ''].filter(Boolean).join('/');
      // A client that is itself an endpoint is hairpinned when the random choice picks it (row 9).
      const self = port.endpoints.some((e) => e.pod === client.key) ? podHostname(client) : undefined;
      const n = nodeOf(t, client.node);
      const hostNet = hostNetSources(t, client, port);
      const sourceFor = { ...hostNet, ...(self ? { [self]: masqSource(t, n, client) } : {}) };
      return { outcome: 'ok', source: podSource(client), backends: hosts(port.endpoints), untilAll: true, explain,
        ...(Object.keys(sourceFor).length ? { sourceFor } : {}),
        basis: `${rows}${self ? '/E9' : ''}: pod→ClusterIP ${svc.clusterIP}:${port.port}, DNAT only (no MASQ for traffic from the pod CIDR)${self ? ', MASQ when hairpinned to itself' : ''}${Object.keys(hostNet).length ? `; hostNetwork endpoint(s) ${Object.keys(hostNet).join(', ')} are node addresses: to another node's, what pod→node IP does (${f.words.masquerade})` : ''}, random over ${port.endpoints.length} endpoint(s)` };
    },
    hairpin(t, client, svc, port) {
      const n = nodeOf(t, client.node);
      const self = podHostname(client);
      const others = hosts(port.endpoints).filter((h) => h !== self);
      const a = f.masqueradeSource(t, n, client);
      return { outcome: 'ok', source: podSource(client), backends: [self], mayAnswer: others, untilAll: true, explain,
        sourceFor: { ...hostNetSources(t, client, port), [self]: masqSource(t, n, client) },
        basis: `E9: hairpin ${client.key}→${svc.key} DNATed back to itself: KUBE-SEP -s ${client.ip} -j KUBE-MARK-MASQ, MASQUERADE to ${a.dev} ${a.ip} (${f.words.hairpin})` };
    },
    nodeToClusterIP(t, node, svc, port) {
      const eps = port.endpoints.map((e) => podOf(t, e.pod)).filter((p): p is PodT => !!p);
      const via = [...new Set(eps.map((p) => { const a = f.masqueradeSource(t, node, p); return `${a.dev} ${a.ip}`; }))].join(' or ');
      return { outcome: 'ok', source: nodeSource(m, t, node), mayAnswer: hosts(port.endpoints), backends: [], explain,
        basis: `${row('E10')}: node→ClusterIP ${svc.clusterIP}:${port.port}, DNAT + MASQ (source not in the pod CIDR)${via ? `: ${via}` : ''}` };
    },
    externalToNodePort(t, node, svc, port) {
      if (svc.externalTrafficPolicy === 'Local') {
        const local = port.endpoints.filter((e) => e.node === node.name);
        if (!local.length) return { outcome: 'dropped', basis: `E14: eTP Local NodePort ${port.nodePort} on ${node.name}, which has no local endpoint: KUBE-EXTERNAL-SERVICES DROP` };
        return { outcome: 'ok', source: extSource(t), backends: hosts(local), untilAll: true,
          basis: `E13: eTP Local NodePort ${port.nodePort} on ${node.name}: DNAT only to the node's local endpoint(s), the client IP is kept` };
      }
      const local = port.endpoints.some((e) => e.node === node.name);
      return { outcome: 'ok', source: nodeSource(m, t, node), backends: [], mayAnswer: hosts(port.endpoints), explain,
        basis: `${row('E11/E12')}: eTP Cluster NodePort ${port.nodePort} via ${node.name}: DNAT + MASQ on the ingress node${local ? '' : ' (no local endpoint)'}` };
    },
    noEndpoints(_t, svc, port) {
      return { outcome: 'refused', basis: `E18: ${svc.key} port ${port.port}/${port.protocol} has no endpoints: filter KUBE-SERVICES REJECT (ICMP port unreachable)` };
    },
    affinity(_t, client, svc, port) {
      return { outcome: 'ok', source: podSource(client), backends: hosts(port.endpoints), sameBackend: true,
        basis: `E19: sessionAffinity ClientIP on ${svc.key} (${svc.affinityTimeoutSeconds} s): every try from ${client.ip} goes to the same endpoint` };
    },
    podToHostNetwork(t, client, server) {
      const r = toNodeSource(t, client, nodeOf(t, server.node));
      if (r.blocked) return { outcome: 'blocked', basis: `pod→hostNetwork pod ${server.key} (${server.ip}, its node's address): ${r.why}` };
      return { outcome: 'ok', source: r.source, backends: [podHostname(server)], explain,
        basis: `pod→hostNetwork pod ${server.key} (${server.ip}, its node's address; a socket in the node's namespace): ${r.why}` };
    },
    hostNetworkToClusterIP(t, client, svc, port) {
      const e = m.nodeToClusterIP(t, nodeOf(t, client.node), svc, port);
      return { ...e, basis: `hostNetwork pod ${client.key} runs in node ${client.node}'s namespace: ${e.basis}` };
    },
    externalToHostPort(t, pod, hostPort, containerPort) {
      return { outcome: 'ok', source: extSource(t), backends: [podHostname(pod)],
        basis: `hostPort ${hostPort} on ${pod.node} (${nodeOf(t, pod.node).ip}): the portmap plugin's CNI-HOSTPORT-DNAT (dst-type LOCAL) DNATs to ${pod.ip}:${containerPort}; it marks for masquerade only hairpin and localhost traffic, so the external client's address is kept` };
    },
    podToHostPort(t, client, pod, hostPort) {
      const node = nodeOf(t, pod.node);
      const dnat = `hostPort ${hostPort} on ${pod.node}: CNI-HOSTPORT-DNAT DNATs to ${pod.ip}`;
      if (client.node !== pod.node) {
        const r = toNodeSource(t, client, node);
        if (r.blocked) return { outcome: 'blocked', basis: `${dnat}; but ${r.why}` };
        return { outcome: 'ok', source: r.source, backends: [podHostname(pod)], explain, basis: `${dnat}, the packet as pod→node IP: ${r.why}` };
      }
      // The nftables backend masquerades `ip saddr <pod IP> ip daddr <pod IP>`: the pod itself, whatever the prefix.
      const net = (t.proxyMode !== 'nftables' ? f.hostPortHairpinNet?.(t, node) : undefined) ?? `${pod.ip}/32`;
      if (client.key === pod.key || contains(mustCidr(net), client.ip)) {
        const a = f.masqueradeSource(t, node, pod);
        return { outcome: 'ok', source: nodeSource(m, t, node, a.ip), backends: [podHostname(pod)], explain,
          basis: `${dnat}; the client is in ${net} (the plugin's -s containerNet): CNI-HOSTPORT-SETMARK marks 0x2000 and CNI-HOSTPORT-MASQ masquerades it to ${a.dev} ${a.ip}, so the answer comes back through the node` };
      }
      return { outcome: 'ok', source: podSource(client), backends: [podHostname(pod)],
        basis: `${dnat}; the client is outside ${net} (the plugin's -s containerNet, the pod's own address): not marked, the pod IP is kept` };
    },
    nodeToHostPort(t, node, pod, hostPort, localhost) {
      if (localhost) {
        const a = f.masqueradeSource(t, node, pod);
        return { outcome: 'ok', source: nodeSource(m, t, node, a.ip), backends: [podHostname(pod)], explain,
          basis: `127.0.0.1:${hostPort} on ${node.name}: OUTPUT -m addrtype --dst-type LOCAL → CNI-HOSTPORT-DNAT DNATs to ${pod.ip}; -s 127.0.0.1 marks it and CNI-HOSTPORT-MASQ masquerades it to ${a.dev} ${a.ip} (127.0.0.1 may leave the host only with route_localnet)` };
      }
      return { outcome: 'ok', source: nodeSource(m, t, node, node.ip), backends: [podHostname(pod)],
        basis: `${node.ip}:${hostPort} from ${node.name} itself: OUTPUT's CNI-HOSTPORT-DNAT DNATs to ${pod.ip}; the node's address is neither the pod network nor 127.0.0.1, so it is not masqueraded` };
    },
    externalToHostNetwork(t, pod, port) {
      return { outcome: 'ok', source: extSource(t), backends: [podHostname(pod)],
        basis: `hostNetwork pod ${pod.key} listens on ${port} in node ${pod.node}'s own namespace (${pod.ip}): no NAT, the external client's address is kept` };
    },
    externalToFreeHostPort(_t, node, hostPort) {
      return { outcome: 'refused', basis: `no pod on ${node.name} holds hostPort ${hostPort}: the portmap rules exist only on the nodes of the pods that ask for it, and nothing listens on ${node.ip}:${hostPort} (TCP RST)` };
    },
    ...edgeExpectations(f, (t, n, preferred) => nodeSource(m, t, n, preferred)),
  };
  return m;
}

/** Name the owner of an address in this lab: "pod shop/web-1", "node node1 eth0", "the external host", "127.0.0.1 (localhost)". */
export function whoIs(m: Pick<ModeExpectations, 'nodeAddresses' | 'facts'>, t: Topology, ip: string): string {
  if (ip.startsWith('127.')) return 'localhost';
  const p = t.pods.find((x) => x.ip === ip && !x.hostNetwork);
  if (p) return `pod ${p.key}`;
  for (const n of t.nodes) for (const a of m.nodeAddresses(t, n)) if (a.ip === ip) return `node ${n.name} ${a.dev}`;
  if (ip === t.external.ip) return 'the external host';
  if (ip === t.gateway) return m.facts.gatewayName ?? 'the underlay gateway';
  const h = t.hosts.find((x) => x.ip === ip);
  if (h) return `${m.facts.hostLabel ?? 'host'} ${h.name}`;
  return 'unknown';
}
