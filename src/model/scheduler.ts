// The scheduler (pure): kube-scheduler's filters and scores for the fields a lab uses, one pod at a time in order.
// Filters, in kube-scheduler's order, each node failing at its first: TaintToleration, NodeAffinity (nodeSelector and
// required node affinity, matchFields on metadata.name), NodePorts (hostPorts, and a hostNetwork pod's ports, free on
// the node), the node's pod capacity (the mode's IPAM), PodTopologySpread
// (DoNotSchedule), InterPodAffinity (required affinity, anti-affinity, and the anti-affinity of pods already there).
// Scores: preferred node affinity, preferred (anti-)affinity, ScheduleAnyway spread, PreferNoSchedule taints, and the
// balance of pods per node (fewest first) — so an unconstrained pod goes where it always went: the node with the
// fewest pods, ties in node order. A pod no node can take stays Pending with kube-scheduler's message
// ("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.").
// Pods already placed (nodeName, or the node a previous run chose) stay where they are, as running pods do in
// Kubernetes (IgnoredDuringExecution), if the node still passes the node-level filters.
import type { LabelSelectorSpec, NodeSelectorRequirement, NodeSelectorTerm, NodeSpec, PodAffinityTerm, PodSpec, Taint, Toleration } from '../input/types.js';
import { labelSelectorMatches, type LabelSelector } from './selectors.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** A node's labels as the scheduler sees them: the well-known ones kubelet sets, then the lab's own. */
export function nodeLabels(n: Pick<NodeSpec, 'name' | 'labels'>): Record<string, string> {
  return { [HOSTNAME_LABEL]: n.name, 'kubernetes.io/os': 'linux', ...n.labels };
}

