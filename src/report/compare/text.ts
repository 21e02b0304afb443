// The terminal report (pure): the parity matrix by category, then the measured figures, one column per mode.
import { LEVEL_TEXT, durationText, summarySections } from './summary.js';
import type { CompareReport } from './types.js';

function table(rows: readonly (readonly string[])[]): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ').trimEnd());
}

export function renderText(r: CompareReport): string {
  const modes = r.modeOrder;
  const out: string[] = [];
  out.push(`podlab compare · lab ${r.cluster} · ${modes.join(', ')} · ${durationText(r.ms)}${r.interrupted ? ' · INTERRUPTED' : ''}`);
  for (const m of modes) for (const p of r.modes[m]!.problems) out.push(`  problem (${m}): ${p}`);
  out.push('', 'CHECK PARITY (passed/total per category)');
  out.push(...table([
    ['CATEGORY', ...modes, 'PARITY'],
    ...r.parity.categories.map((c) => [c.category, ...modes.map((m) => (c.cells[m] ? `${c.cells[m]!.passed}/${c.cells[m]!.total}` : '–')), LEVEL_TEXT[c.level]]),
  ]).map((l) => '  ' + l));
  const notable = r.parity.categories.filter((c) => c.level !== 'same');
  if (notable.length) {
    out.push('', 'WHY (from the expectation model)');
    for (const c of notable) out.push(`  ${c.category}: ${c.explanation}`);
  }
  for (const s of summarySections(r)) {
    out.push('', s.title.toUpperCase());
    out.push(...table([['', ...modes], ...s.rows.map((x) => [x.label, ...x.values])]).map((l) => '  ' + l));
  }
  out.push('', r.ok ? 'RESULT: every mode built, passed its checks and was measured' : 'RESULT: FAIL (see problems and parity above)');
  return out.join('\n') + '\n';
}
