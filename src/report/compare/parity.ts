// The parity matrix (pure): every check of every mode lined up by what it tests, with its verdict, and each
// difference explained by the bases the expectation model gave (src/expect: each Expectation's `basis`).
import { expectText, type Check, type Verdict } from '../../expect/types.js';
import { LEVEL_RANK, type ModeRun, type Parity, type ParityCategory, type ParityCell, type ParityLevel, type ParityRow } from './types.js';

const IPV4 = /(^|\s)\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?=\s|$)/g;

/** What a check tests, the same in every mode: addresses (which differ by mode) and MTU probe sizes left out. */
export function rowKey(c: Check): string {
  if (c.declared) return c.id;
  const to = c.to.label.replace(IPV4, '$1').replace(/\s+/g, ' ').trim();
  const df = c.probe.kind === 'ping-df' ? (c.expect.outcome === 'ok' ? ' DF fits' : ' DF too big') : '';
  return `${c.category} ${c.protocol} ${c.from.label} -> ${to || c.to.label}${df}`;
}

function rowLabel(c: Check): string {
  if (c.declared) return `${c.declared.name}: ${c.protocol} ${c.from.label} → ${c.to.label}`;
  const to = c.to.label.replace(IPV4, '$1').replace(/\s+/g, ' ').trim() || c.to.label;
  const df = c.probe.kind === 'ping-df' ? (c.expect.outcome === 'ok' ? ' (DF, pod MTU: fits)' : ' (DF, pod MTU + 1: too big)') : '';
  return `${c.protocol} ${c.from.label} → ${to}${df}`;
}

/**
 * A basis as compared across modes: the mode tag of a matrix row ("E6 (AWS): …" → "E6: …", "vpc: …" → "…") and
 * addresses, which every mode allocates differently, are left out. Two modes whose bases then read alike
 * rest on the same mechanism.
 */
export function normalizeBasis(basis: string, modes: readonly string[] = []): string {
  let b = basis.replace(/^((?:E\d+)(?:\/E\d+)*)\s*\([^)]*\):/, '$1:');
  for (const m of modes) if (b.toLowerCase().startsWith(`${m.toLowerCase()}: `)) b = b.slice(m.length + 2);
  return b.replace(/\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+)?(?::\d+)?/g, '<ip>').trim();
}

function cellOf(v: Verdict): ParityCell {
  return {
    status: v.status, expected: expectText(v.check.expect), basis: v.check.expect.basis, observed: v.observed,
    ...(v.status !== 'pass' && v.reason ? { reason: v.reason } : {}),
  };
}

/** The observable contract: outcome, the class of source address, which backends must answer. Not the addresses. */
function contract(c: Check): string {
  const e = c.expect;
  return JSON.stringify([e.outcome, e.source?.class ?? null, e.backends?.length ?? null, e.sameBackend ?? false]);
}

const worst = (levels: readonly ParityLevel[]): ParityLevel => levels.reduce<ParityLevel>((a, b) => (LEVEL_RANK[b] > LEVEL_RANK[a] ? b : a), 'same');

function levelOf(present: readonly { mode: string; v: Verdict }[], modes: readonly string[]): ParityLevel {
  if (present.some((p) => p.v.status !== 'pass')) return 'unexpected';
  if (present.length < modes.length) return 'only';
  if (new Set(present.map((p) => contract(p.v.check))).size > 1) return 'behaviour';
  if (new Set(present.map((p) => normalizeBasis(p.v.check.expect.basis, modes))).size > 1) return 'mechanism';
  return 'same';
}

const list = (xs: readonly string[]) => xs.join(', ');

/** A basis shown after its mode's name: "vpc: vpc: a pod…" reads "vpc: a pod…". */
const bare = (basis: string, mode: string) => (basis.toLowerCase().startsWith(`${mode.toLowerCase()}: `) ? basis.slice(mode.length + 2) : basis);

