// The cluster store for labs across machines: etcd (the store flannel and Calico use), through the `etcd3` client.
// What it holds, under /podlab/:
//   nodes/<node>                       a node's registration (underlay IP, VTEP MAC, pid), on a lease: it goes away
//                                      when its daemon stops renewing it (killed, machine halted)
//   clusters/<c>/objects               the applied objects of a lab (the files' text, as `up`/`apply` were given)
//   clusters/<c>/alloc/cidr/<cidr>     which node holds a pod CIDR
//   clusters/<c>/alloc/ip/<ip>         which pod holds a pod IP
// Allocation is one etcd transaction per attempt ("create this key if it has no version"), so two writers, on one
// machine or on two, can never take the same CIDR or IP: the loser's transaction fails and it tries the next one.
// The store is guarded: etcd with authentication, a user and password read from a 0600 file (scripts/machines.sh
// writes one); a store URL without credentials is refused before anything is sent.
import { readFileSync, statSync } from 'node:fs';
import { Etcd3, type Lease } from 'etcd3';

export const STORE_PREFIX = '/podlab/';

export interface StoreUrl {
  /** grpc targets: unix:///path or http://host:port. */
  readonly hosts: string[];
  readonly text: string;
}

/** etcd:///abs/path/to/socket (a unix socket) or etcd://host:port[,host:port…]. */
export function parseStoreUrl(url: string): StoreUrl {
  const m = /^etcd:\/\/(.*)$/.exec(url.trim());
  if (!m) throw new Error(`--store: "${url}" is not an etcd URL (etcd:///path/to/socket or etcd://host:2379[,host:2379])`);
  const rest = m[1]!;
  if (rest.startsWith('/')) return { hosts: [`unix://${rest}`], text: url };
  const hosts = rest.split(',').map((h) => h.trim());
  for (const h of hosts) if (!/^[A-Za-z0-9.\-]+:\d{1,5}$/.test(h) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(h)) throw new Error(`--store: "${h}" in "${url}" is not host:port`);
  if (!hosts.length) throw new Error(`--store: "${url}" names no etcd endpoint`);
  return { hosts: hosts.map((h) => `http://${h}`), text: url };
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A credentials file holds one line "user:password" and must be readable by its owner only (0600). */
export function readCredentials(file: string): Credentials {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new Error(`store credentials file ${file} does not exist`);
  }
  if ((st.mode & 0o077) !== 0) throw new Error(`store credentials file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`);
  const line = readFileSync(file, 'utf8').split('\n')[0]!.trim();
  const i = line.indexOf(':');
  if (i <= 0 || i === line.length - 1) throw new Error(`store credentials file ${file}: expected one line "user:password"`);
  return { username: line.slice(0, i), password: line.slice(i + 1) };
}

export interface NodeRegistration {
  readonly node: string;
  readonly underlayIp: string;
  readonly vtepMac?: string;
  readonly pid: number;
  readonly since: string;
}

const NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const checkName = (what: string, v: string) => {
  if (!NAME.test(v)) throw new Error(`${what} "${v}" is not a DNS-1123 name`);
};

export class EtcdStore {
  readonly client: Etcd3;
  private lease?: Lease;

  constructor(readonly url: StoreUrl, creds: Credentials, o: { timeoutMs?: number } = {}) {
    this.client = new Etcd3({
      hosts: url.hosts,
      auth: { username: creds.username, password: creds.password },
      dialTimeout: o.timeoutMs ?? 3000,
      defaultCallOptions: () => ({ deadline: Date.now() + (o.timeoutMs ?? 5000) }),
    });
  }

  static open(url: string, credentialsFile: string | undefined): EtcdStore {
    const u = parseStoreUrl(url);
    if (!credentialsFile) throw new Error(`the store ${url} needs credentials: --store-credentials FILE (or $PODLAB_STORE_CREDENTIALS), a 0600 file with "user:password"`);
    return new EtcdStore(u, readCredentials(credentialsFile));
  }

  get describe(): string {
    return this.url.text;
  }

  /** Revoke this daemon's lease (its registration goes at once, not after the TTL), then close the client. */
  async close(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await lease.revoke().catch(() => undefined);
    this.client.close();
  }

