// The body of a pod, shared by kind: Pod and every pod template: initContainers and containers, restartPolicy and
// the grace period, scheduling fields, volumes, hostname/subdomain/hostAliases, the runtime (annotation
// podlab.io/runtime). The schema (schema.ts) has checked types and rejected unknown fields; this reads the values
// podlab uses and adds podlab's own checks (pure).
import type {
  AffinitySpec, LabelSelectorSpec, NodeSelectorRequirement, NodeSelectorTerm, PodAffinityTerm, PodBody, ProjectionSpec,
  Toleration, TopologySpreadConstraint, VolumeSpec, KeyToPath, DownwardItem, DnsPolicy, HostAlias, RestartPolicy, RuntimeName,
} from './types.js';
import type { DocCtx, Path } from './doc.js';
import { bool, int, isObj, labels, str, DNS_LABEL, DNS_SUBDOMAIN } from './fields.js';
import { parseContainers, fieldRefOk, newContainerScope } from './containers.js';
import { isIPv4 } from '../net/ip.js';

const DNS_POLICIES: readonly DnsPolicy[] = ['ClusterFirst', 'Default'];
export const RUNTIME_ANNOTATION = 'podlab.io/runtime';
export const RUNTIMES: readonly RuntimeName[] = ['process', 'docker'];

/**
 * The runtime that runs a pod: its annotation podlab.io/runtime, else the Cluster's spec.runtime, else process. A
 * hostNetwork pod is always a process pod: its processes run in its node's namespace, which Docker cannot give a
 * container (a node is a namespace of podlab's, not the host's; the engine only knows "host", "none" and
 * "container:"). System pods are run by their component.
 */
export function effectiveRuntime(p: { runtime?: RuntimeName; hostNetwork?: boolean; system?: string }, cluster: { runtime?: RuntimeName }): RuntimeName | undefined {
  if (p.system) return undefined;
  if (p.hostNetwork) return 'process';
  return p.runtime ?? cluster.runtime;
}

/** The notice for a hostNetwork pod that asks for Docker (it runs as a process pod), or undefined. */
export function hostNetworkRuntimeNotice(p: { runtime?: RuntimeName; hostNetwork?: boolean; system?: string }, cluster: { runtime?: RuntimeName }, who: string): string | undefined {
  if (p.system || !p.hostNetwork || (p.runtime ?? cluster.runtime) !== 'docker') return undefined;
  return `${who}: a hostNetwork pod runs as a process pod in its node's namespace, not in Docker (a container cannot join a node's namespace); its containers' images are not run (see docs/runtime.md)`;
}

/** The pod's restartPolicy (Always unless written). */
export const restartPolicyOf = (p: { restartPolicy?: RestartPolicy }): RestartPolicy => p.restartPolicy ?? 'Always';
/** Kubernetes' default grace period: 30 s. */
export const gracePeriodOf = (p: { terminationGracePeriodSeconds?: number }): number => p.terminationGracePeriodSeconds ?? 30;

const strMap = (v: unknown): Record<string, string> | undefined =>
  isObj(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string') as [string, string][]) : undefined;
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const items = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObj) : []);

/**
 * `claims`: volume names a StatefulSet's volumeClaimTemplates add to every pod. `notices`: where what the containers'
 * images make podlab do is said (a known server run by netexec, an unknown image run idle).
 */
