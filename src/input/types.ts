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
  readonly origin: Origin;
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
  /** command + args, as Kubernetes joins them; undefined = podlab's built-in netexec server. */
  readonly command?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
  readonly workingDir: string;
  /** Run by podlab itself instead of the pod runtime (the ingress controller's nginx). */
  readonly builtin?: 'ingress-nginx';
}

/** ClusterFirst: the cluster DNS (the default); Default: the node's resolver (the lab's external host). */
export type DnsPolicy = 'ClusterFirst' | 'Default';

export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName?: string;
  readonly containers: readonly ContainerSpec[];
  /** The process runs in the node's own network namespace and the pod's IP is the node's (`hostNetwork: true`). */
  readonly hostNetwork?: boolean;
  /** spec.hostname and spec.subdomain: with a headless Service named like the subdomain selecting the pod, the pod gets
   *  `<hostname>.<subdomain>.<ns>.svc.<domain>`. */
  readonly hostname?: string;
  readonly subdomain?: string;
  /** spec.enableServiceLinks (default true): the service environment variables of the pod's namespace. */
  readonly enableServiceLinks: boolean;
  readonly dnsPolicy: DnsPolicy;
  /** A system object podlab adds to the lab (model/system.ts), named by its component ("dns", "ingress"); absent for the user's.
   *  Scheduled and addressed after the user's pods. */
  readonly system?: string;
  readonly origin: Origin;
}

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

/** A v1 Secret: its data decoded (data base64, stringData plain). */
export interface SecretSpec {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly data: Readonly<Record<string, string>>;
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
  readonly ingresses: readonly IngressSpec[];
  readonly ingressClasses: readonly IngressClassSpec[];
  readonly secrets: readonly SecretSpec[];
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
