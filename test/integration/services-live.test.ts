// Live changes: `podlab apply` adds a Service and an endpoint, `podlab delete` removes them; the dataplane
// follows within a second, and UDP flows pinned to a removed endpoint are flushed from conntrack.
import t, { type Test } from 'tap';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot } from '../helpers/lab.js';

const MODES = (process.env.PODLAB_PROXY_MODES ?? 'iptables,nftables').split(',');

const SVC = `apiVersion: v1
kind: Service
metadata: {name: dns, namespace: shop}
spec:
  selector: {app: web}
  clusterIP: 10.96.0.53
  ports: [{name: dns, port: 53, protocol: UDP, targetPort: 8080}, {name: http, port: 80, targetPort: 8080}]
`;

/** One UDP request from a fixed source port (so conntrack keeps the same flow). */
async function udpFrom(netns: string, sport: number, ip: string, port: number): Promise<string> {
  const py = `import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0',${sport})); s.settimeout(1)
s.sendto(b'hostname',('${ip}',${port}))
try: print(s.recvfrom(2048)[0].decode().strip())
except Exception: print('TIMEOUT')`;
  return (await inNetns(netns, ['python3', '-c', py])).out;
}

for (const proxyMode of MODES) {
  t.test(`live apply/delete (${proxyMode} mode)`, { skip: !isRoot && 'needs root' }, async (t) => {
    const name = clusterName('s');
    const file = writeLab({
      name, nodes: 2, clusterSpecExtra: `  proxyMode: ${proxyMode}`,
      extra: pod('shop', 'web-1', 'node1') + pod('shop', 'web-2', 'node2') + pod('shop', 'client', 'node1', undefined, '{app: client}').replace(/---\n$/, ''),
    });
    try {
      await run(t, name, file);
    } finally {
      const d = await podlab(['down', '-c', name]);
      t.equal(d.exitCode, 0, `down: ${d.stderr}`);
      t.same(netnsOf(name), [], 'down leaves no namespaces');
    }
  });
}

