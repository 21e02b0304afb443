// report.html (pure): one self-contained page — inline CSS and SVG, no script, nothing fetched — with the
// measured figures, the parity matrix and the charts; light or dark following prefers-color-scheme.
import { chartsOf } from './charts.js';
import { LEVEL_TEXT, whyText, durationText, summarySections } from './summary.js';
import { barChartSvg, esc } from './svg.js';
import type { CompareReport } from './types.js';

const CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d232b; --muted: #5b6673; --line: #d9dee4; --head: #f3f5f8;
  --pass: #1f7a3d; --pass-bg: #e6f4ea; --fail: #b3261e; --fail-bg: #fce8e6; --diff: #8a5a00; --diff-bg: #fff4d6;
  --s0: #2f6fdf; --s1: #d9731a; --s2: #2e9e5b; --s3: #8e5bd6; --s4: #c43c6e; --s5: #6b7a8a; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14181d; --fg: #e6e9ed; --muted: #9aa5b1; --line: #313942; --head: #1c2229;
    --pass: #7fd39a; --pass-bg: #173322; --fail: #ff9b93; --fail-bg: #3d1b19; --diff: #f0c36a; --diff-bg: #3a2f12;
    --s0: #6d9cf0; --s1: #f09a4f; --s2: #5fc48a; --s3: #b08cf0; --s4: #ea7aa3; --s5: #9aa8b6; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.meta, .how, footer { color: var(--muted); } .how { margin: 4px 0 10px; max-width: 900px; }
