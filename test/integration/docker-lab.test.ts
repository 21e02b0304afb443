// A whole lab with spec.runtime: docker, through the CLI: every pod a pause sandbox and busybox containers from the
// offline image (`podlab image build-busybox`), across two nodes. Pods reach each other across nodes and through a
// Service (by ClusterIP and by name), a two-container pod shares localhost, every container sees kubelet's
// /etc/hosts and resolv.conf of its pod, a hostNetwork pod runs as a process pod in its node's namespace, a
// container killed under `podlab supervise` is restarted in the same sandbox with the same IP, and `down` stops
// that supervisor first and leaves no container, no namespace (not even one only a mount still holds — another
// lab's processes started meanwhile copy the engine's mounts) and no process. A supervisor whose lab's state is
// gone stops by itself.
import t from 'tap';
import { execa, type ResultPromise } from 'execa';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { clusterName, writeLab, podlab, netnsOf, isRoot, CLI, STATE_DIR, until as untilHelper, statusJson } from '../helpers/lab.js';
import { testEngine } from '../helpers/docker.js';
import { listCluster } from '../../src/workload/docker/index.js';

if (!isRoot) {
  t.skip('needs root: runs a Docker engine and network namespaces');
  process.exit(0);
}
if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd')) {
  t.fail('dockerd is not installed (apt-get install docker.io): the Docker runtime cannot be tested');
  process.exit(1);
}

const T0 = Date.now();
const { engine, started, release } = await testEngine();
t.teardown(release);
t.comment(`engine ${engine.version} at ${engine.host}${started ? ` (started by this test, pid ${started.pid})` : ''}`);
// podlab's CLI finds the engine through DOCKER_HOST, as a user's shell would.
process.env.DOCKER_HOST = engine.host;
process.env.PODLAB_NO_DAEMON = '1';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const name = clusterName('dkl');
const other = clusterName('dko');
const BB = 'podlab/busybox:latest';
const file = writeLab({
  name, nodes: 2,
  clusterSpecExtra: '  runtime: docker\n  kubelet: {backoff: {initialSeconds: 1, maxSeconds: 2}}',
  extra: `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  nodeName: node1
  hostAliases: [{ip: 10.1.2.3, hostnames: [db.example, db]}]
  containers:
    - name: srv
      image: ${BB}
      command: [sh, -c, "mkdir -p /www; echo \\"$(hostname) $POD_IP\\" > /www/index.html; exec httpd -f -p 8080 -h /www"]
      ports: [{containerPort: 8080}]
    - name: side
      image: ${BB}
      command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 1; done"]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop}
spec:
  nodeName: node2
  containers:
    - {name: sh, image: ${BB}, command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 1; done"]}
---
apiVersion: v1
kind: Pod
metadata: {name: hostnet, namespace: default}
spec:
  nodeName: node1
  hostNetwork: true
  containers:
    - {name: c, image: ${BB}, ports: [{containerPort: 9100}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`,
});
// Another lab, with process pods only, started while the docker lab runs: its processes' mount namespaces are made
// then, and copy every mount the host has — the engine's mounts of the docker lab's sandbox namespaces too.
const otherFile = writeLab({
  name: other, nodes: 1,
  extra: `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
  containers: [{name: c, command: [sleep, infinity]}]
`,
});

interface PodJ { namespace: string; name: string; ip: string; phase: string; restarts: number; netns: string; containers: { name: string; state: string; restartCount: number }[] }
interface StatusJ { pods: PodJ[]; nodes: { name: string; ip: string }[]; lifecycle: { supervised: boolean; by?: string; pid?: number } }
const status = (c = name) => statusJson<StatusJ>(c);
const until = <T>(what: string, f: () => Promise<T | undefined | false>, ms = 30_000) => untilHelper(what, f, ms, 200);
const podOf = (s: StatusJ, n: string) => s.pods.find((p) => p.name === n)!;
async function exec(pod: string, argv: string[], container?: string) {
  const r = await podlab(['exec', '-c', name, pod, ...(container ? ['--container', container] : []), '--', ...argv]);
  return { code: r.exitCode ?? -1, out: String(r.stdout), err: String(r.stderr) };
}
// busybox 1.35's static wget crashes (SIGSEGV) when given -T: bound it with timeout(1) instead.
const wget = (url: string) => ['timeout', '5', 'wget', '-qO-', url];
const docker = (args: string[]) => execa('docker', args, { reject: false, env: { DOCKER_HOST: engine.host } });

