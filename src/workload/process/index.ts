// The process runtime: a pod is its network namespace, a UTS namespace with its hostname (bind-mounted on
// <pod>/uts, like /run/netns), its /etc/hosts (/etc/netns/<netns>/hosts) and its volume folders. A container with a
// command runs under podlab's shim (shim.sh) in those namespaces and a mount namespace of its own, where its volumes
// are bound at their mountPaths (mounts.py); an idle one is a sleeping process; one with nothing to run is served by
// the node's netexec runtime on its ports. Everything through the host's Executor; every instance is recorded in the
// pod's folder, so any podlab process can observe, stop or exec into what another started.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology, PodT } from '../../model/topology.js';
import type { ContainerSpec } from '../../input/types.js';
import { inNs, mapLimit, sleep, type Place } from '../../kernel/exec.js';
import { PYTHON } from '../../kernel/python.js';
import { nodeNetns } from '../../net/names.js';
import type { ContainerRef, ExecResult, Observed, ProcRecord, RuntimeContext, StartFailure, StartItem, WorkloadResult, WorkloadRuntime } from '../types.js';
import { podContainers, podHostname } from '../types.js';
import { containerDir, containerEnv, hostsFile, hostsFileText, netnsEtc, podDir, utsFile } from '../pods.js';
import { containerBinds, prepareVolumes } from '../volumes.js';
import { attemptFile, exitLine, files, observeContainer, readAttempt, readMeta, type InstanceMeta } from './state.js';
import { groupEntries, readStatus, runtimePid, updateGroup, type NetexecEntry, type RuntimeStatus } from './netexec.js';

export const SHIM = fileURLToPath(new URL('../../../src/workload/process/shim.sh', import.meta.url));
export const MOUNTS_PY = fileURLToPath(new URL('../../../src/workload/process/mounts.py', import.meta.url));
export const PODNS_PY = fileURLToPath(new URL('../../../src/workload/podns.py', import.meta.url));
export { NETEXEC_PY } from './netexec.js';
export const RUNTIME_CONTAINER = 'netexec-runtime';
const RUNTIME_PREFIX = 'runtime/';
const EXTERNAL = 'external';

/** How the process runtime runs a container. */
export function kindOf(c: ContainerSpec): InstanceMeta['kind'] {
  return c.command ? 'process' : c.idle ? 'idle' : 'netexec';
}

/** A system pod (the DNS pod, the ingress controller) is run by its component (workload/dns/, workload/edge/). */
const mine = (p: PodT) => !p.system && (p.runtime ?? 'process') === 'process';
const servePorts = (c: ContainerSpec) => c.serve ?? c.ports;
const listenerId = (p: PodT, c: string) => `${p.key}/${c}`;

/** podns.py: UTS namespaces, tmpfs volumes, and releasing every mount under folders. */
export async function podns(ctx: RuntimeContext, req: { uts?: { file: string; hostname: string }[]; tmpfs?: { dir: string; size?: string }[]; release?: string[] }): Promise<string[]> {
  if (!req.uts?.length && !req.tmpfs?.length && !req.release?.length) return [];
  const r = await ctx.exec.run([PYTHON, PODNS_PY], { host: ctx.exec.host }, { input: JSON.stringify(req), timeoutMs: 60_000 });
  try {
    return (JSON.parse(r.stdout) as { errors: string[] }).errors;
  } catch {
    return [`podns.py failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`];
  }
}

async function sandboxOf(ctx: RuntimeContext, p: PodT): Promise<{ netnsId?: string; problem?: string } | undefined> {
  try {
    const t = await ctx.exec.files.read(join(podDir(ctx, p), 'sandbox.json'));
    return t ? (JSON.parse(t) as { netnsId?: string; problem?: string }) : undefined;
  } catch {
    return undefined;
  }
}

/** Forget every trace of pods: their mounts released, their folders and /etc/netns files removed. */
export async function removePodFiles(ctx: RuntimeContext, pods: readonly { namespace: string; name: string; netns?: string; hostNetwork?: boolean }[]): Promise<string[]> {
  if (!pods.length) return [];
  const dirs = pods.map((p) => podDir(ctx, p));
  const errors = await podns(ctx, { release: dirs });
  for (const d of dirs) await ctx.exec.files.remove(d);
  for (const p of pods) {
    if (!p.netns || p.hostNetwork) continue; // a hostNetwork pod's namespace is its node's: no hosts file of its own
    await ctx.exec.files.remove(hostsFile(p.netns));
    if ((await ctx.exec.files.list(netnsEtc(p.netns))).length === 0) await ctx.exec.files.remove(netnsEtc(p.netns));
  }
  return errors;
}

