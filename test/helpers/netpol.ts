// The upstream netpol e2e model: namespaces x, y, z (labelled ns=<name>) with pods a, b, c (labelled pod=<name>)
// serving netexec on 80 and 81 over TCP (named serve-80-tcp, serve-81-tcp), spread over three nodes; plus the
// classic policy cases as YAML and their expected truth tables (rows and columns x/a x/b x/c y/a … z/c).
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import type { Topology } from '../../src/model/topology.js';

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const PODS = ['a', 'b', 'c'] as const;
export const KEYS = NAMESPACES.flatMap((n) => PODS.map((p) => `${n}/${p}`));

export function netpolCluster(name: string, o: { mode?: string; proxyMode?: string; nodes?: number } = {}): string {
  const nodes = Array.from({ length: o.nodes ?? 3 }, (_, i) => `{name: node${i + 1}}`).join(', ');
  return `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: ${name}}
spec:
  mode: ${o.mode ?? 'overlay'}
  proxyMode: ${o.proxyMode ?? 'iptables'}
  nodes: [${nodes}]
`;
}

/** Namespaces and pods: pod a of every namespace on node1, b on node2, c on node3 (same-node and cross-node cells). */
export function netpolObjects(nsLabels: Record<string, string> = {}): string {
  const out: string[] = [];
  for (const n of NAMESPACES) {
    out.push(`---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}, labels: {ns: ${n}${nsLabels[n] ? `, ${nsLabels[n]}` : ''}}}\n`);
    PODS.forEach((p, i) => out.push(`---
apiVersion: v1
kind: Pod
metadata: {name: ${p}, namespace: ${n}, labels: {pod: ${p}}}
spec:
  nodeName: node${i + 1}
  containers:
    - name: cont-80-tcp
      ports: [{containerPort: 80, name: serve-80-tcp}]
    - name: cont-81-tcp
      ports: [{containerPort: 81, name: serve-81-tcp}]
`));
  }
  return out.join('');
}

export function netpolTopology(policies: string, o: { mode?: string; proxyMode?: string } = {}): Topology {
  const text = netpolCluster('np', o) + netpolObjects() + policies;
  return resolve(parseLab([{ file: 'lab.yaml', text, dir: '/tmp' }]));
}

