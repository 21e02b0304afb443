// Reporters (pure: report → text): human table grouped by category, TAP 14, JUnit XML, JSON.
import { stringify } from 'yaml';
import { expectText, reportOk, type Report, type RunReport, type Verdict } from '../expect/types.js';
import { renderMatrix } from './matrix.js';

export const REPORTERS = ['human', 'tap', 'junit', 'json'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export function render(r: Report, name: ReporterName, opts: { verbose?: boolean } = {}): string {
  switch (name) {
    case 'tap': return tap(r);
    case 'junit': return junit(r);
    case 'json': return json(r);
    default: return human(r, opts);
  }
}

export interface Counts { total: number; passed: number; failed: number; errors: number; skipped: number }

export function counts(run: RunReport): Counts {
  const failed = run.verdicts.filter((v) => v.status === 'fail').length;
  const errors = run.verdicts.filter((v) => v.status === 'error').length;
  return { total: run.verdicts.length, passed: run.verdicts.length - failed - errors, failed, errors, skipped: run.skipped.length };
}

/** Report order of categories (others, e.g. future service ones, follow in order of appearance). */
const ORDER = ['pod-to-pod/same-node', 'pod-to-pod/cross-node', 'localhost', 'node-to-pod/local', 'node-to-pod/remote', 'pod-to-node/own', 'pod-to-node/other', 'pod-to-external', 'external-to-pod', 'vpc-host-to-pod', 'mtu', 'policy/matrix'];
const rank = (c: string) => (ORDER.includes(c) ? ORDER.indexOf(c) : c === 'declared' ? 1000 : 500);

function groups(run: RunReport): Map<string, Verdict[]> {
  const m = new Map<string, Verdict[]>();
  for (const v of run.verdicts) m.set(v.check.category, [...(m.get(v.check.category) ?? []), v]);
  return new Map([...m].sort((a, b) => rank(a[0]) - rank(b[0])));
}

const MARK = { pass: 'ok  ', fail: 'FAIL', error: 'ERR ' } as const;

function table(rows: string[][]): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ').trimEnd());
}

function checkLabel(v: Verdict): string {
  const c = v.check;
  if (c.declared) return `${c.declared.name}: ${c.protocol} ${c.from.label} -> ${c.to.label}`;
  if (c.probe.kind === 'ping-df') return `DF ${c.probe.size}B ${c.from.label} -> ${c.to.label}`;
  return `${c.protocol.padEnd(4)} ${c.from.label} -> ${c.to.label}`;
}

