// `podlab trace FROM TO`: one real probe, explained from the kernel's own evidence — the hops it crossed (captures
// per namespace, the route each one chose), the netfilter rules that matched it (the kernel's trace facility), the
// conntrack entries it made, the addresses both ends saw — and where that disagrees with the expectation model.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { CheckSpec, CheckProtocol } from '../input/types.js';
import { parseFrom, parseTo } from '../input/kinds/check.js';
import { resolveDeclared } from '../expect/generate.js';
import { getMode } from '../modes/registry.js';
import { expectationsWithPolicy } from '../expect/policy-stage.js';
import { attempt } from '../probe/probe.js';
import { readEvidence, routeGet, startTrace, writePcaps, type NsEvidence } from '../kernel/trace.js';
import {
  chainIndex, compareWithExpectation, dnsExchanges, hopOf, nameTarget, parseResolvConf, probeTuples, searchNames, seedTuples,
  type Disagreement, type FlowMatch, type Hop, type HopDraft, type LookupTrace, type ResolvConf, type TraceResult,
} from '../expect/trace.js';
import { expectA } from '../expect/dns.js';
import { resolvConf } from '../model/dns.js';
import { expectText, type Check } from '../expect/types.js';
import type { Topology } from '../model/topology.js';
import { labContext, requireRoot, type LabContext } from './context.js';
import { labState } from './targets.js';
import { planChecks } from './check.js';

export interface TraceOptions {
  readonly from: string;
  readonly to: string;
  readonly protocol?: string;
  readonly port?: number;
  /** Write one pcap per hop and device here. */
  readonly pcap?: string;
}

/** A usage problem: the addresses or options do not name a flow of this lab. */
export class TraceUsageError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'TraceUsageError';
  }
}

/** FROM/TO → the check the probe runs, with the syntax and resolution of declared checks. */
export function traceCheck(t: Topology, o: TraceOptions): Check {
  const protocol = (o.protocol ?? 'tcp').toUpperCase() as CheckProtocol;
  if (!['TCP', 'UDP', 'ICMP'].includes(protocol)) throw new TraceUsageError(`--protocol ${o.protocol}: use tcp, udp or icmp`);
  const from = parseFrom(o.from);
  if (typeof from === 'string') throw new TraceUsageError(`FROM: ${from}`);
  const hasPort = /:[^:/]+$/.test(o.to);
  const toText = o.port !== undefined && !hasPort ? `${o.to}:${o.port}` : o.to;
  const to = parseTo(toText);
  if (typeof to === 'string') throw new TraceUsageError(`TO: ${to}`);
  if (protocol === 'ICMP' && to.port !== undefined) throw new TraceUsageError(`ICMP has no ports: write TO without ":${to.port}"`);
  if (protocol !== 'ICMP' && to.port === undefined) throw new TraceUsageError(`a ${protocol} trace needs a port: ${o.to}:PORT or --port N`);
  const spec: CheckSpec = { name: 'trace', from, to, fromText: o.from, toText, protocol, expect: { outcome: 'ok' }, tries: 1, origin: { file: 'podlab trace', line: 0 } };
  const m = expectationsWithPolicy(t, getMode(t.mode).expectations);
  const c = resolveDeclared(t, m, spec);
  if (typeof c === 'string') throw new TraceUsageError(c);
  return { ...c, id: `trace ${protocol} ${o.from} -> ${toText}`, to: { ...c.to, label: toText }, tries: 1 };
}

/** The addresses and ports the probe is sent to, before and after DNAT (the Service's endpoints). */
export function flowOf(t: Topology, c: Check): FlowMatch {
  const dst = new Set([c.to.ip]);
  const ports = new Set<number>(c.to.port !== undefined ? [c.to.port] : []);
  const nodeIps = new Set(t.nodes.map((n) => n.ip));
  for (const s of t.services) {
    for (const p of s.ports) {
      if (p.protocol !== c.protocol) continue;
      const hit = (s.clusterIP === c.to.ip && p.port === c.to.port) || (p.nodePort !== undefined && p.nodePort === c.to.port && nodeIps.has(c.to.ip))
        || (s.loadBalancer?.ip === c.to.ip && p.port === c.to.port);
      if (!hit) continue;
      for (const e of p.endpoints) {
        dst.add(e.ip);
        ports.add(e.port);
      }
      // An NLB with instance targets sends the flow on to every node's NodePort (its own DNAT, then kube-proxy's).
      if (s.loadBalancer?.ip === c.to.ip && t.loadBalancer?.announce === 'NLB' && s.loadBalancer.targetType !== 'ip' && p.nodePort !== undefined) {
        for (const ip of nodeIps) dst.add(ip);
        ports.add(p.nodePort);
      }
    }
  }
  return { protocol: c.protocol.toLowerCase() as FlowMatch['protocol'], dst: [...dst], ports: c.protocol === 'ICMP' ? [] : [...ports] };
}

