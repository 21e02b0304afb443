// The CNI portmap plugin (containernetworking/plugins, plugins/meta/portmap), for a node's hostPort pods (pure).
// Every CNI podlab imitates chains it after the main plugin (flannel's cbr0, Calico's k8s-pod-network, the AWS
// CNI's aws-cni conflists all list `{"type": "portmap", "capabilities": {"portMappings": true}}`, snat on by default).
// Two backends, as the plugin has: iptables (portmap_iptables.go: CNI-HOSTPORT-DNAT jumped from PREROUTING and
// OUTPUT for local destinations, one CNI-DN-<hash> chain per pod, the hairpin/localhost mark and its masquerade) and
// nftables (portmap_nftables.go: `table ip cni_hostport`); podlab picks nftables when kube-proxy runs in nftables mode.
// A hostNetwork pod has no sandbox network, so no CNI call: its ports are the node's own sockets, nothing here.
import type { Topology, NodeT, PodT } from '../../model/topology.js';
import { createHash } from 'node:crypto';
import { comment, type Fragment } from '../iptables.js';

/** The plugin's top-level chains (TopLevelDNATChainName, SetMarkChainName, MarkMasqChainName). */
export const HOSTPORT_DNAT = 'CNI-HOSTPORT-DNAT';
export const HOSTPORT_SETMARK = 'CNI-HOSTPORT-SETMARK';
export const HOSTPORT_MASQ = 'CNI-HOSTPORT-MASQ';
/** DefaultMarkBit = 13: 1 << 13. */
export const PORTMAP_MARK = '0x2000';
/** The nftables backend's table (tableName), family ip. */
export const PORTMAP_TABLE = 'ip cni_hostport';

export interface PortmapConf {
  /** The conflist's network name (config.Name): "cbr0" (flannel), "k8s-pod-network" (Calico), "aws-cni". */
  readonly netName: string;
  /** The prefix of the address the main plugin returned (host-local gives the node subnet's, Calico and AWS a /32):
   *  the iptables backend's hairpin rule matches `-s <containerNet>`, which iptables reduces to that network. */
  readonly podPrefix: number;
}

export interface PortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  /** "tcp" | "udp" | "sctp", lower case as kubelet passes it. */
  readonly protocol: string;
}

/** The sandbox (pause container) ID the runtime would give the pod: 64 hex digits, stable for the pod. */
export function sandboxId(t: Pick<Topology, 'cluster'>, pod: Pick<PodT, 'key'>): string {
  return createHash('sha256').update(`${t.cluster}/sandbox/${pod.key}`).digest('hex');
}

/** utils.MustFormatChainNameWithPrefix(netName, containerID, "DN-"): "CNI-DN-" + sha512 hex, 28 characters. */
export function dnatChainName(netName: string, containerId: string): string {
  return `CNI-DN-${createHash('sha512').update(netName + containerId).digest('hex')}`.slice(0, 28);
}

/** The pod's port mappings (kubelet's, in container and port order). */
export function portMappings(pod: Pick<PodT, 'containers'>): PortMapping[] {
  return pod.containers.flatMap((c) => c.ports.filter((p) => p.hostPort !== undefined).map((p) => ({ hostPort: p.hostPort!, containerPort: p.containerPort, protocol: p.protocol.toLowerCase() })));
}

/** The node's pods that the plugin forwards to (a sandbox network and at least one hostPort). */
export function hostPortPods(t: Topology, n: NodeT): PodT[] {
  return t.pods.filter((p) => p.node === n.name && !p.hostNetwork && portMappings(p).length > 0);
}

/** The masquerade source network of the hairpin rule: `containerNet.String()` as iptables-save prints it back. */
function hairpinSource(ip: string, prefix: number): string {
  const n = ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const base = prefix === 0 ? 0 : n - (n % 2 ** (32 - prefix));
  return `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')}/${prefix}`;
}

/** multiport takes at most 15 ports a rule (splitPortList). */
function splitPortList(ports: readonly number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ports.length; i += 15) out.push(ports.slice(i, i + 15).join(','));
  return out;
}

export interface PortmapIptables {
  /** The masquerade jump, which the plugin inserts at the top of POSTROUTING (prependEntry) so the bridge/ptp
   *  plugins' own masquerade rules do not stomp on it: composed before everyone's. */
  readonly first: readonly Fragment[];
  readonly rest: readonly Fragment[];
}

