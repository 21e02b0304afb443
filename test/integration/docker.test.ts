// The Docker engine layer, for real: images built offline from the host's busybox-static, the pause sandbox with
// its network namespace linked under /run/netns and wired by plain `ip`, two containers sharing localhost,
// restart by recreation keeping the sandbox, state and logs (--previous), removal by label, and an engine started
// with podlab's flags leaving the host's firewall and sysctls exactly as they were.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, statSync } from 'node:fs';
import { clusterName, isRoot, inNetns } from '../helpers/lab.js';
import { testEngine, startEngine, hostSnapshot } from '../helpers/docker.js';
import { podNetns } from '../../src/net/names.js';
import { LocalExecutor } from '../../src/substrate/local.js';
import {
  connectEngine, buildBusyboxImage, buildPauseImage, inspectImage, requireImages, ensureSandbox, ensureSandboxes, ensureContainer, restartContainer,
  containerStatus, containerLogs, followLogs, execInContainer, waitContainer, instances, listCluster, removeCluster, findSandbox, stateName,
  ImageMissingError, demux, BUSYBOX_IMAGE, PAUSE_IMAGE, LABEL, type Engine, type Sandbox, type ContainerSpec,
} from '../../src/workload/docker/index.js';

if (!isRoot) {
  t.skip('needs root: runs a Docker engine and links network namespaces');
  process.exit(0);
}
if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd')) {
  t.fail('dockerd is not installed (apt-get install docker.io): the Docker runtime cannot be tested');
  process.exit(1);
}

const hostBefore = await hostSnapshot();
const { engine, started, release } = await testEngine();
t.teardown(release);
t.comment(`engine ${engine.version} (API ${engine.apiVersion}) at ${engine.host}${started ? `, started by this test (pid ${started.pid})` : ''}`);

const cluster = clusterName('dk');
const decoy = clusterName('dk');
const ref = { cluster, namespace: 'default', pod: 'web' };
const NETNS = podNetns(cluster, 'default', 'web');
const PEER = `pl-${cluster}-peer`;
const ino = (p: string) => { try { return statSync(p).ino; } catch { return undefined; } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

t.teardown(async () => {
  // Whatever a failed test left: only this test's clusters and namespaces.
  await removeCluster(engine, cluster).catch(() => {});
  await removeCluster(engine, decoy).catch(() => {});
  await execa('ip', ['netns', 'delete', PEER], { reject: false });
});

t.test('busybox and pause images are built offline from the host busybox-static', async (t) => {
  const t0 = performance.now();
  const bb = await buildBusyboxImage(engine);
  const pause = await buildPauseImage(engine);
  t.comment(`built ${bb.tag} (${(bb.size / 1e6).toFixed(1)} MB, ${bb.busybox.applets} applets) and ${pause.tag} in ${Math.round(performance.now() - t0)} ms`);
  t.equal(bb.tag, BUSYBOX_IMAGE);
  t.equal(pause.tag, PAUSE_IMAGE);
  t.ok(bb.busybox.applets > 100, `${bb.busybox.applets} applets`);
  const info = await inspectImage(engine, BUSYBOX_IMAGE);
  t.equal(info?.labels[LABEL.image], 'busybox');
  t.equal(info?.labels['podlab.busybox.sha256'], bb.busybox.sha256);
  // The image works: its sh, wget and the host's busybox version, with no network at all.
  const c = await engine.docker.createContainer({ Image: BUSYBOX_IMAGE, Cmd: ['sh', '-c', 'busybox | head -1; which wget httpd nc; id -un'], HostConfig: { NetworkMode: 'none' } });
  await c.start();
  t.equal((await c.wait()).StatusCode, 0);
  const out = demux(await c.logs({ stdout: true, stderr: true, follow: false })).map((f) => f.data.toString()).join('');
  await c.remove({ force: true });
  t.match(out, new RegExp(`BusyBox v${bb.busybox.version.replace(/\./g, '\\.')}`));
  t.match(out, /^\/usr\/bin\/wget\n\/usr\/sbin\/httpd\n\/usr\/bin\/nc\nroot\n$/m);
  const missing = await requireImages(engine, [{ image: BUSYBOX_IMAGE }, { image: 'podlab/nope:1', where: 'lab.yaml:7: Pod default/x spec.containers[0].image' }, { image: 'nginx:1.27' }]).catch((e) => e);
  t.type(missing, ImageMissingError);
  t.match(missing.message, /2 images are missing/);
  t.match(missing.message, /lab\.yaml:7: Pod default\/x spec\.containers\[0\]\.image: image "podlab\/nope:1" is not in the Docker engine/);
  t.match(missing.message, /nginx:1\.27: provide it with `docker load -i IMAGE\.tar`.*`docker import ROOTFS\.tar nginx:1\.27`.*`podlab image build-busybox nginx:1\.27`.*podlab never pulls/);
  t.notMatch(missing.message, /podlab\/busybox:latest/, 'present images are not named');
});

let sandbox: Sandbox;
const DNS = { nameservers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] };
const srv: ContainerSpec = {
  name: 'srv', image: BUSYBOX_IMAGE, env: { GREETING: 'hello' }, workingDir: '/tmp', stopTimeoutSeconds: 1,
  command: ['sh', '-c', 'echo "started $(cat /proc/sys/kernel/random/uuid)"; echo to-stderr >&2; mkdir -p /www; echo "$GREETING from srv" > /www/index.html; exec httpd -f -p 8080 -h /www'],
};
const cli: ContainerSpec = {
  name: 'cli', image: BUSYBOX_IMAGE, stopTimeoutSeconds: 1,
  command: ['sh', '-c', 'until wget -qO- http://127.0.0.1:8080/; do sleep 0.1; done; exec sleep 3600'],
};