/** Every namespace of the lab the probe may cross, with what it is. */
function pathNamespaces(t: Topology, c: Check, f: FlowMatch): Map<string, string> {
  const m = new Map<string, string>();
  m.set(c.from.netns, c.from.label.startsWith('node/') || c.from.label === 'external' ? c.from.label : `pod ${c.from.label}`);
  for (const n of t.nodes) m.set(n.netns, `node ${n.name}`);
  for (const p of t.pods) if (f.dst.includes(p.ip)) m.set(p.netns, `pod ${p.key}`);
  if (f.dst.includes(t.external.ip) || c.from.netns === t.external.netns) m.set(t.external.netns, 'external');
  m.set(t.fabric.netns, t.mode === 'vpc' ? 'vpc fabric' : 'underlay');
  if (t.lbHost) m.set(t.lbHost.netns, `host ${t.lbHost.name}`);
  return m;
}

export async function traceLab(cluster: string, o: TraceOptions, ctxIn: Partial<LabContext> = {}): Promise<TraceResult> {
  const t0 = performance.now();
  const ctx = labContext(ctxIn);
  const spawned0 = ctx.exec.spawned;
  requireRoot(ctx, 'trace');
  const st = await labState(ctx, cluster);
  const t = st.topology;
  const byName = nameTarget(o.to);
  if (!byName) return (await traceCheckRun(ctx, cluster, t, traceCheck(t, o), o, t0, spawned0)).result;
  return traceByName(ctx, cluster, t, byName, o, t0, spawned0);
}

/** A trace by name: the source's own resolver asks its nameserver (traced: the query's path, DNAT to the DNS pod,
 *  the answer), then the connection to the first address it answered (traced). */
