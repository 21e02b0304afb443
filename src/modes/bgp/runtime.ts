// bgp mode at run time: one BIRD 2 per node namespace (config under the lab's state folder), convergence
// wait, session/route status, and the bgp-down / bgp-up faults. Everything through the host's Executor.
import { join } from 'node:path';
import type { Topology, NodeT } from '../../model/topology.js';
import { birdConfig, bgpPeers, meshProtocolName, routerBirdConfig, lbRoutesOf } from './bird.js';
import { bgpOf } from './ipam.js';
import type { ProcRecord, RuntimeContext } from '../../workload/types.js';
import { inNs, sleep, type Executor } from '../../kernel/exec.js';
import type { ModeRuntime } from '../runtimes.js';

export const BIRD_PREFIX = 'bird/';

export function birdDir(labDir: string): string {
  return join(labDir, 'bird');
}

export function birdFiles(labDir: string, node: string): { cfg: string; sock: string; pid: string; log: string } {
  const d = birdDir(labDir);
  return { cfg: join(d, `${node}.conf`), sock: join(d, `${node}.ctl`), pid: join(d, `${node}.pid`), log: join(d, `${node}.log`) };
}

export function isBirdRecord(r: ProcRecord): boolean {
  return r.pod.startsWith(BIRD_PREFIX);
}

/** Where BIRD runs: every node, and the upstream router of MetalLB's BGP mode when the lab has one. */
interface BirdHost { readonly name: string; readonly netns: string }

function birdHosts(t: Topology): { host: BirdHost; cfg: string }[] {
  const out = t.nodes.map((n) => ({ host: n as BirdHost, cfg: birdConfig(t, n) }));
  if (t.loadBalancer?.announce === 'BGP' && t.lbHost) out.push({ host: t.lbHost, cfg: routerBirdConfig(t) });
  return out;
}

function aliveRecord(exec: Executor, prev: readonly ProcRecord[], n: BirdHost): ProcRecord | undefined {
  const r = prev.find((x) => x.pod === BIRD_PREFIX + n.name);
  return r && exec.alive(r.pid, n.netns) ? r : undefined;
}

