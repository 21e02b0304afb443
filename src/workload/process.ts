// The process runtime: what runs in pods. Containers with a command run as processes inside the pod's namespace;
// containers without one are served by podlab's netexec server (one small process per node namespace that holds
// listening sockets inside each of that node's pods). Everything through the host's Executor.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology, PodT } from '../model/topology.js';
import { inNs, sleep } from '../kernel/exec.js';
import { shortHash } from '../net/hash.js';
import { PYTHON } from '../kernel/python.js';
import type { ContainerState, ProcRecord, RuntimeContext, WorkloadResult, WorkloadRuntime } from './types.js';

export const NETEXEC_PY = fileURLToPath(new URL('../../src/workload/netexec.py', import.meta.url));
export const RUNTIME_CONTAINER = 'netexec-runtime';
const RUNTIME_PREFIX = 'runtime/';

interface Listener { port: number; protocol: string }
/** `sandbox`: the namespace's identity, so a pod recreated under the same name gets new listeners, not the old ones. */
interface RuntimePod { id: string; netns: string; sandbox: string; hostname: string; listeners: Listener[]; log: string }

export interface RuntimeStatus {
  generation: number;
  pid: number;
  listeners: { id: string; port: number; protocol: string; ok: boolean; error?: string }[];
}

const logsDir = (ctx: RuntimeContext) => join(ctx.dir, 'logs');
const netexecDir = (ctx: RuntimeContext) => join(ctx.dir, 'netexec');

export function containerLog(dir: string, pod: { namespace: string; name: string }, container: string): string {
  return join(dir, 'logs', `${pod.namespace}_${pod.name}_${container}.log`);
}

function specHash(pod: PodT, ci: number): string {
  return shortHash(JSON.stringify(pod.containers[ci]) + pod.ip, 12);
}

async function tail(ctx: RuntimeContext, f: string, n = 5): Promise<string> {
  const text = await ctx.exec.files.read(f);
  return (text ?? '').trimEnd().split('\n').slice(-n).join('\n      ');
}

async function readStatus(ctx: RuntimeContext, file: string): Promise<RuntimeStatus | undefined> {
  try {
    const t = await ctx.exec.files.read(file);
    return t ? (JSON.parse(t) as RuntimeStatus) : undefined;
  } catch {
    return undefined;
  }
}