export interface ScheduleInput {
  readonly pods: readonly PodSpec[];
  readonly nodes: readonly NodeSpec[];
  /** Where each pod was (a previous run's allocations). */
  readonly prev: ReadonlyMap<string, string>;
  /** At most this many pods per node (the IPAM's), with the per-node reason ("Too many pods"). */
  readonly capacity?: { readonly limit: number; readonly reason: string };
  /** Labels of namespaces (for namespaceSelector in affinity terms). */
  readonly namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface ScheduleResult {
  readonly placement: Map<string, string>;
  readonly pending: { key: string; reason: string }[];
}

interface Placed { readonly pod: PodSpec; readonly node: string }

const keyOf = (p: PodSpec) => `${p.namespace}/${p.name}`;

export function schedule(input: ScheduleInput): ScheduleResult {
  const nodes = input.nodes.map((n) => ({ spec: n, name: n.name, labels: nodeLabels(n) }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const placement = new Map<string, string>();
  const placed: Placed[] = [];
  // Placed pods with required anti-affinity: every later pod is checked against their terms (kept apart, so a lab of
  // thousands of pods without any is not quadratic).
  const repelling: Placed[] = [];
  const count = new Map(nodes.map((n) => [n.name, 0]));
  const ports = new Map(nodes.map((n) => [n.name, new Set<string>()]));
  const put = (p: PodSpec, node: string) => {
    placement.set(keyOf(p), node);
    placed.push({ pod: p, node });
    if (p.affinity?.antiRequired?.length) repelling.push({ pod: p, node });
    count.set(node, (count.get(node) ?? 0) + 1);
    for (const hp of hostPortsOf(p)) ports.get(node)!.add(hp);
  };
  const portsFree = (p: PodSpec, node: string) => !hostPortsOf(p).some((hp) => ports.get(node)!.has(hp));
  const pending: { key: string; reason: string }[] = [];
  // Pods bound to a node: nodeName (the scheduler is bypassed: kubelet's admission runs the same NodePorts check and
  // rejects the pod), or the node they ran on.
  const rest: PodSpec[] = [];
  for (const p of input.pods) {
    const prevNode = input.prev.get(keyOf(p));
    if (p.nodeName && byName.has(p.nodeName)) {
      if (portsFree(p, p.nodeName)) put(p, p.nodeName);
      else pending.push({ key: keyOf(p), reason: `Predicate NodePorts failed: ${NODE_PORTS_REASON}` });
    } else if (!p.nodeName && prevNode && byName.has(prevNode) && !nodeLevelReason(p, byName.get(prevNode)!) && portsFree(p, prevNode)) put(p, prevNode);
    else rest.push(p);
  }
  for (const p of rest) {
    const reasons = new Map<string, number>();
    const feasible: typeof nodes = [];
    for (const n of nodes) {
      const r = nodeLevelReason(p, n)
        ?? (portsFree(p, n.name) ? undefined : NODE_PORTS_REASON)
        ?? (input.capacity && count.get(n.name)! >= input.capacity.limit ? input.capacity.reason : undefined)
        ?? spreadReason(p, n, nodes, placed)
        ?? affinityReason(p, n, nodes, placed, repelling, input.namespaceLabels ?? {});
      if (r) reasons.set(r, (reasons.get(r) ?? 0) + 1);
      else feasible.push(n);
    }
    if (!feasible.length) {
      pending.push({ key: keyOf(p), reason: fitError(nodes.length, reasons) });
      continue;
    }
    const scores = score(p, feasible, nodes, placed, count, input.namespaceLabels ?? {});
    let best = 0;
    for (let i = 1; i < feasible.length; i++) if (scores[i]! > scores[best]!) best = i;
    put(p, feasible[best]!.name);
  }
  return { placement, pending };
}

/** kube-scheduler's NodePorts filter (ErrReason). */
export const NODE_PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";

/**
 * The host ports a pod takes on its node, as "TCP/8080": its containers' hostPorts (a hostNetwork pod's ports are all
 * host ports: the API server defaults hostPort to containerPort). hostIP is not modelled, so every one is 0.0.0.0's.
 */
export function hostPortsOf(p: Pick<PodSpec, 'containers' | 'hostNetwork'>): string[] {
  return p.containers.flatMap((c) => c.ports.filter((x) => x.hostPort !== undefined || p.hostNetwork).map((x) => `${x.protocol}/${x.hostPort ?? x.containerPort}`));
}

/** kube-scheduler's FitError text: "0/3 nodes are available: 1 node(s) had …, 2 node(s) didn't …." (reasons sorted). */
export function fitError(total: number, reasons: ReadonlyMap<string, number>): string {
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}

interface SNode { readonly spec: NodeSpec; readonly name: string; readonly labels: Readonly<Record<string, string>> }

/** The node-level filters (taints, node affinity), which also decide whether a placed pod may stay. */
function nodeLevelReason(p: PodSpec, n: SNode): string | undefined {
  const t = untolerated(n.spec.taints, p.tolerations ?? []);
  if (t) return `node(s) had untolerated taint {${t.key}: ${t.value}}`;
  if (!nodeAffinityMatches(p, n)) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key === undefined) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === taint.value;
}

/** The first NoSchedule/NoExecute taint the pod does not tolerate. */
export function untolerated(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  return taints.find((x) => x.effect !== 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, x)));
}

function reqMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  switch (r.operator) {
    case 'In': return has && r.values.includes(value);
    case 'NotIn': return !has || !r.values.includes(value);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': return has && /^-?\d+$/.test(value) && Number(value) > Number(r.values[0]);
    case 'Lt': return has && /^-?\d+$/.test(value) && Number(value) < Number(r.values[0]);
  }
}

export function termMatches(t: NodeSelectorTerm, n: Pick<SNode, 'name' | 'labels'>): boolean {
  if (!t.matchExpressions.length && !t.matchFields.length) return false; // an empty term matches no node
  return t.matchExpressions.every((r) => reqMatches(r, n.labels[r.key])) && t.matchFields.every((r) => r.key === 'metadata.name' && reqMatches(r, n.name));
}

/** nodeSelector AND (any of the required terms). */
export function nodeAffinityMatches(p: Pick<PodSpec, 'nodeSelector' | 'affinity'>, n: Pick<SNode, 'name' | 'labels'>): boolean {
  for (const [k, v] of Object.entries(p.nodeSelector ?? {})) if (n.labels[k] !== v) return false;
  const req = p.affinity?.nodeRequired;
  return !req || req.some((t) => termMatches(t, n));
}

