// kind: Pod (v1): the pods of the lab — metadata, nodeName, initContainers and containers (command, args, image,
// env, ports, workingDir, probes, lifecycle hooks, volumeMounts), restartPolicy, the grace period, hostname and
// hostAliases, volumes, and the runtime (annotation podlab.io/runtime).
import type { ContainerPort, ContainerSpec, HostAlias, PodSpec, Protocol, RestartPolicy, RuntimeName, VolumeSpec } from '../types.js';
import type { DocCtx, Path, RawDoc } from '../doc.js';
import { checkKeys, int, isObj, labels, str, DNS_LABEL, DNS_SUBDOMAIN, PROTOCOLS } from '../fields.js';
import { isIPv4 } from '../../net/ip.js';
import { processRun } from '../images.js';
import { parseLifecycle, parseProbe, PROBE_KINDS } from '../probes.js';
import { parseVolumeMounts, parseVolumes } from '../volumes.js';

/** Kubernetes fields accepted and ignored by podlab (a notice is printed). */
const IGNORED_CONTAINER_FIELDS = ['imagePullPolicy', 'resources', 'securityContext', 'terminationMessagePath', 'terminationMessagePolicy', 'stdin', 'stdinOnce', 'tty'];
const IGNORED_POD_FIELDS = ['serviceAccountName', 'automountServiceAccountToken', 'securityContext', 'enableServiceLinks'];
const CONTAINER_FIELDS = ['name', 'image', 'command', 'args', 'env', 'ports', 'workingDir', 'volumeMounts', 'lifecycle', ...PROBE_KINDS, ...IGNORED_CONTAINER_FIELDS];
export const RUNTIME_ANNOTATION = 'podlab.io/runtime';
export const RUNTIMES: readonly RuntimeName[] = ['process', 'docker'];
const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];

interface PodCtx {
  readonly ctx: DocCtx;
  readonly notices: string[];
  readonly who: string;
  readonly dir: string;
  readonly volumes: ReadonlySet<string>;
  /** "port/protocol" → container: containers (and sidecars) of a pod share one network namespace. */
  readonly ports: Map<string, string>;
  readonly names: Set<string>;
}

function strList(ctx: DocCtx, v: unknown, at: Path): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
    ctx.err(at, 'must be a list of strings');
    return undefined;
  }
  return v.map(String);
}

function parsePorts(pc: PodCtx, c: Record<string, unknown>, p: Path): ContainerPort[] {
  const { ctx } = pc;
  const cports: ContainerPort[] = [];
  if (c.ports === undefined) return cports;
  if (!Array.isArray(c.ports)) {
    ctx.err([...p, 'ports'], 'must be a list of {containerPort, protocol}');
    return cports;
  }
  c.ports.forEach((pt: unknown, j: number) => {
    const pp: Path = [...p, 'ports', j];
    if (!isObj(pt)) return ctx.err(pp, 'must be {containerPort, protocol}');
    checkKeys(ctx, pt, pp, ['containerPort', 'protocol', 'name', 'hostPort']);
    if (pt.hostPort !== undefined) ctx.err([...pp, 'hostPort'], 'hostPort is not supported by podlab');
    if (pt.containerPort === undefined) return ctx.err([...pp, 'containerPort'], 'is required');
    const port = int(ctx, pt.containerPort, [...pp, 'containerPort'], 1, 65535);
    const proto = (pt.protocol ?? 'TCP') as string;
    if (!PROTOCOLS.includes(proto as Protocol)) ctx.err([...pp, 'protocol'], `"${proto}" is not a protocol (TCP, UDP or SCTP)`);
    const pname = str(ctx, pt.name, [...pp, 'name'], { re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, what: 'a port name (IANA_SVC_NAME)', max: 15 });
    if (port === undefined) return;
    cports.push({ containerPort: port, protocol: proto as Protocol, name: pname });
  });
  return cports;
}

