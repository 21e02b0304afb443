// vpc: the AWS VPC CNI (amazon-vpc-cni-k8s) on an emulated VPC (reference/dataplane.md section D).
//
// Fabric: one router namespace stands for the VPC. Each node (and each plain VPC host) has its own subnet on a
// router port (router = subnet .1, as AWS's implicit router); the router learns every pod's secondary IP as a
// /32 via the node holding it, like the VPC maps ENI secondary IPs. Its public side (`igw`) faces the external
// host on the underlay ("the internet"): like an internet gateway it only passes traffic of addresses that
// have a public IP — the nodes' primary IPs — so external → pod is impossible and a pod IP that leaves the
// node un-SNATed (externalSNAT: true, no NAT gateway) is dropped there.
//
// All pods sit on the primary ENI (eth0): no secondary ENIs, so no per-ENI route tables and no rule 1536.
import { sandboxPods, type Topology, type NodeT, type PodT } from '../../model/topology.js';
import { mustCidr, nth } from '../../net/ip.js';
import { cniVethName } from '../../net/names.js';
import { POD_GATEWAY, SUBNET_ROUTER } from './instances.js';
import { macFor } from '../../net/hash.js';
import { emptyNs, type MutableNs, type Plan } from '../../dataplane/types.js';
import { BASE_SYSCTLS } from '../../dataplane/cni/node.js';
import { p2pPod } from '../../dataplane/cni/p2p.js';
import { vpcOf } from './ipam.js';
import { comment, renderRestore, type Fragment } from '../../dataplane/iptables.js';
import { nodeRuleSets } from '../../dataplane/proxy/index.js';
import { nlbNs, nlbRouterSide } from '../../dataplane/edge/nlb.js';

/** AWS CNI constants (driver.go, network.go). */
export const TO_CONTAINER_RULE_PRIORITY = 512;
export const HOST_RULE_PRIORITY = 1024;
export const CONNMARK = '0x80';
export const IGW_DEV = 'igw';

/** Host veth of a pod: AWS names it "eni" + 11 hex of sha1("<ns>.<pod>"); its MAC is random there, derived here. */
export function eniVeth(t: Topology, p: PodT): { name: string; mac: string } {
  return { name: cniVethName('eni', p.namespace, p.name), mac: macFor(`${t.cluster}/pod/${p.key}/host-veth`) };
}

export function subnetRouter(n: { podCIDR: string } | { subnet: string }): string {
  return nth(mustCidr('podCIDR' in n ? n.podCIDR : n.subnet), SUBNET_ROUTER);
}

const NO_RP_FILTER: readonly (readonly [string, string])[] = [['net.ipv4.conf.all.rp_filter', '0'], ['net.ipv4.conf.default.rp_filter', '0']];

