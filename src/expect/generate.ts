// Generated and declared checks (pure): from a Topology and the mode's expectation model, the list of checks
// to run and the list of checks that cannot be run (with why). Probes only talk to podlab's netexec server.
import type { Topology, PodT, NodeT, ServiceT, ServicePortT } from '../model/topology.js';
import type { CheckSpec } from '../input/types.js';
import type { Check, Expectation, Proto, Skip, SourceExpect } from './types.js';
import { extSource, nodeOf, nodeSource, podSource, type ModeExpectations } from './model.js';
import type { LiveFacts } from './edge.js';
import { loadBalancers, podToNodePorts, ingresses } from './generate-edge.js';
import { dnsChecks } from './dns.js';
import { hostPorts, hostNetwork } from './generate-host.js';
import { MAX_PAIRS, pickPairs, podNode, sampledSkip } from './sample.js';

export const DEFAULT_TRIES_OK = 3;
export const DEFAULT_TRIES_NEGATIVE = 2;

export interface GenContext {
  /** The user's lab: the topology without its system pods and Services (those are not the user's to check). */
  readonly t: Topology;
  /** The whole topology, system objects included (DNS checks ask the DNS Service). */
  readonly full: Topology;
  readonly m: ModeExpectations;
  readonly checks: Check[];
  readonly skipped: Skip[];
  /** What the running lab says (speakers stopped by a fault), for expectations that depend on it. */
  readonly live?: LiveFacts;
  /** Pairs per family checked before a large lab is sampled (sample.ts). */
  readonly maxPairs?: number;
}

/** The pairs of a family to check: all of them, or a large lab's sample (and a skip entry that says so). */
function pairsOf<A, B>(g: GenContext, category: string, what: string, as: readonly A[], bs: readonly B[], nodeOfA: (a: A) => string, nodeOfB: (b: B) => string, distinct = false): [A, B][] {
  const budget = g.maxPairs ?? MAX_PAIRS;
  const p = pickPairs(as, bs, nodeOfA, nodeOfB, budget, distinct);
  const skip = sampledSkip(category, what, p, budget);
  if (skip) g.skipped.push(skip);
  return p.pairs;
}
const nodeName = (n: NodeT) => n.name;
const anywhere = () => '';

/** One family of generated checks (pods, MTU, Services, …), listed in GENERATORS. */
export type Generator = (g: GenContext) => void;

interface NetexecPorts {
  readonly TCP?: number;
  readonly UDP?: number;
  readonly all: readonly { port: number; protocol: 'TCP' | 'UDP'; container: string }[];
  /** Ports of containers that run their own command: podlab does not know what they speak. */
  readonly foreign: readonly { port: number; protocol: string; container: string }[];
}

export function netexecPorts(p: PodT): NetexecPorts {
  const all: { port: number; protocol: 'TCP' | 'UDP'; container: string }[] = [];
  const foreign: { port: number; protocol: string; container: string }[] = [];
  for (const c of p.containers) {
    for (const port of c.ports) {
      if (c.command || c.builtin) foreign.push({ port: port.containerPort, protocol: port.protocol, container: c.name });
      else if (port.protocol === 'TCP' || port.protocol === 'UDP') all.push({ port: port.containerPort, protocol: port.protocol, container: c.name });
      else foreign.push({ port: port.containerPort, protocol: port.protocol, container: c.name });
    }
  }
  return { TCP: all.find((x) => x.protocol === 'TCP')?.port, UDP: all.find((x) => x.protocol === 'UDP')?.port, all, foreign };
}

const podEp = (p: PodT) => ({ label: p.key, netns: p.netns });
const nodeEp = (n: NodeT) => ({ label: `node/${n.name}`, netns: n.netns });
const podTarget = (p: PodT, port?: number) => ({ label: port ? `${p.key}:${port}` : p.key, ip: p.ip, port });

export function add(g: GenContext, category: string, from: { label: string; netns: string }, to: { label: string; ip: string; port?: number }, protocol: Proto, expect: Expectation, extra: Partial<Check> = {}): void {
  const tries = extra.tries ?? (expect.outcome === 'ok' ? DEFAULT_TRIES_OK : DEFAULT_TRIES_NEGATIVE);
  const probe = extra.probe ?? (protocol === 'ICMP' ? { kind: 'ping' as const } : { kind: 'netexec' as const });
  const id = extra.id ?? `${category} ${protocol} ${from.label} -> ${to.label}`;
  // ICMP observes reachability only: the server-side source address is seen over TCP/UDP.
  const e: Expectation = protocol === 'ICMP' ? { outcome: expect.outcome, basis: expect.basis } : expect;
  g.checks.push({ id, category, from, to, protocol, probe, expect: e, tries, ...(extra.declared ? { declared: extra.declared } : {}) });
}

