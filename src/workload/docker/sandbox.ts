// The pod sandbox, as kubelet makes it: a pause container started with network mode "none" holds the pod's
// network (and IPC) namespace; its network namespace is linked under /run/netns/<name> so podlab wires it
// exactly like a process pod's; every app container joins it (network mode container:<pause id>) and so
// shares localhost, the pod IP and the sandbox's hostname. Restarting a container never touches the sandbox.
import type Docker from 'dockerode';
import type { Engine } from './engine.js';
import type { Executor } from '../../kernel/exec.js';
import { mapLimit } from '../../kernel/exec.js';
import { netnsInode } from '../../substrate/local.js';
import { shortHash } from '../../net/hash.js';
import { clusterPrefix } from '../../net/names.js';
import { LABEL, SANDBOX_CONTAINER, labelsFor, podFilter, containerName, type PodRef } from './labels.js';
import { ensurePauseImage, PAUSE_IMAGE } from './images.js';
import { linkNetns, unlinkNetns, pidNetnsInode } from './netns.js';

export interface SandboxSpec extends PodRef {
  /** The /run/netns name to link the sandbox's namespace under; must start with pl-<cluster>-. */
  readonly netns: string;
  /** The pod's hostname (pod name or spec.hostname); every container of the pod sees it. */
  readonly hostname: string;
  /** The pod IP, for the "<ip> <hostname>" line of /etc/hosts (as kubelet writes it). */
  readonly ip?: string;
  readonly hostAliases?: readonly { ip: string; hostnames: readonly string[] }[];
  /** resolv.conf of the pod (default: the engine copies the host's). */
  readonly dns?: { nameservers?: readonly string[]; searches?: readonly string[]; options?: readonly string[] };
  /** Default PAUSE_IMAGE (built from the host's busybox on first use). */
  readonly image?: string;
}

export interface Sandbox extends PodRef {
  readonly id: string;
  readonly name: string;
  readonly netns: string;
  readonly pid: number;
  /** Inode of the sandbox's network namespace (= /run/netns/<netns> and /proc/<pid>/ns/net). */
  readonly netnsInode: number;
  readonly hostname: string;
  readonly image: string;
  readonly attempt: number;
  /** false when an existing, matching sandbox was kept. */
  readonly created: boolean;
}

export interface EnsureOpts {
  readonly exec?: Executor;
  /** Engine calls in flight at once (default 4). */
  readonly concurrency?: number;
}

/** Problems with a sandbox spec, as "ns/pod field: problem" lines (empty when valid). */
export function sandboxSpecProblems(s: SandboxSpec): string[] {
  const at = `sandbox ${s.namespace}/${s.pod}`;
  const out: string[] = [];
  if (!s.netns.startsWith(clusterPrefix(s.cluster)) || s.netns.includes('/')) out.push(`${at} netns: "${s.netns}" must start with ${clusterPrefix(s.cluster)} (podlab links only names it owns)`);
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s.hostname)) out.push(`${at} hostname: "${s.hostname}" is not a DNS label (a-z, 0-9, -, at most 63)`);
  for (const a of s.hostAliases ?? []) for (const h of a.hostnames) if (!/^[A-Za-z0-9.-]+$/.test(h)) out.push(`${at} hostAliases: "${h}" is not a host name`);
  return out;
}

function sandboxHash(s: SandboxSpec, image: string): string {
  return shortHash(JSON.stringify([s.netns, s.hostname, s.ip ?? '', s.hostAliases ?? [], s.dns ?? {}, image]), 12);
}

function extraHosts(s: SandboxSpec): string[] {
  const out = s.ip ? [`${s.hostname}:${s.ip}`] : [];
  for (const a of s.hostAliases ?? []) for (const h of a.hostnames) out.push(`${h}:${a.ip}`);
  return out;
}

const attemptOf = (c: Docker.ContainerInfo) => Number(c.Labels[LABEL.attempt] ?? 0);