async function traceByName(ctx: LabContext, cluster: string, t: Topology, n: { name: string; port?: number }, o: TraceOptions, t0: number, spawned0: number): Promise<TraceResult> {
  const protocol = (o.protocol ?? 'tcp').toLowerCase();
  const port = n.port ?? o.port;
  if (protocol !== 'icmp' && port === undefined) throw new TraceUsageError(`a ${protocol.toUpperCase()} trace needs a port: ${o.to}:PORT or --port N`);
  if (protocol === 'icmp' && n.port !== undefined) throw new TraceUsageError(`ICMP has no ports: write TO without ":${n.port}"`);
  // Where the source is, and the resolv.conf its processes see (`ip netns exec` bind-mounts /etc/netns/NETNS/).
  const probeFrom = traceCheck(t, { from: o.from, to: t.external.ip, protocol: 'icmp' }).from;
  const confText = await ctx.exec.files.read(`/etc/netns/${probeFrom.netns}/resolv.conf`);
  if (confText === undefined) throw new TraceUsageError(`${o.from} has no resolv.conf of the lab (/etc/netns/${probeFrom.netns}/resolv.conf): it cannot look names up`);
  const conf = parseResolvConf(confText);
  const ns = conf.nameservers[0];
  if (!ns) throw new TraceUsageError(`the resolv.conf of ${o.from} names no nameserver`);
  const svc = (t.services ?? []).find((s) => s.clusterIP === ns);
  const what = svc ? `Service ${svc.key} (the cluster DNS)` : ns === t.external.ip ? 'the external host (the node resolver)' : 'not an address of the lab';
  // The model's resolv.conf for the same source: a pod's by its dnsPolicy, a node's.
  const src = parseFrom(o.from);
  const pod = typeof src !== 'string' && src.kind === 'pod' ? t.pods.find((p) => p.namespace === src.namespace && p.name === src.name) : undefined;
  const modelConf = parseResolvConf(pod ? resolvConf(t, pod) : resolvConf(t, 'node'));
  const expected = expectLookup(t, searchNames(n.name, modelConf));

  const lookupCheck: Check = {
    ...traceCheck(t, { from: o.from, to: `${ns}:53`, protocol: 'udp' }),
    id: `trace lookup ${o.from} -> ${n.name}`,
    probe: { kind: 'dns', tool: 'getent-v4', name: n.name, qtype: 'A' },
  };
  const lookupRun = await traceCheckRun(ctx, cluster, t, { ...lookupCheck, expect: { outcome: 'ok', basis: 'lookup' }, to: { ...lookupCheck.to, label: `${n.name} A (resolver ${ns}:53)` } }, { ...o, ...(o.pcap ? { pcap: `${o.pcap}/lookup` } : {}) }, t0, spawned0);
  const answers = [...(lookupRun.answers ?? [])];
  const client = lookupRun.evidence.find((e) => e.netns === probeFrom.netns);
  const exchanges = client ? dnsExchanges(client.packets, ns) : [];
  const lookupDisagree: Disagreement[] = [
    ...lookupRun.result.disagreements,
    ...(sameSet(answers, expected) ? [] : [{ what: `the answer for ${n.name}`, expected: expected.join(', ') || 'no address', seen: answers.join(', ') || 'no address' }]),
    ...(sameConf(conf, modelConf) ? [] : [{ what: `the resolv.conf of ${o.from}`, expected: confLine(modelConf), seen: confLine(conf) }]),
  ];
  const lookup: LookupTrace = {
    name: n.name, resolver: { ip: ns, port: 53, ...(svc ? { service: svc.key } : {}), what }, resolvConf: conf, answers, expected, exchanges,
    trace: {
      ...lookupRun.result, disagreements: lookupDisagree,
      expectation: {
        text: `the answer ${expected.join(', ') || 'no address'}`,
        basis: `the lab's DNS records — the cluster DNS's, derived from the Services and pods, and the external host's zone (src/expect/dns.ts) — asked along the search path: ${searchNames(n.name, modelConf).join(' ')}`,
        check: `lookup ${n.name} A`,
      },
    },
  };
  const toLabel = `${n.name}${port !== undefined && protocol !== 'icmp' ? `:${port}` : ''}`;
  const first = answers[0];
  if (!first) {
    // Nothing to connect to: the result is the lookup's, with no connection.
    const l = lookupRun.result;
    return {
      ...l, to: toLabel, protocol: protocol.toUpperCase(), target: { ip: '', ...(port !== undefined ? { port } : {}) },
      probe: { command: '(not sent: the name did not resolve)', observed: 'error', detail: `${n.name} did not resolve`, ms: 0 },
      hops: [], addresses: {}, disagreements: lookupDisagree.map((d) => ({ ...d, what: `lookup: ${d.what}` })),
      ms: Math.round(performance.now() - t0), commands: ctx.exec.spawned - spawned0, lookup,
    } as TraceResult;
  }
  const c = traceCheck(t, { from: o.from, to: protocol === 'icmp' ? first : `${first}:${port}`, protocol });
  const conn = await traceCheckRun(ctx, cluster, t, { ...c, to: { ...c.to, label: toLabel } }, o, t0, spawned0);
  const r = conn.result;
  return {
    ...r, to: toLabel,
    disagreements: [...lookupDisagree.map((d) => ({ ...d, what: `lookup: ${d.what}` })), ...r.disagreements],
    left: { tables: r.left.tables + lookupRun.result.left.tables, processes: r.left.processes + lookupRun.result.left.processes },
    lookup,
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
const sameConf = (a: ResolvConf, b: ResolvConf) => a.ndots === b.ndots && a.nameservers.join() === b.nameservers.join() && a.search.join() === b.search.join();
const confLine = (c: ResolvConf) => `nameserver ${c.nameservers.join(' ')}${c.search.length ? `, search ${c.search.join(' ')}` : ''}, ndots ${c.ndots}`;

/** The first addresses the cluster DNS answers along the search path, as getaddrinfo stops at the first answer. */
function expectLookup(t: Topology, names: readonly string[]): string[] {
  for (const n of names) {
    const e = expectA(t, n, true);
    const ips = e.answers.filter((a) => !a.startsWith('CNAME '));
    if (e.rcode === 'NOERROR' && ips.length) return ips;
  }
  return [];
}

/** One traced probe of a resolved check: the evidence, the hops, the verdict. */
interface CheckRun {
  readonly result: TraceResult;
  readonly evidence: readonly NsEvidence[];
  /** A DNS probe's answers. */
  readonly answers?: readonly string[];
}

async function traceCheckRun(ctx: LabContext, cluster: string, t: Topology, c: Check, o: TraceOptions, t0: number, spawned0: number): Promise<CheckRun> {
  const flow = flowOf(t, c);
  const exists = new Set(ctx.exec.listNetns());
  const labels = pathNamespaces(t, c, flow);
  const nss = [...labels.keys()].filter((n) => exists.has(n));
  if (!exists.has(c.from.netns)) throw new Error(`namespace ${c.from.netns} of ${c.from.label} does not exist (is the lab up? \`podlab status -c ${cluster}\`)`);

  // The expectation model's verdict for the same flow, when it generates one.
  const planned = planChecks(t, []).checks.find((x) => x.from.netns === c.from.netns && x.to.ip === c.to.ip && x.to.port === c.to.port
    && x.protocol === c.protocol && (x.probe.kind === 'netexec' || x.probe.kind === 'ping') && x.to.host === undefined);

  const id = randomBytes(3).toString('hex');
  const table = `podlab-trace-${id}`;
  // Outside the lab's folder: a reconcile (the daemon's, on the kernel event our table makes) stops processes whose
  // argv names that folder as the lab's own workload (strays.ts).
  const dir = `${tmpdir()}/podlab-trace-${cluster}-${id}`;
  const run = await startTrace(ctx.exec, nss, flow, dir, table, ctx.aborted);
  let probe;
  let left;
  try {
    probe = ctx.aborted?.() ? undefined : await attempt(ctx.exec, c, { waitS: 1 });
    // The last packets (a reply, a retransmission) reach the captures and the monitors.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    left = await run.stop();
  }
  try {
    if (!probe) throw Object.assign(new Error(`interrupted before the probe was sent; the trace's tables and captures are removed (${left.tablesLeft + left.processesLeft} left)`), { name: 'AbortedError' });
    const evidence = await readEvidence(ctx.exec, nss, flow, dir, { links: !!o.pcap });
    const idx = chainIndex(t);
    // Only the probe's own packets (TCP, UDP): the tuples it left with, followed through each namespace's NAT.
    const seeds = flow.protocol === 'icmp' ? [] : seedTuples(evidence.find((e) => e.netns === c.from.netns)?.packets ?? [], flow);
    const tuples = seeds.length ? probeTuples(seeds, evidence.map((e) => e.conntrack)) : undefined;
    const drafts = evidence
      .map((ev) => hopOf(ev, labels.get(ev.netns) ?? ev.netns, flow, idx, table, { source: ev.netns === c.from.netns, target: c.to.ip, ...(tuples ? { tuples } : {}) }))
      .filter((h): h is HopDraft => !!h)
      .sort((a, b) => a.t - b.t);
    const hops: Hop[] = [];
    for (const d of drafts) {
      const route = d.routeQuery ? await routeGet(ctx.exec, d.hop.netns, d.routeQuery.dst, d.routeQuery) : undefined;
      const ev = evidence.find((e) => e.netns === d.hop.netns)!;
      const pcaps = o.pcap ? await writePcaps(ctx.exec, ev, d.devices, dir, o.pcap) : [];
      hops.push({ ...d.hop, ...(route ? { route } : {}), pcaps });
    }
    const p = {
      command: probe.evidence.command, observed: probe.observed, detail: probe.detail, ms: probe.evidence.ms,
      ...(probe.sourceIp ? { sourceIp: probe.sourceIp } : {}), ...(probe.sourcePort !== undefined ? { sourcePort: probe.sourcePort } : {}),
      ...(probe.hostname ? { hostname: probe.hostname } : {}),
    };
    const first = hops.find((h) => h.netns === c.from.netns)?.devices[0]?.packet.split(' → ')[0];
    const expectation = planned ? { text: expectText(planned.expect), basis: planned.expect.basis, check: planned.id } : undefined;
    const result: TraceResult = {
      cluster, mode: t.mode, from: o.from, to: c.to.label, protocol: c.protocol,
      target: { ip: c.to.ip, ...(c.to.port !== undefined ? { port: c.to.port } : {}) },
      ruleEvidence: run.tables.length ? `netfilter trace (nft monitor trace) in ${run.tables.length} namespace(s)` : `none: ${run.ruleProblem ?? 'no trace table could be added'}`,
      probe: p, hops,
      addresses: { ...(first ? { clientUsed: first } : {}), ...(p.sourceIp ? { serverSaw: `${p.sourceIp}${p.sourcePort !== undefined ? `:${p.sourcePort}` : ''}` } : {}), ...(p.hostname ? { answeredBy: p.hostname } : {}) },
      ...(expectation ? { expectation } : {}),
      disagreements: compareWithExpectation(planned?.expect, p, hops),
      ms: Math.round(performance.now() - t0),
      commands: ctx.exec.spawned - spawned0,
      left: { tables: left.tablesLeft, processes: left.processesLeft },
    };
    return { result, evidence, ...(probe.dns ? { answers: probe.dns.answers } : {}) };
  } finally {
    if (!process.env.PODLAB_TRACE_KEEP) await ctx.exec.files.remove(dir);
  }
}
