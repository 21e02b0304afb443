// What a pod reads from ConfigMaps, Secrets and the downward API (pure), as kubelet resolves it: `envFrom` first, then
// `env` in order (later entries win, $(VAR) expands to an earlier one), and configMap / secret / downwardAPI /
// projected volumes as the files kubelet would write. A missing object or key is not a problem of the files —
// Kubernetes accepts the pod — but kubelet cannot start it: configIssue() gives kubelet's reason and the pod stays
// Pending until the object is applied, unless the reference is `optional: true`.
import type { ConfigMapSpec, ContainerSpec, DownwardItem, EnvSource, LabSpec, PodSpec, ProjectionSpec, SecretSpec } from '../input/types.js';
import { uidFor } from './workloads/names.js';

/** What kubelet takes as a container's limits when none is set: the node's allocatable (podlab's nodes are this big). */
export const NODE_ALLOCATABLE: Readonly<Record<string, string>> = { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' };

/** A file of a volume, as kubelet writes it (content base64, byte for byte; mode as an octal number like 0o644). */
export interface VolumeFile {
  readonly path: string;
  readonly base64: string;
  readonly mode: number;
}

/**
 * A pod's volume with everything the runtime needs to provide it. `files`: configMap, secret, downwardAPI and
 * projected volumes — write these files into a fresh directory and mount it (read-only, as kubelet does). `dir`:
 * persistentVolumeClaim — a directory under the lab's folder, named by the claim, that outlives the pod.
 */
export type ResolvedVolume =
  | { readonly name: string; readonly type: 'files'; readonly kind: string; readonly files: readonly VolumeFile[] }
  | { readonly name: string; readonly type: 'emptyDir'; readonly medium?: string; readonly sizeLimit?: string }
  | { readonly name: string; readonly type: 'hostPath'; readonly path: string; readonly hostType?: string }
  | { readonly name: string; readonly type: 'persistentVolumeClaim'; readonly claimName: string; readonly dir: string; readonly readOnly: boolean }
  | { readonly name: string; readonly type: 'other'; readonly kind: string };

export interface ConfigObjects {
  readonly configMaps: ReadonlyMap<string, ConfigMapSpec>;
  readonly secrets: ReadonlyMap<string, SecretSpec>;
}

export function configObjects(lab: Pick<LabSpec, 'configMaps' | 'secrets'>): ConfigObjects {
  return {
    configMaps: new Map((lab.configMaps ?? []).map((c) => [`${c.namespace}/${c.name}`, c])),
    secrets: new Map((lab.secrets ?? []).map((s) => [`${s.namespace}/${s.name}`, s])),
  };
}

/** Why kubelet cannot start the pod's containers (a reference to a missing object or key), or undefined. */
export function configIssue(p: PodSpec, o: ConfigObjects): string | undefined {
  for (const c of [...(p.initContainers ?? []), ...p.containers]) {
    for (const e of c.envFrom ?? []) {
      if (e.optional) continue;
      const found = e.kind === 'configMap' ? o.configMaps.has(`${p.namespace}/${e.name}`) : o.secrets.has(`${p.namespace}/${e.name}`);
      if (!found) return `CreateContainerConfigError: ${e.kind === 'configMap' ? 'configmap' : 'secret'} "${e.name}" not found`;
    }
    for (const e of c.envVars ?? []) {
      const s = e.valueFrom;
      if (!s || (s.kind !== 'configMapKeyRef' && s.kind !== 'secretKeyRef') || s.optional) continue;
      const cm = s.kind === 'configMapKeyRef';
      const obj = cm ? o.configMaps.get(`${p.namespace}/${s.name}`) : o.secrets.get(`${p.namespace}/${s.name}`);
      if (!obj) return `CreateContainerConfigError: ${cm ? 'configmap' : 'secret'} "${s.name}" not found`;
      const has = cm ? s.key in (obj as ConfigMapSpec).data || s.key in (obj as ConfigMapSpec).binaryData : s.key in (obj as SecretSpec).data;
      if (!has) return `CreateContainerConfigError: couldn't find key ${s.key} in ${cm ? 'ConfigMap' : 'Secret'} ${p.namespace}/${s.name}`;
    }
  }
  for (const v of p.volumes ?? []) {
    if (v.source.type !== 'projected') continue;
    for (const s of v.source.sources) {
      if (s.type === 'downwardAPI' || s.optional) continue;
      const cm = s.type === 'configMap';
      const obj = cm ? o.configMaps.get(`${p.namespace}/${s.name}`) : o.secrets.get(`${p.namespace}/${s.name}`);
      const what = cm ? 'configmap' : 'secret';
      if (!obj) return `ContainerCreating: MountVolume.SetUp failed for volume "${v.name}" : ${what} "${s.name}" not found`;
      const keys = cm ? { ...(obj as ConfigMapSpec).data, ...(obj as ConfigMapSpec).binaryData } : (obj as SecretSpec).data;
      const missing = (s.items ?? []).find((i) => !(i.key in keys));
      if (missing) return `ContainerCreating: MountVolume.SetUp failed for volume "${v.name}" : ${what} references non-existent ${cm ? 'config' : 'secret'} key: ${missing.key}`;
    }
  }
  return undefined;
}

/** What the downward API knows of a placed pod. */
export interface PodFacts {
  readonly cluster: string;
  readonly ip: string;
  readonly node: string;
  readonly hostIP: string;
}

function fieldValue(p: PodSpec, f: PodFacts, path: string): string {
  const m = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? p.labels : p.annotations ?? {})[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return p.name;
    case 'metadata.namespace': return p.namespace;
    case 'metadata.uid': return uidFor(`${f.cluster}/pod/${p.namespace}/${p.name}`);
    case 'metadata.labels': return kvLines(p.labels);
    case 'metadata.annotations': return kvLines(p.annotations ?? {});
    case 'spec.nodeName': return f.node;
    case 'spec.serviceAccountName': return 'default';
    case 'status.podIP': case 'status.podIPs': return f.ip;
    case 'status.hostIP': case 'status.hostIPs': return f.hostIP;
    default: return '';
  }
}

