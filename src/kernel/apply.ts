// Apply a plan: observe → diff → do only what is missing. Namespaces go in phases (fabric, then nodes and
// the external host, then pods); within a phase they run concurrently. Per namespace: its ip and bridge lines
// (through the executor's in-process netlink session, or `ip -batch` / `bridge -batch`: kernel/backend.ts decides),
// plus one write per rule set where needed; sysctls of a whole phase in one pass.
import { rulesetKey, type NsState, type Plan } from '../dataplane/types.js';
import { diffNs, emptyOps, opsCount, EMPTY_OBSERVED, type Observed, type Ops, type RuleWrite } from './ops.js';
import { readRuleset } from './observe.js';
import { CommandError, inNs, mapLimit, type Executor } from './exec.js';
import { nsctlBatch, sysctlBatch, type SysctlItem } from './sysctl.js';
import { openKernel, type Kernel } from './backend.js';
import { shortHash } from '../net/hash.js';
import { describeOps, type Change } from './changes.js';
import { partialRestore } from './partial.js';
import { ipsetNames } from '../dataplane/policy/index.js';

/** Per namespace, per rule set (its ledger key): hash of the text applied and of the read-back right after. */
export type RuleLedger = Record<string, Record<string, { want: string; saved: string }>>;

export interface ApplyOptions {
  readonly fresh: ReadonlySet<string>;
  /** Updated in place as rule sets are written. */
  readonly ledger: RuleLedger;
  /**
   * Namespaces whose links, addresses, routes and sysctls are known to hold their plan (a live change did not touch
   * them): nothing is read back; a rule set is written only when its text differs from the ledger's.
   */
  readonly netUnchanged?: ReadonlySet<string>;
  readonly concurrency?: number;
  readonly progress?: (msg: string) => void;
  readonly aborted?: () => boolean;
  /** The texts last written, per "netns|key" (kept by the daemon): a changed iptables rule set is written as a partial restore. */
  readonly texts?: Map<string, string>;
}

const PHASES = ['fabric', 'nodes and external host', 'pods'] as const;
const isIfKey = (k: string) => {
  const m = /^net\.ipv[46]\.(conf|neigh)\.([^.]+)\./.exec(k);
  return !!m && m[2] !== 'all' && m[2] !== 'default';
};
const hash = (text: string) => shortHash(text, 16);

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
  /** What was changed, per namespace and object (what the daemon logs as repairs). */
  readonly changed: readonly Change[];
}

/** Rule sets to read back in a namespace: the wanted ones, those the ledger says we wrote, and those that must be absent. */
export function rulesetKeysToRead(n: NsState, ledger: RuleLedger): string[] {
  return [...new Set([...n.rulesets.map(rulesetKey), ...Object.keys(ledger[n.netns] ?? {}), ...(n.absentRulesets ?? [])])];
}

/** Stops between phases when `aborted` turns true. */
export async function applyPlan(exec: Executor, plan: Plan, o: ApplyOptions): Promise<ApplyResult> {
  const k = openKernel(exec);
  try {
    return await applyPhases(exec, k, plan, o);
  } finally {
    k.close();
  }
}