/** The AWS CNI's iptables for one node (D.4): SNAT chain (unless externalSNAT) and the 0x80 connmark rules. */
export function awsFragments(t: Topology, n: NodeT): Fragment[] {
  const v = vpcOf(t);
  const snat = comment('AWS SNAT CHAIN');
  const out: Fragment[] = [];
  out.push({
    table: 'mangle', chains: [],
    rules: [
      `-A PREROUTING -i eth0 ${comment('AWS, primary ENI')} -m addrtype --dst-type LOCAL --limit-iface-in -j CONNMARK --set-xmark ${CONNMARK}/${CONNMARK}`,
      `-A PREROUTING -i eni+ ${comment('AWS, primary ENI')} -j CONNMARK --restore-mark --nfmask ${CONNMARK} --ctmask ${CONNMARK}`,
    ],
  });
  const nat: string[] = [];
  const chains = ['AWS-CONNMARK-CHAIN-0'];
  if (!v.externalSNAT) {
    chains.unshift('AWS-SNAT-CHAIN-0');
    nat.push(`-A POSTROUTING ${snat} -j AWS-SNAT-CHAIN-0`);
    nat.push(`-A AWS-SNAT-CHAIN-0 -d ${v.cidr} ${snat} -j RETURN`);
    for (const c of v.excludeSNATCIDRs) nat.push(`-A AWS-SNAT-CHAIN-0 -d ${c} ${comment('AWS SNAT CHAIN EXCLUSION')} -j RETURN`);
    nat.push(`-A AWS-SNAT-CHAIN-0 ! -o vlan+ ${comment('AWS, SNAT')} -m addrtype ! --dst-type LOCAL -j SNAT --to-source ${n.ip} --random-fully`);
  }
  nat.push(`-A PREROUTING -i eni+ ${comment('AWS, outbound connections')} -j AWS-CONNMARK-CHAIN-0`);
  nat.push(`-A PREROUTING ${comment('AWS, CONNMARK')} -j CONNMARK --restore-mark --nfmask ${CONNMARK} --ctmask ${CONNMARK}`);
  nat.push(`-A AWS-CONNMARK-CHAIN-0 -d ${v.cidr} ${comment('AWS CONNMARK CHAIN')} -j RETURN`);
  for (const c of v.excludeSNATCIDRs) nat.push(`-A AWS-CONNMARK-CHAIN-0 -d ${c} ${comment('AWS CONNMARK CHAIN, EXCLUDED')} -j RETURN`);
  nat.push(`-A AWS-CONNMARK-CHAIN-0 ${comment('AWS, CONNMARK')} -j CONNMARK --set-xmark ${CONNMARK}/${CONNMARK}`);
  out.push({ table: 'nat', chains, rules: nat });
  return out;
}

/** The internet gateway's filter on the router: only public-IP holders (node primary IPs) cross it. */
export function igwFragments(t: Topology, publicIps: readonly string[] = []): Fragment[] {
  const c = comment('podlab igw');
  const rules = [`-A FORWARD -i ${IGW_DEV} -m conntrack --ctstate ESTABLISHED,RELATED ${c} -j ACCEPT`];
  for (const n of t.nodes) rules.push(`-A FORWARD -i ${IGW_DEV} -d ${n.ip}/32 ${c} -j ACCEPT`);
  // The NLB's public addresses (its listeners) are reachable from the internet.
  for (const ip of publicIps) rules.push(`-A FORWARD -i ${IGW_DEV} -d ${ip}/32 ${comment('podlab igw: NLB')} -j ACCEPT`);
  // A private address is not routed on the internet: refuse fast rather than time out.
  rules.push(`-A FORWARD -i ${IGW_DEV} ${c} -j REJECT --reject-with icmp-net-unreachable`);
  for (const n of t.nodes) rules.push(`-A FORWARD -o ${IGW_DEV} -s ${n.ip}/32 ${c} -j ACCEPT`);
  for (const ip of publicIps) rules.push(`-A FORWARD -o ${IGW_DEV} -s ${ip}/32 ${comment('podlab igw: NLB')} -j ACCEPT`);
  // No public IP, no NAT gateway: the IGW drops it silently (what EKS does with externalSNAT and no NAT GW).
  rules.push(`-A FORWARD -o ${IGW_DEV} ${c} -j DROP`);
  return [{ table: 'filter', chains: [], rules }];
}