/** The downward API's file format for labels and annotations: key="value" lines, sorted by key. */
function kvLines(m: Readonly<Record<string, string>>): string {
  return Object.keys(m).sort().map((k) => `${k}=${JSON.stringify(m[k])}`).join('\n');
}

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("100m", "64Mi", "1.5", "2e3") as a number. */
export function parseQuantity(q: string): number {
  const m = /^([+-]?[0-9.]+)(e[+-]?\d+|[a-zA-Z]*)$/.exec(q.trim());
  if (!m) return NaN;
  const [, num, unit] = m as unknown as [string, string, string];
  if (unit.startsWith('e')) return Number(num + unit);
  const mult = SUFFIX[unit];
  return mult === undefined ? NaN : Number(num) * mult;
}

function resourceValue(p: PodSpec, self: ContainerSpec, r: { resource: string; containerName?: string; divisor?: string }): string {
  const c = r.containerName ? p.containers.find((x) => x.name === r.containerName) ?? self : self;
  const [kind, name] = r.resource.split('.') as ['limits' | 'requests', string];
  const given = kind === 'limits' ? c.resources?.limits?.[name] : c.resources?.requests?.[name] ?? c.resources?.limits?.[name];
  const q = given ?? (kind === 'limits' ? NODE_ALLOCATABLE[name] : '0') ?? '0';
  const div = parseQuantity(r.divisor ?? '1') || 1;
  return String(Math.ceil(parseQuantity(q) / div - 1e-9));
}

/** $(VAR) → an earlier variable's value; $$(VAR) → $(VAR); an unknown $(VAR) stays as written (kubelet's expansion). */
export function expand(s: string, env: Readonly<Record<string, string>>): string {
  return s.replace(/\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (all, name: string | undefined) => (name === undefined ? '$' : env[name] ?? all));
}