/** The human report: per category a table (expected vs observed); failing checks only unless verbose, then the failures with reason and evidence. */
export function human(r: Report, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  for (const run of r.runs) {
    const n = counts(run);
    out.push(`lab ${run.cluster} · mode ${run.mode} · ${n.total} checks in ${(run.ms / 1000).toFixed(1)}s: ${n.passed} passed, ${n.failed} failed, ${n.errors} errors, ${n.skipped} skipped${run.interrupted ? ` · interrupted: ${run.notRun ?? 0} not run` : ''}`);
    for (const p of run.problems) out.push(`  problem: ${p}`);
    for (const [cat, vs] of groups(run)) {
      const bad = vs.filter((v) => v.status !== 'pass');
      out.push('', `${cat}  (${vs.length - bad.length}/${vs.length} passed)`);
      const shown = opts.verbose ? vs : bad;
      if (!shown.length) continue;
      const rows = [['', 'CHECK', 'EXPECTED', 'OBSERVED'], ...shown.map((v) => [MARK[v.status], checkLabel(v), expectText(v.check.expect), v.observed])];
      for (const [i, line] of table(rows).entries()) {
        out.push('  ' + line);
        const v = shown[i - 1];
        if (v && v.status !== 'pass') out.push(`        ↳ ${v.reason}`);
      }
    }
    const matrix = renderMatrix(run.verdicts);
    if (matrix) out.push('', 'NetworkPolicy truth table', ...matrix.trimEnd().split('\n').map((l) => (l ? `  ${l}` : l)));
    if (run.skipped.length) {
      out.push('', `skipped (${run.skipped.length})`);
      for (const s of run.skipped) out.push(`  - ${s.category}: ${s.what}: ${s.reason}`);
    }
    const bad = run.verdicts.filter((v) => v.status !== 'pass');
    if (bad.length) {
      out.push('', 'evidence of failures');
      for (const v of bad) {
        const a = v.attempts[v.attempts.length - 1];
        out.push(`  ${v.check.id}`, `    ${v.reason}`, `    expected: ${expectText(v.check.expect)} (${v.check.expect.basis})`);
        if (a) {
          out.push(`    $ ${a.evidence.command}   # exit ${a.evidence.exitCode}, ${a.evidence.ms} ms, try ${v.attempts.length}/${v.check.tries}`);
          for (const l of a.evidence.output.split('\n').slice(0, 8)) out.push(`    | ${l}`);
        }
      }
    }
    out.push('');
  }
  const stopped = r.runs.filter((x) => x.interrupted);
  if (stopped.length) out.push(`RESULT: INTERRUPTED (${stopped.map((x) => `${x.verdicts.length} of ${x.verdicts.length + (x.notRun ?? 0)} checks ran`).join('; ')}; those that did not run count as neither passed nor failed)`);
  else out.push(reportOk(r) ? 'RESULT: PASS' : 'RESULT: FAIL');
  return out.join('\n');
}

function diag(v: Verdict): Record<string, unknown> {
  const a = v.attempts[v.attempts.length - 1];
  return {
    category: v.check.category,
    expected: expectText(v.check.expect),
    observed: v.observed,
    ...(v.reason ? { message: v.reason } : {}),
    basis: v.check.expect.basis,
    ...(v.notes.length ? { notes: [...v.notes] } : {}),
    tries: `${v.attempts.length}/${v.check.tries}`,
    ...(a ? { command: a.evidence.command, exitCode: a.evidence.exitCode, output: a.evidence.output } : {}),
    ...(v.check.declared ? { at: `${v.check.declared.file}:${v.check.declared.line}` } : {}),
  };
}

const tapEscape = (s: string) => s.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/\n/g, ' ');

/** TAP version 14: one test point per check (failures carry a YAML diagnostic block); skipped checks as `# SKIP`. */
export function tap(r: Report): string {
  const multi = r.runs.length > 1;
  const lines: string[] = ['TAP version 14'];
  const points: string[] = [];
  for (const run of r.runs) {
    const pre = multi ? `[${run.mode}] ` : '';
    for (const p of run.problems) points.push(`not ok %N - ${tapEscape(`${pre}lab ${run.cluster}: ${p}`)}`);
    for (const v of run.verdicts) {
      points.push(`${v.status === 'pass' ? 'ok' : 'not ok'} %N - ${tapEscape(pre + v.check.id)}`);
      if (v.status !== 'pass') {
        const y = stringify(diag(v), { lineWidth: 0 }).trimEnd().split('\n').map((l) => '  ' + l);
        points.push('  ---', ...y, '  ...');
      }
    }
    for (const s of run.skipped) points.push(`ok %N - ${tapEscape(`${pre}${s.category}: ${s.what}`)} # SKIP ${tapEscape(s.reason)}`);
    if (run.interrupted) points.push(`# ${pre}interrupted: ${run.notRun ?? 0} checks were not run`);
  }
  let n = 0;
  const numbered = points.map((l) => (l.includes(' %N - ') && /^(not )?ok %N/.test(l) ? l.replace('%N', String(++n)) : l));
  lines.push(`1..${n}`, ...numbered);
  return lines.join('\n') + '\n';
}

