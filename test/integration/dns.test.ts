// Cluster DNS with real resolvers inside pods: glibc (`getent hosts`, through the pod's resolv.conf search path and
// ndots) and dig (bind9-dnsutils), asking kube-system/kube-dns's ClusterIP through kube-proxy's DNAT to the unbound in
// the DNS pod. A records of ClusterIP and headless Services (exactly the ready pods), hostname/subdomain pods, SRV of
// named ports, ExternalName as a CNAME into the external host's zone, NXDOMAIN, REFUSED for the world; a Service
// applied and deleted live; the generated `podlab check` DNS checks; `down` leaves no /etc/netns folder or server.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot, checkJson, failedIds } from '../helpers/lab.js';
import { contains, mustCidr } from '../../src/net/ip.js';

const MODES = (process.env.PODLAB_DNS_MODES ?? 'overlay,bgp,vpc').split(',');
const haveDig = existsSync('/usr/bin/dig');

const sts = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: db}}
spec:
  nodeName: ${node}
  hostname: ${name}
  subdomain: db
  containers:
    - name: netexec
      ports: [{containerPort: 8080}]
---
`;

/** A pod whose container is a process of its own (so its environment and mounts can be read). */
const app = (name: string, links: boolean) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: tool}}
spec:
  nodeName: node2
  enableServiceLinks: ${links}
  containers:
    - name: main
      command: ["sleep", "3600"]
---
`;

const SERVICES = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: pg, port: 5432, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec:
  type: ExternalName
  externalName: www.ext.example
