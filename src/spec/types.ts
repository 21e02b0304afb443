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

export interface LabSpec {
  readonly cluster: ClusterSpec;
  readonly namespaces: readonly string[];
  readonly pods: readonly PodSpec[];
  /** One-line notices (ignored fields and the like); never errors. */
  readonly notices: readonly string[];
}
