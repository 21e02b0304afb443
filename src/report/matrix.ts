// The NetworkPolicy truth table as text (pure), one table per port and protocol, as the upstream netpol e2e suite
// prints its reachability: rows are clients, columns servers; `.` answered, `X` blocked. A cell that differs from
// the policy model is marked (`.!` answered but should be blocked, `X!` blocked but should be answered), and
// listed below the table with the policies that should have decided it.
import type { Verdict } from '../expect/types.js';
import { MATRIX_CATEGORY, parseMatrixId } from '../expect/matrix.js';

export interface MatrixTable {
  readonly protocol: string;
  readonly port: number;
  readonly rows: readonly string[];
  readonly cols: readonly string[];
  /** cells[from][to]: the verdict of that cell, when the destination serves this port. */
  readonly cells: ReadonlyMap<string, ReadonlyMap<string, Verdict>>;
}

export function matrixTables(verdicts: readonly Verdict[]): MatrixTable[] {
  const groups = new Map<string, { protocol: string; port: number; vs: { from: string; to: string; v: Verdict }[] }>();
  for (const v of verdicts) {
    if (v.check.category !== MATRIX_CATEGORY) continue;
    const c = parseMatrixId(v.check.id);
    if (!c) continue;
    const k = `${c.port}/${c.protocol}`;
    if (!groups.has(k)) groups.set(k, { protocol: c.protocol, port: c.port, vs: [] });
    groups.get(k)!.vs.push({ from: c.from, to: c.to, v });
  }
  const out: MatrixTable[] = [];
  const order = [...groups.values()].sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : 1));
  for (const g of order) {
    const rows = [...new Set(g.vs.map((x) => x.from))].sort();
    const cols = [...new Set(g.vs.map((x) => x.to))].sort();
    const cells = new Map<string, Map<string, Verdict>>();
    for (const x of g.vs) {
      if (!cells.has(x.from)) cells.set(x.from, new Map());
      cells.get(x.from)!.set(x.to, x.v);
    }
    out.push({ protocol: g.protocol, port: g.port, rows, cols, cells });
  }
  return out;
}

/** Two characters per cell: what was observed, and `!` when that is not what the policies say. */
export function cellText(v: Verdict | undefined): string {
  if (!v) return '  ';
  const answered = v.attempts.some((a) => a.observed === 'ok');
  if (v.status === 'error') return '? ';
  const mark = answered ? '.' : 'X';
  return v.status === 'pass' ? `${mark} ` : `${mark}!`;
}

export function renderMatrix(verdicts: readonly Verdict[]): string {
  const tables = matrixTables(verdicts);
  if (!tables.length) return '';
  const out: string[] = [];
  for (const t of tables) {
    const w = Math.max(...t.rows.map((r) => r.length), 4);
    const colW = Math.max(...t.cols.map((c) => c.length), 2) + 1;
    out.push(`${t.port}/${t.protocol}: rows are clients, columns servers (. answered, X blocked, ! differs from the policy model, ? probe error)`);
    out.push(' '.repeat(w + 2) + t.cols.map((c) => c.padEnd(colW)).join('').trimEnd());
    for (const r of t.rows) {
      out.push(`${r.padEnd(w)}  ${t.cols.map((c) => cellText(t.cells.get(r)?.get(c)).padEnd(colW)).join('').trimEnd()}`);
    }
    const wrong = t.rows.flatMap((r) => t.cols.map((c) => t.cells.get(r)?.get(c)).filter((v): v is Verdict => !!v && v.status !== 'pass'));
    const total = t.rows.reduce((a, r) => a + (t.cells.get(r)?.size ?? 0), 0);
    out.push(`${total - wrong.length}/${total} cells as expected`);
    for (const v of wrong) out.push(`  ${v.check.from.label} -> ${v.check.to.label}/${v.check.protocol}: ${v.observed}; ${v.check.expect.basis}`);
    out.push('');
  }
  return out.join('\n');
}