---
`;

const LIVE = `apiVersion: v1
kind: Service
metadata: {name: late, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 81, targetPort: 8080}]
`;

/** Processes whose command line names this lab's DNS folder (the two unbound servers). */
function unboundOf(cluster: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.startsWith('unbound\0') && cmd.includes(`/${cluster}/dns/`)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

for (const mode of MODES) {
  t.test(`cluster DNS (${mode} mode)`, { skip: (!isRoot && 'needs root') || (!haveDig && 'needs dig (bind9-dnsutils)') }, async (t) => {
    const name = clusterName('d');
    const file = writeLab({
      name, nodes: 2, clusterSpecExtra: `  mode: ${mode}`,
      extra: pod('shop', 'web-1', 'node1') + pod('shop', 'web-2', 'node2') + sts('db-0', 'node1') + sts('db-1', 'node2')
        + pod('shop', 'client', 'node1', undefined, '{app: client}') + app('app', true) + app('nolinks', false) + SERVICES.replace(/---\n$/, ''),
    });
    try {
      await run(t, name, file);
    } finally {
      const d = await podlab(['down', '-c', name]);
      t.equal(d.exitCode, 0, `down: ${d.stderr}`);
      t.same(netnsOf(name), [], 'down leaves no namespaces');
      t.same(existsSync('/etc/netns') ? readdirSync('/etc/netns').filter((n) => n.startsWith(`pl-${name}-`)) : [], [], 'down leaves no /etc/netns/pl-* folder');
      t.same(unboundOf(name), [], 'down stops both DNS servers');
    }
  });
}

async function run(t: Test, name: string, file: string): Promise<void> {
  const upr = await podlab(['up', '-f', file]);
  t.equal(upr.exitCode, 0, `up: ${upr.stderr}`);
  if (upr.exitCode !== 0) return;
  const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout));
  const svc = (k: string) => st.services.find((s: { namespace: string; name: string }) => `${s.namespace}/${s.name}` === k);
  const podIp = (k: string) => st.pods.find((p: { namespace: string; name: string }) => `${p.namespace}/${p.name}` === k).ip as string;
  const client = `pl-${name}-shop-client`;
  const dig = async (qname: string, type = 'A') => {
    const r = await inNetns(client, ['dig', '+time=2', '+tries=2', '+noall', '+comments', '+answer', qname, type]);
    const status = /status: ([A-Z]+)/.exec(r.out)?.[1] ?? `no answer (${r.err || r.out})`;
    const answers = r.out.split('\n').filter((l) => l.trim() && !l.startsWith(';')).map((l) => l.trim().split(/\s+/)).filter((f) => f[2] === 'IN').map((f) => `${f[3]} ${f.slice(4).join(' ')}`).sort();
    return { status, answers };
  };
  const getent = async (qname: string) => {
    const r = await inNetns(client, ['getent', 'hosts', qname]);
    return r.code === 0 ? r.out.split('\n').map((l) => l.split(/\s+/)[0]).sort() : [`exit ${r.code}`];
  };

  await t.test('system objects: kube-dns at the 10th address, default/kubernetes at the 1st, marked system', async (t) => {
    t.equal(svc('kube-system/kube-dns').clusterIP, '10.96.0.10');
    t.equal(svc('kube-system/kube-dns').system, true);
    t.equal(svc('default/kubernetes').clusterIP, '10.96.0.1');
    const dnsPod = st.pods.find((p: { system?: boolean }) => p.system);
    t.equal(`${dnsPod.namespace}/${dnsPod.name}`, 'kube-system/cluster-dns');
    t.equal(dnsPod.phase, 'Running', dnsPod.reason ?? '');
    t.not(svc('shop/web').clusterIP, '10.96.0.10', 'user Services never take the DNS address');
  });

  await t.test("pods' resolv.conf: the cluster DNS, the search path, ndots:5", async (t) => {
    const r = await inNetns(client, ['cat', '/etc/resolv.conf']);
    t.equal(r.out, 'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5');
  });

  await t.test('A records of a ClusterIP Service: short name, namespace-qualified, FQDN (getent and dig)', async (t) => {
    const ip = svc('shop/web').clusterIP as string;
    t.same(await getent('web'), [ip], 'web');
    t.same(await getent('web.shop'), [ip], 'web.shop');
    t.same(await getent('web.shop.svc.cluster.local'), [ip], 'FQDN');
    t.same(await dig('web.shop.svc.cluster.local.'), { status: 'NOERROR', answers: [`A ${ip}`] });
    t.same(await getent('kubernetes.default'), ['10.96.0.1'], 'kubernetes.default');
  });

  await t.test('headless Service: exactly the ready pods; hostname.subdomain names', async (t) => {
    t.same(await dig('db.shop.svc.cluster.local.'), { status: 'NOERROR', answers: [`A ${podIp('shop/db-0')}`, `A ${podIp('shop/db-1')}`].sort() });
    t.same(await dig('db-0.db.shop.svc.cluster.local.'), { status: 'NOERROR', answers: [`A ${podIp('shop/db-0')}`] });
    t.same(await getent('db-1.db'), [podIp('shop/db-1')], 'db-1.db through the search path');
  });

  await t.test('SRV of named ports', async (t) => {
    t.same(await dig('_http._tcp.web.shop.svc.cluster.local.', 'SRV'), { status: 'NOERROR', answers: ['SRV 0 100 80 web.shop.svc.cluster.local.'] });
    t.same(await dig('_pg._tcp.db.shop.svc.cluster.local.', 'SRV'), {
      status: 'NOERROR', answers: ['SRV 0 50 8080 db-0.db.shop.svc.cluster.local.', 'SRV 0 50 8080 db-1.db.shop.svc.cluster.local.'],
    });
  });

  await t.test('ExternalName: a CNAME into the external host zone; pod records; NXDOMAIN; the world refused', async (t) => {
    t.same(await dig('ext.shop.svc.cluster.local.'), { status: 'NOERROR', answers: ['CNAME www.ext.example.', `A ${st.external.ip}`].sort() });
    const dashed = podIp('shop/client').replace(/\./g, '-');
    t.same(await dig(`${dashed}.shop.pod.cluster.local.`), { status: 'NOERROR', answers: [`A ${podIp('shop/client')}`] });
    t.same(await dig('nothing.shop.svc.cluster.local.'), { status: 'NXDOMAIN', answers: [] });
    t.same(await dig('example.com.'), { status: 'REFUSED', answers: [] });
  });

  await t.test('a request by name reaches an endpoint', async (t) => {
    const r = await inNetns(client, ['curl', '-s', '-m', '3', 'http://web/hostname']);
    t.equal(r.code, 0, r.err);
    t.match(r.out, /^web-[12]$/);
  });

  await t.test("a pod's own process: the cluster DNS in its mounts, the service environment variables", async (t) => {
    const pidOf = (n: string) => st.pods.find((p: { name: string }) => p.name === n).containers[0].pid as number;
    const env = (n: string) => Object.fromEntries(readFileSync(`/proc/${pidOf(n)}/environ`, 'utf8').split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const web = svc('shop/web').clusterIP as string;
    t.match(env('app'), { WEB_SERVICE_HOST: web, WEB_SERVICE_PORT: '80', WEB_SERVICE_PORT_HTTP: '80', WEB_PORT: `tcp://${web}:80`, WEB_PORT_80_TCP_ADDR: web, KUBERNETES_SERVICE_HOST: '10.96.0.1' });
    t.equal(env('app').DB_SERVICE_HOST, undefined, 'no variables for a headless Service');
    t.equal(env('nolinks').WEB_SERVICE_HOST, undefined, 'enableServiceLinks: false');
    t.equal(env('nolinks').KUBERNETES_SERVICE_HOST, '10.96.0.1', 'the API server Service always');
    const r = await execa('nsenter', ['-t', String(pidOf('app')), '-m', '-n', 'getent', 'hosts', 'web'], { reject: false });
    t.equal(String(r.stdout).split(/\s+/)[0], web, 'the process resolves through the pod\'s resolv.conf');
  });

  await t.test('queries for outside names never leave the lab (capture in the fabric)', async (t) => {
    const nets = [st.underlay, st.podCIDR, st.serviceCIDR].map((c: string) => mustCidr(c));
    const cap = execa('ip', ['netns', 'exec', `pl-${name}-fabric`, 'timeout', '8', 'tcpdump', '-i', 'any', '-n', '-l', '-U', 'ip'], { reject: false });
    await new Promise((r) => setTimeout(r, 1500));
    for (const q of ['example.com.', 'www.google.com.', 'a.root-servers.net.', 'www.ext.example.', 'ext.shop.svc.cluster.local.', 'nothing.ext.example.']) await dig(q);
    await getent('example.com');
    const out = String((await cap).stdout);
    const dsts = [...out.matchAll(/ IP \S+ > (\d+\.\d+\.\d+\.\d+)(?:\.\d+)?:/g)].map((m) => m[1]!);
    t.ok(out.includes(`> ${st.external.ip}.53:`), 'the capture sees the forwarded ext.example queries (so it works)');
    t.same(dsts.filter((ip) => !nets.some((c) => contains(c, ip))), [], 'no packet to an address outside the lab');
  });

  await t.test('records follow apply and delete', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'podlab-dns-'));
    const f = join(dir, 'late.yaml');
    writeFileSync(f, LIVE);
    t.same(await dig('late.shop.svc.cluster.local.'), { status: 'NXDOMAIN', answers: [] }, 'unknown before');
    const a = await podlab(['apply', '-c', name, '-f', f]);
    t.equal(a.exitCode, 0, a.stderr);
    const st2 = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout));
    const ip = st2.services.find((s: { name: string }) => s.name === 'late').clusterIP;
    t.same(await dig('late.shop.svc.cluster.local.'), { status: 'NOERROR', answers: [`A ${ip}`] }, 'resolvable once apply returns');
    const d = await podlab(['delete', '-c', name, '-f', f]);
    t.equal(d.exitCode, 0, d.stderr);
    t.same(await dig('late.shop.svc.cluster.local.'), { status: 'NXDOMAIN', answers: [] }, 'NXDOMAIN once delete returns');
  });

  await t.test('podlab check: every generated DNS check passes', async (t) => {
    const r = await checkJson(name, ['--filter', 'dns*']);
    const dns = r.checks.filter((c) => c.category.startsWith('dns'));
    t.ok(dns.length >= 10, `${dns.length} DNS checks`);
    t.same(failedIds(dns), [], r.code === 0 ? '' : r.raw.slice(0, 3000));
    t.notOk(r.checks.some((c) => c.from.includes('cluster-dns') || c.to.includes('cluster-dns')), 'the DNS pod is not in the pod checks');
  });
}
