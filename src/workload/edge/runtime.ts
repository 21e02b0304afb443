// The edge of the cluster at run time: the small daemons that make LoadBalancer Services reachable from outside —
// MetalLB's L2 speaker on every node, kube-proxy's health-check server on every node, the NLB of a vpc lab — each a
// process of agent.py in its namespace, configured by file + SIGHUP like netexec, and waited for until what it
// announces or serves is in place. Also the `speaker-down`/`speaker-up` faults. Everything through the Executor.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology } from '../../model/topology.js';
import { speakerConfigs, healthzConfigs, type SpeakerConfig } from '../../dataplane/edge/loadbalancer.js';
import { nlbConfig } from '../../dataplane/edge/nlb.js';
import { inNs, sleep } from '../../kernel/exec.js';
import { PYTHON } from '../../kernel/python.js';
import type { ProcRecord, RuntimeContext } from '../types.js';
import { ingressSync, ingressStatus, INGRESS_RECORD } from './ingress.js';

export const AGENT_PY = fileURLToPath(new URL('../../../src/workload/edge/agent.py', import.meta.url));
export const EDGE_PREFIX = 'edge/';

/** One agent process the topology wants: its role, where it runs and what it is told. */
interface Agent {
  readonly name: string; // "speaker/node1", "healthz/node1", "nlb"
  readonly role: 'speaker' | 'healthz' | 'nlb';
  readonly netns: string;
  readonly config: unknown;
}

