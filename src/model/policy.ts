// NetworkPolicy resolved against the lab (pure): which pods each policy selects, which pods are isolated in which
// direction (and by which policies), and every rule's peers as IP sets and its ports as numbers per destination pod.
// Semantics of networking.k8s.io/v1: a pod selected by any policy of a type is isolated for that direction;
// what isolates it, the union of all those policies' rules allows. Namespaces carry kubernetes.io/metadata.name.
import type { NetworkPolicySpec, PolicyPeerSpec, PolicyPortSpec, Protocol } from '../input/types.js';
import { labelSelectorMatches, selectorText, type LabelSelector, type Labels } from './selectors.js';
import { contains, mustCidr } from '../net/ip.js';

/** What the model needs to know of a pod. */
export interface PolicyPodInput {
  readonly key: string; // "ns/name"
  readonly namespace: string;
  readonly labels: Labels;
  readonly ip: string;
  readonly node: string;
  /** Container ports with their names (named ports are resolved against them). */
  readonly ports: readonly { readonly name?: string; readonly port: number; readonly protocol: Protocol }[];
}

export interface PolicyNamespaceInput {
  readonly name: string;
  readonly labels: Labels;
}

/** A rule's peer, resolved: pods (by selectors) with their IPs, or an address block. */
export type PeerT =
  | {
    readonly kind: 'pods';
    /** Stable identity of the selector pair (equal selectors share one IP set). */
    readonly id: string;
    /** "pods app=web in namespace x", "pods <all> in namespaces team=a", … */
    readonly text: string;
    readonly pods: readonly string[];
    readonly ips: readonly string[];
  }
  | { readonly kind: 'ipBlock'; readonly cidr: string; readonly except: readonly string[]; readonly family: 4 | 6 };

/** A `ports` entry: a number (with endPort, a range), a name (resolved per destination pod), or every port of the protocol. */
export interface PortT {
  readonly protocol: Protocol;
  readonly port?: number;
  readonly endPort?: number;
  readonly name?: string;
}

/** Where a named port of a rule lands: the destination pods that declare it, with the number it stands for there. */
export interface NamedPortT {
  readonly name: string;
  readonly protocol: Protocol;
  readonly members: readonly { readonly pod: string; readonly ip: string; readonly port: number }[];
}

export interface RuleT {
  readonly index: number;
  /** null: every peer (an absent or empty from/to). */
  readonly peers: readonly PeerT[] | null;
  /** null: every port and protocol (an absent or empty ports list). */
  readonly ports: readonly PortT[] | null;
  readonly named: readonly NamedPortT[];
}

export interface PolicyT {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly ingressType: boolean;
  readonly egressType: boolean;
  readonly podSelector: string; // as kubectl prints it
  /** Pods the policy applies to ("ns/name"), sorted. */
  readonly selected: readonly string[];
  readonly ingress: readonly RuleT[];
  readonly egress: readonly RuleT[];
}

/** Per pod: the policies that isolate it, per direction (empty: not isolated, everything is allowed). */
export interface PodPolicyT {
  readonly key: string;
  readonly namespace: string;
  readonly ip: string;
  readonly node: string;
  readonly ingress: readonly string[];
  readonly egress: readonly string[];
}

export interface PolicyModel {
  /** Sorted by key. */
  readonly policies: readonly PolicyT[];
  readonly pods: readonly PodPolicyT[];
  /** Container ports of every pod, for named ports of destinations. */
  readonly podPorts: Readonly<Record<string, readonly { readonly name?: string; readonly port: number; readonly protocol: Protocol }[]>>;
  /** Namespace labels as policies see them (kubernetes.io/metadata.name included). */
  readonly namespaces: Readonly<Record<string, Labels>>;
}

export const NS_NAME_LABEL = 'kubernetes.io/metadata.name';

