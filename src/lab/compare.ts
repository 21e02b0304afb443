// `podlab compare`: the same lab built once per mode, one after another; in each the same checks and the same
// bounded measurements (src/probe/measure), then torn down — always, also on failure and Ctrl-C. The results
// feed the report model (src/report/compare). Uses only the lab's public use-cases (./index.js).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, release, cpus } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { up, down, checkLab, loadLab, status, apply, fault, leftovers, type StatusJson, type PodStatus } from './index.js';
import { pickEndpoints } from './compare-endpoints.js';
export { pickEndpoints, type Picked } from './compare-endpoints.js';
import type { Executor } from '../kernel/exec.js';
import { LocalExecutor } from '../substrate/local.js';
import { labContext } from './context.js';
import { PreflightError } from '../kernel/preflight.js';
import { fabricNetns } from '../net/names.js';
import {
  measureOverhead, linkMtu, largestDfPacket, pingRtt, requestRtts, iperf, dataplaneSize, dataplaneSizes, waitAnswers, missingTools,
  type IperfResult,
} from '../probe/measure/index.js';
import { scaledCopy, type SourceText } from './compare-scale.js';
import type { CompareResults, DataplaneAt, Endpoints, ModeMeasurements, ModeRun, Stat } from '../report/compare/types.js';
import type { Skip, Verdict } from '../expect/types.js';

export const COMPARE_MODES: readonly string[] = ['overlay', 'bgp', 'vpc'];
export const DEFAULT_SCALE_NODES = 10;

export interface CompareProgress {
  readonly mode: string;
  /** 1-based position of the mode, and how many there are. */
  readonly index: number;
  readonly of: number;
  readonly step: string;
  /** Since the comparison started. */
  readonly elapsedMs: number;
}