/** The iptables backend's nat rules for one node, as iptables-save prints them. Empty without hostPort pods. */
export function portmapIptables(t: Topology, n: NodeT, conf: PortmapConf): PortmapIptables {
  const pods = hostPortPods(t, n);
  if (!pods.length) return { first: [], rest: [] };
  const first: Fragment = { table: 'nat', chains: [HOSTPORT_MASQ], rules: [`-A POSTROUTING ${comment('CNI portfwd requiring masquerade')} -j ${HOSTPORT_MASQ}`] };
  const chains = [HOSTPORT_SETMARK, HOSTPORT_MASQ, HOSTPORT_DNAT];
  const rules = [
    `-A PREROUTING -m addrtype --dst-type LOCAL -j ${HOSTPORT_DNAT}`,
    `-A OUTPUT -m addrtype --dst-type LOCAL -j ${HOSTPORT_DNAT}`,
    `-A ${HOSTPORT_SETMARK} ${comment('CNI portfwd masquerade mark')} -j MARK --set-xmark ${PORTMAP_MARK}/${PORTMAP_MARK}`,
    `-A ${HOSTPORT_MASQ} -m mark --mark ${PORTMAP_MARK}/${PORTMAP_MARK} -j MASQUERADE`,
  ];
  const podChains: string[] = [];
  const podRules: string[] = [];
  for (const pod of pods) {
    const id = sandboxId(t, pod);
    const dn = dnatChainName(conf.netName, id);
    chains.push(dn);
    podChains.push(dn);
    const maps = portMappings(pod);
    // The entry rules: one multiport rule per protocol (sorted) and group of 15 ports.
    const cmt = comment(`dnat name: "${conf.netName}" id: "${id}"`);
    for (const proto of [...new Set(maps.map((m) => m.protocol))].sort()) {
      for (const list of splitPortList(maps.filter((m) => m.protocol === proto).map((m) => m.hostPort))) {
        rules.push(`-A ${HOSTPORT_DNAT} -p ${proto} ${cmt} -m multiport --dports ${list} -j ${dn}`);
      }
    }
    // Per mapping: mark hairpin traffic, mark localhost traffic, DNAT (the mark rules first).
    for (const m of maps) {
      const base = `-p ${m.protocol} -m ${m.protocol} --dport ${m.hostPort}`;
      podRules.push(`-A ${dn} -s ${hairpinSource(pod.ip, conf.podPrefix)} ${base} -j ${HOSTPORT_SETMARK}`);
      podRules.push(`-A ${dn} -s 127.0.0.1/32 ${base} -j ${HOSTPORT_SETMARK}`);
      podRules.push(`-A ${dn} ${base} -j DNAT --to-destination ${pod.ip}:${m.containerPort}`);
    }
  }
  return { first: [first], rest: [{ table: 'nat', chains, rules: [...rules, ...podRules] }] };
}

/** The nftables backend's table for one node (`nft -f` input that replaces it), or undefined without hostPort pods. */
export function portmapNftables(t: Topology, n: NodeT): string | undefined {
  const pods = hostPortPods(t, n);
  if (!pods.length) return undefined;
  const T = PORTMAP_TABLE;
  const L: string[] = [`add table ${T}`, `delete table ${T}`, `add table ${T} { comment "CNI portmap plugin" ; }`];
  L.push(
    `add chain ${T} hostports`,
    `add chain ${T} hostip_hostports`,
    `add chain ${T} hostports_all`,
    `add rule ${T} hostports_all jump hostip_hostports`,
    `add rule ${T} hostports_all jump hostports`,
    `add chain ${T} prerouting { type nat hook prerouting priority dstnat ; }`,
    `add rule ${T} prerouting fib daddr type local jump hostports_all`,
    // knftables' DNATPriority ("dstnat") in the output hook too; nft before 1.0.7 takes the name only in prerouting,
    // so its value (-100), which is what a newer nft stores there.
    `add chain ${T} output { type nat hook output priority -100 ; }`,
    `add rule ${T} output fib daddr type local jump hostports_all`,
    `add chain ${T} masquerading { type nat hook postrouting priority srcnat ; }`,
  );
  for (const pod of pods) {
    const id = sandboxId(t, pod);
    for (const m of portMappings(pod)) L.push(`add rule ${T} hostports ${m.protocol} dport ${m.hostPort} dnat to ${pod.ip}:${m.containerPort} comment "${id}"`);
    // Hairpin (the pod itself) and localhost: masqueraded so the reply comes back through the node.
    L.push(`add rule ${T} masquerading ip saddr ${pod.ip} ip daddr ${pod.ip} masquerade comment "${id}"`);
    L.push(`add rule ${T} masquerading ip saddr 127.0.0.1 ip daddr ${pod.ip} masquerade comment "${id}"`);
  }
  return L.join('\n') + '\n';
}