async function run(t: Test, name: string, file: string): Promise<void> {
  const upr = await podlab(['up', '-f', file]);
  t.equal(upr.exitCode, 0, `up: ${upr.stderr}`);
  if (upr.exitCode !== 0) return;
  const client = `pl-${name}-shop-client`;
  const dir = mkdtempSync(join(tmpdir(), 'podlab-live-'));
  const svcFile = join(dir, 'svc.yaml');
  writeFileSync(svcFile, SVC);

  await t.test('apply adds a Service: reachable as soon as apply returns', async (t) => {
    const before = await inNetns(client, ['curl', '-s', '-m', '1', 'http://10.96.0.53/hostname']);
    t.not(before.code, 0, 'not reachable before');
    const r = await podlab(['apply', '-c', name, '-f', svcFile]);
    t.equal(r.exitCode, 0, r.stderr);
    // The first request after apply returns is answered (how fast is the benchmark's business: bench-services.mjs).
    const after = await inNetns(client, ['curl', '-s', '-m', '1', 'http://10.96.0.53/hostname']);
    t.match(after.out, /^web-[12]$/);
    t.match(String(r.stdout), /\(\d+ namespaces: re-read 0, rules rewritten in 2, created 0\)/, 'a partial sync: only the two nodes get rules, and nothing is read back');
    const second = await podlab(['apply', '-c', name, '-f', svcFile, '--json']);
    const j = JSON.parse(String(second.stdout)) as { changes: number; readBack: number };
    t.same({ changes: j.changes, readBack: j.readBack }, { changes: 0, readBack: 0 }, 'applying the same file again reads back and changes nothing');
  });

  await t.test('apply with changed labels only moves endpoints; a changed pod spec recreates the pod', async (t) => {
    const podsFile = join(dir, 'pods.yaml');
    const ip = async (p: string) => {
      const x = (JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { pods: { name: string; ip: string; node: string }[] }).pods.find((q) => q.name === p)!;
      return { ip: x.ip, node: x.node };
    };
    const before = await ip('web-2');
    // web-2 leaves the Service (label app: other): only web-1 answers; no namespace is created or removed.
    writeFileSync(podsFile, pod('shop', 'web-2', 'node2', undefined, '{app: other}').replace(/---\n$/, ''));
    const r = await podlab(['apply', '-c', name, '-f', podsFile, '--json']);
    t.equal(r.exitCode, 0, r.stderr);
    const j = JSON.parse(String(r.stdout)) as { created: string[]; deleted: string[] };
    t.same([j.created, j.deleted], [[], []], 'a label change creates and removes no namespace');
    const seen = new Set((await Promise.all(Array.from({ length: 12 }, () => inNetns(client, ['curl', '-s', '-m', '1', 'http://10.96.0.53/hostname'])))).map((x) => x.out));
    t.same([...seen], ['web-1'], 'only web-1 is an endpoint now');
    t.same(await ip('web-2'), before, 'web-2 kept its address and node');
    // Back into the Service, and moved to node1: the pod is rebuilt there and answers again.
    writeFileSync(podsFile, pod('shop', 'web-2', 'node1').replace(/---\n$/, ''));
    const m = await podlab(['apply', '-c', name, '-f', podsFile, '--json']);
    t.equal(m.exitCode, 0, m.stderr);
    const mj = JSON.parse(String(m.stdout)) as { created: string[]; deleted: string[] };
    t.same([mj.created, mj.deleted], [[`pl-${name}-shop-web-2`], [`pl-${name}-shop-web-2`]], 'the moved pod is recreated: its namespace goes and comes back');
    const moved = await ip('web-2');
    t.equal(moved.node, 'node1', 'web-2 is on node1 now');
    const answers = new Set<string>();
    for (let i = 0; i < 30 && answers.size < 2; i++) answers.add((await inNetns(client, ['curl', '-s', '-m', '1', 'http://10.96.0.53/hostname'])).out);
    t.same([...answers].sort(), ['web-1', 'web-2'], 'both endpoints answer again');
    const direct = await inNetns(client, ['curl', '-s', '-m', '1', `http://${moved.ip}:8080/hostname`]);
    t.equal(direct.out, 'web-2', `web-2 answers at its new address ${moved.ip}`);
  });

  await t.test('delete pod: its UDP flows are flushed and go to the remaining endpoint', async (t) => {
    const first = await udpFrom(client, 41000, '10.96.0.53', 53);
    t.match(first, /^web-[12]$/, 'answered');
    const victim = first;
    const survivor = victim === 'web-1' ? 'web-2' : 'web-1';
    const again = await udpFrom(client, 41000, '10.96.0.53', 53);
    t.equal(again, victim, 'the same source port stays on the same endpoint (conntrack)');
    const del = await podlab(['delete', '-c', name, 'pod', `shop/${victim}`]);
    t.equal(del.exitCode, 0, del.stderr);
    const after = await udpFrom(client, 41000, '10.96.0.53', 53);
    t.equal(after, survivor, 'the flow now reaches the remaining endpoint, not a dead address');
    const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as { services: { name: string; endpoints: { pod: string }[] }[] };
    t.same(st.services.find((s) => s.name === 'dns')!.endpoints.map((e) => e.pod), [`shop/${survivor}`]);
  });

  await t.test('delete service: its rules go from every node; the ClusterIP no longer answers', async (t) => {
    const del = await podlab(['delete', '-c', name, 'service', 'shop/dns']);
    t.equal(del.exitCode, 0, del.stderr);
    const r = await inNetns(client, ['curl', '-s', '-m', '1', 'http://10.96.0.53/hostname']);
    t.not(r.code, 0);
    for (const n of ['node1', 'node2']) {
      const ipt = await inNetns(`pl-${name}-${n}`, ['sh', '-c', 'iptables-save -t nat; nft list table ip kube-proxy 2>/dev/null']);
      t.notMatch(ipt.out, 'shop/dns', `${n} has no rules for shop/dns`);
    }
  });

  await t.test('delete of something that does not exist is an error and changes nothing', async (t) => {
    const r = await podlab(['delete', '-c', name, 'service', 'shop/nope']);
    t.equal(r.exitCode, 1);
    t.match(String(r.stderr), 'not in lab');
  });
}

t.test('switching proxy mode leaves nothing of the other mode behind', { skip: !isRoot && 'needs root' }, async (t) => {
  const name = clusterName('s');
  const file = writeLab({ name, nodes: 2, extra: pod('shop', 'web-1', 'node2') + pod('shop', 'client', 'node1', undefined, '{app: client}') + SVC });
  const client = `pl-${name}-shop-client`;
  const rules = async (node: string) => {
    const r = await inNetns(`pl-${name}-${node}`, ['sh', '-c', 'iptables-save; echo ==; nft list tables']);
    const [ipt, nft] = r.out.split('==');
    return { kubeChains: (ipt!.match(/^:KUBE-\S+/gm) ?? []).length, kubeTable: /table ip kube-proxy/.test(nft!) };
  };
  try {
    for (const mode of ['iptables', 'nftables', 'iptables']) {
      const r = await podlab(['up', '-f', file, '--proxy-mode', mode]);
      t.equal(r.exitCode, 0, `up --proxy-mode ${mode}: ${r.stderr}`);
      for (const node of ['node1', 'node2']) {
        const got = await rules(node);
        if (mode === 'iptables') t.ok(got.kubeChains > 0 && !got.kubeTable, `${mode}: ${node} has KUBE-* chains and no kube-proxy nft table`);
        else t.same(got, { kubeChains: 0, kubeTable: true }, `${mode}: ${node} has the nft table and not one KUBE-* iptables chain (mangle's canary included)`);
      }
      const c = await inNetns(client, ['curl', '-s', '-m', '2', 'http://10.96.0.53/hostname']);
      t.equal(c.out, 'web-1', `${mode}: the ClusterIP answers`);
    }
  } finally {
    await podlab(['down', '-c', name]);
    t.same(netnsOf(name), [], 'down leaves no namespaces');
  }
});
