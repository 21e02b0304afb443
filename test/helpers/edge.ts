// Traffic from outside the cluster, for real, in each mode: LoadBalancer Services announced as the mode's real
// clusters do it (overlay: MetalLB L2, bgp: MetalLB BGP to an upstream router, vpc: an NLB), eTP Cluster and Local,
// loadBalancerSourceRanges allowed and denied, kube-proxy's health-check port, allocateLoadBalancerNodePorts false,
// pods → NodePorts of every node; the ingress controller routing two hosts and two paths (TLS included) with live
// Ingress changes; L2 failover when a speaker stops; and `down` leaving nothing (router, NLB, controller included).
// One file per mode (test/integration/edge-<mode>.test.ts) calls edgeTest(mode, proxyMode). Needs root.
import type { Test } from 'tap';
import { execaSync } from 'execa';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterName, writeLab, podlab, netnsOf, inNetns, checkJson, failedIds, STATE_DIR, type JCheck } from './lab.js';


/** A self-signed certificate for shop.example, made offline. */
function cert(dir: string): { crt: string; key: string } {
  execaSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=shop.example', '-addext', 'subjectAltName=DNS:shop.example',
    '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')]);
  return { crt: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8') };
}

const doc = (s: string) => `---\n${s.trim()}\n`;
const pod = (name: string, app: string, node: string) => doc(`
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: ${app}}}
spec: {nodeName: ${node}, containers: [{name: c, ports: [{containerPort: 8080, name: http}, {containerPort: 8080, protocol: UDP}]}]}`);
const svc = (name: string, spec: string, meta = '') => doc(`
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop${meta}}
spec:
${spec.trim().replace(/^/gm, '  ')}`);

function objects(mode: string, extIp: string, tls: { crt: string; key: string }): string {
  const ipTargets = mode === 'vpc' ? ', annotations: {service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip}' : '';
  return [
    pod('web-1', 'web', 'node1'), pod('web-2', 'web', 'node2'), pod('api-1', 'api', 'node2'),
    svc('web', 'type: LoadBalancer\nselector: {app: web}\nports: [{name: http, port: 80, targetPort: http}, {name: dns, port: 53, protocol: UDP, targetPort: 8080}]'),
    svc('local', 'type: LoadBalancer\nexternalTrafficPolicy: Local\nselector: {app: api}\nports: [{port: 80, targetPort: 8080}]'),
    svc('allowed', `type: LoadBalancer\nloadBalancerSourceRanges: [${extIp}/32]\nselector: {app: web}\nports: [{port: 80, targetPort: 8080}]`),
    svc('denied', 'type: LoadBalancer\nloadBalancerSourceRanges: [10.1.0.0/16]\nselector: {app: web}\nports: [{port: 80, targetPort: 8080}]'),
    svc('nonp', 'type: LoadBalancer\nallocateLoadBalancerNodePorts: false\nselector: {app: web}\nports: [{port: 80, targetPort: 8080}]', ipTargets),
    svc('api', 'selector: {app: api}\nports: [{name: http, port: 80, targetPort: http}]'),
    doc(`
apiVersion: v1
kind: Secret
metadata: {name: shop-tls, namespace: shop}
type: kubernetes.io/tls
stringData:
  tls.crt: ${JSON.stringify(tls.crt)}
  tls.key: ${JSON.stringify(tls.key)}`),
    doc(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  tls: [{hosts: [shop.example], secretName: shop-tls}]
  rules:
    - host: shop.example
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
          - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
    - host: blog.example
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}`),
  ].join('').replace(/^---\n/, '');
}

interface Status {
  nodes: { name: string; ip: string }[];
  services: { name: string; namespace: string; type: string; status?: { loadBalancer: { ingress: { ip: string; hostname?: string }[] } }; healthCheckNodePort?: number; ports: { nodePort?: number }[]; system?: boolean }[];
  pods: { namespace: string; name: string; ip: string; phase: string }[];
  loadBalancers?: { service: string; ip: string; announce: string; announcedBy: string[]; targets?: { ip: string; healthy: boolean }[] }[];
  lbHost?: { name: string; ip: string; netns: string };
}

/** Processes of this lab by what they were started with (its state folder), wherever they run. */
function labProcesses(cluster: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(join(STATE_DIR, cluster) + '/')) out.push(`${p} ${cmd.trim()}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** CPU time (user + system, in clock ticks) of each of this lab's edge agents over `ms`: idle, they must block. */
async function agentCpu(cluster: string, ms: number): Promise<{ what: string; ticks: number }[]> {
  const agents = labProcesses(cluster).filter((p) => p.includes('agent.py'));
  const ticks = (pid: string) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' '); // fields from 3 on: utime is 14, stime 15
    return Number(rest[11]) + Number(rest[12]);
  };
  const before = agents.map((p) => ticks(p.split(' ')[0]!));
  await new Promise((r) => setTimeout(r, ms));
  return agents.map((p, i) => {
    const [pid, , , role, cfg] = p.split(' ');
    return { what: `${role} ${cfg!.split('/').pop()} (pid ${pid})`, ticks: ticks(pid!) - before[i]! };
  });
}

