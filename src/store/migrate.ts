// Reading a lab's state: validated, and migrated from older layouts (version 1: before the architecture of modes as
// plugins and one rule ledger), so a lab built by an older podlab can still be changed, checked and removed.
import { CorruptStateError, STATE_VERSION, type LabState } from './types.js';
import type { RuleLedger } from '../kernel/apply.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function migrateState(raw: unknown, path: string, cluster: string): LabState {
  if (!isObj(raw)) throw new CorruptStateError(path, 'not a JSON object');
  const bad = (why: string) => new CorruptStateError(path, why);
  if (raw.version !== 1 && raw.version !== STATE_VERSION) {
    throw bad(`version ${JSON.stringify(raw.version)} is not one this podlab reads (it reads 1 and ${STATE_VERSION}); a newer podlab wrote it?`);
  }
  if (raw.cluster !== cluster) throw bad(`it names cluster ${JSON.stringify(raw.cluster)}, not "${cluster}"`);
  if (!Array.isArray(raw.files) || raw.files.some((f) => typeof f !== 'string')) throw bad('"files" is not a list of paths');
  const t = raw.topology;
  if (!isObj(t) || typeof t.mode !== 'string' || !Array.isArray(t.nodes) || !Array.isArray(t.pods) || !isObj(t.external) || !isObj(t.fabric)) {
    throw bad('"topology" is missing or incomplete');
  }
  if (!Array.isArray(raw.processes) || raw.processes.some((p) => !isObj(p) || typeof p.pid !== 'number' || typeof p.netns !== 'string' || typeof p.pod !== 'string')) {
    throw bad('"processes" is not a list of process records');
  }
  if (raw.version === 1) {
    // v1: mode data in topology.vpc / topology.bgp, two rule ledgers.
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
    return { ...(r as unknown as LabState), version: STATE_VERSION, topology: topology as unknown as LabState['topology'], rules, planHashes: undefined, converged: false };
  }
  if (!isObj(raw.rules)) throw bad('"rules" (the rule ledger) is missing');
  return raw as unknown as LabState;
}
