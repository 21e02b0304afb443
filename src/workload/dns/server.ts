// The lab's DNS servers at run time (everything through the host's Executor): unbound in the cluster DNS pod (behind
// kube-system/kube-dns) and on the external host (its own zone), started in their namespaces, the cluster zone re-read
// live on every change (`unbound-control auth_zone_reload` + `flush_zone`, no restart: records follow apply/delete at
// once), and every pod's /etc/netns/<netns>/resolv.conf (the kubelet's), which `ip netns exec` bind-mounts over
// /etc/resolv.conf for the processes podlab starts in the pod and for `podlab exec`.
import { join } from 'node:path';
import type { Topology, PodT } from '../../model/topology.js';
import { domainOf, resolvConf } from '../../model/dns.js';
import { inNs, mapLimit, sleep, stopPids, HOST, type Executor } from '../../kernel/exec.js';
import type { ProcRecord, RuntimeContext } from '../types.js';
import { containerLog } from '../pods.js';
import { clusterConfig, clusterZoneFile, dnsFiles, externalConfig, rootHints, type DnsFiles } from './unbound.js';

export const DNS_PREFIX = 'dns/';
const CLUSTER = `${DNS_PREFIX}cluster`;
const EXTERNAL = `${DNS_PREFIX}external`;
/** Where `ip netns exec` finds a namespace's own /etc files. */
export const NETNS_ETC = '/etc/netns';

export const isDnsRecord = (r: ProcRecord): boolean => r.pod.startsWith(DNS_PREFIX);
export const dnsDir = (labDir: string): string => join(labDir, 'dns');
export const dnsPodOf = (t: Topology): PodT | undefined => t.pods.find((p) => p.system === 'dns');
const extLog = (dir: string) => containerLog(dir, { namespace: '_', name: 'external' }, 'dns');

export interface DnsSyncResult {
  readonly records: ProcRecord[];
  readonly changes: number;
  readonly problems: string[];
}

/** Every pod's and node's resolv.conf under /etc/netns/<netns>/ (only files whose text changes are written). */
export async function syncResolvConf(exec: Executor, t: Topology): Promise<number> {
  let changes = 0;
  // A hostNetwork pod has its node's resolv.conf (ClusterFirst falls back to Default on the host network).
  const want: [string, string][] = [...t.pods.filter((p) => !p.hostNetwork).map((p): [string, string] => [p.netns, resolvConf(t, p)]), ...t.nodes.map((n): [string, string] => [n.netns, resolvConf(t, 'node')])];
  for (const [netns, text] of want) {
    const f = `${NETNS_ETC}/${netns}/resolv.conf`;
    if ((await exec.files.read(f)) === text) continue;
    await exec.files.write(f, text, 0o644);
    changes++;
  }
  return changes;
}

/** Remove the /etc/netns folders of namespaces that went away. */
export async function removeNetnsFiles(exec: Executor, netns: readonly string[]): Promise<void> {
  await mapLimit(netns.filter((n) => n && !n.includes('/')), 16, (n) => exec.files.remove(`${NETNS_ETC}/${n}`));
}

async function ctl(exec: Executor, conf: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await exec.run(['unbound-control', '-c', conf, ...args], { ...HOST, host: exec.host }, { timeoutMs: 5000 });
  const out = `${r.stdout}${r.stderr}`.trim();
  return { ok: r.code === 0 && !/^error/m.test(out), out };
}

async function tail(exec: Executor, f: string, n = 5): Promise<string> {
  return ((await exec.files.read(f)) ?? '').trimEnd().split('\n').slice(-n).join('\n      ');
}

/** Start one unbound in a namespace and wait until its control socket answers. */
async function start(exec: Executor, who: string, netns: string, conf: string, log: string): Promise<ProcRecord> {
  const { pid } = await exec.spawn(['unbound', '-d', '-p', '-c', conf], inNs(netns, exec.host), { log });
  const deadline = Date.now() + 5000;
  for (;;) {
    if ((await ctl(exec, conf, ['status'])).ok) break;
    if (!exec.alive(pid) || Date.now() > deadline) {
      throw new Error(`unbound (${who}) did not come up in ${netns}; its log says:\n      ${(await tail(exec, log)) || '(nothing)'}`);
    }
    await sleep(30);
  }
  return { pod: who, container: 'unbound', pid, netns, log, startedAt: new Date().toISOString() };
}

