// Horizontal bar charts as inline SVG (pure). Colours come from the page's CSS (classes s0…s5 per mode), so the
// same markup reads in light and dark. Each group has its own scale, so figures of different sizes can sit in
// one chart without the small ones vanishing.

export interface Bar {
  /** Colour index (the mode's position). */
  readonly series: number;
  readonly label: string;
  readonly value: number | null;
  /** The figure printed after the bar (default: the value). */
  readonly text?: string;
  /** A second shade of the same colour (e.g. the 10-node lab beside the 3-node one). */
  readonly alt?: boolean;
}

export interface Group {
  readonly title: string;
  readonly bars: readonly Bar[];
  /** Scale end (default: the largest value). */
  readonly max?: number;
  /** A reference line, e.g. 1.0 for a ratio of a ceiling. */
  readonly marker?: { readonly value: number; readonly label: string };
}

export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly how: string;
  readonly groups: readonly Group[];
  readonly legend: readonly { readonly label: string; readonly series: number; readonly alt?: boolean }[];
}

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 760;
const LABEL_W = 170;
const BAR_W = 430;
const ROW = 20;
const GROUP_HEAD = 24;
const GAP = 10;
const r1 = (x: number) => Math.round(x * 10) / 10;

export function barChartSvg(c: Chart): string {
  const parts: string[] = [];
  let y = 4;
  // Legend
  let lx = 0;
  for (const l of c.legend) {
    const w = 17 + 7 * l.label.length + 18;
    if (lx > 0 && lx + w > W) {
      lx = 0;
      y += 18;
    }
    parts.push(`<rect class="sw s${l.series}${l.alt ? ' alt' : ''}" x="${lx}" y="${y}" width="12" height="12" rx="2"/>`);
    parts.push(`<text class="legend" x="${lx + 17}" y="${y + 10}">${esc(l.label)}</text>`);
    lx += w;
  }
  y += 24;
  for (const g of c.groups) {
    parts.push(`<text class="group" x="0" y="${y + 15}">${esc(g.title)}</text>`);
    y += GROUP_HEAD;
    const known = g.bars.map((b) => b.value).filter((v): v is number => v !== null && Number.isFinite(v));
    const max = g.max ?? Math.max(0, ...known, g.marker?.value ?? 0);
    const scale = max > 0 ? BAR_W / max : 0;
    const top = y;
    for (const b of g.bars) {
      parts.push(`<text class="label" x="${LABEL_W - 8}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>`);
      if (b.value === null || !Number.isFinite(b.value)) {
        parts.push(`<text class="na" x="${LABEL_W + 4}" y="${y + 14}">${esc(b.text ?? 'not measured')}</text>`);
      } else {
        const w = r1(Math.max(0, b.value) * scale);
        parts.push(`<rect class="bar s${b.series}${b.alt ? ' alt' : ''}" x="${LABEL_W}" y="${y + 3}" width="${w}" height="14" rx="2"><title>${esc(`${b.label}: ${b.text ?? b.value}`)}</title></rect>`);
        parts.push(`<text class="value" x="${r1(LABEL_W + w + 6)}" y="${y + 14}">${esc(b.text ?? String(b.value))}</text>`);
      }
      y += ROW;
    }
    if (g.marker && scale > 0) {
      const mx = r1(LABEL_W + g.marker.value * scale);
      parts.push(`<line class="marker" x1="${mx}" x2="${mx}" y1="${top}" y2="${y}"/>`);
      parts.push(`<text class="marker-label" x="${mx + 3}" y="${top - 3}">${esc(g.marker.label)}</text>`);
    }
    y += GAP;
  }
  const h = y;
  return `<svg class="bars" role="img" aria-labelledby="${esc(c.id)}-title" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" xmlns="http://www.w3.org/2000/svg"><title id="${esc(c.id)}-title">${esc(c.title)}</title>${parts.join('')}</svg>`;
}
