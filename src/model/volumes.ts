// A pod's volumes as the runtime provides them (pure). The shape is the workloads engineer's (model/env.ts on that
// branch, which also resolves configMap and secret volumes to their files from the lab's ConfigMaps and Secrets);
// until it lands, this resolves emptyDir, hostPath, persistentVolumeClaim and the downward API's fields, and gives
// configMap/secret sources no files (with a notice).
import type { DownwardItem, PodSpec, ProjectionSpec } from '../input/types.js';

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

const FILE_MODE = 0o644;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** kubelet's format for labels and annotations in a downwardAPI file: key="value" lines, sorted. */
function mapText(m: Readonly<Record<string, string>>): string {
  return Object.keys(m).sort().map((k) => `${k}=${JSON.stringify(m[k])}`).join('\n');
}

function fieldValue(p: PodSpec, uid: string, ref: string): string {
  const m = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(ref);
  if (m) return (m[1] === 'labels' ? p.labels : p.annotations ?? {})[m[2]!] ?? '';
  switch (ref) {
    case 'metadata.name': return p.name;
    case 'metadata.namespace': return p.namespace;
    case 'metadata.uid': return uid;
    case 'metadata.labels': return mapText(p.labels);
    case 'metadata.annotations': return mapText(p.annotations ?? {});
    default: return '';
  }
}

function projectionFiles(p: PodSpec, uid: string, s: ProjectionSpec, mode: number, notices: string[]): VolumeFile[] {
  if (s.type === 'downwardAPI') {
    return s.items.filter((i: DownwardItem) => i.fieldRef !== undefined).map((i) => ({ path: i.path, base64: b64(fieldValue(p, uid, i.fieldRef!)), mode: i.mode ?? mode }));
  }
  notices.push(`Pod ${p.namespace}/${p.name}: ${s.type} "${s.name}" in a volume: this build has no ${s.type === 'configMap' ? 'ConfigMap' : 'Secret'} objects yet, so its files are missing`);
  return [];
}

/** The pod's volumes; `uid`: the pod's identity for metadata.uid. */
export function resolveVolumes(p: PodSpec, uid: string, notices: string[] = []): ResolvedVolume[] {
  return (p.volumes ?? []).map((v): ResolvedVolume => {
    const s = v.source;
    switch (s.type) {
      case 'projected': return { name: v.name, type: 'files', kind: v.kind, files: s.sources.flatMap((x) => projectionFiles(p, uid, x, s.defaultMode ?? FILE_MODE, notices)) };
      case 'emptyDir': return { name: v.name, type: 'emptyDir', ...(s.medium ? { medium: s.medium } : {}), ...(s.sizeLimit ? { sizeLimit: s.sizeLimit } : {}) };
      case 'hostPath': return { name: v.name, type: 'hostPath', path: s.path, ...(s.hostType ? { hostType: s.hostType } : {}) };
      case 'persistentVolumeClaim': return { name: v.name, type: 'persistentVolumeClaim', claimName: s.claimName, dir: `volumes/${p.namespace}/${s.claimName}`, readOnly: s.readOnly };
      case 'other': return { name: v.name, type: 'other', kind: s.kind };
    }
  });
}