/** Ports two containers of the pod would both listen on (declared, or served by netexec for a known image). */
function claimPorts(pc: PodCtx, name: string, ports: readonly ContainerPort[], at: (i: number) => Path, served: boolean): void {
  for (const [i, pt] of ports.entries()) {
    const key = `${pt.containerPort}/${pt.protocol}`;
    const prev = pc.ports.get(key);
    if (prev) pc.ctx.err(at(i), `${key} is already ${served ? 'served' : 'declared'} by container "${prev}": containers of a pod share one network namespace, so two cannot bind the same port`);
    else pc.ports.set(key, name);
  }
}

/** One container; `kind` says which list it is in (init: a regular init container; sidecar: init with restartPolicy Always). */
function parseContainer(pc: PodCtx, c: unknown, p: Path, list: 'containers' | 'initContainers'): ContainerSpec | undefined {
  const { ctx } = pc;
  if (!isObj(c)) {
    ctx.err(p, 'must be a map with a name');
    return undefined;
  }
  checkKeys(ctx, c, p, list === 'initContainers' ? [...CONTAINER_FIELDS, 'restartPolicy'] : CONTAINER_FIELDS);
  const cn = str(ctx, c.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a container name (DNS label)', max: 63 });
  if (cn && pc.names.has(cn)) ctx.err([...p, 'name'], `duplicate container "${cn}" (containers and initContainers share one set of names)`);
  if (cn) pc.names.add(cn);
  const name = cn ?? `#${p.join('.')}`;
  for (const f of IGNORED_CONTAINER_FIELDS) {
    if (c[f] !== undefined) pc.notices.push(`${ctx.file}:${ctx.lineOf([...p, f])}: ${pc.who} container ${name}: "${f}" is ignored by podlab`);
  }
  let restartPolicy: 'Always' | undefined;
  if (c.restartPolicy !== undefined) {
    if (c.restartPolicy !== 'Always') ctx.err([...p, 'restartPolicy'], `${JSON.stringify(c.restartPolicy)}: an init container's restartPolicy can only be "Always" (a native sidecar)`);
    else restartPolicy = 'Always';
  }
  const regularInit = list === 'initContainers' && !restartPolicy;
  const image = str(ctx, c.image, [...p, 'image']);
  const entrypoint = strList(ctx, c.command, [...p, 'command']);
  const args = strList(ctx, c.args, [...p, 'args']);
  if (entrypoint && entrypoint.length === 0) ctx.err([...p, 'command'], 'must not be empty (leave it out to run what the image runs)');
  const env: Record<string, string> = {};
  if (c.env !== undefined) {
    if (!Array.isArray(c.env)) ctx.err([...p, 'env'], 'must be a list of {name, value}');
    else c.env.forEach((e: unknown, j: number) => {
      if (!isObj(e)) return ctx.err([...p, 'env', j], 'must be {name, value}');
      checkKeys(ctx, e, [...p, 'env', j], ['name', 'value']);
      const en = str(ctx, e.name, [...p, 'env', j, 'name'], { required: true, re: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/, what: 'an environment variable name' });
      if (en) env[en] = e.value === undefined || e.value === null ? '' : String(e.value);
    });
  }
  const ports = parsePorts(pc, c, p);
  const run = processRun({ image, command: entrypoint?.length ? entrypoint : undefined, args, ports }, regularInit);
  if (run.error) ctx.err([...p, 'args'], run.error);
  if (run.notice) pc.notices.push(`${ctx.file}:${ctx.lineOf(p)}: ${pc.who} container ${name}: ${run.notice}`);
  if (!regularInit) {
    claimPorts(pc, name, ports, (i) => [...p, 'ports', i, 'containerPort'], false);
    if (run.serve && run.serve !== ports) claimPorts(pc, name, run.serve, () => [...p, 'image'], true);
  }
  const probes: Partial<Record<(typeof PROBE_KINDS)[number], ContainerSpec['readinessProbe']>> = {};
  for (const k of PROBE_KINDS) {
    if (c[k] === undefined) continue;
    if (regularInit) {
      ctx.err([...p, k], `must not be set for an init container (only for containers and sidecars: restartPolicy: Always)`);
      continue;
    }
    const pr = parseProbe(ctx, c[k], [...p, k], k, ports);
    if (pr) probes[k] = pr;
  }
  if (regularInit && c.lifecycle !== undefined) ctx.err([...p, 'lifecycle'], 'must not be set for an init container (only for containers and sidecars: restartPolicy: Always)');
  const lifecycle = regularInit ? undefined : parseLifecycle(ctx, c.lifecycle, [...p, 'lifecycle'], ports);
  const volumeMounts = parseVolumeMounts(ctx, c.volumeMounts, [...p, 'volumeMounts'], pc.volumes, 'spec.volumes');
  const wd = str(ctx, c.workingDir, [...p, 'workingDir']);
  return {
    name, ...(image ? { image } : {}),
    ...(run.command ? { command: run.command } : {}),
    ...(entrypoint?.length ? { entrypoint } : {}), ...(args ? { args } : {}),
    env, ports, ...(run.serve ? { serve: run.serve } : {}), ...(run.idle ? { idle: true } : {}),
    workingDir: wd ? (wd.startsWith('/') ? wd : `${pc.dir}/${wd}`) : pc.dir,
    ...(wd?.startsWith('/') ? { writtenWorkingDir: wd } : {}),
    ...(restartPolicy ? { restartPolicy } : {}),
    ...probes, ...(lifecycle ? { lifecycle } : {}),
    ...(volumeMounts.length ? { volumeMounts } : {}),
  };
}

function parseHostAliases(ctx: DocCtx, v: unknown, at: Path): HostAlias[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    ctx.err(at, 'must be a list of {ip, hostnames}');
    return [];
  }
  const out: HostAlias[] = [];
  v.forEach((a: unknown, i: number) => {
    if (!isObj(a)) return ctx.err([...at, i], 'must be {ip, hostnames}');
    checkKeys(ctx, a, [...at, i], ['ip', 'hostnames']);
    const ip = str(ctx, a.ip, [...at, i, 'ip'], { required: true });
    if (ip !== undefined && !isIPv4(ip)) ctx.err([...at, i, 'ip'], `"${ip}" is not an IPv4 address`);
    const names = strList(ctx, a.hostnames, [...at, i, 'hostnames']) ?? [];
    names.forEach((n, j) => {
      if (!DNS_SUBDOMAIN.test(n)) ctx.err([...at, i, 'hostnames', j], `"${n}" is not a hostname (lower-case DNS subdomain)`);
    });
    if (ip && isIPv4(ip)) out.push({ ip, hostnames: names });
  });
  return out;
}

