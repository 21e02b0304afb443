// Reading a lab's state: validated against its schema (schema.ts), and migrated from older layouts (version 1:
// before the architecture of modes as plugins and one rule ledger), so a lab built by an older podlab can still be
// changed, checked and removed. A state this podlab cannot read raises CorruptStateError (StateVersionError for a
// version it does not know); `down` and `clean` then remove the lab from the kernel alone.
import { CorruptStateError, STATE_VERSION, StateVersionError, type LabState } from './types.js';
import type { RuleLedger } from '../kernel/apply.js';
import { firstProblem, stateSchema } from './schema.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function migrateState(raw: unknown, path: string, cluster: string): LabState {
  if (!isObj(raw)) throw new CorruptStateError(path, `not a JSON object (${Array.isArray(raw) ? 'a list' : JSON.stringify(raw)?.slice(0, 40)})`, cluster);
  const bad = (why: string) => new CorruptStateError(path, why, cluster);
  if (raw.version !== 1 && raw.version !== STATE_VERSION) throw new StateVersionError(path, raw.version, cluster);
  if (raw.cluster !== cluster) throw bad(`it names cluster ${JSON.stringify(raw.cluster)}, not "${cluster}"`);
  let st: unknown = raw;
  if (raw.version === 1) {
    // v1: mode data in topology.vpc / topology.bgp, two rule ledgers.
    const t = isObj(raw.topology) ? raw.topology : {};
    const vpc = isObj(t.vpc) ? t.vpc : undefined;
    const { vpc: _v, bgp: _b, ...rest } = t;
    const topology = {
      ...rest,
      hosts: vpc && Array.isArray(vpc.hosts) ? vpc.hosts : [],
      ...(t.mode === 'vpc' && vpc ? { modeData: { ...vpc, hosts: undefined } } : {}),
      ...(t.mode === 'bgp' && isObj(t.bgp) ? { modeData: t.bgp } : {}),
    };
    const rules: RuleLedger = {};
    for (const [ns, v] of Object.entries(isObj(raw.iptables) ? raw.iptables : {})) (rules[ns] ??= {}).iptables = v as { want: string; saved: string };
    for (const [ns, v] of Object.entries(isObj(raw.nftables) ? raw.nftables : {})) (rules[ns] ??= {})['nftables ip kube-proxy'] = v as { want: string; saved: string };
    const { iptables: _i, nftables: _n, ...r } = raw;
    // The plan hashes of v1 were taken over another plan shape: the next live change reads everything back.
    st = { ...r, version: STATE_VERSION, topology, rules, planHashes: undefined, converged: false };
  }
  const problem = firstProblem(stateSchema, st);
  if (problem) throw bad(`${problem}${raw.version === 1 ? ' (after reading it as a version 1 state)' : ''}`);
  return st as LabState;
}
