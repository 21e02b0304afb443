// A pod's volumes on the host, for both runtimes: each volume is a folder (or file) the containers bind at their
// mountPaths, as kubelet's pods/<uid>/volumes/<plugin>/<name>. emptyDir: a folder of the pod (a tmpfs for medium
// Memory), removed with the pod; configMap/secret/downwardAPI/projected: a folder the files are written into;
// hostPath: the host's own path, checked by its type (DirectoryOrCreate/FileOrCreate create it, as kubelet does);
// persistentVolumeClaim: a folder of the lab named by the claim, which outlives the pod (gone with the lab).
import { join, posix } from 'node:path';
import type { PodT, ResolvedVolume } from '../model/topology.js';
import type { ContainerSpec } from '../input/types.js';
import type { RuntimeContext } from './types.js';
import { volumeDir } from './pods.js';

export interface Bind {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** Where a volume is on the host. */
export function volumeSource(ctx: RuntimeContext, p: PodT, v: ResolvedVolume): string {
  if (v.type === 'hostPath') return v.path;
  if (v.type === 'persistentVolumeClaim') return join(ctx.dir, v.dir);
  return volumeDir(ctx, p, v.name);
}

/** kubelet mounts configMap, secret, downwardAPI and projected volumes read-only whatever the mount says. */
const alwaysReadOnly = (v: ResolvedVolume) => v.type === 'files' || (v.type === 'persistentVolumeClaim' && v.readOnly);

/** A container's binds, in mountPath order (a subPath is a path inside its volume). */
export function containerBinds(ctx: RuntimeContext, p: PodT, c: ContainerSpec): Bind[] {
  const vols = new Map((p.volumes ?? []).map((v) => [v.name, v]));
  const out: Bind[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = vols.get(m.name);
    if (!v) continue;
    const base = volumeSource(ctx, p, v);
    out.push({ source: m.subPath ? posix.join(base, m.subPath) : base, target: m.mountPath, readOnly: m.readOnly || alwaysReadOnly(v) });
  }
  return out.sort((a, b) => a.target.split('/').length - b.target.split('/').length);
}

export interface PreparedVolumes {
  /** tmpfs to mount (emptyDir medium Memory), for podns.py. */
  readonly tmpfs: { dir: string; size?: string }[];
  /** Per pod key: why its containers cannot start (kubelet: MountVolume.SetUp failed …). */
  readonly problems: Map<string, string>;
  readonly notices: string[];
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Make every volume of these pods exist on the host (idempotent; files are rewritten). One shell for the hostPath checks. */
export async function prepareVolumes(ctx: RuntimeContext, pods: readonly PodT[]): Promise<PreparedVolumes> {
  const { exec } = ctx;
  const tmpfs: { dir: string; size?: string }[] = [];
  const problems = new Map<string, string>();
  const notices: string[] = [];
  const checks: string[] = [];
  const checkOf: { pod: string; vol: string; path: string; type: string }[] = [];
  for (const p of pods) {
    for (const v of p.volumes ?? []) {
      const dir = volumeSource(ctx, p, v);
      if (v.type === 'emptyDir') {
        await exec.files.mkdir(dir, 0o777);
        if (v.medium === 'Memory') tmpfs.push({ dir, ...(v.sizeLimit ? { size: v.sizeLimit } : {}) });
      } else if (v.type === 'persistentVolumeClaim' || v.type === 'other') {
        await exec.files.mkdir(dir, 0o777);
        if (v.type === 'other') notices.push(`Pod ${p.key} volume ${v.name}: podlab has no ${v.kind} volumes; it is an empty folder`);
      } else if (v.type === 'files') {
        await exec.files.remove(dir);
        await exec.files.mkdir(dir, 0o755);
        for (const f of v.files) await exec.files.write(join(dir, f.path), Buffer.from(f.base64, 'base64').toString('utf8'), f.mode);
      } else if (v.type === 'hostPath') {
        const t = v.hostType ?? '';
        const i = checkOf.length;
        checkOf.push({ pod: p.key, vol: v.name, path: v.path, type: t });
        const test = ({ Directory: '-d', File: '-f', Socket: '-S', CharDevice: '-c', BlockDevice: '-b' } as Record<string, string>)[t];
        // No type: kubelet checks nothing and the container runtime makes a missing path a folder (as Docker's -v does).
        if (t === 'DirectoryOrCreate' || t === '') checks.push(`[ -d ${q(v.path)} ] || mkdir -p -m 0755 ${q(v.path)} || echo ${i}`);
        else if (t === 'FileOrCreate') checks.push(`[ -e ${q(v.path)} ] || { mkdir -p ${q(posix.dirname(v.path))} && : > ${q(v.path)} && chmod 0644 ${q(v.path)}; } || echo ${i}`);
        else if (test) checks.push(`[ ${test} ${q(v.path)} ] || echo ${i}`);
              }
    }
  }
  if (checks.length) {
    const r = await exec.run(['sh', '-s'], { host: exec.host }, { input: checks.join('\n') + '\n' });
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const c = checkOf[Number(line)];
      if (!c) continue;
      const what = c.type === 'DirectoryOrCreate' || c.type === 'FileOrCreate' || c.type === '' ? `cannot create ${c.path}` : c.type ? `hostPath type check failed: ${c.path} is not a ${c.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}` : `${c.path} does not exist`;
      problems.set(c.pod, `MountVolume.SetUp failed for volume "${c.vol}" : ${what}`);
    }
  }
  return { tmpfs, problems, notices };
}
