// Generated checks for pods on the host's ports (pure): hostPort (the CNI portmap plugin's DNAT on the pod's node) and
// hostNetwork pods (sockets in the node's own namespace). The external host → every node IP:hostPort (the pod's node
// answers with the client address kept; a node without such a pod resets), pods → hostNetwork pods, hostNetwork
// pods → ClusterIPs. Listed in GENERATORS (generate.ts).
import type { PodT } from '../model/topology.js';
import { add, netexecPorts, DEFAULT_TRIES_OK, type Generator } from './generate.js';
import { nodeOf } from './model.js';

const podEp = (p: PodT) => ({ label: p.key, netns: p.netns });

/** The user's hostNetwork pods (the user view of the topology leaves them out of the pod checks). */
const hostNetPods = (pods: readonly PodT[]) => pods.filter((p) => p.hostNetwork && !p.system);

export const hostPorts: Generator = (g) => {
  const { t, m } = g;
  const ext = { label: 'external', netns: t.external.netns };
  const pods = g.full.pods.filter((p) => !p.system);
  const held = new Map<number, Set<string>>(); // TCP host ports → the nodes holding them
  for (const p of pods) {
    const node = nodeOf(t, p.node);
    for (const c of p.containers) for (const cp of c.ports) {
      if (cp.hostPort === undefined) continue; // hostNetwork pods have every port as a hostPort (the API's default)
      const hp = cp.hostPort;
      if (cp.protocol === 'TCP') held.set(hp, new Set([...(held.get(hp) ?? []), p.node]));
      const cat = p.hostNetwork ? 'host-network/external' : 'hostport/external';
      const what = `${cp.protocol} ${p.key} ${node.ip}:${hp}`;
      if (cp.protocol !== 'TCP' && cp.protocol !== 'UDP') { g.skipped.push({ category: cat, what, reason: `${cp.protocol} is not probed (TCP and UDP only)` }); continue; }
      if (c.command || c.builtin) { g.skipped.push({ category: cat, what, reason: `container ${c.name} runs its own command (podlab only probes its netexec server)` }); continue; }
      const to = { label: `${p.hostNetwork ? 'hostnetwork' : 'hostport'}/${p.node}/${p.key} ${node.ip}:${hp}`, ip: node.ip, port: hp };
      add(g, cat, ext, to, cp.protocol, p.hostNetwork ? m.externalToHostNetwork(t, p, hp) : m.externalToHostPort(t, p, hp, cp.containerPort));
    }
  }
  // From inside the cluster, per TCP host port (its first pod): one pod per node and the pod itself → its node's
  // IP:hostPort (the hairpin mark), the node → 127.0.0.1:hostPort (the localhost mark) and → its own IP:hostPort.
  const firstOf = new Map<number, { pod: PodT; cp: { containerPort: number; hostPort?: number } }>();
  for (const p of pods) {
    if (p.hostNetwork) continue;
    for (const c of p.containers) {
      if (c.command || c.builtin) continue;
      for (const cp of c.ports) if (cp.hostPort !== undefined && cp.protocol === 'TCP' && !firstOf.has(cp.hostPort)) firstOf.set(cp.hostPort, { pod: p, cp });
    }
  }
  for (const [hp, { pod }] of firstOf) {
    const node = nodeOf(t, pod.node);
    const to = { label: `hostport/${pod.node}/${pod.key} ${node.ip}:${hp}`, ip: node.ip, port: hp };
    const clients = [...t.nodes.map((n) => t.pods.find((p) => p.node === n.name && p.key !== pod.key)).filter((p): p is PodT => !!p), pod];
    for (const c of clients) add(g, 'hostport/pod-to', podEp(c), to, 'TCP', m.podToHostPort(t, c, pod, hp));
    add(g, 'hostport/node', { label: `node/${node.name}`, netns: node.netns }, { label: `127.0.0.1:${hp} (hostport ${pod.key})`, ip: '127.0.0.1', port: hp }, 'TCP', m.nodeToHostPort(t, node, pod, hp, true));
    add(g, 'hostport/node', { label: `node/${node.name}`, netns: node.netns }, to, 'TCP', m.nodeToHostPort(t, node, pod, hp, false));
  }
  // A node without the port: one refused check per TCP host port (not in the NodePort range, where kube-proxy may answer).
  const [lo, hi] = t.nodePortRange;
  for (const [hp, nodes] of held) {
    const free = t.nodes.find((n) => !nodes.has(n.name));
    if (!free || (hp >= lo && hp <= hi)) continue;
    add(g, 'hostport/external', ext, { label: `hostport/${free.name} ${free.ip}:${hp} (no pod)`, ip: free.ip, port: hp }, 'TCP', m.externalToFreeHostPort(t, free, hp), { tries: 1 });
  }
};

export const hostNetwork: Generator = (g) => {
  const { t, m } = g;
  const hn = hostNetPods(g.full.pods);
  if (!hn.length) return;
  // Pods → each hostNetwork pod's netexec TCP port: one client per node.
  const clients = t.nodes.map((n) => t.pods.find((p) => p.node === n.name)).filter((p): p is PodT => !!p);
  for (const s of hn) {
    const port = netexecPorts(s).TCP;
    if (!port) { g.skipped.push({ category: 'host-network/pod-to', what: `TCP to ${s.key}`, reason: 'no netexec TCP port' }); continue; }
    for (const c of clients) add(g, 'host-network/pod-to', podEp(c), { label: `${s.key}:${port} (hostNetwork, ${s.ip})`, ip: s.ip, port }, 'TCP', m.podToHostNetwork(t, c, s));
  }
  // Each hostNetwork pod → every ClusterIP whose endpoints podlab can probe (one port per Service).
  for (const svc of t.services ?? []) {
    if (svc.type === 'ExternalName' || svc.clusterIP === 'None') continue;
    const p = svc.ports.find((x) => (x.protocol === 'TCP' || x.protocol === 'UDP') && x.endpoints.length > 0 && x.endpoints.every((e) => {
      const pod = g.full.pods.find((y) => y.key === e.pod);
      return !!pod && netexecPorts(pod).all.some((y) => y.port === e.port && y.protocol === x.protocol);
    }));
    if (!p) continue;
    for (const c of hn) {
      add(g, 'host-network/to-clusterip', podEp(c), { label: `svc/${svc.key}:${p.name || p.port}`, ip: svc.clusterIP, port: p.port }, p.protocol as 'TCP' | 'UDP', m.hostNetworkToClusterIP(t, c, svc, p), { tries: DEFAULT_TRIES_OK });
    }
  }
};
