// `kind: Check` documents: parsing and validation problems with file, line and path.
import t from 'tap';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import { parseTo, parseFrom } from '../../src/input/kinds/check.js';

const BASE = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: s}
spec:
  nodes: [{name: node1}, {name: node2}]
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x}
spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
`;

function problems(extra: string): string[] {
  try {
    parseLab([{ file: 'f.yaml', text: BASE + '---\n' + extra, dir: '/tmp' }]);
    return [];
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.problems.map((p) => `${p.file}:${p.line}: ${p.path}: ${p.message}`);
  }
}

t.test('a full Check parses', async (t) => {
  const lab = parseLab([{ file: 'f.yaml', text: BASE + `---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: frontend-reaches-backend}
spec:
  from: pod/x/a
  to: pod/x/b:8080
  protocol: TCP
  expect:
    outcome: ok
    source: pod
    backends: [x/b]
  tries: 20
`, dir: '/tmp' }]);
  t.equal(lab.checks.length, 1);
  t.same(lab.checks[0], {
    name: 'frontend-reaches-backend', from: { kind: 'pod', namespace: 'x', name: 'a' }, to: { kind: 'pod', namespace: 'x', name: 'b', port: 8080 },
    fromText: 'pod/x/a', toText: 'pod/x/b:8080', protocol: 'TCP', expect: { outcome: 'ok', source: { kind: 'pod' }, backends: ['x/b'] }, tries: 20,
    origin: { file: 'f.yaml', line: 17 },
  });
});

t.test('target and source syntax', async (t) => {
  t.same(parseFrom('node/node1'), { kind: 'node', name: 'node1' });
  t.same(parseFrom('external'), { kind: 'external' });
  t.match(parseFrom('pod/a'), /not a traffic source/);
  t.same(parseTo('external:8080'), { kind: 'external', port: 8080 });
  t.same(parseTo('10.0.0.1:53'), { kind: 'ip', ip: '10.0.0.1', port: 53 });
  t.same(parseTo('service/x/web:http'), { kind: 'service', namespace: 'x', name: 'web', port: 'http' });
  t.same(parseTo('nodeport/node1/x/web:80'), { kind: 'nodeport', node: 'node1', namespace: 'x', name: 'web', port: 80 });
  t.same(parseTo('pod/x/b'), { kind: 'pod', namespace: 'x', name: 'b', port: undefined });
  t.match(parseTo('pod/x/b:http'), /need a port number/);
  t.match(parseTo('pod/x/b:99999'), /out of range/);
  t.match(parseTo('svc/x'), /not a target/);
});

t.test('every problem is reported with file, line and path', async (t) => {
  const ps = problems(`apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: bad}
spec:
  from: pod/x/zz
  to: pod/x/b
  protocol: SCTP
  expect:
    outcome: maybe
    source: somewhere
    backends: [b]
  tries: 0
  color: red
`);
  t.same(ps, [
    'f.yaml:29: Check bad spec.color: unknown field "color" (allowed: from, to, protocol, expect, tries)',
    'f.yaml:23: Check bad spec.protocol: "SCTP" is not a check protocol (TCP, UDP, ICMP)',
    'f.yaml:25: Check bad spec.expect.outcome: "maybe" is not an outcome (ok, refused, dropped, blocked)',
    'f.yaml:26: Check bad spec.expect.source: "somewhere" is not a source class (pod, node, external or an exact IPv4 address)',
    'f.yaml:27: Check bad spec.expect.backends[0]: "b" is not a pod NS/NAME',
    'f.yaml:28: Check bad spec.tries: 0 must be an integer 1-100',
  ]);
});

t.test('references to unknown pods and nodes; ports vs ICMP; duplicates', async (t) => {
  const ps = problems(`apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: c1}
spec: {from: pod/x/zz, to: 'pod/x/b:8080', expect: {outcome: ok, backends: [x/nope]}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: c2}
spec: {from: node/node9, to: pod/x/b, protocol: TCP, expect: {outcome: ok}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: c3}
spec: {from: external, to: 'pod/x/b:80', protocol: ICMP, expect: {outcome: blocked, source: pod}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: c3}
spec: {from: external, to: 'pod/x/b:80', expect: {outcome: blocked}}
`);
  t.same([...ps].sort(), [
    'f.yaml:25: Check c2 spec.to: a TCP check needs a port ("pod/x/b:PORT")',
    'f.yaml:30: Check c3 spec.to: ICMP has no ports: write the target without ":80"',
    'f.yaml:30: Check c3 spec.expect.source: a source address can only be observed when the outcome is ok, not blocked',
    'f.yaml:30: Check c3 spec.expect.source: the source address the server sees is observed over TCP or UDP (netexec), not ICMP',
    'f.yaml:34: Check c3 metadata.name: duplicate Check "c3" (first declared at f.yaml:27)',
    'f.yaml:20: Check c1 spec.from: unknown pod "x/zz" (pods: x/a, x/b)',
    'f.yaml:20: Check c1 spec.expect.backends[0]: unknown pod "x/nope" (pods: x/a, x/b)',
  ].sort(), 'all problems');
});

t.test('service and nodeport targets are validated against the Services of the files', async (t) => {
  const SVC = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: x}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: np, namespace: x}
spec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]}
---
`;
  const ok = problems(SVC + `apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: s1}
spec: {from: pod/x/a, to: 'service/x/web:80', expect: {outcome: ok}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: s2}
spec: {from: pod/x/a, to: 'service/x/web:http', expect: {outcome: ok}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: n1}
spec: {from: external, to: 'nodeport/node1/x/np:30080', expect: {outcome: ok}}
`);
  t.same(ok, [], 'by number, name and nodePort');
  const ps = problems(SVC + `apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: svc}
spec: {from: pod/x/a, to: 'service/x/nope:80', expect: {outcome: ok}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: port}
spec: {from: pod/x/a, to: 'service/x/web:dns', expect: {outcome: ok}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: udp}
spec: {from: pod/x/a, to: 'service/x/web:80', protocol: UDP, expect: {outcome: ok}}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: np}
spec: {from: external, to: 'nodeport/node7/x/web:80', expect: {outcome: ok}}
`);
  t.equal(ps.length, 5, ps.join('\n'));
  t.match(ps.find((p) => p.includes('Check svc ')), /f.yaml:\d+: Check svc spec.to: unknown Service "x\/nope" \(Services: x\/web, x\/np\)/);
  t.match(ps.find((p) => p.includes('Check port ')), /Check port spec.to: "service\/x\/web:dns": Service x\/web has no TCP port named "dns" \(ports: http 80\/TCP\)/);
  t.match(ps.find((p) => p.includes('Check udp ')), /Service x\/web has no UDP port 80/);
  t.ok(ps.some((p) => /Check np spec.to: unknown node "node7"/.test(p)));
  t.ok(ps.some((p) => /Check np spec.to: .*Service x\/web is of type ClusterIP, it has no nodePorts/.test(p)));
  t.notOk(ps.some((p) => /not supported until Services land/.test(p)), 'the old problem is gone');
});