/** Say once per pod and protocol why a class of checks could not be generated for it. */
function skipNoPort(g: GenContext, p: PodT, proto: 'TCP' | 'UDP', category: string): void {
  const ports = netexecPorts(p);
  const foreign = ports.foreign.filter((f) => f.protocol === proto);
  const why = foreign.length
    ? `no netexec ${proto} port; ${foreign.map((f) => `${f.port}/${f.protocol} belongs to container ${f.container}, which runs its own command`).join('; ')} (podlab only probes its netexec server)`
    : `no netexec ${proto} port`;
  const what = `${proto} to ${p.key}`;
  if (!g.skipped.some((s) => s.category === category && s.what === what)) g.skipped.push({ category, what, reason: why });
}

export const podToPod: Generator = (g) => {
  const { t, m } = g;
  for (const [a, b] of pairsOf(g, 'pod-to-pod', 'ordered pod pairs', t.pods, t.pods, podNode, podNode, true)) {
    {
      const cat = a.node === b.node ? 'pod-to-pod/same-node' : 'pod-to-pod/cross-node';
      // The flow (port, protocol) lets the model's NetworkPolicy stage judge each check on its own.
      const ports = netexecPorts(b);
      for (const proto of ['TCP', 'UDP'] as const) {
        const port = ports[proto];
        if (port) add(g, cat, podEp(a), podTarget(b, port), proto, m.podToPod(t, a, b, { port, protocol: proto }));
        else skipNoPort(g, b, proto, cat);
      }
      add(g, cat, podEp(a), podTarget(b), 'ICMP', m.podToPod(t, a, b, { protocol: 'ICMP' }));
    }
  }
};

export const localhost: Generator = (g) => {
  for (const [, p] of pairsOf(g, 'localhost', 'pods', [0], g.t.pods, anywhere, podNode)) {
    const ports = netexecPorts(p);
    for (const x of ports.all) {
      const src: SourceExpect = { class: 'LOCAL', allowed: ['127.0.0.1'], preferred: '127.0.0.1', describe: '127.0.0.1 (containers of a pod share its network namespace)' };
      add(g, 'localhost', podEp(p), { label: `127.0.0.1:${x.port} (${p.key} ${x.container})`, ip: '127.0.0.1', port: x.port }, x.protocol,
        { outcome: 'ok', source: src, basis: 'containers of a pod share one network namespace: localhost reaches every container' },
        { id: `localhost ${x.protocol} ${p.key} -> 127.0.0.1:${x.port} (${x.container})` });
    }
    for (const f of ports.foreign) {
      g.skipped.push({ category: 'localhost', what: `${f.protocol} ${p.key} -> 127.0.0.1:${f.port}`, reason: `container ${f.container} runs its own command (podlab only probes its netexec server)` });
    }
  }
};

export const nodeToPod: Generator = (g) => {
  const { t, m } = g;
  for (const [n, p] of pairsOf(g, 'node-to-pod', 'node-pod pairs', t.nodes, t.pods, nodeName, podNode)) {
    {
      const cat = p.node === n.name ? 'node-to-pod/local' : 'node-to-pod/remote';
      const port = netexecPorts(p).TCP;
      if (port) add(g, cat, nodeEp(n), podTarget(p, port), 'TCP', m.nodeToPod(t, n, p, { port, protocol: 'TCP' }));
      else {
        skipNoPort(g, p, 'TCP', cat);
        add(g, cat, nodeEp(n), podTarget(p), 'ICMP', m.nodeToPod(t, n, p, { protocol: 'ICMP' }));
      }
    }
  }
};

export const podToNode: Generator = (g) => {
  const { t, m } = g;
  for (const [p, n] of pairsOf(g, 'pod-to-node', 'pod-node pairs', t.pods, t.nodes, podNode, nodeName)) {
    {
      const cat = p.node === n.name ? 'pod-to-node/own' : 'pod-to-node/other';
      add(g, cat, podEp(p), { label: `node/${n.name} ${n.ip}`, ip: n.ip }, 'ICMP', m.podToNode(t, p, n));
    }
  }
  if (t.pods.length) g.skipped.push({ category: 'pod-to-node', what: 'TCP/UDP to nodes', reason: 'nodes run no netexec server: pod→node is checked with ICMP only' });
};

