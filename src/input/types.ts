// The validated cluster file: what the user wrote, with defaults filled in. Readonly by convention.

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
  readonly labels: Readonly<Record<string, string>>;
  readonly origin: Origin;
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
  readonly env: Readonly<Record<string, string>>;
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

/** Shapes shared with the workloads engineer's model (configMap/secret/downwardAPI are resolved there to files). */
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

export interface HostAlias {
  readonly ip: string;
  readonly hostnames: readonly string[];
}

/** Where a pod runs: processes in its namespaces, or Docker containers in a pause sandbox. */
export type RuntimeName = 'process' | 'docker';

export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly nodeName?: string;
  readonly containers: readonly ContainerSpec[];
  /** Run one after another, each to completion, before the containers (sidecars: started and left running). */
  readonly initContainers?: readonly ContainerSpec[];
  /** Default Always. */
  readonly restartPolicy?: RestartPolicy;
  /** Default 30. */
  readonly terminationGracePeriodSeconds?: number;
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly hostAliases?: readonly HostAlias[];
  readonly volumes?: readonly VolumeSpec[];
  /** The annotation podlab.io/runtime, when given (else the Cluster's spec.runtime). */
  readonly runtime?: RuntimeName;
  readonly origin: Origin;
}

export type ServiceType = 'ClusterIP' | 'NodePort';
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
  readonly origin: Origin;
}

export interface LabSpec {
  readonly cluster: ClusterSpec;
  readonly namespaces: readonly string[];
  /** Labels of the namespaces declared by `kind: Namespace` documents (others have none of their own). */
  readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly pods: readonly PodSpec[];
  /** Declared `kind: Check` documents, in file order. */
  readonly checks: readonly CheckSpec[];
  readonly services: readonly ServiceSpec[];
  /** One-line notices (ignored fields and the like); never errors. */
  readonly notices: readonly string[];
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
