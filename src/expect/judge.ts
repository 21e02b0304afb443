// The judge (pure): attempts + expectation → verdict with a one-line reason. Also the retry policy: whether
// another attempt is needed. A check never passes without at least one attempt's evidence.
import { dnsText, type Attempt, type Check, type DnsExpect, type SourceExpect, type Verdict } from './types.js';

/** Whether a DNS attempt got exactly the expected response code and answers (in any order). */
export function dnsMatches(e: DnsExpect, a: Attempt): boolean {
  if (!a.dns || a.dns.rcode !== e.rcode) return false;
  const want = [...e.answers].sort();
  const got = [...a.dns.answers].sort();
  return want.length === got.length && want.every((x, i) => x === got[i]);
}

export type WhoIs = (ip: string) => string;

/** Should the runner make another attempt after these? */
export function wantsMore(c: Check, attempts: readonly Attempt[]): boolean {
  if (attempts.length >= c.tries) return false;
  const last = attempts[attempts.length - 1];
  if (!last) return true;
  if (last.observed === 'error') return false;
  if (c.expect.dns) return !dnsMatches(c.expect.dns, last);
  if (c.expect.outcome === 'ok') {
    if (c.expect.backends && c.expect.untilAll) {
      if (last.observed !== 'ok') return true;
      const seen = new Set(attempts.filter((a) => a.observed === 'ok').map((a) => a.hostname));
      return !c.expect.backends.every((b) => seen.has(b));
    }
    if (c.expect.backends?.length) return true; // every try counts toward "each backend answered"
    if (last.observed !== 'ok') return true; // a positive result may retry briefly
    return false;
  }
  // A negative result must hold on every try; the first answer already decides the failure.
  return last.observed !== 'ok';
}

/** The source expectation for one answer (per-backend override first, e.g. hairpin). */
export function sourceFor(c: Check, a: Attempt): SourceExpect | undefined {
  return (a.hostname !== undefined ? c.expect.sourceFor?.[a.hostname] : undefined) ?? c.expect.source;
}

function sourceOk(c: Check, a: Attempt): boolean {
  const s = sourceFor(c, a);
  return !s || (a.sourceIp !== undefined && s.allowed.includes(a.sourceIp));
}

export function observedText(a: Attempt | undefined): string {
  if (!a) return 'not run';
  if (a.dns) return dnsText(a.dns);
  if (a.observed === 'ok') return `ok${a.httpStatus !== undefined ? ` HTTP ${a.httpStatus}` : ''}${a.sourceIp ? ` from ${a.sourceIp}` : ''}${a.hostname ? ` by ${a.hostname}` : ''}${a.forwardedFor ? ` (X-Forwarded-For ${a.forwardedFor})` : ''}`;
  return `${a.observed} (${a.detail})`;
}

/** Why a source address differs: name the likely cause in the dataplane's words. */
function sourceCause(c: Check, src: SourceExpect, seen: string, who: string): string {
  const cls = src.class;
  if (cls === 'POD' || cls === 'EXT' || cls === 'IP') return who.startsWith('node ') || who === 'unknown' ? 'unexpected SNAT' : 'wrong source address';
  if (cls === 'NODE') {
    if (seen === src.preferred) return 'wrong source address';
    if (who.startsWith('pod ')) return `missing masquerade (${c.expect.explain?.masquerade ?? 'the masquerade rule'} did not apply)`;
    return who.startsWith('node ') ? 'SNAT to the wrong node address' : 'unexpected SNAT';
  }
  return 'wrong source address';
}

/** Where the hairpin hint starts in a reason (diagnose.ts replaces it when a pattern of failures names a better cause). */
export const HAIRPIN_HINT = ': the hairpin back to ';

/** A pod that never got its own answer back through its Service: the hairpin needs the masquerade (E9). */
function hairpinHint(c: Check, missing: readonly string[]): string {
  const self = missing.find((b) => c.expect.sourceFor?.[b]);
  return self ? `${HAIRPIN_HINT}${self} itself did not complete (it needs kube-proxy's MASQUERADE: KUBE-SEP -s <endpoint> -j KUBE-MARK-MASQ, then KUBE-POSTROUTING${c.expect.explain?.hairpin ? `; and ${c.expect.explain.hairpin}` : ''})` : '';
}

