// kube-proxy, iptables mode: the rules one node's kube-proxy writes (KP syncProxyRules; reference A.1–A.4),
// as iptables-restore Fragments composed before flannel's (pure).
import type { Topology, NodeT } from '../../model/topology.js';
import { comment, type Fragment } from '../iptables.js';
import { contains, mustCidr } from '../../net/ip.js';
import { MASQ_MARK, portProtoHash, probability, proxiedServices, portView, reachable, sepChain, epStr, type PortView } from './common.js';

const q = (text: string) => comment(text);

function write(rules: string[], chain: string, ...parts: (string | undefined | false)[]): void {
  rules.push(`-A ${chain} ` + parts.filter((p): p is string => !!p).join(' '));
}

/** Fragments for mangle, nat and filter of one node, in kube-proxy's shapes. */
export function kubeProxyIptables(t: Topology, n: NodeT): Fragment[] {
  const cidr = t.podCIDR; // local traffic detector: the cluster CIDR (in vpc mode the VPC CIDR: pods hold VPC addresses)
  const ifLocal = `-s ${cidr}`;
  const ifNotLocal = `! -s ${cidr}`;
  const nat: string[] = [];
  const natChains: string[] = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ', 'KUBE-PROXY-CANARY'];
  const filter: string[] = [];
  const filterChains = ['KUBE-PROXY-FIREWALL', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-SERVICES', 'KUBE-PROXY-CANARY'];

  // Jumps from the built-in chains (iptablesJumpChains, prepended: reference A.1).
  nat.push(
    `-A PREROUTING ${q('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A OUTPUT ${q('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A POSTROUTING ${q('kubernetes postrouting rules')} -j KUBE-POSTROUTING`,
  );
  const ctNew = '-m conntrack --ctstate NEW';
  filter.push(
    `-A INPUT ${ctNew} ${q('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL`,
    `-A INPUT ${q('kubernetes health check service ports')} -j KUBE-NODEPORTS`,
    `-A INPUT ${ctNew} ${q('kubernetes externally-visible service portals')} -j KUBE-EXTERNAL-SERVICES`,
    `-A INPUT -j KUBE-FIREWALL`,
    `-A FORWARD ${ctNew} ${q('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL`,
    `-A FORWARD ${q('kubernetes forwarding rules')} -j KUBE-FORWARD`,
    `-A FORWARD ${ctNew} ${q('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A FORWARD ${ctNew} ${q('kubernetes externally-visible service portals')} -j KUBE-EXTERNAL-SERVICES`,
    `-A OUTPUT ${ctNew} ${q('kubernetes load balancer firewall')} -j KUBE-PROXY-FIREWALL`,
    `-A OUTPUT ${ctNew} ${q('kubernetes service portals')} -j KUBE-SERVICES`,
    `-A OUTPUT -j KUBE-FIREWALL`,
  );

  // Fixed rules (reference A.3, A.4 steps 12–13).
  nat.push(
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    `-A KUBE-POSTROUTING ${q('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  );
  filter.push(
    `-A KUBE-FIREWALL ${q('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    `-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP`,
    `-A KUBE-FORWARD ${q('kubernetes forwarding rules')} -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    `-A KUBE-FORWARD ${q('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );

  const perChain: string[] = []; // rules of per-service chains, after the KUBE-SERVICES/KUBE-NODEPORTS rules
  const svcs = proxiedServices(t);
  // KP "large cluster mode": above 1000 endpoints in all, per-endpoint comments are left out.
  const large = svcs.reduce((a, s) => a + s.ports.reduce((b, p) => b + p.endpoints.length, 0), 0) > LARGE_CLUSTER_ENDPOINTS;
  for (const svc of svcs) {
    for (const port of svc.ports) {
      const v = portView(svc, port, n);
      renderPort(v, { nat, natChains, filter, perChain, ifLocal, ifNotLocal, large, nodeIp: n.ip });
    }
  }
  nat.push(`-A KUBE-SERVICES ${q('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
  nat.push(...perChain);

  return [
    { table: 'mangle', chains: ['KUBE-PROXY-CANARY'], rules: [] },
    { table: 'nat', chains: natChains, rules: nat },
    { table: 'filter', chains: filterChains, rules: filter },
  ];
}

interface Out {
  nat: string[];
  natChains: string[];
  filter: string[];
  perChain: string[];
  ifLocal: string;
  ifNotLocal: string;
  large: boolean;
  nodeIp: string;
}

/** KP largeClusterEndpointsThreshold. */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

function renderPort(v: PortView, o: Out): void {
  const { svc, port, spn, proto } = v;
  const h = portProtoHash(spn, proto);
  const svcChain = `KUBE-SVC-${h}`;
  const svlChain = `KUBE-SVL-${h}`;
  const extChain = `KUBE-EXT-${h}`;
  const fwChain = `KUBE-FW-${h}`;
  const usesFWChain = v.hasEndpoints && v.lbIps.length > 0 && v.sourceRanges.length > 0;
  const lbTrafficChain = usesFWChain ? fwChain : extChain;
  const internalPolicyChain = v.internalLocal ? svlChain : svcChain;
  const externalPolicyChain = v.externalLocal ? svlChain : svcChain;
  const pm = `-m ${proto} -p ${proto}`;
  const sepOf = (e: { ip: string; port: number }) => sepChain(spn, proto, `${e.ip}:${e.port}`);
  const chainRules: string[] = [];

  // 1. ClusterIP capture, or REJECT/DROP when there is nothing to send it to.
  const cipArgs = `${q(`${spn} cluster IP`)} ${pm} -d ${svc.clusterIP} --dport ${port.port}`;
  if (v.internalEndpoints.length > 0) {
    write(chainRules, internalPolicyChain, cipArgs, o.ifNotLocal, '-j KUBE-MARK-MASQ');
    write(o.nat, 'KUBE-SERVICES', cipArgs, `-j ${internalPolicyChain}`);
  } else {
    write(o.filter, 'KUBE-SERVICES', q(v.internalFilter.comment), pm, `-d ${svc.clusterIP} --dport ${port.port}`, `-j ${v.internalFilter.target}`);
  }
  // 2. External IPs.
  for (const ip of svc.externalIPs) {
    if (v.hasEndpoints) write(o.nat, 'KUBE-SERVICES', q(`${spn} external IP`), pm, `-d ${ip} --dport ${port.port}`, `-j ${extChain}`);
    if (v.externalEndpoints.length === 0) write(o.filter, 'KUBE-EXTERNAL-SERVICES', q(v.externalFilter.comment), pm, `-d ${ip} --dport ${port.port}`, `-j ${v.externalFilter.target}`);
  }
  // 3. Load-balancer IPs (through KUBE-FW when loadBalancerSourceRanges are set; the rest is dropped by KUBE-PROXY-FIREWALL).
  for (const ip of v.lbIps) {
    if (v.hasEndpoints) write(o.nat, 'KUBE-SERVICES', q(`${spn} loadbalancer IP`), pm, `-d ${ip} --dport ${port.port}`, `-j ${lbTrafficChain}`);
    if (usesFWChain) write(o.filter, 'KUBE-PROXY-FIREWALL', q(`${spn} traffic not accepted by ${fwChain}`), pm, `-d ${ip} --dport ${port.port}`, '-j DROP');
  }
  if (v.externalEndpoints.length === 0) {
    for (const ip of v.lbIps) write(o.filter, 'KUBE-EXTERNAL-SERVICES', q(v.externalFilter.comment), pm, `-d ${ip} --dport ${port.port}`, `-j ${v.externalFilter.target}`);
  }
  // 4. NodePort (not subject to loadBalancerSourceRanges).
  if (port.nodePort !== undefined) {
    if (v.hasEndpoints) write(o.nat, 'KUBE-NODEPORTS', q(spn), pm, `--dport ${port.nodePort}`, `-j ${extChain}`);
    if (v.externalEndpoints.length === 0) write(o.filter, 'KUBE-EXTERNAL-SERVICES', q(v.externalFilter.comment), '-m addrtype --dst-type LOCAL', pm, `--dport ${port.nodePort}`, `-j ${v.externalFilter.target}`);
  }
  // 5. The health-check node port (eTP Local), accepted whether or not this node has a local endpoint.
  const hc = svc.loadBalancer?.healthCheckNodePort;
  if (hc !== undefined) write(o.filter, 'KUBE-NODEPORTS', q(`${spn} health check node port`), '-m tcp -p tcp', `--dport ${hc}`, '-j ACCEPT');
  // 7. The external traffic chain.
  if (v.usesExternalChain) {
    o.natChains.push(extChain);
    if (!v.externalLocal) {
      write(chainRules, extChain, q(`masquerade traffic for ${spn} external destinations`), '-j KUBE-MARK-MASQ');
    } else {
      write(chainRules, extChain, q(`pod traffic for ${spn} external destinations`), o.ifLocal, `-j ${svcChain}`);
      write(chainRules, extChain, q(`masquerade LOCAL traffic for ${spn} external destinations`), '-m addrtype --src-type LOCAL', '-j KUBE-MARK-MASQ');
      write(chainRules, extChain, q(`route LOCAL traffic for ${spn} external destinations`), '-m addrtype --src-type LOCAL', `-j ${svcChain}`);
    }
    if (v.externalEndpoints.length > 0) write(chainRules, extChain, `-j ${externalPolicyChain}`);
  }
  // 8. The firewall chain: allowed sources go on to KUBE-EXT; anything else falls through undone and is dropped in filter.
  if (usesFWChain) {
    o.natChains.push(fwChain);
    let allowFromNode = false;
    for (const cidr of v.sourceRanges) {
      write(chainRules, fwChain, q(`${spn} loadbalancer IP`), `-s ${cidr}`, `-j ${extChain}`);
      if (contains(mustCidr(cidr), o.nodeIp)) allowFromNode = true;
    }
    if (allowFromNode) for (const ip of v.lbIps) write(chainRules, fwChain, q(`${spn} loadbalancer IP`), `-s ${ip}`, `-j ${extChain}`);
    write(chainRules, fwChain, q(`other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL`));
  }
  // 9. Load balancing in the policy chains.
  const lb = (chain: string, eps: readonly { ip: string; port: number }[]) => {
    o.natChains.push(chain);
    if (svc.sessionAffinity === 'ClientIP') {
      for (const e of eps) {
        const sep = sepOf(e);
        write(chainRules, chain, !o.large && q(`${spn} -> ${e.ip}:${e.port}`), `-m recent --name ${sep} --rcheck --seconds ${svc.affinityTimeoutSeconds} --reap`, `-j ${sep}`);
      }
    }
    eps.forEach((e, i) => {
      const stat = i < eps.length - 1 ? `-m statistic --mode random --probability ${probability(eps.length - i)}` : undefined;
      write(chainRules, chain, !o.large && q(`${spn} -> ${e.ip}:${e.port}`), stat, `-j ${sepOf(e)}`);
    });
  };
  if (v.usesClusterPolicy) lb(svcChain, v.all);
  if (v.usesLocalPolicy) lb(svlChain, v.local);
  // 10. One chain per endpoint: hairpin masquerade, then DNAT.
  for (const e of reachable(v)) {
    const sep = sepOf(e);
    o.natChains.push(sep);
    write(chainRules, sep, !o.large && q(spn), `-s ${e.ip}`, '-j KUBE-MARK-MASQ');
    write(chainRules, sep, !o.large && q(spn), svc.sessionAffinity === 'ClientIP' ? `-m recent --name ${sep} --set` : undefined, pm, `-j DNAT --to-destination ${epStr(e)}`);
  }
  // Chains are declared once even when several rules name them; keep rules grouped by chain.
  o.perChain.push(...chainRules);
}
