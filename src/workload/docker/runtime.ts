// The Docker runtime behind WorkloadRuntime: a pod is a pause sandbox (its network namespace linked under
// /run/netns and wired by podlab exactly as a process pod's), its containers join it; a restart recreates the
// container, never the sandbox. kubelet's /etc/hosts of the pod (/etc/netns/<netns>/hosts) and, when the lab has
// one, its resolv.conf are bound into every container, and the pod's volumes are the same folders the process
// runtime uses. Everything is found by label (podlab.cluster, podlab.pod).
import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import type { PodT, Topology } from '../../model/topology.js';
import type { ContainerRef, ExecResult, Observed, RuntimeContext, StartFailure, WorkloadRuntime } from '../types.js';
import { podContainers, podHostname } from '../types.js';
import { hostsFile, hostsFileText, netnsEtc } from '../pods.js';
import { containerBinds, prepareVolumes } from '../volumes.js';
import { removePodFiles } from '../process/index.js';
import { connectEngine, type Engine } from './engine.js';
import { ImageMissingError } from './images.js';
import { LABEL, type PodRef } from './labels.js';
import { ensureSandboxes, findSandbox, type SandboxSpec } from './sandbox.js';
import { ensureContainer, instances, restartContainer, stopContainer, execInContainer, type ContainerSpec as DockerContainer, type Mount } from './containers.js';
import { toContainerState, type DockerState } from './status.js';
import { containerLogs, followLogs, NoInstanceError } from './logs.js';
import { removePod, listCluster } from './cleanup.js';
import type { ContainerState } from '../types.js';

// A hostNetwork pod never: the model makes it a process pod (effectiveRuntime); never a sandbox linked as a node's namespace.
const mine = (p: PodT) => p.runtime === 'docker' && !p.hostNetwork;
const ref = (ctx: RuntimeContext, p: PodT): PodRef => ({ cluster: ctx.cluster, namespace: p.namespace, pod: p.name });

let engineP: Promise<Engine> | undefined;
/** The engine, connected once per process (DOCKER_HOST, else /var/run/docker.sock); throws EngineError. */
export function engine(): Promise<Engine> {
  engineP ??= connectEngine().catch((e) => {
    engineP = undefined;
    throw e;
  });
  return engineP;
}

export function sandboxSpec(ctx: RuntimeContext, p: PodT): SandboxSpec {
  return { ...ref(ctx, p), netns: p.netns, hostname: podHostname(p), ip: p.ip, ...(p.hostAliases?.length ? { hostAliases: p.hostAliases } : {}) };
}

/** What Docker runs for a container: Kubernetes' command and args as written (the image decides the rest). */
export function dockerSpec(ctx: RuntimeContext, p: PodT, c: PodT['containers'][number]): DockerContainer {
  const mounts: Mount[] = containerBinds(ctx, p, c).map((b) => ({ source: b.source, target: b.target, readOnly: b.readOnly }));
  if (!mounts.some((m) => m.target === '/etc/hosts')) mounts.push({ source: hostsFile(p.netns), target: '/etc/hosts' });
  const resolv = `${netnsEtc(p.netns)}/resolv.conf`;
  if (existsSync(resolv) && !mounts.some((m) => m.target === '/etc/resolv.conf')) mounts.push({ source: resolv, target: '/etc/resolv.conf', readOnly: true });
  return {
    name: c.name, image: c.image ?? '',
    ...(c.entrypoint ? { command: c.entrypoint } : {}), ...(c.args ? { args: c.args } : {}),
    env: { POD_NAME: p.name, POD_NAMESPACE: p.namespace, POD_IP: p.ip, NODE_NAME: p.node, ...c.env },
    ...(c.writtenWorkingDir ? { workingDir: c.writtenWorkingDir } : {}),
    mounts, stopTimeoutSeconds: p.terminationGracePeriodSeconds ?? 30,
  };
}

/** Every image the lab's docker pods need, with who needs it (for requireImages, before anything is built). */
export function wantedImages(t: Pick<Topology, 'pods'>): { image: string; where: string }[] {
  return t.pods.filter(mine).flatMap((p) => podContainers(p).map((r) => ({ image: r.container.image ?? '', where: `pod ${p.key} container ${r.container.name}` })));
}

// Inspections of exited instances never change; running ones only their end.
const inspected = new Map<string, { state: ContainerState; pid?: number }>();

