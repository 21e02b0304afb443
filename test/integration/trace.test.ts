// `podlab trace` on real labs (root), one lab per mode (PODLAB_TRACE_MODES, default overlay,bgp,vpc), several traces
// on each — pod → pod across nodes (the flannel.1 VXLAN hop in overlay, none in bgp and vpc), pod → ClusterIP (the KUBE-SEP chain of the endpoint that answered), a Service without endpoints (the
// REJECT), a NetworkPolicy drop (named), external → NodePort (DNAT then MASQUERADE) with pcaps that tshark opens.
// After every trace: no trace table and no capture process is left in the lab; after down, nothing of the lab.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { clusterName, podlab, netnsOf, inNetns, isRoot, writeLab, pod, STATE_DIR, CLI } from '../helpers/lab.js';
import { traceJson, traceLeftovers, walks } from '../helpers/trace.js';

if (!isRoot) {
  t.skip('needs root (network namespaces, nft, tcpdump)');
  process.exit(0);
}
// Three labs on a shared 2-core box: up to ~10 min at load 13.
t.setTimeout(30 * 60_000);

// mode[:proxyMode] — bgp with kube-proxy's nftables mode, so both proxy modes' chains are traced.
const MODES = (process.env.PODLAB_TRACE_MODES ?? 'overlay,bgp:nftables,vpc').split(',').filter(Boolean);
const SPEC: Record<string, string> = {
  overlay: '  mode: overlay',
  bgp: '  mode: bgp',
  vpc: '  mode: vpc\n  vpc: {cidr: 10.61.0.0/16, instanceType: t3.medium}',
};

