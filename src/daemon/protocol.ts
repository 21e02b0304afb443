// The daemon's API, shared by the server and the thin client (so it imports nothing heavy): HTTP/JSON on a unix
// socket in the state directory. A call is `POST /v1/<op>` with a JSON body; the answer streams NDJSON lines —
// `{"progress": "…"}` while it runs, then `{"result": …}` or `{"error": …}`. An error found before anything was
// streamed (bad input, an unknown lab) comes alone with a 4xx status. `GET /v1/events` streams events.
import { join } from 'node:path';

export const API = '/v1';
export const OPS = ['up', 'apply', 'delete', 'down', 'status', 'check', 'fault', 'logs', 'trace'] as const;
export type Op = (typeof OPS)[number];

/** The state directory, as the store uses it ($PODLAB_STATE_DIR, default /run/podlab). */
export function stateRootOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.PODLAB_STATE_DIR ?? '/run/podlab';
}

/** Where the daemon of a state directory listens: $PODLAB_SOCKET, else podlab.sock in the state directory. */
export function socketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PODLAB_SOCKET ?? join(stateRootOf(env), 'podlab.sock');
}

/** An error as it crosses the socket: enough to raise the same error, with the same message and exit code, in the CLI. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  /** SpecError: every problem, with file, line and field. */
  readonly problems?: readonly { file: string; line?: number; path: string; message: string }[];
  /** PreflightError: what is missing. */
  readonly missing?: readonly string[];
  readonly cluster?: string;
}

/** HTTP status for an error raised by a use-case. */
export function statusOf(e: WireError): number {
  switch (e.name) {
    case 'BadRequest': return 400;
    case 'SpecError': return 422;
    case 'NotFound': return 404;
    case 'LabLockedError': return 409;
    case 'PreflightError': return 424;
    default: return /^no lab named|^no pod|^no node|^not in lab|^several labs|^no lab is running/.test(e.message) ? 404 : 500;
  }
}

export interface EventJson {
  readonly time: string;
  readonly cluster: string;
  /** Normal or Warning, as Kubernetes events. */
  readonly type: 'Normal' | 'Warning';
  /** Repaired, Applied, Started, Resynced, Adopted, Removed, Failed, Waiting … */
  readonly reason: string;
  /** The object: "route 10.244.1.0/24", "lab demo", "process shop/web-1 web". */
  readonly object: string;
  readonly netns?: string;
  readonly message: string;
  /** For drift repairs: ms from the kernel's event (or the resync's start) to the repair being done. */
  readonly ms?: number;
}
