// Apply a plan: observe → diff → do only what is missing. Namespaces go in phases (fabric, then nodes and
// the external host, then pods); within a phase they run concurrently. Per namespace: its ip and bridge lines
// (through netlink in-process, or `ip -batch` / `bridge -batch`: kernel/backend.ts decides), plus one
// iptables-restore / nft -f where needed; sysctls of a whole phase in one pass.
import type { NsState, Plan } from '../dataplane/types.js';
import { diffNs, emptyOps, opsCount, EMPTY_OBSERVED, NFT_DELETE, type Observed, type Ops } from './ops.js';
import { normalizeIptablesSave, normalizeNft } from './observe.js';
import { mapLimit, type Executor } from './exec.js';
import { stepError } from './rulesets.js';
import { openKernel, type Kernel } from './backend.js';
import { sysctlBatch } from './sysctl.js';
import { shortHash } from '../net/hash.js';

/** Per namespace: hash of the iptables-restore input applied and of iptables-save right after. */
export type IptablesLedger = Record<string, { want: string; saved: string }>;

export interface ApplyOptions {
  readonly fresh: ReadonlySet<string>;
  readonly ledger: IptablesLedger;
  /** The same for kube-proxy's nftables table (`nft -s list table ip kube-proxy`). */
  readonly nftLedger: IptablesLedger;
  /**
   * Namespaces whose links, addresses, routes and sysctls are known to hold their plan (a live change did not touch
   * them): nothing is read back; iptables-restore / nft -f run only when the text differs from the ledger's.
   */
  readonly netUnchanged?: ReadonlySet<string>;
  readonly concurrency?: number;
  readonly progress?: (msg: string) => void;
  readonly aborted?: () => boolean;
}

const PHASES = ['fabric', 'nodes and external host', 'pods'] as const;
const isIfKey = (k: string) => {
  const m = /^net\.ipv[46]\.(conf|neigh)\.([^.]+)\./.exec(k);
  return !!m && m[2] !== 'all' && m[2] !== 'default';
};

/** Global sysctls of fresh namespaces, written right after they are made (before any link exists). */
export async function initFresh(exec: Executor, plan: Plan, fresh: ReadonlySet<string>): Promise<number> {
  const items = plan.namespaces.filter((n) => fresh.has(n.netns)).map((n) => ({ netns: n.netns, write: n.sysctls.filter(([k]) => !isIfKey(k)) }));
  await sysctlBatch(exec, items);
  return items.reduce((a, i) => a + i.write.length, 0);
}

export interface ApplyResult {
  readonly changes: number;
  /** Namespaces read back from the kernel and diffed. */
  readonly readBack: number;
  /** Namespaces of `netUnchanged` whose rule sets were rewritten. */
  readonly rulesSynced: number;
}

/** Stops between phases when `aborted` turns true. */
export async function applyPlan(exec: Executor, plan: Plan, o: ApplyOptions): Promise<ApplyResult> {
  const k = openKernel(exec);
  try {
    return await applyPhases(k, plan, o);
  } finally {
    k.close();
  }
}

async function applyPhases(k: Kernel, plan: Plan, o: ApplyOptions): Promise<ApplyResult> {
  let changes = 0;
  let readBack = 0;
  let rulesSynced = 0;
  const limit = o.concurrency ?? 8;
  const pendingRules: Promise<void>[] = [];
  // Known to hold their plan but for the rule sets: what to write is decided from the ledgers alone.
  const known = new Map(plan.namespaces.filter((n) => !o.fresh.has(n.netns) && o.netUnchanged?.has(n.netns)).map((n) => [n.netns, rulesOps(n, o)]));
  const toRead = (ns: readonly NsState[]) => ns.map((n) => ({
    netns: n.netns, role: n.role, sysctls: n.sysctls.map(([key]) => key), fdb: n.role === 'node', iptables: n.iptables !== undefined, nftables: n.role === 'node',
  }));
  // Netlink path: the pods' read-back starts with the first phase's (it waits mostly on rule-set processes). Only
  // links made or removed by an earlier phase change a pod's namespace; then the pods are read again in their turn.
  const oldPods = plan.namespaces.filter((n) => n.phase === 2 && !o.fresh.has(n.netns) && !known.has(n.netns));
  const early = k.path === 'netlink' && oldPods.length ? k.observe(toRead(oldPods), limit) : undefined;
  early?.catch(() => undefined);
  let linksChanged = false;
  for (const phase of [0, 1, 2] as const) {
    if (o.aborted?.()) break;
    const group = plan.namespaces.filter((n) => n.phase === phase && (!known.has(n.netns) || opsCount(known.get(n.netns)!) > 0));
    if (!group.length) continue;
    o.progress?.(`${PHASES[phase]}: ${group.length} namespace(s)`);

    // Observe the namespaces that existed before this run (fresh ones are known to be empty).
    const old = group.filter((n) => !o.fresh.has(n.netns) && !known.has(n.netns));
    readBack += old.length;
    rulesSynced += group.filter((n) => known.has(n.netns)).length;
    const observed = phase === 2 && early && !linksChanged ? await early : await k.observe(toRead(old), limit);
    const ops = group.map((n) => {
      const rules = known.get(n.netns);
      if (rules) return { n, d: rules };
      const obs = observed.get(n.netns) ?? { ...EMPTY_OBSERVED, sysctls: Object.fromEntries(n.sysctls.filter(([k]) => !isIfKey(k))) };
      const d = diffNs(n, obs, o.fresh.has(n.netns));
      iptablesDecision(n, obs, d, o);
      nftablesDecision(n, obs, d, o);
      return { n, d };
    });
    if (ops.some(({ d }) => d.ip.some((l) => /^link (add|del) /.test(l)))) linksChanged = true;
    await k.sysctls(ops.map(({ n, d }) => ({ netns: n.netns, write: d.sysctlsBefore })));
    await mapLimit(ops, k.path === 'netlink' ? Math.max(limit, 32) : limit, async ({ n, d }) => k.run(n, d.ip, d.bridge));
    await k.sysctls(ops.map(({ n, d }) => ({ netns: n.netns, write: d.sysctlsAfter })));
    // Rule sets go while the next phases build: pods need the nodes' links, not their rules.
    const rules = applyRules(k, ops, o.ledger, o.nftLedger, limit);
    rules.catch(() => undefined);
    pendingRules.push(rules);
    changes += ops.reduce((a, { d }) => a + opsCount(d), 0);
  }
  await Promise.all(pendingRules);
  await early?.catch(() => undefined); // read early but not used (links changed): let it finish before the session closes
  return { changes, readBack, rulesSynced };
}

