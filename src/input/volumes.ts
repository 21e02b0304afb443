// A pod's volumes and each container's volumeMounts (pure). The shapes are the ones the workloads engineer's
// model resolves (configMap, secret and downwardAPI volumes become one-source projections whose files the model
// writes out); this module reads them from the file and checks what Kubernetes' validation checks.
import type { DownwardItem, KeyToPath, ProjectionSpec, VolumeMountSpec, VolumeSpec } from './types.js';
import type { DocCtx, Path } from './doc.js';
import { bool, checkKeys, int, isObj, str, DNS_LABEL } from './fields.js';

export const VOLUME_TYPES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected', 'persistentVolumeClaim'] as const;
const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/;

function relPath(ctx: DocCtx, v: unknown, at: Path): string | undefined {
  const p = str(ctx, v, at, { required: true });
  if (p === undefined) return undefined;
  if (p === '' || p.startsWith('/') || p.split('/').includes('..')) {
    ctx.err(at, `"${p}" must be a relative path without ".." (a file inside the volume)`);
    return undefined;
  }
  return p;
}

function fileMode(ctx: DocCtx, v: unknown, at: Path): number | undefined {
  return int(ctx, v, at, 0, 0o777);
}

function keyToPaths(ctx: DocCtx, v: unknown, at: Path): KeyToPath[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    ctx.err(at, 'must be a list of {key, path}');
    return undefined;
  }
  const out: KeyToPath[] = [];
  v.forEach((x: unknown, i: number) => {
    if (!isObj(x)) return ctx.err([...at, i], 'must be {key, path}');
    checkKeys(ctx, x, [...at, i], ['key', 'path', 'mode']);
    const key = str(ctx, x.key, [...at, i, 'key'], { required: true });
    const path = relPath(ctx, x.path, [...at, i, 'path']);
    const mode = fileMode(ctx, x.mode, [...at, i, 'mode']);
    if (key !== undefined && path !== undefined) out.push({ key, path, ...(mode !== undefined ? { mode } : {}) });
  });
  return out;
}

const DOWNWARD_FIELDS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'metadata.labels', 'metadata.annotations'];

function downwardItems(ctx: DocCtx, v: unknown, at: Path): DownwardItem[] {
  if (!Array.isArray(v)) {
    if (v !== undefined) ctx.err(at, 'must be a list of {path, fieldRef}');
    return [];
  }
  const out: DownwardItem[] = [];
  v.forEach((x: unknown, i: number) => {
    if (!isObj(x)) return ctx.err([...at, i], 'must be {path, fieldRef}');
    checkKeys(ctx, x, [...at, i], ['path', 'fieldRef', 'resourceFieldRef', 'mode']);
    const path = relPath(ctx, x.path, [...at, i, 'path']);
    let fieldRef: string | undefined;
    if (isObj(x.fieldRef)) {
      fieldRef = String(x.fieldRef.fieldPath ?? '');
      if (!DOWNWARD_FIELDS.includes(fieldRef) && !/^metadata\.(labels|annotations)\['[^']+'\]$/.test(fieldRef)) {
        ctx.err([...at, i, 'fieldRef', 'fieldPath'], `"${fieldRef}" is not a field a downwardAPI volume gives (${DOWNWARD_FIELDS.join(', ')})`);
      }
    }
    const rf = isObj(x.resourceFieldRef) ? x.resourceFieldRef : undefined;
    if (!fieldRef && !rf) ctx.err([...at, i], 'needs fieldRef or resourceFieldRef');
    const mode = fileMode(ctx, x.mode, [...at, i, 'mode']);
    if (path !== undefined) out.push({
      path, ...(fieldRef ? { fieldRef } : {}),
      ...(rf ? { resourceFieldRef: { resource: String(rf.resource ?? ''), ...(typeof rf.containerName === 'string' ? { containerName: rf.containerName } : {}), ...(rf.divisor !== undefined ? { divisor: String(rf.divisor) } : {}) } } : {}),
      ...(mode !== undefined ? { mode } : {}),
    });
  });
  return out;
}