export const processRuntime: WorkloadRuntime = {
  name: 'process',
  owns: (r) => !r.pod.startsWith('bird/') && !r.pod.startsWith('edge/') && !r.pod.startsWith('dns/'),
  logPath: (ctx, pod, container) => containerLog(ctx.dir, pod, container),

  async sync(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[]): Promise<WorkloadResult> {
    const { exec } = ctx;
    const records: ProcRecord[] = [];
    const problems: string[] = [];
    let changes = 0;
    const started: ProcRecord[] = [];
    await exec.files.mkdir(logsDir(ctx));

    // 1. Containers with a command: one process each, in the pod's namespace. System pods are run by their component.
    for (const pod of t.pods) {
      if (pod.system) continue;
      for (const [ci, c] of pod.containers.entries()) {
        if (!c.command) continue;
        const old = prev.find((r) => r.pod === pod.key && r.container === c.name && r.spec === specHash(pod, ci));
        if (old && exec.alive(old.pid, pod.netns)) {
          records.push(old);
          continue;
        }
        const log = containerLog(ctx.dir, pod, c.name);
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          // A hostNetwork pod shares the node's UTS namespace in Kubernetes: its hostname is the node's.
          HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', HOSTNAME: pod.hostNetwork ? pod.node : pod.hostname ?? pod.name,
          // The service links the pod got when it was created, then the container's own env (which wins, as in the kubelet).
          ...(pod.serviceEnv ?? {}),
          POD_NAME: pod.name, POD_NAMESPACE: pod.namespace, POD_IP: pod.ip, NODE_NAME: pod.node, ...c.env,
        };
        changes++;
        try {
          // `ip netns exec` (nsFiles): the process sees the pod's /etc/netns files, its resolv.conf (the cluster DNS) first.
          const { pid } = await exec.spawn(c.command, { ...inNs(pod.netns, exec.host), nsFiles: true }, { log, env, cwd: c.workingDir });
          const rec = { pod: pod.key, container: c.name, pid, netns: pod.netns, log, startedAt: new Date().toISOString(), spec: specHash(pod, ci) };
          records.push(rec);
          started.push(rec);
        } catch (e) {
          problems.push(`Pod ${pod.key} container ${c.name}: ${(e as Error).message}`);
        }
      }
    }

    // 2. netexec: one runtime per node namespace (and one on the external host), configured by file + SIGHUP.
    const groups = new Map<string, { netns: string; pods: RuntimePod[] }>();
    for (const n of t.nodes) groups.set(n.name, { netns: n.netns, pods: [] });
    groups.set('external', {
      netns: t.external.netns,
      pods: t.external.ports.length ? [{
        id: 'external', netns: t.external.netns, sandbox: exec.netnsId(t.external.netns) ?? '', hostname: 'external', log: containerLog(ctx.dir, { namespace: '_', name: 'external' }, 'netexec'),
        listeners: t.external.ports.flatMap((p) => [{ port: p, protocol: 'TCP' }, { port: p, protocol: 'UDP' }]),
      }] : [],
    });
    for (const pod of t.pods) {
      if (pod.system) continue;
      for (const c of pod.containers) {
        if (c.command || c.builtin) continue;
        groups.get(pod.node)!.pods.push({
          id: `${pod.key}/${c.name}`, netns: pod.netns, sandbox: exec.netnsId(pod.netns) ?? '', hostname: pod.name, log: containerLog(ctx.dir, pod, c.name),
          listeners: c.ports.map((p) => ({ port: p.containerPort, protocol: p.protocol })),
        });
      }
    }
    const rtDir = netexecDir(ctx);
    await exec.files.mkdir(rtDir);
    const waits: { name: string; status: string; generation: number }[] = [];
    for (const [name, g] of groups) {
      const old = prev.find((r) => r.pod === RUNTIME_PREFIX + name);
      const alive = old && exec.alive(old.pid, g.netns) ? old : undefined;
      if (g.pods.length === 0) {
        if (alive) {
          exec.signal(alive.pid, 'SIGTERM');
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
        const prevCfg = JSON.parse((await exec.files.read(cfgFile)) ?? '') as { generation: number; pods: unknown };
        generation = prevCfg.generation + 1;
        same = JSON.stringify(prevCfg.pods) === body;
      } catch {
        /* first run */
      }
      if (alive && same) {
        records.push(alive);
        continue;
      }
      await exec.files.write(cfgFile, JSON.stringify({ generation, pods: g.pods }));
      changes++;
      if (alive) {
        exec.signal(alive.pid, 'SIGHUP');
        records.push(alive);
      } else {
        const log = join(logsDir(ctx), `_runtime_${name}.log`);
        try {
          const { pid } = await exec.spawn([PYTHON, NETEXEC_PY, cfgFile, statusFile], inNs(g.netns, exec.host), { log });
          records.push({ pod: RUNTIME_PREFIX + name, container: RUNTIME_CONTAINER, pid, netns: g.netns, log, startedAt: new Date().toISOString() });
        } catch (e) {
          problems.push(`netexec runtime for ${name}: ${(e as Error).message}`);
          continue;
        }
      }
      waits.push({ name, status: statusFile, generation });
    }

    // 3. Stop processes that are no longer wanted (pods of a removed netns were killed with it).
    for (const r of prev) {
      if (r.pod.startsWith(RUNTIME_PREFIX)) continue;
      const still = records.some((x) => x.pid === r.pid);
      if (!still && exec.alive(r.pid, r.netns)) {
        exec.signal(r.pid, 'SIGTERM');
        changes++;
      }
    }

    // 4. Wait for runtimes to confirm their sockets, and for fresh processes to survive their start.
    const deadline = Date.now() + 5000;
    for (const w of waits) {
      for (;;) {
        const st = await readStatus(ctx, w.status);
        if (st && st.generation >= w.generation) {
          for (const l of st.listeners) if (!l.ok) problems.push(`${l.id}: ${l.error}`);
          break;
        }
        const rec = records.find((r) => r.pod === RUNTIME_PREFIX + w.name);
        if (Date.now() > deadline || (rec && !exec.alive(rec.pid))) {
          problems.push(`netexec runtime for ${w.name} did not come up${rec ? `; its log says:\n      ${await tail(ctx, rec.log)}` : ''}`);
          break;
        }
        await sleep(20);
      }
    }
    if (started.length) {
      await sleep(150);
      for (const r of started) {
        if (!exec.alive(r.pid)) problems.push(`Pod ${r.pod} container ${r.container} exited right after it started; its log says:\n      ${(await tail(ctx, r.log)) || '(nothing)'}`);
      }
    }
    return { records, changes, problems };
  },

  async status(ctx, t, records) {
    const out = new Map<string, ContainerState[]>();
    const byNode = new Map<string, RuntimeStatus | undefined>();
    const sandbox = new Map<string, string>();
    for (const n of t.nodes) {
      byNode.set(n.name, await readStatus(ctx, join(netexecDir(ctx), `${n.name}.status.json`)));
      try {
        for (const p of (JSON.parse((await ctx.exec.files.read(join(netexecDir(ctx), `${n.name}.json`))) ?? '') as { pods: { id: string; sandbox: string }[] }).pods) sandbox.set(p.id, p.sandbox);
      } catch {
        /* no runtime on that node */
      }
    }
    const rtAlive = new Map<string, boolean>();
    for (const p of records) if (p.pod.startsWith(RUNTIME_PREFIX)) rtAlive.set(p.pod.slice(RUNTIME_PREFIX.length), ctx.exec.alive(p.pid, p.netns));
    for (const p of t.pods) {
      // System pods are reported by their component (workload/dns/), except the ingress controller's builtin nginx below.
      if (p.system && !p.containers.every((c) => c.builtin)) continue;
      out.set(p.key, p.containers.map((c): ContainerState => {
        if (c.builtin) {
          // Run by podlab's edge runtime (the ingress controller's nginx), in the pod's namespace.
          const ok = ctx.exec.pidsIn([p.netns]).size > 0;
          return { name: c.name, kind: 'process', ready: ok, reason: ok ? undefined : `${c.builtin} is not running` };
        }
        if (c.command) {
          const rec = records.find((r) => r.pod === p.key && r.container === c.name);
          const ok = !!rec && ctx.exec.alive(rec.pid, p.netns);
          return { name: c.name, kind: 'process', ready: ok, pid: rec?.pid, reason: ok ? undefined : 'process not running (see podlab logs)' };
        }
        const mine = byNode.get(p.node)?.listeners.filter((l) => l.id === `${p.key}/${c.name}`) ?? [];
        const bad = mine.find((l) => !l.ok);
        // Its sockets live in the namespace netexec was given; one deleted by hand (and maybe made again) is not the pod's.
        const was = sandbox.get(`${p.key}/${c.name}`);
        const replaced = was !== undefined && was !== (ctx.exec.netnsId(p.netns) ?? '');
        const ok = !!rtAlive.get(p.node) && mine.length === c.ports.length && !bad && !replaced;
        const why = replaced ? `network namespace ${p.netns} is not the one its ports were opened in (deleted by hand?): \`podlab up\` rebuilds the pod` : bad?.error ?? 'netexec runtime not running';
        return { name: c.name, kind: 'netexec', ready: ok, reason: ok ? undefined : why };
      }));
    }
    return out;
  },
};