const edgeDir = (ctx: RuntimeContext) => join(ctx.dir, 'edge');
const files = (ctx: RuntimeContext, name: string) => {
  const base = join(edgeDir(ctx), name.replace(/\//g, '_'));
  return { cfg: `${base}.json`, status: `${base}.status.json`, log: `${base}.log` };
};

export function wantedAgents(t: Topology): Agent[] {
  const out: Agent[] = [];
  for (const s of speakerConfigs(t)) out.push({ name: `speaker/${s.node}`, role: 'speaker', netns: s.netns, config: s });
  for (const h of healthzConfigs(t)) out.push({ name: `healthz/${h.node}`, role: 'healthz', netns: h.netns, config: h });
  const nlb = nlbConfig(t);
  if (nlb) out.push({ name: 'nlb', role: 'nlb', netns: nlb.netns, config: nlb });
  return out;
}

async function readJson<T>(ctx: RuntimeContext, path: string): Promise<T | undefined> {
  try {
    const t = await ctx.exec.files.read(path);
    return t ? (JSON.parse(t) as T) : undefined;
  } catch {
    return undefined;
  }
}

interface SpeakerStatus { generation: number; node: string; settled: boolean; announcing: string[]; alive: string[] }
interface NlbStatus { generation: number; rounds: number; error?: string; listeners: { ip: string; port: number; targets: { ip: string; port: number; healthy: boolean; node?: string }[] }[] }

export interface EdgeResult {
  readonly records: ProcRecord[];
  readonly changes: number;
  readonly problems: string[];
}

/** Start, reconfigure or stop the edge agents so that they match the topology, then wait until they are ready.
 * `faults` are the lab's standing faults ("speaker-down node1"): a speaker stopped by one stays stopped. */
export async function edgeSync(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[], say?: (m: string) => void, faults: readonly string[] = []): Promise<EdgeResult> {
  const { exec } = ctx;
  const down = new Set(faults.filter((f) => f.startsWith('speaker-down ')).map((f) => f.slice('speaker-down '.length)));
  const agents = wantedAgents(t).filter((a) => !(a.role === 'speaker' && down.has(a.name.slice('speaker/'.length))));
  const records: ProcRecord[] = [];
  const problems: string[] = [];
  let changes = 0;
  if (agents.length) await exec.files.mkdir(edgeDir(ctx));
  const waits: { agent: Agent; generation: number }[] = [];
  for (const a of agents) {
    const f = files(ctx, a.name);
    const old = prev.find((r) => r.pod === EDGE_PREFIX + a.name);
    const alive = old && exec.alive(old.pid, a.netns) ? old : undefined;
    const body = JSON.stringify(a.config);
    let generation = 1;
    let same = false;
    const prevCfg = await readJson<{ generation: number; body: string }>(ctx, f.cfg);
    if (prevCfg) {
      generation = prevCfg.generation + 1;
      same = prevCfg.body === body;
    }
    if (alive && same) {
      records.push(alive);
      continue;
    }
    if (!same) await exec.files.write(f.cfg, JSON.stringify({ ...(a.config as object), generation, body }));
    else generation = prevCfg!.generation;
    changes++;
    if (alive) {
      exec.signal(alive.pid, 'SIGHUP');
      records.push(alive);
    } else {
      await exec.files.remove(f.status);
      const { pid } = await exec.spawn([PYTHON, AGENT_PY, a.role, f.cfg, f.status], inNs(a.netns, exec.host), { log: f.log });
      records.push({ pod: EDGE_PREFIX + a.name, container: a.role, pid, netns: a.netns, log: f.log, startedAt: new Date().toISOString() });
    }
    waits.push({ agent: a, generation });
  }
  // Agents no longer wanted (the last LoadBalancer went, a node left) are stopped.
  for (const r of prev) {
    if (r.pod === INGRESS_RECORD || records.some((x) => x.pid === r.pid)) continue;
    if (exec.alive(r.pid, r.netns)) {
      exec.signal(r.pid, 'SIGTERM');
      changes++;
    }
  }
  if (waits.length) say?.(`waiting for ${waits.length} edge agent(s)`);
  problems.push(...(await waitReady(ctx, t, waits, records, down)));
  const ing = await ingressSync(ctx, t, prev.filter((r) => r.pod === INGRESS_RECORD), say);
  records.push(...ing.records);
  changes += ing.changes;
  problems.push(...ing.problems);
  return { records, changes, problems };
}

async function waitReady(ctx: RuntimeContext, t: Topology, waits: readonly { agent: Agent; generation: number }[], records: readonly ProcRecord[], down: ReadonlySet<string>, timeoutMs = 8000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Map(waits.map((w) => [w.agent.name, w]));
  let why = '';
  for (;;) {
    for (const [name, w] of pending) {
      const st = await readJson<{ generation: number; errors?: string[]; rounds?: number; error?: string; settled?: boolean }>(ctx, files(ctx, name).status);
      if (!st || st.generation < w.generation) {
        why = `${name} has not read its configuration`;
        continue;
      }
      if (st.errors?.length) return [`${name}: ${st.errors.join('; ')}`];
      if (w.agent.role === 'nlb' && (st.rounds ?? 0) < 3) {
        why = 'the NLB has not health-checked its targets yet';
        continue;
      }
      if (w.agent.role === 'nlb' && st.error) return [`the NLB could not program its table: ${st.error}`];
      if (w.agent.role === 'speaker' && !st.settled) {
        why = `${name} is still learning its peers`;
        continue;
      }
      pending.delete(name);
    }
    if (!pending.size) {
      // Every L2 IP that has candidates is announced by exactly one live speaker.
      const split = await l2Owners(ctx, t);
      const bad = split.filter((o) => o.candidates.some((n) => !down.has(n)) && o.owners.length !== 1);
      if (!bad.length) break;
      if (Date.now() > deadline) return [`L2 announcements did not settle: ${bad.map((o) => `${o.ip} announced by ${o.owners.join(', ') || 'nobody'}`).join('; ')}`];
      await sleep(50);
      continue;
    }
    const dead = [...pending.keys()].filter((n) => {
      const r = records.find((x) => x.pod === EDGE_PREFIX + n);
      return r && !ctx.exec.alive(r.pid);
    });
    if (dead.length) return dead.map((n) => `edge agent ${n} exited; see ${files(ctx, n).log}`);
    if (Date.now() > deadline) return [`edge agents not ready after ${timeoutMs / 1000}s: ${why}`];
    await sleep(50);
  }
  return [];
}

/** Which speakers announce each L2 IP right now (from their status files). */
export async function l2Owners(ctx: RuntimeContext, t: Topology): Promise<{ ip: string; service: string; candidates: readonly string[]; owners: string[] }[]> {
  const cfgs = speakerConfigs(t);
  if (!cfgs.length) return [];
  const sts = await Promise.all(cfgs.map((c) => readJson<SpeakerStatus>(ctx, files(ctx, `speaker/${c.node}`).status)));
  return cfgs[0]!.ips.map((e) => ({ ...e, owners: cfgs.filter((c, i) => sts[i]?.announcing.includes(e.ip)).map((c) => c.node) }));
}

/**
 * Before checks to L2 load-balancer IPs: the external host forgets what it learned by ARP for them, so that a check
 * shows who answers ARP now (a client's cache would keep a dead speaker's node reachable until its entry ages out,
 * 15-45 s; a new owner's gratuitous ARP would update it at once).
 */
export async function forgetL2Neighbours(exec: RuntimeContext['exec'], t: Topology): Promise<void> {
  const ips = speakerConfigs(t)[0]?.ips.map((e) => e.ip) ?? [];
  if (!ips.length) return;
  const r = await exec.run(['ip', '-force', '-batch', '-'], inNs(t.external.netns, exec.host), { input: ips.map((ip) => `neigh flush to ${ip}\n`).join('') });
  if (r.code !== 0) throw new Error(`could not flush the external host's neighbour entries for ${ips.join(', ')}: ${r.stderr.trim()}`);
}

/** Nodes whose speaker process is not running (a `speaker-down` fault), for the checker's L2 election. */
export function speakersDown(exec: RuntimeContext['exec'], t: Topology, records: readonly ProcRecord[]): string[] {
  return speakerConfigs(t).filter((c: SpeakerConfig) => {
    const r = records.find((x) => x.pod === `${EDGE_PREFIX}speaker/${c.node}`);
    return !r || !exec.alive(r.pid, c.netns);
  }).map((c) => c.node);
}

export interface EdgeStatus {
  loadBalancers: { service: string; ip: string; hostname?: string; announce: string; announcedBy: string[]; targets?: { ip: string; port: number; healthy: boolean }[] }[];
  ingress?: Awaited<ReturnType<typeof ingressStatus>>;
}

export async function edgeStatus(ctx: RuntimeContext, t: Topology): Promise<EdgeStatus> {
  const announce = t.loadBalancer?.announce ?? 'L2';
  const l2 = await l2Owners(ctx, t);
  const nlb = announce === 'NLB' ? await readJson<NlbStatus>(ctx, files(ctx, 'nlb').status) : undefined;
  const out: EdgeStatus = {
    loadBalancers: (t.services ?? []).filter((s) => s.loadBalancer).map((s) => {
      const lb = s.loadBalancer!;
      const base = { service: s.key, ip: lb.ip, ...(lb.hostname ? { hostname: lb.hostname } : {}), announce };
      if (announce === 'L2') return { ...base, announcedBy: l2.find((o) => o.ip === lb.ip)?.owners ?? [] };
      if (announce === 'NLB') {
        const ts = (nlb?.listeners ?? []).filter((l) => l.ip === lb.ip).flatMap((l) => l.targets);
        return { ...base, announcedBy: ['nlb'], targets: ts.map((x) => ({ ip: x.ip, port: x.port, healthy: x.healthy })) };
      }
      return { ...base, announcedBy: [] }; // BGP: filled from the router's routes by the bgp runtime
    }),
  };
  const ing = await ingressStatus(ctx, t);
  return ing ? { ...out, ingress: ing } : out;
}

/** speaker-down: stop the L2 speaker of a node; the others stop hearing it and the next in MetalLB's order takes its IPs. */
export async function speakerDown(ctx: RuntimeContext, t: Topology, node: string, procs: readonly ProcRecord[]): Promise<ProcRecord[]> {
  const name = `${EDGE_PREFIX}speaker/${node}`;
  if (!speakerConfigs(t).length) throw new Error('this lab has no L2 speakers (no LoadBalancer Service announced with L2)');
  const r = procs.find((x) => x.pod === name);
  if (r && ctx.exec.alive(r.pid)) {
    ctx.exec.signal(r.pid, 'SIGKILL');
    for (let i = 0; i < 100 && ctx.exec.alive(r.pid); i++) await sleep(10);
  }
  // A killed speaker leaves its last status behind: it announces nothing any more.
  await ctx.exec.files.remove(files(ctx, `speaker/${node}`).status);
  const out = procs.filter((x) => x.pod !== name);
  await waitOwners(ctx, t, out);
  return out;
}

export async function speakerUp(ctx: RuntimeContext, t: Topology, node: string, procs: readonly ProcRecord[]): Promise<ProcRecord[]> {
  const cfg = speakerConfigs(t).find((c) => c.node === node);
  if (!cfg) throw new Error('this lab has no L2 speakers (no LoadBalancer Service announced with L2)');
  const name = `speaker/${node}`;
  const r = procs.find((x) => x.pod === EDGE_PREFIX + name);
  if (r && ctx.exec.alive(r.pid, cfg.netns)) return [...procs];
  const f = files(ctx, name);
  await ctx.exec.files.remove(f.status);
  const { pid } = await ctx.exec.spawn([PYTHON, AGENT_PY, 'speaker', f.cfg, f.status], inNs(cfg.netns, ctx.exec.host), { log: f.log });
  const out = [...procs.filter((x) => x.pod !== EDGE_PREFIX + name), { pod: EDGE_PREFIX + name, container: 'speaker', pid, netns: cfg.netns, log: f.log, startedAt: new Date().toISOString() }];
  await waitOwners(ctx, t, out);
  return out;
}

/** Wait until every L2 IP is announced by the node MetalLB's election picks among the live speakers. */
async function waitOwners(ctx: RuntimeContext, t: Topology, procs: readonly ProcRecord[], timeoutMs = 8000): Promise<void> {
  const { l2Order } = await import('../../model/loadbalancer.js');
  const down = new Set(speakersDown(ctx.exec, t, procs));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owners = await l2Owners(ctx, t);
    const wrong = owners.filter((o) => {
      const want = l2Order(o.candidates, o.ip).find((n) => !down.has(n));
      return want ? !(o.owners.length === 1 && o.owners[0] === want) : o.owners.some((n) => !down.has(n));
    });
    if (!wrong.length) return;
    if (Date.now() > deadline) throw new Error(`L2 announcements did not move in ${timeoutMs / 1000}s: ${wrong.map((o) => `${o.ip} announced by ${o.owners.join(', ') || 'nobody'}`).join('; ')}`);
    await sleep(50);
  }
}

export const EDGE_FAULTS: Readonly<Record<string, { describe: string; run: typeof speakerDown }>> = {
  'speaker-down': { describe: "stop a node's L2 speaker (MetalLB): the next node in MetalLB's order takes its load-balancer IPs", run: speakerDown },
  'speaker-up': { describe: "start a node's L2 speaker again; IPs it wins move back", run: speakerUp },
};

export const isEdgeRecord = (r: ProcRecord): boolean => r.pod.startsWith(EDGE_PREFIX);
