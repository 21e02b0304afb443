// A point-to-point pod (Calico and the AWS VPC CNI; reference/dataplane.md C.1, D.2): eth0 holds the pod IP as a
// /32 and reaches everything through a link-local gateway 169.254.1.1 on the veth; the node routes the /32 to the
// host veth, which has no address. The two CNIs differ in how the pod learns the gateway's MAC: Calico answers
// ARP on the host side (proxy_arp, MAC ee:ee:ee:ee:ee:ee), the AWS CNI writes a static ARP entry in the pod.
import type { PodT } from '../../model/topology.js';
import type { MutableNs, RouteSpec, RuleSpec } from '../types.js';
import { podBaseNs } from './node.js';

export const P2P_GATEWAY = '169.254.1.1';

export interface P2pPod {
  /** The host-side veth. */
  readonly hostVeth: string;
  readonly hostMac: string;
  readonly mtu: number;
  /** The pod's route to the gateway, as the CNI writes it (Calico "169.254.1.1", AWS "169.254.1.1/32"). */
  readonly gatewayDst: string;
  /** The node's route to the pod, as the CNI writes it (Calico "<ip>", AWS "<ip>/32"). */
  readonly hostRouteDst: string;
  /** AWS: a static ARP entry for the gateway in the pod; Calico: proxy ARP on the host veth instead. */
  readonly staticArp: boolean;
  /** Sysctls of the host veth (Calico: forwarding, proxy_arp, proxy_delay). */
  readonly hostSysctls?: readonly (readonly [string, string])[];
  /** Policy routing rules for the pod on the node (AWS: 512 to <ip> lookup main). */
  readonly hostRules?: readonly RuleSpec[];
}

/** Wire a pod point-to-point into a node; returns the pod's namespace. */
export function p2pPod(node: MutableNs, pod: PodT, o: P2pPod): MutableNs {
  node.links.push({ name: o.hostVeth, kind: 'veth', mtu: o.mtu, mac: o.hostMac, peer: { name: 'eth0', netns: pod.netns, mtu: o.mtu } });
  node.sysctls.push(...(o.hostSysctls ?? []));
  const hostRoute: RouteSpec = { dst: o.hostRouteDst, dev: o.hostVeth, scope: 'link' };
  node.routes.push(hostRoute);
  node.rules.push(...(o.hostRules ?? []));
  const ns = podBaseNs(pod.netns, o.mtu);
  ns.addrs.push({ dev: 'eth0', cidr: `${pod.ip}/32` });
  ns.routes.push({ dst: o.gatewayDst, dev: 'eth0', scope: 'link' });
  ns.routes.push({ dst: 'default', via: P2P_GATEWAY, dev: 'eth0' });
  if (o.staticArp) ns.neighs.push({ ip: P2P_GATEWAY, mac: o.hostMac, dev: 'eth0' });
  return ns;
}