export function parsePod(d: RawDoc, notices: string[]): PodSpec | undefined {
  const { ctx, obj } = d;
  const before = ctx.problems.length;
  checkKeys(ctx, obj, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (obj.apiVersion !== 'v1') ctx.err(['apiVersion'], `must be "v1" for a Pod, got ${JSON.stringify(obj.apiVersion)}`);
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  if (!isObj(obj.metadata)) ctx.err(['metadata'], 'is required');
  checkKeys(ctx, meta, ['metadata'], ['name', 'namespace', 'labels', 'annotations']);
  const name = str(ctx, meta.name, ['metadata', 'name'], { required: true, re: DNS_SUBDOMAIN, what: 'a Pod name (lower-case DNS subdomain)', max: 253 });
  const namespace = str(ctx, meta.namespace, ['metadata', 'namespace'], { re: DNS_LABEL, what: 'a namespace name (DNS label)', max: 63 }) ?? 'default';
  const lbls = labels(ctx, meta.labels, ['metadata', 'labels']);
  const annotations: Record<string, string> = {};
  if (meta.annotations !== undefined) {
    if (!isObj(meta.annotations)) ctx.err(['metadata', 'annotations'], 'must be a map of string to string');
    else for (const [k, v] of Object.entries(meta.annotations)) {
      if (typeof v !== 'string') ctx.err(['metadata', 'annotations', k], 'annotation values must be strings');
      else annotations[k] = v;
    }
  }
  let runtime: RuntimeName | undefined;
  const ra = annotations[RUNTIME_ANNOTATION];
  if (ra !== undefined) {
    if (!(RUNTIMES as readonly string[]).includes(ra)) ctx.err(['metadata', 'annotations', RUNTIME_ANNOTATION], `"${ra}" is not a runtime (one of: ${RUNTIMES.join(', ')})`);
    else runtime = ra as RuntimeName;
  }
  const spec = obj.spec;
  if (!isObj(spec)) {
    ctx.err(['spec'], 'is required (spec.containers lists what runs in the pod)');
    return undefined;
  }
  checkKeys(ctx, spec, ['spec'], ['nodeName', 'containers', 'initContainers', 'restartPolicy', 'terminationGracePeriodSeconds', 'hostname', 'subdomain', 'hostAliases', 'volumes', ...IGNORED_POD_FIELDS]);
  const who = `Pod ${namespace}/${name ?? '?'}`;
  for (const f of IGNORED_POD_FIELDS) if (spec[f] !== undefined) notices.push(`${ctx.file}:${ctx.lineOf(['spec', f])}: ${who}: "spec.${f}" is ignored by podlab`);
  const nodeName = str(ctx, spec.nodeName, ['spec', 'nodeName']);
  let restartPolicy: RestartPolicy = 'Always';
  if (spec.restartPolicy !== undefined) {
    if (!(RESTART_POLICIES as readonly unknown[]).includes(spec.restartPolicy)) ctx.err(['spec', 'restartPolicy'], `${JSON.stringify(spec.restartPolicy)} is not a restart policy (Always, OnFailure or Never)`);
    else restartPolicy = spec.restartPolicy as RestartPolicy;
  }
  const grace = int(ctx, spec.terminationGracePeriodSeconds, ['spec', 'terminationGracePeriodSeconds'], 0, 86_400);
  const hostname = str(ctx, spec.hostname, ['spec', 'hostname'], { re: DNS_LABEL, what: 'a hostname (DNS label)', max: 63 });
  const subdomain = str(ctx, spec.subdomain, ['spec', 'subdomain'], { re: DNS_LABEL, what: 'a subdomain (DNS label)', max: 63 });
  const hostAliases = parseHostAliases(ctx, spec.hostAliases, ['spec', 'hostAliases']);
  const volumes: VolumeSpec[] = parseVolumes(ctx, spec.volumes, ['spec', 'volumes']);
  const volumeNames = new Set(Array.isArray(spec.volumes) ? spec.volumes.map((v: unknown) => (isObj(v) && typeof v.name === 'string' ? v.name : '')).filter(Boolean) : []);
  const pc: PodCtx = { ctx, notices, who, dir: d.dir, volumes: volumeNames, ports: new Map(), names: new Set() };

  const initContainers: ContainerSpec[] = [];
  if (spec.initContainers !== undefined) {
    if (!Array.isArray(spec.initContainers)) ctx.err(['spec', 'initContainers'], 'must be a list of containers');
    else spec.initContainers.forEach((c: unknown, i: number) => {
      const x = parseContainer(pc, c, ['spec', 'initContainers', i], 'initContainers');
      if (x) initContainers.push(x);
    });
  }
  const containers: ContainerSpec[] = [];
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) ctx.err(['spec', 'containers'], 'at least one container is required');
  else spec.containers.forEach((c: unknown, i: number) => {
    const x = parseContainer(pc, c, ['spec', 'containers', i], 'containers');
    if (x) containers.push(x);
  });
  if (ctx.problems.length > before || !name) return undefined;
  return {
    namespace, name, labels: lbls, ...(Object.keys(annotations).length ? { annotations } : {}), nodeName, containers,
    ...(initContainers.length ? { initContainers } : {}),
    ...(spec.restartPolicy !== undefined ? { restartPolicy } : {}),
    ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
    ...(hostname ? { hostname } : {}), ...(subdomain ? { subdomain } : {}),
    ...(hostAliases.length ? { hostAliases } : {}), ...(volumes.length ? { volumes } : {}),
    ...(runtime ? { runtime } : {}),
    origin: { file: ctx.file, line: ctx.lineOf([]) ?? 1 },
  };
}

/** The pod's restartPolicy (Always unless written). */
export const restartPolicyOf = (p: { restartPolicy?: RestartPolicy }): RestartPolicy => p.restartPolicy ?? 'Always';
/** Kubernetes' default grace period: 30 s. */
export const gracePeriodOf = (p: { terminationGracePeriodSeconds?: number }): number => p.terminationGracePeriodSeconds ?? 30;
