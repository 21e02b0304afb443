// Diagnosis across verdicts (pure): a failing check alone names its most likely cause (judge.ts); a pattern of
// failures names a better one. When every Service check entering one node fails while that node's pods reach other
// pods directly, the node's kube-proxy rules are missing (a flushed KUBE-SERVICES, a deleted nft table) — not the
// hairpin masquerade or a routing problem each failure would otherwise suggest.
import type { Topology } from '../model/topology.js';
import type { Verdict } from './types.js';
import { HAIRPIN_HINT } from './judge.js';

/** The node whose kube-proxy rules a check goes through first: the client pod's node, the node itself, a NodePort's node. */
function entryNode(v: Verdict, nodeOfNetns: ReadonlyMap<string, string>): string | undefined {
  const np = /^nodeport\/([^/]+)\//.exec(v.check.to.label);
  if (np) return np[1];
  return nodeOfNetns.get(v.check.from.netns);
}

const isServiceCheck = (v: Verdict) => v.check.category.startsWith('service/') && v.check.category !== 'service/no-endpoints' && v.check.expect.outcome === 'ok';
const isPodCheck = (v: Verdict) => v.check.category.startsWith('pod-to-pod/');

/** The verdicts with reasons rewritten where a pattern of failures points at one cause. Order and statuses are kept. */
export function diagnose(verdicts: readonly Verdict[], t: Pick<Topology, 'nodes' | 'pods' | 'proxyMode'>): Verdict[] {
  const nodeOfNetns = new Map<string, string>([...t.nodes.map((n) => [n.netns, n.name] as const), ...t.pods.map((p) => [p.netns, p.node] as const)]);
  const byNode = new Map<string, { svc: Verdict[]; pod: Verdict[] }>();
  for (const v of verdicts) {
    const n = isServiceCheck(v) ? entryNode(v, nodeOfNetns) : isPodCheck(v) ? nodeOfNetns.get(v.check.from.netns) : undefined;
    if (!n) continue;
    const g = byNode.get(n) ?? { svc: [], pod: [] };
    (isServiceCheck(v) ? g.svc : g.pod).push(v);
    byNode.set(n, g);
  }
  const rewrite = new Map<Verdict, string>();
  for (const [node, g] of byNode) {
    if (g.svc.length < 2 || !g.svc.every((v) => v.status === 'fail')) continue;
    // The node itself works: its pods reach other pods directly, or (when pod checks were filtered out) Service
    // checks entering other nodes pass.
    const othersPass = [...byNode].some(([n, o]) => n !== node && o.svc.some((v) => v.status === 'pass'));
    if (g.pod.length ? !g.pod.every((v) => v.status === 'pass') : !othersPass) continue;
    const netns = t.nodes.find((n) => n.name === node)?.netns ?? node;
    const rules = t.proxyMode === 'nftables'
      ? `the services/nodeports maps of \`nft list table ip kube-proxy\` in ${netns}`
      : `the KUBE-SERVICES chain of \`iptables-save -t nat\` in ${netns}`;
    const works = g.pod.length ? `its pods reach other pods directly (${g.pod.length} of ${g.pod.length} pass)` : 'Service checks entering other nodes pass';
    const why = `every Service check entering node ${node} fails (${g.svc.length} of ${g.svc.length}) while ${works}: kube-proxy's Service rules on ${node} are missing or broken — look at ${rules}`;
    for (const v of g.svc) rewrite.set(v, `${v.reason.split(HAIRPIN_HINT)[0]}; ${why}`);
  }
  return verdicts.map((v) => (rewrite.has(v) ? { ...v, reason: rewrite.get(v)! } : v));
}