/** Where each network namespace (by inode) is still held: a mount of it in any mount namespace, a process in it. */
function holders(inodes: readonly number[]): string[] {
  const want = new Map(inodes.map((i) => [`net:[${i}]`, i]));
  const out: string[] = [];
  const seenMnt = new Set<string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const net = readlinkSync(`/proc/${d}/ns/net`);
      if (want.has(net)) out.push(`process ${d} (${readFileSync(`/proc/${d}/comm`, 'utf8').trim()}) in ${net}`);
      const mnt = readlinkSync(`/proc/${d}/ns/mnt`);
      if (seenMnt.has(mnt)) continue;
      seenMnt.add(mnt);
      for (const l of readFileSync(`/proc/${d}/mountinfo`, 'utf8').split('\n')) {
        const f = l.split(' ');
        if (want.has(f[3]!)) out.push(`mount ${f[4]} of ${f[3]} in ${mnt} (process ${d}, ${readFileSync(`/proc/${d}/comm`, 'utf8').trim()})`);
      }
    } catch {
      /* the process ended */
    }
  }
  return out;
}

let sup: ResultPromise | undefined;
let sup2: ResultPromise | undefined;
t.teardown(async () => {
  for (const s of [sup, sup2]) if (s && s.exitCode === null && s.pid) process.kill(s.pid, 'SIGINT');
  await Promise.all([sup, sup2].map((s) => s?.catch(() => undefined)));
  await podlab(['down', '-c', name]);
  await podlab(['down', '-c', other]);
  rmSync(STATE_DIR, { recursive: true, force: true });
  t.comment(`whole test: ${((Date.now() - T0) / 1000).toFixed(1)} s`);
});

