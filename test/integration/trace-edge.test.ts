// `podlab trace` at the cluster's edge and by name, on real labs (root), one lab per mode (PODLAB_TRACE_EDGE_MODES,
// default overlay,bgp:nftables,vpc — mode[:proxyMode], so both kube-proxy modes' chains are traced): external → a LoadBalancer IP (MetalLB L2 in overlay, MetalLB BGP via the
// upstream router in bgp, the NLB in vpc) — DNAT through kube-proxy's KUBE-EXT chain; external → NodePort with
// externalTrafficPolicy Local on the node with the endpoint (no MASQUERADE: the client's address kept) and on the
// node without one (kube-proxy's drop); and a connection by name — the DNS query to the cluster DNS Service (DNAT to
// the DNS pod), its answer, then the connection to the answered address. After every trace nothing of the trace is
// left (tables, captures, work folders); after down nothing of the lab (namespaces, processes).
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterName, podlab, netnsOf, isRoot, writeLab, pod, STATE_DIR } from '../helpers/lab.js';
import { traceJson, traceLeftovers, walks } from '../helpers/trace.js';

if (!isRoot) {
  t.skip('needs root (network namespaces, nft, tcpdump)');
  process.exit(0);
}
t.setTimeout(30 * 60_000);

const MODES = (process.env.PODLAB_TRACE_EDGE_MODES ?? 'overlay,bgp:nftables,vpc').split(',').filter(Boolean);
const SPEC: Record<string, string> = {
  overlay: '  mode: overlay',
  bgp: '  mode: bgp',
  vpc: '  mode: vpc\n  vpc: {cidr: 10.62.0.0/16, instanceType: t3.medium}',
};