  /** Register this machine's node on a lease of ttl seconds, kept alive until close(); refuses a name already registered by another live daemon. */
  async register(r: Omit<NodeRegistration, 'since'>, ttlSeconds = 10): Promise<void> {
    checkName('node', r.node);
    const lease = this.client.lease(ttlSeconds);
    const key = `${STORE_PREFIX}nodes/${r.node}`;
    const value = JSON.stringify({ ...r, since: new Date().toISOString() } satisfies NodeRegistration);
    const leaseId = await lease.grant();
    const res = await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(value).lease(leaseId)).commit();
    if (!res.succeeded) {
      await lease.revoke().catch(() => undefined);
      const other = await this.client.get(key).string();
      throw new Error(`node ${r.node} is already registered in ${this.describe} by another daemon (${other}): one daemon per node`);
    }
    this.lease = lease;
  }

  async nodes(): Promise<NodeRegistration[]> {
    const all = await this.client.getAll().prefix(`${STORE_PREFIX}nodes/`).strings();
    return Object.values(all).map((v) => JSON.parse(v) as NodeRegistration).sort((a, b) => a.node.localeCompare(b.node));
  }

  /** Wait (bounded) for every named node to have a registration; returns those that have none. */
  async waitNodes(names: readonly string[], timeoutMs: number): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const have = new Set((await this.nodes()).map((n) => n.node));
      const missing = names.filter((n) => !have.has(n));
      if (!missing.length || Date.now() >= end) return missing;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async putObjects(cluster: string, files: readonly { name: string; text: string }[]): Promise<void> {
    checkName('cluster', cluster);
    await this.client.put(`${STORE_PREFIX}clusters/${cluster}/objects`).value(JSON.stringify(files));
  }

  async objects(cluster: string): Promise<{ name: string; text: string }[] | undefined> {
    const v = await this.client.get(`${STORE_PREFIX}clusters/${cluster}/objects`).string();
    return v === null ? undefined : (JSON.parse(v) as { name: string; text: string }[]);
  }

  /**
   * Take the first free candidate for owner, atomically: one transaction per candidate (create the key only if it
   * has never been written). An owner that already holds one gets it back (idempotent across restarts).
   */
  async allocate(cluster: string, kind: 'cidr' | 'ip', owner: string, candidates: Iterable<string>): Promise<string> {
    checkName('cluster', cluster);
    const base = `${STORE_PREFIX}clusters/${cluster}/alloc/${kind}/`;
    const held = await this.client.getAll().prefix(base).strings();
    for (const [k, v] of Object.entries(held)) if (v === owner) return k.slice(base.length);
    for (const c of candidates) {
      if (held[base + c] !== undefined) continue;
      const res = await this.client.if(base + c, 'Create', '==', 0).then(this.client.put(base + c).value(owner)).commit();
      if (res.succeeded) return c;
    }
    throw new Error(`cluster ${cluster}: no free ${kind === 'cidr' ? 'pod CIDR' : 'pod IP'} left for ${owner}`);
  }

  async allocations(cluster: string, kind: 'cidr' | 'ip'): Promise<Record<string, string>> {
    const base = `${STORE_PREFIX}clusters/${cluster}/alloc/${kind}/`;
    const all = await this.client.getAll().prefix(base).strings();
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.slice(base.length), v]));
  }

  async release(cluster: string, kind: 'cidr' | 'ip', value: string, owner: string): Promise<void> {
    const key = `${STORE_PREFIX}clusters/${cluster}/alloc/${kind}/${value}`;
    await this.client.if(key, 'Value', '==', owner).then(this.client.delete().key(key)).commit();
  }

  async removeCluster(cluster: string): Promise<void> {
    checkName('cluster', cluster);
    await this.client.delete().prefix(`${STORE_PREFIX}clusters/${cluster}/`);
  }

  /** Call f whenever anything under /podlab/ changes (a node registers or leaves, objects or allocations move). */
  async watch(f: () => void): Promise<() => Promise<void>> {
    const w = await this.client.watch().prefix(STORE_PREFIX).create();
    w.on('put', f).on('delete', f);
    return () => w.cancel();
  }
}

/** Candidate /24 pod CIDRs of a /16 cluster CIDR ("10.244.0.0/16" → 10.244.0.0/24, 10.244.1.0/24, …). */
export function* podCidrs(clusterCidr: string): Generator<string> {
  const m = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(clusterCidr);
  if (!m) throw new Error(`cluster CIDR ${clusterCidr}: node mode allocates /24s of a /16 (a.b.0.0/16)`);
  for (let i = 0; i < 256; i++) yield `${m[1]}.${m[2]}.${i}.0/24`;
}

/** Candidate pod IPs of a /24 pod CIDR (.2 … .254; .1 is the node's gateway). */
export function* podIps(podCidr: string): Generator<string> {
  const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(podCidr);
  if (!m) throw new Error(`pod CIDR ${podCidr}: expected a /24`);
  for (let i = 2; i < 255; i++) yield `${m[1]}.${i}`;
}
