// The checker at the cluster's edge (pure): what Kubernetes and the mode's load balancer promise for traffic from
// outside to a LoadBalancer Service (per announcement: MetalLB L2 and BGP, an AWS NLB), from pods to load-balancer
// IPs and to NodePorts of their own and other nodes (matrix E rows 11–16 and the notes under it), and the answers of
// kube-proxy's health-check port. Composed with the mode's routing facts like model.ts.
import type { Topology, NodeT, PodT, ServiceT, ServicePortT, EndpointT } from '../model/topology.js';
import type { Expectation, SourceExpect } from './types.js';
import type { RoutingFacts } from './facts.js';
import { l2Order } from '../model/loadbalancer.js';
import { announcers, localEndpoints } from '../dataplane/edge/loadbalancer.js';
import { contains, mustCidr } from '../net/ip.js';
import type { IngressPathT } from '../model/ingress.js';
import { INGRESS_NAMESPACE, INGRESS_SERVICE } from '../model/system.js';

/** What only the running lab knows and the expectations depend on: which speakers a fault stopped. */
export interface LiveFacts {
  readonly speakersDown?: readonly string[];
}

type NodeSource = (t: Topology, n: NodeT, preferred?: string) => SourceExpect;

const hostOf = (pod: string) => pod.slice(pod.indexOf('/') + 1);
const hosts = (eps: readonly EndpointT[]) => [...new Set(eps.map((e) => hostOf(e.pod)))];
const inRanges = (ranges: readonly string[], ip: string) => ranges.some((r) => contains(mustCidr(r), ip));

export interface EdgeExpectations {
  /** The external host → the load-balancer IP:port. */
  externalToLoadBalancer(t: Topology, svc: ServiceT, port: ServicePortT, live?: LiveFacts): Expectation;
  /** A pod → a load-balancer IP:port: kube-proxy on its own node captures it (rows 15, 16). */
  podToLoadBalancer(t: Topology, client: PodT, svc: ServiceT, port: ServicePortT): Expectation;
  /** A pod → nodeIP:nodePort of its own node (rows 15, 16) or another node (the notes under the matrix). Undefined: not checkable, with why. */
  podToNodePort(t: Topology, client: PodT, node: NodeT, svc: ServiceT, port: ServicePortT): Expectation | string;
  /** The external host → nodeIP:healthCheckNodePort: kube-proxy's health server. */
  healthCheck(t: Topology, node: NodeT, svc: ServiceT): Expectation;
  /** The external host → the ingress controller's LB IP, Host `host`, `path`: the rule's backend (or the default backend). */
  ingressRoute(t: Topology, route: { host: string; path: string; backend?: IngressPathT['backend']; tls: boolean }, live?: LiveFacts): Expectation;
}