t.test('up: every pod in Docker across two nodes, from the offline busybox image', async (t) => {
  const b = await podlab(['image', 'build-busybox']);
  t.equal(b.exitCode, 0, String(b.stderr));
  const t0 = Date.now();
  const r = await podlab(['up', '-f', file]);
  t.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  t.comment(`up in ${Date.now() - t0} ms`);
  t.match(String(r.stderr), /Pod default\/hostnet: a hostNetwork pod runs as a process pod in its node's namespace, not in Docker/, 'up says the hostNetwork pod is a process pod');
  const cs = await listCluster(engine, name);
  t.same(cs.filter((c) => c.role === 'sandbox').map((c) => c.pod).sort(), ['default/web', 'shop/client'], 'a sandbox per docker pod (the hostNetwork pod has none)');
  t.same(cs.filter((c) => c.role === 'container').map((c) => `${c.pod}/${c.container}`).sort(), ['default/web/side', 'default/web/srv', 'shop/client/sh']);
  const s = await status();
  for (const p of ['web', 'client', 'hostnet']) t.equal(podOf(s, p).phase, 'Running', `${p} Running`);
  // Each sandbox's namespace is the pod's /run/netns name (wired by podlab), and its containers are in it.
  for (const c of cs) {
    const i = await engine.docker.getContainer(c.id).inspect();
    const ns = c.netns;
    if (ns) t.equal(statSync(`/proc/${i.State.Pid}/ns/net`).ino, statSync(`/run/netns/${ns}`).ino, `${c.name}: /run/netns/${ns} is its namespace`);
  }
});

t.test('pods reach each other across nodes, through the Service by IP and by name; a pod\'s containers share localhost', async (t) => {
  const s = await status();
  const web = podOf(s, 'web');
  const want = `web ${web.ip}`; // (execa drops the last newline)
  t.equal((await exec('shop/client', wget(`http://${web.ip}:8080/`))).out, want, 'client (node2) → web (node1) by pod IP');
  t.equal((await exec('shop/client', wget('http://web.default/'))).out, want, 'through the Service by name (cluster DNS, search path)');
  const svc = (await podlab(['status', '-c', name])).stdout;
  const cip = /default\/web\s+ClusterIP\s+(\S+)/.exec(String(svc))?.[1];
  t.ok(cip, `ClusterIP of default/web (${cip})`);
  t.equal((await exec('shop/client', wget(`http://${cip}/`))).out, want, 'through the ClusterIP');
  const side = await exec('web', wget('http://127.0.0.1:8080/'), 'side');
  t.equal(side.out, want, `side reaches srv on localhost (${side.err.trim()})`);
  t.equal((await exec('web', ['hostname'], 'side')).out.trim(), 'web');
  // The hostNetwork pod runs in node1's namespace: its netexec answers on the node's IP.
  const node1 = s.nodes.find((n) => n.name === 'node1')!;
  t.equal(podOf(s, 'hostnet').ip, node1.ip, 'the hostNetwork pod has its node\'s IP');
  const hn = await exec('shop/client', wget(`http://${node1.ip}:9100/hostname`));
  t.equal(hn.code, 0, `client → hostnet on node1's IP:9100 (${hn.err.trim()})`);
});

t.test('kubelet\'s /etc/hosts and resolv.conf are in every container (podlab exec and docker exec)', async (t) => {
  const s = await status();
  const web = podOf(s, 'web');
  const client = podOf(s, 'client');
  const dnsIp = /kube-system\/kube-dns(?: \(system\))?\s+ClusterIP\s+(\S+)/.exec(String((await podlab(['status', '-c', name])).stdout))?.[1];
  t.ok(dnsIp, `the cluster DNS at ${dnsIp}`);
  const views: [string, string, () => Promise<string>][] = [];
  for (const [pod, c, ns] of [['web', 'srv', 'default'], ['web', 'side', 'default'], ['shop/client', 'sh', 'shop']] as const) {
    views.push([`${pod}/${c} (podlab exec)`, ns, async () => (await exec(pod, ['cat', '/etc/hosts', '/etc/resolv.conf'], c)).out]);
    const id = (await listCluster(engine, name)).find((x) => x.pod === (pod.includes('/') ? pod : `default/${pod}`) && x.container === c)!.id;
    views.push([`${pod}/${c} (docker exec)`, ns, async () => String((await docker(['exec', id, 'cat', '/etc/hosts', '/etc/resolv.conf'])).stdout)]);
  }
  for (const [who, ns, read] of views) {
    const text = await read();
    const pod = who.startsWith('web') ? web : client;
    t.match(text, /^127\.0\.0\.1\s+localhost$/m, `${who}: localhost`);
    t.match(text, new RegExp(`^${pod.ip.replace(/\./g, '\\.')}\\s+${pod.name}\\b`, 'm'), `${who}: the pod IP and hostname`);
    if (pod === web) t.match(text, /^10\.1\.2\.3\s+db\.example\s+db$/m, `${who}: hostAliases`);
    t.match(text, new RegExp(`^nameserver ${dnsIp?.replace(/\./g, '\\.')}$`, 'm'), `${who}: the lab's cluster DNS`);
    t.match(text, new RegExp(`^search ${ns}\\.svc\\.cluster\\.local svc\\.cluster\\.local cluster\\.local$`, 'm'), `${who}: the search path of namespace ${ns}`);
    t.match(text, /^options ndots:5$/m, `${who}: ndots:5`);
  }
});

t.test('under podlab supervise a killed container is recreated in the same sandbox: same IP, reachable again', async (t) => {
  sup = execa('node', [CLI, 'supervise', '-c', name, '--json'], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR } });
  await until('the supervisor to run', async () => (await status()).lifecycle.supervised);
  const before = podOf(await status(), 'web');
  const [srv] = (await listCluster(engine, name)).filter((c) => c.pod === 'default/web' && c.container === 'srv');
  const sandboxIno = statSync(`/run/netns/${before.netns}`).ino;
  await docker(['kill', srv!.id]);
  const after = await until('srv restarted', async () => {
    const p = podOf(await status(), 'web');
    const c = p.containers.find((x) => x.name === 'srv')!;
    return c.restartCount >= 1 && c.state === 'running' ? p : undefined;
  });
  t.equal(after.ip, before.ip, 'same pod IP');
  t.equal(statSync(`/run/netns/${after.netns}`).ino, sandboxIno, 'same sandbox namespace');
  const again = await until('web to answer again', async () => { const r = await exec('shop/client', wget(`http://${after.ip}:8080/`)); return r.code === 0 && r; });
  t.equal(again.out, `web ${before.ip}`);
  const eth0 = await exec('web', ['ip', '-4', '-o', 'addr', 'show', 'eth0'], 'srv');
  t.match(eth0.out, new RegExp(`inet ${before.ip.replace(/\./g, '\\.')}/`), 'the new instance has the pod IP');
});