async function applyPhases(exec: Executor, k: Kernel, plan: Plan, o: ApplyOptions): Promise<ApplyResult> {
  let changes = 0;
  let readBack = 0;
  let rulesSynced = 0;
  const changed: Change[] = [];
  const limit = o.concurrency ?? 8;
  // Known to hold their plan but for the rule sets: what to write is decided from the ledger alone.
  const known = new Map(plan.namespaces.filter((n) => !o.fresh.has(n.netns) && o.netUnchanged?.has(n.netns)).map((n) => [n.netns, rulesOps(n, o.ledger, o.texts)]));
  for (const n of plan.namespaces) if (o.fresh.has(n.netns)) for (const t of [...(o.texts?.keys() ?? [])]) if (t.startsWith(`${n.netns}|`)) o.texts!.delete(t);
  const toRead = (ns: readonly NsState[]) => ns.map((n) => ({ netns: n.netns, sysctls: n.sysctls.map(([key]) => key), fdb: n.role === 'node', rulesets: rulesetKeysToRead(n, o.ledger) }));
  // With a session: the pods' read-back starts with the first phase's (that phase waits mostly on rule-set processes).
  // Only links made or removed by an earlier phase change a pod's namespace; then the pods are read again in their turn.
  const oldPods = plan.namespaces.filter((n) => n.phase === 2 && !o.fresh.has(n.netns) && !known.has(n.netns));
  const early = k.inProcess && oldPods.length ? k.observe(toRead(oldPods), limit) : undefined;
  early?.catch(() => undefined);
  let linksChanged = false;
  const wired: Wired[] = [];
  for (const phase of [0, 1, 2] as const) {
    if (o.aborted?.()) break;
    const group = plan.namespaces.filter((n) => n.phase === phase && (!known.has(n.netns) || opsCount(known.get(n.netns)!) > 0));
    if (!group.length) continue;
    o.progress?.(`${PHASES[phase]}: ${group.length} namespace(s)`);

    // Observe the namespaces that existed before this run (fresh ones are known to be empty).
    const old = group.filter((n) => !o.fresh.has(n.netns) && !known.has(n.netns));
    readBack += old.length;
    rulesSynced += group.filter((n) => known.has(n.netns)).length;
    let observed: Map<string, Observed> = phase === 2 && early && !linksChanged ? await early : await k.observe(toRead(old), limit);
    // A veth end made by an earlier phase's namespace is missing here while that namespace still has its own end:
    // this namespace was made again after an earlier run was cut short (or its first wiring failed), and the other
    // end is an orphan whose peer lives on in the deleted namespace. Replace it now, as if this namespace were new.
    const lacking = new Set(old.filter((n) => n.links.some((l) => l.foreign && l.kind === 'veth' && !observed.get(n.netns)?.links.some((x) => x.name === l.name))).map((n) => n.netns));
    if (lacking.size) {
      const r = await rewire(exec, k, plan, lacking, o, limit);
      changes += r.changes;
      changed.push(...r.changed);
      wired.push(...r.wired);
      observed = new Map([...observed, ...(await k.observe(toRead(old.filter((n) => lacking.has(n.netns))), limit))]);
      linksChanged = true;
    }
    const ops = group.map((n) => {
      const rules = known.get(n.netns);
      if (rules) return { n, d: rules };
      const obs = observed.get(n.netns) ?? { ...EMPTY_OBSERVED, sysctls: Object.fromEntries(n.sysctls.filter(([k]) => !isIfKey(k))) };
      const fresh = o.fresh.has(n.netns);
      const d = diffNs(n, obs, fresh, o.fresh);
      if (!fresh) d.rulesets.push(...rulesDecision(n, obs, o.ledger, o.texts));
      return { n, d };
    });
    if (ops.some(({ d }) => d.ip.some((l) => /^link (add|del) /.test(l)))) linksChanged = true;
    await k.sysctls(ops.map(({ n, d }) => ({ netns: n.netns, write: d.sysctlsBefore })));
    await mapLimit(ops, k.inProcess ? Math.max(limit, 32) : limit, async ({ n, d }) => applyOps(exec, k, n, d, o.ledger, o.texts));
    await k.sysctls(ops.map(({ n, d }) => ({ netns: n.netns, write: d.sysctlsAfter })));
    changes += ops.reduce((a, { d }) => a + opsCount(d), 0);
    for (const { n, d } of ops) if (!o.fresh.has(n.netns)) changed.push(...describeOps(d));
    wired.push(...ops.flatMap(({ n, d }) => bridgedPods(n, d)));
  }
  await early?.catch(() => undefined); // read early but not used (links changed): let it end before the session closes
  // A node made in this run has no neighbour entries to be stale, nor have its pods: nothing to announce.
  if (!o.aborted?.()) await announce(exec, plan, wired.filter((w) => !o.fresh.has(w.node)));
  return { changes, readBack, rulesSynced, changed };
}

interface Wired {
  readonly node: string;
  readonly bridge: string;
  readonly pod: string;
}

/** The pods this run wired anew into a bridge of node namespace n (their host veth was created). */
function bridgedPods(n: NsState, d: Ops): Wired[] {
  return n.links
    .filter((l) => l.kind === 'veth' && l.master && l.peer && d.ip.some((x) => x.startsWith(`link add name ${l.name} `)))
    .map((l) => ({ node: n.netns, bridge: l.master!, pod: l.peer!.netns }));
}

