// Service documents: validation with paths and reasons, allocation (deterministic, sticky), endpoints.
import t from 'tap';
import { parseLabFiles as parseLab } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import { allocationsOf } from '../../src/model/topology.js';
import { resolveLab as resolve } from '../../src/modes/registry.js';
import { CLUSTER, pod, svc, lab } from '../helpers/svclab.js';

function problems(text: string): string[] {
  try {
    resolve(parseLab([{ file: 'lab.yaml', text: CLUSTER + text, dir: '/tmp' }]));
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

t.test('a valid Service resolves with an allocated clusterIP, nodePort and sorted endpoints', async (t) => {
  const topo = lab(pod('a', 'node1'), pod('b', 'node2'), pod('c', 'node1', '{app: other}'),
    svc('web', 'type: NodePort\nselector: {app: web}\nports: [{name: http, port: 80, targetPort: http}]'));
  const s = topo.services[0]!;
  t.equal(s.clusterIP, '10.96.0.2', 'first free address after the one kept for kubernetes.default');
  t.equal(s.ports[0]!.nodePort, 30000);
  t.same(s.ports[0]!.endpoints.map((e) => `${e.pod}@${e.node} ${e.ip}:${e.port}`), ['default/a@node1 10.244.0.2:8080', 'default/b@node2 10.244.1.2:8080']);
  t.equal(s.sessionAffinity, 'None');
  t.equal(s.affinityTimeoutSeconds, 10800);
});

t.test('allocations are sticky: a new service earlier in the file does not move existing ones', async (t) => {
  const one = lab(pod('a', 'node1'), svc('web', 'type: NodePort\nselector: {app: web}\nports: [{port: 80}]'));
  const prev = allocationsOf(one);
  const text = CLUSTER + pod('a', 'node1') + svc('new', 'type: NodePort\nselector: {app: web}\nports: [{port: 81}]') + svc('web', 'type: NodePort\nselector: {app: web}\nports: [{port: 80}]');
  const two = resolve(parseLab([{ file: 'lab.yaml', text, dir: '/tmp' }]), prev);
  const web = two.services.find((s) => s.name === 'web')!;
  const nw = two.services.find((s) => s.name === 'new')!;
  t.equal(web.clusterIP, one.services[0]!.clusterIP);
  t.equal(web.ports[0]!.nodePort, one.services[0]!.ports[0]!.nodePort);
  t.not(nw.clusterIP, web.clusterIP);
  t.not(nw.ports[0]!.nodePort, web.ports[0]!.nodePort);
});

t.test('numeric and named targetPorts; a pod without the named port is not an endpoint of that port', async (t) => {
  const topo = lab(pod('a', 'node1'), pod('b', 'node2', '{app: web}', '[{containerPort: 9090, name: other}]'),
    svc('web', 'selector: {app: web}\nports: [{name: n, port: 80, targetPort: http}, {name: m, port: 81, targetPort: 7000}]'));
  const [n, m] = topo.services[0]!.ports;
  t.same(n!.endpoints.map((e) => e.pod), ['default/a']);
  t.same(m!.endpoints.map((e) => `${e.pod}:${e.port}`), ['default/a:7000', 'default/b:7000']);
});

t.test('headless services keep clusterIP None; given clusterIPs are used', async (t) => {
  const topo = lab(pod('a', 'node1'), svc('h', 'clusterIP: None\nselector: {app: web}\nports: [{port: 80}]'), svc('g', 'clusterIP: 10.96.5.5\nports: [{port: 80}]'));
  t.equal(topo.services[0]!.clusterIP, 'None');
  t.equal(topo.services[1]!.clusterIP, '10.96.5.5');
  t.same(topo.services[1]!.endpoints, [], 'no selector, no endpoints');
});

t.test('validation reports every problem with its path and reason', async (t) => {
  const p = problems(
    svc('a', 'clusterIP: 10.200.0.1\nports: [{port: 80}]') +
    svc('b', 'clusterIP: 10.96.0.9\nports: [{port: 80}]') +
    svc('c', 'clusterIP: 10.96.0.9\nports: [{port: 80}]') +
    svc('d', 'type: NodePort\nports: [{port: 80, nodePort: 31000}]') +
    svc('e', 'type: NodePort\nports: [{port: 80, nodePort: 31000}]') +
    svc('f', 'type: NodePort\nports: [{port: 80, nodePort: 80}]') +
    svc('g', 'type: Headless\nports: [{port: 80}]') +
    svc('h', 'ports: [{port: 80}, {port: 81}]') +
    svc('i', 'sessionAffinity: ClientIP\nsessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\nports: [{port: 80}]') +
    svc('j', 'ports: [{port: 80, protocol: ICMP}]'),
  );
  const want = [
    'Service default/a spec.clusterIP: 10.200.0.1 is not inside the serviceCIDR 10.96.0.0/12',
    'Service default/c spec.clusterIP: 10.96.0.9 is already the clusterIP of Service default/b',
    'Service default/e spec.ports[0].nodePort: 31000/TCP is already used by Service default/d',
    'Service default/f spec.ports[0].nodePort: 80 is outside the node port range 30000-32767 (spec.nodePortRange of the Cluster)',
    'Service default/g spec.type: unknown type "Headless" (one of: ClusterIP, NodePort, LoadBalancer, ExternalName)',
    'Service default/h spec.ports[0].name: is required when a Service has more than one port',
    'Service default/i spec.sessionAffinityConfig.clientIP.timeoutSeconds: 0 is out of range 1-86400',
    'Service default/j spec.ports[0].protocol: "ICMP" is not a protocol (TCP, UDP or SCTP)',
  ];
  for (const w of want) t.ok(p.includes(w), w);
  t.ok(p.some((x) => x.startsWith('Service default/h spec.ports[1].name')), 'second unnamed port too');
});

t.test('problems carry file and line', async (t) => {
  try {
    parseLab([{ file: 'lab.yaml', text: CLUSTER + svc('a', 'clusterIP: 10.200.0.1\nports: [{port: 80}]'), dir: '/tmp' }]);
    t.fail('should throw');
  } catch (e) {
    const pr = (e as SpecError).problems[0]!;
    t.equal(pr.file, 'lab.yaml');
    t.equal(pr.line, 11);
  }
});

t.test('a named targetPort that no selected pod declares is a notice, not an error', async (t) => {
  const l = parseLab([{ file: 'lab.yaml', text: CLUSTER + pod('a', 'node1') + svc('web', 'selector: {app: web}\nports: [{port: 80, targetPort: nope}]'), dir: '/tmp' }]);
  const notices = resolve(l).notices ?? [];
  t.ok(notices.some((n) => n.includes('no selected pod declares a TCP containerPort named "nope"')), notices.join('\n'));
});
