// App containers of a pod: each joins its sandbox (network and IPC: container:<pause id>), so it shares the
// pod's localhost, IP and hostname. A restart recreates the container (attempt + 1) in the same sandbox and keeps
// the previous instance, stopped, for `logs --previous` — as kubelet keeps one dead container per container.
import type Docker from 'dockerode';
import { Writable } from 'node:stream';
import type { Engine } from './engine.js';
import { LABEL, labelsFor, podFilter, containerName, type PodRef } from './labels.js';
import { ImageMissingError } from './images.js';
import { removeContainers, type Sandbox } from './sandbox.js';
import { toContainerState, type ContainerStatus, type DockerState } from './status.js';
import { shortHash } from '../../net/hash.js';

export interface Mount {
  /** A path on the host (an emptyDir's directory, a hostPath). */
  readonly source: string;
  readonly target: string;
  readonly readOnly?: boolean;
}

export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  /** Kubernetes `command`: replaces the image's ENTRYPOINT (and with it its CMD). */
  readonly command?: readonly string[];
  /** Kubernetes `args`: replace the image's CMD. */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  readonly mounts?: readonly Mount[];
  /** SIGTERM, then SIGKILL after this many seconds (terminationGracePeriodSeconds; default 30). */
  readonly stopTimeoutSeconds?: number;
}

export interface ContainerInstance {
  readonly id: string;
  readonly name: string;
  readonly attempt: number;
  /** false when the existing instance of the same spec was kept. */
  readonly created: boolean;
  /** Made now: the engine started it (a command that cannot run is data: false, with the engine's reason). Kept: it is running. */
  readonly started: boolean;
  readonly startError?: string;
}

const attemptOf = (c: Docker.ContainerInfo) => Number(c.Labels[LABEL.attempt] ?? 0);
const code = (e: unknown) => (e as { statusCode?: number }).statusCode;
/** The message the engine sent (dockerode puts the JSON body's "message" in .json). */
const engineMessage = (e: unknown) => String((e as { json?: { message?: string } }).json?.message ?? (e as Error).message).trim();

/** Kubernetes command/args → Docker Entrypoint/Cmd (the engine merges the image's as Kubernetes does). */
export function entrypointCmd(spec: Pick<ContainerSpec, 'command' | 'args'>): { Entrypoint?: string[]; Cmd?: string[] } {
  return { ...(spec.command ? { Entrypoint: [...spec.command] } : {}), ...(spec.args ? { Cmd: [...spec.args] } : {}) };
}

export function specHash(sandbox: Pick<Sandbox, 'id'>, spec: ContainerSpec): string {
  return shortHash(JSON.stringify([sandbox.id, spec]), 12);
}

/** Every instance of one container of a pod, newest first. */
export async function instances(engine: Engine, ref: PodRef, container: string): Promise<Docker.ContainerInfo[]> {
  const all = await engine.docker.listContainers({ all: true, filters: podFilter(ref, 'container', container) });
  return all.sort((a, b) => attemptOf(b) - attemptOf(a));
}

async function create(engine: Engine, sandbox: Sandbox, spec: ContainerSpec, attempt: number): Promise<ContainerInstance> {
  const name = containerName(sandbox, spec.name, attempt);
  let c: Docker.Container;
  try {
    c = await engine.docker.createContainer({
      name, Image: spec.image, ...entrypointCmd(spec),
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
      StopTimeout: spec.stopTimeoutSeconds ?? 30,
      Labels: labelsFor(sandbox, 'container', spec.name, { [LABEL.sandbox]: sandbox.id, [LABEL.attempt]: String(attempt), [LABEL.spec]: specHash(sandbox, spec) }),
      HostConfig: {
        NetworkMode: `container:${sandbox.id}`, IpcMode: `container:${sandbox.id}`, RestartPolicy: { Name: 'no' },
        Binds: (spec.mounts ?? []).map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
      },
    });
  } catch (e) {
    if (code(e) === 404 && /image/i.test(engineMessage(e))) throw new ImageMissingError([{ image: spec.image, where: `pod ${sandbox.namespace}/${sandbox.pod} container ${spec.name}` }], engine.host);
    if (code(e) === 400) throw new Error(`pod ${sandbox.namespace}/${sandbox.pod} container ${spec.name}: the engine refused it: ${engineMessage(e)}`);
    throw e;
  }
  try {
    await c.start();
    return { id: c.id, name, attempt, created: true, started: true };
  } catch (e) {
    if (code(e) !== 400 && code(e) !== 500) throw e;
    return { id: c.id, name, attempt, created: true, started: false, startError: engineMessage(e) };
  }
}

