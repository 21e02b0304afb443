// Which fields Kubernetes knows podlab uses, which it accepts quietly (they do not matter to a dataplane), and which
// it tells the user it ignores — one notice line per field, however many objects or replicas carry it (pure).
// The schema (schema.ts) has already rejected the fields Kubernetes does not know.
import type { DocCtx, Path } from './doc.js';

/** U: podlab uses it · Q: accepted quietly · a string: ignored, with this reason in the notice. */
type Leaf = 'U' | 'Q' | { readonly notice: string };
interface Tree { readonly [field: string]: Leaf | Tree }

const U = 'U' as const;
const Q = 'Q' as const;
const N = (notice: string): Leaf => ({ notice });
const IGNORED = N('is known to Kubernetes but not used by podlab');

const META: Tree = { name: U, namespace: U, labels: U, '*': Q };
// image: the Docker runtime runs it; the process runtime runs a known image as it would (input/images.ts).
const CONTAINER: Tree = {
  name: U, image: U, command: U, args: U, env: U, envFrom: U, ports: U, workingDir: U, volumeMounts: U,
  readinessProbe: U, livenessProbe: U, startupProbe: U, lifecycle: U, restartPolicy: U,
  imagePullPolicy: Q, resources: Q, resizePolicy: Q, securityContext: Q, terminationMessagePath: Q, terminationMessagePolicy: Q,
  stdin: Q, stdinOnce: Q, tty: Q,
  '*': IGNORED,
};
const VOLUME: Tree = {
  name: U, configMap: U, secret: U, downwardAPI: U, projected: U, emptyDir: U, hostPath: U, persistentVolumeClaim: U,
  '*': N('is a volume type podlab does not provide (the pod gets an empty directory in its place)'),
};
export const POD_SPEC: Tree = {
  containers: { '[]': CONTAINER }, initContainers: { '[]': CONTAINER }, nodeName: U, nodeSelector: U, affinity: U, tolerations: U, topologySpreadConstraints: U,
  hostname: U, subdomain: U, hostAliases: U, hostNetwork: U, volumes: { '[]': VOLUME }, restartPolicy: U, terminationGracePeriodSeconds: U,
  serviceAccountName: Q, serviceAccount: Q, automountServiceAccountToken: Q, imagePullSecrets: Q, securityContext: Q,
  priorityClassName: Q, priority: Q, preemptionPolicy: Q, schedulerName: Q, enableServiceLinks: U, dnsPolicy: U, runtimeClassName: Q,
  overhead: Q, os: Q, resources: Q, hostUsers: Q, readinessGates: Q,
  '*': IGNORED,
};
const TEMPLATE: Tree = { metadata: META, spec: POD_SPEC };

const top = (spec: Tree | Leaf): Tree => ({ apiVersion: U, kind: U, metadata: META, status: Q, spec, '*': IGNORED });
const JOB_SPEC: Tree = {
  template: TEMPLATE, parallelism: U, completions: U, backoffLimit: U, activeDeadlineSeconds: U, ttlSecondsAfterFinished: U,
  completionMode: U, suspend: U, selector: U, manualSelector: U, '*': IGNORED,
};

