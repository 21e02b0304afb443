// The state file's compact form. Every pod carries the service environment it was created with (kubelet's
// `<SVC>_SERVICE_HOST`… variables, seven or more per Service of its namespace), twice: in the topology and in the
// allocations that keep it while the pod lives. In a 1,000-pod, 100-Service lab that is 24 KB per pod and a 48 MB
// state file, read, compared and written on every change. The pods of one namespace share one table, so the file
// stores each distinct table once (`envs`) and the pods refer to it by index; reading gives the pods one shared,
// frozen object per table again. Nothing else of the state changes shape.
import type { LabState } from './types.js';

type Env = Readonly<Record<string, string>>;
interface PackedPod { readonly serviceEnv?: Env | number }
interface PackedAlloc { readonly env?: Env | number }

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The state with every service environment table replaced by its index in `envs` (tables equal in content share one). */
export function packState(s: LabState): Record<string, unknown> {
  const envs: Env[] = [];
  const byRef = new Map<Env, number>();
  const byText = new Map<string, number>();
  const ref = (e: Env | undefined): number | undefined => {
    if (e === undefined) return undefined;
    let i = byRef.get(e);
    if (i !== undefined) return i;
    const text = JSON.stringify(e);
    i = byText.get(text);
    if (i === undefined) {
      i = envs.length;
      envs.push(e);
      byText.set(text, i);
    }
    byRef.set(e, i);
    return i;
  };
  const pods = s.topology.pods.map((p) => (p.serviceEnv === undefined ? p : { ...p, serviceEnv: ref(p.serviceEnv) }));
  const allocPods = Object.fromEntries(Object.entries(s.allocations.pods ?? {}).map(([k, a]) => [k, a.env === undefined ? a : { ...a, env: ref(a.env) }]));
  if (!envs.length) return { ...s };
  return { ...s, topology: { ...s.topology, pods }, allocations: { ...s.allocations, pods: allocPods }, envs };
}

/** The state as `packState` stored it, tables restored (a state without `envs` is returned as it is). */
export function unpackState(raw: unknown): unknown {
  if (!isObj(raw) || !Array.isArray(raw.envs)) return raw;
  const envs = raw.envs.map((e) => (isObj(e) ? Object.freeze(e) : e));
  const { envs: _e, ...rest } = raw;
  // An index that names no table is left as it is: the schema check then reports the field.
  const at = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < envs.length ? envs[v] : v);
  const t = raw.topology;
  const a = raw.allocations;
  return {
    ...rest,
    ...(isObj(t) && Array.isArray(t.pods) ? { topology: { ...t, pods: t.pods.map((p: unknown) => (isObj(p) && 'serviceEnv' in p ? { ...p, serviceEnv: at((p as PackedPod).serviceEnv) } : p)) } } : {}),
    ...(isObj(a) && isObj(a.pods) ? { allocations: { ...a, pods: Object.fromEntries(Object.entries(a.pods).map(([k, v]) => [k, isObj(v) && 'env' in v ? { ...v, env: at((v as PackedAlloc).env) } : v])) } } : {}),
  };
}

/** The state's content but for when it was written, in its compact form: two states with equal keys are equal. */
export function stateKey(s: LabState): string {
  return JSON.stringify(packState({ ...s, updatedAt: '' }));
}