/** A configMap or secret source; `nameKey`: secretName in a secret volume, name everywhere else. */
function projection(ctx: DocCtx, kind: 'configMap' | 'secret', body: Record<string, unknown>, at: Path, nameKey: 'name' | 'secretName', volume: boolean): ProjectionSpec | undefined {
  checkKeys(ctx, body, at, [nameKey, 'items', 'optional', ...(volume ? ['defaultMode'] : [])]);
  const name = str(ctx, body[nameKey], [...at, nameKey], { required: true });
  const items = keyToPaths(ctx, body.items, [...at, 'items']);
  const optional = bool(ctx, body.optional, [...at, 'optional']) ?? false;
  return name === undefined ? undefined : { type: kind, name, ...(items ? { items } : {}), optional };
}

export function parseVolumes(ctx: DocCtx, raw: unknown, at: Path): VolumeSpec[] {
  const out: VolumeSpec[] = [];
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) {
    ctx.err(at, 'must be a list of volumes like {name: data, emptyDir: {}}');
    return out;
  }
  const seen = new Set<string>();
  raw.forEach((v: unknown, i: number) => {
    const p: Path = [...at, i];
    if (!isObj(v)) return ctx.err(p, 'must be a map like {name: data, emptyDir: {}}');
    const name = str(ctx, v.name, [...p, 'name'], { required: true, re: DNS_LABEL, what: 'a volume name (DNS label)', max: 63 });
    if (name && seen.has(name)) ctx.err([...p, 'name'], `duplicate volume "${name}"`);
    if (name) seen.add(name);
    const types = Object.keys(v).filter((k) => k !== 'name');
    if (types.length !== 1) {
      return ctx.err(p, types.length ? `may have only one volume type, got ${types.join(', ')}` : `must have a volume type (${VOLUME_TYPES.join(', ')})`);
    }
    const kind = types[0]!;
    if (!(VOLUME_TYPES as readonly string[]).includes(kind)) return ctx.err([...p, kind], `volume type "${kind}" is not supported by podlab (supported: ${VOLUME_TYPES.join(', ')})`);
    const rawBody = v[kind] ?? {};
    if (!isObj(rawBody)) return ctx.err([...p, kind], 'must be a map');
    const body = rawBody;
    const bp: Path = [...p, kind];
    let source: VolumeSpec['source'] | undefined;
    if (kind === 'emptyDir') {
      checkKeys(ctx, body, bp, ['medium', 'sizeLimit']);
      const medium = str(ctx, body.medium, [...bp, 'medium']);
      if (medium !== undefined && medium !== '' && medium !== 'Memory') ctx.err([...bp, 'medium'], `"${medium}" is not a medium podlab has ("" for the disk, or Memory)`);
      const sizeLimit = body.sizeLimit === undefined ? undefined : String(body.sizeLimit);
      if (sizeLimit !== undefined && !QUANTITY.test(sizeLimit)) ctx.err([...bp, 'sizeLimit'], `"${sizeLimit}" is not a quantity like 64Mi`);
      source = { type: 'emptyDir', ...(medium ? { medium } : {}), ...(sizeLimit ? { sizeLimit } : {}) };
    } else if (kind === 'hostPath') {
      checkKeys(ctx, body, bp, ['path', 'type']);
      const path = str(ctx, body.path, [...bp, 'path'], { required: true });
      if (path !== undefined && !path.startsWith('/')) ctx.err([...bp, 'path'], `"${path}" must be an absolute path`);
      const hostType = str(ctx, body.type, [...bp, 'type']);
      if (hostType !== undefined && !HOST_PATH_TYPES.includes(hostType)) ctx.err([...bp, 'type'], `"${hostType}" is not a hostPath type (${HOST_PATH_TYPES.filter(Boolean).join(', ')})`);
      if (path !== undefined) source = { type: 'hostPath', path, ...(hostType ? { hostType } : {}) };
    } else if (kind === 'configMap' || kind === 'secret') {
      const s = projection(ctx, kind, body, bp, kind === 'secret' ? 'secretName' : 'name', true);
      const defaultMode = fileMode(ctx, body.defaultMode, [...bp, 'defaultMode']);
      if (s) source = { type: 'projected', sources: [s], ...(defaultMode !== undefined ? { defaultMode } : {}) };
    } else if (kind === 'downwardAPI') {
      checkKeys(ctx, body, bp, ['items', 'defaultMode']);
      const defaultMode = fileMode(ctx, body.defaultMode, [...bp, 'defaultMode']);
      source = { type: 'projected', sources: [{ type: 'downwardAPI', items: downwardItems(ctx, body.items, [...bp, 'items']) }], ...(defaultMode !== undefined ? { defaultMode } : {}) };
    } else if (kind === 'projected') {
      checkKeys(ctx, body, bp, ['sources', 'defaultMode']);
      const sources: ProjectionSpec[] = [];
      if (!Array.isArray(body.sources)) ctx.err([...bp, 'sources'], 'must be a list of configMap, secret or downwardAPI sources');
      else body.sources.forEach((s: unknown, j: number) => {
        const sp: Path = [...bp, 'sources', j];
        if (!isObj(s)) return ctx.err(sp, 'must be a map');
        checkKeys(ctx, s, sp, ['configMap', 'secret', 'downwardAPI']);
        if (isObj(s.configMap)) {
          const x = projection(ctx, 'configMap', s.configMap, [...sp, 'configMap'], 'name', false);
          if (x) sources.push(x);
        } else if (isObj(s.secret)) {
          const x = projection(ctx, 'secret', s.secret, [...sp, 'secret'], 'name', false);
          if (x) sources.push(x);
        } else if (isObj(s.downwardAPI)) sources.push({ type: 'downwardAPI', items: downwardItems(ctx, s.downwardAPI.items, [...sp, 'downwardAPI', 'items']) });
      });
      const defaultMode = fileMode(ctx, body.defaultMode, [...bp, 'defaultMode']);
      source = { type: 'projected', sources, ...(defaultMode !== undefined ? { defaultMode } : {}) };
    } else if (kind === 'persistentVolumeClaim') {
      checkKeys(ctx, body, bp, ['claimName', 'readOnly']);
      const claimName = str(ctx, body.claimName, [...bp, 'claimName'], { required: true, re: DNS_LABEL, what: 'a claim name (DNS label)', max: 63 });
      const readOnly = bool(ctx, body.readOnly, [...bp, 'readOnly']) ?? false;
      if (claimName) source = { type: 'persistentVolumeClaim', claimName, readOnly };
    }
    if (name && source) out.push({ name, kind, source });
  });
  return out;
}