export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** JUnit XML: one <testsuite> per mode and category, one <testcase> per check; <failure>/<error> carry the reason and evidence. */
export function junit(r: Report): string {
  const suites: string[] = [];
  let T = 0, F = 0, E = 0, S = 0, time = 0;
  for (const run of r.runs) {
    const cats = groups(run);
    if (run.problems.length) {
      E += run.problems.length;
      T += run.problems.length;
      suites.push(`  <testsuite name="${xmlEscape(`${run.mode}.lab`)}" tests="${run.problems.length}" failures="0" errors="${run.problems.length}" skipped="0" time="0">`,
        ...run.problems.map((p) => `    <testcase classname="${xmlEscape(`podlab.${run.mode}.lab`)}" name="${xmlEscape(`lab ${run.cluster}`)}" time="0">\n      <error message="${xmlEscape(p)}" type="LabError"/>\n    </testcase>`),
        '  </testsuite>');
    }
    const skipsBy = new Map<string, typeof run.skipped[number][]>();
    for (const s of run.skipped) skipsBy.set(s.category, [...(skipsBy.get(s.category) ?? []), s]);
    const names = [...new Set([...cats.keys(), ...skipsBy.keys()])];
    for (const cat of names) {
      const vs = cats.get(cat) ?? [];
      const sk = skipsBy.get(cat) ?? [];
      const f = vs.filter((v) => v.status === 'fail').length;
      const e = vs.filter((v) => v.status === 'error').length;
      const secs = vs.reduce((a, v) => a + v.ms, 0) / 1000;
      T += vs.length + sk.length; F += f; E += e; S += sk.length; time += secs;
      suites.push(`  <testsuite name="${xmlEscape(`${run.mode}.${cat}`)}" tests="${vs.length + sk.length}" failures="${f}" errors="${e}" skipped="${sk.length}" time="${secs.toFixed(3)}">`);
      for (const v of vs) {
        const cls = xmlEscape(`podlab.${run.mode}.${cat.replace(/\//g, '.')}`);
        const open = `    <testcase classname="${cls}" name="${xmlEscape(v.check.id)}" time="${(v.ms / 1000).toFixed(3)}"`;
        if (v.status === 'pass') {
          suites.push(`${open}/>`);
          continue;
        }
        const tag = v.status === 'fail' ? 'failure' : 'error';
        const body = stringify(diag(v), { lineWidth: 0 });
        suites.push(`${open}>`, `      <${tag} message="${xmlEscape(v.reason)}" type="${v.status === 'fail' ? 'CheckFailed' : 'ProbeError'}">${xmlEscape(body)}</${tag}>`, '    </testcase>');
      }
      for (const s of sk) {
        suites.push(`    <testcase classname="${xmlEscape(`podlab.${run.mode}.${cat.replace(/\//g, '.')}`)}" name="${xmlEscape(`${cat}: ${s.what}`)}" time="0">`, `      <skipped message="${xmlEscape(s.reason)}"/>`, '    </testcase>');
      }
      suites.push('  </testsuite>');
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="podlab" tests="${T}" failures="${F}" errors="${E}" skipped="${S}" time="${time.toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

export function json(r: Report): string {
  return JSON.stringify({
    ok: reportOk(r),
    runs: r.runs.map((run) => ({
      cluster: run.cluster, mode: run.mode, ms: Math.round(run.ms), counts: counts(run), problems: run.problems, skipped: run.skipped,
      ...(run.interrupted ? { interrupted: true, notRun: run.notRun ?? 0 } : {}),
      checks: run.verdicts.map((v) => ({
        id: v.check.id, category: v.check.category, protocol: v.check.protocol, from: v.check.from.label, to: v.check.to.label,
        target: { ip: v.check.to.ip, port: v.check.to.port }, probe: v.check.probe,
        expected: { ...v.check.expect }, status: v.status, reason: v.reason, observed: v.observed, notes: v.notes, ms: v.ms,
        ...(v.check.declared ? { declared: v.check.declared } : {}),
        attempts: v.attempts,
      })),
    })),
  }, null, 2) + '\n';
}
