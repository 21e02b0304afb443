// Finding a lab and the things in it: which lab a command means, its state, and exec/logs targets.
import type { Topology } from '../model/topology.js';
import { podContainers, type ContainerRef } from '../workload/types.js';
import type { LabState } from '../store/types.js';
import { clustersInKernel } from '../substrate/local.js';
import type { LabContext } from './context.js';

/** Which cluster a command means: the one named, or the only one that exists. */
export async function pickCluster(ctx: LabContext, name?: string): Promise<string> {
  if (name) return name;
  const all = [...new Set([...clustersInKernel(ctx.exec.listNetns()), ...(await ctx.store.list())])].sort();
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new Error('no lab is running (start one with `podlab up -f FILE`)');
  throw new Error(`several labs exist (${all.join(', ')}): say which with -c NAME`);
}

/** The lab's state, or an error that says what exists and what to do. */
export async function labState(ctx: LabContext, cluster: string): Promise<LabState> {
  const st = await ctx.store.read(cluster);
  if (!st) {
    const inKernel = clustersInKernel(ctx.exec.listNetns()).includes(cluster);
    throw new Error(inKernel
      ? `lab "${cluster}" has namespaces but no state (an interrupted run?): \`podlab up -f FILE\` rebuilds it, \`podlab clean -c ${cluster}\` removes it`
      : `no lab named "${cluster}"`);
  }
  return st;
}

/** Resolve an exec/logs target to its namespace: ns/pod, pod (namespace default), node/NAME, ext, fabric, host/NAME. */
export function targetNetns(t: Topology, target: string): string {
  if (target === 'ext' || target === 'external') return t.external.netns;
  if (target === 'fabric' || (t.mode === 'vpc' && target === 'vpc')) return t.fabric.netns;
  if (target.startsWith('host/')) {
    const h = t.hosts.find((x) => x.name === target.slice(5));
    if (!h) throw new Error(`no host "${target.slice(5)}" (hosts: ${t.hosts.map((x) => x.name).join(', ') || 'none'})`);
    return h.netns;
  }
  if (target.startsWith('node/')) {
    const n = t.nodes.find((x) => x.name === target.slice(5));
    if (!n) throw new Error(`no node "${target.slice(5)}" (nodes: ${t.nodes.map((x) => x.name).join(', ')})`);
    return n.netns;
  }
  const key = target.includes('/') ? target : `default/${target}`;
  const p = t.pods.find((x) => x.key === key);
  if (!p) throw new Error(`no pod "${key}" (pods: ${t.pods.map((x) => x.key).join(', ') || 'none'}); targets are ns/pod, pod, node/NAME or ext`);
  return p.netns;
}

/** A pod's container for exec/logs: the one named, else the first app container (kubectl's default). */
export function targetContainer(t: Topology, pod: string, container?: string): ContainerRef {
  const key = pod.includes('/') ? pod : `default/${pod}`;
  const p = t.pods.find((x) => x.key === key);
  if (!p) throw new Error(`no pod "${key}" (pods: ${t.pods.map((x) => x.key).join(', ') || 'none'})`);
  const all = podContainers(p);
  const r = container === undefined ? all.find((x) => !x.init) : all.find((x) => x.container.name === container);
  if (!r) throw new Error(`container ${container} is not valid for pod ${p.name} (containers: ${p.containers.map((c) => c.name).join(', ')}${p.initContainers?.length ? `; init containers: ${p.initContainers.map((c) => c.name).join(', ')}` : ''})`);
  return r;
}

/** Whether an exec target names a pod (ns/pod, pod) rather than a node, host or the external host. */
export function isPodTarget(target: string): boolean {
  return !(target === 'ext' || target === 'external' || target === 'fabric' || target === 'vpc' || target.startsWith('host/') || target.startsWith('node/'));
}