const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Namespace labels with the one Kubernetes sets on every namespace. */
export function namespaceLabelsOf(namespaces: readonly PolicyNamespaceInput[]): Record<string, Labels> {
  const out: Record<string, Labels> = {};
  for (const n of namespaces) out[n.name] = { ...n.labels, [NS_NAME_LABEL]: n.name };
  return out;
}

function peerText(p: PolicyPeerSpec, ns: string): string {
  const pods = `pods ${selectorText(p.podSelector ?? {})}`;
  if (!p.namespaceSelector) return `${pods} in namespace ${ns}`;
  return `${pods} in namespaces ${selectorText(p.namespaceSelector)}`;
}

/** Resolve policies against pods and namespaces. Pods without an address (Pending) take no part. */
export function resolvePolicies(policies: readonly NetworkPolicySpec[], pods: readonly PolicyPodInput[], namespaces: readonly PolicyNamespaceInput[]): PolicyModel {
  const nsLabels = namespaceLabelsOf([...namespaces, ...[...new Set(pods.map((p) => p.namespace))].filter((n) => !namespaces.some((x) => x.name === n)).map((name) => ({ name, labels: {} }))]);
  const live = pods.filter((p) => p.ip && p.ip !== '0.0.0.0').slice().sort(byKey);
  const podPorts: Record<string, PolicyPodInput['ports']> = {};
  for (const p of live) podPorts[p.key] = p.ports;
  const inNs = (sel: LabelSelector | undefined, ns: string) => live.filter((p) => p.namespace === ns && labelSelectorMatches(sel ?? {}, p.labels));

  const resolvePeer = (p: PolicyPeerSpec, ns: string): PeerT => {
    if (p.ipBlock) return { kind: 'ipBlock', cidr: p.ipBlock.cidr, except: p.ipBlock.except, family: p.ipBlock.family };
    const matched = p.namespaceSelector
      ? live.filter((x) => labelSelectorMatches(p.namespaceSelector, nsLabels[x.namespace] ?? { [NS_NAME_LABEL]: x.namespace }) && labelSelectorMatches(p.podSelector ?? {}, x.labels))
      : inNs(p.podSelector, ns);
    const text = peerText(p, ns);
    return { kind: 'pods', id: text, text, pods: matched.map((x) => x.key), ips: matched.map((x) => x.ip) };
  };

  const resolvePorts = (ports: readonly PolicyPortSpec[] | undefined): PortT[] | null => {
    if (!ports || ports.length === 0) return null;
    return ports.map((p) => (typeof p.port === 'string' ? { protocol: p.protocol, name: p.port }
      : { protocol: p.protocol, ...(p.port !== undefined ? { port: p.port } : {}), ...(p.endPort !== undefined ? { endPort: p.endPort } : {}) }));
  };

  /** Named ports land on destination pods: the selected pods (ingress) or the peers (egress; all pods for any peer). */
  const namedFor = (ports: readonly PortT[] | null, dests: readonly PolicyPodInput[]): NamedPortT[] => {
    if (!ports) return [];
    const out: NamedPortT[] = [];
    for (const p of ports) {
      if (p.name === undefined) continue;
      if (out.some((n) => n.name === p.name && n.protocol === p.protocol)) continue;
      const members = dests.flatMap((d) => d.ports.filter((cp) => cp.name === p.name && cp.protocol === p.protocol).slice(0, 1).map((cp) => ({ pod: d.key, ip: d.ip, port: cp.port })));
      out.push({ name: p.name, protocol: p.protocol, members });
    }
    return out;
  };
  const egressDests = (peers: readonly PeerT[] | null): PolicyPodInput[] => {
    if (!peers) return live;
    return live.filter((d) => peers.some((pe) => peerMatchesIp(pe, d.ip)));
  };

  const out: PolicyT[] = [];
  for (const np of [...policies].sort(byKey)) {
    const selected = inNs(np.podSelector, np.namespace);
    const ingressType = np.policyTypes.includes('Ingress');
    const egressType = np.policyTypes.includes('Egress');
    const ingress = ingressType ? np.ingress.map((r, index): RuleT => {
      const peers = r.peers?.length ? r.peers.map((p) => resolvePeer(p, np.namespace)) : null;
      const ports = resolvePorts(r.ports);
      return { index, peers, ports, named: namedFor(ports, selected) };
    }) : [];
    const egress = egressType ? np.egress.map((r, index): RuleT => {
      const peers = r.peers?.length ? r.peers.map((p) => resolvePeer(p, np.namespace)) : null;
      const ports = resolvePorts(r.ports);
      return { index, peers, ports, named: namedFor(ports, egressDests(peers)) };
    }) : [];
    out.push({
      key: np.key, namespace: np.namespace, name: np.name, ingressType, egressType,
      podSelector: selectorText(np.podSelector), selected: selected.map((p) => p.key), ingress, egress,
    });
  }
  const podsOut: PodPolicyT[] = live.map((p) => ({
    key: p.key, namespace: p.namespace, ip: p.ip, node: p.node,
    ingress: out.filter((x) => x.ingressType && x.selected.includes(p.key)).map((x) => x.key),
    egress: out.filter((x) => x.egressType && x.selected.includes(p.key)).map((x) => x.key),
  }));
  return { policies: out, pods: podsOut, podPorts, namespaces: nsLabels };
}

