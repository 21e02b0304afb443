// The process runtime: what runs in pods. Containers with a command run as processes inside the pod's
// namespace; containers without one are served by podlab's netexec server (one small process per node
// namespace that holds listening sockets inside each of that node's pods).
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology, PodT } from '../model/topology.js';
import type { ProcRecord } from '../store/file.js';
import { clusterDir, logDir } from '../store/file.js';
import { pidAlive, pidInNetns, sleep } from '../substrate/local.js';
import { shortHash } from '../net/hash.js';
import { PYTHON } from '../kernel/python.js';

export const NETEXEC_PY = fileURLToPath(new URL('../../src/workload/netexec.py', import.meta.url));
export const RUNTIME_CONTAINER = 'netexec-runtime';

export interface WorkloadResult {
  readonly records: ProcRecord[];
  readonly changes: number;
  readonly problems: string[];
}

interface Listener { port: number; protocol: string }
/** `sandbox`: the namespace's inode, so a pod recreated under the same name gets new listeners, not the old ones. */
interface RuntimePod { id: string; netns: string; sandbox: string; hostname: string; listeners: Listener[]; log: string }

function sandboxOf(netns: string): string {
  try {
    return String(statSync(`/run/netns/${netns}`).ino);
  } catch {
    return '';
  }
}

export function containerLog(cluster: string, pod: { namespace: string; name: string }, container: string): string {
  return join(logDir(cluster), `${pod.namespace}_${pod.name}_${container}.log`);
}

function specHash(pod: PodT, ci: number): string {
  return shortHash(JSON.stringify(pod.containers[ci]) + pod.ip, 12);
}

function tailFile(f: string, n = 5): string {
  try {
    return readFileSync(f, 'utf8').trimEnd().split('\n').slice(-n).join('\n      ');
  } catch {
    return '';
  }
}

