// The validated cluster file: what the user wrote, with defaults filled in. Readonly by convention.
import type { LabelSelector } from '../model/selectors.js';

/** A dataplane mode's name (modes/registry.ts lists them: overlay, bgp, vpc). */
export type Mode = string;
/** kube-proxy's mode (dataplane/proxy/index.ts lists them: iptables, nftables). */
export type ProxyMode = string;
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Where an object came from, for error messages and for container working directories. */
export interface Origin {
  readonly file: string;
  readonly line: number;
}

export interface NodeSpec {
  readonly name: string;
  readonly ip?: string;
  /** As written; the scheduler adds kubernetes.io/hostname and kubernetes.io/os (model/scheduler.ts nodeLabels). */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly origin: Origin;
}

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: TaintEffect;
}

export interface ClusterSpec {
  readonly name: string;
  readonly mode: Mode;
  readonly proxyMode: ProxyMode;
  readonly podCIDR: string;
  readonly nodeCIDRMaskSize: number;
  readonly serviceCIDR: string;
  readonly nodePortRange: readonly [number, number];
  readonly underlay: string;
  readonly mtu: number;
  readonly nodes: readonly NodeSpec[];
  readonly external: { readonly ip?: string; readonly ports: readonly number[] };
  /** The cluster's DNS domain (kubelet's --cluster-domain): `<svc>.<ns>.svc.<clusterDomain>`. Default cluster.local. */
  readonly clusterDomain: string;
  /**
   * How LoadBalancer Services get and announce their IPs (`spec.loadBalancer`): `announce` is the mode's way
   * (L2: MetalLB layer 2, BGP: MetalLB BGP mode, NLB: an AWS network load balancer); `pool` the address ranges
   * handed out ("a.b.c.d-e.f.g.h" or CIDRs, as MetalLB's IPAddressPool), empty for the mode's default.
   */
  readonly loadBalancer: { readonly announce: string; readonly pool: readonly string[] };
  /**
   * Mode-specific sections of the spec (`spec.bgp`, `spec.vpc`, …), validated by the mode plugins that own them
   * and read back through their typed accessors (modes/bgp/spec.ts bgpSpec(), …). Keyed by the section name.
   */
  readonly modeSpecs: Readonly<Record<string, unknown>>;
  /** What runs the pods (spec.runtime; a pod's annotation podlab.io/runtime overrides it). Default process. */
  readonly runtime?: RuntimeName;
  /** kubelet's settings the lab may change (spec.kubelet). */
  readonly kubelet?: KubeletSpec;
  readonly origin: Origin;
}

/** kubelet's container restart back-off: the first restart at once, then initial doubling to max; forgotten after reset. */
export interface KubeletSpec {
  readonly backoff: { readonly initialSeconds: number; readonly maxSeconds: number; readonly resetSeconds: number };
}

export interface ContainerPort {
  readonly containerPort: number;
  readonly protocol: Protocol;
  readonly name?: string;
  /** The port on the node's addresses that the portmap plugin forwards to this containerPort. */
  readonly hostPort?: number;
}