for (const entry of MODES) t.test(entry, async (t) => {
const [mode = 'overlay', proxy = 'iptables'] = entry.split(':');
const nft = proxy === 'nftables';
const name = clusterName('tr');
const file = writeLab({
  name, nodes: 2, underlay: '172.19.33.0/24', podCIDR: '10.233.0.0/16', clusterSpecExtra: `${SPEC[mode]}\n  proxyMode: ${proxy}`,
  extra: pod('default', 'a', 'node1', undefined, '{app: a}') + pod('default', 'b', 'node2') + pod('default', 'c', 'node2', '[{containerPort: 8080}]', '{app: locked}') + `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-local, namespace: default}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: default}
spec:
  selector: {app: nobody}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-c, namespace: default}
spec:
  podSelector: {matchLabels: {app: locked}}
  policyTypes: [Ingress]
`,
});

t.teardown(async () => {
  if (netnsOf(name).length) await podlab(['down', '-c', name]);
});
const ip: Record<string, string> = {};

const trace = (args: string[]) => traceJson(name, args);
const leftovers = () => traceLeftovers(name);

t.test('up', async (t) => {
  const u = await podlab(['up', '-f', file]);
  t.equal(u.exitCode, 0, `up: ${u.stderr}`);
  const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { nodes: { name: string; ip: string }[]; pods: { namespace: string; name: string; ip: string }[] };
  for (const n of st.nodes) ip[n.name] = n.ip;
  for (const p of st.pods) ip[p.name] = p.ip;
});

t.test('pod → pod across nodes: the flannel.1 VXLAN hop, in order, with routes', async (t) => {
  const { code, r, raw } = await trace(['pod/default/a', 'pod/default/b:8080']);
  t.equal(code, 0, code ? raw : 'exit 0');
  t.equal(r.probe.observed, 'ok');
  t.equal(r.probe.hostname, 'b');
  // The overlay's and bgp's underlay is a switch (seen, not a hop that routes); the VPC's fabric is the VPC router.
  const want = ['pod default/a', 'node node1', ...(mode === 'vpc' ? ['vpc fabric'] : []), 'node node2', 'pod default/b'];
  t.same(r.hops.map((h) => h.label).filter((l) => l !== 'underlay'), want, 'hops in the order the packet went');
  if (mode === 'vpc') t.match(r.hops.find((h) => h.label === 'vpc fabric')?.route, { route: /\S/ }, "the VPC router's route to b");
  const n1 = r.hops.find((h) => h.label === 'node node1')!;
  if (mode === 'overlay') {
    t.ok(n1.devices.some((d) => d.dev === 'flannel.1' && d.dir === 'Out'), 'node1 sends it out of flannel.1');
    t.equal(n1.devices.find((d) => d.dev === 'eth0')?.encap, `VXLAN ${ip.node1} → ${ip.node2}:8472 VNI 1`, 'and as VXLAN VNI 1 on eth0');
    t.match(n1.route, { dev: 'flannel.1' }, "node1's route to b's subnet is the VXLAN device");
  } else {
    t.notOk(n1.devices.some((d) => d.encap), 'no encapsulation');
    t.match(n1.devices.find((d) => d.dev === 'eth0'), { dir: 'Out', packet: new RegExp(`^${ip.a}:\\d+ → ${ip.b}:8080 \\[S\\]$`) }, 'the pod packet itself leaves eth0');
    t.match(n1.route, { dev: 'eth0', ...(mode === 'bgp' ? { via: ip.node2 } : {}) }, mode === 'bgp' ? "the BIRD-learned route via node2" : 'out to the VPC fabric');
  }
  t.equal(r.disagreements.length, 0, JSON.stringify(r.disagreements));
  t.same(await leftovers(), []);
});

t.test('pod → ClusterIP: the DNAT names the KUBE-SEP chain of the endpoint that answered', async (t) => {
  const { code, r, raw } = await trace(['pod/default/a', 'service/default/web:80']);
  t.equal(code, 0, code ? raw : 'exit 0');
  const dnat = walks(r).find((w) => w.effect.startsWith('dnat'));
  t.ok(dnat, dnat ? 'a DNAT walk' : raw);
  t.equal(dnat?.hop, 'node node1', 'on the client node');
  t.match(dnat?.chains, nft ? ['nat-prerouting', 'services', /^service-\w+-default\/web\/tcp\//, /^endpoint-\w+-default\/web\/tcp\/__/] : ['PREROUTING', 'KUBE-SERVICES', /^KUBE-SVC-/, /^KUBE-SEP-/]);
  t.equal(dnat?.effect, `dnat to ${ip.b}:8080`);
  t.ok(dnat?.meaning.some((m) => m.startsWith(`endpoint default/${r.probe.hostname} `)), `the endpoint chain is the one of ${r.probe.hostname}: ${dnat?.meaning}`);
  const ct = r.hops.find((h) => h.label === 'node node1')?.conntrack[0];
  t.match(ct, { original: { dst: r.target.ip, dport: 80 }, reply: { src: ip.b, dst: ip.a, sport: 8080 } }, 'conntrack: ClusterIP in the original, the endpoint in the reply');
  t.equal(r.addresses.serverSaw?.split(':')[0], ip.a, 'the server saw the pod (no MASQUERADE)');
  t.same(await leftovers(), []);
});

t.test('a Service without endpoints: the REJECT', async (t) => {
  const { code, r, raw } = await trace(['pod/default/a', 'service/default/empty:80']);
  t.equal(code, 0, code ? raw : 'exit 0');
  t.equal(r.probe.observed, 'refused');
  const rej = walks(r).find((w) => w.effect.startsWith('reject'));
  t.match(rej, { hop: 'node node1', table: nft ? 'kube-proxy' : 'filter' }, rej ? 'the REJECT' : raw);
  t.equal(rej?.chains.at(-1), nft ? 'reject-chain' : 'KUBE-SERVICES');
  t.same(await leftovers(), []);
});

t.test('a NetworkPolicy drop names its policy', async (t) => {
  const { code, r, raw } = await trace(['pod/default/a', 'pod/default/c:8080']);
  t.equal(code, 0, code ? `the model expects the drop: ${raw}` : 'exit 0: the model expects the drop');
  t.equal(r.probe.observed, 'dropped');
  const drop = walks(r).find((w) => w.effect === 'drop');
  t.match(drop, { hop: 'node node2' }, drop ? 'the drop' : raw);
  t.ok(drop?.meaning.some((m) => m.startsWith('NetworkPolicy default/deny-c ')), String(drop?.meaning));
  t.notOk(r.hops.some((h) => h.label === 'pod default/c'), 'the packet never reached c');
  t.same(await leftovers(), []);
});

t.test('external → NodePort (eTP Cluster): DNAT then MASQUERADE; pcaps that tshark opens hold the probe', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podlab-trace-pcap-'));
  const { code, r, raw } = await trace(['external', 'nodeport/node1/default/web:80', '--pcap', dir]);
  t.equal(code, 0, code ? raw : 'exit 0');
  const w = walks(r).filter((x) => x.hop === 'node node1');
  t.ok(w.some((x) => x.effect === `dnat to ${ip.b}:8080`), 'DNAT to the endpoint on node2');
  t.ok(w.some((x) => x.effect.startsWith('masquerade') && x.chains.includes(nft ? 'masquerading' : 'KUBE-POSTROUTING')), "kube-proxy's MASQUERADE");
  t.ok(r.addresses.serverSaw && !r.addresses.serverSaw.startsWith(`${r.hops[0]?.devices[0]?.packet.split(':')[0]}:`), `the server saw a node address, not the client: ${r.addresses.serverSaw}`);
  const files = r.hops.flatMap((h) => h.pcaps);
  t.ok(files.length >= 4, `a pcap per device: ${files.join(' ')}`);
  t.ok(files.includes(join(dir, `pl-${name}-node1_eth0.pcap`)), 'named NETNS_DEV.pcap');
  const ts = await execa('tshark', ['-n', '-r', join(dir, `pl-${name}-node1_eth0.pcap`), '-d', 'udp.port==8472,vxlan', '-Y', 'tcp.port == 30000 || tcp.port == 8080', '-T', 'fields', '-e', 'ip.dst', '-e', 'tcp.dstport'], { reject: false });
  t.equal(ts.exitCode, 0, ts.stderr);
  t.ok(ts.stdout.includes(`${ip.node1}\t30000`), `the probe to the NodePort: ${ts.stdout}`);
  t.ok(ts.stdout.includes(`${ip.b}\t8080`), `and${mode === 'overlay' ? ', inside the VXLAN,' : ''} to the endpoint`);
  t.same(await leftovers(), []);
  rmSync(dir, { recursive: true, force: true });
});

t.test('external → NodePort (eTP Local) on a node without endpoints: the drop there', async (t) => {
  const { code, r, raw } = await trace(['external', 'nodeport/node1/default/web-local:80']);
  t.equal(code, 0, code ? raw : 'exit 0: the model expects the drop');
  t.equal(r.probe.observed, 'dropped');
  const drop = walks(r).find((w) => w.effect === 'drop');
  t.match(drop, { hop: 'node node1' }, drop ? 'dropped on node1' : raw);
  if (!nft) t.equal(drop?.chains.at(-1), 'KUBE-EXTERNAL-SERVICES');
  t.notOk(walks(r).some((w) => w.effect.startsWith('dnat')), 'no DNAT');
  t.same(await leftovers(), []);
});

t.test('Ctrl-C while the captures start: exit 130, nothing left', async (t) => {
  const p = execa('node', [CLI, 'trace', '-c', name, 'pod/default/a', 'service/default/web:80'], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR } });
  // Once its trace table is in node1 (the handler is installed by then), interrupt it.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !(await inNetns(`pl-${name}-node1`, ['nft', 'list', 'tables'])).out.includes('podlab-trace')) await new Promise((r) => setTimeout(r, 50));
  process.kill(p.pid!, 'SIGINT'); // not p.kill: execa would SIGKILL it 5 s later, before a loaded box finished cleaning up
  const r = await p;
  t.ok(r.exitCode === 130 || r.exitCode === 0, `exit ${r.exitCode} (130, or 0 when the trace had already finished): ${r.stderr}`);
  t.same(await leftovers(), []);
});

t.test('down leaves nothing', async (t) => {
  const d = await podlab(['down', '-c', name]);
  t.equal(d.exitCode, 0, d.stderr);
  t.same(netnsOf(name), []);
});
});
