// The truth table as text: `.` answered, `X` blocked, `!` where the dataplane differs from the policy model, and
// every wrong cell listed with the policies that should have decided it; the cells are ordinary checks in TAP/JSON.
import t from 'tap';
import { renderMatrix } from '../../src/report/matrix.js';
import { human, json, tap } from '../../src/report/checks.js';
import { judge } from '../../src/expect/judge.js';
import { policyMatrixChecks } from '../../src/expect/matrix.js';
import { netpolTopology, policy } from '../helpers/netpol.js';
import type { Attempt, Check, Verdict } from '../../src/expect/types.js';

const topo = netpolTopology(policy('x', 'deny-ingress', 'podSelector: {}\npolicyTypes: [Ingress]'));
const checks = policyMatrixChecks(topo).checks;
const ev = { command: 'python3 <batch-probe.py>', exitCode: 0, output: '', ms: 5 };
const answered = (c: Check): Attempt => ({ observed: 'ok', detail: 'answered', hostname: c.to.label.split('/')[1]!.split(':')[0]!, sourceIp: topo.pods.find((p) => p.key === c.from.label)!.ip, sourcePort: 40000, evidence: ev });
const dropped: Attempt = { observed: 'dropped', detail: 'timed out (no SYN-ACK, no RST)', evidence: ev };
// The dataplane gets two cells wrong: y/a reaches x/b, and x/a cannot reach y/c on 81.
const verdicts: Verdict[] = checks.map((c) => {
  const wrongOpen = c.id === 'policy TCP y/a -> x/b:80';
  const wrongShut = c.id === 'policy TCP x/a -> y/c:81';
  const ok = (c.expect.outcome === 'ok' && !wrongShut) || wrongOpen;
  return judge(c, ok ? [answered(c)] : [dropped], () => 'pod');
});

t.test('the matrix text', async (t) => {
  const text = renderMatrix(verdicts);
  t.matchSnapshot(text, 'two tables, two wrong cells');
  t.match(text, /^y\/a {3}X {3}\.! {2}X {3}\. {3}\. {3}\. {3}\. {3}\. {3}\.$/m, 'y/a → x/b answered but should be blocked');
  t.match(text, /^x\/a {3}\. {3}X {3}X {3}\. {3}\. {3}X! {2}\. {3}\. {3}\.$/m, 'x/a → y/c blocked but should be answered');
  t.match(text, /y\/a -> x\/b:80\/TCP: ok .*by b; NetworkPolicy \(calico\): blocked: ingress of x\/b is isolated by x\/deny-ingress.*\[x\/deny-ingress\]/);
  t.match(text, /80\/81 cells as expected/);
  t.equal(renderMatrix([]), '', 'no truth table without matrix cells');
});

t.test('reporters carry the cells as checks', async (t) => {
  const report = { runs: [{ cluster: 'np', mode: 'overlay', verdicts, skipped: [], problems: [], ms: 1000 }] };
  t.match(human(report), /NetworkPolicy truth table\n {2}80\/TCP: rows are clients/);
  t.match(tap(report), /^not ok \d+ - policy TCP y\/a -> x\/b:80$/m);
  const j = JSON.parse(json(report)) as { runs: { checks: { id: string; category: string; expected: { outcome: string } }[] }[] };
  t.equal(j.runs[0]!.checks.filter((c) => c.category === 'policy/matrix').length, 162);
  t.equal(j.runs[0]!.checks.find((c) => c.id === 'policy TCP y/a -> x/b:80')!.expected.outcome, 'blocked');
});