/** Per kind, the tree of its fields. */
export const USAGE: Readonly<Record<string, Tree>> = {
  Pod: top(POD_SPEC),
  Namespace: top(Q),
  Service: top({
    type: U, clusterIP: U, clusterIPs: U, selector: U, externalTrafficPolicy: U, internalTrafficPolicy: U, sessionAffinity: U,
    sessionAffinityConfig: U, externalIPs: U, externalName: U, ipFamilies: Q, ipFamilyPolicy: Q, publishNotReadyAddresses: Q, allocateLoadBalancerNodePorts: U, loadBalancerSourceRanges: U, healthCheckNodePort: U,
    ports: { '[]': { name: U, protocol: U, port: U, targetPort: U, nodePort: U, appProtocol: Q, '*': IGNORED } },
    '*': IGNORED,
  }),
  ConfigMap: { apiVersion: U, kind: U, metadata: META, data: U, binaryData: U, immutable: Q, '*': IGNORED },
  Secret: { apiVersion: U, kind: U, metadata: META, data: U, stringData: U, type: U, immutable: Q, '*': IGNORED },
  Deployment: top({
    replicas: U, selector: U, template: TEMPLATE, strategy: U, revisionHistoryLimit: U, progressDeadlineSeconds: Q,
    minReadySeconds: N('is ignored: a pod counts as available as soon as it is ready'), '*': IGNORED,
  }),
  ReplicaSet: top({ replicas: U, selector: U, template: TEMPLATE, '*': IGNORED }),
  StatefulSet: top({
    replicas: U, selector: U, template: TEMPLATE, serviceName: U, podManagementPolicy: U, volumeClaimTemplates: U, ordinals: U,
    revisionHistoryLimit: Q, persistentVolumeClaimRetentionPolicy: Q, '*': IGNORED,
  }),
  DaemonSet: top({ selector: U, template: TEMPLATE, revisionHistoryLimit: Q, '*': IGNORED }),
  Job: top(JOB_SPEC),
  CronJob: top({
    schedule: U, timeZone: U, suspend: U, concurrencyPolicy: U, successfulJobsHistoryLimit: U, failedJobsHistoryLimit: U,
    startingDeadlineSeconds: U, jobTemplate: { metadata: META, spec: JOB_SPEC }, '*': IGNORED,
  }),
};

/** Where each kind's pod spec is: a field of a pod template is reported once for all the kinds that carry it. */
const POD_ROOT: Readonly<Record<string, string>> = {
  Pod: 'spec', Deployment: 'spec.template.spec', ReplicaSet: 'spec.template.spec', StatefulSet: 'spec.template.spec',
  DaemonSet: 'spec.template.spec', Job: 'spec.template.spec', CronJob: 'spec.jobTemplate.spec.template.spec',
};

/** Notices of ignored fields, one per field pattern over the whole file set. */
export class IgnoredFields {
  private readonly seen = new Map<string, { first: string; count: number }>();

  /** Classify the known fields of one document. */
  add(ctx: DocCtx, kind: string, known: readonly Path[]): void {
    const tree = USAGE[kind];
    if (!tree) return;
    for (const path of known) {
      const leaf = classify(tree, path);
      if (!leaf || typeof leaf === 'string') continue;
      const flat = path.map((k) => (typeof k === 'number' ? '[]' : k)).join('.');
      const root = POD_ROOT[kind];
      const pattern = root && flat.startsWith(root + '.') ? `pod ${flat.slice(root.length + 1)}` : `${kind} ${flat}`;
      const s = this.seen.get(pattern);
      if (s) s.count++;
      else {
        const where = `${ctx.file}:${ctx.lineOf(path) ?? '?'}`;
        this.seen.set(pattern, { first: `${where}: ${ctx.label} ${fmt(path)}: "${String(path[path.length - 1])}" ${leaf.notice}`, count: 1 });
      }
    }
  }

  notices(): string[] {
    return [...this.seen.values()].map((s) => s.first + (s.count > 1 ? ` (and ${s.count - 1} more like it)` : ''));
  }
}

/** The leaf that decides this exact path, or undefined when an ancestor decided it or its children will. */
function classify(tree: Tree, path: Path): Leaf | undefined {
  let node: Tree | Leaf = tree;
  for (let i = 0; i < path.length; i++) {
    if (typeof node === 'string' || 'notice' in node) return undefined; // an ancestor decided
    const t: Tree = node;
    const key = typeof path[i] === 'number' ? '[]' : String(path[i]);
    node = t[key] ?? t['*'] ?? (key === '[]' ? t : U);
  }
  return typeof node === 'string' || 'notice' in node ? (node as Leaf) : undefined;
}

function fmt(path: Path): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');
}
