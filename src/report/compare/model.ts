// The comparison's report model (pure): per-mode results → one report: per mode the figures under stable names
// (report.json's `modes.<mode>.…`), the parity matrix, and ratios between modes.
import type { Verdict } from '../../expect/types.js';
import { parityOf } from './parity.js';
import {
  RELATIVE_METRICS, SIZE_KEYS, type CompareReport, type CompareResults, type DataplaneAt, type DataplaneSize, type ModeReport, type ModeRun,
  type RelativeMetric,
} from './types.js';

export const SCHEMA = 'podlab.io/compare/v1' as const;

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const gbps = (bps: number | undefined) => (bps === undefined ? null : round(bps / 1e9, 3));

function checkCounts(verdicts: readonly Verdict[], skipped: number) {
  const failed = verdicts.filter((v) => v.status === 'fail').length;
  const errors = verdicts.filter((v) => v.status === 'error').length;
  return { total: verdicts.length, passed: verdicts.length - failed - errors, failed, errors, skipped };
}

function sizeOf(f: (k: keyof DataplaneSize) => number): DataplaneSize {
  return Object.fromEntries(SIZE_KEYS.map((k) => [k, f(k)])) as unknown as DataplaneSize;
}

function dataplaneOf(d: DataplaneAt) {
  const n = d.byNode.length || 1;
  return {
    nodes: d.nodes, pods: d.pods, buildMs: d.buildMs === null ? null : Math.round(d.buildMs),
    perNode: sizeOf((k) => round(d.byNode.reduce((a, x) => a + x[k], 0) / n, 1)),
    maxPerNode: sizeOf((k) => Math.max(0, ...d.byNode.map((x) => x[k]))),
    underlayRoutes: d.underlayRoutes,
    byNode: d.byNode.map((x) => ({ ...x })),
  };
}

export function modeReport(r: ModeRun): ModeReport {
  const m = r.measurements;
  const pod = m.throughput.podToPod;
  const node = m.throughput.nodeToNode;
  const dataplane = [...m.dataplane].sort((a, b) => a.nodes - b.nodes).map(dataplaneOf);
  const first = dataplane[0];
  const last = dataplane[dataplane.length - 1];
  const svc = m.service;
  const counts = checkCounts(r.verdicts, r.skipped.length);
  return {
    ok: r.problems.length === 0 && counts.failed === 0 && counts.errors === 0 && counts.total > 0,
    ms: Math.round(r.ms), problems: [...r.problems], notes: [...r.notes],
    checks: counts,
    podMtu: m.podMtu, largestDfPacket: m.largestDfPacket,
    overheadBytes: m.overhead?.overheadBytes ?? null, encapsulation: m.overhead?.encapsulation ?? null, wire: m.overhead,
    rttMs: m.rttCrossNode, rttSameNodeMs: m.rttSameNode,
    serviceRttMs: svc ? {
      service: svc.name, protocol: svc.protocol, direct: svc.direct, clusterIP: svc.clusterIP,
      kubeProxyMs: svc.direct && svc.clusterIP ? round(svc.clusterIP.p50 - svc.direct.p50, 4) : null,
    } : null,
    throughput: {
      seconds: m.throughput.seconds, rounds: m.throughput.rounds,
      podToPodGbps: gbps(pod?.bitsPerSecond), nodeToNodeGbps: gbps(node?.bitsPerSecond),
      ratio: pod && node && node.bitsPerSecond > 0 ? round(pod.bitsPerSecond / node.bitsPerSecond, 3) : null,
      cpuSecondsPerGB: { podToPod: pod?.cpuSecondsPerGB ?? null, nodeToNode: node?.cpuSecondsPerGB ?? null },
      retransmits: { podToPod: pod?.retransmits ?? null, nodeToNode: node?.retransmits ?? null },
    },
    buildMs: m.buildMs === null ? null : Math.round(m.buildMs),
    convergence: {
      podReadyMs: m.podReadyMs === null ? null : Math.round(m.podReadyMs),
      routeWithdrawMs: m.routeWithdrawMs === null ? null : Math.round(m.routeWithdrawMs),
      routeRestoreMs: m.routeRestoreMs === null ? null : Math.round(m.routeRestoreMs),
    },
    dataplane,
    dataplaneGrowth: first && last && first !== last ? {
      from: first.nodes, to: last.nodes,
      ratio: Object.fromEntries(SIZE_KEYS.map((k) => [k, first.perNode[k] > 0 ? round(last.perNode[k] / first.perNode[k], 2) : null])) as Record<keyof DataplaneSize, number | null>,
    } : null,
    endpoints: { ...r.endpoints },
  };
}

/** Each metric, per mode, and whether lower is better. */
const METRIC: Readonly<Record<RelativeMetric, { get: (m: ModeReport) => number | null | undefined; lowerIsBetter: boolean }>> = {
  rttP50: { get: (m) => m.rttMs?.p50, lowerIsBetter: true },
  rttP99: { get: (m) => m.rttMs?.p99, lowerIsBetter: true },
  rttSameNodeP50: { get: (m) => m.rttSameNodeMs?.p50, lowerIsBetter: true },
  serviceClusterIPP50: { get: (m) => m.serviceRttMs?.clusterIP?.p50, lowerIsBetter: true },
  throughputRatio: { get: (m) => m.throughput.ratio, lowerIsBetter: false },
  cpuSecondsPerGB: { get: (m) => m.throughput.cpuSecondsPerGB.podToPod, lowerIsBetter: true },
  buildMs: { get: (m) => m.buildMs, lowerIsBetter: true },
  podReadyMs: { get: (m) => m.convergence.podReadyMs, lowerIsBetter: true },
  routesPerNode: { get: (m) => m.dataplane[0]?.perNode.routes, lowerIsBetter: true },
};

/** value ÷ the best mode's value: 1 is the best; 1.3 = 30 % more (slower, larger); for throughput 0.8 = 80 % of the best. */
export function relativeOf(modes: Readonly<Record<string, ModeReport>>, order: readonly string[]): CompareReport['relative'] {
  const out = {} as Record<RelativeMetric, Record<string, number | null>>;
  for (const k of RELATIVE_METRICS) {
    const { get, lowerIsBetter } = METRIC[k];
    const vals = order.map((m) => get(modes[m]!) ?? null);
    const known = vals.filter((v): v is number => v !== null && v > 0);
    const best = known.length ? (lowerIsBetter ? Math.min(...known) : Math.max(...known)) : null;
    out[k] = Object.fromEntries(order.map((m, i) => [m, best && vals[i] !== null && vals[i]! > 0 ? round(vals[i]! / best, 3) : null]));
  }
  return out;
}

export function buildReport(r: CompareResults): CompareReport {
  const modeOrder = r.modes.map((m) => m.mode);
  const modes = Object.fromEntries(r.modes.map((m) => [m.mode, modeReport(m)]));
  const parity = parityOf(r.modes);
  return {
    schema: SCHEMA, cluster: r.cluster, files: [...r.files], startedAt: r.startedAt, ms: Math.round(r.ms), host: { ...r.host },
    interrupted: r.interrupted,
    ok: !r.interrupted && modeOrder.length > 0 && Object.values(modes).every((m) => m.ok),
    modeOrder, modes, parity, relative: relativeOf(modes, modeOrder),
  };
}
