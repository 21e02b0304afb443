// kube-proxy, nftables mode (KPN; reference A.8): one `table ip kube-proxy` per node, rendered as `nft -f`
// input that replaces the table atomically (pure).
import type { Topology, NodeT } from '../../model/topology.js';
import { base32, sha256 } from '../../net/hash.js';
import { MASQ_MARK, proxiedServices, portView, reachable, type PortView } from './common.js';
import { contains, mustCidr } from '../../net/ip.js';

/** kube-proxy's table (KPN kubeProxyTable, family ip). */
export const KUBE_PROXY_TABLE = 'ip kube-proxy';
const T = KUBE_PROXY_TABLE;
const MAX_CHAIN = 128;

/** KPN hashAndTruncate-style name: prefix + base32(sha256(base))[:8] + "-" + base, cut to 128 chars. */
export function nftChainName(prefix: string, base: string): string {
  const h = base32(sha256(base)).slice(0, 8);
  return `${prefix}-${h}-${base}`.slice(0, MAX_CHAIN);
}

/** "ns/name/proto/port" (KPN servicePortChainNameBase); the port name is empty for an unnamed port. */
export function servicePortBase(v: { svc: { key: string }; port: { name: string }; proto: string }): string {
  return `${v.svc.key}/${v.proto}/${v.port.name}`;
}

/** "ns/name/proto/port__IP/port" (KPN servicePortEndpointChainNameBase). */
export function endpointBase(spBase: string, ep: { ip: string; port: number }): string {
  return `${spBase}__${ep.ip}/${ep.port}`;
}

export function kubeProxyNftables(t: Topology, n: NodeT): string {
  const cidr = t.podCIDR; // local traffic detector: the cluster CIDR (in vpc mode the VPC CIDR: pods hold VPC addresses)
  const L: string[] = [];
  const rule = (chain: string, text: string) => L.push(`add rule ${T} ${chain} ${text}`);
  const chain = (name: string, extra = '') => L.push(`add chain ${T} ${name}${extra ? ` { ${extra} ; }` : ''}`);

  // Replace the whole table in one transaction: create (so delete cannot fail), delete, build.
  L.push(`add table ${T}`, `delete table ${T}`, `add table ${T} { comment "rules for kube-proxy" ; }`, '');
  L.push(
    `add set ${T} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add set ${T} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`,
    `add map ${T} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add map ${T} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add map ${T} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${T} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
  );
  chain('mark-for-masquerade');
  rule('mark-for-masquerade', `mark set mark or ${MASQ_MARK}`);
  chain('masquerading');
  rule('masquerading', `mark and ${MASQ_MARK} == 0 return`);
  rule('masquerading', `mark set mark xor ${MASQ_MARK}`);
  rule('masquerading', 'masquerade fully-random');
  chain('services');
  chain('service-endpoints-check');
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  chain('nodeport-endpoints-check');
  rule('nodeport-endpoints-check', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports');
  chain('cluster-ips-check');
  chain('firewall-check');
  chain('reject-chain', 'comment "helper for @no-endpoint-services / @no-endpoint-nodeports"');
  rule('reject-chain', 'reject');
  rule('cluster-ips-check', 'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"');
  rule('cluster-ips-check', `ip daddr { ${t.serviceCIDR} } drop comment "Drop traffic to unallocated ClusterIPs"`);
  rule('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips');
  // Base chains ("<type>-<hook>").
  chain('filter-prerouting', 'type filter hook prerouting priority -110');
  rule('filter-prerouting', 'ct state new jump firewall-check');
  chain('filter-input', 'type filter hook input priority -110');
  rule('filter-input', 'ct state new jump nodeport-endpoints-check');
  rule('filter-input', 'ct state new jump service-endpoints-check');
  chain('filter-forward', 'type filter hook forward priority -110');
  rule('filter-forward', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump cluster-ips-check');
  chain('filter-output', 'type filter hook output priority -110');
  rule('filter-output', 'ct state new jump service-endpoints-check');
  rule('filter-output', 'ct state new jump firewall-check');
  chain('filter-output-post-dnat', 'type filter hook output priority -90');
  rule('filter-output-post-dnat', 'ct state new jump cluster-ips-check');
  chain('nat-prerouting', 'type nat hook prerouting priority -100');
  rule('nat-prerouting', 'jump services');
  chain('nat-output', 'type nat hook output priority -100');
  rule('nat-output', 'jump services');
  chain('nat-postrouting', 'type nat hook postrouting priority 100');
  rule('nat-postrouting', 'jump masquerading');
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  rule('services', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports');
  // --nodeport-addresses defaults to the node's primary address in nftables mode.
  L.push(`add element ${T} nodeport-ips { ${n.ip} }`);

  for (const svc of proxiedServices(t)) {
    L.push('', `# ${svc.key}`);
    L.push(`add element ${T} cluster-ips { ${svc.clusterIP} }`);
    for (const port of svc.ports) {
      // nft -f needs chains and sets declared before a rule or map element names them.
      const decl: string[] = [];
      const body: string[] = [];
      const elems: string[] = [];
      renderPort(portView(svc, port, n), cidr, n.ip, { decl, body, elems });
      L.push(...decl, ...body, ...elems);
    }
  }
  return L.join('\n') + '\n';
}

