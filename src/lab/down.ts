// `podlab down`: stop the lab's processes, delete its namespaces (their links go with them), forget its state,
// then verify that nothing of it is left. `podlab clean`: the same from the kernel alone, for a crashed run.
import { HOST, stopPids, type Executor } from '../kernel/exec.js';
import { delNetns, ownedNetns } from '../kernel/netns.js';
import { clusterNetns, clustersInKernel } from '../substrate/local.js';
import { PREFIX } from '../net/names.js';
import { CorruptStateError, type LabState } from '../store/types.js';
import { labContext, requireRoot, runtimeContext, withLock, type LabContext } from './context.js';
import { podns } from '../workload/process/index.js';
import { stopOtherSupervisor, type StoppedSupervisor } from './lifecycle.js';
import { NETNS_ETC, removeNetnsFiles } from '../workload/dns/server.js';
import { connectEngine, listCluster, removeCluster, clustersInEngine } from '../workload/docker/index.js';

/** The lab's containers in the Docker engine, removed by label before any of their processes is killed from outside. */
async function removeDocker(exec: Executor, cluster: string, required: boolean): Promise<string[]> {
  let engine;
  try {
    engine = await connectEngine({ timeoutMs: 3000 });
  } catch (e) {
    return required ? [`docker containers of ${cluster}: ${(e as Error).message}`] : [];
  }
  const r = await removeCluster(engine, cluster, { exec });
  return r.leftovers;
}

/** Release every mount podlab made under the lab's folder (pods' UTS namespaces, tmpfs volumes) so it can go. */
async function releaseLabDir(ctx: LabContext, cluster: string): Promise<string[]> {
  return podns(runtimeContext(ctx, cluster), { release: [ctx.store.dir(cluster)] });
}


/** The lab's folders under /etc/netns (resolv.conf of its pods and nodes), found by name as its namespaces are. */
async function netnsFilesOf(exec: Executor, cluster: string): Promise<string[]> {
  const entries = await exec.files.list(NETNS_ETC);
  const mine = new Set(clusterNetns(cluster, [...new Set([...exec.listNetns(), ...entries])]));
  return entries.filter((e) => mine.has(e));
}

export interface DownResult {
  readonly cluster: string;
  readonly removedNetns: number;
  readonly killed: number;
  /** Anything of the lab still present after removal (should be empty). */
  readonly leftovers: readonly string[];
  /** Why the state could not be used (the kernel was used instead). */
  readonly warnings?: readonly string[];
  /** The lab's `podlab supervise`, stopped before anything was removed. */
  readonly supervisor?: StoppedSupervisor;
}

export async function down(cluster: string, o: Partial<LabContext> = {}): Promise<DownResult> {
  const ctx = labContext(o);
  requireRoot(ctx, 'down');
  return withLock(ctx, cluster, () => downLocked(ctx, cluster));
}

/** `down` for a caller that holds the lab's lock already (test). */
export async function downLocked(ctx: LabContext, cluster: string): Promise<DownResult> {
  const { exec } = ctx;
  // First the lab's supervisor in another process: it would restart what this removes.
  const supervisor = await stopOtherSupervisor(runtimeContext(ctx, cluster));
  const nsList = (await ownedNetns(exec, cluster)).mine;
  const warnings: string[] = [];
  let st: LabState | undefined;
  try {
    st = await ctx.store.read(cluster);
  } catch (e) {
    if (!(e instanceof CorruptStateError)) throw e;
    warnings.push(`${e.message}; removing the lab from the kernel alone`);
  }
  const usesDocker = !st || st.topology.pods.some((p) => p.runtime === 'docker');
  const dockerLeft = usesDocker ? await removeDocker(exec, cluster, !!st) : [];
  const killed = await stopPids(exec, [...exec.pidsIn(nsList).keys()]);
  // Processes we started whose namespace is already gone would otherwise survive.
  for (const p of st?.processes ?? []) if (exec.alive(p.pid, p.netns)) exec.signal(p.pid, 'SIGKILL');
  // The mounts under the lab's folder are released by a helper process while this one deletes the namespaces.
  const etcFiles = await netnsFilesOf(exec, cluster);
  const released = releaseLabDir(ctx, cluster);
  await delNetns(exec, nsList).catch(() => undefined);
  const [rel] = await Promise.all([released, removeNetnsFiles(exec, etcFiles)]);
  warnings.push(...rel);
  await ctx.store.remove(cluster);
  return { cluster, removedNetns: nsList.length, killed, leftovers: [...dockerLeft, ...(await leftovers(exec, cluster, ctx.store.dir(cluster)))], ...(warnings.length ? { warnings } : {}), ...(supervisor ? { supervisor } : {}) };
}