export function parsePodBody(ctx: DocCtx, spec: Record<string, unknown>, at: Path, dir: string, lbls: Record<string, string>, annotations?: Record<string, string>, claims: readonly string[] = [], notices: string[] = ctx.notices): PodBody {
  const hostNetwork = bool(ctx, spec.hostNetwork, [...at, 'hostNetwork']) ?? false;
  const scope = newContainerScope(ctx.label, notices, hostNetwork);
  const initContainers = parseContainers(ctx, spec.initContainers, [...at, 'initContainers'], dir, 'initContainers', scope);
  const containers = parseContainers(ctx, spec.containers, [...at, 'containers'], dir, 'containers', scope);
  const grace = int(ctx, spec.terminationGracePeriodSeconds, [...at, 'terminationGracePeriodSeconds'], 0, 86_400);
  const hostAliases = parseHostAliases(ctx, spec.hostAliases, [...at, 'hostAliases']);
  let runtime: RuntimeName | undefined;
  const ra = annotations?.[RUNTIME_ANNOTATION];
  if (ra !== undefined) {
    const ap: Path = [...at.slice(0, -1), 'metadata', 'annotations', RUNTIME_ANNOTATION];
    if (!(RUNTIMES as readonly string[]).includes(ra)) ctx.err(ap, `"${ra}" is not a runtime (one of: ${RUNTIMES.join(', ')})`);
    else runtime = ra as RuntimeName;
  }
  const nodeName = str(ctx, spec.nodeName, [...at, 'nodeName']);
  const hostname = str(ctx, spec.hostname, [...at, 'hostname'], { re: DNS_LABEL, what: 'a hostname (DNS label)', max: 63 });
  const subdomain = str(ctx, spec.subdomain, [...at, 'subdomain'], { re: DNS_LABEL, what: 'a subdomain (DNS label)', max: 63 });
  const enableServiceLinks = bool(ctx, spec.enableServiceLinks, [...at, 'enableServiceLinks']) ?? true;
  const automount = bool(ctx, spec.automountServiceAccountToken, [...at, 'automountServiceAccountToken']);
  const asked = (spec.dnsPolicy ?? 'ClusterFirst') as string;
  // Values Kubernetes does not know are the schema's (schema.ts); these two it knows and podlab does not do.
  // ClusterFirstWithHostNet off the host network is ClusterFirst (kubelet's reading); on it, the pod's processes
  // would need the cluster's resolv.conf in the node's namespace, which podlab's per-namespace files cannot give.
  if (asked === 'None' || (asked === 'ClusterFirstWithHostNet' && hostNetwork)) {
    ctx.err([...at, 'dnsPolicy'], `dnsPolicy "${asked}"${hostNetwork ? ' on a hostNetwork pod' : ''} is not supported by this version of podlab (supported: ${DNS_POLICIES.join(', ')}${hostNetwork ? '; a hostNetwork pod gets the node\'s resolv.conf' : ''})`);
  }
  const dnsPolicy = asked === 'ClusterFirstWithHostNet' ? 'ClusterFirst' : asked;
  const volumes = parseVolumes(ctx, spec.volumes, [...at, 'volumes']);
  const names = new Set([...volumes.map((v) => v.name), ...claims]);
  for (const [list, cs] of [['initContainers', initContainers], ['containers', containers]] as const) {
    cs.forEach((c, i) => c.volumeMounts?.forEach((m, j) => {
      if (!names.has(m.name)) ctx.err([...at, list, i, 'volumeMounts', j, 'name'], `no volume named "${m.name}" in ${[...at, 'volumes'].join('.')}${names.size ? ` (volumes: ${[...names].join(', ')})` : ''}`);
    }));
  }
  const affinity = isObj(spec.affinity) ? parseAffinity(spec.affinity) : undefined;
  const tolerations = items(spec.tolerations).map(parseToleration);
  items(spec.tolerations).forEach((t, i) => {
    if (t.operator === 'Exists' && typeof t.value === 'string' && t.value !== '') ctx.err([...at, 'tolerations', i, 'value'], 'must be empty when `operator` is "Exists"');
    if ((t.key === undefined || t.key === '') && t.operator !== 'Exists') ctx.err([...at, 'tolerations', i, 'operator'], 'must be "Exists" when `key` is empty, which means "match all values and all keys"');
  });
  const spread: TopologySpreadConstraint[] = items(spec.topologySpreadConstraints).map((c, i) => {
    if (typeof c.maxSkew === 'number' && c.maxSkew < 1) ctx.err([...at, 'topologySpreadConstraints', i, 'maxSkew'], `${c.maxSkew} must be greater than zero`);
    return {
      maxSkew: typeof c.maxSkew === 'number' ? c.maxSkew : 1, topologyKey: String(c.topologyKey ?? ''),
      whenUnsatisfiable: c.whenUnsatisfiable === 'ScheduleAnyway' ? 'ScheduleAnyway' : 'DoNotSchedule',
      labelSelector: selectorOf(c.labelSelector), matchLabelKeys: strs(c.matchLabelKeys),
      minDomains: typeof c.minDomains === 'number' ? c.minDomains : undefined,
    };
  });
  const rp = spec.restartPolicy;
  return {
    labels: lbls, ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
    nodeName, containers,
    ...(initContainers.length ? { initContainers } : {}),
    ...(isObj(spec.nodeSelector) ? { nodeSelector: strMap(spec.nodeSelector) } : {}),
    ...(affinity ? { affinity } : {}),
    ...(tolerations.length ? { tolerations } : {}),
    ...(spread.length ? { topologySpreadConstraints: spread } : {}),
    ...(hostname ? { hostname } : {}), ...(subdomain ? { subdomain } : {}),
    ...(hostAliases.length ? { hostAliases } : {}),
    ...(hostNetwork ? { hostNetwork } : {}),
    enableServiceLinks, ...(automount === false ? { automountServiceAccountToken: false } : {}), dnsPolicy: dnsPolicy as DnsPolicy,
    ...(volumes.length ? { volumes } : {}),
    ...(rp === 'Always' || rp === 'OnFailure' || rp === 'Never' ? { restartPolicy: rp } : {}),
    ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
    ...(runtime ? { runtime } : {}),
  };
}