function netexecEntry(ctx: RuntimeContext, p: PodT, c: ContainerSpec, attempt: number, netnsId: string): NetexecEntry {
  return {
    id: listenerId(p, c.name), netns: p.netns, sandbox: `${netnsId}#${attempt}`, hostname: podHostname(p),
    listeners: servePorts(c).map((x) => ({ port: x.containerPort, protocol: x.protocol })), log: files(containerDir(ctx, p, c.name), attempt).log,
  };
}

/** Keep only the last two instances' files (the current one and the previous, for logs --previous). */
async function prune(ctx: RuntimeContext, dir: string, n: number): Promise<void> {
  for (const f of await ctx.exec.files.list(dir)) {
    const m = /^(\d+)\./.exec(f);
    if (m && Number(m[1]) < n - 1) await ctx.exec.files.remove(join(dir, f));
  }
}

/** argv in a fresh view of the container (its namespaces and mounts, no process of its own needed). */
async function freshView(ctx: RuntimeContext, ref: ContainerRef, tail: string[]): Promise<string[]> {
  const { pod: p, container: c } = ref;
  const binds = containerBinds(ctx, p, c);
  const uts = (await ctx.exec.files.exists(utsFile(ctx, p))) ? ['nsenter', `--uts=${utsFile(ctx, p)}`, '--'] : [];
  if (!binds.length) return [...uts, ...tail];
  const dir = containerDir(ctx, p, c.name);
  const spec = join(dir, 'mounts.json');
  await ctx.exec.files.write(spec, JSON.stringify({ mounts: binds, stage: join(dir, 'root'), workdir: c.workingDir }));
  return [...uts, PYTHON, MOUNTS_PY, spec, '--', ...tail];
}

const envArgv = (p: PodT, c: ContainerSpec) => ['env', '-i', '-C', c.workingDir, ...Object.entries(containerEnv(p, c)).map(([k, v]) => `${k}=${v}`)];

/** Where `argv` runs in the container: the running instance's namespaces, or a fresh view of them. */
async function execPlace(ctx: RuntimeContext, ref: ContainerRef, argv: readonly string[]): Promise<{ argv: string[]; place: Place }> {
  const { pod: p, container: c } = ref;
  const dir = containerDir(ctx, p, c.name);
  const n = await readAttempt(ctx.exec, dir);
  const meta = n === undefined ? undefined : await readMeta(ctx.exec, dir, n);
  const start = n === undefined ? undefined : await ctx.exec.files.read(files(dir, n).start);
  const pid = Number(start?.split(/\s+/)[0]);
  const inner = [...envArgv(p, c), ...argv];
  if (meta && meta.kind !== 'netexec' && pid > 0 && ctx.exec.alive(pid, p.netns)) {
    return { argv: ['nsenter', '-t', String(pid), '--mount', '--uts', '--net', '--', ...inner], place: { host: ctx.exec.host } };
  }
  return { argv: await freshView(ctx, ref, inner), place: { ...inNs(p.netns, ctx.exec.host), nsFiles: true } };
}

async function startOne(ctx: RuntimeContext, it: StartItem, problem: string | undefined): Promise<StartFailure | undefined> {
  const { exec } = ctx;
  const { pod: p, container: c, attempt: n } = it;
  if (problem) return { pod: p.key, container: c.name, reason: 'ContainerCreating', message: problem };
  if (exec.netnsId(p.netns) === undefined) return { pod: p.key, container: c.name, reason: 'CreateContainerError', message: `the pod's network namespace ${p.netns} does not exist` };
  const dir = containerDir(ctx, p, c.name);
  await exec.files.mkdir(dir);
  const f = files(dir, n);
  for (const x of [f.start, f.exit, f.log]) await exec.files.remove(x);
  const kind = kindOf(c);
  const cmd = kind === 'idle' ? ['sleep', 'infinity'] : [...c.command!];
  const argv = await freshView(ctx, it, ['sh', SHIM, dir, String(n), c.workingDir, '--', ...cmd]);
  const spawnedAt = new Date().toISOString();
  try {
    await exec.files.write(attemptFile(dir), `${n}\n`);
    const { pid } = await exec.spawn(argv, inNs(p.netns, exec.host), { log: f.log, env: containerEnv(p, c), cwd: '/' });
    const meta: InstanceMeta = { kind, attempt: n, spawnedAt, pid, netns: p.netns };
    await exec.files.write(f.meta, JSON.stringify(meta));
  } catch (e) {
    await exec.files.write(f.meta, JSON.stringify({ kind, attempt: n, spawnedAt, netns: p.netns } satisfies InstanceMeta));
    await exec.files.write(f.exit, exitLine(128, 'StartError', (e as Error).message));
  }
  await prune(ctx, dir, n);
  return undefined;
}

