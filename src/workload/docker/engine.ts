// The local Docker engine, through dockerode. podlab needs the engine on this host (a unix socket): it
// links each sandbox's network namespace from /proc/<pid>/ns/net, which a remote engine cannot give.
import Docker from 'dockerode';
import { statSync } from 'node:fs';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** How to start an engine that leaves the host's firewall and sysctls alone (README "Docker runtime"). */
export const START_HINT =
  'start one that leaves the host alone: `eval "$(scripts/dockerd.sh start)"` ' +
  '(dockerd --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none with its own data root; ' +
  'see README "Docker runtime"), or point DOCKER_HOST=unix:///path/to/docker.sock at a running one';

/** The engine is missing, unreachable or not local: podlab cannot run docker pods (CLI exit 3, as a missing tool). */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface Engine {
  readonly docker: Docker;
  /** unix:///path as given (DOCKER_HOST or the default). */
  readonly host: string;
  readonly socketPath: string;
  /** The engine's version (e.g. 20.10.24+dfsg1) and API version (e.g. 1.41). */
  readonly version: string;
  readonly apiVersion: string;
}

/** The socket path of a DOCKER_HOST value, or the reason podlab cannot use it. */
export function socketOf(host: string | undefined): { socketPath: string; host: string } | { problem: string } {
  if (!host) return { socketPath: DEFAULT_SOCKET, host: `unix://${DEFAULT_SOCKET}` };
  if (host.startsWith('unix://')) {
    const p = host.slice('unix://'.length);
    return p.startsWith('/') ? { socketPath: p, host } : { problem: `DOCKER_HOST=${host}: a unix socket needs an absolute path (unix:///run/docker.sock)` };
  }
  if (host.startsWith('/')) return { socketPath: host, host: `unix://${host}` };
  return {
    problem: `DOCKER_HOST=${host}: podlab needs the engine on this host through a unix socket (unix:///path/docker.sock): ` +
      'it links each pod sandbox\'s network namespace from /proc/<pid>/ns/net, which a remote engine cannot give',
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Connect to the local engine (DOCKER_HOST, else /var/run/docker.sock) and make sure it answers.
 * Throws EngineError naming the socket and what to do; call it before building anything of a lab that asks for docker.
 */
export async function connectEngine(opts: { host?: string; timeoutMs?: number } = {}): Promise<Engine> {
  const where = socketOf(opts.host ?? process.env.DOCKER_HOST);
  if ('problem' in where) throw new EngineError(where.problem);
  const { socketPath, host } = where;
  const from = opts.host ? '' : process.env.DOCKER_HOST ? ' (DOCKER_HOST)' : ' (DOCKER_HOST is unset)';
  let st;
  try {
    st = statSync(socketPath);
  } catch {
    throw new EngineError(`no Docker engine: ${socketPath}${from} does not exist; ${START_HINT}`);
  }
  if (!st.isSocket()) throw new EngineError(`no Docker engine: ${socketPath}${from} is not a socket; ${START_HINT}`);
  const docker = new Docker({ socketPath });
  try {
    const v = await withTimeout(docker.version(), opts.timeoutMs ?? 5000, `Docker engine at ${socketPath}`);
    return { docker, host, socketPath, version: String(v.Version), apiVersion: String(v.ApiVersion) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ECONNREFUSED' ? 'nothing listens on it (a stale socket: the engine is not running)'
      : code === 'EACCES' ? 'permission denied (podlab runs as root)'
      : (e as Error).message;
    throw new EngineError(`the Docker engine at ${socketPath}${from} is unreachable: ${why}; ${START_HINT}`);
  }
}

/** Problems with the engine as lines for a preflight report (empty when it answers), for callers that collect every problem first. */
export async function enginePreflight(opts: { host?: string; timeoutMs?: number } = {}): Promise<{ engine?: Engine; problems: string[] }> {
  try {
    return { engine: await connectEngine(opts), problems: [] };
  } catch (e) {
    if (e instanceof EngineError) return { problems: [e.message] };
    throw e;
  }
}
