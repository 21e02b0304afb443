// What the controllers decided, as the Topology (and so the lab's state) records it: per workload its desired size,
// its pods, and the controller's own state between runs — a Deployment's ReplicaSets with their revisions, how far an
// ordered StatefulSet got, a Job's counts. The next run (or the daemon) starts from it (pure).
import type { PodSpec, PodTemplate } from '../../input/types.js';

export interface ReplicaSetT {
  readonly name: string;
  /** pod-template-hash */
  readonly hash: string;
  /** deployment.kubernetes.io/revision */
  readonly revision: number;
  readonly replicas: number;
  /** The template its pods are made from (its `canonical` text is what `rollout undo` restores). */
  readonly template: PodTemplate;
  /** kubernetes.io/change-cause of the Deployment when this revision was made. */
  readonly changeCause?: string;
}

export interface JobStateT {
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Complete or Failed once finished (the daemon's job controller sets them; see job.ts jobStep). */
  readonly condition?: { readonly type: 'Complete' | 'Failed' | 'Suspended'; readonly reason?: string; readonly at?: string };
  readonly startTime?: string;
  /** Pods made so far (each attempt is a new pod with a new name). */
  readonly created: number;
  /** Completion indexes that succeeded (Indexed Jobs). */
  readonly completedIndexes?: readonly number[];
}

export interface WorkloadT {
  readonly kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';
  readonly namespace: string;
  readonly name: string;
  /** "Kind ns/name" */
  readonly key: string;
  /** Replicas asked for (a DaemonSet: the nodes it should run on; a Job: its parallelism as bounded; a CronJob: 0). */
  readonly desired: number;
  /** Pod keys ("ns/name") this workload has now, in creation order. */
  readonly pods: readonly string[];
  /** Deployment: its ReplicaSets, oldest revision first; the current one is the one whose hash is `hash`. */
  readonly replicaSets?: readonly ReplicaSetT[];
  /** Deployment: the current template's pod-template-hash. */
  readonly hash?: string;
  /** StatefulSet: how many ordinals exist (OrderedReady creates them one at a time). */
  readonly current?: number;
  readonly job?: JobStateT;
  /** CronJob: its schedule, for `status` and the daemon (cronjob.ts dueTimes). */
  readonly schedule?: { readonly schedule: string; readonly timeZone?: string; readonly suspend: boolean };
  /** False while a controller has steps left to take (a rollout, an ordered StatefulSet): lab/workloads.ts walks them. */
  readonly settled: boolean;
}

export interface Expansion {
  readonly pods: PodSpec[];
  readonly workloads: WorkloadT[];
}