t.test('a sandbox with two containers: shared localhost, hostname and /etc/hosts from the sandbox', async (t) => {
  const t0 = performance.now();
  sandbox = await ensureSandbox(engine, { ...ref, netns: NETNS, hostname: 'web', ip: '10.99.0.2', hostAliases: [{ ip: '10.99.0.9', hostnames: ['db.local'] }], dns: DNS });
  const tBox = performance.now();
  const a = await ensureContainer(engine, sandbox, srv);
  const b = await ensureContainer(engine, sandbox, cli);
  t.comment(`sandbox in ${Math.round(tBox - t0)} ms, two containers in ${Math.round(performance.now() - tBox)} ms`);
  t.ok(sandbox.created && a.created && b.created && a.started && b.started);
  // The sandbox's namespace is linked under /run/netns, as `ip netns attach` does.
  t.equal(ino(`/run/netns/${NETNS}`), ino(`/proc/${sandbox.pid}/ns/net`), '/run/netns link = the pause process\'s netns');
  t.equal(sandbox.netnsInode, ino(`/run/netns/${NETNS}`));
  t.not(sandbox.netnsInode, ino('/proc/self/ns/net'), 'not the host namespace');
  // The app containers are in the same network namespace (and not in the host's).
  for (const c of [a, b]) {
    const pid = (await engine.docker.getContainer(c.id).inspect()).State.Pid;
    t.equal(ino(`/proc/${pid}/ns/net`), sandbox.netnsInode, `${c.name} joined the sandbox`);
  }
  // cli reached srv on 127.0.0.1:8080: only possible through a shared loopback.
  const log = await until('cli to fetch from srv over localhost', async () => {
    const l = await containerLogs(engine, ref, 'cli');
    return l.text.includes('hello from srv') && l;
  });
  t.match(log.stdout, /hello from srv/);
  t.equal((await execInContainer(engine, b.id, ['wget', '-qO-', 'http://127.0.0.1:8080/'])).stdout, 'hello from srv\n');
  t.equal((await execInContainer(engine, b.id, ['hostname'])).stdout.trim(), 'web', 'hostname from the sandbox');
  const hosts = (await execInContainer(engine, b.id, ['cat', '/etc/hosts'])).stdout;
  t.match(hosts, /^10\.99\.0\.2\s+web$/m);
  t.match(hosts, /^10\.99\.0\.9\s+db\.local$/m);
  const resolv = (await execInContainer(engine, b.id, ['cat', '/etc/resolv.conf'])).stdout;
  t.match(resolv, /^nameserver 10\.96\.0\.10$/m, 'resolv.conf from the sandbox, as kubelet writes it');
  t.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
  t.match(resolv, /^options ndots:5$/m);
  const envCwd = await execInContainer(engine, a.id, ['sh', '-c', 'echo "$GREETING $(pwd)"']);
  t.equal(envCwd.stdout.trim(), 'hello /tmp', 'env and working dir of the container');
  // logs -f: what is there, then lines as they come, until aborted.
  const ac = new AbortController();
  let followed = '';
  const following = followLogs(engine, ref, 'srv', (f) => { followed += `${f.stream}:${f.data}`; if (followed.includes('stderr:to-stderr')) ac.abort(); }, { signal: ac.signal });
  await Promise.race([following, sleep(5000).then(() => ac.abort())]);
  t.match(followed, /stdout:started [0-9a-f-]+\n/);
  t.match(followed, /stderr:to-stderr\n/);
  // The engine copies stdout and stderr apart, so which of the two lines it logged last is not fixed: one line of them.
  t.match((await containerLogs(engine, ref, 'srv', { tail: 1 })).text, /^(to-stderr|started [0-9a-f-]+)\n$/, 'tail: the last line only');
  // Idempotent: an unchanged sandbox and spec keep their containers.
  const again = await ensureSandbox(engine, { ...ref, netns: NETNS, hostname: 'web', ip: '10.99.0.2', hostAliases: [{ ip: '10.99.0.9', hostnames: ['db.local'] }], dns: DNS });
  t.equal(again.id, sandbox.id);
  t.equal(again.created, false);
  t.equal((await ensureContainer(engine, sandbox, srv)).created, false);
});

