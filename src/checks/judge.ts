// The judge (pure): attempts + expectation → verdict with a one-line reason. Also the retry policy: whether
// another attempt is needed. A check never passes without at least one attempt's evidence.
import type { Attempt, Check, Verdict } from './types.js';

export type WhoIs = (ip: string) => string;

/** Should the runner make another attempt after these? */
export function wantsMore(c: Check, attempts: readonly Attempt[]): boolean {
  if (attempts.length >= c.tries) return false;
  const last = attempts[attempts.length - 1];
  if (!last) return true;
  if (last.observed === 'error') return false;
  if (c.expect.outcome === 'ok') {
    if (c.expect.backends) return true; // every try counts toward "each backend answered"
    if (last.observed !== 'ok') return true; // a positive result may retry briefly
    return false;
  }
  // A negative result must hold on every try; the first answer already decides the failure.
  return last.observed !== 'ok';
}

function sourceOk(c: Check, a: Attempt): boolean {
  return !c.expect.source || (a.sourceIp !== undefined && c.expect.source.allowed.includes(a.sourceIp));
}

export function observedText(a: Attempt | undefined): string {
  if (!a) return 'not run';
  if (a.observed === 'ok') return `ok${a.sourceIp ? ` from ${a.sourceIp}` : ''}${a.hostname ? ` by ${a.hostname}` : ''}`;
  return `${a.observed} (${a.detail})`;
}

/** Why a source address differs: name the likely cause in the dataplane's words. */
function sourceCause(c: Check, seen: string, who: string): string {
  const cls = c.expect.source!.class;
  if (cls === 'POD' || cls === 'EXT' || cls === 'IP') return who.startsWith('node ') || who === 'unknown' ? 'unexpected SNAT' : 'wrong source address';
  if (cls === 'NODE') {
    if (seen === c.expect.source!.preferred) return 'wrong source address';
    if (who.startsWith('pod ')) return 'missing masquerade (flannel MASQUERADE did not apply)';
    return who.startsWith('node ') ? 'SNAT to the wrong node address' : 'unexpected SNAT';
  }
  return 'wrong source address';
}

export function judge(c: Check, attempts: readonly Attempt[], whoIs: WhoIs, ms = 0): Verdict {
  const notes: string[] = [];
  const last = attempts[attempts.length - 1];
  const mk = (status: Verdict['status'], reason: string, observed = observedText(last)): Verdict => ({ check: c, status, reason, observed, notes, attempts, ms });
  if (!last) return mk('error', 'no attempt was made, so there is no evidence');
  const errored = attempts.find((a) => a.observed === 'error');
  if (errored) return mk('error', `the probe could not run: ${errored.detail}`, observedText(errored));

  const e = c.expect;
  if (e.outcome === 'ok') {
    const oks = attempts.filter((a) => a.observed === 'ok');
    if (!oks.length) {
      return mk('fail', `expected an answer, got ${last.observed} on all ${attempts.length} tr${attempts.length === 1 ? 'y' : 'ies'} (${last.detail})`);
    }
    if (e.source) {
      const bad = oks.find((a) => !sourceOk(c, a));
      if (bad) {
        if (bad.sourceIp === undefined) return mk('error', 'the server answered without reporting the source address it saw', observedText(bad));
        const who = whoIs(bad.sourceIp);
        return mk('fail', `server saw ${bad.sourceIp} (${who}), expected ${e.source.describe}: ${sourceCause(c, bad.sourceIp, who)}`, observedText(bad));
      }
      const seen = [...new Set(oks.map((a) => a.sourceIp!))];
      if (e.source.preferred && seen.some((s) => s !== e.source!.preferred)) {
        notes.push(`source ${seen.join(', ')} is allowed, but the real system picks ${e.source.preferred} (${e.basis})`);
      }
    }
    if (e.backends) {
      const seen = new Set(oks.map((a) => a.hostname ?? '?'));
      const extra = [...seen].filter((h) => !e.backends!.includes(h));
      const missing = e.backends.filter((b) => !seen.has(b));
      if (extra.length) return mk('fail', `answered by ${extra.join(', ')}, which is not among the expected backends ${e.backends.join(', ')}`);
      if (missing.length) return mk('fail', `backend(s) ${missing.join(', ')} never answered in ${attempts.length} tries (seen: ${[...seen].join(', ')})`);
    }
    if (oks.length < attempts.length) notes.push(`${attempts.length - oks.length} of ${attempts.length} tries failed before an answer`);
    return mk('pass', '', observedText(oks[oks.length - 1]));
  }

  // Negative expectations: every try must fail in the expected way.
  const answered = attempts.find((a) => a.observed === 'ok');
  if (answered) {
    const by = answered.hostname ? ` by ${answered.hostname}` : '';
    const src = answered.sourceIp ? ` (server saw ${answered.sourceIp}, ${whoIs(answered.sourceIp)})` : '';
    return mk('fail', `expected ${e.outcome}, but it was answered${by}${src}: ${e.basis}`, observedText(answered));
  }
  if (e.outcome === 'refused') {
    const d = attempts.find((a) => a.observed === 'dropped');
    if (d) return mk('fail', `expected a fast refusal, but it timed out (${d.detail}): something drops instead of rejecting`, observedText(d));
  }
  if (e.outcome === 'dropped') {
    const r = attempts.find((a) => a.observed === 'refused');
    if (r) return mk('fail', `expected it to be dropped (time out), but it was refused fast (${r.detail})`, observedText(r));
  }
  return mk('pass', '');
}
