// What marks a Docker object as podlab's: labels on every container (found by label, never by name),
// and names in the shape dockershim gave Kubernetes containers (k8s_<container>_<pod>_<ns>_<uid>_<attempt>).

export const LABEL = {
  cluster: 'podlab.cluster',
  /** "<namespace>/<name>" */
  pod: 'podlab.pod',
  /** The container's name; "POD" for the sandbox, as kubelet names it. */
  container: 'podlab.container',
  role: 'podlab.role',
  /** Sandbox: the /run/netns name its network namespace is linked under. */
  netns: 'podlab.netns',
  /** Container: the sandbox it joined. */
  sandbox: 'podlab.sandbox',
  /** Container: 0 for the first instance, +1 per restart (kubelet's restartCount). */
  attempt: 'podlab.attempt',
  /** Container: hash of the spec it was made from, so an unchanged spec keeps its container. */
  spec: 'podlab.spec',
  /** Images podlab built: "busybox" | "pause". */
  image: 'podlab.image',
} as const;

export type Role = 'sandbox' | 'container';
export const SANDBOX_CONTAINER = 'POD';

export interface PodRef {
  readonly cluster: string;
  readonly namespace: string;
  readonly pod: string;
}

export const podKey = (r: PodRef): string => `${r.namespace}/${r.pod}`;

export function labelsFor(r: PodRef, role: Role, container: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL.cluster]: r.cluster, [LABEL.pod]: podKey(r), [LABEL.container]: container, [LABEL.role]: role, ...extra };
}

/** A Docker list filter: every label given must match exactly (label=value). */
export function labelFilter(labels: Record<string, string | undefined>): { label: string[] } {
  return { label: Object.entries(labels).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`) };
}

export const clusterFilter = (cluster: string) => labelFilter({ [LABEL.cluster]: cluster });
export const podFilter = (r: PodRef, role?: Role, container?: string) =>
  labelFilter({ [LABEL.cluster]: r.cluster, [LABEL.pod]: podKey(r), [LABEL.role]: role, [LABEL.container]: container });

/** Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*; Kubernetes names already fit, anything else becomes '-'. */
const clean = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '-');

/** pl-<cluster>_<container>_<pod>_<namespace>_<attempt>; the sandbox is pl-<cluster>_POD_<pod>_<namespace>_<attempt>. */
export function containerName(r: PodRef, container: string, attempt: number): string {
  return `pl-${clean(r.cluster)}_${clean(container)}_${clean(r.pod)}_${clean(r.namespace)}_${attempt}`;
}