export interface ContainerSpec {
  readonly name: string;
  readonly image?: string;
  /**
   * What the process runtime runs: command + args as Kubernetes joins them, or a known image's entrypoint with the
   * args (input/images.ts); undefined = no process of its own: podlab's netexec serves `serve`, or it idles (`idle`).
   */
  readonly command?: readonly string[];
  /** As written (the Docker runtime's Entrypoint and Cmd): Kubernetes' `command` and `args`. */
  readonly entrypoint?: readonly string[];
  readonly args?: readonly string[];
  /**
   * The container's environment as the runtime gets it. From the file: the literal `value`s only; in a Topology
   * (model/env.ts): every `env` and `envFrom` entry resolved (ConfigMaps, Secrets, the downward API), in
   * Kubernetes' order (envFrom first, then env, later entries winning).
   */
  readonly env: Readonly<Record<string, string>>;
  /** Every `env` entry in file order, with its source when it has one (resolved by model/env.ts). */
  readonly envVars?: readonly EnvVarSpec[];
  readonly envFrom?: readonly EnvFromSpec[];
  readonly ports: readonly ContainerPort[];
  /** No command: the ports podlab's netexec serves for it (the declared ones, or the known image's). */
  readonly serve?: readonly ContainerPort[];
  /** No command and nothing to serve: the process runtime runs it idle (a sleeping process, for `exec`). */
  readonly idle?: boolean;
  /** Where the process runs: workingDir as written, relative to the file's folder, which is the default. */
  readonly workingDir: string;
  /** workingDir when written as an absolute path (the Docker runtime's WorkingDir; else the image's). */
  readonly writtenWorkingDir?: string;
  /** Init containers only: `Always` makes it a native sidecar (started before the app containers, stopped after). */
  readonly restartPolicy?: 'Always';
  readonly startupProbe?: ProbeSpec;
  readonly readinessProbe?: ProbeSpec;
  readonly livenessProbe?: ProbeSpec;
  readonly lifecycle?: { readonly postStart?: HookSpec; readonly preStop?: HookSpec };
  readonly volumeMounts?: readonly VolumeMountSpec[];
  /** resources.requests / resources.limits as written (for resourceFieldRef). */
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> };
  /** Run by podlab itself instead of the pod runtime (the ingress controller's nginx). */
  readonly builtin?: 'ingress-nginx';
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** How a probe or a hook acts (Kubernetes' handler types that podlab runs). Ports are resolved to numbers. */
export type ActionSpec =
  | { readonly type: 'exec'; readonly command: readonly string[] }
  | { readonly type: 'httpGet'; readonly port: number; readonly path: string; readonly scheme: 'HTTP' | 'HTTPS'; readonly host?: string; readonly headers: readonly { readonly name: string; readonly value: string }[] }
  | { readonly type: 'tcpSocket'; readonly port: number; readonly host?: string };

export type HookSpec = ActionSpec | { readonly type: 'sleep'; readonly seconds: number };

export interface ProbeSpec {
  readonly action: ActionSpec;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
  /** Liveness and startup probes: the grace period of the kill a failure causes (else the pod's). */
  readonly terminationGracePeriodSeconds?: number;
}

export interface HostAlias {
  readonly ip: string;
  readonly hostnames: readonly string[];
}

/** Where a pod runs: processes in its namespaces, or Docker containers in a pause sandbox. */
export type RuntimeName = 'process' | 'docker';

/** ClusterFirst: the cluster DNS (the default); Default: the node's resolver (the lab's external host). */
export type DnsPolicy = 'ClusterFirst' | 'Default';

/** Where an environment variable's value comes from. */
export type EnvSource =
  | { readonly kind: 'configMapKeyRef' | 'secretKeyRef'; readonly name: string; readonly key: string; readonly optional: boolean }
  | { readonly kind: 'fieldRef'; readonly fieldPath: string }
  | { readonly kind: 'resourceFieldRef'; readonly resource: string; readonly containerName?: string; readonly divisor?: string };

export interface EnvVarSpec {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: EnvSource;
}

export interface EnvFromSpec {
  readonly kind: 'configMap' | 'secret';
  readonly name: string;
  readonly prefix: string;
  readonly optional: boolean;
}

export interface VolumeMountSpec {
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string;
  readonly readOnly: boolean;
}

export interface KeyToPath {
  readonly key: string;
  readonly path: string;
  readonly mode?: number;
}

export interface DownwardItem {
  readonly path: string;
  readonly fieldRef?: string;
  readonly resourceFieldRef?: { readonly resource: string; readonly containerName?: string; readonly divisor?: string };
  readonly mode?: number;
}

/** A projected volume's source, or the source of a plain configMap/secret/downwardAPI volume. */
export type ProjectionSpec =
  | { readonly type: 'configMap' | 'secret'; readonly name: string; readonly items?: readonly KeyToPath[]; readonly optional: boolean }
  | { readonly type: 'downwardAPI'; readonly items: readonly DownwardItem[] };

export type VolumeSource =
  | { readonly type: 'projected'; readonly sources: readonly ProjectionSpec[]; readonly defaultMode?: number }
  | { readonly type: 'emptyDir'; readonly medium?: string; readonly sizeLimit?: string }
  | { readonly type: 'hostPath'; readonly path: string; readonly hostType?: string }
  | { readonly type: 'persistentVolumeClaim'; readonly claimName: string; readonly readOnly: boolean }
  | { readonly type: 'other'; readonly kind: string };

export interface VolumeSpec {
  readonly name: string;
  /** configMap, secret and downwardAPI volumes are read as one-source projections (`kind` keeps what was written). */
  readonly source: VolumeSource;
  readonly kind: string;
}

/** nodeSelectorTerms' requirements (matchExpressions on labels, matchFields on metadata.name). */
export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly values: readonly string[];
}
export interface NodeSelectorTerm {
  readonly matchExpressions: readonly NodeSelectorRequirement[];
  readonly matchFields: readonly NodeSelectorRequirement[];
}

export interface LabelSelectorSpec {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: readonly string[] }[];
}

