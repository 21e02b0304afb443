// `podlab up -f FILE…`: build or update a lab. The one-time work — the host's routes (lab CIDRs must not overlap
// them) and the preflight (tools, root, kernel features, probed for real) — then reconcile(desired, observed).
import type { LabSpec } from '../input/types.js';
import { getMode } from '../modes/registry.js';
import { getProxyMode } from '../dataplane/proxy/index.js';
import { preflight, sctpUsers, policyCommands } from '../kernel/preflight.js';
import { labContext, requireRoot, withLock, type LabContext } from './context.js';
import { hostRoutes, loadLab } from './load.js';
import { desire, reconcile, type UpResult } from './reconcile.js';
import { readinessFor } from './lifecycle.js';
import { dockerPreflight } from './docker.js';
import { walkWorkloads } from './workloads.js';

export { AbortedError, type UpResult } from './reconcile.js';

export interface UpOptions extends Partial<LabContext> {
  readonly files: readonly string[];
  /** An already parsed lab (benchmarks and tests); the files are then only recorded. */
  readonly lab?: LabSpec;
  /** Snapshots of documents added by `podlab apply` (later documents replace earlier ones of the same object). */
  readonly applied?: readonly string[];
  /** Objects removed by `podlab delete` ("Pod ns/name", "Service ns/name"). */
  readonly deleted?: readonly string[];
  readonly mode?: string;
  readonly proxyMode?: string;
  /**
   * Live change (apply/delete) of a lab whose last run converged: skip the kernel feature probe and read back
   * only the namespaces whose planned state differs from the last run's (kube-proxy's partial sync). A plain
   * `up` always reads back every namespace and repairs any drift.
   */
  readonly live?: boolean;
  /** The host's routes the lab's CIDRs must not overlap (read by the caller: `up` reads them first). */
  readonly hostRoutes?: readonly string[];
}

/** The one-time checks before a lab is built: root, tools, kernel features (skipped for a live change but SCTP). */
export async function prepare(ctx: LabContext, lab: LabSpec, incremental: boolean): Promise<void> {
  const mode = getMode(lab.cluster.mode);
  const sctp = sctpUsers(lab); // a live change may add the lab's first SCTP port: that needs checking even then
  const polCmds = policyCommands(lab); // … or its first NetworkPolicy (ipset, or nft in nftables mode)
  // unbound: the cluster DNS of every lab (workload/dns/).
  const commands = [...new Set([...mode.requires.commands, ...getProxyMode(lab.cluster.proxyMode).commands, 'unbound', 'unbound-control', ...polCmds])];
  if (!incremental) await preflight(ctx.exec, { ...mode.requires, commands, bridgeNetfilter: mode.requires.linkKinds.includes('bridge'), sctp, root: ctx.root });
  else if (sctp.length || polCmds.length) await preflight(ctx.exec, { commands: polCmds, linkKinds: [], sctp, root: ctx.root });
  await dockerPreflight(lab);
}

/** Build or update a lab, holding its lock. */
export async function up(o: UpOptions): Promise<UpResult> {
  const t0 = performance.now();
  const ctx = labContext(o);
  // A live change keeps the Cluster document, which `up` already checked against the host's routes.
  const routes = o.live || o.lab ? undefined : await hostRoutes(ctx.exec);
  const lab = parseForUp(ctx, { ...o, hostRoutes: o.hostRoutes ?? routes });
  requireRoot(ctx, 'up');
  const r = await withLock(ctx, lab.cluster.name, () => upLocked(ctx, { ...o, lab }));
  return { ...r, ms: performance.now() - t0 };
}

function parseForUp(ctx: LabContext, o: UpOptions): LabSpec {
  return o.lab ?? loadLab(o.files, { mode: o.mode, proxyMode: o.proxyMode, hostRoutes: o.hostRoutes, applied: o.applied, deleted: o.deleted, cwd: ctx.cwd });
}

/** `up` for a caller that holds the lab's lock already (apply, delete, test). */
export async function upLocked(ctx: LabContext, o: UpOptions): Promise<UpResult> {
  const t0 = performance.now();
  const lab = parseForUp(ctx, o);
  const prev = await ctx.store.read(lab.cluster.name);
  const incremental = o.live === true && prev?.converged === true && prev.planHashes !== undefined && prev.topology.mode === lab.cluster.mode;
  await prepare(ctx, lab, incremental);
  const readiness = await readinessFor(ctx, lab.cluster.name, prev?.notReady, prev?.topology.pods);
  const d = desire(lab, prev, readiness);
  const from = { files: o.files, applied: o.applied, deleted: o.deleted, mode: o.mode, proxyMode: o.proxyMode };
  let r = await reconcile(ctx, d, prev, from, { incremental, readiness });
  // Rollouts and ordered StatefulSets: the controllers' steps, each gated on readiness (the daemon's job once it runs).
  if (!ctx.controllers && (d.topo.workloads ?? []).some((w) => !w.settled)) r = await walkWorkloads(ctx, lab, r, from);
  return { ...r, ms: performance.now() - t0 };
}
