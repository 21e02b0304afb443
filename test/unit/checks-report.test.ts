// Reporters: TAP 14 parsed back with tap-parser, JUnit XML parsed back with a real XML parser (python3's
// xml.etree), JSON and the human table.
import t from 'tap';
import { Parser } from 'tap-parser';
import { execa } from 'execa';
import { render, tap, junit, json, human } from '../../src/report/checks.js';
import type { Check, Report, Verdict, Attempt } from '../../src/expect/types.js';

const check = (id: string, category: string, outcome: 'ok' | 'blocked' = 'ok'): Check => ({
  id, category, from: { label: 'x/a', netns: 'pl-r-x-a' }, to: { label: 'x/b:8080', ip: '10.244.1.2', port: 8080 }, protocol: 'TCP',
  probe: { kind: 'netexec' }, tries: 3,
  expect: { outcome, source: outcome === 'ok' ? { class: 'POD', allowed: ['10.244.0.2'], preferred: '10.244.0.2', describe: "the pod's own 10.244.0.2" } : undefined, basis: 'E2' },
});
const att = (o: Partial<Attempt> = {}): Attempt => ({
  observed: 'ok', detail: 'answered', sourceIp: '10.244.0.2', hostname: 'b',
  evidence: { command: "ip netns exec pl-r-x-a curl -sS http://10.244.1.2:8080/clientip", exitCode: 0, output: 'HTTP/1.1 200 OK\n<&"\'>', ms: 12 }, ...o,
});
const verdict = (c: Check, status: Verdict['status'], reason = '', attempts = [att()]): Verdict => ({ check: c, status, reason, observed: 'ok from 10.244.0.2 by b', notes: [], attempts, ms: 15 });

const REPORT: Report = {
  runs: [
    {
      cluster: 'r', mode: 'overlay', ms: 1234, problems: [],
      skipped: [{ category: 'pod-to-pod/cross-node', what: 'UDP to x/c', reason: 'no netexec UDP port # really' }],
      verdicts: [
        verdict(check('pod-to-pod/cross-node TCP x/a -> x/b:8080', 'pod-to-pod/cross-node'), 'pass'),
        verdict(check('pod-to-pod/cross-node UDP x/a -> x/b:8080', 'pod-to-pod/cross-node'), 'fail',
          "server saw 172.18.0.11 (node node1 eth0), expected the pod's own 10.244.0.2: unexpected SNAT", [att({ sourceIp: '172.18.0.11' })]),
        verdict(check('external-to-pod TCP external -> x/b:8080', 'external-to-pod', 'blocked'), 'error', 'the probe could not run: namespace <gone>',
          [att({ observed: 'error', detail: 'namespace gone', sourceIp: undefined, hostname: undefined })]),
      ],
    },
    { cluster: 'r', mode: 'bgp', ms: 5, problems: ['bgp: mode "bgp" is not built'], skipped: [], verdicts: [] },
  ],
};

