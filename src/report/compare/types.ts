// What `podlab compare` measured, per mode (the input of the report model), and the report it becomes (the
// output, serialized as report.json: its schema is documented in docs/compare.md and only grows).
import type { Skip, Status, Verdict } from '../../expect/types.js';

export interface Stat {
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly samples: number;
}

export interface DataplaneSize {
  readonly routes: number;
  readonly rules: number;
  readonly neighbours: number;
  readonly fdb: number;
  readonly iptablesRules: number;
  readonly nftRules: number;
  readonly nftElements: number;
  readonly bgpSessions: number;
}

export const SIZE_KEYS: readonly (keyof DataplaneSize)[] = ['routes', 'rules', 'neighbours', 'fdb', 'iptablesRules', 'nftRules', 'nftElements', 'bgpSessions'];

export interface Iperf {
  readonly bitsPerSecond: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly retransmits: number;
  readonly cpu: { readonly senderPct: number; readonly receiverPct: number };
  readonly cpuSecondsPerGB: number;
}

export interface Overhead {
  readonly sentBytes: number;
  readonly wireBytes: number;
  readonly overheadBytes: number;
  readonly sentFrameBytes: number;
  readonly wireFrameBytes: number;
  readonly encapsulation: string;
  readonly wireFlow: string;
}

/** The dataplane of one lab size: every node's counts, and the underlay (fabric) namespace's routes. */
export interface DataplaneAt {
  readonly nodes: number;
  readonly pods: number;
  readonly buildMs: number | null;
  readonly byNode: readonly ({ readonly node: string } & DataplaneSize)[];
  /** Routes in the underlay namespace: a bridge in overlay and bgp, the VPC router (one /32 per pod) in vpc. */
  readonly underlayRoutes: number | null;
}

/** Every measurement of one mode; null when it could not be made (the mode's problems say why). */
export interface ModeMeasurements {
  readonly podMtu: number | null;
  readonly overhead: Overhead | null;
  readonly largestDfPacket: number | null;
  /** Cross-node pod → pod ping. */
  readonly rttCrossNode: Stat | null;
  readonly rttSameNode: Stat | null;
  /** Request/response to a netexec endpoint on another node: directly, and through the Service's ClusterIP. */
  readonly service: { readonly name: string; readonly protocol: 'UDP' | 'TCP'; readonly direct: Stat | null; readonly clusterIP: Stat | null } | null;
  /** iperf3: the best of `rounds` runs of `seconds` each, per direction. */
  readonly throughput: { readonly seconds: number; readonly rounds: number; readonly podToPod: Iperf | null; readonly nodeToNode: Iperf | null };
  readonly buildMs: number | null;
  readonly podReadyMs: number | null;
  /** bgp only: BIRD stopped on a node → its routes gone from every peer; started again → back. */
  readonly routeWithdrawMs: number | null;
  readonly routeRestoreMs: number | null;
  readonly dataplane: readonly DataplaneAt[];
}

/** Between which endpoints the measurements ran (labels such as "shop/web-1 (node1)"). */
export interface Endpoints {
  readonly crossNode?: string;
  readonly sameNode?: string;
  readonly service?: string;
  readonly nodeToNode?: string;
  readonly newPod?: string;
  readonly fault?: string;
}

export interface ModeRun {
  readonly mode: string;
  readonly cluster: string;
  readonly ms: number;
  /** What podlab could not do (a failed up, a measurement that could not be made). */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  readonly verdicts: readonly Verdict[];
  readonly skipped: readonly Skip[];
  readonly measurements: ModeMeasurements;
  readonly endpoints: Endpoints;
}

export interface CompareResults {
  readonly cluster: string;
  readonly files: readonly string[];
  readonly startedAt: string;
  readonly ms: number;
  readonly host: { readonly kernel: string; readonly cpus: number };
  readonly interrupted: boolean;
  readonly modes: readonly ModeRun[];
}

// ---- the report ----

/** same: one outcome, one mechanism · mechanism: one outcome, different mechanisms (bases) · behaviour: the
 *  expected outcome differs by mode · only: the check exists in some modes only · unexpected: a check did not pass. */