/**
 * A pod wired anew into a bridge may have an address a deleted pod had (host-local's range came round): the node's
 * neighbour table still maps it to the old MAC, and traffic to the new pod went to nobody until ARP gave up on the
 * stale entry (~8 s). As the CNI bridge plugin does, the pod announces itself with a gratuitous ARP (which updates
 * the entries its bridge neighbours hold), and the node's entry on the bridge is forgotten first. One nsctl.py run.
 */
async function announce(exec: Executor, plan: Plan, wired: readonly Wired[]): Promise<void> {
  if (!wired.length) return;
  const byNs = new Map(plan.namespaces.map((n) => [n.netns, n]));
  const ipOf = (pod: string) => byNs.get(pod)?.addrs.find((a) => a.dev === 'eth0')?.cidr.split('/')[0];
  const forget = new Map<string, [string, string][]>();
  const garp: SysctlItem[] = [];
  for (const w of wired) {
    const ip = ipOf(w.pod);
    if (!ip) continue;
    forget.set(w.node, [...(forget.get(w.node) ?? []), [w.bridge, ip]]);
    garp.push({ netns: w.pod, garp: [['eth0', ip]] });
  }
  await nsctlBatch(exec, [...[...forget].map(([netns, f]) => ({ netns, forget: f })), ...garp]);
}

/** Makes again, from the namespaces that create them, the veths whose far end in `lacking` is missing (and what lives on them). */
async function rewire(exec: Executor, k: Kernel, plan: Plan, lacking: ReadonlySet<string>, o: ApplyOptions, limit: number): Promise<{ changes: number; changed: Change[]; wired: Wired[] }> {
  const creators = plan.namespaces.filter((n) => n.links.some((l) => l.kind === 'veth' && l.peer && lacking.has(l.peer.netns)));
  const peers = new Set([...o.fresh, ...lacking]);
  const observed = await k.observe(creators.filter((n) => !o.fresh.has(n.netns)).map((n) => ({ netns: n.netns, sysctls: n.sysctls.map(([key]) => key), fdb: n.role === 'node', rulesets: [] })), limit);
  const ops = creators.map((n) => ({ n, d: diffNs(n, observed.get(n.netns) ?? EMPTY_OBSERVED, false, peers) }));
  await k.sysctls(ops.map(({ n, d }) => ({ netns: n.netns, write: d.sysctlsBefore })));
  await mapLimit(ops, limit, async ({ n, d }) => applyOps(exec, k, n, d, o.ledger, o.texts));
  await k.sysctls(ops.map(({ n, d }) => ({ netns: n.netns, write: d.sysctlsAfter })));
  return { changes: ops.reduce((a, { d }) => a + opsCount(d), 0), changed: ops.flatMap(({ d }) => describeOps(d)), wired: ops.flatMap(({ n, d }) => bridgedPods(n, d)) };
}

/** Rule sets only, decided from the ledger (what we last applied) without reading the kernel. */
function rulesOps(n: NsState, ledger: RuleLedger, texts?: Map<string, string>): Ops {
  const d = emptyOps(n.netns);
  const mine = ledger[n.netns] ?? {};
  const wanted = new Set<string>();
  for (const r of n.rulesets) {
    const key = rulesetKey(r);
    wanted.add(key);
    if (mine[key]?.want !== hash(r.text)) d.rulesets.push({ engine: r.engine, table: r.table, key, text: r.text, since: knownText(n.netns, key, mine[key]?.want, texts) });
  }
  for (const key of Object.keys(mine)) if (!wanted.has(key) && key !== 'iptables') d.rulesets.push(deletion(key));
  return d;
}

/** The text we last wrote, when the ledger says the kernel got exactly it. */
function knownText(netns: string, key: string, want: string | undefined, texts?: Map<string, string>): string | undefined {
  const t = texts?.get(`${netns}|${key}`);
  return t !== undefined && want !== undefined && hash(t) === want ? t : undefined;
}

function deletion(key: string): RuleWrite {
  if (key === 'ipset') return { engine: 'ipset', key, delete: true };
  return { engine: 'nftables', table: key.slice('nftables '.length), key, delete: true };
}