t.test('TAP 14 parses back: plan, points, failures with YAML diagnostics, skips', async (t) => {
  const text = tap(REPORT);
  t.match(text, /^TAP version 14\n1\.\.5\n/);
  const results: { ok: boolean; name: string; skip: unknown; diag: Record<string, unknown> | null }[] = [];
  const p = new Parser();
  p.on('assert', (r) => results.push({ ok: r.ok, name: r.name, skip: r.skip, diag: r.diag }));
  const done = new Promise<Record<string, unknown>>((res) => p.on('complete', res));
  p.end(text);
  const final = await done;
  t.match(final, { ok: false, count: 5, pass: 2, fail: 3, skip: 1 });
  t.same(results.map((r) => r.ok), [true, false, false, true, false]);
  t.equal(results[0]!.name, '[overlay] pod-to-pod/cross-node TCP x/a -> x/b:8080');
  t.match(results[1]!.diag, { category: 'pod-to-pod/cross-node', message: /unexpected SNAT/, expected: 'ok from POD 10.244.0.2', command: /curl/, exitCode: 0, output: /<&"'>/ });
  t.match(results[4]!.name, /\[bgp\] lab r: bgp: mode "bgp" is not built/);
  t.equal(results[3]!.skip, 'no netexec UDP port # really', 'a # in a reason is escaped');
});

t.test('JUnit XML parses back with a real XML parser', async (t) => {
  const xml = junit(REPORT);
  const py = `import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
print(json.dumps({"tag": root.tag, "attrs": root.attrib, "suites": [{"attrs": s.attrib, "cases": [{"attrs": c.attrib, "children": [{"tag": x.tag, "attrs": x.attrib, "text": x.text} for x in c]} for c in s]} for s in root]}))`;
  const r = await execa('python3', ['-c', py], { input: xml });
  const doc = JSON.parse(r.stdout);
  t.equal(doc.tag, 'testsuites');
  t.match(doc.attrs, { name: 'podlab', tests: '5', failures: '1', errors: '2', skipped: '1' });
  const names = doc.suites.map((s: { attrs: { name: string } }) => s.attrs.name);
  t.same(names, ['overlay.pod-to-pod/cross-node', 'overlay.external-to-pod', 'bgp.lab']);
  const cross = doc.suites[0];
  t.match(cross.attrs, { tests: '3', failures: '1', errors: '0', skipped: '1' });
  t.same(cross.cases[0].children, [], 'a passing case has no children');
  t.equal(cross.cases[0].attrs.classname, 'podlab.overlay.pod-to-pod.cross-node');
  t.match(cross.cases[1].children[0], { tag: 'failure', attrs: { type: 'CheckFailed', message: /server saw 172.18.0.11 .*unexpected SNAT/ }, text: /command: .*curl/ });
  t.match(cross.cases[1].children[0].text, /<&"'>/, 'evidence survives escaping');
  t.match(cross.cases[2].children[0], { tag: 'skipped', attrs: { message: 'no netexec UDP port # really' } });
  t.match(doc.suites[1].cases[0].children[0], { tag: 'error', attrs: { message: 'the probe could not run: namespace <gone>' } });
  t.match(doc.suites[2].cases[0].children[0], { tag: 'error', attrs: { type: 'LabError' } });
});

t.test('JSON keeps every verdict with its attempts and evidence', async (t) => {
  const j = JSON.parse(json(REPORT));
  t.equal(j.ok, false);
  t.same(j.runs[0].counts, { total: 3, passed: 1, failed: 1, errors: 1, skipped: 1 });
  t.equal(j.runs[0].checks[1].attempts[0].sourceIp, '172.18.0.11');
  t.match(j.runs[0].checks[1].attempts[0].evidence, { command: /curl/, exitCode: 0 });
  t.same(j.runs[1].problems, ['bgp: mode "bgp" is not built']);
});

t.test('human: grouped by category, failures with expected vs observed and the reason', async (t) => {
  const h = human(REPORT);
  t.match(h, /lab r · mode overlay · 3 checks in 1\.2s: 1 passed, 1 failed, 1 errors, 1 skipped/);
  t.match(h, /pod-to-pod\/cross-node {2}\(1\/2 passed\)/);
  t.match(h, /FAIL {2}TCP {2}x\/a -> x\/b:8080 {2}ok from POD 10\.244\.0\.2/);
  t.match(h, /↳ server saw 172\.18\.0\.11 \(node node1 eth0\), expected the pod's own 10\.244\.0\.2: unexpected SNAT/);
  t.match(h, /\$ ip netns exec pl-r-x-a curl/);
  t.match(h, /RESULT: FAIL$/);
  t.notMatch(h, /ok {3}TCP/, 'passing checks are listed only with --verbose');
  t.match(render(REPORT, 'human', { verbose: true }), /ok {4}TCP {2}x\/a -> x\/b:8080/);
  const good: Report = { runs: [{ ...REPORT.runs[0]!, verdicts: [REPORT.runs[0]!.verdicts[0]!] }] };
  t.match(human(good), /RESULT: PASS$/);
});
