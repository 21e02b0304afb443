// Service checks against a real 3-node lab (root): every generated check passes on a healthy lab; flushing
// KUBE-POSTROUTING (kube-proxy's MASQUERADE) in node1 fails exactly the checks that need that masquerade there —
// hairpin via node1 and eTP Cluster NodePorts entered at node1 — with a reason naming the source seen.
import t from 'tap';
import { execa } from 'execa';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot, checkJson, failedIds } from '../helpers/lab.js';


const SVCS = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: x}
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: 8080}
    - {name: udp, port: 8080, protocol: UDP, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: loc, namespace: x}
spec: {type: NodePort, externalTrafficPolicy: Local, selector: {tier: one}, ports: [{port: 8080, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: x}
spec: {selector: {app: nothing}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: sticky, namespace: x}
spec: {selector: {app: web}, sessionAffinity: ClientIP, ports: [{port: 81, targetPort: 8080}]}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: c2-to-web-by-name}
spec: {from: pod/x/c2, to: 'service/x/web:http', protocol: TCP, expect: {outcome: ok, source: pod, backends: [x/w1, x/w2, x/w3]}, tries: 30}
---
apiVersion: podlab.io/v1alpha1
kind: Check
metadata: {name: local-nodeport-keeps-client-ip}
spec: {from: external, to: 'nodeport/node1/x/loc:8080', protocol: TCP, expect: {outcome: ok, source: external}}
`;

const cluster = clusterName('q');
const file = writeLab({
  name: cluster, nodes: 3,
  extra: pod('x', 'w1', 'node1', undefined, '{app: web, tier: one}') + pod('x', 'w2', 'node2') + pod('x', 'w3', 'node3') +
    pod('x', 'c1', 'node1', undefined, '{app: client}') + pod('x', 'c2', 'node2', undefined, '{app: client}') + pod('x', 'c3', 'node3', undefined, '{app: client}') + SVCS,
});
const n1 = `pl-${cluster}-node1`;

const check = (extra: string[] = []) => checkJson(cluster, extra);
const failed = failedIds;

t.teardown(async () => {
  if (isRoot) await podlab(['down', '-c', cluster]);
});
t.before(async () => {
  if (!isRoot) return;
  const up = await podlab(['up', '-f', file]);
  if (up.exitCode !== 0) throw new Error(`up failed: ${up.stderr}`);
});

t.test('a healthy lab with Services passes every generated and declared check', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const r = await check();
  t.same(failed(r.checks), [], 'no failures');
  t.equal(r.code, 0, 'exit 0');
  const cats = new Set(r.checks.map((c) => c.category));
  for (const c of ['service/cluster-ip', 'service/hairpin', 'service/affinity', 'service/no-endpoints', 'service/nodeport', 'service/node-to-clusterip', 'declared']) t.ok(cats.has(c), c);
  const ci = r.checks.find((c) => c.id === 'service/cluster-ip TCP x/c1 -> svc/x/web:http')!;
  t.same(new Set(ci.attempts.map((a) => a.hostname)), new Set(['w1', 'w2', 'w3']), 'every endpoint answered');
  t.ok(ci.attempts.every((a) => a.sourceIp === '10.244.0.3'), 'source = the client pod IP (E7/E8)');
  const hp = r.checks.find((c) => c.category === 'service/hairpin' && c.id.includes('TCP'))!;
  t.equal(hp.attempts[hp.attempts.length - 1]!.sourceIp, '10.244.0.1', 'hairpin masqueraded to cni0 .1 (E9)');
  const loc = r.checks.filter((c) => c.category === 'service/nodeport' && c.id.includes('/x/loc:'));
  t.equal(loc.length, 3, 'eTP Local NodePort via every node');
  t.equal(loc.filter((c) => c.attempts.every((a) => a.sourceIp === undefined)).length, 2, 'node2 and node3 drop (no local endpoint)');
  t.ok(r.checks.find((c) => c.category === 'service/no-endpoints'), 'no-endpoint Service refused');
  const services = r.checks.filter((c) => c.category.startsWith('service/'));
  t.ok(services.length <= 80, `${services.length} service checks`); // a bound on the suite's size (edge adds pod → NodePort rows)
});

t.test('no kube-proxy MASQUERADE in node1: exactly hairpin and eTP Cluster NodePorts via node1 fail', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const save = await inNetns(n1, ['iptables-save', '-t', 'nat']);
  t.equal(save.code, 0);
  const fl = await inNetns(n1, ['iptables', '-t', 'nat', '-F', 'KUBE-POSTROUTING']);
  t.equal(fl.code, 0, fl.err);
  t.teardown(async () => {
    await execa('ip', ['netns', 'exec', n1, 'iptables-restore', '-T', 'nat'], { input: save.out + '\n', reject: false });
  });
  const r = await check(['--filter', 'service/*']);
  t.equal(r.code, 1, 'exit 1');
  const webNp = (proto: string, port: string) => r.checks.find((c) => c.category === 'service/nodeport' && c.id.startsWith(`service/nodeport ${proto} external -> nodeport/node1/x/web:${port} `))!.id;
  t.same(failed(r.checks), [
    'service/hairpin TCP x/w1 -> svc/x/web:http',
    'service/hairpin UDP x/w1 -> svc/x/web:udp',
    'service/hairpin TCP x/w1 -> svc/x/loc:8080',
    webNp('TCP', 'http'), webNp('UDP', 'udp'),
    // Pods (of any node) dialling node1's eTP Cluster NodePort: the reply must come back through node1 too.
    ...r.checks.filter((c) => c.category.startsWith('service/pod-to-nodeport/') && / -> nodeport\/node1\/x\/web:/.test(c.id)).map((c) => c.id),
  ].sort(), 'exactly the affected checks');
  const hp = r.checks.find((c) => c.id === 'service/hairpin TCP x/w1 -> svc/x/web:http')!;
  t.match(hp.reason, /(backend\(s\) w1 never answered in \d+ tries|server saw 10\.244\.0\.\d+ \(pod x\/w1\) \(answered by w1 itself\)).*(hairpin back to w1 itself did not complete.*MASQUERADE|missing masquerade)/, hp.reason);
  const np = r.checks.find((c) => c.id === webNp('TCP', 'http'))!;
  t.match(np.reason, /server saw 172\.18\.0\.100 \(the external host\).*expected an address of node node1|expected an answer/, np.reason);
});

// #13 (hardening): `iptables -t nat -F KUBE-SERVICES` in node1 made check blame the hairpin masquerade.
t.test('KUBE-SERVICES flushed in node1: the diagnosis names the Service rules of node1, not the hairpin', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const save = await inNetns(n1, ['iptables-save', '-t', 'nat']);
  t.equal(save.code, 0);
  const fl = await inNetns(n1, ['iptables', '-t', 'nat', '-F', 'KUBE-SERVICES']);
  t.equal(fl.code, 0, fl.err);
  t.teardown(async () => {
    await execa('ip', ['netns', 'exec', n1, 'iptables-restore', '-T', 'nat'], { input: save.out + '\n', reject: false });
  });
  const r = await check(['--filter', 'service/*']);
  t.equal(r.code, 1, 'exit 1');
  const hp = r.checks.find((c) => c.id === 'service/hairpin TCP x/w1 -> svc/x/web:http')!;
  t.equal(hp.status, 'fail');
  t.notMatch(hp.reason, /hairpin back/, hp.reason);
  t.match(hp.reason, /every Service check entering node node1 fails .*kube-proxy's Service rules on node1 are missing or broken — look at the KUBE-SERVICES chain/, hp.reason);
  const c2 = r.checks.find((c) => c.category === 'service/cluster-ip' && c.from === 'x/c2')!;
  t.equal(c2.status, 'pass', 'Services entered at node2 still work');
});

t.test('down leaves no namespaces', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const d = await podlab(['down', '-c', cluster]);
  t.equal(d.exitCode, 0);
  t.same(netnsOf(cluster), []);
});