/** Against what the kernel holds: write a rule set that differs from what we wrote or that drifted since; remove leftovers. */
function rulesDecision(n: NsState, obs: Observed, ledger: RuleLedger, texts?: Map<string, string>): RuleWrite[] {
  const out: RuleWrite[] = [];
  const mine = ledger[n.netns] ?? {};
  const wanted = new Set<string>();
  for (const r of n.rulesets) {
    const key = rulesetKey(r);
    wanted.add(key);
    const st = mine[key];
    const saved = obs.rulesets?.[key] !== undefined ? hash(obs.rulesets[key]!) : '';
    // Drifted (what the kernel holds is not what we read back after writing): write it whole.
    if (!st || st.want !== hash(r.text) || st.saved !== saved) out.push({ engine: r.engine, table: r.table, key, text: r.text, since: st?.saved === saved ? knownText(n.netns, key, st?.want, texts) : undefined });
  }
  for (const key of Object.keys(obs.rulesets ?? {})) {
    if (wanted.has(key) || key === 'iptables') continue;
    if (obs.rulesets![key]) out.push(deletion(key));
    else if (mine[key]) delete mine[key];
  }
  return out;
}

async function applyOps(exec: Executor, k: Kernel, n: NsState, d: Ops, ledger: RuleLedger, texts?: Map<string, string>): Promise<void> {
  const place = inNs(n.netns, exec.host);
  const run = async (argv: string[], input: string, what: string) => {
    const r = await exec.run(argv, place, { input, timeoutMs: 120_000 });
    if (r.code !== 0) throw new CommandError(r, `${what} in ${n.netns}`);
  };
  await k.run(n.netns, d.ip, d.bridge);
  const mine = (ledger[n.netns] ??= {});
  let ipsets = false;
  for (const r of d.rulesets) {
    if (r.engine === 'ipset') {
      // IP sets go before the rules that name them (the plan lists them first), each filled under a temporary name
      // and swapped in; sets no rule names any more are destroyed once iptables no longer refers to them (below).
      ipsets = true;
      if (r.delete) {
        delete mine[r.key];
        texts?.delete(`${n.netns}|${r.key}`);
      } else {
        await run(['ipset', 'restore'], r.text!, 'ipset restore');
        texts?.set(`${n.netns}|${r.key}`, r.text!);
        mine[r.key] = { want: hash(r.text!), saved: '' };
      }
      continue;
    }
    if (r.delete) {
      await exec.run(['nft', 'delete', 'table', ...r.table!.split(' ')], place);
      delete mine[r.key];
      texts?.delete(`${n.netns}|${r.key}`);
      continue;
    }
    const partial = r.engine === 'iptables' && r.since !== undefined ? partialRestore(r.since, r.text!) : undefined;
    if (partial) {
      if (partial.text) await run(['iptables-restore', '-w', '5', '--noflush'], partial.text, 'iptables-restore --noflush');
    } else if (r.engine === 'iptables') await run(['iptables-restore', '-w', '5'], r.text!, 'iptables-restore');
    else await run(['nft', '-f', '-'], r.text!, 'nft -f');
    texts?.set(`${n.netns}|${r.key}`, r.text!);
    mine[r.key] = { want: hash(r.text!), saved: hash(await readRuleset(exec, n.netns, r.key)) };
  }
  if (ipsets) {
    const keep = new Set(ipsetNames(n.rulesets.find((r) => r.engine === 'ipset')?.text));
    const list = await exec.run(['ipset', 'list', '-n'], place);
    if (list.code !== 0) throw new CommandError(list, `ipset list in ${n.netns}`);
    const gone = list.stdout.split('\n').map((l) => l.trim()).filter((s) => s && !keep.has(s));
    if (gone.length) await run(['ipset', 'restore'], gone.map((s) => `destroy ${s}\n`).join(''), 'ipset destroy (sets no rule names)');
    if (mine.ipset) mine.ipset = { want: mine.ipset.want, saved: hash(await readRuleset(exec, n.netns, 'ipset')) };
  }
  if (Object.keys(mine).length === 0) delete ledger[n.netns];
}
