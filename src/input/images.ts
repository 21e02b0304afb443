// The images podlab knows (pure): what the process runtime does for a container that names one of them, so the
// learning material's pods run as their images would for the dataplane. A server image without `command` is
// served by podlab's netexec on the image's default ports; a shell image runs its `args` with the host's programs,
// or idles. The Docker runtime runs the real image and needs none of this.
import type { ContainerPort } from './types.js';

export interface KnownImage {
  /** The image's name without registry, repository path, tag or digest ("docker.io/library/nginx:1.25" → nginx). */
  readonly name: string;
  /** What the image's own server listens on (netexec listens there instead). */
  readonly ports: readonly number[];
  /**
   * shell: the entrypoint is empty and CMD a shell, so `args` alone are the command (busybox, alpine, ubuntu).
   * server: the entrypoint starts the server; `args` are its flags, which podlab does not run.
   */
  readonly kind: 'shell' | 'server';
  readonly what: string;
}

/** The table (docs/runtime.md prints it). */
export const KNOWN_IMAGES: readonly KnownImage[] = [
  { name: 'nginx', ports: [80], kind: 'server', what: 'HTTP on 80' },
  { name: 'httpd', ports: [80], kind: 'server', what: 'HTTP on 80' },
  { name: 'redis', ports: [6379], kind: 'server', what: 'TCP 6379' },
  { name: 'postgres', ports: [5432], kind: 'server', what: 'TCP 5432' },
  { name: 'mysql', ports: [3306], kind: 'server', what: 'TCP 3306' },
  { name: 'busybox', ports: [], kind: 'shell', what: 'command/args through the host\'s programs, or idle' },
  { name: 'alpine', ports: [], kind: 'shell', what: 'command/args through the host\'s programs, or idle' },
  { name: 'ubuntu', ports: [], kind: 'shell', what: 'command/args through the host\'s programs, or idle' },
];

/** "registry.k8s.io/library/nginx:1.25@sha256:…" → "nginx". */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0]!;
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.split(':')[0]!.toLowerCase();
}

export function knownImage(image: string | undefined): KnownImage | undefined {
  if (!image) return undefined;
  const n = imageName(image);
  return KNOWN_IMAGES.find((k) => k.name === n);
}

export interface ProcessRun {
  /** The argv the process runtime runs; undefined: netexec serves `serve`, or the container idles. */
  readonly command?: readonly string[];
  readonly serve?: readonly ContainerPort[];
  readonly idle?: boolean;
  /** Said once per container (never an error). */
  readonly notice?: string;
  /** args given to an image whose entrypoint podlab cannot run. */
  readonly error?: string;
}

/**
 * How the process runtime runs a container, as its image would for the dataplane. `init`: an init container that is
 * not a sidecar must end, so an idle one completes at once (as a shell image with no input does).
 */
export function processRun(c: { image?: string; command?: readonly string[]; args?: readonly string[]; ports: readonly ContainerPort[] }, init = false): ProcessRun {
  if (c.command) return { command: [...c.command, ...(c.args ?? [])] };
  const img = knownImage(c.image);
  const unknown = () => (c.image ? `image "${c.image}" is not one podlab knows` : 'no image');
  if (c.args && img?.kind === 'shell') return { command: [...c.args] };
  if (init) return { command: ['true'], ...(img?.kind === 'shell' ? {} : { notice: `no command${img ? ` (podlab does not run ${img.name}'s own server)` : ` and ${unknown()}`}: the init container completes at once` }) };
  if (c.args) {
    if (img?.kind === 'server') {
      return { serve: c.ports.length ? c.ports : img.ports.map((p) => ({ containerPort: p, protocol: 'TCP' as const })), notice: `args ${JSON.stringify(c.args)} are flags of ${img.name}'s own server; podlab's netexec serves ${img.what} instead` };
    }
    return { error: `args without command: podlab does not know the entrypoint of ${c.image ? `image "${c.image}"` : 'a container without image'} (it knows ${KNOWN_IMAGES.map((k) => k.name).join(', ')}); give command` };
  }
  if (c.ports.length) return { serve: c.ports };
  if (img?.kind === 'server') return { serve: img.ports.map((p) => ({ containerPort: p, protocol: 'TCP' as const })) };
  if (img?.kind === 'shell') return { idle: true };
  return { idle: true, notice: `no command, no ports and ${unknown()}: it runs idle (podlab knows ${KNOWN_IMAGES.map((k) => k.name).join(', ')})` };
}
