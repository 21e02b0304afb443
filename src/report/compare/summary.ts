// The figures every renderer shows, as rows of text per mode (pure): one place decides labels, units and rounding.
import type { CompareReport, ModeReport, ParityLevel, RelativeMetric, Stat } from './types.js';

export const NA = '–';

export function fmtMs(x: number | null | undefined): string {
  if (x === null || x === undefined) return NA;
  if (Math.abs(x) < 10) return `${x.toFixed(3)} ms`;
  if (Math.abs(x) < 1000) return `${Math.round(x)} ms`;
  return `${(x / 1000).toFixed(2)} s`;
}

export const fmtNum = (x: number | null | undefined, d = 0): string => (x === null || x === undefined ? NA : d ? x.toFixed(d) : String(Math.round(x * 10) / 10));
const pair = (s: Stat | null | undefined) => (s ? `${s.p50.toFixed(3)} / ${s.p99.toFixed(3)}` : NA);

export interface SummaryRow {
  readonly id: string;
  readonly label: string;
  readonly values: readonly string[];
}

export interface SummarySection {
  readonly title: string;
  readonly rows: readonly SummaryRow[];
}

const sizeLabels: readonly [keyof ModeReport['dataplane'][number]['perNode'], string][] = [
  ['routes', 'routes'], ['rules', 'ip rules'], ['neighbours', 'neighbour entries (programmed)'], ['fdb', 'fdb entries (programmed)'],
  ['iptablesRules', 'iptables rules'], ['nftRules', 'kube-proxy nft rules'], ['nftElements', 'kube-proxy nft elements'], ['bgpSessions', 'BGP sessions'],
];

/** Rows of the "measured" table, grouped; values in report.modeOrder. */
export function summarySections(r: CompareReport): SummarySection[] {
  const ms = r.modeOrder.map((m) => r.modes[m]!);
  const row = (id: string, label: string, f: (m: ModeReport) => string): SummaryRow => ({ id, label, values: ms.map(f) });
  const sizes = [...new Set(ms.flatMap((m) => m.dataplane.map((d) => d.nodes)))].sort((a, b) => a - b);
  const sizeAt = (m: ModeReport, n: number) => m.dataplane.find((d) => d.nodes === n);
  const growth = (k: (typeof sizeLabels)[number][0]) => (m: ModeReport) => sizes.map((n) => fmtNum(sizeAt(m, n)?.perNode[k])).join(' → ');
  const anySize = (k: (typeof sizeLabels)[number][0]) => ms.some((m) => m.dataplane.some((d) => d.perNode[k] > 0));
  return [
    { title: 'Checks', rows: [row('checks', 'checks passed', (m) => `${m.checks.passed}/${m.checks.total}`)] },
    {
      title: 'Encapsulation and MTU', rows: [
        row('encapsulation', 'encapsulation on the underlay', (m) => m.encapsulation ?? NA),
        row('overheadBytes', 'bytes added on the wire', (m) => fmtNum(m.overheadBytes)),
        row('podMtu', 'pod MTU', (m) => fmtNum(m.podMtu)),
        row('largestDfPacket', 'largest DF packet pod → pod', (m) => fmtNum(m.largestDfPacket)),
      ],
    },
    {
      title: 'Latency (ms, p50 / p99)', rows: [
        row('rttMs', 'ping pod → pod, cross-node', (m) => pair(m.rttMs)),
        row('rttSameNodeMs', 'ping pod → pod, same node', (m) => pair(m.rttSameNodeMs)),
        row('serviceDirect', 'request → remote pod, direct', (m) => (m.serviceRttMs ? `${pair(m.serviceRttMs.direct)} (${m.serviceRttMs.protocol})` : NA)),
        row('serviceClusterIP', 'request → ClusterIP → remote pod', (m) => (m.serviceRttMs ? `${pair(m.serviceRttMs.clusterIP)} (${m.serviceRttMs.protocol})` : NA)),
        row('kubeProxyMs', "kube-proxy's cost (p50 difference)", (m) => fmtMs(m.serviceRttMs?.kubeProxyMs)),
      ],
    },
    {
      title: 'Throughput (iperf3, TCP)', rows: [
        row('podToPodGbps', 'pod → pod, cross-node (Gbit/s)', (m) => fmtNum(m.throughput.podToPodGbps, 2)),
        row('nodeToNodeGbps', 'node → node, same underlay (Gbit/s)', (m) => fmtNum(m.throughput.nodeToNodeGbps, 2)),
        row('throughputRatio', 'pod → pod as a share of node → node', (m) => fmtNum(m.throughput.ratio, 2)),
        row('cpuSecondsPerGB', 'CPU seconds per GB, pod → pod (node → node)', (m) => `${fmtNum(m.throughput.cpuSecondsPerGB.podToPod, 2)} (${fmtNum(m.throughput.cpuSecondsPerGB.nodeToNode, 2)})`),
      ],
    },
    {
      title: 'Build and convergence', rows: [
        ...sizes.map((n) => row(`build${n}`, `build the lab, ${n} nodes`, (m) => fmtMs(sizeAt(m, n)?.buildMs ?? (n === sizes[0] ? m.buildMs : null)))),
        row('podReadyMs', 'new pod answers from another node', (m) => fmtMs(m.convergence.podReadyMs)),
        row('routeWithdrawMs', "a node's routes withdrawn after bgp-down", (m) => fmtMs(m.convergence.routeWithdrawMs)),
        row('routeRestoreMs', '… and back after bgp-up', (m) => fmtMs(m.convergence.routeRestoreMs)),
      ],
    },
    {
      title: `Dataplane per node (mean${sizes.length > 1 ? `, ${sizes.join(' → ')} nodes` : ''})`, rows: [
        ...sizeLabels.filter(([k]) => anySize(k)).map(([k, label]) => row(`size-${k}`, label, growth(k))),
        row('underlayRoutes', 'routes in the underlay (VPC router / bridge)', (m) => sizes.map((n) => fmtNum(sizeAt(m, n)?.underlayRoutes)).join(' → ')),
      ],
    },
  ];
}

export const LEVEL_TEXT: Readonly<Record<ParityLevel, string>> = {
  same: 'same',
  mechanism: 'same result, different mechanism',
  only: 'only in some modes',
  behaviour: 'differs, as expected',
  unexpected: 'FAILS',
};

export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** Words for report.json's `relative` metrics. */
export const RELATIVE_LABELS: Readonly<Record<RelativeMetric, string>> = {
  rttP50: 'ping cross-node p50', rttP99: 'ping cross-node p99', rttSameNodeP50: 'ping same node p50',
  serviceClusterIPP50: 'request via ClusterIP p50', throughputRatio: 'throughput ratio (share of the best)',
  cpuSecondsPerGB: 'CPU seconds per GB', buildMs: 'build time', podReadyMs: 'new pod answers', routesPerNode: 'routes per node',
};

/** A category's explanation without the words its parity column already says ("same result, different mechanism — …"). */
export function whyText(c: { readonly level: ParityLevel; readonly explanation: string }): string {
  const lead = c.level === 'mechanism' ? 'same result, different mechanism — ' : c.level === 'same' ? 'same in every mode — ' : '';
  return lead && c.explanation.startsWith(lead) ? c.explanation.slice(lead.length) : c.explanation;
}