/** Start BIRD on one node (it daemonizes; its pid is read from the pid file). */
export async function startBird(ctx: RuntimeContext, n: BirdHost): Promise<ProcRecord> {
  const { exec } = ctx;
  const f = birdFiles(ctx.dir, n.name);
  await exec.files.remove(f.pid);
  const r = await exec.run(['bird', '-c', f.cfg, '-s', f.sock, '-P', f.pid], inNs(n.netns, exec.host), { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`bird did not start on node ${n.name}: ${(r.stderr || r.stdout).trim()} (config ${f.cfg})`);
  // BIRD creates the pid file, then writes it: wait for a number.
  let pid = 0;
  for (let i = 0; i < 200 && !pid; i++) {
    pid = Number(((await exec.files.read(f.pid)) ?? '').trim()) || 0;
    if (!pid) await sleep(10);
  }
  if (!pid) throw new Error(`bird on node ${n.name} wrote no pid to ${f.pid}`);
  return { pod: BIRD_PREFIX + n.name, container: 'bird', pid, netns: n.netns, log: f.log, startedAt: new Date().toISOString() };
}

/** Write every node's bird.cfg; start BIRD where it is not running, reconfigure it where the config changed. */
export async function syncBird(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[]): Promise<{ records: ProcRecord[]; changes: number }> {
  const { exec } = ctx;
  await exec.files.mkdir(birdDir(ctx.dir));
  let changes = 0;
  const records = await Promise.all(birdHosts(t).map(async ({ host: n, cfg }) => {
    const f = birdFiles(ctx.dir, n.name);
    const old = await exec.files.read(f.cfg);
    if (old !== cfg) await exec.files.write(f.cfg, cfg);
    const alive = aliveRecord(exec, prev, n);
    if (alive) {
      if (old !== cfg) {
        const r = await exec.run(['birdc', '-s', f.sock, 'configure'], inNs(n.netns, exec.host), { timeoutMs: 10_000 });
        if (r.code !== 0 || /error/i.test(r.stdout)) throw new Error(`birdc configure on node ${n.name} failed: ${(r.stdout + r.stderr).trim()}`);
        changes++;
      }
      return alive;
    }
    changes++;
    return startBird(ctx, n);
  }));
  // A router no longer wanted (the last LoadBalancer went) stops.
  for (const r of prev) {
    if (!records.some((x) => x.pid === r.pid) && exec.alive(r.pid, r.netns)) {
      exec.signal(r.pid, 'SIGTERM');
      changes++;
    }
  }
  return { records, changes };
}

export interface BgpSession { node: string; peer: string; peerIp: string; protocol: string; state: string }
export interface BgpRoute { node: string; dst: string; via?: string; type: string }

/** Parse `birdc show protocols`: lines "Mesh_10_0_0_12 BGP --- up 12:00:00.123 Established". */
export function parseProtocols(text: string): { name: string; proto: string; state: string; info: string }[] {
  const out: { name: string; proto: string; state: string; info: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(BGP|Static|Kernel|Device|Direct)\s+\S+\s+(\S+)\s+\S+\s*(.*)$/.exec(line.trim());
    if (m) out.push({ name: m[1]!, proto: m[2]!, state: m[3]!, info: m[4]!.trim() });
  }
  return out;
}

async function sessionsOf(ctx: RuntimeContext, t: Topology, n: NodeT): Promise<BgpSession[]> {
  const { exec } = ctx;
  const f = birdFiles(ctx.dir, n.name);
  const peers = bgpPeers(t, n);
  const r = (await exec.files.exists(f.sock)) ? await exec.run(['birdc', '-s', f.sock, 'show', 'protocols'], inNs(n.netns, exec.host), { timeoutMs: 5000 }) : undefined;
  const protos = r && r.code === 0 ? parseProtocols(r.stdout) : [];
  return peers.map((p) => {
    const name = meshProtocolName(p.node.ip);
    const pr = protos.find((x) => x.name === name);
    const state = !r || r.code !== 0 ? 'BIRD not running' : !pr ? 'unknown' : pr.state === 'up' ? 'Established' : (pr.info.split(/\s+/)[0] || pr.state);
    return { node: n.name, peer: p.node.name, peerIp: p.node.ip, protocol: name, state };
  });
}

async function routesOf(exec: Executor, n: BirdHost): Promise<BgpRoute[]> {
  const r = await exec.run(['ip', '-j', 'route', 'show', 'proto', 'bird'], inNs(n.netns, exec.host), { timeoutMs: 5000 });
  if (r.code !== 0) return [];
  // A multipath route (the router's ECMP over nodes) is one route per next hop here.
  return (JSON.parse(r.stdout || '[]') as { dst: string; gateway?: string; type?: string; nexthops?: { gateway?: string }[] }[]).flatMap((x) => (x.nexthops?.length
    ? x.nexthops.map((h) => ({ node: n.name, dst: x.dst, via: h.gateway, type: x.type ?? 'unicast' }))
    : [{ node: n.name, dst: x.dst, via: x.gateway, type: x.type ?? 'unicast' }]));
}

export async function bgpStatus(ctx: RuntimeContext, t: Topology): Promise<{ sessions: BgpSession[]; routes: BgpRoute[] }> {
  const per = await Promise.all(t.nodes.map(async (n) => ({ s: await sessionsOf(ctx, t, n), r: await routesOf(ctx.exec, n) })));
  const router = t.loadBalancer?.announce === 'BGP' && t.lbHost ? await routesOf(ctx.exec, t.lbHost) : [];
  return { sessions: per.flatMap((p) => p.s), routes: [...per.flatMap((p) => p.r), ...router] };
}

/** The routes BIRD must have installed on node n when the nodes in `up` run BIRD. */
export function expectedRoutes(t: Topology, n: NodeT, up: ReadonlySet<string>): BgpRoute[] {
  const out: BgpRoute[] = [];
  if (!up.has(n.name)) return out;
  for (const b of n.blocks ?? []) out.push({ node: n.name, dst: b, type: 'blackhole' });
  for (const o of t.nodes) {
    if (o.name === n.name || !up.has(o.name)) continue;
    // Route reflection: a client learns a peer's blocks only while a reflector is up.
    if (bgpOf(t).topology === 'route-reflector' && !bgpOf(t).routeReflectors.includes(n.name) && !bgpOf(t).routeReflectors.includes(o.name)
      && !bgpOf(t).routeReflectors.some((rr) => up.has(rr))) continue;
    for (const b of o.blocks ?? []) out.push({ node: n.name, dst: b, via: o.ip, type: 'unicast' });
  }
  return out;
}

/** The /32s the upstream router must have learned: each load-balancer IP via every node announcing it whose BIRD runs. */
export function routerRoutes(t: Topology, up: ReadonlySet<string>): BgpRoute[] {
  if (t.loadBalancer?.announce !== 'BGP' || !t.lbHost) return [];
  const out: BgpRoute[] = [];
  for (const n of t.nodes) {
    if (!up.has(n.name)) continue;
    for (const r of lbRoutesOf(t, n)) out.push({ node: t.lbHost.name, dst: r.replace(/\/32$/, ''), via: n.ip, type: 'unicast' });
  }
  return out;
}

/** Wait until every session between running BIRDs is Established and every expected route is installed. */
export async function waitConverged(ctx: RuntimeContext, t: Topology, opts: { timeoutMs?: number; up?: ReadonlySet<string> } = {}): Promise<{ ms: number }> {
  const t0 = Date.now();
  const upSet = opts.up ?? new Set(t.nodes.map((n) => n.name));
  const deadline = t0 + (opts.timeoutMs ?? 15_000);
  let last = '';
  for (;;) {
    const st = await bgpStatus(ctx, t);
    const bad = st.sessions.filter((s) => upSet.has(s.node) && upSet.has(s.peer) && s.state !== 'Established');
    const have = new Set(st.routes.map((r) => `${r.node}|${r.dst}|${r.via ?? ''}|${r.type}`));
    const want = [...t.nodes.flatMap((n) => expectedRoutes(t, n, upSet)), ...routerRoutes(t, upSet)];
    const key = (r: BgpRoute) => `${r.node}|${r.dst}|${r.via ?? ''}|${r.type}`;
    const wantKeys = new Set(want.map(key));
    const missing = want.filter((r) => !have.has(key(r)));
    const extra = st.routes.filter((r) => (upSet.has(r.node) || r.node === t.lbHost?.name) && !wantKeys.has(key(r)));
    if (!bad.length && !missing.length && !extra.length) return { ms: Date.now() - t0 };
    last = [...bad.map((s) => `${s.node}→${s.peer} ${s.state}`), ...extra.map((r) => `${r.node} still has ${r.dst}${r.via ? ` via ${r.via}` : ''}`), ...missing.map((r) => `${r.node} lacks ${r.type === 'blackhole' ? 'blackhole ' : ''}${r.dst}${r.via ? ` via ${r.via}` : ''}`)].slice(0, 6).join('; ');
    if (Date.now() > deadline) throw new Error(`BGP did not converge in ${Math.round((opts.timeoutMs ?? 15_000) / 1000)}s: ${last}`);
    await sleep(100);
  }
}

/** bgp-down: stop BIRD on a node (SIGTERM: it sends a Cease, so peers withdraw its routes at once). */
export async function birdDown(ctx: RuntimeContext, t: Topology, node: string, procs: readonly ProcRecord[]): Promise<ProcRecord[]> {
  const { exec } = ctx;
  const n = t.nodes.find((x) => x.name === node);
  if (!n) throw new Error(`no node "${node}" (nodes: ${t.nodes.map((x) => x.name).join(', ')})`);
  const rec = aliveRecord(exec, procs, n);
  if (rec) {
    exec.signal(rec.pid, 'SIGTERM');
    for (let i = 0; i < 200 && exec.alive(rec.pid); i++) await sleep(10);
    if (exec.alive(rec.pid)) exec.signal(rec.pid, 'SIGKILL');
  }
  return procs.filter((r) => r.pod !== BIRD_PREFIX + node);
}

/** bgp-up: start BIRD again on a node. */
export async function birdUp(ctx: RuntimeContext, t: Topology, node: string, procs: readonly ProcRecord[]): Promise<ProcRecord[]> {
  const n = t.nodes.find((x) => x.name === node);
  if (!n) throw new Error(`no node "${node}" (nodes: ${t.nodes.map((x) => x.name).join(', ')})`);
  if (aliveRecord(ctx.exec, procs, n)) return [...procs];
  const rec = await startBird(ctx, n);
  return [...procs.filter((r) => r.pod !== BIRD_PREFIX + node), rec];
}

/** The bgp runtime as the lab sees it (modes/runtimes.ts). */
export const bgpRuntime: ModeRuntime = {
  mode: 'bgp',
  owns: isBirdRecord,
  async sync(ctx, t, prev, say) {
    say?.('starting BIRD on every node');
    const r = await syncBird(ctx, t, prev);
    say?.('waiting for BGP sessions and routes');
    await waitConverged(ctx, t);
    return r;
  },
  async status(ctx, t) {
    const b = await bgpStatus(ctx, t);
    return { bgp: { sessions: b.sessions.map((x) => ({ node: x.node, peer: x.peer, peerIp: x.peerIp, protocol: x.protocol, state: x.state })), routes: b.routes } };
  },
  faults: {
    'bgp-down': {
      describe: 'stop BIRD on a node: its peers withdraw its blocks, checks to its pods fail',
      async run(ctx, t, node, procs) {
        const out = await birdDown(ctx, t, node, procs);
        await waitConverged(ctx, t, { up: new Set(t.nodes.filter((n) => out.some((r) => r.pod === BIRD_PREFIX + n.name)).map((n) => n.name)) });
        return out;
      },
    },
    'bgp-up': {
      describe: 'start BIRD on a node again and wait for the routes to reconverge',
      async run(ctx, t, node, procs) {
        const out = await birdUp(ctx, t, node, procs);
        await waitConverged(ctx, t, { up: new Set(t.nodes.filter((n) => out.some((r) => r.pod === BIRD_PREFIX + n.name)).map((n) => n.name)) });
        return out;
      },
    },
  },
};
