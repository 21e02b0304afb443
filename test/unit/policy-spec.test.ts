// `networking.k8s.io/v1 NetworkPolicy` documents: the whole v1 API parses, with the API's defaults; every problem is
// reported at once with file, line and field.
import t from 'tap';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';

const BASE = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: s}
spec:
  nodes: [{name: node1}]
---
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {team: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}
`;

const np = (spec: string, meta = '{name: p, namespace: x}') => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: ${meta}
spec:
${spec.replace(/^/gm, '  ')}
`;

function parse(extra: string) {
  return parseLab([{ file: 'f.yaml', text: BASE + extra, dir: '/tmp' }]);
}

function problems(extra: string): string[] {
  try {
    parse(extra);
    return [];
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.problems.map((p) => `${p.file}:${p.line}: ${p.path}: ${p.message}`);
  }
}

t.test('the whole v1 API parses', async (t) => {
  const lab = parse(np(`podSelector: {matchLabels: {app: web}}
policyTypes: [Ingress, Egress]
ingress:
  - from:
      - podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}, {key: tier, operator: DoesNotExist}]}
        namespaceSelector: {matchLabels: {team: a}}
      - namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}
      - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.3.0/24]}
    ports:
      - {protocol: TCP, port: 80}
      - {port: http}
      - {protocol: UDP, port: 5000, endPort: 5010}
      - {protocol: SCTP}
egress:
  - to: [{podSelector: {}}]
  - {}`));
  t.equal(lab.policies.length, 1);
  const p = lab.policies[0]!;
  t.same([p.key, p.policyTypes], ['x/p', ['Ingress', 'Egress']]);
  t.same(p.ingress[0]!.peers![0], { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }, { key: 'tier', operator: 'DoesNotExist' }] }, namespaceSelector: { matchLabels: { team: 'a' } } });
  t.same(p.ingress[0]!.peers![2], { ipBlock: { cidr: '10.0.0.0/8', family: 4, except: ['10.1.0.0/16', '10.2.3.0/24'] } });
  t.same(p.ingress[0]!.ports, [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 'http' }, { protocol: 'UDP', port: 5000, endPort: 5010 }, { protocol: 'SCTP' }]);
  t.same(p.egress, [{ peers: [{ podSelector: {} }] }, {}], 'an empty rule allows everything');
  t.same(lab.namespaceLabels.x, { team: 'a' }, 'Namespace labels are kept for namespaceSelectors');
});

t.test('policyTypes default as the API does', async (t) => {
  t.same(parse(np('podSelector: {}')).policies[0]!.policyTypes, ['Ingress'], 'no rules: Ingress');
  t.same(parse(np('podSelector: {}\negress: [{}]')).policies[0]!.policyTypes, ['Ingress', 'Egress'], 'egress rules: Ingress and Egress');
  t.same(parse(np('podSelector: {}\npolicyTypes: [Egress]')).policies[0]!.policyTypes, ['Egress']);
  const lab = parse(np('podSelector: {}\npolicyTypes: [Ingress]\negress: [{}]'));
  t.match(lab.notices.join('\n'), /egress rules without "Egress" in policyTypes are ignored/);
});

t.test('CIDR details: host bits mean the network, IPv6 blocks are accepted and noted', async (t) => {
  const lab = parse(np('podSelector: {}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.1/8}}, {ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:1::/48"]}}]}]'));
  t.same(lab.policies[0]!.ingress[0]!.peers!.map((p) => p.ipBlock?.cidr), ['10.0.0.0/8', '2001:db8:0:0:0:0:0:0/32']);
  t.match(lab.notices.join('\n'), /f\.yaml:\d+: NetworkPolicy x\/p spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: 10\.0\.0\.1\/8 has host bits set: it means the network 10\.0\.0\.0\/8/);
  t.match(lab.notices.join('\n'), /IPv6 block .* matches no traffic/);
});