export function edgeExpectations(f: RoutingFacts, nodeSource: NodeSource): EdgeExpectations {
  /** A client that is itself an endpoint may be DNATed back to itself: that answer is hairpin-masqueraded (E9). */
  const selfHairpin = (t: Topology, client: PodT, eps: readonly EndpointT[]): Pick<Expectation, 'sourceFor'> => (eps.some((e) => e.pod === client.key)
    ? { sourceFor: { [hostOf(client.key)]: nodeSource(t, t.nodes.find((n) => n.name === client.node)!) } } : {});
  const ext = (t: Topology): SourceExpect => ({ class: 'EXT', allowed: [t.external.ip], preferred: t.external.ip, describe: `the external host's own ${t.external.ip}` });
  const pod = (p: PodT): SourceExpect => ({ class: 'POD', allowed: [p.ip], preferred: p.ip, describe: `the pod's own ${p.ip}` });
  const anyNode = (t: Topology, names: readonly string[]): SourceExpect => {
    const ns = t.nodes.filter((n) => names.includes(n.name));
    const allowed = ns.flatMap((n) => f.nodeAddresses(t, n).map((a) => a.ip));
    return { class: 'NODE', allowed, describe: `an address of ${ns.length === 1 ? `node ${ns[0]!.name}` : `one of the nodes ${ns.map((n) => n.name).join(', ')}`} (${allowed.join(', ')})` };
  };
  const explain = { masquerade: f.words.masquerade, hairpin: f.words.hairpin };
  return {
    externalToLoadBalancer(t, svc, port, live = {}) {
      const lb = svc.loadBalancer!;
      const how = t.loadBalancer?.announce ?? 'L2';
      const eps = port.endpoints;
      const at = `${lb.ip}:${port.port}`;
      if (!eps.length) {
        return { outcome: 'blocked', basis: how === 'NLB' ? `E18: ${svc.key} has no endpoints: every node REJECTs ${at}` : `MetalLB announces no IP of a Service without endpoints: ${at} is not reachable` };
      }
      if (lb.sourceRanges.length && !inRanges(lb.sourceRanges, t.external.ip)) {
        return { outcome: 'dropped', basis: `loadBalancerSourceRanges ${lb.sourceRanges.join(', ')} do not hold ${t.external.ip}: ${how === 'NLB' ? "the NLB's security group drops it" : 'KUBE-FW falls through and KUBE-PROXY-FIREWALL drops it'}` };
      }
      const local = svc.externalTrafficPolicy === 'Local';
      const cand = announcers(t, svc);
      if (how === 'L2') {
        const down = new Set(live.speakersDown ?? []);
        const owner = l2Order(cand, lb.ip).find((n) => !down.has(n));
        if (!owner) return { outcome: 'blocked', basis: `L2: no live speaker may announce ${lb.ip} (candidates ${cand.join(', ') || 'none'}${down.size ? `, stopped: ${[...down].join(', ')}` : ''}): nobody answers ARP` };
        const why = `L2: MetalLB elects ${owner} (sha256(node#ip) order ${l2Order(cand, lb.ip).join(', ')}${down.size ? `; speakers stopped: ${[...down].join(', ')}` : ''}), whose speaker answers ARP for ${lb.ip}`;
        if (!local) return { outcome: 'ok', source: nodeSource(t, t.nodes.find((n) => n.name === owner)!), backends: [], mayAnswer: hosts(eps), explain, basis: `${why}; E11/E12: eTP Cluster, KUBE-EXT DNAT + MASQ on ${owner}` };
        const mine = eps.filter((e) => e.node === owner);
        return { outcome: 'ok', source: ext(t), backends: hosts(mine), untilAll: true, basis: `${why}; E13: eTP Local, only ${owner}'s own endpoints, the client address is kept` };
      }
      if (how === 'BGP') {
        const why = `BGP: the upstream router has ${lb.ip}/32 from ${cand.join(', ')} (ECMP)`;
        if (!local) return { outcome: 'ok', source: anyNode(t, cand), backends: [], mayAnswer: hosts(eps), explain, basis: `${why}; E11/E12: eTP Cluster, DNAT + MASQ on the node the router picked` };
        return { outcome: 'ok', source: ext(t), backends: [], mayAnswer: hosts(eps), basis: `${why}, only nodes with a local endpoint announce it; E13: eTP Local, the client address is kept` };
      }
      // NLB
      if (lb.targetType === 'ip') {
        const nlb = t.lbHost!;
        return { outcome: 'ok', source: { class: 'IP', allowed: [nlb.ip], preferred: nlb.ip, describe: `the NLB's own address ${nlb.ip} (ip targets: no client IP preservation)` }, backends: [], mayAnswer: hosts(eps),
          basis: `NLB with ip targets: forwards straight to the pod IPs, from its own address` };
      }
      if (!local) return { outcome: 'ok', source: anyNode(t, t.nodes.map((n) => n.name)), backends: [], mayAnswer: hosts(eps), explain, basis: 'NLB with instance targets: to a NodePort of any healthy node (client address kept), then E11/E12: DNAT + MASQ there' };
      return { outcome: 'ok', source: ext(t), backends: [], mayAnswer: hosts(eps),
        basis: `NLB with instance targets, eTP Local: its HTTP health checks on the healthCheckNodePort pass only on ${cand.join(', ')}; E13: the client address is kept` };
    },
    podToLoadBalancer(t, client, svc, port) {
      const lb = svc.loadBalancer!;
      const eps = port.endpoints;
      if (!eps.length) return { outcome: 'refused', basis: `E18: ${svc.key} has no endpoints: KUBE-EXTERNAL-SERVICES REJECTs ${lb.ip}:${port.port} on ${client.node}` };
      if (lb.sourceRanges.length && !inRanges(lb.sourceRanges, client.ip)) {
        return { outcome: 'dropped', basis: `KPT TestLoadBalancer: a pod outside loadBalancerSourceRanges ${lb.sourceRanges.join(', ')} → the LB IP: KUBE-FW falls through, KUBE-PROXY-FIREWALL drops it on ${client.node}` };
      }
      const n = t.nodes.find((x) => x.name === client.node)!;
      if (svc.externalTrafficPolicy === 'Local') return { outcome: 'ok', source: pod(client), ...selfHairpin(t, client, eps), backends: [], mayAnswer: hosts(eps), explain, basis: `E16: pod → LB IP with eTP Local on its own node ${n.name}: "pod traffic" short-circuit to all endpoints, DNAT only (E9 when it is sent back to itself)` };
      return { outcome: 'ok', source: nodeSource(t, n), backends: [], mayAnswer: hosts(eps), explain, basis: `E15: pod → LB IP ${lb.ip}, captured by kube-proxy on its own node ${n.name}: DNAT + MASQ (KUBE-EXT)` };
    },
    podToNodePort(t, client, node, svc, port) {
      const eps = port.endpoints;
      const own = client.node === node.name;
      const np = `${node.ip}:${port.nodePort}`;
      if (!eps.length) return { outcome: 'refused', basis: `E18: ${svc.key} has no endpoints: REJECT of ${np}` };
      if (own) {
        if (svc.externalTrafficPolicy === 'Local') return { outcome: 'ok', source: pod(client), ...selfHairpin(t, client, eps), backends: [], mayAnswer: hosts(eps), explain, basis: `E16: pod → its own node's NodePort ${np} with eTP Local: short-circuit to all endpoints, DNAT only (E9 when it is sent back to itself)` };
        return { outcome: 'ok', source: nodeSource(t, node), backends: [], mayAnswer: hosts(eps), explain, basis: `E15: pod → its own node's NodePort ${np}: DNAT + MASQ` };
      }
      const eg = f.podToOtherNode(t, client, node);
      if (eg.nat === 'blocked') return { outcome: 'blocked', basis: `E6: pod → other node IP: ${eg.why}` };
      const local = eps.filter((e) => e.node === node.name);
      if (svc.externalTrafficPolicy !== 'Local') {
        return { outcome: 'ok', source: nodeSource(t, node), backends: [], mayAnswer: hosts(eps), explain,
          basis: `notes under E: not DNATed on ${client.node} (--dst-type LOCAL fails there)${eg.nat === 'snat' ? `, ${eg.why} to ${eg.source.ip}` : ''}; ${node.name} treats it as external: E11/E12 DNAT + MASQ` };
      }
      if (eg.nat === 'none') return `the pod IP reaches ${node.name} un-NATed (${eg.why}), so eTP Local's "pod traffic" short-circuit sends it to any endpoint, and a remote endpoint answers the pod directly, bypassing ${node.name}'s conntrack: the connection breaks as it does on a real cluster of this mode`;
      if (!local.length) return { outcome: 'dropped', basis: `notes under E: ${eg.why} to ${eg.source.ip}, then E14 on ${node.name}: eTP Local and no local endpoint, KUBE-EXTERNAL-SERVICES DROP` };
      return { outcome: 'ok', source: { class: 'NODE', allowed: [eg.source.ip], preferred: eg.source.ip, describe: `node ${client.node}'s ${eg.source.dev} ${eg.source.ip} (the CNI's masquerade of pod → node)` }, backends: hosts(local), untilAll: true,
        basis: `notes under E: ${eg.why} to ${eg.source.ip}; then E13 on ${node.name}: eTP Local, its own endpoints, that source kept` };
    },
    ingressRoute(t, r, live) {
      const ctrl = t.pods.find((p) => p.key === t.ingress?.controller);
      const svc = (t.services ?? []).find((s) => s.key === `${INGRESS_NAMESPACE}/${INGRESS_SERVICE}`);
      const port = svc?.ports.find((p) => p.port === (r.tls ? 443 : 80));
      const where = `${r.tls ? 'https' : 'http'}://${r.host || '<LB IP>'}${r.path}`;
      if (!ctrl || !svc?.loadBalancer || !port) return { outcome: 'blocked', basis: 'the ingress controller has no load-balancer IP' };
      // Who the controller sees: what the load balancer in front of it keeps of the client (eTP Local: the client).
      const front = this.externalToLoadBalancer(t, svc, port, live);
      if (front.outcome !== 'ok') return { ...front, basis: `${where}: the controller's Service: ${front.basis}` };
      const xff = front.source?.allowed;
      const b = r.backend;
      if (!b) return { outcome: 'ok', http: { status: 404 }, basis: `${where}: no Ingress rule for this host and no defaultBackend: ingress-nginx's default server answers 404` };
      if (!b.endpoints.length) return { outcome: 'ok', http: { status: 503 }, basis: `${where}: ${b.missing ?? `${b.service} has no endpoints`}: 503 from the controller` };
      return {
        outcome: 'ok', http: { status: 200 }, backends: hosts(b.endpoints as EndpointT[]), untilAll: true,
        ...(r.path.endsWith('/clientip') ? { source: { class: 'IP' as const, allowed: [ctrl.ip], preferred: ctrl.ip, describe: `the ingress controller pod's ${ctrl.ip} (nginx proxies, it does not forward)` } } : {}),
        ...(xff ? { forwardedFor: xff } : {}),
        basis: `${where} → ${b.service}:${b.port} by the ingress controller (upstream ${b.upstream} of pod endpoints); X-Forwarded-For is the client it saw (${front.source?.describe ?? '?'})`,
      };
    },
    healthCheck(t, node, svc) {
      const n = localEndpoints(svc, node);
      return { outcome: 'ok', http: { status: n > 0 ? 200 : 503, contains: `"localEndpoints": ${n}` },
        basis: `kube-proxy's health server on ${node.name}: ${n > 0 ? `HTTP 200, ${n} local endpoint(s)` : 'HTTP 503, no local endpoint'} (pkg/proxy/healthcheck service_health.go)` };
    },
  };
}