/** Start netexec containers of one node: one configuration change for all of them. */
async function startNetexec(ctx: RuntimeContext, node: string, nodeNetns: string, items: readonly StartItem[]): Promise<StartFailure[]> {
  const { exec } = ctx;
  const out: StartFailure[] = [];
  const entries: NetexecEntry[] = [];
  for (const it of items) {
    const id = exec.netnsId(it.pod.netns);
    if (id === undefined) {
      out.push({ pod: it.pod.key, container: it.container.name, reason: 'CreateContainerError', message: `the pod's network namespace ${it.pod.netns} does not exist` });
      continue;
    }
    const dir = containerDir(ctx, it.pod, it.container.name);
    await exec.files.mkdir(dir);
    const f = files(dir, it.attempt);
    for (const x of [f.start, f.exit, f.log]) await exec.files.remove(x);
    await exec.files.write(attemptFile(dir), `${it.attempt}\n`);
    await exec.files.write(f.meta, JSON.stringify({ kind: 'netexec', attempt: it.attempt, spawnedAt: new Date().toISOString(), netns: nodeNetns, listener: listenerId(it.pod, it.container.name) } satisfies InstanceMeta));
    entries.push(netexecEntry(ctx, it.pod, it.container, it.attempt, id));
    await prune(ctx, dir, it.attempt);
  }
  if (!entries.length) return out;
  const ids = new Set(entries.map((e) => e.id));
  const r = await updateGroup(ctx, node, nodeNetns, (pods) => [...pods.filter((x) => !ids.has(x.id)), ...entries]);
  for (const it of items) {
    const dir = containerDir(ctx, it.pod, it.container.name);
    const f = files(dir, it.attempt);
    const meta = await readMeta(exec, dir, it.attempt);
    if (meta) await exec.files.write(f.meta, JSON.stringify({ ...meta, pid: r.pid }));
    await exec.files.write(f.start, `${r.pid ?? 0} ${(Date.now() / 1000).toFixed(6)}\n`);
  }
  return out;
}

