// Which executor runs the plan's iproute2 lines, and reads namespaces back. The lines stay the readable form
// (`podlab plan` prints them); this module decides what runs them:
//  - netlink (default where the `netlink` and `koffi` packages load and we are root): every namespace through a
//    socket of its own opened in-process (kernel/netlink/), sysctls in the same visit — no process per namespace;
//  - iproute2 (`PODLAB_KERNEL=iproute2`, or where netlink cannot load): `ip -batch` / `bridge -batch` and
//    `ip -j -d -batch` read-backs, one process per namespace, sysctls through nsctl.py.
// Rule sets (iptables-restore, nft -f) run as processes either way.
import type { NsState } from '../dataplane/types.js';
import type { Observed } from './ops.js';
import { CommandError, inNs, trace, TRACE, type Executor } from './exec.js';
import { observeNs, normalizeIptablesSave as normalizeIpt, normalizeNft as normalizeNftText } from './observe.js';
import { pySysctlBatch, type SysctlItem } from './sysctl.js';
import { canSetns } from './netlink/netns.js';
import { runRuleSets, STEP_ARGV, type RuleSetJob, type RuleStep, type StepResult } from './rulesets.js';
import { netlinkLoads } from './netlink/socket.js';
import { NetlinkSession } from './netlink/session.js';

export type KernelPath = 'netlink' | 'iproute2';

let decided: { path: KernelPath; why: string } | undefined;

/** PODLAB_KERNEL=iproute2|netlink forces a path; otherwise netlink where it works here. */
export function kernelPath(): { path: KernelPath; why: string } {
  if (decided) return decided;
  const want = process.env.PODLAB_KERNEL;
  if (want && want !== 'netlink' && want !== 'iproute2') throw new Error(`PODLAB_KERNEL=${want}: say netlink or iproute2`);
  if (want === 'iproute2') return (decided = { path: 'iproute2', why: 'PODLAB_KERNEL=iproute2' });
  const missing = process.getuid?.() !== 0 ? 'not root' : netlinkLoads() ?? canSetns();
  if (want === 'netlink' && missing) throw new Error(`PODLAB_KERNEL=netlink, but ${missing}`);
  return (decided = missing ? { path: 'iproute2', why: missing } : { path: 'netlink', why: want ? 'PODLAB_KERNEL=netlink' : 'default' });
}

/**
 * Namespaces whose batches netlink runs when the path is netlink. All of them: measured on this machine (bench:
 * `node scripts/bench-backend.mjs`), one node's 250-line batch through netlink costs no more than one `ip -batch`
 * process, and the pod phase is many times faster.
 */
const NETLINK_ROLES: ReadonlySet<NsState['role']> = new Set(['fabric', 'node', 'ext', 'pod', 'host']);

export interface ObserveItem {
  readonly netns: string;
  readonly role: NsState['role'];
  readonly sysctls: readonly string[];
  readonly fdb: boolean;
  readonly iptables: boolean;
  readonly nftables: boolean;
}

export interface Kernel {
  readonly path: KernelPath;
  /** Reads namespaces back (with their sysctls, and rule sets where asked). */
  observe(items: readonly ObserveItem[], limit: number): Promise<Map<string, Observed>>;
  /** Sysctl writes (and reads) of many namespaces. */
  sysctls(items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>>;
  /** Runs one namespace's ip and bridge lines. */
  run(n: Pick<NsState, 'netns' | 'role'>, ip: readonly string[], bridge: readonly string[]): Promise<void>;
  /** Rule sets of many namespaces, and their read-backs: per namespace, per step, the exit code and output. */
  rules(jobs: readonly RuleSetJob[], limit: number): Promise<Map<string, Map<RuleStep, StepResult>>>;
  close(): void;
}

/** Each step as its own process in its namespace (the iproute2 path: as podlab always did). */
async function rulesPerProcess(exec: Executor, jobs: readonly RuleSetJob[], limit: number): Promise<Map<string, Map<RuleStep, StepResult>>> {
  const out = new Map<string, Map<RuleStep, StepResult>>();
  await eachLimit(jobs, limit, async (j) => {
    const res = new Map<RuleStep, StepResult>();
    const step = async (s: RuleStep, input?: string) => {
      const r = await exec.run(STEP_ARGV[s], inNs(j.netns), { input, timeoutMs: 120_000 });
      res.set(s, { code: r.code, out: s === 'iptables-save' || s === 'nft-list' ? r.stdout : r.stderr || r.stdout });
    };
    if (j.iptablesRestore !== undefined) await step('iptables-restore', j.iptablesRestore);
    if (j.iptablesSave && (res.get('iptables-restore')?.code ?? 0) === 0) await step('iptables-save');
    if (j.nft === 'delete') await step('nft-delete');
    else if (j.nft !== undefined) await step('nft', j.nft);
    if (j.nftList && (res.get('nft')?.code ?? 0) === 0) await step('nft-list');
    out.set(j.netns, res);
  });
  return out;
}

async function eachLimit<T>(items: readonly T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}

class Iproute2Kernel implements Kernel {
  readonly path = 'iproute2' as const;
  constructor(private readonly exec: Executor) {}
  async observe(items: readonly ObserveItem[], limit: number): Promise<Map<string, Observed>> {
    const sys = await pySysctlBatch(this.exec, items.map((n) => ({ netns: n.netns, read: n.sysctls })));
    const out = new Map<string, Observed>();
    await eachLimit(items, limit, async (n) => {
      out.set(n.netns, await observeNs(this.exec, n.netns, sys.get(n.netns) ?? {}, { fdb: n.fdb, iptables: n.iptables, nftables: n.nftables }));
    });
    return out;
  }
  sysctls(items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
    return pySysctlBatch(this.exec, items);
  }
  async run(n: Pick<NsState, 'netns'>, ip: readonly string[], bridge: readonly string[]): Promise<void> {
    await iproute2Run(this.exec, n.netns, ip, bridge);
  }
  rules(jobs: readonly RuleSetJob[], limit: number): Promise<Map<string, Map<RuleStep, StepResult>>> {
    return rulesPerProcess(this.exec, jobs, limit);
  }
  close(): void {}
}

async function iproute2Run(exec: Executor, netns: string, ip: readonly string[], bridge: readonly string[]): Promise<void> {
  const place = inNs(netns);
  const run = async (argv: string[], lines: readonly string[], what: string) => {
    const r = await exec.run(argv, place, { input: lines.join('\n') + '\n', timeoutMs: 120_000 });
    if (r.code !== 0) throw new CommandError(r, `${what} in ${netns}`);
  };
  if (ip.length) await run(['ip', '-batch', '-'], ip, 'ip -batch');
  if (bridge.length) await run(['bridge', '-batch', '-'], bridge, 'bridge -batch');
}

/** Namespaces read back through netlink at once (each holds one socket and one dump at a time). */
const READ_WIDTH = 64;

class NetlinkKernel implements Kernel {
  readonly path = 'netlink' as const;
  private readonly s = new NetlinkSession();
  constructor(private readonly exec: Executor) {}