function renderPort(v: PortView, cidr: string, nodeIp: string, o: { decl: string[]; body: string[]; elems: string[] }): void {
  const chain = (c: string) => o.decl.push(`add chain ${T} ${c}`);
  const rule = (c: string, text: string) => o.body.push(`add rule ${T} ${c} ${text}`);
  const elem = (text: string) => o.elems.push(`add element ${T} ${text}`);
  const { svc, port, spn, proto } = v;
  const base = servicePortBase(v);
  const svcChain = nftChainName('service', base);
  const localChain = nftChainName('local', base);
  const extChain = nftChainName('external', base);
  const fwChain = nftChainName('firewall', base);
  const internalPolicyChain = v.internalLocal ? localChain : svcChain;
  const externalPolicyChain = v.externalLocal ? localChain : svcChain;
  const epChain = (e: { ip: string; port: number }) => nftChainName('endpoint', endpointBase(base, e));
  const affSet = (e: { ip: string; port: number }) => nftChainName('affinity', endpointBase(base, e));
  const cmt = `comment "${spn}"`;

  // ClusterIP.
  if (v.internalEndpoints.length > 0) {
    elem(`service-ips { ${svc.clusterIP} . ${proto} . ${port.port} : goto ${internalPolicyChain} }`);
  } else {
    elem(`no-endpoint-services { ${svc.clusterIP} . ${proto} . ${port.port} ${cmt} : ${v.internalFilter.target === 'REJECT' ? 'goto reject-chain' : 'drop'} }`);
  }
  for (const ip of svc.externalIPs) {
    if (v.hasEndpoints) elem(`service-ips { ${ip} . ${proto} . ${port.port} : goto ${extChain} }`);
    if (v.externalEndpoints.length === 0) elem(`no-endpoint-services { ${ip} . ${proto} . ${port.port} ${cmt} : ${v.externalFilter.target === 'REJECT' ? 'goto reject-chain' : 'drop'} }`);
  }
  // Load-balancer IPs, and loadBalancerSourceRanges through the firewall-ips map (checked before DNAT).
  const usesFWChain = v.lbIps.length > 0 && v.sourceRanges.length > 0;
  if (usesFWChain) {
    chain(fwChain);
    const sources = [...v.sourceRanges];
    if (v.sourceRanges.some((c) => contains(mustCidr(c), nodeIp))) sources.push(...v.lbIps);
    rule(fwChain, `ip saddr != { ${sources.join(', ')} } drop`);
  }
  for (const ip of v.lbIps) {
    if (v.hasEndpoints) elem(`service-ips { ${ip} . ${proto} . ${port.port} : goto ${extChain} }`);
    if (usesFWChain) elem(`firewall-ips { ${ip} . ${proto} . ${port.port} ${cmt} : goto ${fwChain} }`);
  }
  if (v.externalEndpoints.length === 0) {
    for (const ip of v.lbIps) elem(`no-endpoint-services { ${ip} . ${proto} . ${port.port} ${cmt} : ${v.externalFilter.target === 'REJECT' ? 'goto reject-chain' : 'drop'} }`);
  }
  if (port.nodePort !== undefined) {
    if (v.hasEndpoints) elem(`service-nodeports { ${proto} . ${port.nodePort} : goto ${extChain} }`);
    if (v.externalEndpoints.length === 0) elem(`no-endpoint-nodeports { ${proto} . ${port.nodePort} ${cmt} : ${v.externalFilter.target === 'REJECT' ? 'goto reject-chain' : 'drop'} }`);
  }
  if (v.usesExternalChain) {
    chain(extChain);
    if (!v.externalLocal) {
      rule(extChain, 'jump mark-for-masquerade');
    } else {
      rule(extChain, `ip saddr ${cidr} goto ${svcChain} comment "short-circuit pod traffic"`);
      rule(extChain, 'fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"');
      rule(extChain, `fib saddr type local goto ${svcChain} comment "short-circuit local traffic"`);
    }
    if (v.externalEndpoints.length > 0) rule(extChain, `goto ${externalPolicyChain}`);
  }
  const lb = (c: string, eps: readonly { ip: string; port: number }[], masqRule: boolean) => {
    chain(c);
    if (masqRule) rule(c, `ip daddr ${svc.clusterIP} ${proto} dport ${port.port} ip saddr != ${cidr} jump mark-for-masquerade`);
    if (svc.sessionAffinity === 'ClientIP') for (const e of eps) rule(c, `ip saddr @${affSet(e)} goto ${epChain(e)}`);
    rule(c, `numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${epChain(e)}`).join(' , ')} }`);
  };
  if (v.usesClusterPolicy) lb(svcChain, v.all, internalPolicyChain === svcChain && v.internalEndpoints.length > 0);
  if (v.usesLocalPolicy) lb(localChain, v.local, internalPolicyChain === localChain && v.internalEndpoints.length > 0);
  for (const e of reachable(v)) {
    const c = epChain(e);
    if (svc.sessionAffinity === 'ClientIP') {
      o.decl.push(`add set ${T} ${affSet(e)} { type ipv4_addr ; flags dynamic,timeout ; timeout ${svc.affinityTimeoutSeconds}s ; }`);
    }
    chain(c);
    rule(c, `ip saddr ${e.ip} jump mark-for-masquerade`);
    if (svc.sessionAffinity === 'ClientIP') rule(c, `update @${affSet(e)} { ip saddr }`);
    rule(c, `meta l4proto ${proto} dnat to ${e.ip}:${e.port}`);
  }
}
