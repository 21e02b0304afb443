// kube-proxy's Service dataplane with real packets, in both proxy modes: ClusterIP (TCP, UDP, same-node and
// cross-node backends, source preserved), hairpin, node → ClusterIP, ClientIP affinity, REJECT without
// endpoints, NodePort from outside (eTP Cluster and Local) and from a pod.
import t, { type Test } from 'tap';
import { execaSync } from 'execa';
import { clusterName, writeLab, pod, podlab, netnsOf, inNetns, isRoot } from '../helpers/lab.js';

const MODES = (process.env.PODLAB_PROXY_MODES ?? 'iptables,nftables').split(',');

function services(): string {
  const svc = (name: string, spec: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
${spec.replace(/^/gm, '  ')}
---
`;
  return [
    pod('shop', 'web-1', 'node1', '[{containerPort: 8080, name: http}, {containerPort: 8080, protocol: UDP}]'),
    pod('shop', 'web-2', 'node2', '[{containerPort: 8080, name: http}, {containerPort: 8080, protocol: UDP}]'),
    pod('shop', 'client', 'node1', undefined, '{app: client}'),
    pod('shop', 'solo', 'node1', undefined, '{app: solo}'),
    svc('web', 'type: NodePort\nselector: {app: web}\nports:\n  - {name: http, port: 80, targetPort: http, nodePort: 30080}\n  - {name: dns, port: 53, protocol: UDP, targetPort: 8080, nodePort: 30053}'),
    svc('solo', 'type: NodePort\nexternalTrafficPolicy: Local\nselector: {app: solo}\nports: [{port: 80, targetPort: 8080, nodePort: 30081}]'),
    svc('sticky', 'selector: {app: web}\nsessionAffinity: ClientIP\nports: [{port: 80, targetPort: 8080}]'),
    svc('empty', 'selector: {app: nothing}\nports: [{port: 80, targetPort: 8080}]'),
    svc('headless', 'clusterIP: None\nselector: {app: web}\nports: [{port: 80}]'),
  ].join('').replace(/---\n$/, '');
}

interface Status {
  nodes: { name: string; ip: string; podCIDR: string; netns: string }[];
  pods: { namespace: string; name: string; ip: string; netns: string; node: string }[];
  services: { name: string; clusterIP: string; ports: { name: string; nodePort?: number; endpoints: { pod: string }[] }[]; endpoints: { pod: string }[] }[];
}

/** Run a small shell loop inside a namespace: one process for many requests. */
async function loop(netns: string, n: number, cmd: string): Promise<string[]> {
  const r = await inNetns(netns, ['sh', '-c', `for i in $(seq ${n}); do ${cmd}; echo; done`], 60_000);
  return r.out.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** UDP request/response from a fresh source port each time (python: no netcat dialect differences). */
async function udp(netns: string, ip: string, port: number, n: number, msg = 'hostname'): Promise<string[]> {
  const py = `import socket
out=[]
for i in range(${n}):
    s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(1)
    s.sendto(b'${msg}',('${ip}',${port}))
    try: out.append(s.recvfrom(2048)[0].decode().strip())
    except Exception: out.append('TIMEOUT')
    s.close()
print('\\n'.join(out))`;
  const r = await inNetns(netns, ['python3', '-c', py], 60_000);
  return r.out.split('\n').filter(Boolean);
}

for (const proxyMode of MODES) {
  t.test(`Services with real traffic (${proxyMode} mode)`, { skip: !isRoot && 'needs root' }, async (t) => {
    const name = clusterName('s');
    const file = writeLab({ name, nodes: 3, extra: services(), clusterSpecExtra: `  proxyMode: ${proxyMode}\n  external: {ip: 172.18.0.100}` });
    try {
      await run(t, name, file, proxyMode);
    } finally {
      const d = await podlab(['down', '-c', name]);
      t.equal(d.exitCode, 0, `down: ${d.stderr}`);
      t.same(netnsOf(name), [], 'down leaves no namespaces');
    }
  });
}

async function run(t: Test, name: string, file: string, proxyMode: string): Promise<void> {
    const upr = await podlab(['up', '-f', file]);
    t.equal(upr.exitCode, 0, `up: ${upr.stderr}`);
    if (upr.exitCode !== 0) return;
    const st = JSON.parse(String((await podlab(['status', '-c', name, '--json'])).stdout)) as Status;
    const ip = (svc: string) => st.services.find((s) => s.name === svc)!.clusterIP;
    const p = (n: string) => st.pods.find((x) => x.name === n)!;
    const node = (n: string) => st.nodes.find((x) => x.name === n)!;
    const client = p('client');

    await t.test('status lists services with endpoints', async (t) => {
      const web = st.services.find((s) => s.name === 'web')!;
      t.same(web.endpoints.map((e) => e.pod).sort(), ['shop/web-1', 'shop/web-2']);
      t.equal(web.ports[0]!.nodePort, 30080);
      t.equal(st.services.find((s) => s.name === 'headless')!.clusterIP, 'None');
    });

    await t.test('pod → ClusterIP (TCP): source kept, both same-node and cross-node backends answer', async (t) => {
      const seen = await loop(client.netns, 60, `curl -s -m 2 http://${ip('web')}/clientip`);
      t.equal(seen.length, 60, 'every request answered');
      t.ok(seen.every((s) => s.startsWith(client.ip + ':')), `server saw the client pod ${client.ip}: ${[...new Set(seen.map((s) => s.split(':')[0]))].join(',')}`);
      const hosts = new Set(await loop(client.netns, 60, `curl -s -m 2 http://${ip('web')}/hostname`));
      t.same([...hosts].sort(), ['web-1', 'web-2']);
    });

    await t.test('pod → ClusterIP (UDP): every backend answers, source kept', async (t) => {
      const hosts = await udp(client.netns, ip('web'), 53, 40);
      t.notOk(hosts.includes('TIMEOUT'), 'no datagram lost');
      t.same([...new Set(hosts)].sort(), ['web-1', 'web-2']);
      const ips = await udp(client.netns, ip('web'), 53, 5, 'clientip');
      t.ok(ips.every((s) => s.startsWith(client.ip + ':')), ips.join(','));
    });

    await t.test('hairpin: a pod reaches itself through its own Service (masqueraded to cni0)', async (t) => {
      const solo = p('solo');
      const r = await inNetns(solo.netns, ['curl', '-s', '-m', '2', `http://${ip('solo')}/clientip`]);
      t.equal(r.code, 0, r.err);
      const cni0 = node('node1').podCIDR.replace(/\.0\/\d+$/, '.1');
      t.equal(r.out.split(':')[0], cni0, 'source is the bridge address');
    });

    await t.test('node → ClusterIP works', async (t) => {
      const hosts = new Set(await loop(node('node3').netns, 20, `curl -s -m 2 http://${ip('web')}/hostname`));
      t.same([...hosts].sort(), ['web-1', 'web-2']);
    });

    await t.test('ClientIP affinity keeps one backend', async (t) => {
      const hosts = await loop(client.netns, 20, `curl -s -m 2 http://${ip('sticky')}/hostname`);
      t.equal(hosts.length, 20);
      t.equal(new Set(hosts).size, 1, `one backend: ${hosts.join(',')}`);
    });

    await t.test('a Service without endpoints is refused fast', async (t) => {
      const t0 = Date.now();
      const r = await inNetns(client.netns, ['curl', '-s', '-m', '5', `http://${ip('empty')}/`]);
      const ms = Date.now() - t0;
      t.equal(r.code, 7, 'curl: connection refused');
      t.ok(ms < 1000, `refused in ${ms} ms`);
    });

    await t.test('headless Service: no NAT for its name', async (t) => {
      const nat = await inNetns(node('node1').netns, proxyMode === 'iptables' ? ['iptables-save', '-t', 'nat'] : ['nft', 'list', 'table', 'ip', 'kube-proxy']);
      t.notMatch(nat.out, 'shop/headless');
      t.match(nat.out, 'shop/web');
    });

    await t.test('external → NodePort eTP Cluster via every node: the server sees a node address', async (t) => {
      const nodeAddrs = new Set(st.nodes.flatMap((n) => [n.ip, n.podCIDR.replace(/\.0\/\d+$/, '.0'), n.podCIDR.replace(/\.0\/\d+$/, '.1')]));
      for (const n of st.nodes) {
        const seen = await loop('pl-' + name + '-ext', 6, `curl -s -m 2 http://${n.ip}:30080/clientip`);
        t.equal(seen.length, 6, `${n.name} answers`);
        t.ok(seen.every((s) => nodeAddrs.has(s.split(':')[0]!)), `${n.name}: sources ${seen.map((s) => s.split(':')[0]).join(',')}`);
      }
      const u = await udp('pl-' + name + '-ext', node('node3').ip, 30053, 5);
      t.notOk(u.includes('TIMEOUT'), `UDP NodePort answers: ${u.join(',')}`);
    });

    await t.test('external → NodePort eTP Local: client address kept; nodes without a local endpoint drop', async (t) => {
      const ok = await inNetns('pl-' + name + '-ext', ['curl', '-s', '-m', '2', `http://${node('node1').ip}:30081/clientip`]);
      t.equal(ok.out.split(':')[0], '172.18.0.100');
      for (const n of ['node2', 'node3']) {
        const r = await inNetns('pl-' + name + '-ext', ['curl', '-s', '-m', '1', `http://${node(n).ip}:30081/clientip`]);
        t.equal(r.code, 28, `${n} drops (timeout, not refused)`);
      }
    });

    await t.test('pod → NodePort works (eTP Cluster and eTP Local short-circuit)', async (t) => {
      const r = await inNetns(client.netns, ['curl', '-s', '-m', '2', `http://${node('node1').ip}:30080/hostname`]);
      t.match(r.out, /^web-[12]$/);
      const l = await inNetns(client.netns, ['curl', '-s', '-m', '2', `http://${node('node1').ip}:30081/clientip`]);
      t.equal(l.out.split(':')[0], client.ip, 'eTP Local: pod source kept');
    });
}

