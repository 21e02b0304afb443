// LoadBalancer Services (pure): their IPs from the Cluster's pool (spec.loadBalancer), sticky like every other
// allocation, the NLB's hostname in vpc mode, and who may announce each IP — every node with a speaker for
// externalTrafficPolicy Cluster, only the nodes with a ready local endpoint for Local, as MetalLB decides
// (speaker/layer2_controller.go ShouldAnnounce; BGP: each such node advertises the /32).
import type { LabSpec, ServiceSpec } from '../input/types.js';
import type { Problem } from '../input/problems.js';
import { LB_ON_UNDERLAY, DEFAULT_ROUTED_POOL } from '../input/kinds/cluster.js';
import { ipToNum, mustCidr, numToIp, parseRange, type IpRange } from '../net/ip.js';
import { sha256, shortHash } from '../net/hash.js';

/** The AWS load balancer controller's annotation choosing NLB target type (instance: NodePorts, ip: pod IPs). */
export const NLB_TARGET_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
/** The region podlab's emulated VPC pretends to be in (for NLB hostnames). */
export const NLB_REGION = 'us-east-1';

/** What a LoadBalancer Service got: status.loadBalancer.ingress[0], and how it is reached. */
export interface LoadBalancerT {
  readonly ip: string;
  /** vpc (NLB): the DNS name AWS gives the load balancer. */
  readonly hostname?: string;
  readonly sourceRanges: readonly string[];
  readonly healthCheckNodePort?: number;
  /** NLB target type: instance (NodePorts on every node) or ip (pod IPs). */
  readonly targetType?: 'instance' | 'ip';
}

/** The default pool: a range on the underlay for L2 (ARP), a routed documentation range otherwise. */
export function defaultPool(announce: string, underlay: string): IpRange[] | string {
  if (!(LB_ON_UNDERLAY[announce] ?? true)) return [parseRange(DEFAULT_ROUTED_POOL) as IpRange];
  const u = mustCidr(underlay);
  if (u.size < 256) return `the underlay ${u.text} is too small for the default pool (offsets 200-250): set spec.loadBalancer.pool`;
  return [{ text: `${numToIp(u.base + 200)}-${numToIp(u.base + 250)}`, first: u.base + 200, last: u.base + 250 }];
}

/** Every address of the pool in order; CIDR pools skip their network and broadcast addresses (MetalLB avoidBuggyIPs). */
function* poolAddresses(pool: readonly IpRange[]): Generator<number> {
  for (const r of pool) {
    const cidr = r.text.includes('/');
    for (let n = r.first + (cidr && r.last > r.first ? 1 : 0); n <= r.last - (cidr && r.last > r.first ? 1 : 0); n++) yield n;
  }
}

export interface LbAllocationInput {
  readonly lab: LabSpec;
  /** Previous allocations: Service key → its load-balancer IP. */
  readonly prev: Readonly<Record<string, string | undefined>>;
  /** Addresses taken on the underlay (nodes, the external host, the gateway). */
  readonly taken: ReadonlySet<string>;
  readonly problems: Problem[];
}

/** LB IPs for every LoadBalancer Service: previous ones kept, else the lowest free address of the pool. */
export function allocateLoadBalancerIps(o: LbAllocationInput): Map<string, string> {
  const c = o.lab.cluster;
  const lbs = o.lab.services.filter((s) => s.type === 'LoadBalancer');
  const out = new Map<string, string>();
  if (!lbs.length) return out;
  const pool = c.loadBalancer.pool.length ? c.loadBalancer.pool.map((p) => parseRange(p) as IpRange) : defaultPool(c.loadBalancer.announce, c.underlay);
  if (typeof pool === 'string') {
    for (const s of lbs) o.problems.push({ file: s.origin.file, line: s.origin.line, path: `Service ${s.key} spec.type`, message: pool });
    return out;
  }
  const inPool = (ip: string) => pool.some((r) => ipToNum(ip) >= r.first && ipToNum(ip) <= r.last);
  const used = new Set<string>(o.taken);
  for (const s of lbs) {
    const p = o.prev[s.key];
    if (p && inPool(p) && !used.has(p)) {
      out.set(s.key, p);
      used.add(p);
    }
  }
  const gen = poolAddresses(pool);
  for (const s of lbs) {
    if (out.has(s.key)) continue;
    let ip: string | undefined;
    for (let n = gen.next(); !n.done; n = gen.next()) {
      const cand = numToIp(n.value);
      if (!used.has(cand)) {
        ip = cand;
        break;
      }
    }
    if (!ip) {
      o.problems.push({ file: s.origin.file, line: s.origin.line, path: `Service ${s.key} spec.type`, message: `no free address left in the load-balancer pool ${pool.map((r) => r.text).join(', ')} (spec.loadBalancer.pool of the Cluster)` });
      continue;
    }
    out.set(s.key, ip);
    used.add(ip);
  }
  return out;
}

/** An NLB's DNS name as the AWS load balancer controller and ELB make it: k8s-<ns>-<name>-<hash>-<id>.elb.<region>.amazonaws.com. */
export function nlbHostname(cluster: string, s: Pick<ServiceSpec, 'namespace' | 'name' | 'key'>): string {
  const name = `k8s-${s.namespace.slice(0, 8)}-${s.name.slice(0, 8)}-${shortHash(`${cluster}/${s.key}`, 10)}`;
  return `${name}-${shortHash(`${cluster}/${s.key}/elb`, 16)}.elb.${NLB_REGION}.amazonaws.com`;
}

export function targetTypeOf(s: Pick<ServiceSpec, 'annotations'>): 'instance' | 'ip' | string {
  return s.annotations[NLB_TARGET_TYPE] ?? 'instance';
}

/** MetalLB's L2 election: candidates ordered by sha256(node + "#" + ip); the first one with a live speaker announces. */
export function l2Order(nodes: readonly string[], ip: string): string[] {
  const h = (n: string) => sha256(`${n}#${ip}`).toString('hex');
  return [...nodes].sort((a, b) => (h(a) < h(b) ? -1 : h(a) > h(b) ? 1 : 0));
}
