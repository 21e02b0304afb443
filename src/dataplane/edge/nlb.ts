// An AWS network load balancer for the LoadBalancer Services of a vpc lab (pure): its namespace in its own VPC
// subnet, the VPC router's side (the public /32s routed to it, the internet gateway letting them through, replies of
// the flows it forwards routed back through it — AWS's Hyperplane keeps a target's replies on the load balancer's
// path), and its listeners: instance targets (every node's NodePort, health-checked over HTTP on the
// healthCheckNodePort for externalTrafficPolicy Local, over TCP on the traffic port otherwise, client address kept)
// or ip targets (pod IPs, annotation service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip; the client
// address is replaced by the NLB's, AWS's default for ip targets).
import type { Topology } from '../../model/topology.js';
import { mustCidr, nth } from '../../net/ip.js';
import { comment, type Fragment } from '../iptables.js';
import { emptyNs, type MutableNs, type RouteSpec, type RuleSpec } from '../types.js';
import { BASE_SYSCTLS } from '../cni/node.js';
import { lbServices } from './loadbalancer.js';

/** The connmark the VPC router puts on flows the NLB forwards, and the table that routes their replies back to it. */
export const NLB_MARK = '0x100';
export const NLB_TABLE = '100';
export const NLB_RULE_PRIORITY = 100;
/** Health checks, shortened from AWS's minimum (5 s interval, thresholds 2) so a lab reacts within a second. */
export const NLB_INTERVAL_MS = 300;
export const NLB_THRESHOLD = 2;

export interface NlbTarget {
  readonly ip: string;
  readonly port: number;
  /** The node (instance targets) or pod (ip targets) behind the address. */
  readonly name: string;
  readonly check: { readonly kind: 'http'; readonly port: number; readonly path: string } | { readonly kind: 'tcp'; readonly port: number } | { readonly kind: 'none'; readonly port: number };
}

export interface NlbListener {
  readonly service: string;
  readonly ip: string;
  readonly port: number;
  readonly protocol: string;
  readonly sourceRanges: readonly string[];
  /** ip targets: the source becomes the NLB's own address. */
  readonly snat: boolean;
  readonly targets: readonly NlbTarget[];
}

export interface NlbConfig {
  readonly netns: string;
  readonly ip: string;
  readonly intervalMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly listeners: readonly NlbListener[];
}

/** The NLB's listeners, or undefined when the lab has no NLB. */
export function nlbConfig(t: Topology): NlbConfig | undefined {
  if (t.loadBalancer?.announce !== 'NLB' || !t.lbHost) return undefined;
  const listeners: NlbListener[] = [];
  for (const s of lbServices(t)) {
    const lb = s.loadBalancer!;
    for (const p of s.ports) {
      const ipTargets = lb.targetType === 'ip';
      const targets: NlbTarget[] = ipTargets
        ? p.endpoints.map((e) => ({ ip: e.ip, port: e.port, name: e.pod, check: p.protocol === 'TCP' ? { kind: 'tcp' as const, port: e.port } : { kind: 'none' as const, port: e.port } }))
        : p.nodePort === undefined ? [] : t.nodes.map((n) => ({
          ip: n.ip, port: p.nodePort!, name: n.name,
          check: lb.healthCheckNodePort !== undefined ? { kind: 'http' as const, port: lb.healthCheckNodePort, path: '/healthz' }
            : p.protocol === 'TCP' ? { kind: 'tcp' as const, port: p.nodePort! } : { kind: 'none' as const, port: p.nodePort! },
        }));
      listeners.push({ service: s.key, ip: lb.ip, port: p.port, protocol: p.protocol, sourceRanges: lb.sourceRanges, snat: ipTargets, targets });
    }
  }
  return { netns: t.lbHost.netns, ip: t.lbHost.ip, intervalMs: NLB_INTERVAL_MS, healthyThreshold: NLB_THRESHOLD, unhealthyThreshold: NLB_THRESHOLD, listeners };
}

/** The NLB's namespace: eth0 in its subnet behind the VPC router, forwarding on. */
export function nlbNs(t: Topology, mtu: number): MutableNs | undefined {
  const h = t.lbHost;
  if (!h || t.loadBalancer?.announce !== 'NLB') return undefined;
  const sn = mustCidr(h.subnet);
  const ns = emptyNs(h.netns, 'host', 1);
  ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '1'], ['net.ipv4.conf.all.rp_filter', '0'], ['net.ipv4.conf.default.rp_filter', '0']);
  ns.links.push({ name: 'eth0', kind: 'veth', mtu, mac: h.mac, foreign: true });
  ns.addrs.push({ dev: 'eth0', cidr: `${h.ip}/${sn.prefix}` });
  ns.routes.push({ dst: 'default', via: nth(sn, 1), dev: 'eth0' });
  return ns;
}

/** What the VPC router needs for the NLB: the port, the public /32s, the return path; and the IGW's filter entries. */
export function nlbRouterSide(t: Topology, mtu: number): { links: MutableNs['links']; addrs: MutableNs['addrs']; routes: RouteSpec[]; rules: RuleSpec[]; mangle: Fragment | undefined; publicIps: string[] } {
  const h = t.lbHost;
  const empty = { links: [], addrs: [], routes: [], rules: [], mangle: undefined, publicIps: [] };
  if (!h || t.loadBalancer?.announce !== 'NLB') return empty;
  const sn = mustCidr(h.subnet);
  const ips = [...new Set(lbServices(t).map((s) => s.loadBalancer!.ip))];
  const c = comment('podlab nlb: replies of the flows the NLB forwards go back through it');
  return {
    links: [{ name: h.port, kind: 'veth', mtu, peer: { name: 'eth0', netns: h.netns, mtu, mac: h.mac } }],
    addrs: [{ dev: h.port, cidr: `${nth(sn, 1)}/${sn.prefix}` }],
    routes: [...ips.map((ip) => ({ dst: `${ip}/32`, via: h.ip, dev: h.port })), { dst: 'default', via: h.ip, dev: h.port, table: NLB_TABLE }],
    rules: [{ priority: NLB_RULE_PRIORITY, fwmark: `${NLB_MARK}/${NLB_MARK}`, table: NLB_TABLE }],
    mangle: {
      table: 'mangle', chains: [],
      rules: [
        `-A PREROUTING -i ${h.port} -m conntrack --ctstate NEW ${c} -j CONNMARK --set-xmark ${NLB_MARK}/${NLB_MARK}`,
        `-A PREROUTING ! -i ${h.port} -m connmark --mark ${NLB_MARK}/${NLB_MARK} ${c} -j MARK --set-xmark ${NLB_MARK}/${NLB_MARK}`,
      ],
    },
    publicIps: ips,
  };
}
