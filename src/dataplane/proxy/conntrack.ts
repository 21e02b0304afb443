// Which UDP conntrack entries kube-proxy deletes after a change (KP deleteUDPEndpointConnections /
// conntrack.CleanStaleEntries), as conntrack argv lists to run in every node namespace (pure).
import type { Topology, ServiceT } from '../../model/topology.js';

const udpPorts = (s: ServiceT) => s.ports.filter((p) => p.protocol === 'UDP');

export function staleUdpFlows(prev: Topology | undefined, next: Topology): string[][] {
  if (!prev) return [];
  const out = new Map<string, string[]>();
  const add = (argv: string[]) => out.set(argv.join(' '), argv);
  const nextSvc = new Map((next.services ?? []).map((s) => [s.key, s]));
  for (const old of prev.services ?? []) {
    if (old.clusterIP === 'None') continue;
    const cur = nextSvc.get(old.key);
    for (const op of udpPorts(old)) {
      const np = cur && cur.clusterIP === old.clusterIP ? cur.ports.find((p) => p.name === op.name && p.protocol === 'UDP') : undefined;
      const still = new Set((np?.endpoints ?? []).map((e) => e.ip));
      // An endpoint that went away: flows DNATed to it would keep going to a dead address.
      for (const ep of op.endpoints) {
        if (still.has(ep.ip)) continue;
        add(['conntrack', '-D', '-p', 'udp', '--orig-dst', old.clusterIP, '--dst-nat', ep.ip]);
        for (const ip of old.externalIPs) add(['conntrack', '-D', '-p', 'udp', '--orig-dst', ip, '--dst-nat', ep.ip]);
        if (op.nodePort !== undefined) add(['conntrack', '-D', '-p', 'udp', '--orig-port-dst', String(op.nodePort), '--dst-nat', ep.ip]);
      }
    }
  }
  // A UDP service that gains its first endpoint: entries made while it was rejected would blackhole it.
  const prevSvc = new Map((prev.services ?? []).map((s) => [s.key, s]));
  for (const s of next.services ?? []) {
    if (s.clusterIP === 'None') continue;
    const o = prevSvc.get(s.key);
    for (const p of udpPorts(s)) {
      const op = o?.ports.find((x) => x.name === p.name && x.protocol === 'UDP');
      if (!op || op.endpoints.length > 0 || p.endpoints.length === 0) continue;
      add(['conntrack', '-D', '-p', 'udp', '--orig-dst', s.clusterIP]);
      if (p.nodePort !== undefined) add(['conntrack', '-D', '-p', 'udp', '--orig-port-dst', String(p.nodePort)]);
    }
  }
  return [...out.values()];
}