t.test('SCTP: used where the kernel has it, refused up front (exit 3, naming each use) where it does not', { skip: !isRoot && 'needs root' }, async (t) => {
  const name = clusterName('s');
  const file = writeLab({
    name, nodes: 1,
    extra: pod('shop', 'web-1', 'node1', '[{containerPort: 8080}, {containerPort: 9, protocol: SCTP}]') +
      'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 9, protocol: SCTP}]\n',
  });
  const kernelHasSctp = execaSync('python3', ['-c', 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)'], { reject: false }).exitCode === 0;
  t.comment(`this kernel ${kernelHasSctp ? 'has' : 'has no'} SCTP`);
  try {
    const r = await podlab(['up', '-f', file]);
    if (!kernelHasSctp) {
      t.equal(r.exitCode, 3, 'missing kernel feature: exit 3');
      t.match(String(r.stderr), /kernel support for SCTP/);
      t.match(String(r.stderr), /lab\.yaml:\d+: Pod shop\/web-1 spec\.containers\[0\]\.ports\[1\]: 9\/SCTP/);
      t.match(String(r.stderr), /lab\.yaml:\d+: Service shop\/s spec\.ports\[0\]: 9\/SCTP/);
      t.same(netnsOf(name), [], 'nothing was built');
    } else {
      t.equal(r.exitCode, 0, `up: ${r.stderr}`);
      const nat = await inNetns(`pl-${name}-node1`, ['iptables-save', '-t', 'nat']);
      t.match(nat.out, /-p sctp/, 'the Service has SCTP rules');
    }
  } finally {
    await podlab(['down', '-c', name]);
  }
});