export const processRuntime: WorkloadRuntime = {
  name: 'process',
  owns: (r) => !r.pod.startsWith('bird/') && !r.pod.startsWith('edge/') && !r.pod.startsWith('dns/'),

  async sync(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[]): Promise<WorkloadResult> {
    const { exec } = ctx;
    const pods = t.pods.filter(mine);
    const problems: string[] = [];
    let changes = 0;
    const records: ProcRecord[] = [];

    // Pods that are gone, or whose namespace was made anew (a recreated pod starts from nothing, emptyDirs too).
    const keep = new Set(t.pods.map((p) => `${p.namespace}_${p.name}`));
    const gone = (await exec.files.list(join(ctx.dir, 'pods'))).filter((d) => !keep.has(d)).map((d) => {
      const [namespace, name] = d.split('_') as [string, string];
      return { namespace, name };
    });
    const fresh: PodT[] = [];
    for (const p of pods) {
      const sb = await sandboxOf(ctx, p);
      if (sb && sb.netnsId !== exec.netnsId(p.netns)) fresh.push(p);
    }
    problems.push(...(await removePodFiles(ctx, [...gone, ...fresh])));
    changes += gone.length + fresh.length;

    // The sandboxes: hostname (UTS namespace), /etc/hosts, volumes.
    const vols = await prepareVolumes(ctx, pods);
    const utsWanted: { file: string; hostname: string }[] = [];
    for (const p of pods) {
      await exec.files.mkdir(podDir(ctx, p));
      utsWanted.push({ file: utsFile(ctx, p), hostname: podHostname(p) });
      const text = hostsFileText(p, t.dns?.domain);
      // A hostNetwork pod sees the node's own files (its namespace is the node's): no /etc/netns hosts file.
      if (!p.hostNetwork && (await exec.files.read(hostsFile(p.netns))) !== text) {
        await exec.files.write(hostsFile(p.netns), text, 0o644);
        changes++;
      }
      const sb = { netnsId: exec.netnsId(p.netns), ...(vols.problems.get(p.key) ? { problem: vols.problems.get(p.key) } : {}) };
      // Written only when it changes: a re-`up` of a 1,000-pod lab spent 1.7 s of its 3.2 s rewriting these.
      const sbFile = join(podDir(ctx, p), 'sandbox.json');
      if ((await exec.files.read(sbFile)) !== JSON.stringify(sb)) await exec.files.write(sbFile, JSON.stringify(sb));
    }
    problems.push(...(await podns(ctx, { uts: utsWanted, tmpfs: vols.tmpfs })));

    // netexec: one runtime per node with netexec containers; listeners only for containers started now.
    const groups = new Map<string, { netns: string; want: boolean }>();
    for (const n of t.nodes) groups.set(n.name, { netns: n.netns, want: false });
    for (const p of pods) for (const r of podContainers(p)) if (kindOf(r.container) === 'netexec') groups.get(p.node)!.want = true;
    const live = new Set(pods.map((p) => p.key));
    for (const [name, g] of groups) {
      const stale = (await groupEntries(ctx, name)).filter((e) => !live.has(e.id.split('/').slice(0, 2).join('/')) || !pods.some((p) => p.netns === e.netns && e.sandbox.startsWith(`${exec.netnsId(p.netns)}#`)));
      const drop = new Set(stale.map((e) => e.id));
      const before = await runtimePid(ctx, name, g.netns);
      if (!g.want && !before) continue;
      const r = await updateGroup(ctx, name, g.netns, (entries) => entries.filter((e) => !drop.has(e.id)), g.want);
      if (r.changed) changes++;
      problems.push(...r.problems);
      if (r.pid && g.want) records.push({ pod: RUNTIME_PREFIX + name, container: RUNTIME_CONTAINER, pid: r.pid, netns: g.netns, log: '', startedAt: new Date().toISOString() });
    }
    // The external host's netexec serves its ports (TCP and UDP) all the time.
    const ext = t.external;
    const extEntries: NetexecEntry[] = ext.ports.length ? [{
      id: EXTERNAL, netns: ext.netns, sandbox: exec.netnsId(ext.netns) ?? '', hostname: EXTERNAL, log: join(ctx.dir, 'logs', '__external_netexec.log'),
      listeners: ext.ports.flatMap((port) => [{ port, protocol: 'TCP' }, { port, protocol: 'UDP' }]),
    }] : [];
    const re = await updateGroup(ctx, EXTERNAL, ext.netns, () => extEntries);
    if (re.changed) changes++;
    problems.push(...re.problems);
    if (re.pid) records.push({ pod: RUNTIME_PREFIX + EXTERNAL, container: RUNTIME_CONTAINER, pid: re.pid, netns: ext.netns, log: '', startedAt: new Date().toISOString() });
    void prev;
    return { records, changes, problems: [...problems, ...vols.notices] };
  },

  async start(ctx, items) {
    const out: StartFailure[] = [];
    const problems = new Map<string, string | undefined>();
    for (const it of items) if (!problems.has(it.pod.key)) problems.set(it.pod.key, (await sandboxOf(ctx, it.pod))?.problem);
    const byNode = new Map<string, StartItem[]>();
    const procs: StartItem[] = [];
    for (const it of items) {
      const pr = problems.get(it.pod.key);
      if (kindOf(it.container) === 'netexec' && !pr) byNode.set(it.pod.node, [...(byNode.get(it.pod.node) ?? []), it]);
      else procs.push(it);
    }
    const rs = await mapLimit(procs, 8, (it) => startOne(ctx, it, problems.get(it.pod.key)));
    out.push(...rs.filter((x): x is StartFailure => !!x));
    for (const [node, its] of byNode) {
      out.push(...(await startNetexec(ctx, node, nodeNetnsOf(ctx, its[0]!.pod), its)));
    }
    return out;
  },

  async observe(ctx, pods) {
    const out = new Map<string, Observed>();
    const status = new Map<string, RuntimeStatus | undefined>();
    for (const p of pods.filter(mine)) {
      if (!status.has(p.node) && podContainers(p).some((r) => kindOf(r.container) === 'netexec')) status.set(p.node, await readStatus(ctx, p.node));
    }
    const alive = new Map<string, boolean>();
    const aliveOnce = (pid: number, netns?: string) => {
      const k = `${pid}|${netns ?? ''}`;
      let a = alive.get(k);
      if (a === undefined) alive.set(k, (a = ctx.exec.alive(pid, netns)));
      return a;
    };
    for (const p of pods.filter(mine)) {
      for (const r of podContainers(p)) {
        const c = r.container;
        const o = await observeContainer(ctx.exec, containerDir(ctx, p, c.name), {
          alive: aliveOnce,
          listenerOk: (meta) => {
            const st = status.get(p.node);
            const ls = st?.listeners.filter((l) => l.id === meta.listener) ?? [];
            if (!st || ls.length === 0) return undefined;
            const bad = ls.find((l) => !l.ok);
            return bad ? { ok: false, error: bad.error } : { ok: true };
          },
        });
        if (o) out.set(`${p.key}/${c.name}`, o);
      }
    }
    return out;
  },

  async stop(ctx, ref, graceSeconds) {
    const { exec } = ctx;
    const { pod: p, container: c } = ref;
    const dir = containerDir(ctx, p, c.name);
    const n = await readAttempt(exec, dir);
    if (n === undefined) return;
    const meta = await readMeta(exec, dir, n);
    const f = files(dir, n);
    if (!meta || (await exec.files.exists(f.exit))) return;
    if (meta.kind === 'netexec') {
      await updateGroup(ctx, p.node, nodeNetnsOf(ctx, p), (pods) => pods.filter((e) => e.id !== listenerId(p, c.name)));
      await exec.files.write(f.exit, exitLine(0));
      return;
    }
    const pid = Number((await exec.files.read(f.start))?.split(/\s+/)[0]);
    if (!(pid > 0)) {
      if (meta.pid) exec.signal(meta.pid, 'SIGKILL');
      return;
    }
    // An idle container is podlab's own sleeping process: nothing to wait for.
    exec.signal(pid, meta.kind === 'idle' ? 'SIGKILL' : 'SIGTERM');
    const deadline = Date.now() + graceSeconds * 1000;
    while (exec.alive(pid) && Date.now() < deadline) await sleep(50);
    if (exec.alive(pid)) exec.signal(-pid, 'SIGKILL');
    // The shim records the exit; give it a moment (it also ends what the command left in its session).
    for (let i = 0; i < 60 && !(await exec.files.exists(f.exit)); i++) {
      if (meta.pid !== undefined && !exec.alive(meta.pid)) break;
      await sleep(25);
    }
    if (!(await exec.files.exists(f.exit))) await exec.files.write(f.exit, exitLine(137, 'Error', 'killed'));
  },

  async exec(ctx, ref, argv, o = {}): Promise<ExecResult> {
    const { argv: full, place } = await execPlace(ctx, ref, argv);
    const r = await ctx.exec.run(full, place, { timeoutMs: o.timeoutMs ?? 60_000 });
    return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut };
  },

  async execArgv(ctx, ref, argv) {
    const { argv: full, place } = await execPlace(ctx, ref, argv);
    return place.netns ? ['ip', 'netns', 'exec', place.netns, ...full] : full;
  },

  async logs(ctx, ref, o = {}) {
    const dir = containerDir(ctx, ref.pod, ref.container.name);
    const n = await readAttempt(ctx.exec, dir);
    if (n === undefined) throw new Error(`container "${ref.container.name}" in pod "${ref.pod.name}" is waiting to start: PodInitializing`);
    if (o.previous && n === 0) throw new Error(`previous terminated container "${ref.container.name}" in pod "${ref.pod.name}" not found`);
    return (await ctx.exec.files.read(files(dir, o.previous ? n - 1 : n).log)) ?? '';
  },

  async followLogs(ctx, ref, write, o = {}) {
    const dir = containerDir(ctx, ref.pod, ref.container.name);
    const n = await readAttempt(ctx.exec, dir);
    if (n === undefined) throw new Error(`container "${ref.container.name}" in pod "${ref.pod.name}" is waiting to start: PodInitializing`);
    const at = o.previous ? n - 1 : n;
    if (at < 0) throw new Error(`previous terminated container "${ref.container.name}" in pod "${ref.pod.name}" not found`);
    const f = files(dir, at);
    let sent = 0;
    for (;;) {
      const text = (await ctx.exec.files.read(f.log)) ?? '';
      if (text.length > sent) {
        write(text.slice(sent));
        sent = text.length;
      }
      if (o.signal?.aborted || (await ctx.exec.files.exists(f.exit))) {
        const rest = ((await ctx.exec.files.read(f.log)) ?? '').slice(sent);
        if (rest) write(rest);
        return;
      }
      await sleep(200);
    }
  },

  async removePods(ctx, pods) {
    await removePodFiles(ctx, pods.filter(mine));
  },
};

/** The network namespace of a pod's node (where its netexec runtime lives). */
function nodeNetnsOf(ctx: RuntimeContext, p: PodT): string {
  return nodeNetns(ctx.cluster, p.node);
}
