// Shared helpers for integration tests: random cluster names, temp state, the real CLI, leftover checks.
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

import { ROOT } from './paths.js';
export { ROOT };
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const isRoot = process.getuid?.() === 0;

/** A cluster name unique to this test run: ≤ 10 chars, starts with a letter. */
export function clusterName(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`.slice(0, 10);
}

/** A private state folder so tests never see each other's labs. */
export const STATE_DIR = mkdtempSync(join(tmpdir(), 'podlab-test-state-'));
process.env.PODLAB_STATE_DIR = STATE_DIR;

export interface LabOpts {
  name: string;
  nodes?: number;
  underlay?: string;
  podCIDR?: string;
  extra?: string; // more YAML documents
  clusterSpecExtra?: string; // lines under spec:, indented by 2
}

export function writeLab(o: LabOpts): string {
  const dir = mkdtempSync(join(tmpdir(), 'podlab-test-'));
  const nodes = Array.from({ length: o.nodes ?? 3 }, (_, i) => `    - name: node${i + 1}`).join('\n');
  const text = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: ${o.name}}
spec:
  podCIDR: ${o.podCIDR ?? '10.244.0.0/16'}
  underlay: ${o.underlay ?? '172.18.0.0/24'}
${o.clusterSpecExtra ?? ''}
  nodes:
${nodes}
${o.extra ? '---\n' + o.extra : ''}`;
  const f = join(dir, 'lab.yaml');
  writeFileSync(f, text);
  return f;
}

export function pod(ns: string, name: string, node: string | undefined, ports = '[{containerPort: 8080}, {containerPort: 8080, protocol: UDP}]', labels = '{app: web}'): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: ${labels}}
spec:
${node ? `  nodeName: ${node}\n` : ''}  containers:
    - name: netexec
      ports: ${ports}
---
`;
}

export async function podlab(args: string[], opts: { input?: string; reject?: boolean } = {}) {
  return execa('node', [CLI, ...args], { reject: opts.reject ?? false, input: opts.input, env: { PODLAB_STATE_DIR: STATE_DIR } });
}

/** Everything of a cluster that is still in the kernel (namespaces by name, processes inside them). */
export function netnsOf(cluster: string): string[] {
  let all: string[] = [];
  try {
    all = readdirSync('/run/netns');
  } catch {
    /* none */
  }
  return all.filter((n) => n.startsWith(`pl-${cluster}-`));
}

/** Run a command in a lab namespace and return stdout (trimmed). */
export async function inNetns(netns: string, argv: string[], timeoutMs = 10_000): Promise<{ code: number; out: string; err: string }> {
  const r = await execa('ip', ['netns', 'exec', netns, ...argv], { reject: false, timeout: timeoutMs });
  return { code: r.exitCode ?? -1, out: String(r.stdout).trim(), err: String(r.stderr).trim() };
}

/** One check of `podlab check -r json`, as the integration tests read it. */
export interface JCheck {
  id: string; category: string; from: string; to: string; status: string; reason: string;
  expected: { outcome: string }; attempts: { sourceIp?: string; hostname?: string }[];
}

/** `podlab check -c CLUSTER -r json [extra…]`: exit code, the checks (empty if the JSON did not parse), raw output. */
export async function checkJson(cluster: string, extra: string[] = []): Promise<{ code: number; checks: JCheck[]; raw: string }> {
  const r = await podlab(['check', '-c', cluster, '-r', 'json', ...extra]);
  let checks: JCheck[] = [];
  try {
    checks = JSON.parse(String(r.stdout)).runs[0].checks;
  } catch {
    /* reported by the callers' asserts */
  }
  return { code: r.exitCode ?? -1, checks, raw: `${r.stdout}\n${r.stderr}` };
}

/** Ids of the checks that did not pass, sorted. */
export const failedIds = (cs: readonly JCheck[]) => cs.filter((c) => c.status !== 'pass').map((c) => c.id).sort();

/** Polls f until it returns a value (not undefined or false), every stepMs, for at most ms; the last error is in the timeout's message. */
export async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 30_000, stepMs = 200): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** `podlab status -c cluster --json`, parsed; a failing status throws its stderr. */
export async function statusJson<T>(cluster: string): Promise<T> {
  const r = await podlab(['status', '-c', cluster, '--json']);
  if (r.exitCode !== 0) throw new Error(String(r.stderr));
  return JSON.parse(String(r.stdout)) as T;
}
