// Probes (startupProbe, readinessProbe, livenessProbe) and lifecycle hooks (postStart, preStop) of a container
// (pure): their handler (exec, httpGet, tcpSocket; hooks also sleep), timing fields with Kubernetes' defaults and
// limits, and named ports resolved against the container's own ports.
import type { ActionSpec, ContainerPort, HookSpec, ProbeSpec } from './types.js';
import type { DocCtx, Path } from './doc.js';
import { checkKeys, int, isObj, str, PORT_NAME } from './fields.js';

export const PROBE_KINDS = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const TIMING = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds'];

function port(ctx: DocCtx, v: unknown, at: Path, ports: readonly ContainerPort[]): number | undefined {
  if (v === undefined || v === null) {
    ctx.err(at, 'is required');
    return undefined;
  }
  if (typeof v === 'number') return int(ctx, v, at, 1, 65535);
  const name = str(ctx, v, at, { re: PORT_NAME, what: 'a port number or the name of a containerPort', max: 15 });
  if (name === undefined) return undefined;
  const found = ports.find((p) => p.name === name);
  if (!found) ctx.err(at, `no containerPort of this container is named "${name}"${ports.some((p) => p.name) ? ` (named ports: ${ports.filter((p) => p.name).map((p) => p.name).join(', ')})` : ''}`);
  return found?.containerPort;
}

function command(ctx: DocCtx, v: unknown, at: Path): string[] | undefined {
  if (!isObj(v)) {
    ctx.err(at, 'must be {command: [...]}');
    return undefined;
  }
  checkKeys(ctx, v, at, ['command']);
  const c = v.command;
  if (!Array.isArray(c) || c.length === 0 || c.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
    ctx.err([...at, 'command'], 'must be a non-empty list of strings (run without a shell: use ["sh", "-c", "…"] for one)');
    return undefined;
  }
  return c.map(String);
}

/** exec / httpGet / tcpSocket, exactly one. */
function action(ctx: DocCtx, o: Record<string, unknown>, at: Path, ports: readonly ContainerPort[], extra: readonly string[]): ActionSpec | { type: string } | undefined {
  const set = [...HANDLERS, ...extra].filter((k) => o[k] !== undefined);
  if (set.length !== 1) {
    ctx.err(at, set.length ? `may have only one handler, got ${set.join(', ')}` : `must have a handler: one of ${[...HANDLERS.filter((h) => h !== 'grpc'), ...extra].join(', ')}`);
    return undefined;
  }
  const k = set[0]!;
  const v = o[k];
  const p: Path = [...at, k];
  if (k === 'exec') {
    const cmd = command(ctx, v, p);
    return cmd ? { type: 'exec', command: cmd } : undefined;
  }
  if (k === 'grpc') {
    ctx.err(p, 'grpc probes are not supported by podlab (use exec, httpGet or tcpSocket)');
    return undefined;
  }
  if (!isObj(v)) {
    ctx.err(p, 'must be a map');
    return undefined;
  }
  if (k === 'httpGet') {
    checkKeys(ctx, v, p, ['path', 'port', 'host', 'scheme', 'httpHeaders']);
    const n = port(ctx, v.port, [...p, 'port'], ports);
    const path = str(ctx, v.path, [...p, 'path']) ?? '/';
    const scheme = (v.scheme ?? 'HTTP') as string;
    if (scheme !== 'HTTP' && scheme !== 'HTTPS') ctx.err([...p, 'scheme'], `"${scheme}" is not HTTP or HTTPS`);
    const host = str(ctx, v.host, [...p, 'host']);
    const headers: { name: string; value: string }[] = [];
    if (v.httpHeaders !== undefined) {
      if (!Array.isArray(v.httpHeaders)) ctx.err([...p, 'httpHeaders'], 'must be a list of {name, value}');
      else v.httpHeaders.forEach((h: unknown, i: number) => {
        if (!isObj(h) || typeof h.name !== 'string') return ctx.err([...p, 'httpHeaders', i], 'must be {name, value}');
        headers.push({ name: h.name, value: h.value === undefined || h.value === null ? '' : String(h.value) });
      });
    }
    if (n === undefined) return undefined;
    return { type: 'httpGet', port: n, path: path.startsWith('/') ? path : `/${path}`, scheme: scheme === 'HTTPS' ? 'HTTPS' : 'HTTP', ...(host ? { host } : {}), headers };
  }
  if (k === 'tcpSocket') {
    checkKeys(ctx, v, p, ['port', 'host']);
    const n = port(ctx, v.port, [...p, 'port'], ports);
    const host = str(ctx, v.host, [...p, 'host']);
    return n === undefined ? undefined : { type: 'tcpSocket', port: n, ...(host ? { host } : {}) };
  }
  return { type: k };
}

