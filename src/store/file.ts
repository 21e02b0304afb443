// The state folder of a lab: what `up` decided (topology, allocations) and what it started.
// The kernel stays the source of truth for what exists: `clean` works without any of this.
import { mkdirSync, readFileSync, writeFileSync, renameSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology, Allocations } from '../model/topology.js';

export function stateRoot(): string {
  return process.env.PODLAB_STATE_DIR ?? '/run/podlab';
}

export function clusterDir(cluster: string): string {
  return join(stateRoot(), cluster);
}

export interface ProcRecord {
  readonly pod: string; // ns/name, or "runtime/<node>"
  readonly container: string;
  readonly pid: number;
  readonly netns: string;
  readonly log: string;
  readonly startedAt: string;
  /** Hash of the container spec it was started from: a changed spec restarts it. */
  readonly spec?: string;
}

export interface LabState {
  readonly version: 1;
  readonly cluster: string;
  readonly files: readonly string[];
  /** Snapshots of files given to `podlab apply`, in order (in the lab's state folder). */
  readonly applied?: readonly string[];
  /** Objects removed by `podlab delete` ("Pod ns/name", "Service ns/name"). */
  readonly deleted?: readonly string[];
  /** --mode / --proxy-mode given to `up`, reused by apply/delete. */
  readonly mode?: string;
  readonly proxyMode?: string;
  readonly topology: Topology;
  readonly allocations: Allocations;
  /** Per node namespace: hash of the iptables-restore input we applied and of iptables-save right after. */
  readonly iptables: Readonly<Record<string, { want: string; saved: string }>>;
  /** Per node namespace: the same for kube-proxy's nftables table (nftables proxy mode). */
  readonly nftables?: Readonly<Record<string, { want: string; saved: string }>>;
  readonly processes: readonly ProcRecord[];
  /** True once an `up` (or apply/delete) finished: the kernel then holds the plan of `topology`. */
  readonly converged?: boolean;
  /** Per namespace, a hash of the plan it was converged to: a live change re-reads only those whose hash moves. */
  readonly planHashes?: Readonly<Record<string, string>>;
  readonly updatedAt: string;
}

export function readState(cluster: string): LabState | undefined {
  const f = join(clusterDir(cluster), 'state.json');
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export function writeState(s: LabState): void {
  const dir = clusterDir(s.cluster);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = join(dir, 'state.json');
  writeFileSync(f + '.tmp', JSON.stringify(s, null, 1));
  renameSync(f + '.tmp', f);
}

export function removeState(cluster: string): void {
  rmSync(clusterDir(cluster), { recursive: true, force: true });
}

export function knownClusters(): string[] {
  try {
    return readdirSync(stateRoot()).filter((d) => existsSync(join(stateRoot(), d, 'state.json')));
  } catch {
    return [];
  }
}

export function logDir(cluster: string): string {
  const d = join(clusterDir(cluster), 'logs');
  mkdirSync(d, { recursive: true });
  return d;
}