export function judge(c: Check, attempts: readonly Attempt[], whoIs: WhoIs, ms = 0): Verdict {
  const notes: string[] = [];
  const last = attempts[attempts.length - 1];
  const mk = (status: Verdict['status'], reason: string, observed = observedText(last)): Verdict => ({ check: c, status, reason, observed, notes, attempts, ms });
  if (!last) return mk('error', 'no attempt was made, so there is no evidence');
  const errored = attempts.find((a) => a.observed === 'error');
  if (errored) return mk('error', `the probe could not run: ${errored.detail}`, observedText(errored));

  const e = c.expect;
  if (e.dns) {
    if (dnsMatches(e.dns, last)) return mk('pass', '');
    if (!last.dns) return mk('fail', `expected ${dnsText(e.dns)}, got no DNS answer on all ${attempts.length} tries (${last.detail})`);
    const want = new Set(e.dns.answers);
    const got = new Set(last.dns.answers);
    const extra = [...got].filter((x) => !want.has(x));
    const missing = [...want].filter((x) => !got.has(x));
    const diff = last.dns.rcode !== e.dns.rcode ? `response ${last.dns.rcode} instead of ${e.dns.rcode}` : [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `unexpected ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
    return mk('fail', `expected ${dnsText(e.dns)}, got ${dnsText(last.dns)}: ${diff}`);
  }
  if (e.outcome === 'ok') {
    const oks = attempts.filter((a) => a.observed === 'ok');
    if (!oks.length) {
      return mk('fail', `expected an answer, got ${last.observed} on all ${attempts.length} tr${attempts.length === 1 ? 'y' : 'ies'} (${last.detail})${hairpinHint(c, c.expect.backends ?? [])}`);
    }
    if (e.source || e.sourceFor) {
      const bad = oks.find((a) => !sourceOk(c, a));
      if (bad) {
        if (bad.sourceIp === undefined) return mk('error', 'the server answered without reporting the source address it saw', observedText(bad));
        const who = whoIs(bad.sourceIp);
        const src = sourceFor(c, bad)!;
        const by = e.sourceFor && bad.hostname && e.sourceFor[bad.hostname] ? ` (answered by ${bad.hostname} itself)` : '';
        return mk('fail', `server saw ${bad.sourceIp} (${who})${by}, expected ${src.describe}: ${sourceCause(c, src, bad.sourceIp, who)}`, observedText(bad));
      }
      for (const a of oks) {
        const src = sourceFor(c, a)!;
        if (src?.preferred && a.sourceIp !== src.preferred) {
          notes.push(`source ${a.sourceIp} is allowed, but the real system picks ${src.preferred} (${e.basis})`);
          break;
        }
      }
    }
    if (e.http) {
      const bad = oks.find((a) => a.httpStatus !== e.http!.status || (e.http!.contains !== undefined && !(a.body ?? '').includes(e.http!.contains)));
      if (bad) return mk('fail', `expected HTTP ${e.http.status}${e.http.contains ? ` with ${JSON.stringify(e.http.contains)}` : ''}, got HTTP ${bad.httpStatus ?? '?'}${bad.body ? `: ${bad.body.replace(/\s+/g, ' ').slice(0, 120)}` : ''}`, observedText(bad));
    }
    if (e.forwardedFor) {
      const bad = oks.find((a) => a.forwardedFor === undefined || !e.forwardedFor!.includes(a.forwardedFor));
      if (bad) return mk('fail', `the backend saw X-Forwarded-For ${bad.forwardedFor === undefined ? '(none)' : bad.forwardedFor}, expected ${e.forwardedFor.join(' or ')}`, observedText(bad));
    }
    if (e.backends) {
      const seen = new Set(oks.map((a) => a.hostname ?? '?'));
      const allowed = [...e.backends, ...(e.mayAnswer ?? [])];
      const extra = [...seen].filter((h) => !allowed.includes(h));
      const missing = e.backends.filter((b) => !seen.has(b));
      if (extra.length) return mk('fail', `answered by ${extra.join(', ')}, which is not among the expected backends ${allowed.join(', ')}`);
      if (e.sameBackend) {
        if (seen.size > 1) return mk('fail', `answered by ${[...seen].join(' and ')} over ${oks.length} tries, expected one backend for every try: ClientIP session affinity is not applied`);
      } else if (missing.length) return mk('fail', `backend(s) ${missing.join(', ')} never answered in ${attempts.length} tries (seen: ${[...seen].join(', ')})${hairpinHint(c, missing)}`);
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
