// Node mode (docs/multihost.md): the daemon serves one node of a lab spread across machines. Today it registers the
// node in the etcd store, on a lease it keeps alive (the registration goes when the daemon does), with the underlay
// address of its machine. Programming the node's part of a plan from the store is not there yet (docs/multihost.md).
import { execFileSync } from 'node:child_process';
import { EtcdStore } from '../store/etcd.js';
import type { DaemonOptions } from './daemon.js';

/** The first IPv4 address of dev in this daemon's own network namespace (the machine's underlay NIC). */
export function underlayAddress(dev: string): string {
  let out: string;
  try {
    out = execFileSync('ip', ['-j', '-4', 'addr', 'show', 'dev', dev], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    throw new Error(`--underlay-dev ${dev}: no such interface in this machine's network namespace`);
  }
  const links = JSON.parse(out || '[]') as { addr_info?: { family: string; local: string }[] }[];
  const a = links.flatMap((l) => l.addr_info ?? []).find((x) => x.family === 'inet');
  if (!a) throw new Error(`--underlay-dev ${dev} has no IPv4 address: the other machines reach this node through it`);
  return a.local;
}

export async function registerNode(n: NonNullable<DaemonOptions['node']>): Promise<EtcdStore> {
  const underlayIp = underlayAddress(n.underlayDev);
  const store = EtcdStore.open(n.store, n.credentials);
  try {
    await store.register({ node: n.name, underlayIp, pid: process.pid }, n.ttlSeconds ?? 10);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}