/** Processes of this lab by what they were started with (its state folder), wherever they run. */
function labProcesses(cluster: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(join(STATE_DIR, cluster) + '/') || cmd.includes(`podlab-trace-${cluster}-`)) out.push(`${p} ${cmd.trim()}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

for (const entry of MODES) t.test(entry, async (t) => {
  const [mode = 'overlay', proxy = 'iptables'] = entry.split(':');
  const nft = proxy === 'nftables';
  const name = clusterName('tre');
  const file = writeLab({
    name, nodes: 2, underlay: '172.19.44.0/24', podCIDR: '10.234.0.0/16', clusterSpecExtra: `${SPEC[mode]}\n  proxyMode: ${proxy}`,
    extra: pod('default', 'a', 'node1', undefined, '{app: a}') + pod('default', 'b', 'node2') + `apiVersion: v1
kind: Service
metadata: {name: lb, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: local, namespace: default}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`,
  });

  t.teardown(async () => {
    if (netnsOf(name).length) await podlab(['down', '-c', name]);
  });
  const ip: Record<string, string> = {};
  let lbIp = '';
  let webIp = '';

  const trace = (args: string[]) => traceJson(name, args);
  const leftovers = () => traceLeftovers(name);

  t.test('up', async (t) => {
    const u = await podlab(['up', '-f', file]);
    t.equal(u.exitCode, 0, `up: ${u.stderr}`);
    const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as {
      nodes: { name: string; ip: string }[]; pods: { namespace: string; name: string; ip: string }[];
      services: { name: string; namespace: string; clusterIP: string; status?: { loadBalancer: { ingress: { ip: string }[] } } }[];
    };
    for (const n of st.nodes) ip[n.name] = n.ip;
    for (const p of st.pods) ip[p.name] = p.ip;
    const svc = (n: string) => st.services.find((s) => s.namespace === 'default' && s.name === n);
    lbIp = svc('lb')?.status?.loadBalancer.ingress[0]?.ip ?? '';
    webIp = svc('web')?.clusterIP ?? '';
    t.ok(lbIp, `the LoadBalancer got an address: ${lbIp}`);
  });

  t.test('external → LoadBalancer IP: the announced path, KUBE-EXT, DNAT to the endpoint', async (t) => {
    const { code, r, raw } = await trace(['external', `${lbIp}:80`]);
    t.equal(code, 0, code ? raw : 'exit 0');
    t.equal(r.probe?.observed, 'ok', r.probe?.observed === 'ok' ? 'answered' : raw);
    t.equal(r.probe?.hostname, 'b');
    t.ok(r.expectation, "the expectation model's edge check for the same flow");
    t.equal(r.disagreements?.length, 0, JSON.stringify(r.disagreements));
    const labels = r.hops.map((h) => h.label);
    t.equal(labels[0], 'external', 'starts at the external host');
    t.equal(labels.at(-1), 'pod default/b', 'ends at the endpoint');
    if (mode === 'vpc') t.ok(labels.some((l) => l.startsWith('host ')), `through the NLB's namespace: ${labels}`);
    if (mode === 'bgp') t.ok(labels.includes('host router'), `through the upstream router: ${labels}`);
    const dnat = walks(r).find((w) => w.effect === `dnat to ${ip.b}:8080`);
    t.ok(dnat, dnat ? `DNAT on ${dnat.hop}` : raw);
    t.ok(dnat?.hop.startsWith('node '), 'on a node');
    if (!nft) t.ok(dnat?.chains.some((c) => /^KUBE-(EXT|FW)-/.test(c)), `via KUBE-EXT/KUBE-FW: ${dnat?.chains.join(' → ')}`);
    t.ok(dnat?.meaning.some((m) => m.startsWith('Service default/lb:')), String(dnat?.meaning));
    t.same(await leftovers(), []);
  });

  t.test('external → NodePort, eTP Local, the node with the endpoint: no MASQUERADE, the client address kept', async (t) => {
    const { code, r, raw } = await trace(['external', 'nodeport/node2/default/local:80']);
    t.equal(code, 0, code ? raw : 'exit 0');
    t.equal(r.probe?.observed, 'ok', r.probe?.observed === 'ok' ? 'answered' : raw);
    const n2 = walks(r).filter((w) => w.hop === 'node node2');
    t.ok(n2.some((w) => w.effect === `dnat to ${ip.b}:8080`), `DNAT to the local endpoint: ${JSON.stringify(n2.map((w) => [w.chains.join('→'), w.effect]))}`);
    t.notOk(walks(r).some((w) => w.effect.startsWith('masquerade')), 'no MASQUERADE anywhere');
    if (!nft) t.ok(n2.some((w) => w.chains.some((c) => /^KUBE-(EXT|XLB|SVL)-/.test(c)) && w.meaning.some((m) => /local endpoints|external traffic/.test(m))), 'the local-endpoints chain, named');
    const ext = r.hops.find((h) => h.label === 'external')?.devices[0]?.packet.split(':')[0];
    t.equal(r.addresses?.serverSaw?.split(':')[0], ext, `the server saw the external client's own address ${ext}`);
    t.equal(r.disagreements?.length, 0, JSON.stringify(r.disagreements));
    t.same(await leftovers(), []);
  });

  t.test('external → NodePort, eTP Local, the node without endpoints: the drop, no DNAT', async (t) => {
    const { code, r, raw } = await trace(['external', 'nodeport/node1/default/local:80']);
    t.equal(code, 0, code ? raw : 'exit 0: the model expects the drop');
    t.equal(r.probe?.observed, 'dropped', r.probe?.observed === 'dropped' ? 'dropped' : raw);
    const drop = walks(r).find((w) => w.effect === 'drop');
    t.match(drop, { hop: 'node node1' }, drop ? `dropped on node1 by ${drop.chains.join(' → ')}` : raw);
    if (!nft) t.equal(drop?.chains.at(-1), 'KUBE-EXTERNAL-SERVICES', "kube-proxy's 'has no local endpoints' DROP");
    t.ok(drop?.meaning.some((m) => /^Service default\/local:80\/TCP \(NodePort \d+, externalTrafficPolicy Local: no endpoint on this node\)$/.test(m)), `the drop names the Service and why: ${drop?.meaning}`);
    t.notOk(walks(r).some((w) => w.effect.startsWith('dnat')), 'no DNAT');
    t.notOk(r.hops.some((h) => h.label === 'pod default/b'), 'never reaches the endpoint');
    t.same(await leftovers(), []);
  });

  t.test('by name: the DNS query (DNAT to the DNS pod), its answer, then the connection to the answer', async (t) => {
    const { code, r, raw } = await trace(['pod/default/a', 'web:80']);
    t.equal(code, 0, code ? raw : 'exit 0');
    const l = r.lookup;
    t.ok(l, l ? 'a lookup' : raw);
    if (!l) return;
    t.equal(l.name, 'web');
    t.same(l.answers, [webIp], `answered the ClusterIP of web ${webIp}`);
    t.same(l.expected, [webIp], "the model's answer");
    t.match(l.resolver, { ip: /^\d/, port: 53, service: 'kube-system/kube-dns' }, "the pod's nameserver is the cluster DNS Service");
    t.ok(l.exchanges.some((x) => x.query === 'A? web.default.svc.cluster.local.' && x.answer === `A ${webIp}`), `the query the search path made, and its answer: ${JSON.stringify(l.exchanges)}`);
    const q = l.trace;
    t.equal(q.protocol, 'UDP');
    t.equal(q.target.ip, l.resolver.ip);
    const dnsDnat = walks(q).find((w) => w.effect.startsWith('dnat to ') && w.effect.endsWith(':53'));
    t.ok(dnsDnat, dnsDnat ? `the query's DNAT on ${dnsDnat.hop}` : JSON.stringify(q.hops).slice(0, 3000));
    t.equal(dnsDnat?.hop, 'node node1', "on the client's node");
    t.ok(dnsDnat?.meaning.some((m) => m.startsWith('Service kube-system/kube-dns:dns/UDP')), String(dnsDnat?.meaning));
    t.ok(q.hops.some((h) => h.label === 'pod kube-system/cluster-dns'), `the query reached the DNS pod: ${q.hops.map((h) => h.label)}`);
    t.ok(q.hops.find((h) => h.label === 'node node1')?.conntrack.some((c) => c.original.dst === l.resolver.ip && c.original.dport === 53), "the query's conntrack entry: the ClusterIP in the original");
    // Then the connection, to what the lookup answered.
    t.equal(r.target.ip, webIp);
    t.equal(r.probe.observed, 'ok');
    t.equal(r.probe.hostname, 'b');
    const dnat = walks(r).find((w) => w.effect === `dnat to ${ip.b}:8080`);
    t.ok(dnat?.meaning.some((m) => m.startsWith('Service default/web:')), `the connection's DNAT names web: ${dnat?.meaning}`);
    t.equal(r.disagreements.length, 0, JSON.stringify(r.disagreements));
    t.equal(q.disagreements.length, 0, JSON.stringify(q.disagreements));
    t.same(await leftovers(), []);
  });

  t.test('by name: a name the DNS does not know is NXDOMAIN, and no connection is tried', async (t) => {
    const { code, r, raw } = await trace(['pod/default/a', 'nosuch.default.svc.cluster.local.:80']);
    t.equal(code, 0, code ? raw : 'exit 0: the model expects no answer');
    t.same(r.lookup?.answers, [], r.lookup ? 'no answer' : raw);
    t.same(r.lookup?.expected, []);
    t.ok(r.lookup?.exchanges.some((x) => x.query === 'A? nosuch.default.svc.cluster.local.' && /NXDomain/.test(x.answer ?? '')), JSON.stringify(r.lookup?.exchanges));
    t.same(r.hops, [], 'no connection traced');
    t.same(await leftovers(), []);
  });

  t.test('down leaves nothing', async (t) => {
    const d = await podlab(['down', '-c', name]);
    t.equal(d.exitCode, 0, d.stderr);
    t.same(netnsOf(name), []);
    t.same(labProcesses(name), []);
  });
});