/** Start, keep or stop processes so that they match the topology. */
export async function syncWorkloads(t: Topology, prev: readonly ProcRecord[]): Promise<WorkloadResult> {
  const records: ProcRecord[] = [];
  const problems: string[] = [];
  let changes = 0;
  const wanted = new Set<string>();
  const started: ProcRecord[] = [];

  // 1. Containers with a command: one process each, in the pod's namespace.
  for (const pod of t.pods) {
    pod.containers.forEach((c, ci) => {
      if (!c.command) return;
      const key = `${pod.key}|${c.name}|${specHash(pod, ci)}`;
      wanted.add(key);
      const old = prev.find((r) => `${r.pod}|${r.container}` === `${pod.key}|${c.name}` && r.spec === specHash(pod, ci));
      if (old && pidAlive(old.pid) && pidInNetns(old.pid, pod.netns)) {
        records.push(old);
        return;
      }
      const log = containerLog(t.cluster, pod, c.name);
      const fd = openSync(log, 'a');
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', HOSTNAME: pod.name,
        POD_NAME: pod.name, POD_NAMESPACE: pod.namespace, POD_IP: pod.ip, NODE_NAME: pod.node, ...c.env,
      };
      const child = spawn('ip', ['netns', 'exec', pod.netns, ...c.command], {
        cwd: existsSync(c.workingDir) ? c.workingDir : '/', env, detached: true, stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      child.on('error', () => undefined);
      child.unref();
      changes++;
      if (child.pid === undefined) {
        problems.push(`Pod ${pod.key} container ${c.name}: could not start ${c.command[0]}`);
        return;
      }
      const rec = { pod: pod.key, container: c.name, pid: child.pid, netns: pod.netns, log, startedAt: new Date().toISOString(), spec: specHash(pod, ci) };
      records.push(rec);
      started.push(rec);
    });
  }

  // 2. netexec: one runtime per node namespace (and one on the external host), configured by file + SIGHUP.
  const groups = new Map<string, { netns: string; pods: RuntimePod[] }>();
  for (const n of t.nodes) groups.set(n.name, { netns: n.netns, pods: [] });
  groups.set('external', {
    netns: t.external.netns,
    pods: t.external.ports.length ? [{
      id: 'external', netns: t.external.netns, sandbox: sandboxOf(t.external.netns), hostname: 'external', log: containerLog(t.cluster, { namespace: '_', name: 'external' }, 'netexec'),
      listeners: t.external.ports.flatMap((p) => [{ port: p, protocol: 'TCP' }, { port: p, protocol: 'UDP' }]),
    }] : [],
  });
  for (const pod of t.pods) {
    for (const c of pod.containers) {
      if (c.command) continue;
      groups.get(pod.node)!.pods.push({
        id: `${pod.key}/${c.name}`, netns: pod.netns, sandbox: sandboxOf(pod.netns), hostname: pod.name, log: containerLog(t.cluster, pod, c.name),
        listeners: c.ports.map((p) => ({ port: p.containerPort, protocol: p.protocol })),
      });
    }
  }
  const rtDir = join(clusterDir(t.cluster), 'netexec');
  mkdirSync(rtDir, { recursive: true });
  const waits: { name: string; status: string; generation: number }[] = [];
  for (const [name, g] of groups) {
    const old = prev.find((r) => r.pod === `runtime/${name}`);
    const alive = old && pidAlive(old.pid) && pidInNetns(old.pid, g.netns) ? old : undefined;
    if (g.pods.length === 0) {
      if (alive) {
        process.kill(alive.pid, 'SIGTERM');
        changes++;
      }
      continue;
    }
    const cfgFile = join(rtDir, `${name}.json`);
    const statusFile = join(rtDir, `${name}.status.json`);
    const body = JSON.stringify(g.pods);
    let generation = 1;
    let same = false;
    try {
      const prevCfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as { generation: number; pods: unknown };
      generation = prevCfg.generation + 1;
      same = JSON.stringify(prevCfg.pods) === body;
    } catch {
      /* first run */
    }
    if (alive && same) {
      records.push(alive);
      continue;
    }
    writeFileSync(cfgFile + '.tmp', JSON.stringify({ generation, pods: g.pods }));
    renameSync(cfgFile + '.tmp', cfgFile);
    changes++;
    if (alive) {
      process.kill(alive.pid, 'SIGHUP');
      records.push(alive);
    } else {
      const log = join(logDir(t.cluster), `_runtime_${name}.log`);
      const fd = openSync(log, 'a');
      const child = spawn('ip', ['netns', 'exec', g.netns, PYTHON, NETEXEC_PY, cfgFile, statusFile], { detached: true, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child.on('error', () => undefined);
      child.unref();
      if (child.pid === undefined) {
        problems.push(`netexec runtime for ${name}: could not start python3`);
        continue;
      }
      records.push({ pod: `runtime/${name}`, container: RUNTIME_CONTAINER, pid: child.pid, netns: g.netns, log, startedAt: new Date().toISOString() });
    }
    waits.push({ name, status: statusFile, generation });
  }

  // 3. Stop processes that are no longer wanted (pods of a removed netns were killed with it).
  for (const r of prev) {
    if (r.pod.startsWith('runtime/')) continue;
    const still = records.some((x) => x.pid === r.pid);
    if (!still && pidAlive(r.pid) && pidInNetns(r.pid, r.netns)) {
      process.kill(r.pid, 'SIGTERM');
      changes++;
    }
  }

  // 4. Wait for runtimes to confirm their sockets, and for fresh processes to survive their start.
  const deadline = Date.now() + 5000;
  for (const w of waits) {
    for (;;) {
      const st = readStatus(w.status);
      if (st && st.generation >= w.generation) {
        for (const l of st.listeners) if (!l.ok) problems.push(`${l.id}: ${l.error}`);
        break;
      }
      const rec = records.find((r) => r.pod === `runtime/${w.name}`);
      if (Date.now() > deadline || (rec && !pidAlive(rec.pid))) {
        problems.push(`netexec runtime for ${w.name} did not come up${rec ? `; its log says:\n      ${tailFile(rec.log)}` : ''}`);
        break;
      }
      await sleep(20);
    }
  }
  if (started.length) {
    await sleep(150);
    for (const r of started) {
      if (!pidAlive(r.pid)) problems.push(`Pod ${r.pod} container ${r.container} exited right after it started; its log says:\n      ${tailFile(r.log) || '(nothing)'}`);
    }
  }
  return { records, changes, problems };
}

export interface RuntimeStatus {
  generation: number;
  pid: number;
  listeners: { id: string; port: number; protocol: string; ok: boolean; error?: string }[];
}

export function readStatus(file: string): RuntimeStatus | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RuntimeStatus;
  } catch {
    return undefined;
  }
}

export function runtimeStatusFile(cluster: string, group: string): string {
  return join(clusterDir(cluster), 'netexec', `${group}.status.json`);
}
