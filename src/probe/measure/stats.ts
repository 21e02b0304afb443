// Summaries of measured samples (pure): nearest-rank percentiles, so p50 and p99 are samples that were seen.

export interface Stat {
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly samples: number;
}

/** The nearest-rank percentile (0 < p ≤ 100) of sorted values: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) throw new Error('percentile of no samples');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Rounded to 4 significant decimals so reports stay readable (RTTs are tens of microseconds). */
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function summarize(values: readonly number[]): Stat {
  if (!values.length) throw new Error('no samples to summarize');
  const s = [...values].sort((a, b) => a - b);
  return {
    p50: r4(percentile(s, 50)), p99: r4(percentile(s, 99)), min: r4(s[0]!), max: r4(s[s.length - 1]!),
    mean: r4(s.reduce((a, b) => a + b, 0) / s.length), samples: s.length,
  };
}
