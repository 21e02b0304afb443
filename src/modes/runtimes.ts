// The effectful side of the modes that have one (bgp: BIRD on every node), one line per mode. Kept apart from the
// plugins (registry.ts) so the pure layers can import a mode without its runtime.
import type { Topology } from '../model/topology.js';
import type { ProcRecord, RuntimeContext } from '../workload/types.js';
import { bgpRuntime } from './bgp/runtime.js';

export interface ModeFault {
  /** One line for --help. */
  readonly describe: string;
  /** Inject the fault on a node; returns the lab's process records afterwards. */
  run(ctx: RuntimeContext, t: Topology, node: string, procs: readonly ProcRecord[]): Promise<ProcRecord[]>;
}

export interface ModeRuntime {
  readonly mode: string;
  /** Whether a process record is this runtime's (the rest belong to the pods' runtime). */
  owns(r: ProcRecord): boolean;
  /** Start or reconfigure what the mode runs so that it matches the topology, and wait until it is ready. */
  sync(ctx: RuntimeContext, t: Topology, prev: readonly ProcRecord[], say?: (msg: string) => void): Promise<{ records: ProcRecord[]; changes: number }>;
  /** What only the running mode can tell (bgp: sessions and routes), merged into `podlab status --json`. */
  status(ctx: RuntimeContext, t: Topology): Promise<Record<string, unknown>>;
  /** Faults `podlab fault KIND NODE` can inject in this mode. */
  readonly faults: Readonly<Record<string, ModeFault>>;
}

const RUNTIMES: ReadonlyMap<string, ModeRuntime> = new Map([[bgpRuntime.mode, bgpRuntime]]);

export function modeRuntime(mode: string): ModeRuntime | undefined {
  return RUNTIMES.get(mode);
}

/** Every fault of every mode, as "kind → mode". */
export function allFaults(): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of RUNTIMES.values()) for (const k of Object.keys(r.faults)) out.set(k, r.mode);
  return out;
}
