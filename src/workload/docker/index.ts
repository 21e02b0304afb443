// The Docker engine layer of the pod runtime (dockerode): engine, images built offline, the pause sandbox with its
// network namespace linked under /run/netns, app containers joining it, state, logs, removal by label.
export { connectEngine, enginePreflight, socketOf, EngineError, DEFAULT_SOCKET, START_HINT, type Engine } from './engine.js';
export { LABEL, SANDBOX_CONTAINER, containerName, labelsFor, podKey, type PodRef, type Role } from './labels.js';
export {
  BUSYBOX_IMAGE, PAUSE_IMAGE, buildBusyboxImage, buildPauseImage, ensurePauseImage, inspectImage, missingImages, requireImages,
  ImageMissingError, provideHint, refProblem, splitRef, type BuiltImage, type ImageInfo, type WantedImage,
} from './images.js';
export { readBusybox, elfLinkage, BusyboxError, DEFAULT_BUSYBOX, PAUSE_ENTRYPOINT, type Busybox } from './rootfs.js';
export { ensureSandbox, ensureSandboxes, findSandbox, sandboxSpecProblems, removeContainers, type Sandbox, type SandboxSpec, type EnsureOpts } from './sandbox.js';
export {
  ensureContainer, restartContainer, stopContainer, removeContainer, waitContainer, containerStatus, execInContainer, instances, entrypointCmd,
  type ContainerSpec, type ContainerInstance, type Mount,
} from './containers.js';
export { toContainerState, finishedAfterStart, stateName, type ContainerState, type ContainerStatus } from './status.js';
export { containerLogs, followLogs, demux, NoInstanceError, type LogFrame, type LogOpts } from './logs.js';
export { listCluster, clustersInEngine, removeCluster, removePod, type PodlabContainer, type RemoveResult } from './cleanup.js';
export { linkNetns, unlinkNetns, pidNetnsInode, type NetnsLink } from './netns.js';