function rowExplanation(level: ParityLevel, present: readonly { mode: string; v: Verdict }[], modes: readonly string[]): string {
  const by = (f: (p: { mode: string; v: Verdict }) => string) => present.map((p) => `${p.mode}: ${bare(f(p), p.mode)}`).join(' · ');
  switch (level) {
    case 'unexpected': {
      const bad = present.filter((p) => p.v.status !== 'pass');
      const good = present.filter((p) => p.v.status === 'pass').map((p) => p.mode);
      return `${bad.map((p) => `${p.v.status === 'error' ? 'could not be probed' : 'fails'} in ${p.mode}: ${p.v.reason || p.v.observed} (expected ${expectText(p.v.check.expect)}; ${p.v.check.expect.basis})`).join(' · ')}${good.length ? ` — passes in ${list(good)}` : ''}`;
    }
    case 'only': {
      const missing = modes.filter((m) => !present.some((p) => p.mode === m));
      return `only in ${list(present.map((p) => p.mode))} (not generated in ${list(missing)}) — ${by((p) => p.v.check.expect.basis)}`;
    }
    case 'behaviour':
      return `expected to differ — ${by((p) => `${expectText(p.v.check.expect)} (${p.v.check.expect.basis})`)}`;
    case 'mechanism':
      return `same result (${expectText(present[0]!.v.check.expect).split(' ')[0]}), different mechanism — ${by((p) => p.v.check.expect.basis)}`;
    default:
      return `same in every mode — ${present[0]!.v.check.expect.basis}`;
  }
}

/** Distinct values, in first-seen order. */
const distinct = (xs: readonly string[]) => [...new Set(xs)];

function categoryExplanation(level: ParityLevel, rows: readonly ParityRow[], bases: Readonly<Record<string, readonly string[]>>, modes: readonly string[]): string {
  const show = (m: string) => {
    const b = (bases[m] ?? []).map((x) => bare(x, m));
    return `${m}: ${b.slice(0, 2).join('; ')}${b.length > 2 ? ` (+${b.length - 2} more)` : ''}`;
  };
  const count = (l: ParityLevel) => rows.filter((r) => r.level === l).length;
  const withBases = modes.filter((m) => (bases[m] ?? []).length);
  switch (level) {
    case 'unexpected':
      return `${count('unexpected')} check(s) did not pass: ${rows.filter((r) => r.level === 'unexpected').slice(0, 2).map((r) => r.explanation).join(' · ')}`;
    case 'behaviour':
      return `${count('behaviour')} of ${rows.length} check(s) expected to differ — ${withBases.map(show).join(' · ')}`;
    case 'only':
      return `only in ${list(modes.filter((m) => (bases[m] ?? []).length))} — ${withBases.map(show).join(' · ')}`;
    case 'mechanism':
      return `same result, different mechanism — ${withBases.map(show).join(' · ')}`;
    default:
      return `same in every mode — ${(bases[withBases[0]!] ?? []).slice(0, 2).join('; ')}`;
  }
}

/** Line up the verdicts of every mode by rowKey; categories in the order the checks came. */
export function parityOf(runs: readonly ModeRun[]): Parity {
  const modes = runs.map((r) => r.mode);
  const byKey = new Map<string, { mode: string; v: Verdict }[]>();
  for (const r of runs) for (const v of r.verdicts) {
    const k = rowKey(v.check);
    const list = byKey.get(k) ?? [];
    if (!list.some((x) => x.mode === r.mode)) list.push({ mode: r.mode, v });
    byKey.set(k, list);
  }
  const rows: ParityRow[] = [...byKey].map(([key, present]) => {
    const level = levelOf(present, modes);
    const cells: Record<string, ParityCell | null> = {};
    for (const m of modes) {
      const p = present.find((x) => x.mode === m);
      cells[m] = p ? cellOf(p.v) : null;
    }
    return { key, category: present[0]!.v.check.category, label: rowLabel(present[0]!.v.check), level, cells, explanation: rowExplanation(level, present, modes) };
  });
  const cats = distinct(rows.map((r) => r.category));
  const categories: ParityCategory[] = cats.map((category) => {
    const rs = rows.filter((r) => r.category === category);
    const cells: Record<string, { total: number; passed: number } | null> = {};
    const bases: Record<string, string[]> = {};
    for (const m of modes) {
      const mine = rs.map((r) => r.cells[m]).filter((c): c is ParityCell => !!c);
      cells[m] = mine.length ? { total: mine.length, passed: mine.filter((c) => c.status === 'pass').length } : null;
      bases[m] = distinct(mine.map((c) => c.basis));
    }
    const level = worst(rs.map((r) => r.level));
    return { category, level, cells, bases, explanation: categoryExplanation(level, rs, bases, modes) };
  });
  const summary = { same: 0, mechanism: 0, only: 0, behaviour: 0, unexpected: 0 } as Record<ParityLevel, number>;
  for (const r of rows) summary[r.level]++;
  return { summary, categories, rows };
}