export function vpcPlan(t: Topology): Plan {
  const mtu = t.mtu;
  const vpcMask = (cidr: string) => mustCidr(cidr).prefix;

  // The VPC router (phase 0): one port per subnet, the public side, /32s for secondary IPs.
  const router = emptyNs(t.fabric.netns, 'fabric', 0);
  router.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '1'], ...NO_RP_FILTER);
  for (const n of t.nodes) {
    router.links.push({ name: n.fabricPort, kind: 'veth', mtu, peer: { name: 'eth0', netns: n.netns, mtu, mac: n.mac } });
    router.addrs.push({ dev: n.fabricPort, cidr: `${subnetRouter(n)}/${vpcMask(n.podCIDR)}` });
  }
  for (const h of t.hosts) {
    router.links.push({ name: h.port, kind: 'veth', mtu, peer: { name: 'eth0', netns: h.netns, mtu, mac: h.mac } });
    router.addrs.push({ dev: h.port, cidr: `${subnetRouter(h)}/${vpcMask(h.subnet)}` });
  }
  router.links.push({ name: IGW_DEV, kind: 'veth', mtu, peer: { name: 'eth0', netns: t.external.netns, mtu, mac: t.external.mac } });
  router.addrs.push({ dev: IGW_DEV, cidr: `${t.gateway}/${t.underlayPrefix}` });
  const nodeByName = new Map(t.nodes.map((n) => [n.name, n]));
  for (const p of sandboxPods(t)) {
    const n = nodeByName.get(p.node)!;
    router.routes.push({ dst: `${p.ip}/32`, via: n.ip, dev: n.fabricPort });
  }
  const nlb = nlbRouterSide(t, mtu);
  router.links.push(...nlb.links);
  router.addrs.push(...nlb.addrs);
  router.routes.push(...nlb.routes);
  router.rules.push(...nlb.rules);
  router.rulesets.push({ engine: 'iptables', owner: 'vpc-router', text: renderRestore([...igwFragments(t, nlb.publicIps), ...(nlb.mangle ? [nlb.mangle] : [])])! });
  const out: MutableNs[] = [router];
  const lbNs = nlbNs(t, mtu);
  if (lbNs) out.push(lbNs);

  // The external host: on the internet side, default route to the IGW, nothing else.
  const ext = emptyNs(t.external.netns, 'ext', 1);
  ext.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '0']);
  ext.links.push({ name: 'eth0', kind: 'veth', mtu, mac: t.external.mac, foreign: true });
  ext.addrs.push({ dev: 'eth0', cidr: `${t.external.ip}/${t.underlayPrefix}` });
  ext.routes.push({ dst: 'default', via: t.gateway, dev: 'eth0' });
  out.push(ext);

  for (const h of t.hosts) {
    const ns = emptyNs(h.netns, 'host', 1);
    ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '0']);
    ns.links.push({ name: 'eth0', kind: 'veth', mtu, mac: h.mac, foreign: true });
    ns.addrs.push({ dev: 'eth0', cidr: `${h.ip}/${vpcMask(h.subnet)}` });
    ns.routes.push({ dst: 'default', via: subnetRouter(h), dev: 'eth0' });
    out.push(ns);
  }

  for (const n of t.nodes) {
    const ns = emptyNs(n.netns, 'node', 1);
    // aws-vpc-cni-init sets rp_filter loose on the primary interface.
    ns.sysctls.push(...BASE_SYSCTLS, ['net.ipv4.ip_forward', '1'], ...NO_RP_FILTER, ['net.ipv4.conf.eth0.rp_filter', '2']);
    ns.links.push({ name: 'eth0', kind: 'veth', mtu, mac: n.mac, foreign: true });
    ns.addrs.push({ dev: 'eth0', cidr: `${n.ip}/${vpcMask(n.podCIDR)}` });
    ns.routes.push({ dst: 'default', via: subnetRouter(n), dev: 'eth0' });
    ns.rules.push({ priority: HOST_RULE_PRIORITY, fwmark: `${CONNMARK}/${CONNMARK}`, table: 'main' });
    out.push(ns);
    for (const p of sandboxPods(t)) {
      if (p.node !== n.name) continue;
      const veth = eniVeth(t, p);
      out.push(p2pPod(ns, p, {
        hostVeth: veth.name, hostMac: veth.mac, mtu, gatewayDst: `${POD_GATEWAY}/32`, hostRouteDst: `${p.ip}/32`, staticArp: true,
        hostRules: [{ priority: TO_CONTAINER_RULE_PRIORITY, to: `${p.ip}/32`, table: 'main' }],
      }));
    }
    const endpoints = sandboxPods(t).filter((p) => p.node === n.name).map((p) => ({ pod: p.key, namespace: p.namespace, ip: p.ip, iface: eniVeth(t, p).name }));
    nodeRuleSets(ns, t, n, awsFragments(t, n), { style: 'aws', endpoints }, { netName: 'aws-cni', podPrefix: 32 });
  }
  return { namespaces: out };
}
