// What of a cluster is in the engine, found by label alone (no state file): for `status`, `down` and `clean`.
// Removal takes exactly the containers labelled podlab.cluster=<cluster> (app containers first, then the
// sandboxes) and the /run/netns links their sandboxes own; images and everything else stay.
import type Docker from 'dockerode';
import type { Engine } from './engine.js';
import type { Executor } from '../../kernel/exec.js';
import { clusterPrefix } from '../../net/names.js';
import { netnsInode } from '../../substrate/local.js';
import { LABEL, clusterFilter, podFilter, type PodRef, type Role } from './labels.js';
import { removeContainers } from './sandbox.js';
import { unlinkNetns } from './netns.js';

export interface PodlabContainer {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** "<namespace>/<name>" */
  readonly pod: string;
  readonly container: string;
  readonly attempt: number;
  /** The engine's state: created, running, exited, … */
  readonly state: string;
  readonly image: string;
  /** Sandboxes: their /run/netns name. */
  readonly netns?: string;
}

function toObj(c: Docker.ContainerInfo): PodlabContainer {
  return {
    id: c.Id, name: c.Names[0]?.replace(/^\//, '') ?? '', role: c.Labels[LABEL.role] === 'sandbox' ? 'sandbox' : 'container',
    pod: c.Labels[LABEL.pod] ?? '', container: c.Labels[LABEL.container] ?? '', attempt: Number(c.Labels[LABEL.attempt] ?? 0),
    state: c.State, image: c.Image, ...(c.Labels[LABEL.netns] ? { netns: c.Labels[LABEL.netns] } : {}),
  };
}

/** Every container of a cluster, of every pod, in any state. */
export async function listCluster(engine: Engine, cluster: string): Promise<PodlabContainer[]> {
  return (await engine.docker.listContainers({ all: true, filters: clusterFilter(cluster) })).map(toObj);
}

/** Clusters that have containers in the engine (for `clean --all`). */
export async function clustersInEngine(engine: Engine): Promise<string[]> {
  const all = await engine.docker.listContainers({ all: true, filters: { label: [LABEL.cluster] } });
  return [...new Set(all.map((c) => c.Labels[LABEL.cluster]!).filter(Boolean))].sort();
}

export interface RemoveResult {
  readonly containers: number;
  readonly sandboxes: number;
  /** /run/netns links removed. */
  readonly netns: string[];
  /** What is still there afterwards (should be empty): "container <name>", "/run/netns/<name>". */
  readonly leftovers: string[];
}

async function removeAll(engine: Engine, cluster: string, found: Docker.ContainerInfo[], again: () => Promise<Docker.ContainerInfo[]>, exec?: Executor): Promise<RemoveResult> {
  const apps = found.filter((c) => c.Labels[LABEL.role] !== 'sandbox');
  const boxes = found.filter((c) => c.Labels[LABEL.role] === 'sandbox');
  await removeContainers(engine, apps.map((c) => c.Id), 8);
  await removeContainers(engine, boxes.map((c) => c.Id), 8);
  const links = [...new Set(boxes.map((c) => c.Labels[LABEL.netns]).filter((n): n is string => !!n && n.startsWith(clusterPrefix(cluster))))];
  const netns = await unlinkNetns(links, exec);
  const left = await again();
  return {
    containers: apps.length, sandboxes: boxes.length, netns,
    leftovers: [...left.map((c) => `container ${c.Names[0]?.replace(/^\//, '') ?? c.Id}`), ...links.filter((n) => netnsInode(n) !== undefined).map((n) => `/run/netns/${n}`)],
  };
}

/** Remove everything of a cluster in the engine and the sandboxes' /run/netns links; report what is left. */
export async function removeCluster(engine: Engine, cluster: string, opts: { exec?: Executor } = {}): Promise<RemoveResult> {
  const list = () => engine.docker.listContainers({ all: true, filters: clusterFilter(cluster) });
  return removeAll(engine, cluster, await list(), list, opts.exec);
}

/** Remove one pod: its containers, its sandbox, its /run/netns link. */
export async function removePod(engine: Engine, ref: PodRef, opts: { exec?: Executor } = {}): Promise<RemoveResult> {
  const list = () => engine.docker.listContainers({ all: true, filters: podFilter(ref) });
  return removeAll(engine, ref.cluster, await list(), list, opts.exec);
}