function sourceValue(p: PodSpec, c: ContainerSpec, s: EnvSource, f: PodFacts, o: ConfigObjects): string | undefined {
  switch (s.kind) {
    case 'configMapKeyRef': return o.configMaps.get(`${p.namespace}/${s.name}`)?.data[s.key];
    case 'secretKeyRef': return o.secrets.get(`${p.namespace}/${s.name}`)?.data[s.key];
    case 'fieldRef': return fieldValue(p, f, s.fieldPath);
    case 'resourceFieldRef': return resourceValue(p, c, s);
  }
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The containers of a placed pod (or `list`: its initContainers) with their environment resolved (call only when
 * configIssue() found nothing).
 */
export function resolveContainers(p: PodSpec, f: PodFacts, o: ConfigObjects, list: readonly ContainerSpec[] = p.containers): ContainerSpec[] {
  return list.map((c) => {
    if (!c.envFrom && !c.envVars) return c;
    const env: Record<string, string> = {};
    for (const e of c.envFrom ?? []) {
      const data = e.kind === 'configMap' ? o.configMaps.get(`${p.namespace}/${e.name}`)?.data : o.secrets.get(`${p.namespace}/${e.name}`)?.data;
      for (const [k, v] of Object.entries(data ?? {})) if (ENV_NAME.test(e.prefix + k)) env[e.prefix + k] = v; // invalid names are skipped, as kubelet does
    }
    const vars: readonly { name: string; value?: string; valueFrom?: EnvSource }[] = c.envVars ?? Object.entries(c.env).map(([name, value]) => ({ name, value }));
    for (const e of vars) {
      if (e.valueFrom) {
        const v = sourceValue(p, c, e.valueFrom, f, o);
        if (v !== undefined) env[e.name] = v;
      } else env[e.name] = expand(e.value ?? '', env);
    }
    return { ...c, env };
  });
}

const FILE_MODE = 0o644;

function projectionFiles(p: PodSpec, s: ProjectionSpec, f: PodFacts, o: ConfigObjects, defaultMode: number): VolumeFile[] {
  if (s.type === 'downwardAPI') {
    return s.items.map((i: DownwardItem) => {
      const text = i.fieldRef !== undefined ? fieldValue(p, f, i.fieldRef) : i.resourceFieldRef ? resourceValue(p, p.containers[0]!, i.resourceFieldRef) : '';
      return { path: i.path, base64: Buffer.from(text, 'utf8').toString('base64'), mode: i.mode ?? defaultMode };
    });
  }
  const all: Record<string, string> = {};
  if (s.type === 'configMap') {
    const cm = o.configMaps.get(`${p.namespace}/${s.name}`);
    for (const [k, v] of Object.entries(cm?.data ?? {})) all[k] = Buffer.from(v, 'utf8').toString('base64');
    Object.assign(all, cm?.binaryData ?? {});
  } else Object.assign(all, o.secrets.get(`${p.namespace}/${s.name}`)?.base64 ?? {});
  const items = s.items ?? Object.keys(all).sort().map((key) => ({ key, path: key }));
  return items.filter((i) => all[i.key] !== undefined).map((i) => ({ path: i.path, base64: all[i.key]!, mode: ('mode' in i && i.mode !== undefined ? i.mode : undefined) ?? defaultMode }));
}

/** The pod's volumes as the runtime provides them. `claims`: the folder (under the lab's) of persistent claims. */
export function resolveVolumes(p: PodSpec, f: PodFacts, o: ConfigObjects): ResolvedVolume[] {
  return (p.volumes ?? []).map((v): ResolvedVolume => {
    const s = v.source;
    switch (s.type) {
      case 'projected': return { name: v.name, type: 'files', kind: v.kind, files: s.sources.flatMap((x) => projectionFiles(p, x, f, o, s.defaultMode ?? FILE_MODE)) };
      case 'emptyDir': return { name: v.name, type: 'emptyDir', ...(s.medium ? { medium: s.medium } : {}), ...(s.sizeLimit ? { sizeLimit: s.sizeLimit } : {}) };
      case 'hostPath': return { name: v.name, type: 'hostPath', path: s.path, ...(s.hostType ? { hostType: s.hostType } : {}) };
      case 'persistentVolumeClaim': return { name: v.name, type: 'persistentVolumeClaim', claimName: s.claimName, dir: `volumes/${p.namespace}/${s.claimName}`, readOnly: s.readOnly };
      case 'other': return { name: v.name, type: 'other', kind: s.kind };
    }
  });
}

/** Where kubelet mounts a pod's service account volume in every container. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The service account volume Kubernetes adds to every pod (the ServiceAccount admission plugin's kube-api-access-*
 * projected volume), unless automountServiceAccountToken is false or the pod is podlab's own. podlab has no API
 * server, so only its `namespace` file is there (scripts read it, as the init container example of the Kubernetes
 * docs does); `token` and `ca.crt` are left out rather than faked.
 */
export function serviceAccountVolume(p: Pick<PodSpec, 'namespace' | 'name' | 'automountServiceAccountToken' | 'system' | 'hostNetwork'>): ResolvedVolume | undefined {
  if (p.automountServiceAccountToken === false || p.system) return undefined;
  return { name: 'kube-api-access', type: 'files', kind: 'projected', files: [{ path: 'namespace', base64: Buffer.from(p.namespace).toString('base64'), mode: FILE_MODE }] };
}
