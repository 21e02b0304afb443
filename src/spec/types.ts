// The validated cluster file: what the user wrote, with defaults filled in. Readonly by convention.

export type Mode = 'overlay' | 'bgp' | 'vpc';
export type ProxyMode = 'iptables' | 'nftables';
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
  readonly origin: Origin;
}

export interface ContainerPort {
  readonly containerPort: number;
  readonly protocol: Protocol;
  readonly name?: string;
}

export interface ContainerSpec {
  readonly name: string;
  readonly image?: string;
  /** command + args, as Kubernetes joins them; undefined = podlab's built-in netexec server. */
  readonly command?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
  readonly workingDir: string;
}

export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName?: string;
  readonly containers: readonly ContainerSpec[];
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
  readonly pods: readonly PodSpec[];
  readonly services: readonly ServiceSpec[];
  /** One-line notices (ignored fields and the like); never errors. */
  readonly notices: readonly string[];
}
