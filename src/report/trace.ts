// `podlab trace`'s human view (pure): the hops in order, each with the devices the probe crossed, the route that
// sent it on, the rules that matched and the conntrack entry; fits 80 columns; red (on a terminal) where the
// kernel's evidence and the expectation model disagree.
import { tupleText, type RuleWalk, type TraceResult } from '../expect/trace.js';

export interface TraceRenderOptions {
  readonly color?: boolean;
  readonly width?: number;
  /** Every walk through netfilter, not only the ones that decided or name something. */
  readonly verbose?: boolean;
}

/** Wrap `text` at `width`, continuation lines indented by `indent` spaces (words longer than a line are cut). */
export function wrap(text: string, width: number, first: string, indent: number): string[] {
  const out: string[] = [];
  let line = first;
  const pad = ' '.repeat(indent);
  for (const word of text.split(' ')) {
    const w = word.length > width - indent ? `${word.slice(0, width - indent - 1)}…` : word;
    const sep = line.length && !/\s$/.test(line) ? ' ' : '';
    if (line.length + sep.length + w.length > width && line.trim().length) {
      out.push(line.trimEnd());
      line = pad + w;
    } else line += sep + w;
  }
  if (line.trim()) out.push(line.trimEnd());
  return out;
}

/** Chain names shortened for the eye: kube-proxy's 16-character hashes keep their first 6. */
const short = (c: string) => c.replace(/^(KUBE-(?:SVC|SEP|SVL|EXT|FW)-)([A-Z0-9]{6})[A-Z0-9]{10}$/, '$1$2…');

function interesting(w: RuleWalk, verbose: boolean): boolean {
  if (verbose) return true;
  if (w.decisive || w.meaning.length) return true;
  return w.chains.some((c) => /^(KUBE-|FLANNEL|cali-p|AWS-NP|service-|endpoint-|external-|nodeport|reject)/.test(c)) && !/^policy accept$|^continue$/.test(w.effect)
    || w.chains.some((c) => /POSTROUTING$/.test(c) && w.chains.length > 1);
}

export function renderTrace(r: TraceResult, o: TraceRenderOptions = {}): string {
  if (!r.lookup) return renderOne(r, o);
  const W = o.width ?? 80;
  const l = r.lookup;
  const bold = (s: string) => (o.color ? `\x1b[1m${s}\x1b[0m` : s);
  const L: string[] = [];
  const add = (text: string, first = '', indent = first.length) => L.push(...wrap(text, W, first, indent));
  add(`${r.from} → ${r.to} by name, lab ${r.cluster} (${r.mode})`, bold('trace '), 6);
  add(`${l.name}: the resolver of ${r.from} asks ${l.resolver.ip}:53, ${l.resolver.what} (search ${l.resolvConf.search.join(' ') || '(none)'}, ndots ${l.resolvConf.ndots})`, 'lookup   ', 9);
  for (const x of l.exchanges) add(`${x.query} → ${x.answer ?? '(no answer seen)'}`, '         ', 9);
  add(`${l.answers.join(', ') || 'no address'}${l.expected.join() === l.answers.join() ? '' : ` (the model: ${l.expected.join(', ') || 'no address'})`}`, 'answer   ', 9);
  L.push('', bold('── 1. the lookup ──'), '');
  const one = renderOne(l.trace, o).split('\n');
  L.push(...one);
  if (r.hops.length || r.probe.observed !== 'error') {
    L.push(bold(`── 2. the connection to ${r.target.ip}${r.target.port !== undefined ? `:${r.target.port}` : ''}, the address answered ──`), '');
    L.push(...renderOne({ ...r, disagreements: r.disagreements.filter((d) => !d.what.startsWith('lookup: ')) }, o).split('\n'));
  } else L.push(`no connection: ${r.probe.detail}`, '');
  return L.join('\n').replace(/\n+$/, '\n');
}