/** Rule sets only, decided from the ledger (what we last applied) without reading the kernel. */
function rulesOps(n: NsState, o: ApplyOptions): Ops {
  const d = emptyOps(n.netns);
  if (n.iptables && o.ledger[n.netns]?.want !== shortHash(n.iptables, 16)) d.iptables = n.iptables;
  if (n.nftables && o.nftLedger[n.netns]?.want !== shortHash(n.nftables, 16)) d.nftables = n.nftables;
  else if (!n.nftables && o.nftLedger[n.netns]) d.nftables = NFT_DELETE;
  return d;
}

function iptablesDecision(n: NsState, obs: Observed, d: Ops, o: ApplyOptions): void {
  if (!n.iptables) return;
  const want = shortHash(n.iptables, 16);
  const st = o.ledger[n.netns];
  const saved = obs.iptablesSave !== undefined ? shortHash(obs.iptablesSave, 16) : '';
  d.iptables = o.fresh.has(n.netns) || !st || st.want !== want || st.saved !== saved ? n.iptables : undefined;
}

function nftablesDecision(n: NsState, obs: Observed, d: Ops, o: ApplyOptions): void {
  if (n.nftables) {
    const want = shortHash(n.nftables, 16);
    const st = o.nftLedger[n.netns];
    const saved = obs.nftList !== undefined ? shortHash(obs.nftList, 16) : '';
    d.nftables = o.fresh.has(n.netns) || !st || st.want !== want || st.saved !== saved ? n.nftables : undefined;
  } else if (obs.nftList) {
    d.nftables = NFT_DELETE; // switched back to iptables mode: kube-proxy's nftables table goes
  }
}

/** iptables-restore / nft -f where the diff wants them, then the ledgers from what the kernel holds right after. */
async function applyRules(k: Kernel, ops: readonly { n: NsState; d: Ops }[], ledger: IptablesLedger, nftLedger: IptablesLedger, limit: number): Promise<void> {
  const jobs = ops.filter(({ d }) => d.iptables || d.nftables).map(({ n, d }) => ({
    netns: n.netns, iptablesRestore: d.iptables, iptablesSave: !!d.iptables, nft: d.nftables, nftList: !!d.nftables && d.nftables !== NFT_DELETE,
  }));
  if (!jobs.length) return;
  const res = await k.rules(jobs, limit);
  const errors: Error[] = [];
  for (const j of jobs) {
    const r = res.get(j.netns)!;
    const restore = r.get('iptables-restore');
    if (restore && restore.code !== 0) errors.push(stepError(j.netns, 'iptables-restore', restore));
    else if (j.iptablesRestore) ledger[j.netns] = { want: shortHash(j.iptablesRestore, 16), saved: shortHash(normalizeIptablesSave(r.get('iptables-save')?.out ?? ''), 16) };
    if (j.nft === NFT_DELETE) delete nftLedger[j.netns];
    else if (j.nft) {
      const nft = r.get('nft')!;
      if (nft.code !== 0) errors.push(stepError(j.netns, 'nft', nft));
      else nftLedger[j.netns] = { want: shortHash(j.nft, 16), saved: shortHash(normalizeNft(r.get('nft-list')?.out ?? ''), 16) };
    }
  }
  if (errors.length) throw errors[0]!;
}