const EDGE = 'service/loadbalancer*,service/pod-to-loadbalancer*,service/health-check*,service/pod-to-nodeport*,ingress*';

async function edgeChecks(name: string): Promise<JCheck[]> {
  return (await checkJson(name, ['--filter', EDGE])).checks;
}

export async function edgeTest(t: Test, mode: string, proxyMode: string): Promise<void> {
  {
    const name = clusterName('e');
    const extIp = '172.18.0.100';
    const dir = join(STATE_DIR, `${name}-files`);
    execaSync('mkdir', ['-p', dir]);
    const file = writeLab({ name, nodes: 2, clusterSpecExtra: `  mode: ${mode}\n  proxyMode: ${proxyMode}`, extra: objects(mode, extIp, cert(dir)) });
    t.teardown(async () => {
      await podlab(['down', '-c', name]);
    });
    const up = await podlab(['up', '-f', file]);
    t.equal(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);

    const s = JSON.parse((await podlab(['status', '-c', name, '--json'])).stdout) as Status;
    const lbOf = (n: string, ns = 'shop') => s.services.find((x) => x.name === n && x.namespace === ns)!;
    const ipOf = (n: string, ns = 'shop') => lbOf(n, ns).status!.loadBalancer.ingress[0]!.ip;
    t.match(ipOf('web'), mode === 'overlay' ? /^172\.18\.0\.2\d\d$/ : /^198\.51\.100\.\d+$/, 'status.loadBalancer.ingress[].ip from the pool');
    if (mode === 'vpc') t.match(lbOf('web').status!.loadBalancer.ingress[0]!.hostname, /\.elb\.us-east-1\.amazonaws\.com$/, 'an NLB hostname too');
    t.ok(lbOf('local').healthCheckNodePort, 'eTP Local has a healthCheckNodePort');
    t.equal(lbOf('nonp').ports[0]!.nodePort, undefined, 'allocateLoadBalancerNodePorts: false');
    const ctrl = lbOf('ingress-nginx-controller', 'ingress-nginx');
    t.ok(ctrl.system && ctrl.type === 'LoadBalancer', 'the ingress controller Service is listed like any Service');
    t.ok(s.pods.some((p) => p.namespace === 'ingress-nginx' && p.phase === 'Running'), 'the controller pod runs');
    if (mode === 'bgp') {
      t.equal(s.lbHost?.name, 'router');
      const r = await inNetns(s.lbHost!.netns, ['ip', 'route', 'show', 'proto', 'bird']);
      t.match(r.out, new RegExp(`^${ipOf('web').replace(/\./g, '\\.')} `, 'm'), `the router learned the /32s by BGP:\n${r.out}`);
    }

    // Idle, the agents block in select(): a few wake-ups a second (heartbeats, the NLB's health checks), not a busy loop.
    const hz = Number(execaSync('getconf', ['CLK_TCK']).stdout);
    const secs = 3;
    const cpu = await agentCpu(name, secs * 1000);
    t.equal(cpu.length, { overlay: 4, bgp: 2, vpc: 3 }[mode], `the edge agents run: ${cpu.map((c) => c.what).join(', ')}`);
    t.comment(`idle CPU over ${secs}s: ${cpu.map((c) => `${c.what} ${((100 * c.ticks) / hz / secs).toFixed(1)}%`).join(', ')}`);
    for (const c of cpu) t.ok(c.ticks / hz / secs < 0.05, `${c.what} idles below 5% of a core (${((100 * c.ticks) / hz / secs).toFixed(1)}%)`);

    // The checks at the edge, with real packets.
    const cs = await edgeChecks(name);
    t.same(failedIds(cs), [], cs.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.reason}`).join('\n'));
    const one = (re: RegExp) => cs.find((c) => re.test(c.id));
    t.equal(one(/^service\/loadbalancer TCP external -> lb\/shop\/denied/)?.expected.outcome, 'dropped', 'source ranges deny the external host');
    t.equal(one(/^service\/loadbalancer TCP external -> lb\/shop\/allowed/)?.expected.outcome, 'ok', 'source ranges allow it');
    t.ok(one(/^service\/loadbalancer UDP external -> lb\/shop\/web:dns/), 'UDP to the LB IP too');
    t.equal(cs.filter((c) => c.category === 'service/health-check' && c.id.includes('(shop/local)')).length, 2, 'the health-check port on both nodes');
    t.ok(cs.some((c) => c.category === 'service/health-check' && /503|200/.test(JSON.stringify(c.expected))), 'answers checked by status');
    const local = one(/^service\/loadbalancer TCP external -> lb\/shop\/local/)!;
    t.ok(local.attempts.some((a) => a.sourceIp === extIp), 'eTP Local keeps the client address');
    const web = one(/^service\/loadbalancer TCP external -> lb\/shop\/web:http/)!;
    t.notOk(web.attempts.some((a) => a.sourceIp === extIp), 'eTP Cluster is SNATed');
    t.ok(cs.filter((c) => c.category === 'ingress').length >= 4 && cs.some((c) => c.category === 'ingress/tls'), 'two hosts, two paths, TLS, default backend');
    t.ok(cs.filter((c) => c.category === 'service/pod-to-nodeport/other').length > 0, 'pod → NodePort of another node');

    if (mode === 'overlay') {
      // L2 failover: stop the speaker that announces web's IP; the next node takes it.
      const owner = s.loadBalancers!.find((l) => l.service === 'shop/web')!.announcedBy[0]!;
      const f = await podlab(['fault', 'speaker-down', owner, '-c', name]);
      t.equal(f.exitCode, 0, f.stderr);
      const after = JSON.parse((await podlab(['status', '-c', name, '--json'])).stdout) as Status;
      const next = after.loadBalancers!.find((l) => l.service === 'shop/web')!.announcedBy;
      t.same(next.length, 1);
      t.not(next[0], owner, `${ipOf('web')} moved from ${owner} to ${next[0]}`);
      const c = await checkJson(name, ['--filter', 'service/loadbalancer*']);
      t.same(failedIds(c.checks), [], c.checks.filter((x) => x.status !== 'pass').map((x) => `${x.id}: ${x.reason}`).join('\n'));
      t.equal((await podlab(['fault', 'speaker-up', owner, '-c', name])).exitCode, 0);
    }
    if (mode === 'vpc') {
      const l = s.loadBalancers!.find((x) => x.service === 'shop/local')!;
      t.same(l.targets!.map((x) => x.healthy), [false, true], 'the NLB health checks mark only the node with a local endpoint healthy');
    }

    // Live: an Ingress applied takes effect at once, and goes when deleted.
    const more = join(dir, 'more.yaml');
    writeFileSync(more, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: more, namespace: shop}
spec:
  rules:
    - host: new.example
      http: {paths: [{path: /hostname, pathType: Exact, backend: {service: {name: api, port: {number: 80}}}}]}
`);
    const ingIp = ipOf('ingress-nginx-controller', 'ingress-nginx');
    const get = async () => (await inNetns(`pl-${name}-ext`, ['curl', '-s', '-m', '2', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: new.example', `http://${ingIp}/hostname`])).out;
    t.equal(await get(), '404', 'before: the default backend');
    const ap = await podlab(['apply', '-f', more, '-c', name, '--json']);
    t.equal(ap.exitCode, 0, ap.stderr);
    const conf = () => { try { return readFileSync(join(STATE_DIR, name, 'ingress-nginx', 'nginx.conf'), 'utf8'); } catch (e) { return String(e); } };
    t.equal(await get(), '200', 'right after apply returns: the new rule is served', { apply: ap.stdout.slice(0, 1500), conf: conf().split('\n').filter((l) => /server_name|generation|location/.test(l)).join('\n') });
    t.comment(`apply of an Ingress: ${Math.round(JSON.parse(ap.stdout).ms)} ms`);
    const del = await podlab(['delete', 'ingress', 'shop/more', '-c', name]);
    t.equal(del.exitCode, 0, del.stderr);
    t.equal(await get(), '404', 'right after delete returns: gone');

    const d = await podlab(['down', '-c', name]);
    t.equal(d.exitCode, 0, d.stdout + d.stderr);
    t.same(netnsOf(name), [], 'no namespace left (router, NLB and controller included)');
    t.same(labProcesses(name), [], 'no process left (speakers, health servers, BIRD, NLB agent, nginx)');
  }
}
