// The service environment variables (pure), as the kubelet builds them (pkg/kubelet/envvars FromServices, and
// getServiceEnvVarMap in kubelet_pods.go): for every Service of the pod's namespace that has a ClusterIP (not
// headless, not ExternalName) `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT`, `<NAME>_SERVICE_PORT_<PORTNAME>` and the
// Docker-link style `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>{,_PROTO,_PORT,_ADDR}`; with enableServiceLinks: false
// only the API server's Service default/kubernetes, which the kubelet always adds. A pod gets the Services that exist
// when it is created (topology.ts keeps the snapshot while the pod lives, as a running container's environment never
// changes).
import { API_SERVICE } from '../input/reserved.js';

/** What this module needs of a Service. */
export interface EnvService {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP: string;
  readonly type: string;
  readonly ports: readonly { readonly name: string; readonly protocol: string; readonly port: number }[];
}

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');
const hasClusterIP = (s: EnvService) => s.type !== 'ExternalName' && s.clusterIP !== 'None' && s.clusterIP !== '';

/** One Service's variables, in the kubelet's order. */
export function serviceVars(s: EnvService): [string, string][] {
  if (!hasClusterIP(s) || s.ports.length === 0) return [];
  const prefix = envName(s.name);
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, s.clusterIP], [`${prefix}_SERVICE_PORT`, String(s.ports[0]!.port)]];
  for (const p of s.ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  s.ports.forEach((p, i) => {
    const proto = p.protocol.toLowerCase();
    const url = `${proto}://${s.clusterIP}:${p.port}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const pp = `${prefix}_PORT_${p.port}_${p.protocol.toUpperCase()}`;
    out.push([pp, url], [`${pp}_PROTO`, proto], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, s.clusterIP]);
  });
  return out;
}

/** The variables a pod in `namespace` gets from these Services. */
export function serviceEnv(namespace: string, enableServiceLinks: boolean, services: readonly EnvService[]): Record<string, string> {
  // By Service name: the pod's namespace first; default/kubernetes unless the namespace has its own "kubernetes".
  const byName = new Map<string, EnvService>();
  if (enableServiceLinks) for (const s of services) if (s.namespace === namespace && hasClusterIP(s)) byName.set(s.name, s);
  const api = services.find((s) => s.namespace === API_SERVICE.namespace && s.name === API_SERVICE.name);
  if (api && !byName.has(api.name)) byName.set(api.name, api);
  const out: Record<string, string> = {};
  for (const name of [...byName.keys()].sort()) for (const [k, v] of serviceVars(byName.get(name)!)) out[k] = v;
  return out;
}