/** Write a file when its text changes; whether it did. */
async function put(exec: Executor, f: string, text: string): Promise<boolean> {
  if ((await exec.files.read(f)) === text) return false;
  await exec.files.write(f, text);
  return true;
}

/**
 * Make both servers serve this topology: (re)write their files, start what does not run, restart a server whose
 * configuration changed, reload the cluster zone where only the records changed.
 */
export async function syncDns(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[]): Promise<DnsSyncResult> {
  const { exec } = ctx;
  const f: DnsFiles = dnsFiles(dnsDir(ctx.dir));
  await exec.files.mkdir(f.dir);
  const records: ProcRecord[] = [];
  const problems: string[] = [];
  let changes = 0;
  const confChanged = await put(exec, f.clusterConf, clusterConfig(t, f));
  const hintsChanged = await put(exec, f.rootHints, rootHints(t));
  const zoneChanged = await put(exec, f.clusterZone, clusterZoneFile(t));
  const extChanged = await put(exec, f.externalConf, externalConfig(t, f));

  const one = async (who: string, netns: string | undefined, conf: string, log: string, restart: boolean, reload?: () => Promise<void>) => {
    const old = prev.find((r) => r.pod === who);
    const alive = old && netns && exec.alive(old.pid, netns) ? old : undefined;
    // The DNS pod moved to another namespace: its old server (still in the old one) goes.
    if (old && !alive && old.netns !== netns && exec.alive(old.pid, old.netns)) await stopPids(exec, [old.pid]);
    if (!netns) {
      if (alive) {
        await stopPids(exec, [alive.pid]);
        changes++;
      }
      return;
    }
    if (alive && restart) {
      await stopPids(exec, [alive.pid]);
      changes++;
    } else if (alive) {
      records.push(alive);
      if (reload) await reload();
      return;
    }
    try {
      records.push(await start(exec, who, netns, conf, log));
      changes++;
    } catch (e) {
      problems.push((e as Error).message);
    }
  };

  const pod = dnsPodOf(t);
  const domain = domainOf(t);
  await one(CLUSTER, pod?.netns, f.clusterConf, pod ? containerLog(ctx.dir, pod, pod.containers[0]!.name) : '', confChanged || hintsChanged, zoneChanged ? async () => {
    const r = await ctl(exec, f.clusterConf, ['auth_zone_reload', domain]);
    if (!r.ok) problems.push(`unbound-control auth_zone_reload ${domain}: ${r.out}`);
    // Cached answers (and NXDOMAINs) of the old zone must not outlive it.
    const fl = await ctl(exec, f.clusterConf, ['flush_zone', domain]);
    if (!fl.ok) problems.push(`unbound-control flush_zone ${domain}: ${fl.out}`);
    changes++;
  } : undefined);
  await one(EXTERNAL, t.external.netns, f.externalConf, extLog(ctx.dir), extChanged);
  return { records, changes, problems };
}

/** A system pod's container as its component runs it (for `podlab status`). */
export interface SystemContainerState {
  readonly name: string;
  readonly running: boolean;
  readonly pid?: number;
  /** Why it does not run. */
  readonly reason?: string;
}

/** The DNS pod's container state (for `podlab status`). */
export function dnsContainerState(ctx: RuntimeContext, t: Topology, records: readonly ProcRecord[]): Map<string, SystemContainerState[]> {
  const out = new Map<string, SystemContainerState[]>();
  const pod = dnsPodOf(t);
  if (!pod) return out;
  const rec = records.find((r) => r.pod === CLUSTER);
  const ok = !!rec && ctx.exec.alive(rec.pid, pod.netns);
  out.set(pod.key, [{ name: pod.containers[0]!.name, running: ok, ...(rec ? { pid: rec.pid } : {}), ...(ok ? {} : { reason: 'unbound is not running (see podlab logs)' }) }]);
  return out;
}

/** The log of a system pod's container (the DNS pod's unbound), when its component keeps one. */
export function systemLog(ctx: RuntimeContext, t: Topology, records: readonly ProcRecord[], pod: PodT): string | undefined {
  if (pod.system === 'dns') return records.find((r) => r.pod === CLUSTER)?.log || containerLog(ctx.dir, pod, pod.containers[0]!.name);
  return records.find((r) => r.netns === pod.netns && r.log)?.log;
}
