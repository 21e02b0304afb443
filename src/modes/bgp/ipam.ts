// bgp IPAM (Calico, reference/dataplane.md C.2): the pool is cut into blocks (/26 by default); a node gets a block
// when it needs addresses (its first pod, or when its blocks are full). Every address of a block is handed out,
// .0 included (pods are /32s). Sticky: a previous pod IP is kept while it is in a block of the pod's node; a new pod
// gets the next free address after the node's last one.
import { nextFree, type Ipam } from '../../model/ipam.js';
import type { Topology } from '../../model/topology.js';
import { contains, mustCidr, nth, subnet, subnetCount, ipToNum } from '../../net/ip.js';
import { bgpSpec, type BgpSpec } from './spec.js';

/** The BGP settings of a bgp-mode topology (asn, topology, route reflectors, block size). */
export function bgpOf(t: Pick<Topology, 'modeData' | 'mode'>): BgpSpec {
  const b = t.modeData as BgpSpec | undefined;
  if (!b || t.mode !== 'bgp') throw new Error(`topology of mode ${t.mode} has no BGP settings`);
  return b;
}

export const calicoIpam: Ipam = {
  nodeIps: 'underlay',
  assign({ lab, placement, prev, problems }) {
    const spec = bgpSpec(lab.cluster);
    const pool = mustCidr(lab.cluster.podCIDR);
    const bs = spec.blockSize;
    const nBlocks = subnetCount(pool, bs);
    const owner = new Map<number, string>(); // block index → node
    const blocks = new Map<string, number[]>();
    const used = new Map<number, Set<number>>(); // block index → used offsets
    const podIps = new Map<string, string>();
    const last = new Map<string, string>(Object.entries(prev.lastReserved ?? {}));
    const give = (node: string, bi: number) => {
      owner.set(bi, node);
      blocks.set(node, [...(blocks.get(node) ?? []), bi]);
      used.set(bi, new Set());
    };
    // Sticky first: blocks that held a pod of the same node before.
    for (const p of lab.pods) {
      const key = `${p.namespace}/${p.name}`;
      const node = placement.get(key);
      const pr = prev.pods?.[key];
      if (!node || !pr || pr.node !== node || !contains(pool, pr.ip)) continue;
      const bi = Math.floor((ipToNum(pr.ip) - pool.base) / 2 ** (32 - bs));
      if (owner.has(bi) && owner.get(bi) !== node) continue;
      if (!owner.has(bi)) give(node, bi);
      const off = ipToNum(pr.ip) - pool.base - bi * 2 ** (32 - bs);
      if (used.get(bi)!.has(off)) continue;
      used.get(bi)!.add(off);
      podIps.set(key, pr.ip);
    }
    for (const p of lab.pods) {
      const key = `${p.namespace}/${p.name}`;
      const node = placement.get(key);
      if (!node || podIps.has(key)) continue;
      // Calico's block keeps released ordinals at the end of its free list: the next address after the node's last
      // one (wrapping), so a freed address is not handed straight back to a new pod.
      let done = false;
      const l = last.get(node);
      const lbi = l !== undefined && contains(pool, l) ? Math.floor((ipToNum(l) - pool.base) / 2 ** (32 - bs)) : undefined;
      const mine = blocks.get(node) ?? [];
      const order = lbi !== undefined && mine.includes(lbi) ? [...mine.slice(mine.indexOf(lbi)), ...mine.slice(0, mine.indexOf(lbi))] : mine;
      for (const bi of order) {
        const b = subnet(pool, bs, bi);
        const u = used.get(bi)!;
        const start = bi === lbi ? ipToNum(l!) - b.base + 1 : 0;
        const off = nextFree(start % b.size, 0, b.size, u);
        if (off !== undefined) {
          u.add(off);
          podIps.set(key, nth(b, off));
          last.set(node, nth(b, off));
          done = true;
          break;
        }
      }
      if (done) continue;
      let bi = 0;
      while (bi < nBlocks && owner.has(bi)) bi++;
      if (bi >= nBlocks) {
        problems.push({ file: p.origin.file, line: p.origin.line, path: `Pod ${key}`, message: `no free /${bs} IPAM block left in podCIDR ${pool.text}` });
        continue;
      }
      give(node, bi);
      used.get(bi)!.add(0);
      podIps.set(key, nth(subnet(pool, bs, bi), 0));
      last.set(node, nth(subnet(pool, bs, bi), 0));
    }
    const nodes = new Map(lab.cluster.nodes.map((n) => {
      const bl = (blocks.get(n.name) ?? []).map((bi) => subnet(pool, bs, bi).text);
      return [n.name, { podCIDR: bl[0] ?? '', blocks: bl }];
    }));
    return { podNetwork: lab.cluster.podCIDR, nodes, podIps, pending: [], modeData: spec, lastReserved: last };
  },
};