async function stateOf(e: Engine, c: Docker.ContainerInfo): Promise<{ state: ContainerState; pid?: number } | undefined> {
  const hit = inspected.get(c.Id);
  if (hit && !(c.State !== 'running' && 'running' in hit.state)) return hit;
  try {
    const i = await e.docker.getContainer(c.Id).inspect();
    const v = { state: toContainerState(i.State as DockerState), ...(i.State.Running ? { pid: i.State.Pid } : {}) };
    inspected.set(c.Id, v);
    return v;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

async function current(ctx: RuntimeContext, r: ContainerRef): Promise<Docker.ContainerInfo | undefined> {
  return (await instances(await engine(), ref(ctx, r.pod), r.container.name))[0];
}

export const dockerRuntime: WorkloadRuntime = {
  name: 'docker',
  owns: () => false,
  makesNetns: mine,

  async createSandboxes(ctx, pods) {
    const ps = pods.filter(mine);
    if (!ps.length) return [];
    const e = await engine();
    for (const p of ps) await ctx.exec.files.write(hostsFile(p.netns), hostsFileText(p), 0o644);
    const made = await ensureSandboxes(e, ps.map((p) => sandboxSpec(ctx, p)), { exec: ctx.exec });
    return made.filter((s) => s.created).map((s) => s.netns);
  },

  async sync(ctx, t) {
    const pods = t.pods.filter(mine);
    if (!pods.length) return { records: [], changes: 0, problems: [] };
    const e = await engine();
    let changes = 0;
    const keep = new Set(pods.map((p) => p.key));
    for (const c of await listCluster(e, ctx.cluster)) {
      if (keep.has(c.pod) || c.role !== 'sandbox') continue;
      const [namespace, pod] = c.pod.split('/') as [string, string];
      await removePod(e, { cluster: ctx.cluster, namespace, pod }, { exec: ctx.exec });
      changes++;
    }
    for (const p of pods) {
      const text = hostsFileText(p, t.dns?.domain);
      if ((await ctx.exec.files.read(hostsFile(p.netns))) !== text) {
        await ctx.exec.files.write(hostsFile(p.netns), text, 0o644);
        changes++;
      }
    }
    const made = await ensureSandboxes(e, pods.map((p) => sandboxSpec(ctx, p)), { exec: ctx.exec });
    changes += made.filter((s) => s.created).length;
    const vols = await prepareVolumes(ctx, pods);
    return { records: [], changes, problems: [...[...vols.problems].map(([k, v]) => `Pod ${k}: ${v}`), ...vols.notices] };
  },

  async start(ctx, items) {
    const e = await engine();
    const out: StartFailure[] = [];
    for (const it of items) {
      const r = ref(ctx, it.pod);
      try {
        const sb = await findSandbox(e, r);
        if (!sb?.running) {
          out.push({ pod: it.pod.key, container: it.container.name, reason: 'CreateContainerError', message: `the pod's sandbox is ${sb ? 'not running' : 'missing'}` });
          continue;
        }
        const spec = dockerSpec(ctx, it.pod, it.container);
        const box = { ...sb, created: false };
        const have = (await instances(e, r, it.container.name))[0];
        if (!have) await ensureContainer(e, box, spec);
        else await restartContainer(e, box, spec, { stopTimeoutSeconds: 1 });
      } catch (err) {
        out.push({ pod: it.pod.key, container: it.container.name, reason: err instanceof ImageMissingError ? 'ErrImageNeverPull' : 'CreateContainerError', message: (err as Error).message });
      }
    }
    return out;
  },

  async observe(ctx, pods) {
    const out = new Map<string, Observed>();
    const ps = pods.filter(mine);
    if (!ps.length) return out;
    const e = await engine();
    const all = await listCluster(e, ctx.cluster);
    const raw = await e.docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${ctx.cluster}`, `${LABEL.role}=container`] } });
    const byId = new Map(raw.map((c) => [c.Id, c]));
    for (const p of ps) {
      for (const r of podContainers(p)) {
        const mineC = all.filter((c) => c.pod === p.key && c.role === 'container' && c.container === r.container.name).sort((a, b) => b.attempt - a.attempt);
        const [cur, prev] = mineC;
        if (!cur) continue;
        const s = await stateOf(e, byId.get(cur.id)!);
        if (!s) continue;
        const last = prev && byId.get(prev.id) ? await stateOf(e, byId.get(prev.id)!) : undefined;
        out.set(`${p.key}/${r.container.name}`, {
          attempt: cur.attempt, state: s.state, ...(last && 'terminated' in last.state ? { lastState: last.state } : {}),
          ...(s.pid ? { pid: s.pid } : {}), containerID: `docker://${cur.id}`,
        });
      }
    }
    return out;
  },

  async stop(ctx, r, graceSeconds) {
    await stopContainer(await engine(), ref(ctx, r.pod), r.container.name, Math.ceil(graceSeconds));
  },

  async exec(ctx, r, argv, o = {}): Promise<ExecResult> {
    const cur = await current(ctx, r);
    if (!cur || cur.State !== 'running') return { exitCode: 126, stdout: '', stderr: `container ${r.container.name} is not running`, timedOut: false };
    try {
      const x = await execInContainer(await engine(), cur.Id, argv, { timeoutMs: o.timeoutMs });
      return { ...x, timedOut: false };
    } catch (err) {
      if (/no exit in/.test((err as Error).message)) return { exitCode: -1, stdout: '', stderr: (err as Error).message, timedOut: true };
      throw err;
    }
  },

  async execArgv(ctx, r, argv) {
    const cur = await current(ctx, r);
    if (!cur || cur.State !== 'running') throw new Error(`container ${r.container.name} of pod ${r.pod.key} is not running`);
    const i = await (await engine()).docker.getContainer(cur.Id).inspect();
    // The container's own namespaces (mount: its image's root), environment and working directory.
    return ['nsenter', '-t', String(i.State.Pid), '--all', `--wd=${i.Config.WorkingDir || '/'}`, '--', 'env', '-i', ...(i.Config.Env ?? []), ...argv];
  },

  async logs(ctx, r, o = {}) {
    try {
      return (await containerLogs(await engine(), ref(ctx, r.pod), r.container.name, { previous: o.previous })).text;
    } catch (err) {
      if (err instanceof NoInstanceError) throw new Error(o.previous ? `previous terminated container "${r.container.name}" in pod "${r.pod.name}" not found` : `container "${r.container.name}" in pod "${r.pod.name}" is waiting to start: PodInitializing`);
      throw err;
    }
  },

  async followLogs(ctx, r, write, o = {}) {
    await followLogs(await engine(), ref(ctx, r.pod), r.container.name, (f) => write(f.data.toString()), { previous: o.previous, signal: o.signal });
  },

  async removePods(ctx, pods) {
    const ps = pods.filter(mine);
    if (!ps.length) return;
    const e = await engine();
    for (const p of ps) await removePod(e, ref(ctx, p), { exec: ctx.exec });
    await removePodFiles(ctx, ps);
  },
};