export function policy(ns: string, name: string, spec: string): string {
  return `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
}

/** A classic case: its policies, and per port the expected table (9 rows of 9 cells, `.` allowed, `X` blocked). */
export interface NetpolCase {
  readonly name: string;
  readonly policies: string;
  readonly tables: Readonly<Record<string, string>>; // "80/TCP" → rows
}

const ALL = '.........';
const rows = (...r: string[]) => r.join('\n');
const allowAll = rows(ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL);
/** Into x (columns x/a x/b x/c) only x's own pods … */
const intoX = (allowedRow: (from: string) => string) => rows(...KEYS.map((k) => allowedRow(k) + '......'));

export const CASES: readonly NetpolCase[] = [
  {
    name: 'default-deny-ingress in x',
    policies: policy('x', 'deny-ingress', 'podSelector: {}\npolicyTypes: [Ingress]'),
    tables: { '80/TCP': intoX((k) => (k === 'x/a' ? '.XX' : k === 'x/b' ? 'X.X' : k === 'x/c' ? 'XX.' : 'XXX')) },
  },
  {
    name: 'default-deny-egress in x (DNS allowed)',
    policies: policy('x', 'deny-egress', 'podSelector: {}\npolicyTypes: [Egress]\negress:\n  - ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]'),
    tables: { '80/TCP': rows('.XXXXXXXX', 'X.XXXXXXX', 'XX.XXXXXX', ALL, ALL, ALL, ALL, ALL, ALL) },
  },
  {
    name: 'allow-all ingress in x after deny-all',
    policies: policy('x', 'deny-ingress', 'podSelector: {}\npolicyTypes: [Ingress]') + policy('x', 'allow-all', 'podSelector: {}\ningress: [{}]'),
    tables: { '80/TCP': allowAll },
  },
  {
    name: 'allow x/a from pods labelled pod=b in x',
    policies: policy('x', 'allow-b', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - from: [{podSelector: {matchLabels: {pod: b}}}]'),
    tables: { '80/TCP': rows(...KEYS.map((k) => (k === 'x/a' ? '.' : k === 'x/b' ? '.' : 'X') + ALL.slice(1))) },
  },
  {
    name: 'allow into x from namespaces labelled ns=y',
    policies: policy('x', 'allow-ns-y', 'podSelector: {}\ningress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]'),
    tables: { '80/TCP': intoX((k) => (k.startsWith('y/') ? '...' : k === 'x/a' ? '.XX' : k === 'x/b' ? 'X.X' : k === 'x/c' ? 'XX.' : 'XXX')) },
  },
  {
    name: 'AND: pods pod=b in namespaces ns=y only',
    policies: policy('x', 'allow-yb', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}]'),
    tables: { '80/TCP': rows(...KEYS.map((k) => (k === 'x/a' || k === 'y/b' ? '.' : 'X') + ALL.slice(1))) },
  },
  {
    name: 'OR: namespaces ns=y or pods pod=b (of x)',
    policies: policy('x', 'allow-y-or-b', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}}, {podSelector: {matchLabels: {pod: b}}}]'),
    tables: { '80/TCP': rows(...KEYS.map((k) => (k === 'x/a' || k === 'x/b' || k.startsWith('y/') ? '.' : 'X') + ALL.slice(1))) },
  },
  {
    name: 'matchExpressions: from namespaces ns NotIn (x), pods pod In (a, c)',
    policies: policy('x', 'allow-expr', 'podSelector: {matchExpressions: [{key: pod, operator: In, values: [a]}]}\ningress:\n  - from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x]}]}, podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, c]}]}}]'),
    tables: { '80/TCP': rows(...KEYS.map((k) => (k === 'x/a' || k === 'y/a' || k === 'y/c' || k === 'z/a' || k === 'z/c' ? '.' : 'X') + ALL.slice(1))) },
  },
  {
    name: 'named port: x/a accepts serve-81-tcp only',
    policies: policy('x', 'allow-81', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - ports: [{port: serve-81-tcp}]'),
    tables: {
      '80/TCP': rows(...KEYS.map((k) => (k === 'x/a' ? '.' : 'X') + ALL.slice(1))),
      '81/TCP': allowAll,
    },
  },
  {
    name: 'endPort: egress of x/a to TCP 81-90 only',
    policies: policy('x', 'egress-range', 'podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n  - ports: [{protocol: TCP, port: 81, endPort: 90}]'),
    tables: { '80/TCP': rows('.XXXXXXXX', ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL), '81/TCP': allowAll },
  },
  {
    name: 'multiple policies add up: x/a from y (port 80) and from z (any)',
    policies: policy('x', 'from-y-80', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]\n    ports: [{port: 80}]')
      + policy('x', 'from-z', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - from: [{namespaceSelector: {matchLabels: {ns: z}}}]'),
    tables: {
      '80/TCP': rows(...KEYS.map((k) => (k === 'x/a' || k.startsWith('y/') || k.startsWith('z/') ? '.' : 'X') + ALL.slice(1))),
      '81/TCP': rows(...KEYS.map((k) => (k === 'x/a' || k.startsWith('z/') ? '.' : 'X') + ALL.slice(1))),
    },
  },
  {
    name: 'a policy in y does not isolate x',
    policies: policy('y', 'deny-y', 'podSelector: {}\npolicyTypes: [Ingress, Egress]'),
    tables: { '80/TCP': rows(...KEYS.map((k) => (k.startsWith('y/') ? 'XXX' + (k === 'y/a' ? '.XX' : k === 'y/b' ? 'X.X' : 'XX.') + 'XXX' : '...XXX...'))) },
  },
  {
    name: 'SCTP-only policy isolates x/a and opens no TCP',
    policies: policy('x', 'sctp-only', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - ports: [{protocol: SCTP, port: 80}]'),
    tables: { '80/TCP': rows(...KEYS.map((k) => (k === 'x/a' ? '.' : 'X') + ALL.slice(1))) },
  },
];

/** ipBlock with except (needs the lab's addresses): x/a may send anywhere but to y/b. */
export function ipBlockCase(ipOf: (key: string) => string): NetpolCase {
  return {
    name: 'ipBlock with except: egress of x/a to 0.0.0.0/0 except y/b',
    policies: policy('x', 'egress-except', `podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [${ipOf('y/b')}/32]}}]`),
    tables: { '80/TCP': rows('....X....', ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL) },
  };
}

/** The truth table of one port from matrix cells (allowed/blocked per from → to), rows and columns in KEYS order. */
export function tableOf(cells: readonly { from: string; to: string; protocol: string; port: number; allowed: boolean }[], port: string): string {
  const [p, proto] = port.split('/');
  const get = (f: string, to: string) => cells.find((c) => c.from === f && c.to === to && String(c.port) === p && c.protocol === proto);
  return KEYS.map((f) => KEYS.map((to) => { const c = get(f, to); return c ? (c.allowed ? '.' : 'X') : ' '; }).join('')).join('\n');
}
