// A pod's containers as podlab runs them: command, env (literal values and their sources), envFrom, ports,
// workingDir, volumeMounts, resources. Types and unknown fields are the schema's (schema.ts); these are podlab's own
// checks on top (pure).
import type { ContainerPort, ContainerSpec, EnvFromSpec, EnvSource, EnvVarSpec, Protocol, VolumeMountSpec } from './types.js';
import type { DocCtx, Path } from './doc.js';
import { int, isObj, str, DNS_LABEL, PROTOCOLS } from './fields.js';

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

/** `hostNetwork`: the pod runs in the node's namespace, so each port is a host port (the API server defaults hostPort to
 *  containerPort and rejects a different one). */
export function parseContainers(ctx: DocCtx, raw: unknown, at: Path, dir: string, hostNetwork = false): ContainerSpec[] {
  const containers: ContainerSpec[] = [];
  if (!Array.isArray(raw) || raw.length === 0) {
    ctx.err(at, 'at least one container is required');
    return containers;
  }
  const cnames = new Set<string>();
  const ports = new Map<string, string>();
  const hostPorts = new Map<string, string>();
  raw.forEach((c: unknown, i: number) => {
    const p: Path = [...at, i];
    if (!isObj(c)) return ctx.err(p, 'must be a map with a name');
    const cn = str(ctx, c.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a container name (DNS label)', max: 63 });
    if (cn && cnames.has(cn)) ctx.err([...p, 'name'], `duplicate container "${cn}"`);
    if (cn) cnames.add(cn);
    const image = typeof c.image === 'string' ? c.image : undefined;
    // Their types are the schema's: a list that is not all strings is reported there.
    const strList = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
    const command = strList(c.command);
    const args = strList(c.args);
    if (command && command.length === 0) ctx.err([...p, 'command'], 'must not be empty (leave it out to run the built-in netexec server)');
    if (args && !command) ctx.err([...p, 'args'], 'args without command: the process runtime has no image entrypoint to pass them to');
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
      if (hostNetwork && port !== undefined) {
        if (hostPort !== undefined && hostPort !== port) ctx.err([...pp, 'hostPort'], `${hostPort} must match \`containerPort\` (${port}) when \`hostNetwork\` is true`);
        hostPort = port;
      }
      const proto = (pt.protocol ?? 'TCP') as string;
      if (!PROTOCOLS.includes(proto as Protocol)) ctx.err([...pp, 'protocol'], `"${proto}" is not a protocol (TCP, UDP or SCTP)`);
      const pname = str(ctx, pt.name, [...pp, 'name'], { re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, what: 'a port name (IANA_SVC_NAME)', max: 15 });
      if (port === undefined) return;
      const key = `${port}/${proto}`;
      const prev = ports.get(key);
      if (prev) ctx.err([...pp, 'containerPort'], `${key} is already declared by container "${prev}": containers of a pod share one network namespace, so two cannot bind the same port`);
      else ports.set(key, cn ?? `#${i}`);
      if (hostPort !== undefined) {
        // The API server's AccumulateUniqueHostPorts: one host port per protocol in the whole pod.
        const hk = `${hostPort}/${proto}`;
        const hprev = hostPorts.get(hk);
        if (hprev && !prev) ctx.err([...pp, 'hostPort'], `Duplicate value: "${hk}" (already a host port of container "${hprev}")`);
        else hostPorts.set(hk, cn ?? `#${i}`);
      }
      cports.push({ containerPort: port, protocol: proto as Protocol, name: pname, ...(hostPort !== undefined ? { hostPort } : {}) });
    });
    if (!command && cports.length === 0) ctx.err([...p, 'ports'], 'a container without command runs the built-in netexec server, which needs at least one port to listen on');
    const volumeMounts: VolumeMountSpec[] = [];
    if (Array.isArray(c.volumeMounts)) c.volumeMounts.forEach((m: unknown, j: number) => {
      if (!isObj(m) || typeof m.name !== 'string' || typeof m.mountPath !== 'string') return;
      if (!m.mountPath.startsWith('/')) ctx.err([...p, 'volumeMounts', j, 'mountPath'], `"${m.mountPath}" must be an absolute path`);
      if (typeof m.subPath === 'string' && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) ctx.err([...p, 'volumeMounts', j, 'subPath'], `"${m.subPath}" must be a relative path without ".."`);
      volumeMounts.push({ name: m.name, mountPath: m.mountPath, subPath: typeof m.subPath === 'string' && m.subPath ? m.subPath : undefined, readOnly: m.readOnly === true });
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
      name: cn ?? `#${i}`, image, command: command ? [...command, ...(args ?? [])] : undefined,
      env, ports: cports, workingDir: wd ? (wd.startsWith('/') ? wd : `${dir}/${wd}`) : dir,
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
