// A pod's containers and initContainers as podlab runs them: command (or what the image runs: images.ts), env
// (literal values and their sources), envFrom, ports, workingDir, volumeMounts, resources, probes and lifecycle hooks
// (probes.ts), an init container's restartPolicy (a native sidecar). Types and unknown fields are the schema's
// (schema.ts); these are podlab's own checks on top (pure).
import type { ContainerPort, ContainerSpec, EnvFromSpec, EnvSource, EnvVarSpec, Protocol, VolumeMountSpec } from './types.js';
import type { DocCtx, Path } from './doc.js';
import { int, isObj, str, DNS_LABEL, PROTOCOLS } from './fields.js';
import { processRun } from './images.js';
import { parseLifecycle, parseProbe, PROBE_KINDS } from './probes.js';

/** resource.Quantity: a signed decimal number with an SI, binary-SI or exponent suffix. */
const QUANTITY = /^[+-]?(\d+|\d+\.\d*|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** Fields a fieldRef may name, as the API server allows them for env. */
export const FIELD_REFS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const LABEL_REF = /^metadata\.(labels|annotations)\['[^']+'\]$/;
export const RESOURCE_REFS = ['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage'];

export function fieldRefOk(p: string, volume: boolean): boolean {
  if (LABEL_REF.test(p)) return true;
  if (volume) return ['metadata.name', 'metadata.namespace', 'metadata.uid', 'metadata.labels', 'metadata.annotations'].includes(p);
  return FIELD_REFS.includes(p);
}

/** What the containers and initContainers of one pod share while they are read. */
export interface ContainerScope {
  /** Container names: containers and initContainers share one set. */
  readonly names: Set<string>;
  /** "port/protocol" → container: containers (and sidecars) of a pod share one network namespace. */
  readonly ports: Map<string, string>;
  /** Notices (a known image's server run by netexec, an unknown image run idle). */
  readonly notices: string[];
  /** "Pod ns/name" or "Deployment ns/name", for the notices. */
  readonly who: string;
  /** `hostNetwork`: the pod runs in the node's namespace, so each port is a host port (the API server defaults
   *  hostPort to containerPort and rejects a different one). */
  readonly hostNetwork: boolean;
  /** "hostPort/protocol" → container: one host port per protocol in the whole pod (AccumulateUniqueHostPorts). */
  readonly hostPorts: Map<string, string>;
}

export function newContainerScope(who: string, notices: string[] = [], hostNetwork = false): ContainerScope {
  return { names: new Set(), ports: new Map(), notices, who, hostNetwork, hostPorts: new Map() };
}

/** Ports two containers of the pod would both listen on (declared, or served by netexec for a known image). */
function claimPorts(ctx: DocCtx, scope: ContainerScope, name: string, ports: readonly ContainerPort[], at: (i: number) => Path, served: boolean): void {
  for (const [i, pt] of ports.entries()) {
    const key = `${pt.containerPort}/${pt.protocol}`;
    const prev = scope.ports.get(key);
    if (prev) ctx.err(at(i), `${key} is already ${served ? 'served' : 'declared'} by container "${prev}": containers of a pod share one network namespace, so two cannot bind the same port`);
    else scope.ports.set(key, name);
  }
}

/**
 * `list`: containers (at least one required) or initContainers (run in order before them; `restartPolicy: Always`
 * makes one a native sidecar, started before the containers and kept running beside them).
 */
export function parseContainers(ctx: DocCtx, raw: unknown, at: Path, dir: string, list: 'containers' | 'initContainers' = 'containers', scope: ContainerScope = newContainerScope(ctx.label)): ContainerSpec[] {
  const containers: ContainerSpec[] = [];
  if (list === 'initContainers') {
    if (raw === undefined || raw === null) return containers;
  } else if (!Array.isArray(raw) || raw.length === 0) {
    ctx.err(at, 'at least one container is required');
    return containers;
  }
  if (!Array.isArray(raw)) return containers; // the schema says it must be a list
  raw.forEach((c: unknown, i: number) => {
    const p: Path = [...at, i];
    if (!isObj(c)) return ctx.err(p, 'must be a map with a name');
    const cn = str(ctx, c.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a container name (DNS label)', max: 63 });
    if (cn && scope.names.has(cn)) ctx.err([...p, 'name'], `duplicate container "${cn}" (containers and initContainers share one set of names)`);
    if (cn) scope.names.add(cn);
    const name = cn ?? `#${i}`;
    let restartPolicy: 'Always' | undefined;
    if (c.restartPolicy !== undefined) {
      if (list === 'containers') ctx.err([...p, 'restartPolicy'], 'may only be set on an init container (restartPolicy: Always makes it a native sidecar); the pod\'s spec.restartPolicy applies to its containers');
      else if (c.restartPolicy !== 'Always') ctx.err([...p, 'restartPolicy'], `${JSON.stringify(c.restartPolicy)}: an init container's restartPolicy can only be "Always" (a native sidecar)`);
      else restartPolicy = 'Always';
    }
    const regularInit = list === 'initContainers' && !restartPolicy;
    const image = typeof c.image === 'string' ? c.image : undefined;
    // Their types are the schema's: a list that is not all strings is reported there.
    const strList = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
    const entrypoint = strList(c.command);
    const args = strList(c.args);
    if (entrypoint && entrypoint.length === 0) ctx.err([...p, 'command'], 'must not be empty (leave it out to run what the image runs)');
    const { env, envVars } = parseEnv(ctx, c.env, [...p, 'env']);
    const envFrom = parseEnvFrom(ctx, c.envFrom, [...p, 'envFrom']);
    const cports: ContainerPort[] = [];
    if (Array.isArray(c.ports)) c.ports.forEach((pt: unknown, j: number) => {
      const pp: Path = [...p, 'ports', j];
      if (!isObj(pt)) return;
      if (pt.containerPort === undefined) return;
      const port = int(ctx, pt.containerPort, [...pp, 'containerPort'], 1, 65535);
      // hostPort 0 is "none", as the API server reads it; hostIP (one address of the node) is not modelled.
      let hostPort = pt.hostPort === 0 ? undefined : int(ctx, pt.hostPort, [...pp, 'hostPort'], 1, 65535);
      if (typeof pt.hostIP === 'string' && pt.hostIP !== '' && pt.hostIP !== '0.0.0.0') ctx.err([...pp, 'hostIP'], `hostIP "${pt.hostIP}" is not supported by this version of podlab (a hostPort listens on every address of the node)`);
      if (scope.hostNetwork && port !== undefined) {
        if (hostPort !== undefined && hostPort !== port) ctx.err([...pp, 'hostPort'], `${hostPort} must match \`containerPort\` (${port}) when \`hostNetwork\` is true`);
        hostPort = port;
      }
      const proto = (pt.protocol ?? 'TCP') as string;
      if (!PROTOCOLS.includes(proto as Protocol)) ctx.err([...pp, 'protocol'], `"${proto}" is not a protocol (TCP, UDP or SCTP)`);
      const pname = str(ctx, pt.name, [...pp, 'name'], { re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, what: 'a port name (IANA_SVC_NAME)', max: 15 });
      if (port === undefined) return;
      if (hostPort !== undefined) {
        // The API server's AccumulateUniqueHostPorts: one host port per protocol in the whole pod.
        const hk = `${hostPort}/${proto}`;
        const hprev = scope.hostPorts.get(hk);
        if (hprev && !scope.ports.has(`${port}/${proto}`)) ctx.err([...pp, 'hostPort'], `Duplicate value: "${hk}" (already a host port of container "${hprev}")`);
        else if (!hprev) scope.hostPorts.set(hk, name);
      }
      cports.push({ containerPort: port, protocol: proto as Protocol, name: pname, ...(hostPort !== undefined ? { hostPort } : {}) });
    });
    // What the process runtime runs: the command, or what the image would run for the dataplane (images.ts).
    const run = processRun({ image, command: entrypoint?.length ? entrypoint : undefined, args, ports: cports }, regularInit);
    if (run.error) ctx.err([...p, 'args'], run.error);
    if (run.notice) scope.notices.push(`${ctx.file}:${ctx.lineOf(p) ?? '?'}: ${scope.who} container ${name}: ${run.notice}`);
    // A regular init container runs alone (before the others), so its ports clash with nobody's.
    if (!regularInit) {
      claimPorts(ctx, scope, name, cports, (j) => [...p, 'ports', j, 'containerPort'], false);
      if (run.serve && run.serve !== cports) claimPorts(ctx, scope, name, run.serve, () => [...p, 'image'], true);
    }
    const probes: Partial<Record<(typeof PROBE_KINDS)[number], ContainerSpec['readinessProbe']>> = {};
    for (const k of PROBE_KINDS) {
      if (c[k] === undefined) continue;
      if (regularInit) {
        ctx.err([...p, k], 'must not be set for an init container (only for containers and sidecars: restartPolicy: Always)');
        continue;
      }
      const pr = parseProbe(ctx, c[k], [...p, k], k, cports);
      if (pr) probes[k] = pr;
    }
    if (regularInit && c.lifecycle !== undefined) ctx.err([...p, 'lifecycle'], 'must not be set for an init container (only for containers and sidecars: restartPolicy: Always)');
    const lifecycle = regularInit ? undefined : parseLifecycle(ctx, c.lifecycle, [...p, 'lifecycle'], cports);
    const volumeMounts: VolumeMountSpec[] = [];
    const mountPaths = new Set<string>();
    if (Array.isArray(c.volumeMounts)) c.volumeMounts.forEach((m: unknown, j: number) => {
      if (!isObj(m) || typeof m.name !== 'string' || typeof m.mountPath !== 'string') return;
      const mp: Path = [...p, 'volumeMounts', j];
      for (const k of ['subPathExpr', 'mountPropagation', 'recursiveReadOnly']) if (m[k] !== undefined) ctx.err([...mp, k], 'is not supported by podlab');
      const mountPath = m.mountPath.replace(/\/+$/, '') || '/';
      if (!m.mountPath.startsWith('/')) ctx.err([...mp, 'mountPath'], `"${m.mountPath}" must be an absolute path`);
      else if (mountPath === '/' || mountPath.split('/').includes('..')) ctx.err([...mp, 'mountPath'], `"${m.mountPath}" cannot be a mount path (not the root, no "..")`);
      else if (mountPaths.has(mountPath)) ctx.err([...mp, 'mountPath'], `"${mountPath}" is mounted twice in this container`);
      mountPaths.add(mountPath);
      if (typeof m.subPath === 'string' && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) ctx.err([...mp, 'subPath'], `"${m.subPath}" must be a relative path without ".."`);
      volumeMounts.push({ name: m.name, mountPath, subPath: typeof m.subPath === 'string' && m.subPath ? m.subPath : undefined, readOnly: m.readOnly === true });
    });
    const res = isObj(c.resources) ? c.resources : {};
    for (const kind of ['requests', 'limits'] as const) {
      const m = res[kind];
      if (isObj(m)) for (const [k, v] of Object.entries(m)) {
        if ((typeof v === 'string' || typeof v === 'number') && !QUANTITY.test(String(v))) ctx.err([...p, 'resources', kind, k], `${JSON.stringify(v)} is not a quantity (like 100m, 64Mi, 2)`);
      }
    }
    const strMap = (v: unknown) => (isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : undefined);
    const resources = { requests: strMap(res.requests), limits: strMap(res.limits) };
    const wd = typeof c.workingDir === 'string' ? c.workingDir : undefined;
    containers.push({
      name, ...(image ? { image } : {}),
      ...(run.command ? { command: run.command } : {}),
      ...(entrypoint?.length ? { entrypoint } : {}), ...(args ? { args } : {}),
      env, ports: cports, ...(run.serve ? { serve: run.serve } : {}), ...(run.idle ? { idle: true } : {}),
      workingDir: wd ? (wd.startsWith('/') ? wd : `${dir}/${wd}`) : dir,
      ...(wd?.startsWith('/') ? { writtenWorkingDir: wd } : {}),
      ...(restartPolicy ? { restartPolicy } : {}),
      ...probes, ...(lifecycle ? { lifecycle } : {}),
      ...(envVars.some((e) => e.valueFrom) ? { envVars } : {}),
      ...(envFrom.length ? { envFrom } : {}),
      ...(volumeMounts.length ? { volumeMounts } : {}),
      ...(resources.requests || resources.limits ? { resources } : {}),
    });
  });
  return containers;
}

function parseEnv(ctx: DocCtx, raw: unknown, at: Path): { env: Record<string, string>; envVars: EnvVarSpec[] } {
  const env: Record<string, string> = {};
  const envVars: EnvVarSpec[] = [];
  if (!Array.isArray(raw)) return { env, envVars };
  raw.forEach((e: unknown, j: number) => {
    if (!isObj(e)) return;
    const en = str(ctx, e.name, [...at, j, 'name'], { required: true, re: ENV_NAME, what: 'an environment variable name' });
    if (!en) return;
    const vf = isObj(e.valueFrom) ? e.valueFrom : undefined;
    if (vf && e.value !== undefined && e.value !== '') ctx.err([...at, j, 'valueFrom'], 'may not be set when `value` is not empty');
    if (!vf) {
      const value = typeof e.value === 'string' ? e.value : '';
      env[en] = value;
      envVars.push({ name: en, value });
      return;
    }
    const src = parseEnvSource(ctx, vf, [...at, j, 'valueFrom']);
    if (src) envVars.push({ name: en, valueFrom: src });
  });
  return { env, envVars };
}

function parseEnvSource(ctx: DocCtx, vf: Record<string, unknown>, at: Path): EnvSource | undefined {
  const set = ['configMapKeyRef', 'secretKeyRef', 'fieldRef', 'resourceFieldRef'].filter((k) => vf[k] !== undefined);
  if (set.length !== 1) {
    ctx.err(at, set.length ? `may have only one of ${set.join(', ')}` : 'must have one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef');
    return undefined;
  }
  const k = set[0]!;
  const v = vf[k];
  if (!isObj(v)) return undefined;
  if (k === 'configMapKeyRef' || k === 'secretKeyRef') {
    const name = str(ctx, v.name, [...at, k, 'name'], { required: true, what: 'a name' });
    const key = str(ctx, v.key, [...at, k, 'key'], { required: true, re: /^[-._a-zA-Z0-9]+$/, what: 'a key' });
    return name && key ? { kind: k, name, key, optional: v.optional === true } : undefined;
  }
  if (k === 'fieldRef') {
    const fp = String(v.fieldPath ?? '');
    if (!fieldRefOk(fp, false)) {
      ctx.err([...at, k, 'fieldPath'], `"${fp}" is not a field the downward API gives (${FIELD_REFS.join(', ')}, metadata.labels['…'], metadata.annotations['…'])`);
      return undefined;
    }
    return { kind: 'fieldRef', fieldPath: fp };
  }
  const r = String(v.resource ?? '');
  if (!RESOURCE_REFS.includes(r)) {
    ctx.err([...at, k, 'resource'], `"${r}" is not a resource the downward API gives (${RESOURCE_REFS.join(', ')})`);
    return undefined;
  }
  return { kind: 'resourceFieldRef', resource: r, containerName: typeof v.containerName === 'string' ? v.containerName : undefined, divisor: v.divisor === undefined ? undefined : String(v.divisor) };
}

function parseEnvFrom(ctx: DocCtx, raw: unknown, at: Path): EnvFromSpec[] {
  const out: EnvFromSpec[] = [];
  if (!Array.isArray(raw)) return out;
  raw.forEach((e: unknown, j: number) => {
    if (!isObj(e)) return;
    const kinds = (['configMapRef', 'secretRef'] as const).filter((k) => e[k] !== undefined);
    if (kinds.length !== 1) return ctx.err([...at, j], 'must have exactly one of configMapRef, secretRef');
    const ref = e[kinds[0]!];
    if (!isObj(ref)) return;
    const name = str(ctx, ref.name, [...at, j, kinds[0]!, 'name'], { required: true, what: 'a name' });
    if (name) out.push({ kind: kinds[0] === 'configMapRef' ? 'configMap' : 'secret', name, prefix: typeof e.prefix === 'string' ? e.prefix : '', optional: ref.optional === true });
  });
  return out;
}
