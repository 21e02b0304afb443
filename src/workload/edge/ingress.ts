// The ingress controller at run time: Debian's nginx as the controller pod's process, its configuration generated
// from the Ingresses (dataplane/edge/nginx.ts), certificates written from the Secrets, reloaded on change (nginx -t,
// then SIGHUP to the master, as ingress-nginx reloads), and waited for until the new generation answers on the
// status port inside the pod. Everything through the Executor.
import { join } from 'node:path';
import type { Topology } from '../../model/topology.js';
import { renderNginx, STATUS_PORT } from '../../dataplane/edge/nginx.js';
import { inNs, sleep } from '../../kernel/exec.js';
import type { ProcRecord, RuntimeContext } from '../types.js';

export const INGRESS_RECORD = 'edge/ingress-nginx';

const dirOf = (ctx: RuntimeContext) => join(ctx.dir, 'ingress-nginx');
const certFile = (ctx: RuntimeContext, secret: string) => join(dirOf(ctx), 'certs', `${secret.replace('/', '-')}.pem`);
const FAKE = 'default-fake-certificate';

export async function ingressSync(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[], say?: (m: string) => void): Promise<{ records: ProcRecord[]; changes: number; problems: string[] }> {
  const { exec } = ctx;
  const pod = t.ingress ? t.pods.find((p) => p.key === t.ingress!.controller) : undefined;
  const old = prev.find((r) => r.pod === INGRESS_RECORD);
  const alive = old && exec.alive(old.pid, old.netns) ? old : undefined;
  if (!t.ingress || !pod) {
    if (alive) exec.signal(alive.pid, 'SIGTERM');
    return { records: [], changes: alive ? 1 : 0, problems: [] };
  }
  const dir = dirOf(ctx);
  for (const d of [dir, join(dir, 'tmp'), join(dir, 'certs')]) await exec.files.mkdir(d);
  let changes = 0;
  // ingress-nginx makes a self-signed "Fake Certificate" at start for hosts without a Secret.
  const fake = certFile(ctx, FAKE);
  if (!(await exec.files.exists(fake))) {
    const key = join(dir, 'certs', 'fake.key');
    const crt = join(dir, 'certs', 'fake.crt');
    const r = await exec.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365', '-subj', '/O=Acme Co/CN=Kubernetes Ingress Controller Fake Certificate', '-keyout', key, '-out', crt], undefined, { timeoutMs: 20_000 });
    if (r.code !== 0) return { records: alive ? [alive] : [], changes, problems: [`openssl could not make the controller's fake certificate: ${r.stderr.trim()}`] };
    await exec.files.write(fake, `${(await exec.files.read(crt)) ?? ''}${(await exec.files.read(key)) ?? ''}`, 0o600);
    await exec.files.remove(key);
    await exec.files.remove(crt);
  }
  for (const h of t.ingress.hosts) {
    if (!h.tls) continue;
    const f = certFile(ctx, h.tls.secret);
    const pem = `${h.tls.cert.trimEnd()}\n${h.tls.key.trimEnd()}\n`;
    if ((await exec.files.read(f)) !== pem) await exec.files.write(f, pem, 0o600);
  }
  const cfgFile = join(dir, 'nginx.conf');
  const oldText = (await exec.files.read(cfgFile)) ?? '';
  const oldGen = Number(/^# generation (\d+)$/m.exec(oldText)?.[1] ?? 0);
  const paths = { dir, fakeCert: fake, certOf: (s: string) => certFile(ctx, s) };
  const same = renderNginx(t.ingress, paths, oldGen) === oldText;
  const generation = same ? oldGen : oldGen + 1;
  const text = renderNginx(t.ingress, paths, generation);
  if (!same) {
    await exec.files.write(cfgFile, text);
    changes++;
  }
  const place = inNs(pod.netns, exec.host);
  let rec = alive;
  let before: string[] = [];
  if (rec && rec.netns !== pod.netns) {
    exec.signal(rec.pid, 'SIGTERM');
    rec = undefined;
  }
  if (rec && !same) {
    const test = await exec.run(['nginx', '-t', '-q', '-e', join(dir, 'error.log'), '-p', dir, '-c', cfgFile], place, { timeoutMs: 10_000 });
    if (test.code !== 0) return { records: [rec], changes, problems: [`nginx rejected the generated configuration (${cfgFile}): ${(test.stderr || test.stdout).trim()}`] };
    say?.('reloading the ingress controller');
    before = await workersOf(ctx, rec.pid);
    exec.signal(rec.pid, 'SIGHUP');
  } else if (!rec) {
    say?.('starting the ingress controller (nginx)');
    const log = join(dir, 'nginx.log');
    const { pid } = await exec.spawn(['nginx', '-e', join(dir, 'error.log'), '-p', dir, '-c', cfgFile], place, { log });
    rec = { pod: INGRESS_RECORD, container: 'controller', pid, netns: pod.netns, log, startedAt: new Date().toISOString() };
    changes++;
  }
  // Wait until the old workers, which keep accepting on the shared sockets until they have read their SIGQUIT, are
  // gone and one new worker runs (read from /proc, no process per poll), then until it answers with this generation.
  const deadline = Date.now() + 5000;
  for (;;) {
    const kids = await workersOf(ctx, rec.pid);
    const settled = kids.length === 1 && !before.includes(kids[0]!);
    const r = settled ? await exec.run(['curl', '-s', '--max-time', '1', `http://127.0.0.1:${STATUS_PORT}/podlab-generation`], place, { timeoutMs: 3000 }) : undefined;
    if (r && r.code === 0 && r.stdout.trim() === String(generation)) break;
    if (!exec.alive(rec.pid)) return { records: [], changes, problems: [`nginx (the ingress controller) exited; see ${join(dir, 'error.log')}`] };
    if (Date.now() > deadline) return { records: [rec], changes, problems: [`the ingress controller did not load generation ${generation} in 5s (${join(dir, 'error.log')})`] };
    await sleep(20);
  }
  return { records: [rec], changes, problems: [] };
}

/** The worker processes of an nginx master (its children). */
async function workersOf(ctx: RuntimeContext, pid: number): Promise<string[]> {
  try {
    return ((await ctx.exec.files.read(`/proc/${pid}/task/${pid}/children`)) ?? '').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

export async function ingressStatus(ctx: RuntimeContext, t: Topology): Promise<{ controller: string; served: readonly string[]; ignored: readonly string[]; hosts: string[]; running: boolean; config: string } | undefined> {
  if (!t.ingress) return undefined;
  const pod = t.pods.find((p) => p.key === t.ingress!.controller);
  const running = pod ? ctx.exec.pidsIn([pod.netns]).size > 0 : false;
  return { controller: t.ingress.controller, served: t.ingress.served, ignored: t.ingress.ignored, hosts: t.ingress.hosts.map((h) => h.host || '*'), running, config: join(dirOf(ctx), 'nginx.conf') };
}