export const podToExternal: Generator = (g) => {
  const { t, m } = g;
  const port = t.external.ports[0];
  for (const [, p] of pairsOf(g, 'pod-to-external', 'pods', [0], t.pods, anywhere, podNode)) {
    const e = m.podToExternal(t, p);
    if (!port) {
      add(g, 'pod-to-external', podEp(p), { label: `external ${t.external.ip}`, ip: t.external.ip }, 'ICMP', e);
      continue;
    }
    for (const proto of ['TCP', 'UDP'] as const) add(g, 'pod-to-external', podEp(p), { label: `external:${port}`, ip: t.external.ip, port }, proto, e);
  }
  if (!port && t.pods.length) g.skipped.push({ category: 'pod-to-external', what: 'TCP/UDP to the external host', reason: 'spec.external.ports is empty: no server to report the source address' });
};

export const externalToPod: Generator = (g) => {
  const { t, m } = g;
  const ext = { label: 'external', netns: t.external.netns };
  for (const [, p] of pairsOf(g, 'external-to-pod', 'pods', [0], t.pods, anywhere, podNode)) {
    const e = m.externalToPod(t, p);
    const port = netexecPorts(p).TCP;
    if (port) add(g, 'external-to-pod', ext, podTarget(p, port), 'TCP', e);
    add(g, 'external-to-pod', ext, podTarget(p), 'ICMP', e);
  }
};

/** Plain hosts of the pod network (vpc: VPC hosts) reach pods directly, with their own source address (no other mode routes pod IPs outside the cluster). */
export const hostToPod: Generator = (g) => {
  const { t, m } = g;
  if (!m.hostToPod) return;
  for (const [h, p] of pairsOf(g, 'vpc-host-to-pod', 'host-pod pairs', t.hosts, t.pods, anywhere, podNode)) {
    const from = { label: `host/${h.name}`, netns: h.netns };
    {
      const port = netexecPorts(p).TCP;
      if (port) add(g, 'vpc-host-to-pod', from, podTarget(p, port), 'TCP', m.hostToPod(t, h, p, { port, protocol: 'TCP' }));
      add(g, 'vpc-host-to-pod', from, podTarget(p), 'ICMP', m.hostToPod(t, h, p, { protocol: 'ICMP' }));
    }
  }
};

/** DF pings at the pod MTU boundary, one per ordered pair of nodes (first pod on each). */
export const mtu: Generator = (g) => {
  const { t, m } = g;
  const mtu = m.podMtu(t);
  const fits = mtu - 28; // IPv4 header 20 + ICMP header 8
  for (const a of t.nodes) {
    for (const b of t.nodes) {
      if (a === b) continue;
      const pa = t.pods.find((p) => p.node === a.name);
      const pb = t.pods.find((p) => p.node === b.name);
      if (!pa || !pb) continue;
      add(g, 'mtu', podEp(pa), podTarget(pb), 'ICMP', { outcome: 'ok', basis: `pod MTU ${mtu}: a ${fits}-byte DF ping payload (${mtu}-byte packet) crosses the pod network unfragmented` },
        { id: `mtu ICMP ${pa.key} -> ${pb.key} DF ${fits}B fits`, probe: { kind: 'ping-df', size: fits }, tries: DEFAULT_TRIES_OK });
      add(g, 'mtu', podEp(pa), podTarget(pb), 'ICMP', { outcome: 'blocked', basis: `pod MTU ${mtu}: a ${fits + 1}-byte DF ping payload (${mtu + 1}-byte packet) must not pass` },
        { id: `mtu ICMP ${pa.key} -> ${pb.key} DF ${fits + 1}B too big`, probe: { kind: 'ping-df', size: fits + 1 }, tries: 1 });
    }
  }
};

/** Tries for a random choice over n endpoints until each answered once (a cap: the check stops when all were seen). */
export const triesUntilAll = (n: number): number => Math.min(30, Math.max(DEFAULT_TRIES_OK, 10 * n));
/** Tries for ClientIP affinity: enough that random balancing over n > 1 endpoints would show a second one. */
export const triesAffinity = (n: number): number => Math.min(8, Math.max(4, 3 * n));

const svcTarget = (svc: ServiceT, p: ServicePortT) => ({ label: `svc/${svc.key}:${p.name || p.port}`, ip: svc.clusterIP, port: p.port });