.verdict { font-weight: 600; padding: 6px 10px; border-radius: 6px; display: inline-block; }
.verdict.ok { color: var(--pass); background: var(--pass-bg); } .verdict.bad { color: var(--fail); background: var(--fail-bg); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; } td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.pass { color: var(--pass); background: var(--pass-bg); } td.fail { color: var(--fail); background: var(--fail-bg); font-weight: 600; }
td.absent { color: var(--muted); }
tr.level-behaviour td.parity, tr.level-only td.parity { color: var(--diff); background: var(--diff-bg); }
tr.level-unexpected td.parity { color: var(--fail); background: var(--fail-bg); font-weight: 600; }
td.why { font-size: 12.5px; color: var(--muted); } tr.section th { background: transparent; border-left: 0; border-right: 0; padding-top: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
figure.chart { margin: 18px 0 26px; } figure.chart figcaption h3 { margin: 0; }
svg.bars { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg.bars text { fill: var(--fg); } svg.bars text.group { font-weight: 600; } svg.bars text.na, svg.bars text.marker-label { fill: var(--muted); }
svg.bars line.marker { stroke: var(--muted); stroke-dasharray: 4 3; }
.s0 { fill: var(--s0); background: var(--s0); } .s1 { fill: var(--s1); background: var(--s1); } .s2 { fill: var(--s2); background: var(--s2); }
.s3 { fill: var(--s3); background: var(--s3); } .s4 { fill: var(--s4); background: var(--s4); } .s5 { fill: var(--s5); background: var(--s5); }
.alt { fill-opacity: 0.45; opacity: 0.85; }
ul.problems li { color: var(--fail); }
`;

function matrix(r: CompareReport): string {
  const modes = r.modeOrder;
  const head = `<tr><th>category</th>${modes.map((m, i) => `<th><span class="swatch s${i}"></span>${esc(m)}</th>`).join('')}<th>parity</th><th>why (from the expectation model)</th></tr>`;
  const rows = r.parity.categories.map((c) => {
    const cells = modes.map((m) => {
      const x = c.cells[m];
      if (!x) return '<td class="num absent">–</td>';
      return `<td class="num ${x.passed === x.total ? 'pass' : 'fail'}">${x.passed}/${x.total}</td>`;
    }).join('');
    return `<tr class="level-${c.level}" data-category="${esc(c.category)}"><td>${esc(c.category)}</td>${cells}<td class="parity">${esc(LEVEL_TEXT[c.level])}</td><td class="why">${esc(whyText(c))}</td></tr>`;
  });
  return `<table id="parity">${head}${rows.join('')}</table>`;
}

const MAX_ROWS = 80;

function differences(r: CompareReport): string {
  const modes = r.modeOrder;
  const diff = r.parity.rows.filter((x) => x.level === 'behaviour' || x.level === 'only' || x.level === 'unexpected');
  if (!diff.length) return '<p class="how" id="parity-rows-none">No check has a different result in different modes: every difference above is one of mechanism only.</p>';
  const head = `<tr><th>check</th>${modes.map((m) => `<th>${esc(m)}</th>`).join('')}<th>why</th></tr>`;
  const rows = diff.slice(0, MAX_ROWS).map((x) => `<tr class="level-${x.level}"><td>${esc(x.category)}: ${esc(x.label)}</td>${modes.map((m) => {
    const c = x.cells[m];
    if (!c) return '<td class="absent">not generated</td>';
    return c.status === 'pass' ? `<td class="pass">${esc(c.expected)}</td>` : `<td class="fail">${esc(c.status.toUpperCase())}: expected ${esc(c.expected)}, observed ${esc(c.observed)}</td>`;
  }).join('')}<td class="why">${esc(x.explanation)}</td></tr>`);
  const more = diff.length > MAX_ROWS ? `<p class="how">… and ${diff.length - MAX_ROWS} more in report.json (parity.rows).</p>` : '';
  return `<table id="parity-rows">${head}${rows.join('')}</table>${more}`;
}

function measured(r: CompareReport): string {
  const modes = r.modeOrder;
  const head = `<tr><th></th>${modes.map((m, i) => `<th><span class="swatch s${i}"></span>${esc(m)}</th>`).join('')}</tr>`;
  const body = summarySections(r).map((s) => `<tr class="section"><th colspan="${modes.length + 1}">${esc(s.title)}</th></tr>${s.rows.map((x) => `<tr data-row="${esc(x.id)}"><td>${esc(x.label)}</td>${x.values.map((v) => `<td class="num">${esc(v)}</td>`).join('')}</tr>`).join('')}`).join('');
  return `<table id="measured">${head}${body}</table>`;
}

export function renderHtml(r: CompareReport): string {
  const modes = r.modeOrder;
  const problems = modes.flatMap((m) => r.modes[m]!.problems.map((p) => `<li>${esc(m)}: ${esc(p)}</li>`));
  const notes = modes.flatMap((m) => r.modes[m]!.notes.map((p) => `<li>${esc(m)}: ${esc(p)}</li>`));
  const between = modes.map((m) => `<li>${esc(m)}: ${esc(Object.entries(r.modes[m]!.endpoints).map(([k, v]) => `${k} ${v}`).join('; ') || '–')}</li>`).join('');
  const charts = chartsOf(r).map((c) => `<figure class="chart" id="${esc(c.id)}"><figcaption><h3>${esc(c.title)}</h3><p class="how"><strong>How to read this:</strong> ${esc(c.how)}</p></figcaption>${barChartSvg(c)}</figure>`).join('\n');
  const s = r.parity.summary;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>podlab compare: ${esc(modes.join(' · '))} (${esc(r.cluster)})</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>podlab compare: ${esc(modes.join(' · '))}</h1>
<p class="meta">lab <code>${esc(r.cluster)}</code> from ${r.files.map((f) => `<code>${esc(f)}</code>`).join(', ')} · started ${esc(r.startedAt)} · ${esc(durationText(r.ms))} in all · Linux ${esc(r.host.kernel)}, ${r.host.cpus} CPUs</p>
<p class="verdict ${r.ok ? 'ok' : 'bad'}">${r.ok ? 'Every mode was built, passed its checks and was measured.' : r.interrupted ? 'Interrupted: the results are partial.' : 'Not every mode passed or could be measured: see the problems below.'}</p>
${problems.length ? `<ul class="problems">${problems.join('')}</ul>` : ''}
</header>
<section id="measured-section">
<h2>Measured</h2>
<p class="how"><strong>How to read this:</strong> one column per mode, each built from the same lab file, one after another, on the same machine. A dash means it was not measured (or does not apply); for dataplane figures, "a → b" is the value at the smaller and the larger lab.</p>
${measured(r)}
</section>
<section id="parity-section">
<h2>Check parity</h2>
<p class="how"><strong>How to read this:</strong> every check podlab generates (and every declared one) ran in every mode; a row is one category, a cell the checks passed out of those run. <em>same</em>: the modes agree and for the same reason. <em>same result, different mechanism</em>: the same outcome, reached differently (the why column quotes each mode's basis from the expectation model). <em>differs, as expected</em>: the model expects another outcome in another mode. <em>FAILS</em>: a check did not pass. ${s.same} check(s) same, ${s.mechanism} different mechanism, ${s.behaviour} different outcome, ${s.only} in some modes only, ${s.unexpected} failing.</p>
${matrix(r)}
<h3>Checks whose result differs by mode</h3>
${differences(r)}
</section>
<section id="charts">
<h2>Charts</h2>
${charts}
</section>
<section id="details">
<h2>Between what</h2>
<ul>${between}</ul>
${notes.length ? `<h3>Notes</h3><ul>${notes.join('')}</ul>` : ''}
</section>
<footer><p>Generated by <code>podlab compare</code>. The figures are in report.json (schema: docs/compare.md); this page needs no network.</p></footer>
</main>
</body>
</html>
`;
}