function parseHostAliases(ctx: DocCtx, v: unknown, at: Path): HostAlias[] {
  const out: HostAlias[] = [];
  items(v).forEach((a, i) => {
    const ip = str(ctx, a.ip, [...at, i, 'ip'], { required: true });
    if (ip !== undefined && !isIPv4(ip)) ctx.err([...at, i, 'ip'], `"${ip}" is not an IPv4 address`);
    const names = strs(a.hostnames);
    names.forEach((n, j) => {
      if (!DNS_SUBDOMAIN.test(n)) ctx.err([...at, i, 'hostnames', j], `"${n}" is not a hostname (lower-case DNS subdomain)`);
    });
    if (ip && isIPv4(ip)) out.push({ ip, hostnames: names });
  });
  return out;
}

/** metadata.labels/annotations of a pod or template. */
export function podMeta(ctx: DocCtx, meta: Record<string, unknown>, at: Path): { labels: Record<string, string>; annotations: Record<string, string> } {
  return { labels: labels(ctx, meta.labels, [...at, 'labels']), annotations: strMap(meta.annotations) ?? {} };
}

export function selectorOf(v: unknown): LabelSelectorSpec | undefined {
  if (!isObj(v)) return undefined;
  return {
    ...(isObj(v.matchLabels) ? { matchLabels: strMap(v.matchLabels) } : {}),
    ...(Array.isArray(v.matchExpressions) ? {
      matchExpressions: items(v.matchExpressions).map((e) => ({ key: String(e.key), operator: e.operator as 'In', values: strs(e.values) })),
    } : {}),
  };
}

function nodeReqs(v: unknown): NodeSelectorRequirement[] {
  return items(v).map((e) => ({ key: String(e.key), operator: e.operator as NodeSelectorRequirement['operator'], values: strs(e.values) }));
}
function nodeTerm(v: Record<string, unknown>): NodeSelectorTerm {
  return { matchExpressions: nodeReqs(v.matchExpressions), matchFields: nodeReqs(v.matchFields) };
}
function podTerm(v: Record<string, unknown>): PodAffinityTerm {
  return {
    labelSelector: selectorOf(v.labelSelector), topologyKey: String(v.topologyKey ?? ''),
    ...(Array.isArray(v.namespaces) && v.namespaces.length ? { namespaces: strs(v.namespaces) } : {}),
    ...(isObj(v.namespaceSelector) ? { namespaceSelector: selectorOf(v.namespaceSelector) } : {}),
  };
}