/** A probe with Kubernetes' defaults (period 10 s, timeout 1 s, success 1, failure 3). */
export function parseProbe(ctx: DocCtx, v: unknown, at: Path, kind: ProbeKind, ports: readonly ContainerPort[]): ProbeSpec | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    ctx.err(at, 'must be a map with a handler (exec, httpGet or tcpSocket) and timing fields');
    return undefined;
  }
  checkKeys(ctx, v, at, [...HANDLERS, ...TIMING]);
  const a = action(ctx, v, at, ports, []);
  const initialDelaySeconds = int(ctx, v.initialDelaySeconds, [...at, 'initialDelaySeconds'], 0, 86_400) ?? 0;
  const periodSeconds = int(ctx, v.periodSeconds, [...at, 'periodSeconds'], 1, 86_400) ?? 10;
  const timeoutSeconds = int(ctx, v.timeoutSeconds, [...at, 'timeoutSeconds'], 1, 86_400) ?? 1;
  const successThreshold = int(ctx, v.successThreshold, [...at, 'successThreshold'], 1, 1000) ?? 1;
  const failureThreshold = int(ctx, v.failureThreshold, [...at, 'failureThreshold'], 1, 1000) ?? 3;
  if (kind !== 'readinessProbe' && successThreshold !== 1) ctx.err([...at, 'successThreshold'], `must be 1 for a ${kind} (Kubernetes only counts successes for readiness)`);
  let grace: number | undefined;
  if (v.terminationGracePeriodSeconds !== undefined) {
    if (kind === 'readinessProbe') ctx.err([...at, 'terminationGracePeriodSeconds'], 'is only for liveness and startup probes (a readiness failure kills nothing)');
    else grace = int(ctx, v.terminationGracePeriodSeconds, [...at, 'terminationGracePeriodSeconds'], 1, 86_400);
  }
  if (!a || !('command' in a || 'port' in a)) return undefined;
  return { action: a as ActionSpec, initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold, ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}) };
}

function parseHook(ctx: DocCtx, v: unknown, at: Path, ports: readonly ContainerPort[]): HookSpec | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    ctx.err(at, 'must be a map with a handler (exec, httpGet or sleep)');
    return undefined;
  }
  checkKeys(ctx, v, at, ['exec', 'httpGet', 'tcpSocket', 'sleep']);
  if (v.tcpSocket !== undefined && Object.keys(v).length === 1) {
    ctx.err([...at, 'tcpSocket'], 'is not supported as a lifecycle hook (Kubernetes keeps the field only for compatibility and never runs it)');
    return undefined;
  }
  const a = action(ctx, v, at, ports, ['sleep']);
  if (!a) return undefined;
  if (a.type === 'sleep') {
    const s = v.sleep;
    if (!isObj(s)) {
      ctx.err([...at, 'sleep'], 'must be {seconds: N}');
      return undefined;
    }
    checkKeys(ctx, s, [...at, 'sleep'], ['seconds']);
    const seconds = int(ctx, s.seconds, [...at, 'sleep', 'seconds'], 0, 86_400);
    if (s.seconds === undefined) ctx.err([...at, 'sleep', 'seconds'], 'is required');
    return seconds === undefined ? undefined : { type: 'sleep', seconds };
  }
  return 'command' in a || 'port' in a ? (a as ActionSpec) : undefined;
}

export function parseLifecycle(ctx: DocCtx, v: unknown, at: Path, ports: readonly ContainerPort[]): { postStart?: HookSpec; preStop?: HookSpec } | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    ctx.err(at, 'must be a map with postStart and/or preStop');
    return undefined;
  }
  checkKeys(ctx, v, at, ['postStart', 'preStop', 'stopSignal']);
  if (v.stopSignal !== undefined) ctx.err([...at, 'stopSignal'], 'is not supported by podlab (containers are stopped with SIGTERM, then SIGKILL)');
  const postStart = parseHook(ctx, v.postStart, [...at, 'postStart'], ports);
  const preStop = parseHook(ctx, v.preStop, [...at, 'preStop'], ports);
  return postStart || preStop ? { ...(postStart ? { postStart } : {}), ...(preStop ? { preStop } : {}) } : undefined;
}
