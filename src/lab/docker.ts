// What a lab with docker pods needs before anything is built: an engine that answers, and every image its pods
// name (podlab never pulls). Both fail with the whole list of what is missing and how to provide it (exit 3).
import type { LabSpec } from '../input/types.js';
import { effectiveRuntime } from '../input/podspec.js';
import { PreflightError } from '../kernel/preflight.js';
import { enginePreflight, missingImages, provideHint, PAUSE_IMAGE, ensurePauseImage } from '../workload/docker/index.js';

/** The pods of the files that run in Docker (spec.runtime, or annotation podlab.io/runtime). */
export function dockerPods(lab: LabSpec) {
  return lab.pods.filter((p) => effectiveRuntime(p, lab.cluster) === 'docker');
}

export async function dockerPreflight(lab: LabSpec): Promise<void> {
  const pods = dockerPods(lab);
  if (!pods.length) return;
  const who = `${pods.length} pod(s) ask for the docker runtime (${pods.slice(0, 3).map((p) => `${p.origin.file}:${p.origin.line} Pod ${p.namespace}/${p.name}`).join(', ')}${pods.length > 3 ? ', …' : ''})`;
  const { engine, problems } = await enginePreflight();
  if (!engine) throw new PreflightError([`${who}, but there is no Docker engine: ${problems.join('; ')}`]);
  const wanted = pods.flatMap((p) => [...(p.initContainers ?? []), ...p.containers].map((c) => ({
    image: c.image ?? '', where: `${p.origin.file}:${p.origin.line}: Pod ${p.namespace}/${p.name} container ${c.name}`,
  })));
  const noImage = wanted.filter((w) => !w.image);
  if (noImage.length) throw new PreflightError(noImage.map((w) => `${w.where}: a docker container needs an image`));
  const missing = await missingImages(engine, wanted);
  if (missing.length) {
    const names = [...new Set(missing.map((m) => m.image))];
    throw new PreflightError([...missing.map((m) => `image ${m.image} is not in the engine at ${engine.host} (${m.where})`), ...names.map((n) => `${n}: ${provideHint(n)}`)]);
  }
  // The sandbox's image: built from the host's busybox on first use (offline).
  await ensurePauseImage(engine, PAUSE_IMAGE).catch((e) => {
    throw new PreflightError([`the pause image ${PAUSE_IMAGE} is missing and could not be built: ${(e as Error).message}`]);
  });
}