/** Service checks (matrix E rows 7–14, 18, 19): pod → ClusterIP from one pod per node, node → ClusterIP, hairpin,
 *  ClientIP affinity, no-endpoint REJECT, external → every NodePort via every node. Probes stay bounded:
 *  one client per node and port, tries capped and stopping as soon as every endpoint has answered. */
export const services: Generator = (g) => {
  const { t, m } = g;
  // One client per node, preferring a pod that is not an endpoint of the port (hairpin has its own check).
  const clientsFor = (p: ServicePortT): PodT[] => t.nodes.map((n) => {
    const on = t.pods.filter((x) => x.node === n.name);
    return on.find((x) => !p.endpoints.some((e) => e.pod === x.key)) ?? on[0];
  }).filter((x): x is PodT => !!x);
  const ext = { label: 'external', netns: t.external.netns };
  for (const svc of t.services ?? []) {
    if (svc.type === 'ExternalName') {
      g.skipped.push({ category: 'service', what: svc.key, reason: `ExternalName Service: kube-proxy writes no rules for it, it is a DNS alias for ${svc.externalName} (checked by the dns checks)` });
      continue;
    }
    if (svc.clusterIP === 'None') {
      g.skipped.push({ category: 'service', what: svc.key, reason: 'headless Service (clusterIP: None): kube-proxy writes no rules for it, clients reach the pods directly' });
      continue;
    }
    for (const p of svc.ports) {
      const proto = p.protocol;
      if (proto !== 'TCP' && proto !== 'UDP') {
        g.skipped.push({ category: 'service', what: `${svc.key}:${p.name || p.port}/${proto}`, reason: `${proto} is not probed (TCP and UDP only)` });
        continue;
      }
      const to = svcTarget(svc, p);
      if (!p.endpoints.length) {
        const from = clientsFor(p)[0];
        if (from) add(g, 'service/no-endpoints', podEp(from), to, proto, m.noEndpoints(t, svc, p), { tries: 1 });
        for (const n of t.nodes) {
          if (p.nodePort === undefined) continue;
          add(g, 'service/no-endpoints', ext, { label: `nodeport/${n.name}/${svc.key}:${p.name || p.port} ${n.ip}:${p.nodePort}`, ip: n.ip, port: p.nodePort }, proto, m.noEndpoints(t, svc, p), { tries: 1 });
          break; // one node is enough: the same REJECT rule is in every node
        }
        continue;
      }
      const foreign = p.endpoints.filter((e) => {
        const pod = g.full.pods.find((x) => x.key === e.pod);
        return !pod || !netexecPorts(pod).all.some((x) => x.port === e.port && x.protocol === proto);
      });
      if (foreign.length) {
        g.skipped.push({ category: 'service', what: `${proto} ${svc.key}:${p.name || p.port}`, reason: `endpoint(s) ${foreign.map((e) => `${e.pod}:${e.port}`).join(', ')} are not a netexec ${proto} port (podlab only probes its netexec server)` });
        continue;
      }
      const n = p.endpoints.length;
      for (const c of clientsFor(p)) {
        if (svc.sessionAffinity === 'ClientIP') add(g, 'service/affinity', podEp(c), to, proto, m.affinity(t, c, svc, p), { tries: triesAffinity(n) });
        else add(g, 'service/cluster-ip', podEp(c), to, proto, m.podToClusterIP(t, c, svc, p), { tries: triesUntilAll(n) });
      }
      // Hairpin: the first endpoint pod calls its own Service until it is answered by itself.
      // (A hostNetwork endpoint is not a pod of the pod network: the first one that is.)
      const hp = p.endpoints.map((e) => t.pods.find((x) => x.key === e.pod)).find((x): x is PodT => !!x);
      if (hp && svc.sessionAffinity !== 'ClientIP') add(g, 'service/hairpin', podEp(hp), to, proto, m.hairpin(t, hp, svc, p), { tries: triesUntilAll(n) });
      for (const node of t.nodes) add(g, 'service/node-to-clusterip', nodeEp(node), to, proto, m.nodeToClusterIP(t, node, svc, p));
      if (p.nodePort !== undefined) {
        for (const node of t.nodes) {
          const e = m.externalToNodePort(t, node, svc, p);
          const local = p.endpoints.filter((x) => x.node === node.name).length;
          add(g, 'service/nodeport', ext, { label: `nodeport/${node.name}/${svc.key}:${p.name || p.port} ${node.ip}:${p.nodePort}`, ip: node.ip, port: p.nodePort }, proto, e,
            { tries: e.outcome === 'ok' ? (e.untilAll && e.backends?.length ? triesUntilAll(local) : DEFAULT_TRIES_OK) : 1 });
        }
      }
    }
  }
};

