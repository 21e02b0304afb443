// Apply a plan: observe → diff → do only what is missing. Namespaces go in phases (fabric, then nodes and
// the external host, then pods); within a phase they run concurrently. Per namespace: one `ip -n … -batch`,
// plus `bridge -batch` and one iptables-restore where needed; sysctls of a whole phase in one process.
import type { NsState, Plan } from '../dataplane/types.js';
import { diffNs, emptyOps, opsCount, iptablesWant, EMPTY_OBSERVED, NFT_DELETE, NFT_DELETE_SCRIPT, type Observed, type Ops } from './ops.js';
import { observeNs, normalizeIptablesSave, normalizeNft, NFT_LIST_ARGV } from './observe.js';
import { ipsetNames } from '../dataplane/policy/index.js';
import { CommandError, inNs, mapLimit, type Executor } from './exec.js';
import { sysctlBatch } from './sysctl.js';
import { shortHash } from '../net/hash.js';

/**
 * Per namespace: hash of the iptables-restore input applied (with the ipsets it names) and of iptables-save right
 * after; `sets`: IP sets were applied there (so they are destroyed once no rule needs them).
 */
export type IptablesLedger = Record<string, { want: string; saved: string; sets?: boolean }>;

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
  let changes = 0;
  let readBack = 0;
  let rulesSynced = 0;
  const limit = o.concurrency ?? 8;
  // Known to hold their plan but for the rule sets: what to write is decided from the ledgers alone.
  const known = new Map(plan.namespaces.filter((n) => !o.fresh.has(n.netns) && o.netUnchanged?.has(n.netns)).map((n) => [n.netns, rulesOps(n, o)]));
  for (const phase of [0, 1, 2] as const) {
    if (o.aborted?.()) break;
    const group = plan.namespaces.filter((n) => n.phase === phase && (!known.has(n.netns) || opsCount(known.get(n.netns)!) > 0));
    if (!group.length) continue;
    o.progress?.(`${PHASES[phase]}: ${group.length} namespace(s)`);

    // Observe the namespaces that existed before this run (fresh ones are known to be empty).
    const old = group.filter((n) => !o.fresh.has(n.netns) && !known.has(n.netns));
    readBack += old.length;
    rulesSynced += group.filter((n) => known.has(n.netns)).length;
    const sys = await sysctlBatch(exec, old.map((n) => ({ netns: n.netns, read: n.sysctls.map(([k]) => k) })));
    const observed = new Map<string, Observed>();
    await mapLimit(old, limit, async (n) => {
      observed.set(n.netns, await observeNs(exec, n.netns, sys.get(n.netns) ?? {}, { fdb: n.role === 'node', iptables: n.iptables !== undefined, nftables: n.role === 'node' }));
    });
    const ops = group.map((n) => {
      const rules = known.get(n.netns);
      if (rules) return { n, d: rules };
      const obs = observed.get(n.netns) ?? { ...EMPTY_OBSERVED, sysctls: Object.fromEntries(n.sysctls.filter(([k]) => !isIfKey(k))) };
      const d = diffNs(n, obs, o.fresh.has(n.netns));
      iptablesDecision(n, obs, d, o);
      nftablesDecision(n, obs, d, o);
      return { n, d };
    });
    await sysctlBatch(exec, ops.map(({ n, d }) => ({ netns: n.netns, write: d.sysctlsBefore })));
    await mapLimit(ops, limit, async ({ n, d }) => applyOps(exec, n, d, o.ledger, o.nftLedger));
    await sysctlBatch(exec, ops.map(({ n, d }) => ({ netns: n.netns, write: d.sysctlsAfter })));
    changes += ops.reduce((a, { d }) => a + opsCount(d), 0);
  }
  return { changes, readBack, rulesSynced };
}

/** Rule sets only, decided from the ledger (what we last applied) without reading the kernel. */
function rulesOps(n: NsState, o: ApplyOptions): Ops {
  const d = emptyOps(n.netns);
  const ipt = iptablesWant(n);
  if (n.iptables && ipt && o.ledger[n.netns]?.want !== shortHash(ipt, 16)) {
    d.iptables = n.iptables;
    if (n.ipsets) d.ipsets = n.ipsets;
  }
  if (n.nftables && o.nftLedger[n.netns]?.want !== shortHash(n.nftables, 16)) d.nftables = n.nftables;
  else if (!n.nftables && o.nftLedger[n.netns]) d.nftables = NFT_DELETE;
  return d;
}

function iptablesDecision(n: NsState, obs: Observed, d: Ops, o: ApplyOptions): void {
  if (!n.iptables) return;
  const want = shortHash(iptablesWant(n)!, 16);
  const st = o.ledger[n.netns];
  const saved = obs.iptablesSave !== undefined ? shortHash(obs.iptablesSave, 16) : '';
  d.iptables = o.fresh.has(n.netns) || !st || st.want !== want || st.saved !== saved ? n.iptables : undefined;
  d.ipsets = d.iptables && n.ipsets ? n.ipsets : undefined;
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

async function applyOps(exec: Executor, n: NsState, d: Ops, ledger: IptablesLedger, nftLedger: IptablesLedger): Promise<void> {
  const place = inNs(n.netns);
  const run = async (argv: string[], input: string, what: string) => {
    const r = await exec.run(argv, place, { input, timeoutMs: 120_000 });
    if (r.code !== 0) throw new CommandError(r, `${what} in ${n.netns}`);
  };
  if (d.ip.length) await run(['ip', '-batch', '-'], d.ip.join('\n') + '\n', 'ip -batch');
  if (d.bridge.length) await run(['bridge', '-batch', '-'], d.bridge.join('\n') + '\n', 'bridge -batch');
  if (d.iptables) {
    // IP sets first (rules name them), swapped in whole; then the rules; then sets no rule names any more go.
    if (d.ipsets) await run(['ipset', 'restore'], d.ipsets, 'ipset restore');
    await run(['iptables-restore', '-w', '5'], d.iptables, 'iptables-restore');
    const keep = ipsetNames(d.ipsets);
    if (keep.length || ledger[n.netns]?.sets) {
      const script = 'keep=" $1 "; for s in $(ipset list -n); do case "$keep" in *" $s "*) ;; *) ipset destroy "$s" || exit 1 ;; esac; done';
      await run(['sh', '-c', script, 'sh', keep.join(' ')], '', 'ipset destroy (sets no rule names)');
    }
    const s = await exec.run(['iptables-save'], place);
    ledger[n.netns] = { want: shortHash(iptablesWant({ iptables: d.iptables, ipsets: d.ipsets })!, 16), saved: shortHash(normalizeIptablesSave(s.stdout), 16), ...(keep.length ? { sets: true } : {}) };
  }
  if (d.nftables === NFT_DELETE) {
    await exec.run(['nft', '-f', '-'], place, { input: NFT_DELETE_SCRIPT });
    delete nftLedger[n.netns];
  } else if (d.nftables) {
    await run(['nft', '-f', '-'], d.nftables, 'nft -f');
    const s = await exec.run(NFT_LIST_ARGV, place);
    nftLedger[n.netns] = { want: shortHash(d.nftables, 16), saved: shortHash(normalizeNft(s.stdout), 16) };
  }
}