function renderOne(r: TraceResult, o: TraceRenderOptions): string {
  const W = o.width ?? 80;
  const red = (s: string) => (o.color ? `\x1b[31m${s}\x1b[0m` : s);
  const bold = (s: string) => (o.color ? `\x1b[1m${s}\x1b[0m` : s);
  const L: string[] = [];
  const add = (text: string, first = '', indent = first.length) => L.push(...wrap(text, W, first, indent));
  const target = `${r.target.ip}${r.target.port !== undefined ? `:${r.target.port}` : ''}`;
  add(`${r.protocol} ${r.from} → ${r.to}${r.to.includes(target) ? '' : ` (${target})`}, lab ${r.cluster} (${r.mode})`, bold('trace '), 6);
  const who = r.addresses.answeredBy ? `, answered by ${r.addresses.answeredBy}` : '';
  add(`${r.probe.observed}: ${r.probe.detail}${who} (${r.probe.ms} ms)`, 'probe    ', 9);
  add(r.probe.command, '         ', 9);
  if (r.addresses.clientUsed || r.addresses.serverSaw) {
    // A probe that answered without saying who it saw (a DNS lookup): only what the client sent from.
    const saw = r.addresses.serverSaw ?? (r.probe.observed === 'ok' ? undefined : '(no answer)');
    add(`the client sent from ${r.addresses.clientUsed ?? '?'}${saw ? `; the server saw ${saw}` : ''}`, 'address  ', 9);
  }
  if (r.expectation) add(`${r.expectation.text} (${r.expectation.basis})`, 'expected ', 9);
  else add('the expectation model generates no check for this flow', 'expected ', 9);
  add(r.ruleEvidence, 'rules    ', 9);
  L.push('');
  r.hops.forEach((h, i) => {
    const flooded = h.devices.length > 0 && h.devices.every((d) => d.dir === 'P') && !h.rules.some((p) => p.walks.some((w) => w.decisive));
    L.push(bold(`${String(i + 1).padStart(2)} ${h.label}`) + `  ${h.netns}${flooded && h.label.startsWith('node') ? '  (a flooded copy: not on the path)' : ''}`);
    for (const d of h.devices) {
      add(`${d.encap ? `${d.encap}: ` : ''}${d.packet}${d.count > 1 ? ` (${d.count} pkts both ways)` : ''}`, `   ${d.dev.padEnd(12)} ${d.dir.padEnd(3)} `, 21);
    }
    if (h.route) add(h.route.error ? `${h.route.query.replace(/^route get /, '')}: ${h.route.error}` : `${h.route.query.replace(/^route get /, '')} → ${h.route.route}`, '   route  ', 10);
    const seen = new Set<string>();
    const walks = h.rules.flatMap((p) => p.walks).filter((w) => interesting(w, o.verbose === true)).filter((w) => {
      const k = `${w.table} ${w.chains.join(' ')} ${w.effect}`;
      return !seen.has(k) && !!seen.add(k);
    });
    walks.forEach((w, j) => {
      const effect = /^(drop|reject)/.test(w.effect) ? w.effect.toUpperCase() : w.effect;
      add(`${w.table} ${w.chains.map(short).join(' → ')}: ${effect}`, j === 0 ? '   rules  ' : '          ', 12);
      if (w.meaning.length) add(w.meaning.join('; '), '            = ', 14);
    });
    for (const ct of h.conntrack) {
      add(`${ct.protocol}${ct.state ? ` ${ct.state}` : ''} orig ${tupleText(ct.original)} reply ${tupleText(ct.reply)}`, '   conntrack ', 13);
    }
    for (const f of h.pcaps) add(f, '   pcap   ', 10);
  });
  if (!r.hops.length) L.push('the probe was not seen in any namespace of the lab');
  if (r.disagreements.length) {
    L.push('');
    L.push(red('the kernel and the expectation model disagree:'));
    for (const d of r.disagreements) L.push(...wrap(`${d.what}: expected ${d.expected}, the kernel shows ${d.seen}`, W, '  ', 4).map(red));
  }
  L.push('');
  L.push(`${r.ms} ms, ${r.commands} commands; trace tables and captures removed${r.left.tables || r.left.processes ? '' : ', none left'}`);
  if (r.left.tables || r.left.processes) L.push(red(`left behind: ${r.left.tables} trace table(s), ${r.left.processes} capture process(es)`));
  return L.join('\n') + '\n';
}
