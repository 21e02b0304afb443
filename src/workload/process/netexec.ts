// podlab's netexec runtimes: one netexec.py per node namespace (and one on the external host) holds the listening
// sockets of that node's netexec containers — those with no command of their own, serving their declared ports or
// their known image's. Its configuration file lists the listeners of the containers started now; a change is
// written and signalled (SIGHUP), and the runtime confirms it in its status file.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inNs, sleep } from '../../kernel/exec.js';
import { PYTHON } from '../../kernel/python.js';
import type { RuntimeContext } from '../types.js';

export const NETEXEC_PY = fileURLToPath(new URL('../../../src/workload/netexec.py', import.meta.url));

export interface Listener { readonly port: number; readonly protocol: string }
/** One container's listeners. `sandbox`: the namespace's identity and the instance, so a new one gets new sockets. */
export interface NetexecEntry { readonly id: string; readonly netns: string; readonly sandbox: string; readonly hostname: string; readonly listeners: readonly Listener[]; readonly log: string }

export interface RuntimeStatus {
  readonly generation: number;
  readonly pid: number;
  readonly listeners: readonly { id: string; port: number; protocol: string; ok: boolean; error?: string }[];
}

const rtDir = (ctx: RuntimeContext) => join(ctx.dir, 'netexec');
const cfgFile = (ctx: RuntimeContext, group: string) => join(rtDir(ctx), `${group}.json`);
const statusFile = (ctx: RuntimeContext, group: string) => join(rtDir(ctx), `${group}.status.json`);
const pidFile = (ctx: RuntimeContext, group: string) => join(rtDir(ctx), `${group}.pid`);
export const runtimeLog = (ctx: RuntimeContext, group: string) => join(ctx.dir, 'logs', `_runtime_${group}.log`);

export async function readStatus(ctx: RuntimeContext, group: string): Promise<RuntimeStatus | undefined> {
  try {
    const t = await ctx.exec.files.read(statusFile(ctx, group));
    return t ? (JSON.parse(t) as RuntimeStatus) : undefined;
  } catch {
    return undefined;
  }
}

async function readCfg(ctx: RuntimeContext, group: string): Promise<{ generation: number; pods: NetexecEntry[] }> {
  try {
    const t = await ctx.exec.files.read(cfgFile(ctx, group));
    if (t) return JSON.parse(t) as { generation: number; pods: NetexecEntry[] };
  } catch {
    /* first use */
  }
  return { generation: 0, pods: [] };
}

/** The group's runtime pid, when it runs (in its namespace). */
export async function runtimePid(ctx: RuntimeContext, group: string, netns: string): Promise<number | undefined> {
  const t = await ctx.exec.files.read(pidFile(ctx, group));
  const pid = Number(t?.trim());
  return pid > 0 && ctx.exec.alive(pid, netns) ? pid : undefined;
}

const locks = new Map<string, Promise<unknown>>();
function locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  locks.set(key, next.catch(() => undefined));
  return next;
}

export interface GroupResult {
  readonly pid?: number;
  readonly problems: string[];
  readonly changed: boolean;
}

/**
 * Change a group's listener set and make its runtime hold exactly it: started if needed, else signalled; waits
 * (≤ 5 s) until the runtime confirms. With an empty set the runtime is stopped unless `keep`.
 */
export function updateGroup(ctx: RuntimeContext, group: string, netns: string, change: (pods: NetexecEntry[]) => NetexecEntry[], keep = false): Promise<GroupResult> {
  return locked(`${ctx.dir}/${group}`, async () => {
    const { exec } = ctx;
    const cfg = await readCfg(ctx, group);
    const pods = change(cfg.pods);
    const same = JSON.stringify(pods) === JSON.stringify(cfg.pods);
    let pid = await runtimePid(ctx, group, netns);
    if (pods.length === 0 && !keep) {
      if (pid) exec.signal(pid, 'SIGTERM');
      if (!same || pid) await exec.files.write(cfgFile(ctx, group), JSON.stringify({ generation: cfg.generation + 1, pods }));
      return { problems: [], changed: !!pid || !same };
    }
    if (same && pid) return { pid, problems: [], changed: false };
    const generation = cfg.generation + 1;
    await exec.files.mkdir(rtDir(ctx));
    await exec.files.write(cfgFile(ctx, group), JSON.stringify({ generation, pods }));
    if (pid) exec.signal(pid, 'SIGHUP');
    else {
      try {
        ({ pid } = await exec.spawn([PYTHON, NETEXEC_PY, cfgFile(ctx, group), statusFile(ctx, group)], inNs(netns, exec.host), { log: runtimeLog(ctx, group) }));
        await exec.files.write(pidFile(ctx, group), `${pid}\n`);
      } catch (e) {
        return { problems: [`netexec runtime for ${group}: ${(e as Error).message}`], changed: true };
      }
    }
    const deadline = Date.now() + 5000;
    for (;;) {
      const st = await readStatus(ctx, group);
      if (st && st.generation >= generation) return { pid, problems: st.listeners.filter((l) => !l.ok).map((l) => `${l.id}: ${l.error}`), changed: true };
      if (Date.now() > deadline || !exec.alive(pid!)) {
        const log = ((await exec.files.read(runtimeLog(ctx, group))) ?? '').trimEnd().split('\n').slice(-5).join('\n      ');
        return { pid, problems: [`netexec runtime for ${group} did not come up${log ? `; its log says:\n      ${log}` : ''}`], changed: true };
      }
      await sleep(20);
    }
  });
}

export async function groupEntries(ctx: RuntimeContext, group: string): Promise<NetexecEntry[]> {
  return (await readCfg(ctx, group)).pods;
}