/** The generated suite, in report order. */
export const GENERATORS: readonly [string, Generator][] = [
  ['pod-to-pod', podToPod],
  ['localhost', localhost],
  ['node-to-pod', nodeToPod],
  ['pod-to-node', podToNode],
  ['pod-to-external', podToExternal],
  ['external-to-pod', externalToPod],
  ['vpc-host-to-pod', hostToPod],
  ['mtu', mtu],
  ['services', services],
  ['pod-to-nodeport', podToNodePorts],
  ['hostport', hostPorts],
  ['host-network', hostNetwork],
  ['loadbalancers', loadBalancers],
  ['ingress', ingresses],
  ['dns', dnsChecks],
];

/** The user's part of a topology: no system pods or Services. hostNetwork pods are the node's own processes, not
 *  pods of the pod network: the pod checks leave them out and generate-host.ts has theirs (they stay in `full`). */
export function userView(t: Topology): Topology {
  return { ...t, pods: t.pods.filter((p) => !p.system && !p.hostNetwork), services: (t.services ?? []).filter((s) => !s.system) };
}

export function generateChecks(t: Topology, m: ModeExpectations, live?: LiveFacts, maxPairs?: number): { checks: Check[]; skipped: Skip[] } {
  const g: GenContext = { t: userView(t), full: t, m, checks: [], skipped: [], ...(live ? { live } : {}), ...(maxPairs !== undefined ? { maxPairs } : {}) };
  for (const [, gen] of GENERATORS) gen(g);
  return { checks: g.checks, skipped: g.skipped };
}

/** Turn declared Check documents into checks against this topology. Unresolvable ones become skips with the reason. */
export function declaredChecks(t: Topology, specs: readonly CheckSpec[], m: ModeExpectations): { checks: Check[]; skipped: Skip[] } {
  const g: GenContext = { t, full: t, m, checks: [], skipped: [] };
  for (const s of specs) {
    const r = resolveDeclared(t, m, s);
    if (typeof r === 'string') g.skipped.push({ category: 'declared', what: s.name, reason: r });
    else g.checks.push(r);
  }
  return { checks: g.checks, skipped: g.skipped };
}

export function resolveDeclared(t: Topology, m: ModeExpectations, s: CheckSpec): Check | string {
  const pod = (ns: string, name: string) => t.pods.find((p) => p.namespace === ns && p.name === name);
  let from: { label: string; netns: string };
  let fromNode: NodeT | undefined;
  let fromPod: PodT | undefined;
  if (s.from.kind === 'pod') {
    fromPod = pod(s.from.namespace, s.from.name);
    if (!fromPod) return `the lab has no pod ${s.from.namespace}/${s.from.name} (was the file changed after \`up\`?)`;
    from = podEp(fromPod);
    fromNode = nodeOf(t, fromPod.node);
  } else if (s.from.kind === 'node') {
    const name = s.from.name;
    fromNode = t.nodes.find((n) => n.name === name);
    if (!fromNode) return `the lab has no node ${name}`;
    from = nodeEp(fromNode);
  } else from = { label: 'external', netns: t.external.netns };

  let to: { label: string; ip: string; port?: number };
  switch (s.to.kind) {
    case 'pod': {
      const p = pod(s.to.namespace, s.to.name);
      if (!p) return `the lab has no pod ${s.to.namespace}/${s.to.name}`;
      to = podTarget(p, s.to.port);
      break;
    }
    case 'external':
      to = { label: s.toText, ip: t.external.ip, port: s.to.port };
      break;
    case 'ip':
      to = { label: s.toText, ip: s.to.ip, port: s.to.port };
      break;
    case 'service':
    case 'nodeport': {
      const st = s.to;
      const svc = (t.services ?? []).find((x) => x.namespace === st.namespace && x.name === st.name);
      if (!svc) return `the lab has no Service ${st.namespace}/${st.name} (was the file changed after \`up\`?)`;
      const port = findServicePort(svc, st.port, s.protocol, st.kind === 'nodeport');
      if (typeof port === 'string') return port;
      if (st.kind === 'service') {
        if (svc.clusterIP === 'None') return `Service ${svc.key} is headless (clusterIP: None): it has no ClusterIP to reach`;
        to = { label: s.toText, ip: svc.clusterIP, port: port.port };
      } else {
        const nodeName = st.node;
        const n = t.nodes.find((x) => x.name === nodeName);
        if (!n) return `the lab has no node ${nodeName}`;
        if (port.nodePort === undefined) return `Service ${svc.key} port ${port.name || port.port} has no nodePort (type ${svc.type})`;
        to = { label: s.toText, ip: n.ip, port: port.nodePort };
      }
      break;
    }
  }

  let source: SourceExpect | undefined;
  const src = s.expect.source;
  if (src?.kind === 'pod') {
    if (!fromPod) return `expect.source "pod" needs traffic from a pod (from is ${s.fromText})`;
    source = podSource(fromPod);
  } else if (src?.kind === 'node') {
    if (fromNode) source = nodeSource(m, t, fromNode);
    else {
      const allowed = t.nodes.flatMap((n) => m.nodeAddresses(t, n).map((a) => a.ip));
      source = { class: 'NODE', allowed, describe: 'an address of any node' };
    }
  } else if (src?.kind === 'external') source = extSource(t);
  else if (src?.kind === 'ip') source = { class: 'IP', allowed: [src.ip], preferred: src.ip, describe: `exactly ${src.ip}` };

  const backends = s.expect.backends?.map((b) => b.split('/')[1]!);
  const expect: Expectation = { outcome: s.expect.outcome, source, backends, basis: `declared in ${s.origin.file}:${s.origin.line}` };
  const tries = s.tries ?? (backends ? 10 : s.expect.outcome === 'ok' ? DEFAULT_TRIES_OK : DEFAULT_TRIES_NEGATIVE);
  return {
    id: `declared ${s.name}`, category: 'declared', from, to, protocol: s.protocol,
    probe: s.protocol === 'ICMP' ? { kind: 'ping' } : { kind: 'netexec' }, expect, tries,
    declared: { name: s.name, file: s.origin.file, line: s.origin.line },
  };
}

