// The podlab daemon on a real kernel: the API refuses bad input and non-root clients; the same commands give the same
// JSON through the socket and in-process; every kind of drift is repaired (from kernel events and process exits
// within seconds, the rest by the resync); kill -9 of the daemon with ping and curl running loses nothing beyond a
// pause, changes no address and recreates no namespace; two concurrent `up`s are serialized. Bounded throughout.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { CLI, clusterName, inNetns, isRoot, netnsOf, pod, writeLab } from '../helpers/lab.js';

// A lab, a daemon and both command paths on a shared 2-core machine: minutes, not the default 5.
t.setTimeout(1_800_000);
const SD = mkdtempSync(join(tmpdir(), 'podlab-daemon-'));
const SOCK = join(SD, 'podlab.sock');
const env = (extra: Record<string, string> = {}) => ({ PODLAB_STATE_DIR: SD, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cli(args: string[], o: { local?: boolean; timeout?: number } = {}) {
  return execa('node', [CLI, ...args], { reject: false, timeout: o.timeout ?? 240_000, env: env(o.local ? { PODLAB_NO_DAEMON: '1' } : {}) });
}

let daemon: ChildProcess | undefined;
let daemonLog = '';
async function startDaemon(resync: string): Promise<void> {
  daemonLog = '';
  daemon = spawn('node', [CLI, 'daemon', '--state-dir', SD, '--resync', resync], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout!.on('data', (d) => { daemonLog += String(d); });
  daemon.stderr!.on('data', (d) => { daemonLog += String(d); });
  for (let i = 0; i < 600 && !/listening on/.test(daemonLog); i++) await sleep(100);
  if (!/listening on/.test(daemonLog)) throw new Error(`daemon did not start: ${daemonLog}`);
}
async function stopDaemon(sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!daemon || daemon.exitCode !== null) return;
  const d = daemon;
  const gone = new Promise((r) => d.on('exit', r));
  d.kill(sig);
  await Promise.race([gone, sleep(10_000)]);
}

/** Raw API call: status code and body text. */
function raw(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: SOCK, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += String(d); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function events(cluster: string): Promise<{ reason: string; message: string; ms?: number }[]> {
  const r = await cli(['events', '-c', cluster, '--json']);
  return String(r.stdout).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Wait until `ok()` holds; returns ms waited or -1. */
async function until(ok: () => Promise<boolean> | boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await ok()) return Date.now() - t0;
    await sleep(100);
  }
  return -1;
}

const ip = (ns: string, args: string[]) => execa('ip', ['-n', ns, ...args], { reject: false });
const has = async (ns: string, args: string[], re: RegExp) => re.test(String((await ip(ns, args)).stdout));
const inode = (ns: string) => statSync(`/run/netns/${ns}`).ino;

t.test('podlab daemon', { skip: !isRoot && 'needs root', timeout: 1_500_000 }, async (t) => {
  const name = clusterName('d');
  const file = writeLab({
    name, nodes: 2,
    extra: pod('shop', 'web-1', 'node1') + pod('shop', 'web-2', 'node2') + pod('shop', 'client', 'node1', '[{containerPort: 9090}]', '{app: client}') +
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
  });
  const bad = join(mkdtempSync(join(tmpdir(), 'podlab-bad-')), 'bad.yaml');
  writeFileSync(bad, readFileSync(file, 'utf8').replace('name: node2', 'name: Node_2'));
  await startDaemon('60s');
  t.teardown(async () => {
    await cli(['down', '-c', name]);
    await stopDaemon();
  });

  await t.test('bad input: 4xx with the same file/line/field messages as the CLI', async (t) => {
    const viaDaemon = await cli(['up', '-f', bad]);
    const local = await cli(['up', '-f', bad], { local: true });
    t.equal(viaDaemon.exitCode, 2, 'exit 2 through the daemon');
    t.equal(local.exitCode, 2, 'exit 2 in-process');
    t.equal(String(viaDaemon.stderr), String(local.stderr), 'the same messages');
    t.match(String(viaDaemon.stderr), /bad\.yaml:\d+: .*nodes/, 'file:line: field');
    const r = await raw('POST', '/v1/up', JSON.stringify({ files: [bad], cwd: '/' }));
    t.equal(r.status, 422);
    t.match(JSON.parse(r.text).error.problems[0], { file: bad, line: Number, path: String });
    t.equal((await raw('POST', '/v1/up', '{not json')).status, 400, 'bad JSON: 400');
    t.equal((await raw('POST', '/v1/up', JSON.stringify({ files: 'x' }))).status, 400, 'wrong type: 400');
    t.equal((await raw('POST', '/v1/nope', '{}')).status, 404, 'unknown call: 404');
    t.equal((await raw('POST', '/v1/status', JSON.stringify({ cluster: 'nosuchlab' }))).status, 404, 'unknown lab: 404');
    t.same(netnsOf(name), [], 'nothing was built');
  });

  await t.test('a non-root client is refused, clearly', async (t) => {
    t.equal(statSync(SOCK).mode & 0o777, 0o600, 'socket mode 0600');
    // env -i: not the test runner's environment (its process hooks, which reach the child even with extendEnv off,
    // write under .tap/ where nobody may not, and turn exit 3 into 1).
    const r = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', `PODLAB_STATE_DIR=${SD}`, process.execPath, CLI, 'status'],
      { reject: false, timeout: 120_000 });
    t.equal(r.exitCode, 3, `exit 3 (privilege): ${String(r.stderr).slice(0, 3000)}`);
    t.match(String(r.stderr), /`podlab status` needs root: .*podlab daemon's socket .* belong to root; run it with sudo/);
  });

  await t.test('two concurrent ups: the second waits its turn and says so', async (t) => {
    const [a, b] = await Promise.all([cli(['up', '-f', file, '--json']), sleep(300).then(() => cli(['up', '-f', file, '--json']))]);
    t.equal(a.exitCode, 0, String(a.stderr));
    t.equal(b.exitCode, 0, String(b.stderr));
    t.match(String(b.stderr), /waiting: lab .* is busy with up/, 'the second said it waits');
    t.ok(JSON.parse(String(a.stdout)).changes > 0, 'the first built');
    t.equal(JSON.parse(String(b.stdout)).changes, 0, 'the second found everything in place');
  });

  await t.test('the same commands through the socket and in-process give the same JSON', async (t) => {
    const norm = (s: string) => JSON.parse(s, (k, v) => (['ms', 'via', 'spawned', 'startedAt', 'updatedAt', 'time'].includes(k) ? undefined : v));
    const sd = await cli(['status', '-c', name, '--json']);
    const sl = await cli(['status', '-c', name, '--json'], { local: true });
    t.match(String(sd.stderr), /answered by the podlab daemon/);
    t.match(String(sl.stderr), /in-process/);
    t.equal(JSON.parse(String(sd.stdout)).via, 'daemon');
    t.equal(JSON.parse(String(sl.stdout)).via, 'in-process');
    t.same(norm(String(sd.stdout)), norm(String(sl.stdout)), 'status');
    const add = join(mkdtempSync(join(tmpdir(), 'podlab-add-')), 'web-3.yaml');
    writeFileSync(add, pod('shop', 'web-3', 'node2').replace(/---\n$/, ''));
    for (const local of [false, true]) {
      const ap = await cli(['apply', '-c', name, '-f', add, '--json'], { local });
      t.equal(ap.exitCode, 0, String(ap.stderr));
      const de = await cli(['delete', '-c', name, 'pod', 'shop/web-3', '--json'], { local });
      t.equal(de.exitCode, 0, String(de.stderr));
      t.match(JSON.parse(String(ap.stdout)), { objects: ['Pod shop/web-3'], created: [`pl-${name}-shop-web-3`] }, `apply (${local ? 'in-process' : 'daemon'})`);
      t.match(JSON.parse(String(de.stdout)), { objects: ['Pod shop/web-3'], deleted: [`pl-${name}-shop-web-3`] }, `delete (${local ? 'in-process' : 'daemon'})`);
    }
    const cd = await cli(['check', '-c', name, '-r', 'json', '--filter', 'pod-to-pod*']);
    const cl = await cli(['check', '-c', name, '-r', 'json', '--filter', 'pod-to-pod*'], { local: true });
    t.equal(cd.exitCode, cl.exitCode, 'check: same exit code');
    const verdicts = (s: string) => JSON.parse(s).runs[0].checks.map((c: { id: string; status: string }) => `${c.id} ${c.status}`);
    t.same(verdicts(String(cd.stdout)), verdicts(String(cl.stdout)), 'check: same verdicts');
    const ld = await cli(['logs', '--cluster', name, 'shop/web-1']);
    const ll = await cli(['logs', '--cluster', name, 'shop/web-1'], { local: true });
    t.equal(ld.exitCode, 0, String(ld.stderr));
    t.equal(String(ld.stdout), String(ll.stdout), 'logs: same text');
    t.equal(ll.exitCode, ld.exitCode, 'logs: same exit code');
    const nf = await cli(['status', '-c', 'nosuchlab']);
    const nfl = await cli(['status', '-c', 'nosuchlab'], { local: true });
    t.equal(nf.exitCode, 1);
    t.equal(String(nf.stderr).split('\n').slice(1).join('\n'), String(nfl.stderr).split('\n').slice(1).join('\n'), 'the same error');
  });

  // Endpoints follow Ready under the daemon's supervisor: a new pod joins its Service once its container runs, and
  // stays. (It used to join at apply, before its container ran, leave at the supervisor's first report —
  // ContainerCreating — and come back ~0.5 s later.) Sampled every ~20 ms from the apply on, in one node.
  await t.test('a pod applied through the daemon joins its Service once, when it runs, within a second', async (t) => {
    const add = join(mkdtempSync(join(tmpdir(), 'podlab-add-')), 'web-4.yaml');
    writeFileSync(add, pod('shop', 'web-4', 'node2').replace(/---\n$/, ''));
    const t0 = Date.now();
    const ap = cli(['apply', '-c', name, '-f', add, '--json']);
    let ip = '';
    const seen: boolean[] = [];
    let firstAt = -1;
    while (Date.now() - t0 < 3000) {
      if (!ip) {
        try {
          ip = (JSON.parse(readFileSync(join(SD, name, 'state.json'), 'utf8')) as { topology: { pods: { name: string; ip: string }[] } }).topology.pods.find((p) => p.name === 'web-4')?.ip ?? '';
        } catch { /* being written */ }
      }
      if (ip) {
        const nat = await execa('ip', ['netns', 'exec', `pl-${name}-node1`, 'iptables-save', '-t', 'nat'], { reject: false });
        const has = String(nat.stdout).includes(`--to-destination ${ip}:8080`);
        if (has && firstAt < 0) firstAt = Date.now() - t0;
        seen.push(has);
      }
      await sleep(20);
    }
    t.equal((await ap).exitCode, 0);
    const flips = seen.filter((v, i) => i > 0 && v !== seen[i - 1]).length;
    t.ok(firstAt >= 0 && firstAt < 2000, `in the endpoints ${firstAt} ms after the apply began`);
    t.equal(flips, seen[0] ? 0 : 1, `joined once and stayed (${seen.map((v) => (v ? '+' : '.')).join('')})`);
    const c = await inNetns(`pl-${name}-shop-client`, ['curl', '-s', '-m', '2', `http://${ip}:8080/hostname`]);
    t.equal(c.out, 'web-4', 'and answers');
    t.equal((await cli(['delete', '-c', name, 'pod', 'shop/web-4'])).exitCode, 0);
  });

  const node1 = `pl-${name}-node1`;
  const node2 = `pl-${name}-node2`;
  const web1 = `pl-${name}-shop-web-1`;
  await t.test('drift with kernel events is repaired within seconds, without waiting for the resync', async (t) => {
    const repaired = async (what: string, breakIt: () => Promise<unknown>, holds: () => Promise<boolean>) => {
      t.ok(await holds(), `${what}: holds before`);
      const before = (await events(name)).length;
      await breakIt();
      const ms = await until(holds, 20_000);
      t.ok(ms >= 0, `${what}: repaired in ${ms} ms (resync period 60 s)`);
      await until(async () => (await events(name)).length > before, 5000);
      const evs = (await events(name)).slice(before);
      t.ok(evs.some((e) => /^(Repaired|Restarted)$/.test(e.reason)), `${what}: an event says so: ${evs.map((e) => e.message).join(' | ')}`);
      return evs;
    };
    const remote = (await ip(node1, ['-j', 'route'])).stdout;
    const dst = (JSON.parse(String(remote)) as { dst: string; dev: string }[]).find((r) => r.dev === 'flannel.1')!.dst;
    const evs = await repaired('route', () => ip(node1, ['route', 'del', dst]), () => has(node1, ['route'], new RegExp(`^${dst.replace(/\./g, '\\.')} via`, 'm')));
    t.ok(evs.some((e) => e.message === `repaired route ${dst} in ${node1}: deleted by someone`), 'the words of the issue');
    await repaired('address', () => ip(node1, ['addr', 'del', '10.244.0.1/24', 'dev', 'cni0']), () => has(node1, ['addr', 'show', 'cni0'], /10\.244\.0\.1\/24/));
    const neigh = String((await ip(node1, ['neigh', 'show', 'dev', 'flannel.1'])).stdout).split(' ')[0]!;
    await repaired('neighbour', () => ip(node1, ['neigh', 'del', neigh, 'dev', 'flannel.1']), () => has(node1, ['neigh', 'show', 'dev', 'flannel.1'], new RegExp(neigh.replace(/\./g, '\\.'))));
    const fdb = String((await execa('bridge', ['-n', node1, 'fdb', 'show', 'dev', 'flannel.1'])).stdout).split('\n').find((l) => / dst /.test(l))!;
    const mac = fdb.split(' ')[0]!;
    await repaired('fdb', () => execa('bridge', ['-n', node1, 'fdb', 'del', mac, 'dev', 'flannel.1', 'dst', fdb.split(' dst ')[1]!.split(' ')[0]!]), async () => /dst/.test(String((await execa('bridge', ['-n', node1, 'fdb', 'show', 'dev', 'flannel.1'])).stdout).split('\n').filter((l) => l.startsWith(mac)).join()));
    await repaired('link', () => ip(node1, ['link', 'set', 'cni0', 'down']), () => has(node1, ['link', 'show', 'cni0'], /state UP|,UP/));
    await repaired('iptables', () => inNetns(node1, ['iptables', '-t', 'nat', '-F', 'KUBE-SERVICES']), async () => /-A KUBE-SERVICES/.test((await inNetns(node1, ['iptables-save', '-t', 'nat'])).out));
    const rt = String(readFileSync(join(SD, name, 'state.json'), 'utf8'));
    const rec = (JSON.parse(rt).processes as { pod: string; pid: number }[]).find((p) => p.pod === 'runtime/node2')!;
    process.kill(rec.pid, 'SIGKILL');
    const procMs = await until(async () => (await inNetns(`pl-${name}-shop-client`, ['curl', '-s', '-m', '1', `http://${String((await ip(`pl-${name}-shop-web-2`, ['-4', '-br', 'addr', 'show', 'eth0'])).stdout).split(/\s+/)[2]!.split('/')[0]}:8080/hostname`])).out === 'web-2', 20_000);
    t.ok(procMs >= 0, `a killed netexec runtime: web-2 answers again in ${procMs} ms`);
    const del = await execa('ip', ['netns', 'del', web1], { reject: false });
    t.equal(del.exitCode, 0, 'deleted by hand');
    t.notOk(existsSync(`/run/netns/${web1}`), 'its name is gone');
    // Made again: the name is back (`ip netns del` removes it at once). Not by inode: the kernel hands a freed
    // namespace inode number to the next namespace made, so a new namespace may well have the old one's.
    // 45 s: well inside the 60 s resync period, with room for a loaded CI box (20 s was missed once at load ~15).
    const nsMs = await until(() => existsSync(`/run/netns/${web1}`), 45_000);
    t.ok(nsMs >= 0, `a deleted pod namespace is made again in ${nsMs} ms`);
    const addrMs = await until(async () => (await inNetns(web1, ['ip', '-4', '-br', 'addr'])).out.includes('10.244.0.'), 45_000);
    t.ok(addrMs >= 0, 'with its address', addrMs >= 0 ? {} : { daemonLog: daemonLog.split('\n').slice(-40).join('\n') });
  });

  await t.test('kill -9 of the daemon with ping and curl running: nothing lost beyond the pause, nothing rebuilt', async (t) => {
    const client = `pl-${name}-shop-client`;
    const target = String((await ip(`pl-${name}-shop-web-2`, ['-4', '-br', 'addr', 'show', 'eth0'])).stdout).split(/\s+/)[2]!.split('/')[0]!;
    const addrs = async () => Promise.all(netnsOf(name).sort().map(async (n) => `${n} ${inode(n)} ${String((await ip(n, ['-4', '-br', 'addr'])).stdout).replace(/\s+/g, ' ')}`));
    const before = await addrs();
    const ping = execa('ip', ['netns', 'exec', client, 'ping', '-i', '0.2', '-c', '100', '-W', '1', target], { reject: false });
    const curlScript = `ok=0; bad=0; for i in $(seq 1 60); do if curl -s -m 2 http://${target}:8080/hostname >/dev/null; then ok=$((ok+1)); else bad=$((bad+1)); fi; sleep 0.25; done; echo "$ok $bad"`;
    const curl = execa('ip', ['netns', 'exec', client, 'sh', '-c', curlScript], { reject: false });
    await sleep(3000);
    await stopDaemon('SIGKILL');
    t.ok(existsSync(SOCK), 'the socket file is left behind by kill -9');
    await sleep(2000);
    await startDaemon('3s');
    const p = await ping;
    const c = await curl;
    const m = /(\d+) packets transmitted, (\d+) received/.exec(String(p.stdout));
    t.ok(m, String(p.stdout).slice(-200));
    t.equal(Number(m![1]) - Number(m![2]), 0, `ping: ${m![2]}/${m![1]} replies`);
    const [ok, bad] = String(c.stdout).trim().split(' ').map(Number);
    t.equal(bad, 0, `curl: ${ok} ok, ${bad} failed`);
    t.match(daemonLog, new RegExp(`Adopted: adopted lab ${name}`));
    t.same(await addrs(), before, 'no address changed, no namespace recreated');
  });

  await t.test('drift without events (a sysctl) is repaired by the resync', async (t) => {
    await until(() => /adopt: /.test(daemonLog), 60_000);
    await inNetns(node2, ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
    const ms = await until(async () => (await inNetns(node2, ['sysctl', '-n', 'net.ipv4.ip_forward'])).out === '1', 60_000);
    t.ok(ms >= 0, `ip_forward back to 1 in ${ms} ms (resync every 3 s)`);
    t.ok((await events(name)).some((e) => /repaired sysctl net\.ipv4\.ip_forward/.test(e.message)), 'an event says so');
  });

  await t.test('down through the daemon removes the lab from the kernel and the journal', async (t: Test) => {
    const r = await cli(['down', '-c', name, '--json']);
    t.equal(r.exitCode, 0, String(r.stderr));
    t.same(JSON.parse(String(r.stdout)).leftovers, []);
    t.same(netnsOf(name), []);
    t.notOk(existsSync(join(SD, name)), 'the lab is gone from the journal');
    const h = await raw('GET', '/v1/health');
    t.notOk(JSON.parse(h.text).labs.includes(name), 'and from the daemon');
    await stopDaemon();
    t.notOk(existsSync(SOCK), 'a stopped daemon removes its socket');
  });
});