function parseAffinity(a: Record<string, unknown>): AffinitySpec | undefined {
  const na = isObj(a.nodeAffinity) ? a.nodeAffinity : {};
  const pa = isObj(a.podAffinity) ? a.podAffinity : {};
  const aa = isObj(a.podAntiAffinity) ? a.podAntiAffinity : {};
  const req = isObj(na.requiredDuringSchedulingIgnoredDuringExecution) ? na.requiredDuringSchedulingIgnoredDuringExecution : undefined;
  const weighted = (v: unknown) => items(v).filter((w) => isObj(w.podAffinityTerm)).map((w) => ({ weight: Number(w.weight ?? 1), term: podTerm(w.podAffinityTerm as Record<string, unknown>) }));
  const out: AffinitySpec = {
    ...(req ? { nodeRequired: items(req.nodeSelectorTerms).map(nodeTerm) } : {}),
    ...(Array.isArray(na.preferredDuringSchedulingIgnoredDuringExecution) ? {
      nodePreferred: items(na.preferredDuringSchedulingIgnoredDuringExecution).filter((p) => isObj(p.preference)).map((p) => ({ weight: Number(p.weight ?? 1), preference: nodeTerm(p.preference as Record<string, unknown>) })),
    } : {}),
    ...(Array.isArray(pa.requiredDuringSchedulingIgnoredDuringExecution) ? { podRequired: items(pa.requiredDuringSchedulingIgnoredDuringExecution).map(podTerm) } : {}),
    ...(Array.isArray(pa.preferredDuringSchedulingIgnoredDuringExecution) ? { podPreferred: weighted(pa.preferredDuringSchedulingIgnoredDuringExecution) } : {}),
    ...(Array.isArray(aa.requiredDuringSchedulingIgnoredDuringExecution) ? { antiRequired: items(aa.requiredDuringSchedulingIgnoredDuringExecution).map(podTerm) } : {}),
    ...(Array.isArray(aa.preferredDuringSchedulingIgnoredDuringExecution) ? { antiPreferred: weighted(aa.preferredDuringSchedulingIgnoredDuringExecution) } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

function parseToleration(t: Record<string, unknown>): Toleration {
  return {
    ...(typeof t.key === 'string' && t.key ? { key: t.key } : {}),
    operator: t.operator === 'Exists' ? 'Exists' : 'Equal',
    ...(typeof t.value === 'string' ? { value: t.value } : {}),
    ...(t.effect === 'NoSchedule' || t.effect === 'PreferNoSchedule' || t.effect === 'NoExecute' ? { effect: t.effect } : {}),
  };
}

function keyToPaths(ctx: DocCtx, v: unknown, at: Path): KeyToPath[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return items(v).map((x, i) => {
    const path = String(x.path ?? '');
    checkRelPath(ctx, path, [...at, i, 'path']);
    return { key: String(x.key ?? ''), path, ...(typeof x.mode === 'number' ? { mode: fileMode(ctx, x.mode, [...at, i, 'mode']) } : {}) };
  });
}

function checkRelPath(ctx: DocCtx, p: string, at: Path): void {
  if (p.startsWith('/') || p.split('/').includes('..') || p === '') ctx.err(at, `"${p}" must be a relative path without ".." (a file inside the volume)`);
}

function downwardItems(ctx: DocCtx, v: unknown, at: Path): DownwardItem[] {
  return items(v).map((x, i) => {
    const path = String(x.path ?? '');
    checkRelPath(ctx, path, [...at, i, 'path']);
    const fr = isObj(x.fieldRef) ? String(x.fieldRef.fieldPath ?? '') : undefined;
    if (fr !== undefined && !fieldRefOk(fr, true)) ctx.err([...at, i, 'fieldRef', 'fieldPath'], `"${fr}" is not a field a downwardAPI volume gives (metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations)`);
    const rf = isObj(x.resourceFieldRef) ? x.resourceFieldRef : undefined;
    return {
      path, ...(fr !== undefined ? { fieldRef: fr } : {}),
      ...(rf ? { resourceFieldRef: { resource: String(rf.resource ?? ''), containerName: typeof rf.containerName === 'string' ? rf.containerName : undefined, divisor: rf.divisor === undefined ? undefined : String(rf.divisor) } } : {}),
      ...(typeof x.mode === 'number' ? { mode: fileMode(ctx, x.mode, [...at, i, 'mode']) } : {}),
    };
  });
}

/**
 * A file mode. Kubernetes reads manifests as YAML 1.1, where 0644 is octal; podlab's reader is YAML 1.2, where 0644 is
 * the decimal 644. Every mode above 0777 (511) is refused, so that difference can never pass silently.
 */
function fileMode(ctx: DocCtx, m: number, at: Path): number {
  if (!Number.isInteger(m) || m < 0 || m > 0o777) ctx.err(at, `${m} is not a file mode (0-511, i.e. 0o0-0o777): write it in decimal (420 for rw-r--r--) or as 0o644 — podlab reads YAML 1.2, where 0644 is the decimal 644`);
  return m;
}

function parseVolumes(ctx: DocCtx, raw: unknown, at: Path): VolumeSpec[] {
  const out: VolumeSpec[] = [];
  const seen = new Set<string>();
  items(raw).forEach((v, i) => {
    const p: Path = [...at, i];
    const name = str(ctx, v.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a volume name (DNS label)', max: 63 });
    if (!name) return;
    if (seen.has(name)) ctx.err([...p, 'name'], `duplicate volume "${name}"`);
    seen.add(name);
    const types = Object.keys(v).filter((k) => k !== 'name');
    if (types.length !== 1) return ctx.err(p, types.length ? `may have only one volume type, got ${types.join(', ')}` : 'must have a volume type (emptyDir, configMap, secret, …)');
    const kind = types[0]!;
    const body = isObj(v[kind]) ? (v[kind] as Record<string, unknown>) : {};
    if (typeof body.defaultMode === 'number') fileMode(ctx, body.defaultMode, [...p, kind, 'defaultMode']);
    const source = ((): VolumeSpec['source'] => {
      if (kind === 'configMap') return { type: 'projected', sources: [{ type: 'configMap', name: String(body.name ?? ''), items: keyToPaths(ctx, body.items, [...p, kind, 'items']), optional: body.optional === true }], defaultMode: mode(body.defaultMode) };
      if (kind === 'secret') return { type: 'projected', sources: [{ type: 'secret', name: String(body.secretName ?? ''), items: keyToPaths(ctx, body.items, [...p, kind, 'items']), optional: body.optional === true }], defaultMode: mode(body.defaultMode) };
      if (kind === 'downwardAPI') return { type: 'projected', sources: [{ type: 'downwardAPI', items: downwardItems(ctx, body.items, [...p, kind, 'items']) }], defaultMode: mode(body.defaultMode) };
      if (kind === 'projected') {
        const sources: ProjectionSpec[] = [];
        items(body.sources).forEach((s, j) => {
          const sp: Path = [...p, kind, 'sources', j];
          if (isObj(s.configMap)) sources.push({ type: 'configMap', name: String(s.configMap.name ?? ''), items: keyToPaths(ctx, s.configMap.items, [...sp, 'configMap', 'items']), optional: s.configMap.optional === true });
          else if (isObj(s.secret)) sources.push({ type: 'secret', name: String(s.secret.name ?? ''), items: keyToPaths(ctx, s.secret.items, [...sp, 'secret', 'items']), optional: s.secret.optional === true });
          else if (isObj(s.downwardAPI)) sources.push({ type: 'downwardAPI', items: downwardItems(ctx, s.downwardAPI.items, [...sp, 'downwardAPI', 'items']) });
        });
        return { type: 'projected', sources, defaultMode: mode(body.defaultMode) };
      }
      if (kind === 'emptyDir' && typeof body.medium === 'string' && body.medium !== '' && body.medium !== 'Memory') ctx.err([...p, kind, 'medium'], `"${body.medium}" is not a medium podlab has ("" for the disk, or Memory)`);
      if (kind === 'hostPath' && typeof body.path === 'string' && !body.path.startsWith('/')) ctx.err([...p, kind, 'path'], `"${body.path}" must be an absolute path`);
      if (kind === 'emptyDir') return { type: 'emptyDir', ...(typeof body.medium === 'string' && body.medium ? { medium: body.medium } : {}), ...(body.sizeLimit !== undefined ? { sizeLimit: String(body.sizeLimit) } : {}) };
      if (kind === 'hostPath') return { type: 'hostPath', path: String(body.path ?? ''), ...(typeof body.type === 'string' ? { hostType: body.type } : {}) };
      if (kind === 'persistentVolumeClaim') return { type: 'persistentVolumeClaim', claimName: String(body.claimName ?? ''), readOnly: body.readOnly === true };
      return { type: 'other', kind };
    })();
    out.push({ name, kind, source });
  });
  return out;
}

function mode(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