  async observe(items: readonly ObserveItem[], limit: number): Promise<Map<string, Observed>> {
    const out = new Map<string, Observed>();
    const viaIp = items.filter((n) => !NETLINK_ROLES.has(n.role));
    if (viaIp.length) for (const [k, v] of await new Iproute2Kernel(this.exec).observe(viaIp, limit)) out.set(k, v);
    const mine = items.filter((n) => NETLINK_ROLES.has(n.role));
    // The rule sets' read-backs in one process, while the netlink reads run.
    const reads = this.rules(mine.filter((n) => n.iptables || n.nftables).map((n) => ({ netns: n.netns, iptablesSave: n.iptables, nftList: n.nftables })));
    reads.catch(() => undefined);
    const nl = new Map<string, Observed>();
    await eachLimit(mine, READ_WIDTH, async (n) => {
      const t0 = performance.now();
      try {
        nl.set(n.netns, await this.s.observe(n.netns, n.sysctls, { fdb: n.fdb }));
      } catch (e) {
        throw new Error(`reading the state of ${n.netns} through netlink: ${(e as Error).message}`);
      } finally {
        if (TRACE) trace(t0, performance.now() - t0, 'netlink', 'read back links, addresses, routes, neighbours, rules' + (n.fdb ? ', fdb' : '') + (n.sysctls.length ? `, ${n.sysctls.length} sysctls` : ''), n.netns);
      }
    });
    const rs = await reads;
    for (const n of mine) {
      const r = rs.get(n.netns);
      const i = r?.get('iptables-save');
      const f = r?.get('nft-list');
      out.set(n.netns, {
        ...nl.get(n.netns)!,
        iptablesSave: n.iptables ? (i && i.code === 0 ? normalizeIpt(i.out) : '') : undefined,
        nftList: n.nftables ? (f && f.code === 0 ? normalizeNftText(f.out) : '') : undefined,
      });
    }
    return out;
  }

  rules(jobs: readonly RuleSetJob[]): Promise<Map<string, Map<RuleStep, StepResult>>> {
    return runRuleSets(this.exec, jobs);
  }

  async sysctls(items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
    return netlinkSysctls(this.s, items);
  }

  async run(n: Pick<NsState, 'netns' | 'role'>, ip: readonly string[], bridge: readonly string[]): Promise<void> {
    if (!NETLINK_ROLES.has(n.role)) return iproute2Run(this.exec, n.netns, ip, bridge);
    if (!ip.length && !bridge.length) return;
    const t0 = performance.now();
    let ok = false;
    try {
      await this.s.run(n.netns, ip, bridge);
      ok = true;
    } finally {
      if (TRACE) trace(t0, performance.now() - t0, ok ? 'netlink ok' : 'netlink failed', `${ip.length + bridge.length} line(s): ${[...ip, ...bridge.map((b) => `bridge ${b}`)].slice(0, 3).join('; ')}${ip.length + bridge.length > 3 ? '; …' : ''}`, n.netns);
    }
  }

  close(): void {
    this.s.close();
  }
}

/** In-process sysctls (and unlink) through a session: what nsctl.py does, without the process. */
export async function netlinkSysctls(s: NetlinkSession, items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
  const errors: string[] = [];
  for (const i of items) if (i.unlink) errors.push(...(await s.unlink(i.netns)));
  if (errors.length) throw new Error(`sysctl failed:\n  ${errors.slice(0, 10).join('\n  ')}`);
  const t0 = performance.now();
  const todo = items.filter((i) => (i.write?.length ?? 0) + (i.read?.length ?? 0) > 0);
  const out = s.sysctls(todo);
  if (todo.length) trace(t0, performance.now() - t0, 'in-process', `sysctls of ${todo.length} namespace(s)`);
  return out;
}

/** The kernel for one pass (an `up`): close it when the pass ends. */
export function openKernel(exec: Executor): Kernel {
  return kernelPath().path === 'netlink' ? new NetlinkKernel(exec) : new Iproute2Kernel(exec);
}