const sel = (s: LabelSelectorSpec | undefined): LabelSelector | undefined => s as LabelSelector | undefined;

/** The namespaces an affinity term looks at: its list, its selector, or the pod's own namespace. */
function termNamespaces(t: PodAffinityTerm, own: string, nsLabels: Readonly<Record<string, Readonly<Record<string, string>>>>): (ns: string) => boolean {
  if (t.namespaceSelector) {
    const s = sel(t.namespaceSelector)!;
    const all = !s.matchLabels && !s.matchExpressions?.length;
    return (ns) => (t.namespaces ?? []).includes(ns) || all || labelSelectorMatches(s, { 'kubernetes.io/metadata.name': ns, ...(nsLabels[ns] ?? {}) });
  }
  const list = t.namespaces ?? [own];
  return (ns) => list.includes(ns);
}

function podsMatching(t: PodAffinityTerm, owner: PodSpec, placed: readonly Placed[], nsLabels: Readonly<Record<string, Readonly<Record<string, string>>>>): Placed[] {
  const inNs = termNamespaces(t, owner.namespace, nsLabels);
  return placed.filter((x) => inNs(x.pod.namespace) && labelSelectorMatches(sel(t.labelSelector), x.pod.labels));
}

function sameDomain(nodes: readonly SNode[], key: string, a: string, b: SNode): boolean {
  const na = nodes.find((n) => n.name === a);
  return na !== undefined && na.labels[key] !== undefined && na.labels[key] === b.labels[key];
}

function affinityReason(p: PodSpec, n: SNode, nodes: readonly SNode[], placed: readonly Placed[], repelling: readonly Placed[], nsLabels: Readonly<Record<string, Readonly<Record<string, string>>>>): string | undefined {
  for (const t of p.affinity?.podRequired ?? []) {
    const m = podsMatching(t, p, placed, nsLabels);
    if (n.labels[t.topologyKey] === undefined) return "node(s) didn't match pod affinity rules";
    // The first pod of a group that selects itself may go anywhere (kube-scheduler's special case).
    if (m.length === 0 && labelSelectorMatches(sel(t.labelSelector), p.labels) && termNamespaces(t, p.namespace, nsLabels)(p.namespace)) continue;
    if (!m.some((x) => sameDomain(nodes, t.topologyKey, x.node, n))) return "node(s) didn't match pod affinity rules";
  }
  for (const t of p.affinity?.antiRequired ?? []) {
    if (podsMatching(t, p, placed, nsLabels).some((x) => sameDomain(nodes, t.topologyKey, x.node, n))) return "node(s) didn't match pod anti-affinity rules";
  }
  // Existing pods' required anti-affinity against this pod.
  for (const x of repelling) {
    for (const t of x.pod.affinity?.antiRequired ?? []) {
      if (!termNamespaces(t, x.pod.namespace, nsLabels)(p.namespace) || !labelSelectorMatches(sel(t.labelSelector), p.labels)) continue;
      if (sameDomain(nodes, t.topologyKey, x.node, n)) return "node(s) didn't satisfy existing pods anti-affinity rules";
    }
  }
  return undefined;
}

/** Pods matching a spread constraint's selector (and matchLabelKeys), per topology value, over eligible nodes. */
function spreadCounts(p: PodSpec, c: NonNullable<PodSpec['topologySpreadConstraints']>[number], nodes: readonly SNode[], placed: readonly Placed[]): Map<string, number> {
  const selector: LabelSelector = {
    ...(c.labelSelector ?? {}),
    matchLabels: { ...(c.labelSelector?.matchLabels ?? {}), ...Object.fromEntries((c.matchLabelKeys ?? []).filter((k) => p.labels[k] !== undefined).map((k) => [k, p.labels[k]!])) },
  } as LabelSelector;
  // nodeAffinityPolicy Honor (the default): only nodes the pod could go to form domains.
  const eligible = nodes.filter((n) => nodeAffinityMatches(p, n) && n.labels[c.topologyKey] !== undefined);
  const counts = new Map<string, number>();
  for (const n of eligible) counts.set(n.labels[c.topologyKey]!, 0);
  for (const x of placed) {
    if (x.pod.namespace !== p.namespace || !labelSelectorMatches(selector, x.pod.labels)) continue;
    const v = nodes.find((n) => n.name === x.node)?.labels[c.topologyKey];
    if (v !== undefined && counts.has(v)) counts.set(v, counts.get(v)! + 1);
  }
  return counts;
}

