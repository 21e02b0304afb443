// Between what `podlab compare` measures (pure): from the running lab's status, a client pod and a server pod on
// another node, a Service endpoint both can be reached through, a pod beside the client.
import type { StatusJson, PodStatus } from './index.js';

/** The pods, nodes and Service the measurements run between, chosen from the running lab (pure). */
export interface Picked {
  readonly a: PodStatus;
  readonly b: PodStatus;
  readonly sameNode?: PodStatus;
  readonly nodeA: StatusJson['nodes'][number];
  readonly nodeB: StatusJson['nodes'][number];
  readonly service?: { readonly name: string; readonly ip: string; readonly port: number; readonly protocol: 'UDP' | 'TCP'; readonly direct: { readonly ip: string; readonly port: number }; readonly remote: readonly string[] };
}

const onlyNetexec = (p: PodStatus) => p.containers.length > 0 && p.containers.every((c) => c.kind === 'netexec');

/**
 * Pod a (client) and b (server) on different nodes, b an endpoint of a Service port served by netexec (UDP preferred)
 * so the same server answers directly and through the ClusterIP; a pod beside a for the same-node figure.
 */
export function pickEndpoints(st: StatusJson): Picked | string {
  const running = st.pods.filter((p) => p.phase === 'Running');
  const byKey = new Map(running.map((p) => [`${p.namespace}/${p.name}`, p]));
  const crowded = (p: PodStatus) => running.filter((x) => x.node === p.node).length > 1;
  const node = (name: string) => st.nodes.find((n) => n.name === name)!;
  const ports = st.services.filter((s) => s.clusterIP !== 'None').flatMap((s) => s.ports
    .filter((p) => p.protocol === 'UDP' || p.protocol === 'TCP')
    .map((p) => ({ s, p, eps: p.endpoints.filter((e) => byKey.has(e.pod) && onlyNetexec(byKey.get(e.pod)!)) })))
    .filter((x) => x.eps.length > 0)
    .sort((x, y) => (x.p.protocol === y.p.protocol ? 0 : x.p.protocol === 'UDP' ? -1 : 1));
  for (const { s, p, eps } of ports) {
    const clients = [...running].sort((x, y) => Number(crowded(y)) - Number(crowded(x)));
    const a = clients.find((c) => eps.some((e) => e.node !== c.node));
    if (!a) continue;
    const e = eps.find((x) => x.node !== a.node)!;
    const b = byKey.get(e.pod)!;
    return {
      a, b, sameNode: running.find((x) => x !== a && x.node === a.node), nodeA: node(a.node), nodeB: node(b.node),
      service: {
        name: `${s.namespace}/${s.name}:${p.name || p.port}`, ip: s.clusterIP, port: p.port, protocol: p.protocol as 'UDP' | 'TCP',
        direct: { ip: b.ip, port: e.port }, remote: [...new Set(eps.filter((x) => x.node !== a.node).map((x) => x.pod.split('/')[1]!))],
      },
    };
  }
  const a = [...running].sort((x, y) => Number(crowded(y)) - Number(crowded(x))).find((x) => running.some((y) => y.node !== x.node));
  const b = a && running.find((y) => y.node !== a.node);
  if (!a || !b) return 'the lab needs two running pods on different nodes';
  return { a, b, sameNode: running.find((x) => x !== a && x.node === a.node), nodeA: node(a.node), nodeB: node(b.node) };
}