async function inspectRunning(engine: Engine, id: string): Promise<{ pid: number; ino: number } | undefined> {
  try {
    const i = await engine.docker.getContainer(id).inspect();
    const pid = i.State.Running ? i.State.Pid : 0;
    const ino = pid ? pidNetnsInode(pid) : undefined;
    return pid && ino !== undefined ? { pid, ino } : undefined;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

/** Remove containers by id (forced: running ones are killed), tolerating those already gone. */
export async function removeContainers(engine: Engine, ids: readonly string[], concurrency = 4): Promise<void> {
  await mapLimit(ids, concurrency, async (id) => {
    try {
      await engine.docker.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const code = (e as { statusCode?: number }).statusCode;
      if (code !== 404 && !(code === 409 && /already in progress/.test(String((e as Error).message)))) throw e;
    }
  });
}

interface Plan { spec: SandboxSpec; image: string; hash: string; keep?: Sandbox; stale: Docker.ContainerInfo[]; podContainers: Docker.ContainerInfo[]; attempt: number }

/**
 * Make each pod's sandbox exist, running and linked: a running sandbox of the same spec is kept (relinked if its
 * /run/netns link is gone); otherwise the old one and the containers that joined it are removed and a new one
 * is made. Every spec is checked before anything is changed. One `ip -batch` links all new namespaces.
 */
export async function ensureSandboxes(engine: Engine, specs: readonly SandboxSpec[], opts: EnsureOpts = {}): Promise<Sandbox[]> {
  const problems = specs.flatMap(sandboxSpecProblems);
  const dup = specs.map((s) => s.netns).filter((n, i, a) => a.indexOf(n) !== i);
  for (const d of new Set(dup)) problems.push(`netns "${d}" is asked for by more than one sandbox`);
  if (problems.length) throw new Error(`invalid sandbox spec:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const conc = opts.concurrency ?? 4;
  const images = [...new Set(specs.map((s) => s.image ?? PAUSE_IMAGE))];
  for (const i of images) await ensurePauseImage(engine, i);

  // 1. Observe: what each pod has now.
  const plans: Plan[] = await mapLimit(specs, conc, async (spec) => {
    const image = spec.image ?? PAUSE_IMAGE;
    const hash = sandboxHash(spec, image);
    const podContainers = await engine.docker.listContainers({ all: true, filters: podFilter(spec) });
    const boxes = podContainers.filter((c) => c.Labels[LABEL.role] === 'sandbox').sort((a, b) => attemptOf(b) - attemptOf(a));
    const attempt = boxes.length ? attemptOf(boxes[0]!) + 1 : 0;
    const cand = boxes.find((c) => c.State === 'running' && c.Labels[LABEL.spec] === hash);
    const live = cand ? await inspectRunning(engine, cand.Id) : undefined;
    if (cand && live) {
      const keep: Sandbox = { ...spec, id: cand.Id, name: cand.Names[0]?.replace(/^\//, '') ?? '', netns: spec.netns, pid: live.pid, netnsInode: live.ino, hostname: spec.hostname, image, attempt: attemptOf(cand), created: false };
      return { spec, image, hash, keep, stale: boxes.filter((b) => b.Id !== cand.Id), podContainers, attempt };
    }
    return { spec, image, hash, stale: boxes, podContainers, attempt };
  });

  // A name under /run/netns that no sandbox of the pod owns is someone else's: refuse before changing anything.
  const conflicts = plans.filter((p) => !p.keep && netnsInode(p.spec.netns) !== undefined && !p.stale.some((c) => c.Labels[LABEL.netns] === p.spec.netns));
  if (conflicts.length) {
    throw new Error(`cannot link sandbox namespaces:\n${conflicts.map((p) => `  - /run/netns/${p.spec.netns} exists and is not a sandbox of ${p.spec.namespace}/${p.spec.pod}: remove it (or that pod) first`).join('\n')}`);
  }

  // 2. Remove what is stale: old sandboxes, and for a replaced sandbox every container that joined it.
  const doomed = plans.flatMap((p) => p.keep
    ? p.stale.map((c) => c.Id).concat(p.podContainers.filter((c) => c.Labels[LABEL.role] === 'container' && c.Labels[LABEL.sandbox] !== p.keep!.id).map((c) => c.Id))
    : p.podContainers.map((c) => c.Id));
  const staleLinks = plans.filter((p) => !p.keep).flatMap((p) => p.stale.map((c) => c.Labels[LABEL.netns]).filter((n): n is string => !!n && n.startsWith(clusterPrefix(p.spec.cluster))));
  await removeContainers(engine, [...new Set(doomed)], conc);
  await unlinkNetns(staleLinks, opts.exec);

  // 3. Create and start the new sandboxes.
  const made = await mapLimit(plans.filter((p) => !p.keep), conc, async (p): Promise<Sandbox> => {
    const s = p.spec;
    const name = containerName(s, SANDBOX_CONTAINER, p.attempt);
    const c = await engine.docker.createContainer({
      name, Image: p.image, Hostname: s.hostname,
      Labels: labelsFor(s, 'sandbox', SANDBOX_CONTAINER, { [LABEL.netns]: s.netns, [LABEL.spec]: p.hash, [LABEL.attempt]: String(p.attempt) }),
      HostConfig: {
        NetworkMode: 'none', IpcMode: 'shareable', RestartPolicy: { Name: 'no' }, ExtraHosts: extraHosts(s),
        ...(s.dns?.nameservers ? { Dns: [...s.dns.nameservers] } : {}), ...(s.dns?.searches ? { DnsSearch: [...s.dns.searches] } : {}), ...(s.dns?.options ? { DnsOptions: [...s.dns.options] } : {}),
      },
    });
    await c.start();
    const live = await inspectRunning(engine, c.id);
    if (!live) throw new Error(`sandbox ${name} (image ${p.image}) stopped right after it started: ${JSON.stringify((await c.inspect()).State)}`);
    return { ...s, id: c.id, name, netns: s.netns, pid: live.pid, netnsInode: live.ino, hostname: s.hostname, image: p.image, attempt: p.attempt, created: true };
  });

  // 4. One ip -batch links every namespace that has no link (new sandboxes, kept ones whose link was removed).
  const byNetns = new Map(made.map((m) => [m.netns, m]));
  const all = plans.map((p) => p.keep ?? byNetns.get(p.spec.netns)!);
  await linkNetns(all.filter((s) => netnsInode(s.netns) !== s.netnsInode).map((s) => ({ name: s.netns, pid: s.pid })), opts.exec);
  return all;
}

export async function ensureSandbox(engine: Engine, spec: SandboxSpec, opts: EnsureOpts = {}): Promise<Sandbox> {
  return (await ensureSandboxes(engine, [spec], opts))[0]!;
}

/** The pod's current sandbox, if it has one; `running` says whether its pause process is alive. */
export async function findSandbox(engine: Engine, ref: PodRef): Promise<(Omit<Sandbox, 'created'> & { running: boolean }) | undefined> {
  const boxes = (await engine.docker.listContainers({ all: true, filters: podFilter(ref, 'sandbox') })).sort((a, b) => attemptOf(b) - attemptOf(a));
  const c = boxes[0];
  if (!c) return undefined;
  const i = await engine.docker.getContainer(c.Id).inspect();
  const pid = i.State.Running ? i.State.Pid : 0;
  return {
    cluster: ref.cluster, namespace: ref.namespace, pod: ref.pod, id: c.Id, name: i.Name.replace(/^\//, ''), netns: c.Labels[LABEL.netns] ?? '',
    pid, netnsInode: (pid && pidNetnsInode(pid)) || 0, hostname: i.Config.Hostname, image: i.Config.Image, attempt: attemptOf(c), running: !!pid,
  };
}