export interface CompareOptions {
  readonly files: readonly string[];
  readonly modes?: readonly string[];
  /** Nodes of the larger copy for the dataplane-size step (default 10; 0 = skip it). */
  readonly scaleNodes?: number;
  /** iperf3 seconds per run (default 1) and runs per direction, the best kept (default 3). */
  readonly iperfSeconds?: number;
  readonly iperfRounds?: number;
  /** ping count for the RTT figures (default 100). */
  readonly pings?: number;
  readonly progress?: (p: CompareProgress) => void;
  /** Checked between steps; when true, the current lab is torn down and the remaining modes are skipped. */
  readonly aborted?: () => boolean;
  readonly exec?: Executor;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The summary the report keeps (not the measurement's extras). */
const statOf = (x: Stat): Stat => ({ p50: x.p50, p99: x.p99, min: x.min, max: x.max, mean: x.mean, samples: x.samples });

const label = (p: PodStatus) => `${p.namespace}/${p.name} (${p.node})`;

function emptyMeasurements(seconds: number): { -readonly [K in keyof ModeMeasurements]: ModeMeasurements[K] } {
  return {
    podMtu: null, overhead: null, largestDfPacket: null, rttCrossNode: null, rttSameNode: null, service: null,
    throughput: { seconds, rounds: 0, podToPod: null, nodeToNode: null }, buildMs: null, podReadyMs: null, routeWithdrawMs: null, routeRestoreMs: null, dataplane: [],
  };
}

function readSourceTexts(files: readonly string[]): SourceText[] {
  return files.map((f) => ({ file: f, text: readFileSync(f, 'utf8'), dir: dirname(resolvePath(f)) }));
}

/** A pod name not used in the lab. */
function freeName(st: StatusJson, base: string): string {
  for (let i = 0; ; i++) {
    const n = i ? `${base}-${i}` : base;
    if (!st.pods.some((p) => p.namespace === 'default' && p.name === n)) return n;
  }
}

export async function compareModes(o: CompareOptions): Promise<CompareResults> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const exec = o.exec ?? new LocalExecutor();
  const aborted = () => o.aborted?.() === true;
  const modes = o.modes?.length ? [...o.modes] : [...COMPARE_MODES];
  const seconds = o.iperfSeconds ?? 1;
  // Validate every mode's reading of the files before anything is built (a bad file or mode never half-runs).
  const labs = modes.map((mode) => loadLab(o.files, { mode }));
  const lab = labs[0]!;
  const cluster = lab.cluster.name;
  const missing = await missingTools(exec);
  if (missing.length) throw new PreflightError(missing.map((m) => `${m}: podlab compare measures with it`));
  const existing = await leftovers(exec, cluster);
  if (existing.length) {
    throw new Error(`a lab named "${cluster}" already exists (${existing.slice(0, 3).join(', ')}): \`podlab compare\` builds and removes its own lab, so it will not touch yours (rename the cluster or \`podlab down -c ${cluster}\`)`);
  }
  const scaleNodes = o.scaleNodes ?? DEFAULT_SCALE_NODES;
  const runs: ModeRun[] = [];
  for (const [i, mode] of modes.entries()) {
    const say = (step: string) => o.progress?.({ mode, index: i + 1, of: modes.length, step, elapsedMs: performance.now() - t0 });
    if (aborted()) {
      runs.push({ mode, cluster, ms: 0, problems: ['not run: interrupted'], notes: [], verdicts: [], skipped: [], measurements: emptyMeasurements(seconds), endpoints: {} });
      continue;
    }
    runs.push(await runMode({ ...o, exec, mode, cluster, checks: labs[i]!.checks, seconds, scaleNodes, say, aborted }));
  }
  return {
    cluster, files: o.files.map((f) => resolvePath(f)), startedAt, ms: performance.now() - t0,
    host: { kernel: release(), cpus: cpus().length }, interrupted: aborted(), modes: runs,
  };
}

interface ModeContext extends CompareOptions {
  readonly exec: Executor;
  readonly mode: string;
  readonly cluster: string;
  readonly checks: ReturnType<typeof loadLab>['checks'];
  readonly seconds: number;
  readonly scaleNodes: number;
  readonly say: (step: string) => void;
  readonly aborted: () => boolean;
}

async function runMode(c: ModeContext): Promise<ModeRun> {
  const t0 = performance.now();
  const { exec, mode, cluster, say } = c;
  const problems: string[] = [];
  const notes: string[] = [];
  const m = emptyMeasurements(c.seconds);
  const endpoints: { -readonly [K in keyof Endpoints]: Endpoints[K] } = {};
  let verdicts: readonly Verdict[] = [];
  let skipped: readonly Skip[] = [];
  const dataplane: DataplaneAt[] = [];
  /** One measurement: skipped once interrupted; a failure is recorded and the run goes on. */
  const measure = async <T>(step: string, f: () => Promise<T>): Promise<T | null> => {
    if (c.aborted()) return null;
    say(step);
    try {
      return await f();
    } catch (e) {
      problems.push(`${step}: ${message(e)}`);
      return null;
    }
  };

  let nodes = 0;
  try {
    say('building the lab');
    const built = await up({ ...labContext({ exec }), files: c.files, mode, aborted: c.aborted });
    m.buildMs = built.ms;
    problems.push(...built.problems.map((p) => `up: ${p}`));
    let st = await status(cluster, { exec });
    nodes = st.nodes.length;
    if (!c.aborted()) {
      say('checking (generated and declared checks)');
      const run = await checkLab(cluster, { exec, declared: c.checks, aborted: c.aborted });
      verdicts = run.verdicts;
      skipped = run.skipped;
      problems.push(...run.problems);
    }
    const pick = pickEndpoints(st);
    if (typeof pick === 'string') problems.push(`measurements: ${pick}`);
    else {
      const { a, b, nodeA, nodeB } = pick;
      endpoints.crossNode = `${label(a)} → ${label(b)}`;
      endpoints.nodeToNode = `${nodeA.name} → ${nodeB.name}`;
      const ov = await measure('encapsulation overhead (tcpdump on the pod and the underlay)', () =>
        measureOverhead(exec, { from: a.netns, to: b.ip, underlay: { netns: nodeA.netns, dev: 'eth0' } }));
      if (ov) {
        const { pings: _p, ...rest } = ov;
        m.overhead = rest;
      }
      m.podMtu = await measure('pod MTU', () => linkMtu(exec, a.netns));
      m.largestDfPacket = (await measure('largest DF packet', () => largestDfPacket(exec, { from: a.netns, to: b.ip })))?.largestPacket ?? null;
      const ping = async (to: string) => {
        const r = await pingRtt(exec, { from: a.netns, to, count: c.pings });
        if (r.lost) notes.push(`ping ${a.namespace}/${a.name} → ${to}: ${r.lost} of ${r.samples + r.lost} lost`);
        return statOf(r);
      };
      m.rttCrossNode = await measure('RTT cross-node (ping)', () => ping(b.ip));
      if (pick.sameNode) {
        endpoints.sameNode = `${label(a)} → ${label(pick.sameNode)}`;
        m.rttSameNode = await measure('RTT same node (ping)', () => ping(pick.sameNode!.ip));
      } else notes.push(`no second pod on ${a.node}: no same-node RTT`);
      if (pick.service) {
        const s = pick.service;
        endpoints.service = `${s.name} ${s.ip}:${s.port}/${s.protocol} answered by ${s.remote.join(', ')} (direct: ${s.direct.ip}:${s.direct.port})`;
        const rr = await measure(`request RTT direct and via ClusterIP (${s.protocol}, interleaved)`, () => requestRtts(exec, {
          from: a.netns, protocol: s.protocol, tries: c.pings ?? 100,
          targets: [{ ip: s.direct.ip, port: s.direct.port }, { ip: s.ip, port: s.port, accept: s.remote }],
        }));
        const [direct, via] = rr ? rr.map(statOf) : [null, null];
        m.service = { name: s.name, protocol: s.protocol, direct: direct ?? null, clusterIP: via ?? null };
      } else notes.push('no Service with a netexec endpoint on another node: no ClusterIP latency');
      // Best of a few short runs, pod → pod and node → node taking turns: a busy moment on a shared machine
      // lowers one run, not the figure.
      let pod: IperfResult | null = null;
      let node: IperfResult | null = null;
      const rounds = c.iperfRounds ?? 3;
      const best = (x: IperfResult | null, y: IperfResult | null) => (!x ? y : !y ? x : y.bitsPerSecond > x.bitsPerSecond ? y : x);
      for (let k = 1; k <= rounds; k++) {
        node = best(node, await measure(`throughput node → node (iperf3, ${c.seconds}s, run ${k}/${rounds})`, () => iperf(exec, { server: { netns: nodeB.netns, ip: nodeB.ip }, client: nodeA.netns, seconds: c.seconds })));
        pod = best(pod, await measure(`throughput pod → pod (iperf3, ${c.seconds}s, run ${k}/${rounds})`, () => iperf(exec, { server: { netns: b.netns, ip: b.ip }, client: a.netns, seconds: c.seconds })));
      }
      m.throughput = { seconds: c.seconds, rounds, podToPod: pod, nodeToNode: node };
    }
    const sizes = await measure('dataplane size', async () => ({
      byNode: await dataplaneSizes(exec, st.nodes), underlay: (await dataplaneSize(exec, fabricNetns(cluster))).routes,
    }));
    if (sizes) dataplane.push({ nodes: st.nodes.length, pods: st.pods.filter((p) => p.phase === 'Running').length, buildMs: built.ms, byNode: sizes.byNode, underlayRoutes: sizes.underlay });
    if (typeof pick !== 'string') {
      const { a, nodeB } = pick;
      const name = freeName(st, 'compare-probe');
      const dir = mkdtempSync(join(tmpdir(), 'podlab-compare-'));
      try {
        endpoints.newPod = `default/${name} on ${nodeB.name}, asked from ${a.namespace}/${a.name}`;
        m.podReadyMs = (await measure('convergence: a new pod answers from another node', async () => {
          const f = join(dir, 'probe-pod.yaml');
          writeFileSync(f, `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default, labels: {app: podlab-compare}}\nspec:\n  nodeName: ${nodeB.name}\n  containers:\n    - name: netexec\n      ports: [{containerPort: 8080}]\n`);
          const t = performance.now();
          await apply([f], { exec, cluster });
          st = await status(cluster, { exec });
          const p = st.pods.find((x) => x.namespace === 'default' && x.name === name);
          if (!p?.ip) throw new Error(`pod default/${name} has no address after apply`);
          await waitAnswers(exec, { from: a.netns, url: `http://${p.ip}:8080/hostname` });
          return performance.now() - t;
        }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      if (mode === 'bgp') {
        endpoints.fault = `bgp-down / bgp-up on ${nodeB.name}`;
        m.routeWithdrawMs = (await measure(`convergence: bgp-down ${nodeB.name} (routes withdrawn)`, () => fault(cluster, 'bgp-down', nodeB.name, { exec })))?.ms ?? null;
        if (m.routeWithdrawMs !== null) m.routeRestoreMs = (await measure(`convergence: bgp-up ${nodeB.name} (routes back)`, () => fault(cluster, 'bgp-up', nodeB.name, { exec })))?.ms ?? null;
      }
    }
  } catch (e) {
    problems.push(message(e));
  } finally {
    say('tearing down');
    await teardown(exec, cluster, problems);
  }

  if (c.scaleNodes > nodes && nodes > 0 && !c.aborted()) {
    const at = await scaled(c, problems, notes);
    if (at) dataplane.push(at);
  }
  m.dataplane = dataplane;
  if (c.aborted()) problems.push('interrupted: results are partial');
  return { mode, cluster, ms: performance.now() - t0, problems, notes, verdicts, skipped, measurements: m, endpoints };
}

async function teardown(exec: Executor, cluster: string, problems: string[]): Promise<void> {
  try {
    const d = await down(cluster, { exec });
    if (d.leftovers.length) problems.push(`down left things behind: ${d.leftovers.join(', ')}`);
  } catch (e) {
    problems.push(`down failed: ${message(e)}`);
  }
}

/** The dataplane-size step at the larger size: a generated copy of the lab file, built, counted, torn down. */
async function scaled(c: ModeContext, problems: string[], notes: string[]): Promise<DataplaneAt | null> {
  const { exec, cluster, say } = c;
  const sources = readSourceTexts(c.files);
  const copy = scaledCopy(sources, c.scaleNodes);
  if (typeof copy === 'string') {
    notes.push(`no ${c.scaleNodes}-node dataplane figures: ${copy}`);
    return null;
  }
  notes.push(`the ${c.scaleNodes}-node lab is a generated copy of ${sources[copy.index]!.file}: ${copy.addedNodes.join(', ')} added, one netexec pod each`);
  const dir = mkdtempSync(join(tmpdir(), 'podlab-compare-'));
  const files = c.files.map((f, i) => (i === copy.index ? join(dir, 'lab-scaled.yaml') : f));
  writeFileSync(files[copy.index]!, copy.text);
  try {
    say(`building the ${c.scaleNodes}-node copy`);
    const built = await up({ ...labContext({ exec }), files, mode: c.mode, aborted: c.aborted });
    problems.push(...built.problems.map((p) => `up (${c.scaleNodes} nodes): ${p}`));
    if (c.aborted()) return null;
    say(`dataplane size at ${c.scaleNodes} nodes`);
    const st = await status(cluster, { exec });
    const byNode = await dataplaneSizes(exec, st.nodes);
    const underlay = (await dataplaneSize(exec, fabricNetns(cluster))).routes;
    return { nodes: st.nodes.length, pods: st.pods.filter((p) => p.phase === 'Running').length, buildMs: built.ms, byNode, underlayRoutes: underlay };
  } catch (e) {
    problems.push(`${c.scaleNodes}-node copy: ${message(e)}`);
    return null;
  } finally {
    say(`tearing down the ${c.scaleNodes}-node copy`);
    await teardown(exec, cluster, problems);
    rmSync(dir, { recursive: true, force: true });
  }
}
