// Images come from the local engine only: podlab never pulls (no registry is reachable in a lab, and none is
// needed). The busybox and pause images are built offline from the host's busybox-static and imported as a tar.
import { Readable } from 'node:stream';
import type { Engine } from './engine.js';
import { LABEL } from './labels.js';
import { readBusybox, busyboxRootfs, pauseRootfs, PAUSE_ENTRYPOINT, DEFAULT_BUSYBOX, type Busybox } from './rootfs.js';

export const BUSYBOX_IMAGE = 'podlab/busybox:latest';
export const PAUSE_IMAGE = 'podlab/pause:latest';
const PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ImageInfo {
  readonly ref: string;
  readonly id: string;
  readonly size: number;
  readonly labels: Record<string, string>;
}

export interface WantedImage {
  readonly image: string;
  /** Who asks for it, for the message: "lab.yaml:12: Pod default/web spec.containers[0].image". */
  readonly where?: string;
}

/** The ways to get an image into an engine without a registry. */
export function provideHint(image: string): string {
  return `provide it with \`docker load -i IMAGE.tar\` (a \`docker save\` from a machine that has it), ` +
    `\`docker import ROOTFS.tar ${image}\`, or \`podlab image build-busybox ${image}\` (a busybox image under that name); podlab never pulls`;
}

export class ImageMissingError extends Error {
  constructor(readonly missing: readonly WantedImage[], host: string) {
    const names = [...new Set(missing.map((m) => m.image))];
    const lines = missing.map((m) => `  - ${m.where ? `${m.where}: ` : ''}image "${m.image}" is not in the Docker engine at ${host}`);
    super(`${names.length === 1 ? 'an image is' : `${names.length} images are`} missing:\n${lines.join('\n')}\n${names.map((n) => `  ${n}: ${provideHint(n)}`).join('\n')}`);
    this.name = 'ImageMissingError';
  }
}

/** "repo[:tag]" → repo and tag (latest by default); a registry port ("host:5000/x") is not a tag. */
export function splitRef(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}

/** Docker's reference grammar, simplified: lowercase path components, an optional tag of [\w.-]{1,128}. */
export function refProblem(ref: string): string | undefined {
  const { repo, tag } = splitRef(ref);
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repo)) {
    return `"${ref}" is not a valid image name (lowercase letters, digits, . _ - and / between components, as repo[:tag])`;
  }
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) return `"${ref}": the tag "${tag}" is not valid ([A-Za-z0-9_.-], at most 128)`;
  return undefined;
}

export async function inspectImage(engine: Engine, ref: string): Promise<ImageInfo | undefined> {
  try {
    const i = await engine.docker.getImage(ref).inspect();
    return { ref, id: i.Id, size: i.Size, labels: i.Config?.Labels ?? {} };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

/** The wanted images that are not in the engine (each once per asker), checked concurrently. */
export async function missingImages(engine: Engine, wanted: readonly WantedImage[]): Promise<WantedImage[]> {
  const names = [...new Set(wanted.map((w) => w.image))];
  const present = new Map(await Promise.all(names.map(async (n) => [n, (await inspectImage(engine, n)) !== undefined] as const)));
  return wanted.filter((w) => !present.get(w.image));
}

/** Throw one ImageMissingError naming every missing image and who asks for it. */
export async function requireImages(engine: Engine, wanted: readonly WantedImage[]): Promise<void> {
  const missing = await missingImages(engine, wanted);
  if (missing.length) throw new ImageMissingError(missing, engine.host);
}

export interface BuiltImage {
  readonly tag: string;
  readonly id: string;
  readonly size: number;
  readonly busybox: { path: string; version: string; sha256: string; applets: number };
  readonly ms: number;
}

async function importTar(engine: Engine, tarball: Buffer, ref: string, changes: string[]): Promise<string> {
  const { repo, tag } = splitRef(ref);
  const stream = await engine.docker.importImage(Readable.from([tarball]), { repo, tag, changes });
  const out = await new Promise<{ status?: string; error?: string }[]>((resolve, reject) =>
    engine.docker.modem.followProgress(stream, (err: Error | null, res: { status?: string; error?: string }[]) => (err ? reject(err) : resolve(res))));
  const failed = out.find((o) => o.error);
  if (failed) throw new Error(`importing ${ref} into the engine failed: ${failed.error}`);
  const id = [...out].reverse().find((o) => o.status?.startsWith('sha256:'))?.status;
  if (!id) throw new Error(`importing ${ref}: the engine gave no image id (${JSON.stringify(out).slice(0, 200)})`);
  return id;
}

async function build(engine: Engine, kind: 'busybox' | 'pause', tag: string, busyboxPath: string): Promise<BuiltImage> {
  const bad = refProblem(tag);
  if (bad) throw new Error(bad);
  const t0 = performance.now();
  const bb: Busybox = await readBusybox(busyboxPath);
  const old = await inspectImage(engine, tag);
  const labels = [`${LABEL.image}=${kind}`, `podlab.busybox.version=${bb.version}`, `podlab.busybox.sha256=${bb.sha256}`];
  const changes = kind === 'busybox'
    ? [`ENV PATH=${PATH_ENV}`, 'CMD ["sh"]']
    : [`ENTRYPOINT ${JSON.stringify(PAUSE_ENTRYPOINT)}`];
  const id = await importTar(engine, await (kind === 'busybox' ? busyboxRootfs(bb) : pauseRootfs(bb)), tag, [...changes, `LABEL ${labels.map((l) => l.replace('=', '="') + '"').join(' ')}`]);
  const info = await inspectImage(engine, tag);
  // The image this tag named before is podlab's and now dangling: remove it unless a container still uses it.
  if (old && old.id !== id && old.labels[LABEL.image]) await engine.docker.getImage(old.id).remove().catch(() => {});
  return { tag, id, size: info?.size ?? 0, busybox: { path: bb.path, version: bb.version, sha256: bb.sha256, applets: bb.applets.length }, ms: performance.now() - t0 };
}

/** Build a small busybox distribution image offline from the host's static busybox and import it as TAG. */
export function buildBusyboxImage(engine: Engine, tag = BUSYBOX_IMAGE, opts: { busybox?: string } = {}): Promise<BuiltImage> {
  return build(engine, 'busybox', tag, opts.busybox ?? DEFAULT_BUSYBOX);
}

/** Build the sandbox's pause image (busybox alone, sleeping as PID 1 until SIGTERM) offline. */
export function buildPauseImage(engine: Engine, tag = PAUSE_IMAGE, opts: { busybox?: string } = {}): Promise<BuiltImage> {
  return build(engine, 'pause', tag, opts.busybox ?? DEFAULT_BUSYBOX);
}

/**
 * The pause image the sandboxes use. podlab's own (PAUSE_IMAGE) is built on first use, since it is
 * podlab's and needs only the host's busybox; any other pause image must already be in the engine.
 */
export async function ensurePauseImage(engine: Engine, ref = PAUSE_IMAGE): Promise<{ ref: string; built?: BuiltImage }> {
  if (await inspectImage(engine, ref)) return { ref };
  if (ref !== PAUSE_IMAGE) throw new ImageMissingError([{ image: ref, where: 'the pod sandbox (pause) image' }], engine.host);
  return { ref, built: await buildPauseImage(engine, ref) };
}
