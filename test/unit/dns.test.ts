// Cluster DNS, pure parts: validation of the DNS fields, the system objects, the records (model/dns.ts) as the
// Kubernetes DNS specification defines them, the service environment variables, unbound's configuration, dig's
// output parsing and the generated DNS checks' expectations.
import t from 'tap';
import { parseLabFiles as parseLab, resolveLab as resolve } from '../../src/modes/registry.js';
import { SpecError } from '../../src/input/problems.js';
import { allocationsOf } from '../../src/model/topology.js';
import { clusterRecords, resolvConf, srvWeight } from '../../src/model/dns.js';
import { serviceEnv } from '../../src/model/envvars.js';
import { clusterConfig, clusterZoneFile, dnsFiles, externalConfig, rootHints } from '../../src/workload/dns/unbound.js';
import { parseDig, interpret } from '../../src/probe/probe.js';
import { generateChecks } from '../../src/expect/generate.js';
import { getMode } from '../../src/modes/registry.js';
import type { Check } from '../../src/expect/types.js';
import { CLUSTER, pod, svc, lab } from '../helpers/svclab.js';

function problems(text: string, cluster = CLUSTER): string[] {
  try {
    resolve(parseLab([{ file: 'lab.yaml', text: cluster + text, dir: '/tmp' }]));
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

const sts = (name: string, node: string, sub = 'db') => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, labels: {app: db}}
spec:
  nodeName: ${node}
  hostname: ${name}
  subdomain: ${sub}
  containers: [{name: c, ports: [{containerPort: 5432}]}]
`;

const LAB = [
  pod('a', 'node1'), pod('b', 'node2'), sts('db-0', 'node1'), sts('db-1', 'node2'),
  svc('web', 'selector: {app: web}\nports: [{name: http, port: 80, targetPort: 8080}, {name: u, protocol: UDP, port: 81, targetPort: 8080}]'),
  svc('db', 'clusterIP: None\nselector: {app: db}\nports: [{name: pg, port: 5432}]'),
  svc('ext', 'type: ExternalName\nexternalName: www.ext.example'),
];

t.test('validation: reserved names and addresses, ExternalName, DNS fields, every problem at once', async (t) => {
  const p = problems(
    svc('kube-dns', 'selector: {app: x}\nports: [{port: 53}]', 'kube-system')
    + svc('taken', 'clusterIP: 10.96.0.10\nports: [{port: 80}]')
    + svc('api', 'clusterIP: 10.96.0.1\nports: [{port: 80}]')
    + svc('e1', 'type: ExternalName')
    + svc('e2', 'type: ExternalName\nexternalName: 1.2.3.4')
    + svc('e3', 'type: ExternalName\nexternalName: a.b\nclusterIP: 10.96.0.20')
    + svc('e4', 'externalName: a.b\nports: [{port: 80}]')
    + `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  hostname: Bad_Name\n  dnsPolicy: None\n  containers: [{name: c}]\n`,
  );
  const want = [
    /Service kube-system\/kube-dns is podlab's cluster DNS Service/,
    /spec.clusterIP: 10.96.0.10 is the 10th address of serviceCIDR/,
    /spec.clusterIP: 10.96.0.1 is the first address of serviceCIDR/,
    /spec.externalName: .*required/,
    /spec.externalName: "1.2.3.4" is an IP address/,
    /spec.clusterIP: may not be set for an ExternalName Service/,
    /spec.externalName: may only be set when type is ExternalName/,
    /spec.hostname: /,
    /spec.dnsPolicy: dnsPolicy "None" is not supported/,
  ];
  for (const w of want) t.ok(p.some((x) => w.test(x)), String(w), { found: p });
  const c = problems('', CLUSTER.replace('spec:\n', 'spec:\n  clusterDomain: ext.example\n  serviceCIDR: 10.96.0.0/29\n'));
  t.ok(c.some((x) => /clusterDomain: .*overlaps ext.example/.test(x)), 'clusterDomain may not overlap the external zone');
  t.ok(c.some((x) => /serviceCIDR: 10.96.0.0\/29 is too small/.test(x)), 'a serviceCIDR without a 10th address');
});

t.test('system objects: after the user\'s, at the 1st and 10th addresses; user allocations unchanged', async (t) => {
  const tp = lab(...LAB);
  const kd = tp.services!.find((s) => s.key === 'kube-system/kube-dns')!;
  t.equal(kd.clusterIP, '10.96.0.10');
  t.equal(kd.system, 'dns');
  t.same(kd.endpoints.map((e) => e.pod), ['kube-system/cluster-dns']);
  t.equal(tp.services!.find((s) => s.key === 'default/kubernetes')!.clusterIP, '10.96.0.1');
  t.equal(tp.pods.at(-1)!.key, 'kube-system/cluster-dns');
  t.equal(tp.pods.at(-1)!.dnsPolicy, 'Default');
  t.equal(tp.services!.find((s) => s.key === 'default/web')!.clusterIP, '10.96.0.2', 'user Services from the 2nd address');
  // Ten more Services: the 10th address is skipped.
  const many = lab(...Array.from({ length: 10 }, (_, i) => svc(`s${i}`, 'selector: {app: web}\nports: [{port: 80}]')));
  t.notOk(many.services!.some((s) => !s.system && s.clusterIP === '10.96.0.10'));
  t.equal(many.services!.find((s) => s.name === 's8')!.clusterIP, '10.96.0.11');
});

t.test('records: ClusterIP A, headless A per ready pod, hostname.subdomain, SRV, CNAME, pod A, SOA serial follows', async (t) => {
  const tp = lab(...LAB);
  const ip = (k: string) => tp.pods.find((p) => p.key === k)!.ip;
  const rs = clusterRecords(tp).map((r) => `${r.name} ${r.type} ${r.data}`);
  const web = tp.services!.find((s) => s.name === 'web')!.clusterIP;
  for (const want of [
    `web.default.svc.cluster.local. A ${web}`,
    '_http._tcp.web.default.svc.cluster.local. SRV 0 100 80 web.default.svc.cluster.local.',
    `db.default.svc.cluster.local. A ${ip('default/db-0')}`,
    `db.default.svc.cluster.local. A ${ip('default/db-1')}`,
    `db-0.db.default.svc.cluster.local. A ${ip('default/db-0')}`,
    '_pg._tcp.db.default.svc.cluster.local. SRV 0 50 5432 db-0.db.default.svc.cluster.local.',
    '_pg._tcp.db.default.svc.cluster.local. SRV 0 50 5432 db-1.db.default.svc.cluster.local.',
    'ext.default.svc.cluster.local. CNAME www.ext.example.',
    `${ip('default/a').replace(/\./g, '-')}.default.pod.cluster.local. A ${ip('default/a')}`,
    'kube-dns.kube-system.svc.cluster.local. A 10.96.0.10',
    'kubernetes.default.svc.cluster.local. A 10.96.0.1',
    'dns-version.cluster.local. TXT "1.1.0"',
  ]) t.ok(rs.includes(want), want);
  t.ok(rs.includes('_u._udp.web.default.svc.cluster.local. SRV 0 100 81 web.default.svc.cluster.local.'), 'SRV of a UDP port');
  t.notOk(rs.some((r) => r.startsWith('_') && r.includes('ext.default')), 'no SRV for an ExternalName');
  t.equal(srvWeight(1), 100);
  t.equal(srvWeight(3), 33);
  const zone = clusterZoneFile(tp);
  t.match(zone, /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/m);
  const other = clusterZoneFile(lab(...LAB.slice(0, -1)));
  t.not(/SOA \S+ \S+ (\d+)/.exec(zone)![1], /SOA \S+ \S+ (\d+)/.exec(other)![1], 'the serial changes with the records');
  const custom = resolve(parseLab([{ file: 'lab.yaml', text: CLUSTER.replace('spec:\n', 'spec:\n  clusterDomain: corp.internal\n') + LAB.join(''), dir: '/tmp' }]));
  t.ok(clusterRecords(custom).some((r) => r.name === 'web.default.svc.corp.internal.'), 'spec.clusterDomain');
});

t.test("resolv.conf as the kubelet writes it; Default policy and the DNS pod use the node's resolver", async (t) => {
  const tp = lab(...LAB);
  t.equal(resolvConf(tp, tp.pods[0]!), 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  t.equal(resolvConf(tp, tp.pods.at(-1)!), `nameserver ${tp.external.ip}\n`);
});

t.test('service environment variables: the kubelet\'s names; enableServiceLinks; kept for the pod\'s life', async (t) => {
  const env = serviceEnv('default', true, [
    { namespace: 'default', name: 'my-web', clusterIP: '10.96.0.5', type: 'ClusterIP', ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { name: '', protocol: 'UDP', port: 53 }] },
    { namespace: 'default', name: 'h', clusterIP: 'None', type: 'ClusterIP', ports: [{ name: '', protocol: 'TCP', port: 80 }] },
    { namespace: 'other', name: 'x', clusterIP: '10.96.0.6', type: 'ClusterIP', ports: [{ name: '', protocol: 'TCP', port: 80 }] },
    { namespace: 'default', name: 'kubernetes', clusterIP: '10.96.0.1', type: 'ClusterIP', ports: [{ name: 'https', protocol: 'TCP', port: 443 }] },
  ]);
  t.match(env, {
    MY_WEB_SERVICE_HOST: '10.96.0.5', MY_WEB_SERVICE_PORT: '80', MY_WEB_SERVICE_PORT_HTTP: '80', MY_WEB_PORT: 'tcp://10.96.0.5:80',
    MY_WEB_PORT_80_TCP: 'tcp://10.96.0.5:80', MY_WEB_PORT_80_TCP_PROTO: 'tcp', MY_WEB_PORT_80_TCP_PORT: '80', MY_WEB_PORT_80_TCP_ADDR: '10.96.0.5',
    MY_WEB_PORT_53_UDP: 'udp://10.96.0.5:53', KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443',
  });
  t.notOk(Object.keys(env).some((k) => k.startsWith('H_') || k.startsWith('X_')), 'no headless, no other namespace');
  const off = serviceEnv('default', false, [
    { namespace: 'default', name: 'web', clusterIP: '10.96.0.5', type: 'ClusterIP', ports: [{ name: '', protocol: 'TCP', port: 80 }] },
    { namespace: 'default', name: 'kubernetes', clusterIP: '10.96.0.1', type: 'ClusterIP', ports: [{ name: 'https', protocol: 'TCP', port: 443 }] },
  ]);
  t.same(Object.keys(off).filter((k) => k.startsWith('WEB_')), [], 'enableServiceLinks: false');
  t.equal(off.KUBERNETES_SERVICE_HOST, '10.96.0.1', 'the API server Service always');
  // A pod created before a Service does not get its variables while it lives.
  const first = lab(pod('a', 'node1'));
  const text = CLUSTER + pod('a', 'node1') + svc('late', 'selector: {app: web}\nports: [{port: 80}]') + pod('b', 'node2');
  const second = resolve(parseLab([{ file: 'lab.yaml', text, dir: '/tmp' }]), allocationsOf(first));
  const env2 = (k: string) => second.pods.find((p) => p.key === k)!.serviceEnv!;
  t.equal(env2('default/a').LATE_SERVICE_HOST, undefined, 'the older pod keeps its environment');
  t.ok(env2('default/b').LATE_SERVICE_HOST, 'the new pod sees the Service');
});

t.test("unbound configurations: the cluster zone read by the iterator, the world refused, root hints in the lab", async (t) => {
  const tp = lab(...LAB);
  const f = dnsFiles('/x/dns');
  const c = clusterConfig(tp, f);
  t.match(c, /local-zone: "\." refuse/);
  t.match(c, /auth-zone:\n {2}name: "cluster\.local\."\n {2}zonefile: "\/x\/dns\/cluster\.zone"\n {2}for-downstream: no\n {2}for-upstream: yes/);
  t.match(c, new RegExp(`forward-zone:\\n  name: "ext\\.example\\."\\n  forward-addr: ${tp.external.ip.replace(/\./g, '\\.')}`));
  t.match(rootHints(tp), new RegExp(`ns\\.ext\\.example\\. 3600000 IN A ${tp.external.ip.replace(/\./g, '\\.')}`));
  const e = externalConfig(tp, f);
  t.match(e, /local-zone: "ext\.example\." static/);
  t.match(e, new RegExp(`local-data: "www\\.ext\\.example\\. 5 IN A ${tp.external.ip.replace(/\./g, '\\.')}"`));
});

t.test("dig and getent output are read as the judge compares them", async (t) => {
  const out = `;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1
ext.default.svc.cluster.local. 5 IN CNAME www.ext.example.
www.ext.example.	5	IN	A	172.18.0.100
`;
  t.same(parseDig(out), { rcode: 'NOERROR', answers: ['CNAME www.ext.example.', '172.18.0.100'] });
  t.same(parseDig(';; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 2\n'), { rcode: 'NXDOMAIN', answers: [] });
  const c = { probe: { kind: 'dns', tool: 'getent', name: 'web', qtype: 'A' } } as unknown as Check;
  t.same(interpret(c, { code: 0, stdout: '10.96.0.2       web.default.svc.cluster.local\n', stderr: '', timedOut: false }).dns, { rcode: 'NOERROR', answers: ['10.96.0.2'] });
  t.same(interpret(c, { code: 2, stdout: '', stderr: '', timedOut: false }).dns, { rcode: 'NOTFOUND', answers: [] });
});

t.test('generated DNS checks: one client per namespace, expected answers from the Services, DNS pod left out', async (t) => {
  const tp = lab(...LAB);
  const { checks } = generateChecks(tp, getMode(tp.mode).expectations);
  const dns = checks.filter((c) => c.category.startsWith('dns'));
  const by = (id: string) => dns.find((c) => c.id.includes(id));
  t.same(by('db.default.svc.cluster.local. A (dig)')!.expect.dns!.answers.slice().sort(), [tp.pods.find((p) => p.key === 'default/db-0')!.ip, tp.pods.find((p) => p.key === 'default/db-1')!.ip].sort());
  t.same(by('ext.default.svc.cluster.local. A (dig)')!.expect.dns, { rcode: 'NOERROR', answers: ['CNAME www.ext.example.', tp.external.ip] });
  t.equal(by('example.com. A (dig)')!.expect.dns!.rcode, 'REFUSED');
  t.ok(dns.some((c) => c.category === 'dns/nxdomain'));
  t.ok(dns.some((c) => c.category === 'dns/by-name'));
  t.ok(dns.every((c) => c.to.ip === '10.96.0.10' || c.category === 'dns/by-name'), 'every query asks kube-dns');
  t.notOk(checks.some((c) => c.id.includes('cluster-dns')), 'the DNS pod is in no check');
});