const cidrCache = new Map<string, ReturnType<typeof mustCidr>>();
function cidrOf(s: string): ReturnType<typeof mustCidr> {
  let c = cidrCache.get(s);
  if (!c) cidrCache.set(s, (c = mustCidr(s)));
  return c;
}

/** Does an address belong to a peer? IPv6 blocks never match (the lab is IPv4). */
export function peerMatchesIp(peer: PeerT, ip: string): boolean {
  if (peer.kind === 'pods') return peer.ips.includes(ip);
  if (peer.family !== 4) return false;
  if (!contains(cidrOf(peer.cidr), ip)) return false;
  return !peer.except.some((e) => contains(cidrOf(e), ip));
}

export type PolicyProtocol = Protocol | 'ICMP';

/** The port ranges a rule's `ports` open on one destination pod (undefined pod: not a pod, so named ports open nothing). */
export function portRangesOn(ports: readonly PortT[], dstPorts: PolicyModel['podPorts'][string] | undefined): { protocol: Protocol; from: number; to: number }[] {
  const out: { protocol: Protocol; from: number; to: number }[] = [];
  for (const p of ports) {
    if (p.name !== undefined) {
      const cp = dstPorts?.find((x) => x.name === p.name && x.protocol === p.protocol);
      if (cp) out.push({ protocol: p.protocol, from: cp.port, to: cp.port });
    } else if (p.port === undefined) out.push({ protocol: p.protocol, from: 1, to: 65535 });
    else out.push({ protocol: p.protocol, from: p.port, to: p.endPort ?? p.port });
  }
  return out;
}

/** Does a rule's port list let (protocol, port) through to this destination? No list: everything, ICMP included. */
export function portsAllow(ports: readonly PortT[] | null, dstPorts: PolicyModel['podPorts'][string] | undefined, protocol: PolicyProtocol, port?: number): boolean {
  if (!ports) return true;
  if (protocol === 'ICMP' || port === undefined) return false;
  return portRangesOn(ports, dstPorts).some((r) => r.protocol === protocol && port >= r.from && port <= r.to);
}

export function policyOf(m: PolicyModel, key: string): PolicyT {
  const p = m.policies.find((x) => x.key === key);
  if (!p) throw new Error(`no NetworkPolicy ${key} in the model`);
  return p;
}

export function podPolicyOf(m: PolicyModel, key: string): PodPolicyT | undefined {
  return m.pods.find((p) => p.key === key);
}

export function podByIp(m: PolicyModel, ip: string): PodPolicyT | undefined {
  return m.pods.find((p) => p.ip === ip);
}