/** A Service port by number (the Service port; for NodePort targets also the nodePort) or name; without one, the
 *  only port of that protocol. Returns why not, as text. Also used to validate Check documents. */
export function findServicePort(svc: { key: string; ports: readonly { name: string; protocol: string; port: number; nodePort?: number }[] },
  want: number | string | undefined, protocol: string, nodePort: boolean): ServicePortT | string {
  const ports = svc.ports as readonly ServicePortT[];
  const list = ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}${p.nodePort !== undefined ? ` (nodePort ${p.nodePort})` : ''}`).join(', ');
  const ofProto = ports.filter((p) => protocol === 'ICMP' || p.protocol === protocol);
  let found: ServicePortT[];
  if (want === undefined) {
    if (ofProto.length !== 1) return `Service ${svc.key} has ${ofProto.length || 'no'} ${protocol} port${ofProto.length === 1 ? '' : 's'}: name one (ports: ${list})`;
    found = ofProto;
  } else if (typeof want === 'number') found = ofProto.filter((p) => p.port === want || (nodePort && p.nodePort === want));
  else found = ofProto.filter((p) => p.name === want);
  if (!found.length) return `Service ${svc.key} has no ${protocol} port ${JSON.stringify(want)} (ports: ${list || 'none'})`;
  return found[0]!;
}

/** `--filter` globs: `*` any run, `?` one character, matched against the check id (or a declared check's name). */
export function globMatch(glob: string, s: string): boolean {
  const re = new RegExp('^' + glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('') + '$');
  return re.test(s);
}

const widen = (glob: string) => (glob.includes('*') || glob.includes('?') ? glob : `*${glob}*`);

/** `--filter A,B`: any of the comma-separated globs. */
const globs = (glob: string) => glob.split(',').map((x) => x.trim()).filter(Boolean).map(widen);

export function filterChecks(checks: readonly Check[], glob?: string): Check[] {
  if (!glob) return [...checks];
  const gs = globs(glob);
  return checks.filter((c) => gs.some((g) => globMatch(g, c.id) || (c.declared && globMatch(g, c.declared.name))));
}

/** Skips matching the same filter, by "<category> <what>" (so `--filter 'mtu*'` reports no UDP skips). */
export function filterSkips(skips: readonly Skip[], glob?: string): Skip[] {
  if (!glob) return [...skips];
  const gs = globs(glob);
  return skips.filter((s) => gs.some((g) => globMatch(g, `${s.category} ${s.what}`)));
}