export interface PodAffinityTerm {
  readonly labelSelector?: LabelSelectorSpec;
  /** undefined: the pod's own namespace. */
  readonly namespaces?: readonly string[];
  readonly namespaceSelector?: LabelSelectorSpec;
  readonly topologyKey: string;
}

export interface AffinitySpec {
  readonly nodeRequired?: readonly NodeSelectorTerm[];
  readonly nodePreferred?: readonly { readonly weight: number; readonly preference: NodeSelectorTerm }[];
  readonly podRequired?: readonly PodAffinityTerm[];
  readonly podPreferred?: readonly { readonly weight: number; readonly term: PodAffinityTerm }[];
  readonly antiRequired?: readonly PodAffinityTerm[];
  readonly antiPreferred?: readonly { readonly weight: number; readonly term: PodAffinityTerm }[];
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Toleration {
  readonly key?: string;
  readonly operator: 'Equal' | 'Exists';
  readonly value?: string;
  readonly effect?: TaintEffect;
}

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  readonly labelSelector?: LabelSelectorSpec;
  readonly matchLabelKeys?: readonly string[];
  readonly minDomains?: number;
}

/** The controller a pod was expanded from (model/workloads/). */
export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

/** The part of a pod that a template carries (everything but its name and namespace). */
export interface PodBody {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly nodeName?: string;
  readonly containers: readonly ContainerSpec[];
  /** Run one after another, each to completion, before the containers (sidecars: started and left running). */
  readonly initContainers?: readonly ContainerSpec[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly affinity?: AffinitySpec;
  readonly tolerations?: readonly Toleration[];
  readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
  /** The process runs in the node's own network namespace and the pod's IP is the node's (`hostNetwork: true`). */
  readonly hostNetwork?: boolean;
  /** spec.hostname and spec.subdomain: with a headless Service named like the subdomain selecting the pod, the pod gets
   *  `<hostname>.<subdomain>.<ns>.svc.<domain>`. */
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly hostAliases?: readonly HostAlias[];
  /** spec.enableServiceLinks (default true): the service environment variables of the pod's namespace. */
  readonly enableServiceLinks: boolean;
  /** spec.automountServiceAccountToken (default true): the service account folder in every container. */
  readonly automountServiceAccountToken?: boolean;
  readonly dnsPolicy: DnsPolicy;
  readonly volumes?: readonly VolumeSpec[];
  /** Default Always. */
  readonly restartPolicy?: RestartPolicy;
  /** Default 30. */
  readonly terminationGracePeriodSeconds?: number;
  /** The annotation podlab.io/runtime, when given (else the Cluster's spec.runtime). */
  readonly runtime?: RuntimeName;
}

export interface PodSpec extends PodBody {
  readonly namespace: string;
  readonly name: string;
  readonly origin: Origin;
  /** Set on pods a controller made. */
  readonly owner?: OwnerRef;
  /** A system object podlab adds to the lab (model/system.ts), named by its component ("dns", "ingress"); absent for the user's.
   *  Scheduled and addressed after the user's pods. */
  readonly system?: string;
}

/** A pod template (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job). */
export interface PodTemplate extends PodBody {
  /** Canonical JSON of the template as written (sorted keys): what the pod-template-hash is computed over. */
  readonly canonical: string;
}

export interface ConfigMapSpec {
  readonly namespace: string;
  readonly name: string;
  readonly data: Readonly<Record<string, string>>;
  /** binaryData keys (base64 in the file): file contents as base64, never an environment value. */
  readonly binaryData: Readonly<Record<string, string>>;
  readonly origin: Origin;
}

export interface SecretSpec {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  /** Decoded as UTF-8 (environment values): `data` (base64) merged with `stringData` (which wins, as the API server does). */
  readonly data: Readonly<Record<string, string>>;
  /** The same keys as base64 (file contents, byte for byte). */
  readonly base64: Readonly<Record<string, string>>;
  readonly origin: Origin;
}

/** A replica count or a percentage of the desired replicas (maxSurge, maxUnavailable). */
export type IntOrPercent = number | `${number}%`;

interface WorkloadBase {
  readonly namespace: string;
  readonly name: string;
  /** "Kind ns/name" */
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly selector: LabelSelectorSpec;
  readonly template: PodTemplate;
  readonly origin: Origin;
}

export interface DeploymentSpec extends WorkloadBase {
  readonly kind: 'Deployment';
  readonly replicas: number;
  readonly strategy: { readonly type: 'RollingUpdate'; readonly maxSurge: IntOrPercent; readonly maxUnavailable: IntOrPercent } | { readonly type: 'Recreate' };
  readonly revisionHistoryLimit: number;
}

export interface ReplicaSetSpec extends WorkloadBase {
  readonly kind: 'ReplicaSet';
  readonly replicas: number;
}

export interface StatefulSetSpec extends WorkloadBase {
  readonly kind: 'StatefulSet';
  readonly replicas: number;
  readonly serviceName?: string;
  readonly podManagementPolicy: 'OrderedReady' | 'Parallel';
  readonly volumeClaimTemplates: readonly { readonly name: string; readonly storage?: string }[];
  readonly ordinalsStart: number;
}

export interface DaemonSetSpec extends WorkloadBase {
  readonly kind: 'DaemonSet';
}

export interface JobBody {
  readonly parallelism: number;
  /** undefined: any one success completes the Job (a work queue). */
  readonly completions?: number;
  readonly backoffLimit: number;
  readonly activeDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished?: number;
  readonly completionMode: 'NonIndexed' | 'Indexed';
  readonly suspend: boolean;
}

export interface JobSpec extends WorkloadBase, JobBody {
  readonly kind: 'Job';
}

export interface CronJobSpec extends WorkloadBase {
  readonly kind: 'CronJob';
  readonly schedule: string;
  readonly timeZone?: string;
  readonly suspend: boolean;
  readonly concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  readonly startingDeadlineSeconds?: number;
  readonly job: JobBody;
  /** The jobTemplate's own labels and annotations. */
  readonly jobLabels: Readonly<Record<string, string>>;
}

export type WorkloadSpec = DeploymentSpec | ReplicaSetSpec | StatefulSetSpec | DaemonSetSpec | JobSpec | CronJobSpec;
export type WorkloadKind = WorkloadSpec['kind'];

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServicePortSpec {
  /** Empty string for an unnamed port (allowed only when the service has one port). */
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** A number, or the name of a containerPort of the selected pods. Defaults to port. */
  readonly targetPort: number | string;
  readonly nodePort?: number;
  /** Line of the port's targetPort (or the port itself), for notices about it. */
  readonly line?: number;
}

export interface ServiceSpec {
  readonly namespace: string;
  readonly name: string;
  readonly key: string; // "ns/name"
  readonly labels: Readonly<Record<string, string>>;
  readonly type: ServiceType;
  /** Given address, "None" (headless), or undefined (allocated from serviceCIDR). */
  readonly clusterIP?: string;
  /** undefined = no selector (no endpoints are computed). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortSpec[];
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly internalTrafficPolicy: TrafficPolicy;
  readonly sessionAffinity: 'None' | 'ClientIP';
  readonly affinityTimeoutSeconds: number;
  readonly externalIPs: readonly string[];
  readonly annotations: Readonly<Record<string, string>>;
  /** LoadBalancer: the CIDRs allowed to reach the load-balancer IP (KUBE-FW-…); empty = everyone. */
  readonly loadBalancerSourceRanges: readonly string[];
  /** LoadBalancer: false = no NodePorts are allocated (the load balancer must reach pods directly). */
  readonly allocateLoadBalancerNodePorts: boolean;
  /** LoadBalancer with externalTrafficPolicy Local: the given health-check port (allocated when absent). */
  readonly healthCheckNodePort?: number;
  /** type ExternalName: the name the Service is an alias (DNS CNAME) for; no ClusterIP, no kube-proxy rules. */
  readonly externalName?: string;
  /** A system object podlab adds to the lab (model/system.ts), named by its component ("dns", "api", "ingress"). */
  readonly system?: string;
  readonly origin: Origin;
}

/** A path rule of an Ingress (networking.k8s.io/v1). */
export interface IngressPathSpec {
  readonly path: string;
  readonly pathType: 'Prefix' | 'Exact' | 'ImplementationSpecific';
  readonly backend: IngressBackendSpec;
}

export interface IngressBackendSpec {
  readonly service: string;
  /** A Service port number or name. */
  readonly port: number | string;
}

export interface IngressSpec {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  /** undefined: the default IngressClass. */
  readonly ingressClassName?: string;
  readonly defaultBackend?: IngressBackendSpec;
  readonly rules: readonly { readonly host?: string; readonly paths: readonly IngressPathSpec[] }[];
  readonly tls: readonly { readonly hosts: readonly string[]; readonly secretName: string }[];
  readonly origin: Origin;
}

export interface IngressClassSpec {
  readonly name: string;
  readonly controller: string;
  readonly isDefault: boolean;
  readonly origin: Origin;
}

export type PolicyType = 'Ingress' | 'Egress';

/** One entry of a NetworkPolicy rule's `ports`: protocol (default TCP), a port number or name, an optional endPort. */
export interface PolicyPortSpec {
  readonly protocol: Protocol;
  /** undefined = every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface PolicyIPBlockSpec {
  /** Canonical network ("10.0.0.0/16"; host bits cleared). */
  readonly cidr: string;
  /** IPv6 blocks are accepted and match nothing: podlab labs are IPv4 only. */
  readonly family: 4 | 6;
  readonly except: readonly string[];
}

/** A peer: podSelector and/or namespaceSelector (both = AND), or an ipBlock. */
export interface PolicyPeerSpec {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: PolicyIPBlockSpec;
}

/** One ingress or egress rule. Absent or empty peers / ports mean every peer / every port. */
export interface PolicyRuleSpec {
  readonly peers?: readonly PolicyPeerSpec[];
  readonly ports?: readonly PolicyPortSpec[];
}

/** A `networking.k8s.io/v1 NetworkPolicy` document, validated, with the API's defaults filled in. */
export interface NetworkPolicySpec {
  readonly namespace: string;
  readonly name: string;
  readonly key: string; // "ns/name"
  readonly podSelector: LabelSelector;
  /** Defaulted as the API does: [Ingress], plus Egress when egress rules are present. */
  readonly policyTypes: readonly PolicyType[];
  readonly ingress: readonly PolicyRuleSpec[];
  readonly egress: readonly PolicyRuleSpec[];
  readonly origin: Origin;
}

export interface LabSpec {
  readonly cluster: ClusterSpec;
  readonly namespaces: readonly string[];
  /** Labels of the namespaces declared by `kind: Namespace` documents (others have none of their own). */
  readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** `kind: NetworkPolicy` documents, in file order. */
  readonly policies: readonly NetworkPolicySpec[];
  /** Bare pods (kind: Pod); controllers' pods are expanded from `workloads` by the model. */
  readonly pods: readonly PodSpec[];
  /** Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs, in file order. */
  readonly workloads: readonly WorkloadSpec[];
  readonly configMaps: readonly ConfigMapSpec[];
  readonly secrets: readonly SecretSpec[];
  /** Declared `kind: Check` documents, in file order. */
  readonly checks: readonly CheckSpec[];
  readonly services: readonly ServiceSpec[];
  readonly ingresses: readonly IngressSpec[];
  readonly ingressClasses: readonly IngressClassSpec[];
  /** One-line notices (ignored fields and the like); never errors. */
  readonly notices: readonly string[];
  /**
   * Pods of a ReplicaSet (a Deployment's too) that `podlab delete pod` removed, as NS/NAME: their controller makes a
   * pod with a new name in their place, as the ReplicaSet controller does when one of its pods is deleted.
   */
  readonly deletedPods?: readonly string[];
}

/** Protocols a declared Check can use (ICMP: ping, no port). */
export type CheckProtocol = 'TCP' | 'UDP' | 'ICMP';
/** ok: answered · refused: failed fast (RST, ICMP unreachable, no route) · dropped: timed out · blocked: refused or dropped. */
export type CheckOutcome = 'ok' | 'refused' | 'dropped' | 'blocked';

/** Where a declared check's traffic starts. */
export type CheckFrom =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'node'; readonly name: string }
  | { readonly kind: 'external' };

/** Where it goes. service/nodeport targets are validated against the files' Services and resolve to ClusterIP / node IP + nodePort. */
export type CheckTo =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string; readonly port?: number }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string; readonly port?: number | string }
  | { readonly kind: 'nodeport'; readonly node: string; readonly namespace: string; readonly name: string; readonly port?: number | string }
  | { readonly kind: 'external'; readonly port?: number }
  | { readonly kind: 'ip'; readonly ip: string; readonly port?: number };

export type CheckSourceSpec = { readonly kind: 'pod' | 'node' | 'external' } | { readonly kind: 'ip'; readonly ip: string };

/** A `kind: Check` document: one expectation about real traffic, checked by `podlab check`. */
export interface CheckSpec {
  readonly name: string;
  readonly from: CheckFrom;
  readonly to: CheckTo;
  /** The from/to text as written, for reports. */
  readonly fromText: string;
  readonly toText: string;
  readonly protocol: CheckProtocol;
  readonly expect: {
    readonly outcome: CheckOutcome;
    readonly source?: CheckSourceSpec;
    /** "ns/name" of the pods that must answer, each at least once over `tries`. */
    readonly backends?: readonly string[];
  };
  readonly tries?: number;
  readonly origin: Origin;
}
