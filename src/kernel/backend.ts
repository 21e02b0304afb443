// Which path runs the plan's iproute2 lines and reads namespaces back. The lines stay the readable form (`podlab
// plan` prints them); this module decides what runs them:
//  - in-process (where the executor hands out a session: LocalExecutor as root where the `netlink` and `koffi`
//    packages load): every namespace through a socket of its own (kernel/netlink/), sysctls in the same visit —
//    no process per namespace;
//  - iproute2 (`PODLAB_KERNEL=iproute2`, a host without netlink, the FakeExecutor): `ip -batch` / `bridge -batch`
//    and `ip -j -d -batch` read-backs, one process per namespace, sysctls through nsctl.py.
// Rule sets (iptables-restore, nft -f, and their read-backs) run as processes either way.
import type { Observed } from './ops.js';
import { CommandError, inNs, mapLimit, trace, TRACE, type Executor, type KernelSession } from './exec.js';
import { observeNs, readRuleset } from './observe.js';
import { pySysctlBatch, sessionSysctls, type SysctlItem } from './sysctl.js';
import { canSetns } from './netlink/netns.js';
import { netlinkLoads } from './netlink/socket.js';

export type KernelPath = 'netlink' | 'iproute2';

let decided: { path: KernelPath; why: string } | undefined;

/** PODLAB_KERNEL=iproute2|netlink forces a path; otherwise netlink where it works on this machine. */
export function kernelPath(): { path: KernelPath; why: string } {
  if (decided) return decided;
  const want = process.env.PODLAB_KERNEL;
  if (want && want !== 'netlink' && want !== 'iproute2') throw new Error(`PODLAB_KERNEL=${want}: say netlink or iproute2`);
  if (want === 'iproute2') return (decided = { path: 'iproute2', why: 'PODLAB_KERNEL=iproute2' });
  const missing = process.getuid?.() !== 0 ? 'not root' : netlinkLoads() ?? canSetns();
  if (want === 'netlink' && missing) throw new Error(`PODLAB_KERNEL=netlink, but ${missing}`);
  return (decided = missing ? { path: 'iproute2', why: missing } : { path: 'netlink', why: want ? 'PODLAB_KERNEL=netlink' : 'default' });
}

export interface ObserveItem {
  readonly netns: string;
  readonly sysctls: readonly string[];
  readonly fdb: boolean;
  /** Ledger keys of the rule sets to read back. */
  readonly rulesets: readonly string[];
}

/** The kernel for one pass (an `up`): what runs a namespace's lines and reads it back. */
export interface Kernel {
  /** Whether the lines run in-process (a session), not as a process per namespace. */
  readonly inProcess: boolean;
  /** Reads namespaces back (with their sysctls and the rule sets asked for). */
  observe(items: readonly ObserveItem[], limit: number): Promise<Map<string, Observed>>;
  /** Sysctl writes (and reads) of many namespaces. */
  sysctls(items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>>;
  /** Runs one namespace's ip and bridge lines. */
  run(netns: string, ip: readonly string[], bridge: readonly string[]): Promise<void>;
  close(): void;
}

class Iproute2Kernel implements Kernel {
  readonly inProcess = false;
  constructor(private readonly exec: Executor) {}
  async observe(items: readonly ObserveItem[], limit: number): Promise<Map<string, Observed>> {
    const sys = await pySysctlBatch(this.exec, items.map((n) => ({ netns: n.netns, read: n.sysctls })));
    const out = new Map<string, Observed>();
    await mapLimit(items, limit, async (n) => {
      out.set(n.netns, await observeNs(this.exec, n.netns, sys.get(n.netns) ?? {}, { fdb: n.fdb, rulesets: n.rulesets }));
    });
    return out;
  }
  sysctls(items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
    return pySysctlBatch(this.exec, items);
  }
  async run(netns: string, ip: readonly string[], bridge: readonly string[]): Promise<void> {
    const place = inNs(netns, this.exec.host);
    const run = async (argv: string[], lines: readonly string[], what: string) => {
      const r = await this.exec.run(argv, place, { input: lines.join('\n') + '\n', timeoutMs: 120_000 });
      if (r.code !== 0) throw new CommandError(r, `${what} in ${netns}`);
    };
    if (ip.length) await run(['ip', '-batch', '-'], ip, 'ip -batch');
    if (bridge.length) await run(['bridge', '-batch', '-'], bridge, 'bridge -batch');
  }
  close(): void {}
}

/** Namespaces read back through netlink at once (each holds one socket and one dump at a time). */
const READ_WIDTH = 64;

class SessionKernel implements Kernel {
  readonly inProcess = true;
  constructor(private readonly exec: Executor, private readonly s: KernelSession) {}

  async observe(items: readonly ObserveItem[], limit: number): Promise<Map<string, Observed>> {
    // The rule sets' read-backs (processes) run while the netlink reads do.
    const withRules = items.filter((n) => n.rulesets.length);
    const rules = new Map<string, Record<string, string>>();
    const reads = mapLimit(withRules, limit, async (n) => {
      const sets = await Promise.all(n.rulesets.map((k) => readRuleset(this.exec, n.netns, k)));
      rules.set(n.netns, Object.fromEntries(n.rulesets.map((k, i) => [k, sets[i]!])));
    });
    reads.catch(() => undefined);
    const out = new Map<string, Observed>();
    await mapLimit(items, READ_WIDTH, async (n) => {
      const t0 = performance.now();
      try {
        out.set(n.netns, await this.s.observe(n.netns, n.sysctls, { fdb: n.fdb }));
      } catch (e) {
        throw new Error(`reading the state of ${n.netns} through netlink: ${(e as Error).message}`);
      } finally {
        if (TRACE) trace(t0, performance.now() - t0, 'netlink', 'read back links, addresses, routes, neighbours, rules' + (n.fdb ? ', fdb' : '') + (n.sysctls.length ? `, ${n.sysctls.length} sysctls` : ''), n.netns);
      }
    });
    await reads;
    for (const n of withRules) out.set(n.netns, { ...out.get(n.netns)!, rulesets: rules.get(n.netns)! });
    for (const n of items) if (!n.rulesets.length) out.set(n.netns, { ...out.get(n.netns)!, rulesets: {} });
    return out;
  }

  async sysctls(items: readonly SysctlItem[]): Promise<Map<string, Record<string, string>>> {
    return sessionSysctls(this.s, items);
  }

  async run(netns: string, ip: readonly string[], bridge: readonly string[]): Promise<void> {
    if (!ip.length && !bridge.length) return;
    const t0 = performance.now();
    let ok = false;
    try {
      await this.s.run(netns, ip, bridge);
      ok = true;
    } finally {
      if (TRACE) trace(t0, performance.now() - t0, ok ? 'netlink ok' : 'netlink failed', `${ip.length + bridge.length} line(s): ${[...ip, ...bridge.map((b) => `bridge ${b}`)].slice(0, 3).join('; ')}${ip.length + bridge.length > 3 ? '; …' : ''}`, netns);
    }
  }

  close(): void {
    this.s.close();
  }
}

/** The kernel for one pass: the executor's in-process session where it has one, else iproute2 processes. Close it when the pass ends. */
export function openKernel(exec: Executor): Kernel {
  const s = exec.openSession?.();
  return s ? new SessionKernel(exec, s) : new Iproute2Kernel(exec);
}