t.test('every problem, with file, line and field', async (t) => {
  const got = problems(np(`podSelector: {matchLabels: {app: web}, matchExpresions: []}
policyTypes: [Ingress, Sideways]
ingress:
  - from:
      - ipBlock: {cidr: 10.0.0.0/33}
      - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24, 10.0.0.0/16, nonsense]}
      - {}
      - {ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}
      - podSelector: {matchExpressions: [{key: app, operator: In}, {key: app, operator: Exists, values: [x]}, {key: app, operator: Near, values: [x]}]}
    ports:
      - {protocol: ICMP, port: 80}
      - {port: 80, endPort: 70}
      - {endPort: 90}
      - {port: http, endPort: 90}
      - {port: "8080"}
      - {port: 70000}
      - {port: Not_A_Name}
    frm: []`));
  const want = [
    /f\.yaml:\d+: NetworkPolicy x\/p spec\.podSelector\.matchExpresions: unknown field "matchExpresions" \(allowed: matchLabels, matchExpressions\)/,
    /NetworkPolicy x\/p spec\.policyTypes\[1\]: "Sideways" is not a policy type \(Ingress, Egress\)/,
    /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: "10\.0\.0\.0\/33" has an invalid prefix length/,
    /spec\.ingress\[0\]\.from\[1\]\.ipBlock\.except\[0\]: 10\.1\.0\.0\/24 must be a strict subset of cidr 10\.0\.0\.0\/16/,
    /spec\.ingress\[0\]\.from\[1\]\.ipBlock\.except\[1\]: 10\.0\.0\.0\/16 must be a strict subset of cidr 10\.0\.0\.0\/16/,
    /spec\.ingress\[0\]\.from\[1\]\.ipBlock\.except\[2\]: "nonsense" is not a CIDR/,
    /spec\.ingress\[0\]\.from\[2\]: must specify a peer \(podSelector, namespaceSelector or ipBlock\)/,
    /spec\.ingress\[0\]\.from\[3\]: may not specify more than 1 peer: ipBlock cannot be combined/,
    /spec\.ingress\[0\]\.from\[4\]\.podSelector\.matchExpressions\[0\]\.values: must be specified and non-empty when operator is In/,
    /spec\.ingress\[0\]\.from\[4\]\.podSelector\.matchExpressions\[1\]\.values: may not be specified when operator is Exists/,
    /spec\.ingress\[0\]\.from\[4\]\.podSelector\.matchExpressions\[2\]\.operator: "Near" is not a valid selector operator/,
    /spec\.ingress\[0\]\.ports\[0\]\.protocol: "ICMP" is not a supported protocol \(TCP, UDP, SCTP\)/,
    /spec\.ingress\[0\]\.ports\[1\]\.endPort: 70 must be greater than or equal to port 80/,
    /spec\.ingress\[0\]\.ports\[2\]\.endPort: may not be specified without port/,
    /spec\.ingress\[0\]\.ports\[3\]\.endPort: may not be specified when port is a named port \("http"\)/,
    /spec\.ingress\[0\]\.ports\[4\]\.port: "8080" is a string: write 8080 without quotes/,
    /spec\.ingress\[0\]\.ports\[5\]\.port: 70000 must be between 1 and 65535/,
    /spec\.ingress\[0\]\.ports\[6\]\.port: "Not_A_Name" is not a port name/,
    /spec\.ingress\[0\]\.frm: unknown field "frm" \(allowed: from, ports\)/,
  ];
  for (const w of want) t.ok(got.some((g) => w.test(g)), `reported: ${w.source}`);
  t.equal(got.length, want.length, `exactly these problems:\n${got.join('\n')}`);
});

t.test('document-level problems', async (t) => {
  const got = problems(np('podSelector: {}', '{name: Bad_Name, namespace: x, uid: 1}').replace('networking.k8s.io/v1', 'extensions/v1beta1')
    + np('{}', '{name: q, namespace: x}')
    + np('podSelector: {}\ningress: {from: []}', '{name: r, namespace: x}')
    + np('podSelector: {}', '{name: dup, namespace: x}') + np('podSelector: {}', '{name: dup, namespace: x}'));
  t.match(got.join('\n'), /apiVersion: must be "networking\.k8s\.io\/v1" for a NetworkPolicy, got "extensions\/v1beta1"/);
  t.match(got.join('\n'), /metadata\.uid: unknown field "uid"/);
  t.match(got.join('\n'), /metadata\.name: "Bad_Name" is not a NetworkPolicy name/);
  t.match(got.join('\n'), /NetworkPolicy x\/q spec\.podSelector: is required \(\{\} selects every pod of the namespace\)/);
  t.match(got.join('\n'), /NetworkPolicy x\/r spec\.ingress: must be a list of rules/);
  t.match(got.join('\n'), /NetworkPolicy x\/dup metadata\.name: duplicate NetworkPolicy "x\/dup" \(first declared at f\.yaml:\d+\)/);
});

t.test('Namespace labels: kubernetes.io/metadata.name is the name', async (t) => {
  const got = problems('---\napiVersion: v1\nkind: Namespace\nmetadata: {name: y, labels: {kubernetes.io/metadata.name: z}}\n');
  t.match(got.join('\n'), /Namespace y metadata\.labels\.kubernetes\.io\/metadata\.name: is set by Kubernetes to the namespace's name \("y"\), not "z"/);
});