t.test('the linked namespace is wired with plain ip and reached from another namespace', async (t) => {
  await execa('ip', ['netns', 'add', PEER]);
  await execa('ip', ['-n', NETNS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', PEER]);
  await execa('ip', ['-n', NETNS, 'addr', 'add', '10.99.0.2/24', 'dev', 'eth0']);
  await execa('ip', ['-n', PEER, 'addr', 'add', '10.99.0.1/24', 'dev', 'eth0']);
  await execa('ip', ['-n', NETNS, 'link', 'set', 'eth0', 'up']);
  await execa('ip', ['-n', PEER, 'link', 'set', 'eth0', 'up']);
  await execa('ip', ['-n', PEER, 'link', 'set', 'lo', 'up']);
  const seen = await execInContainer(engine, (await instances(engine, ref, 'cli'))[0]!.Id, ['ip', '-4', '-o', 'addr', 'show', 'eth0']);
  t.match(seen.stdout, /inet 10\.99\.0\.2\/24/, 'the container sees the address podlab gave the sandbox');
  const r = await until('srv to answer on the pod IP', async () => {
    const x = await inNetns(PEER, ['curl', '-s', '--max-time', '2', 'http://10.99.0.2:8080/']);
    return x.code === 0 && x;
  });
  t.equal(r.out, 'hello from srv');
});

t.test('a restart recreates the container in the same sandbox: same netns inode, same IP; state and logs --previous', async (t) => {
  const before = await containerStatus(engine, ref, 'srv');
  t.equal(before?.restartCount, 0);
  t.equal(before && stateName(before.state), 'running');
  const first = await containerLogs(engine, ref, 'srv');
  const t0 = performance.now();
  const r = await restartContainer(engine, sandbox, srv);
  t.comment(`restart (SIGTERM, recreate, start) in ${Math.round(performance.now() - t0)} ms`);
  t.equal(r.attempt, 1);
  t.not(r.id, before!.containerID.slice('docker://'.length));
  t.equal(ino(`/run/netns/${NETNS}`), sandbox.netnsInode, 'the /run/netns link still is the same namespace');
  t.equal(ino(`/proc/${sandbox.pid}/ns/net`), sandbox.netnsInode, 'the pause process is the same');
  t.equal(ino(`/proc/${(await engine.docker.getContainer(r.id).inspect()).State.Pid}/ns/net`), sandbox.netnsInode, 'the new instance joined it');
  const back = await until('srv to answer on the same IP after the restart', async () => {
    const x = await inNetns(PEER, ['curl', '-s', '--max-time', '2', 'http://10.99.0.2:8080/']);
    return x.code === 0 && x;
  });
  t.equal(back.out, 'hello from srv');
  const st = (await containerStatus(engine, ref, 'srv'))!;
  t.equal(st.restartCount, 1);
  t.ok('running' in st.state && st.state.running.startedAt, 'running, with its start time');
  t.ok(st.lastState && 'terminated' in st.lastState, 'lastState: the previous instance terminated');
  if (st.lastState && 'terminated' in st.lastState) {
    // httpd is PID 1 of its container and has no SIGTERM handler, so the kernel ignores SIGTERM (as in a real pod):
    // it is killed when the grace period ends.
    t.equal(st.lastState.terminated.exitCode, 137, 'httpd killed by SIGKILL after the grace period (128 + 9)');
    t.equal(st.lastState.terminated.reason, 'Error');
    t.ok(Date.parse(st.lastState.terminated.finishedAt!) >= Date.parse(st.lastState.terminated.startedAt!), 'finishedAt ≥ startedAt');
  }
  const prev = await containerLogs(engine, ref, 'srv', { previous: true });
  const cur = await until('the new instance to log', async () => { const l = await containerLogs(engine, ref, 'srv'); return /started /.test(l.stdout) && l; });
  t.equal(prev.text, first.text, '--previous is the first instance\'s log');
  t.match(prev.stdout, /^started [0-9a-f-]{36}\n$/);
  t.equal(prev.stderr, 'to-stderr\n', 'stderr kept apart');
  t.not(cur.stdout, prev.stdout, 'the current log is the new instance\'s');
  // A second restart keeps only one previous instance, as kubelet does.
  await restartContainer(engine, sandbox, srv);
  t.equal((await instances(engine, ref, 'srv')).length, 2);
  t.equal((await containerStatus(engine, ref, 'srv'))?.restartCount, 2);
});

t.test('exited containers: exit code, reason, times; a command that cannot run is data', async (t) => {
  const job = await ensureContainer(engine, sandbox, { name: 'job', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo bye; exit 3'] });
  t.equal(await waitContainer(engine, job.id), 3);
  const s = (await containerStatus(engine, ref, 'job'))!;
  t.ok('terminated' in s.state);
  if ('terminated' in s.state) {
    t.equal(s.state.terminated.exitCode, 3);
    t.equal(s.state.terminated.reason, 'Error');
    t.ok(s.state.terminated.startedAt && Date.parse(s.state.terminated.finishedAt!) >= Date.parse(s.state.terminated.startedAt), 'finishedAt ≥ startedAt');
  }
  const ok = await ensureContainer(engine, sandbox, { name: 'ok', image: BUSYBOX_IMAGE, command: ['true'] });
  await waitContainer(engine, ok.id);
  const so = (await containerStatus(engine, ref, 'ok'))!;
  t.equal('terminated' in so.state && so.state.terminated.reason, 'Completed');
  const kept = await ensureContainer(engine, sandbox, { name: 'job', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo bye; exit 3'] });
  t.same([kept.id, kept.created, kept.started], [job.id, false, false], 'ensure keeps an exited container: restarting it is the lifecycle\'s call');
  const bad = await ensureContainer(engine, sandbox, { name: 'bad', image: BUSYBOX_IMAGE, command: ['/no/such/program'] });
  t.equal(bad.started, false);
  t.match(bad.startError, /no such file|not found/);
  const sb = (await containerStatus(engine, ref, 'bad'))!;
  t.equal('terminated' in sb.state && sb.state.terminated.reason, 'ContainerCannotRun');
  const miss = await ensureContainer(engine, sandbox, { name: 'nope', image: 'podlab/nope:1' }).catch((e) => e);
  t.type(miss, ImageMissingError);
  t.match(miss.message, /pod default\/web container nope: image "podlab\/nope:1" is not in the Docker engine/);
  const noPrev = await containerLogs(engine, ref, 'job', { previous: true }).catch((e) => e);
  t.match(noPrev.message, /previous terminated container "job" in pod "default\/web" not found/);
});

const REP = podNetns(cluster, 'default', 'rep');
t.test('ensureSandbox repairs: a removed link is made again; a dead sandbox is replaced with the containers that joined it', async (t) => {
  const spec = { cluster, namespace: 'default', pod: 'rep', netns: REP, hostname: 'rep' };
  const box = await ensureSandbox(engine, spec);
  const app = await ensureContainer(engine, box, { name: 'app', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], stopTimeoutSeconds: 1 });
  await execa('ip', ['netns', 'delete', REP]);
  const relinked = await ensureSandbox(engine, spec);
  t.equal(relinked.created, false, 'the running sandbox is kept');
  t.equal(ino(`/run/netns/${REP}`), box.netnsInode, 'and linked again under the same name');
  await engine.docker.getContainer(box.id).kill();
  const fresh = await ensureSandbox(engine, spec);
  t.equal(fresh.created, true, 'a dead sandbox is replaced');
  t.equal(fresh.attempt, 1);
  // (Not compared by inode: the old namespace was freed, and the kernel may give the new one the same inode number.)
  t.ok(fresh.id !== box.id && fresh.pid !== box.pid, 'a new pause container and process');
  t.equal(ino(`/run/netns/${REP}`), fresh.netnsInode, 'linked under the same name');
  t.same((await listCluster(engine, cluster)).filter((c) => c.pod === 'default/rep').map((c) => c.name), [fresh.name], 'the old sandbox and the container that joined it are gone');
  t.not((await ensureContainer(engine, fresh, { name: 'app', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], stopTimeoutSeconds: 1 })).id, app.id);
});

t.test('removal by label takes exactly the cluster\'s containers and /run/netns links, nothing else', async (t) => {
  // Another cluster's pods, made in one call: all three namespaces are linked by a single `ip -batch`.
  const exec = new LocalExecutor();
  const others = await ensureSandboxes(engine, ['web', 'a', 'b'].map((p) => ({ cluster: decoy, namespace: 'default', pod: p, netns: podNetns(decoy, 'default', p), hostname: p })), { exec });
  t.equal(exec.spawned, 1, 'one ip process linked three sandboxes');
  for (const o of others) t.equal(ino(`/run/netns/${o.netns}`), o.netnsInode, `${o.netns} linked`);
  await ensureContainer(engine, others[0]!, { name: 'c', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], stopTimeoutSeconds: 1 });
  const mine = await listCluster(engine, cluster);
  t.ok(mine.length >= 6, `${mine.length} containers of ${cluster}`);
  t.same([...new Set(mine.map((c) => c.role))].sort(), ['container', 'sandbox']);
  const t0 = performance.now();
  const r = await removeCluster(engine, cluster);
  t.comment(`removed ${r.containers} containers and ${r.sandboxes} sandboxes in ${Math.round(performance.now() - t0)} ms`);
  t.same(r.leftovers, []);
  t.equal(r.containers + r.sandboxes, mine.length);
  t.same(r.netns.sort(), [NETNS, REP].sort());
  t.same(await listCluster(engine, cluster), [], 'no container of the cluster is left');
  t.notOk(existsSync(`/run/netns/${NETNS}`) || existsSync(`/run/netns/${REP}`), 'no /run/netns entry is left');
  // With its last process and link gone the namespace itself is gone: the veth into it went with it.
  await until('the sandbox namespace to be freed (its veth peer disappears)', async () => (await inNetns(PEER, ['ip', 'link', 'show', 'eth0'])).code !== 0);
  t.equal((await listCluster(engine, decoy)).length, 4, 'the other cluster\'s containers are untouched');
  t.ok(existsSync(`/run/netns/${podNetns(decoy, 'default', 'web')}`), 'and its /run/netns link');
  t.equal((await findSandbox(engine, { cluster: decoy, namespace: 'default', pod: 'web' }))?.running, true);
  t.same((await removeCluster(engine, decoy)).leftovers, []);
  await execa('ip', ['netns', 'delete', PEER]);
});

t.test('an engine started with podlab\'s flags leaves the host\'s firewall and sysctls as they were', async (t) => {
  // A second, private engine (even if one was already running), with a pod in it.
  const t0 = performance.now();
  const own = await startEngine();
  const tUp = performance.now() - t0;
  let stopped = false;
  t.teardown(async () => { if (!stopped) await own.stop(); });
  const e: Engine = await connectEngine({ host: own.host });
  await buildPauseImage(e);
  const c = clusterName('dk');
  await ensureSandbox(e, { cluster: c, namespace: 'default', pod: 'p', netns: podNetns(c, 'default', 'p'), hostname: 'p' });
  const during = await hostSnapshot();
  for (const k of Object.keys(hostBefore)) t.equal(during[k], hostBefore[k], `${k} unchanged while the engine runs a pod`);
  const rules = [during.iptLegacy, during.iptNft, during.ip6Legacy, during.ip6Nft, during.nft].join('\n');
  t.notMatch(rules, /DOCKER/, 'no DOCKER, DOCKER-USER or DOCKER-ISOLATION chain: the engine made no rule, so its FORWARD policy DROP cannot meet lab traffic');
  t.same((await removeCluster(e, c)).leftovers, []);
  const t1 = performance.now();
  await own.stop();
  stopped = true;
  t.comment(`private engine: up in ${Math.round(tUp)} ms, stopped in ${Math.round(performance.now() - t1)} ms`);
  t.notOk(existsSync(own.dir), 'its directory is gone');
  t.throws(() => process.kill(own.pid, 0), 'its dockerd is gone');
  const after = await hostSnapshot();
  for (const k of Object.keys(hostBefore)) t.equal(after[k], hostBefore[k], `${k} unchanged after it stopped`);
});