export type ParityLevel = 'same' | 'mechanism' | 'behaviour' | 'only' | 'unexpected';
export const LEVEL_RANK: Readonly<Record<ParityLevel, number>> = { same: 0, mechanism: 1, only: 2, behaviour: 3, unexpected: 4 };

export interface ParityCell {
  readonly status: Status;
  readonly expected: string;
  readonly basis: string;
  readonly observed: string;
  readonly reason?: string;
}

export interface ParityRow {
  readonly key: string;
  readonly category: string;
  readonly label: string;
  readonly level: ParityLevel;
  readonly cells: Readonly<Record<string, ParityCell | null>>;
  readonly explanation: string;
}

export interface ParityCategory {
  readonly category: string;
  readonly level: ParityLevel;
  readonly cells: Readonly<Record<string, { readonly total: number; readonly passed: number } | null>>;
  /** The distinct bases of its checks, per mode, as the expectation model states them. */
  readonly bases: Readonly<Record<string, readonly string[]>>;
  readonly explanation: string;
}

export interface Parity {
  readonly summary: Readonly<Record<ParityLevel, number>>;
  readonly categories: readonly ParityCategory[];
  readonly rows: readonly ParityRow[];
}

export interface ModeReport {
  readonly ok: boolean;
  readonly ms: number;
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  readonly checks: { readonly total: number; readonly passed: number; readonly failed: number; readonly errors: number; readonly skipped: number };
  readonly podMtu: number | null;
  readonly largestDfPacket: number | null;
  readonly overheadBytes: number | null;
  readonly encapsulation: string | null;
  readonly wire: Overhead | null;
  readonly rttMs: Stat | null;
  readonly rttSameNodeMs: Stat | null;
  readonly serviceRttMs: { readonly service: string; readonly protocol: string; readonly direct: Stat | null; readonly clusterIP: Stat | null; readonly kubeProxyMs: number | null } | null;
  readonly throughput: {
    readonly seconds: number;
    readonly rounds: number;
    readonly podToPodGbps: number | null;
    readonly nodeToNodeGbps: number | null;
    readonly ratio: number | null;
    readonly cpuSecondsPerGB: { readonly podToPod: number | null; readonly nodeToNode: number | null };
    readonly retransmits: { readonly podToPod: number | null; readonly nodeToNode: number | null };
  };
  readonly buildMs: number | null;
  readonly convergence: { readonly podReadyMs: number | null; readonly routeWithdrawMs: number | null; readonly routeRestoreMs: number | null };
  readonly dataplane: readonly {
    readonly nodes: number;
    readonly pods: number;
    readonly buildMs: number | null;
    /** Mean over the nodes (1 decimal). */
    readonly perNode: DataplaneSize;
    readonly maxPerNode: DataplaneSize;
    readonly underlayRoutes: number | null;
    readonly byNode: readonly ({ readonly node: string } & DataplaneSize)[];
  }[];
  /** perNode at the largest size ÷ perNode at the smallest (null when not measured at two sizes or 0 at the smallest). */
  readonly dataplaneGrowth: { readonly from: number; readonly to: number; readonly ratio: Readonly<Record<keyof DataplaneSize, number | null>> } | null;
  readonly endpoints: Endpoints;
}

/** Metrics compared across modes: value ÷ the best mode's value (1 = the best; lower is better except throughput). */
export const RELATIVE_METRICS = ['rttP50', 'rttP99', 'rttSameNodeP50', 'serviceClusterIPP50', 'throughputRatio', 'cpuSecondsPerGB', 'buildMs', 'podReadyMs', 'routesPerNode'] as const;
export type RelativeMetric = (typeof RELATIVE_METRICS)[number];

export interface CompareReport {
  readonly schema: 'podlab.io/compare/v1';
  readonly cluster: string;
  readonly files: readonly string[];
  readonly startedAt: string;
  readonly ms: number;
  readonly host: { readonly kernel: string; readonly cpus: number };
  readonly interrupted: boolean;
  readonly ok: boolean;
  readonly modeOrder: readonly string[];
  readonly modes: Readonly<Record<string, ModeReport>>;
  readonly parity: Parity;
  readonly relative: Readonly<Record<RelativeMetric, Readonly<Record<string, number | null>>>>;
}