async function stop(engine: Engine, c: Docker.ContainerInfo, timeoutSeconds: number | undefined): Promise<void> {
  if (c.State !== 'running' && c.State !== 'paused' && c.State !== 'restarting') return;
  try {
    await engine.docker.getContainer(c.Id).stop(timeoutSeconds === undefined ? {} : { t: timeoutSeconds });
  } catch (e) {
    if (code(e) !== 304 && code(e) !== 404) throw e;
  }
}

/**
 * Make the next instance: stop the current one (if running), drop the older ones, keep the current as the
 * previous instance, create and start attempt + 1. The sandbox is not touched.
 */
async function recreate(engine: Engine, sandbox: Sandbox, spec: ContainerSpec, have: Docker.ContainerInfo[], stopTimeoutSeconds?: number): Promise<ContainerInstance> {
  const [current, ...older] = have;
  if (current) await stop(engine, current, stopTimeoutSeconds ?? spec.stopTimeoutSeconds);
  await removeContainers(engine, older.map((c) => c.Id));
  return create(engine, sandbox, spec, current ? attemptOf(current) + 1 : 0);
}

/**
 * Make the container exist in its sandbox: the current instance is kept if it was made from this spec in this
 * sandbox, whatever its state — whether an exited container runs again is the lifecycle's decision
 * (restartPolicy, back-off), made with restartContainer. A changed spec or a new sandbox recreates it.
 */
export async function ensureContainer(engine: Engine, sandbox: Sandbox, spec: ContainerSpec): Promise<ContainerInstance> {
  const have = await instances(engine, sandbox, spec.name);
  const cur = have[0];
  if (cur && cur.Labels[LABEL.spec] === specHash(sandbox, spec)) {
    return { id: cur.Id, name: cur.Names[0]?.replace(/^\//, '') ?? '', attempt: attemptOf(cur), created: false, started: cur.State === 'running' };
  }
  return recreate(engine, sandbox, spec, have);
}

/** Restart by recreation, whatever the current instance's state (a liveness failure, a crash, restartPolicy). */
export async function restartContainer(engine: Engine, sandbox: Sandbox, spec: ContainerSpec, opts: { stopTimeoutSeconds?: number } = {}): Promise<ContainerInstance> {
  return recreate(engine, sandbox, spec, await instances(engine, sandbox, spec.name), opts.stopTimeoutSeconds);
}

/** Stop the current instance gracefully (SIGTERM, SIGKILL after the timeout); it stays, exited, for its logs and state. */
export async function stopContainer(engine: Engine, ref: PodRef, container: string, timeoutSeconds?: number): Promise<void> {
  const cur = (await instances(engine, ref, container))[0];
  if (cur) await stop(engine, cur, timeoutSeconds);
}

/** Remove every instance of one container of a pod (forced). */
export async function removeContainer(engine: Engine, ref: PodRef, container: string): Promise<number> {
  const have = await instances(engine, ref, container);
  await removeContainers(engine, have.map((c) => c.Id));
  return have.length;
}

/** Wait until the instance exits; its exit code. */
export async function waitContainer(engine: Engine, id: string): Promise<number> {
  const r = (await engine.docker.getContainer(id).wait()) as { StatusCode: number };
  return r.StatusCode;
}

/** State of a container as kubelet reports it; undefined when the pod has no such container. */
export async function containerStatus(engine: Engine, ref: PodRef, container: string): Promise<ContainerStatus | undefined> {
  const [cur, prev] = await instances(engine, ref, container);
  if (!cur) return undefined;
  const i = await engine.docker.getContainer(cur.Id).inspect();
  let lastState;
  if (prev) {
    try {
      lastState = toContainerState((await engine.docker.getContainer(prev.Id).inspect()).State as DockerState);
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  }
  return {
    name: container, containerID: `docker://${cur.Id}`, image: i.Config.Image, imageID: i.Image, restartCount: attemptOf(cur),
    state: toContainerState(i.State as DockerState), ...(lastState ? { lastState } : {}), ...(i.State.Running ? { pid: i.State.Pid } : {}),
  };
}

/** Run a command in a running container (its environment, working directory, namespaces), as `kubectl exec` does. */
export async function execInContainer(engine: Engine, id: string, cmd: readonly string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const ex = await engine.docker.getContainer(id).exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true, ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}) });
  const stream = await ex.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]) => new Writable({ write(c: Buffer, _e, cb) { into.push(c); cb(); } });
  engine.docker.modem.demuxStream(stream, sink(out), sink(err));
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
    if (opts.timeoutMs) timer = setTimeout(() => { (stream as unknown as { destroy(): void }).destroy(); reject(new Error(`exec ${cmd.join(' ')}: no exit in ${opts.timeoutMs} ms`)); }, opts.timeoutMs);
  }).finally(() => clearTimeout(timer));
  let info = await ex.inspect();
  for (let i = 0; info.Running && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    info = await ex.inspect();
  }
  return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