/** A container's volumeMounts, checked against the pod's volumes. */
export function parseVolumeMounts(ctx: DocCtx, raw: unknown, at: Path, volumes: ReadonlySet<string>, volumesPath: string): VolumeMountSpec[] {
  const out: VolumeMountSpec[] = [];
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) {
    ctx.err(at, 'must be a list of {name, mountPath}');
    return out;
  }
  const paths = new Set<string>();
  raw.forEach((m: unknown, j: number) => {
    const p: Path = [...at, j];
    if (!isObj(m)) return ctx.err(p, 'must be {name, mountPath}');
    checkKeys(ctx, m, p, ['name', 'mountPath', 'subPath', 'readOnly', 'subPathExpr', 'mountPropagation', 'recursiveReadOnly']);
    for (const k of ['subPathExpr', 'mountPropagation', 'recursiveReadOnly']) if (m[k] !== undefined) ctx.err([...p, k], 'is not supported by podlab');
    const name = str(ctx, m.name, [...p, 'name'], { required: true });
    if (name !== undefined && !volumes.has(name)) ctx.err([...p, 'name'], `no volume named "${name}" in ${volumesPath}${volumes.size ? ` (volumes: ${[...volumes].join(', ')})` : ''}`);
    let mountPath = str(ctx, m.mountPath, [...p, 'mountPath'], { required: true });
    if (mountPath !== undefined && !mountPath.startsWith('/')) {
      ctx.err([...p, 'mountPath'], `"${mountPath}" must be an absolute path`);
      mountPath = undefined;
    }
    if (mountPath !== undefined) {
      mountPath = mountPath.replace(/\/+$/, '') || '/';
      if (mountPath === '/' || mountPath.split('/').includes('..')) ctx.err([...p, 'mountPath'], `"${mountPath}" cannot be a mount path (not the root, no "..")`);
      else if (paths.has(mountPath)) ctx.err([...p, 'mountPath'], `"${mountPath}" is mounted twice in this container`);
      paths.add(mountPath);
    }
    let subPath: string | undefined;
    if (m.subPath !== undefined && m.subPath !== '') subPath = relPath(ctx, m.subPath, [...p, 'subPath']);
    const readOnly = bool(ctx, m.readOnly, [...p, 'readOnly']) ?? false;
    if (name !== undefined && mountPath !== undefined) out.push({ name, mountPath, ...(subPath ? { subPath } : {}), readOnly });
  });
  return out;
}