t.test('down stops the supervisor first and leaves no container, no namespace, no process', async (t) => {
  // Another lab's processes, started now, copy the engine's mounts of this lab's sandbox namespaces.
  const o = await podlab(['up', '-f', otherFile]);
  t.equal(o.exitCode, 0, String(o.stderr));
  const sandboxes = (await listCluster(engine, name)).filter((c) => c.role === 'sandbox');
  const inodes = await Promise.all(sandboxes.map(async (c) => statSync(`/proc/${(await engine.docker.getContainer(c.id).inspect()).State.Pid}/ns/net`).ino));
  t.equal(inodes.length, 2);
  t.ok(sup && sup.exitCode === null, 'the supervisor runs');
  const t0 = Date.now();
  const d = await podlab(['down', '-c', name]);
  const downMs = Date.now() - t0;
  t.equal(d.exitCode, 0, `${d.stdout}\n${d.stderr}`);
  t.match(String(d.stdout), /stopped the lab's supervisor \(podlab supervise, pid \d+\)/, 'down says it stopped the supervisor');
  t.not(sup!.exitCode, null, 'the supervisor has exited when down returns');
  // The namespaces: no /run/netns name, and nothing holds them any more (measured).
  const t1 = Date.now();
  let held = holders(inodes);
  while (held.length && Date.now() - t1 < 10_000) {
    await sleep(10);
    held = holders(inodes);
  }
  const freeMs = Date.now() - t1;
  t.comment(`down in ${downMs} ms; the sandbox namespaces free ${freeMs} ms after it`);
  t.same(held, [], 'no mount or process holds a sandbox namespace of the lab');
  t.ok(freeMs < 1000, `free within 1 s of down (${freeMs} ms)`);
  t.same(netnsOf(name), [], 'no /run/netns name of the lab');
  // Had the supervisor still run it would restart the containers it found gone: nothing comes back.
  await sleep(3000);
  t.same((await listCluster(engine, name)).map((c) => c.name), [], 'no container of the lab, 3 s later');
  const ps = await execa('ps', ['-eo', 'pid,args'], { reject: false });
  t.same(String(ps.stdout).split('\n').filter((l) => l.includes(`supervise -c ${name}`) || l.includes(`pl-${name}-`) || l.includes(`/${name}/`)), [], 'no process of the lab');
  t.notOk(existsSync(`${STATE_DIR}/${name}`), 'the lab\'s state folder is gone (the supervisor did not write it again)');
  t.equal((await status(other)).pods.find((p) => p.name === 'p')?.phase, 'Running', 'the other lab is untouched');
});

t.test('a supervisor whose lab\'s state is gone stops by itself', async (t) => {
  sup2 = execa('node', [CLI, 'supervise', '-c', other], { reject: false, env: { PODLAB_STATE_DIR: STATE_DIR } });
  await until('the supervisor to run', async () => (await status(other)).lifecycle.supervised);
  // The state removed behind its back (another host's `down`, a `clean` by hand): the state file goes.
  rmSync(`${STATE_DIR}/${other}/state.json`);
  const r = await Promise.race([sup2, sleep(15_000).then(() => undefined)]);
  t.ok(r, 'the supervisor exited');
  t.equal(r?.exitCode, 0);
  t.match(String(r?.stderr), new RegExp(`the state of lab ${other} is gone`), 'and said why');
  t.notOk(existsSync(`${STATE_DIR}/${other}/state.json`), 'it did not write the state again');
  const c = await podlab(['clean', '-c', other]);
  t.equal(c.exitCode, 0, String(c.stderr));
  t.same(netnsOf(other), []);
});