/** What of a lab still exists: namespaces, processes in them, host links with our names, its mounts and /etc/netns files, its containers. */
export async function leftovers(exec: Executor, cluster: string, labDir?: string): Promise<string[]> {
  const out: string[] = [];
  if (labDir) {
    const mi = (await exec.files.read('/proc/self/mountinfo')) ?? '';
    for (const l of mi.split('\n')) {
      const m = l.split(' ')[4];
      if (m && (m === labDir || m.startsWith(labDir + '/'))) out.push(`mount ${m}`);
    }
  }
  try {
    const engine = await connectEngine({ timeoutMs: 2000 });
    for (const c of await listCluster(engine, cluster)) out.push(`docker container ${c.name}`);
  } catch {
    /* no engine: nothing of ours can be in it */
  }
  const ns = (await ownedNetns(exec, cluster)).mine;
  for (const n of ns) out.push(`network namespace ${n}`);
  for (const [pid, n] of exec.pidsIn(ns)) out.push(`process ${pid} in ${n}`);
  for (const d of await netnsFilesOf(exec, cluster)) out.push(`folder ${NETNS_ETC}/${d}`);
  const links = await exec.run(['ip', '-j', 'link', 'show'], { ...HOST, host: exec.host });
  try {
    for (const l of JSON.parse(links.stdout) as { ifname: string }[]) if (l.ifname.startsWith(PREFIX + cluster + '-')) out.push(`host link ${l.ifname}`);
  } catch {
    /* ignore */
  }
  return out;
}

export interface CleanResult {
  readonly clusters: readonly string[];
  readonly removedNetns: number;
  readonly leftovers: readonly string[];
}

/** Remove leftovers of crashed runs from the kernel alone, without any state file. */
export async function clean(opts: { cluster?: string; all?: boolean }, o: Partial<LabContext> = {}): Promise<CleanResult> {
  const ctx = labContext(o);
  requireRoot(ctx, 'clean');
  const clusters = opts.all ? [...new Set([...clustersInKernel(ctx.exec.listNetns()), ...(await ctx.store.list())])].sort() : [opts.cluster!];
  // Every lab it removes, locked in name order (so two `clean --all` cannot each wait for the other).
  const locked = (i: number): Promise<CleanResult> => (i < clusters.length ? withLock(ctx, clusters[i]!, () => locked(i + 1)) : cleanLocked(ctx, opts, clusters));
  return locked(0);
}

async function cleanLocked(ctx: LabContext, opts: { cluster?: string; all?: boolean }, clusters: readonly string[]): Promise<CleanResult> {
  const { exec } = ctx;
  const all = exec.listNetns();
  const targets = opts.all ? all.filter((n) => n.startsWith(PREFIX)) : (await ownedNetns(exec, opts.cluster!, all)).mine;
  // Containers first (by label), then processes, namespaces, mounts under the labs' folders, /etc/netns files.
  let engineClusters: string[] = [];
  try {
    engineClusters = opts.all ? await clustersInEngine(await connectEngine({ timeoutMs: 3000 })) : [];
  } catch {
    /* no engine */
  }
  for (const c of clusters) await stopOtherSupervisor(runtimeContext(ctx, c));
  for (const c of [...new Set([...clusters, ...engineClusters])]) await removeDocker(exec, c, false);
  await stopPids(exec, [...exec.pidsIn(targets).keys()]);
  await delNetns(exec, targets).catch(() => undefined);
  const files = opts.all ? (await exec.files.list(NETNS_ETC)).filter((n) => n.startsWith(PREFIX)) : await netnsFilesOf(exec, opts.cluster!);
  await removeNetnsFiles(exec, files);
  for (const c of clusters) {
    await releaseLabDir(ctx, c);
    await ctx.store.remove(c);
  }
  const left = opts.all ? exec.listNetns().filter((n) => n.startsWith(PREFIX)).map((n) => `network namespace ${n}`) : await leftovers(exec, opts.cluster!, ctx.store.dir(opts.cluster!));
  return { clusters, removedNetns: targets.length, leftovers: left };
}