function spreadReason(p: PodSpec, n: SNode, nodes: readonly SNode[], placed: readonly Placed[]): string | undefined {
  for (const c of p.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== 'DoNotSchedule') continue;
    const v = n.labels[c.topologyKey];
    if (v === undefined) return "node(s) didn't match pod topology spread constraints (missing required label)";
    const counts = spreadCounts(p, c, nodes, placed);
    let min = Math.min(...counts.values());
    if (c.minDomains !== undefined && counts.size < c.minDomains) min = 0;
    const self = labelSelectorMatches(c.labelSelector as LabelSelector | undefined, p.labels) ? 1 : 0;
    if ((counts.get(v) ?? 0) + self - min > c.maxSkew) return "node(s) didn't match pod topology spread constraints";
  }
  return undefined;
}

/** kube-scheduler's scores for the feasible nodes: each plugin normalized to 0-100, then weighted and summed. */
function score(p: PodSpec, feasible: readonly SNode[], nodes: readonly SNode[], placed: readonly Placed[], count: ReadonlyMap<string, number>, nsLabels: Readonly<Record<string, Readonly<Record<string, string>>>>): number[] {
  const norm = (raw: number[], reverse = false): number[] => {
    const max = Math.max(...raw.map(Math.abs), 0);
    return raw.map((r) => (max === 0 ? (reverse ? 100 : 0) : reverse ? 100 - (r * 100) / max : (r * 100) / max));
  };
  // NodeAffinity (weight 2): the sum of the weights of the preferred terms the node matches.
  const na = norm(feasible.map((n) => (p.affinity?.nodePreferred ?? []).reduce((s, t) => s + (termMatches(t.preference, n) ? t.weight : 0), 0)));
  // InterPodAffinity (weight 2): preferred affinity adds, preferred anti-affinity subtracts, per matching pod.
  const ipaRaw = feasible.map((n) => {
    let s = 0;
    for (const t of p.affinity?.podPreferred ?? []) s += t.weight * podsMatching(t.term, p, placed, nsLabels).filter((x) => sameDomain(nodes, t.term.topologyKey, x.node, n)).length;
    for (const t of p.affinity?.antiPreferred ?? []) s -= t.weight * podsMatching(t.term, p, placed, nsLabels).filter((x) => sameDomain(nodes, t.term.topologyKey, x.node, n)).length;
    return s;
  });
  const ipaMin = Math.min(...ipaRaw);
  const ipa = norm(ipaRaw.map((s) => s - ipaMin));
  // PodTopologySpread (weight 2), ScheduleAnyway constraints: fewer matching pods in the node's domain is better.
  const spreadRaw = feasible.map((n) => (p.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway')
    .reduce((s, c) => s + (spreadCounts(p, c, nodes, placed).get(n.labels[c.topologyKey] ?? '') ?? 0), 0));
  const spread = norm(spreadRaw, true);
  // TaintToleration (weight 3): fewer untolerated PreferNoSchedule taints is better.
  const taints = norm(feasible.map((n) => n.spec.taints.filter((x) => x.effect === 'PreferNoSchedule' && !(p.tolerations ?? []).some((t) => tolerates(t, x))).length), true);
  // Balance (weight 1): fewer pods is better — today's default, ties in node order.
  const balance = norm(feasible.map((n) => count.get(n.name) ?? 0), true);
  return feasible.map((_, i) => 2 * na[i]! + 2 * ipa[i]! + 2 * spread[i]! + 3 * taints[i]! + balance[i]!);
}
