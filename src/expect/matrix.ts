// The NetworkPolicy truth table (pure), as the upstream netpol e2e suite and Cyclonus probe it: every pod × every
// pod × each port and protocol the destination serves, with the expected verdict from expect/policy.ts. The rows
// are ordinary checks (category policy/matrix), so they run, judge and report like every other check.
import type { Topology, PodT } from '../model/topology.js';
import type { Check, Skip } from './types.js';
import { netexecPorts } from './generate.js';
import { podSource } from './model.js';
import { engineForMode, policyVerdict, type PolicyEngine, type PolicyVerdict } from './policy.js';

export const MATRIX_CATEGORY = 'policy/matrix';
/** A blocked cell is tried once (it must time out or be refused); an allowed one may retry once. */
export const MATRIX_TRIES_OK = 2;
export const MATRIX_TRIES_BLOCKED = 1;

/** One cell of the truth table. */
export interface MatrixCell {
  readonly from: string; // "ns/name"
  readonly to: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  readonly verdict: PolicyVerdict;
}

export function matrixId(c: { protocol: string; from: string; to: string; port: number }): string {
  return `policy ${c.protocol} ${c.from} -> ${c.to}:${c.port}`;
}

/** Parse a matrix check id back into its cell coordinates (reports group cells by port and protocol). */
export function parseMatrixId(id: string): { protocol: string; from: string; to: string; port: number } | undefined {
  const m = /^policy (TCP|UDP) (\S+) -> (\S+):(\d+)$/.exec(id);
  return m ? { protocol: m[1]!, from: m[2]!, to: m[3]!, port: Number(m[4]) } : undefined;
}

/** The pods of the truth table: the user's (system pods such as the cluster DNS are left out of the pod checks). */
const userPods = (t: Topology): PodT[] => t.pods.filter((p) => !p.system);

/** Every cell: pods sorted by key, the columns each destination's netexec ports. */
export function matrixCells(t: Topology, engine: PolicyEngine = engineForMode(t.mode)): MatrixCell[] {
  const m = t.policy;
  if (!m) return [];
  const pods = userPods(t).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out: MatrixCell[] = [];
  for (const from of pods) {
    for (const to of pods) {
      for (const p of netexecPorts(to).all) {
        const verdict = policyVerdict(m, { src: { ip: from.ip, pod: from.key }, dst: { ip: to.ip, pod: to.key }, protocol: p.protocol, port: p.port, loopback: from.key === to.key }, engine);
        out.push({ from: from.key, to: to.key, protocol: p.protocol, port: p.port, verdict });
      }
    }
  }
  return out;
}

/** The truth table as checks. Allowed cells must be answered by the destination, seeing the client's pod IP. */
export function policyMatrixChecks(t: Topology, engine: PolicyEngine = engineForMode(t.mode)): { checks: Check[]; skipped: Skip[] } {
  if (!t.policy) return { checks: [], skipped: [] };
  const byKey = new Map<string, PodT>(t.pods.map((p) => [p.key, p]));
  const checks: Check[] = [];
  const skipped: Skip[] = [];
  for (const p of userPods(t)) {
    if (!netexecPorts(p).all.length) skipped.push({ category: MATRIX_CATEGORY, what: `column ${p.key}`, reason: 'no netexec TCP or UDP port: the truth table probes only podlab\'s netexec server' });
  }
  for (const c of matrixCells(t, engine)) {
    const from = byKey.get(c.from)!;
    const to = byKey.get(c.to)!;
    const decided = c.verdict.decidedBy.length ? ` [${c.verdict.decidedBy.join(', ')}]` : '';
    const basis = `NetworkPolicy (${engine.name}): ${c.verdict.reason}${decided}`;
    checks.push({
      id: matrixId(c), category: MATRIX_CATEGORY,
      from: { label: from.key, netns: from.netns },
      to: { label: `${to.key}:${c.port}`, ip: to.ip, port: c.port },
      protocol: c.protocol, probe: { kind: 'netexec' },
      expect: c.verdict.allowed
        ? { outcome: 'ok', source: podSource(from), backends: [to.name], untilAll: true, basis }
        : { outcome: 'blocked', basis },
      tries: c.verdict.allowed ? MATRIX_TRIES_OK : MATRIX_TRIES_BLOCKED,
    });
  }
  return { checks, skipped };
}
