// `podlab --store URL up -f …` (docs/multihost.md): the part of a lab across machines that exists today. It validates
// the files as `up` does, stores them in etcd for the cluster, allocates each node's pod CIDR with etcd transactions
// and waits (bounded) for every node's daemon, naming the nodes that have none. Node mode does not build the
// dataplane from the store yet, so it ends with an error that says so; vpc across machines is refused up front.
import { loadLab, readSources } from './load.js';
import { EtcdStore } from '../store/etcd.js';

export interface StoreUpResult {
  readonly cluster: string;
  readonly mode: string;
  readonly store: string;
  readonly podCIDRs: Readonly<Record<string, string>>;
  readonly missing: readonly string[];
}

export class NotBuiltError extends Error {
  constructor(readonly result: StoreUpResult) {
    super(result.missing.length
      ? `nodes without a daemon in ${result.store}: ${result.missing.join(', ')} (start \`podlab daemon --node NAME --store …\` on each machine)`
      : `cluster ${result.cluster} is stored and its pod CIDRs allocated in ${result.store}, but node mode does not build the dataplane across machines yet (docs/multihost.md)`);
    this.name = 'NotBuiltError';
  }
}

/** The node subnets of a pod CIDR, in order (10.244.0.0/16 with mask 24 → 10.244.0.0/24, 10.244.1.0/24, …). */
export function* nodeSubnets(podCIDR: string, mask: number): Generator<string> {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(podCIDR);
  if (!m) throw new Error(`spec.podCIDR ${podCIDR} is not an IPv4 CIDR`);
  const base = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const p = Number(m[5]);
  if (mask < p || mask > 30) throw new Error(`spec.nodeCIDRMaskSize ${mask} does not fit spec.podCIDR ${podCIDR}`);
  for (let i = 0; i < 2 ** (mask - p); i++) {
    const a = (base + i * 2 ** (32 - mask)) >>> 0;
    yield `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${mask}`;
  }
}

export async function storeUp(o: { files: readonly string[]; mode?: string; store: string; credentials?: string; waitMs: number }): Promise<StoreUpResult> {
  const spec = loadLab(o.files, { mode: o.mode });
  const c = spec.cluster;
  if (c.mode === 'vpc') throw new Error(`${c.origin?.file ?? o.files[0]}: spec.mode vpc across machines is not supported yet (the VPC router's machine, role fabric, is not written; docs/multihost.md)`);
  const s = EtcdStore.open(o.store, o.credentials);
  try {
    await s.putObjects(c.name, readSources(o.files).map((x) => ({ name: x.file, text: x.text })));
    const podCIDRs: Record<string, string> = {};
    for (const n of c.nodes) podCIDRs[n.name] = await s.allocate(c.name, 'cidr', n.name, nodeSubnets(c.podCIDR, c.nodeCIDRMaskSize));
    const missing = await s.waitNodes(c.nodes.map((n) => n.name), o.waitMs);
    return { cluster: c.name, mode: c.mode, store: o.store, podCIDRs, missing };
  } finally {
    await s.close();
  }
}
