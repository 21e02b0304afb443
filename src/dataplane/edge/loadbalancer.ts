// What runs at the edge of the cluster for LoadBalancer Services, as data (pure): which nodes may announce each
// load-balancer IP (MetalLB: every node with a speaker for externalTrafficPolicy Cluster, only nodes with a ready
// local endpoint for Local, nobody for a Service without endpoints), the per-node configuration of the L2 speakers
// (workload/edge/agent.py speaker), and kube-proxy's health-check server on every node (agent.py healthz).
import type { Topology, NodeT, ServiceT } from '../../model/topology.js';

/** MetalLB's memberlist port, on which podlab's speakers tell each other they are alive. */
export const MEMBERLIST_PORT = 7946;
/** A speaker not heard for this long is dead to the others (memberlist's suspicion, shortened for a lab). */
export const SPEAKER_DEAD_MS = 1000;
export const SPEAKER_HEARTBEAT_MS = 200;

export function lbServices(t: Topology): ServiceT[] {
  return (t.services ?? []).filter((s) => s.loadBalancer && s.clusterIP !== 'None');
}

/** Nodes that may announce the Service's IP (MetalLB ShouldAnnounce before the election). */
export function announcers(t: Topology, s: ServiceT): string[] {
  if (!s.endpoints.length) return [];
  if (s.externalTrafficPolicy === 'Local') return t.nodes.filter((n) => s.endpoints.some((e) => e.node === n.name)).map((n) => n.name);
  return t.nodes.map((n) => n.name);
}

export interface SpeakerConfig {
  readonly node: string;
  readonly netns: string;
  readonly iface: string;
  readonly mac: string;
  readonly ip: string;
  readonly port: number;
  readonly heartbeatMs: number;
  readonly deadMs: number;
  readonly peers: readonly { readonly node: string; readonly ip: string }[];
  /** Every announced IP with the nodes that may announce it (each speaker runs the election itself). */
  readonly ips: readonly { readonly ip: string; readonly service: string; readonly candidates: readonly string[] }[];
}

/** One L2 speaker per node when the lab announces with L2 and has a LoadBalancer Service. */
export function speakerConfigs(t: Topology): SpeakerConfig[] {
  if (t.loadBalancer?.announce !== 'L2') return [];
  const svcs = lbServices(t);
  if (!svcs.length) return [];
  const ips = svcs.map((s) => ({ ip: s.loadBalancer!.ip, service: s.key, candidates: announcers(t, s) }));
  return t.nodes.map((n) => ({
    node: n.name, netns: n.netns, iface: 'eth0', mac: n.mac, ip: n.ip, port: MEMBERLIST_PORT, heartbeatMs: SPEAKER_HEARTBEAT_MS, deadMs: SPEAKER_DEAD_MS,
    peers: t.nodes.filter((p) => p.name !== n.name).map((p) => ({ node: p.name, ip: p.ip })), ips,
  }));
}

export interface HealthzConfig {
  readonly node: string;
  readonly netns: string;
  readonly services: readonly { readonly port: number; readonly namespace: string; readonly name: string; readonly localEndpoints: number }[];
}

/** The number of ready local endpoints kube-proxy's health server reports for a Service on a node. */
export function localEndpoints(s: ServiceT, n: Pick<NodeT, 'name'>): number {
  return s.endpoints.filter((e) => e.node === n.name).length;
}

/** kube-proxy's service health server on every node: one listener per eTP Local LoadBalancer's healthCheckNodePort. */
export function healthzConfigs(t: Topology): HealthzConfig[] {
  const svcs = lbServices(t).filter((s) => s.loadBalancer!.healthCheckNodePort !== undefined);
  if (!svcs.length) return [];
  return t.nodes.map((n) => ({
    node: n.name, netns: n.netns,
    services: svcs.map((s) => ({ port: s.loadBalancer!.healthCheckNodePort!, namespace: s.namespace, name: s.name, localEndpoints: localEndpoints(s, n) })),
  }));
}
