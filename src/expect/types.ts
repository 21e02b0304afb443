// The checker's vocabulary (pure): what a check expects, what a probe observed, and the verdict with its evidence.

export type Proto = 'TCP' | 'UDP' | 'ICMP';
/** ok: answered · refused: failed fast (RST, ICMP error, no route, local EMSGSIZE) · dropped: timed out · blocked: refused or dropped. */
export type Outcome = 'ok' | 'refused' | 'dropped' | 'blocked';
/** What one probe attempt saw. `error` means the probe itself could not run (podlab's problem, not the dataplane's). */
export type Observed = 'ok' | 'refused' | 'dropped' | 'error';

/** The class of source address the server must observe (reference/dataplane.md section E, column S). */
export type SourceClass = 'POD' | 'NODE' | 'EXT' | 'LOCAL' | 'IP';

export interface SourceExpect {
  readonly class: SourceClass;
  /** Every address that satisfies the class (POD: the client pod IP; NODE(n): the addresses of node n; …). */
  readonly allowed: readonly string[];
  /** The one address the real system picks (matrix E), reported alongside; a different allowed one is a note, not a failure. */
  readonly preferred?: string;
  /** Human words, e.g. "the pod's own 10.244.1.2" or "an address of node node1 (10.244.1.1 cni0, …)". */
  readonly describe: string;
}

/** A DNS response code as dig prints it; NOTFOUND: getent found no address (it cannot tell NXDOMAIN from a refusal). */
export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'SERVFAIL' | 'NOTFOUND';

/** What a DNS query must get: the response code and exactly these answers (in any order). */
export interface DnsExpect {
  readonly rcode: Rcode;
  /** A: addresses; SRV: "priority weight port target."; a CNAME in the answer: "CNAME target.". */
  readonly answers: readonly string[];
}

export interface Expectation {
  readonly outcome: Outcome;
  /** DNS checks: the answer a real resolver in the pod must get. */
  readonly dns?: DnsExpect;
  readonly source?: SourceExpect;
  /** Pod names (netexec's hostname) of which each must answer at least once; no other pod may answer. */
  readonly backends?: readonly string[];
  /** With backends: stop as soon as each one answered once (`tries` is then only the cap). Services: random load balancing. */
  readonly untilAll?: boolean;
  /** Pods that may also answer without being required to (a hairpin check requires only the client itself). */
  readonly mayAnswer?: readonly string[];
  /** Every answer must come from one and the same backend, one of `backends` (ClientIP session affinity, E19). */
  readonly sameBackend?: boolean;
  /** Source expectation for answers by a given backend, overriding `source` (hairpin: the answer from itself, E9). */
  readonly sourceFor?: { readonly [hostname: string]: SourceExpect };
  /** Matrix E row(s) or other ground this expectation rests on, e.g. "E2". */
  readonly basis: string;
  /** An HTTP probe's answer must have this status and hold this text (kube-proxy's health-check port). */
  readonly http?: { readonly status: number; readonly contains?: string };
  /** The request is sent with this Host header (Ingress checks). */
  readonly host?: string;
  /** The backend must have seen this X-Forwarded-For (Ingress: the client the controller saw). */
  readonly forwardedFor?: readonly string[];
  /** The mode's words for what a wrong source or a failed hairpin points at (RoutingFacts.words), for failure reasons. */
  readonly explain?: { readonly masquerade?: string; readonly hairpin?: string };
}

export interface Endpoint {
  /** e.g. "shop/web-1", "node/node1", "external" */
  readonly label: string;
  readonly netns: string;
}

export interface Target {
  readonly label: string;
  readonly ip: string;
  readonly port?: number;
  /** Reach the target by this name (resolved in the client pod through its resolv.conf), not by `ip`. */
  readonly host?: string;
}

/** A probe kind: a netexec request (TCP: HTTP /clientip, UDP: "hostname" + "clientip"), a ping, or a DF ping of a given size. */
export type ProbeKind = { readonly kind: 'netexec' } | { readonly kind: 'ping' } | { readonly kind: 'ping-df'; readonly size: number }
  /** Any HTTP server: GET `path` (with a Host header, over TLS when `tls`), status and body kept. */
  | { readonly kind: 'http'; readonly path: string; readonly host?: string; readonly tls?: boolean }
  /** A DNS query with a real resolver: glibc's (`getent hosts NAME`, search path and all; `getent-v4`: `getent
   *  ahostsv4 NAME`, getaddrinfo for IPv4 only — A queries, as a v4 client's connect by name) or dig's (`dig NAME TYPE`). */
  | { readonly kind: 'dns'; readonly tool: 'getent' | 'getent-v4' | 'dig'; readonly name: string; readonly qtype: 'A' | 'SRV' | 'TXT' };

export interface Check {
  /** Unique and stable: "<category> <PROTO> <from> -> <to>"; --filter globs match it. */
  readonly id: string;
  readonly category: string;
  readonly from: Endpoint;
  readonly to: Target;
  readonly protocol: Proto;
  readonly probe: ProbeKind;
  readonly expect: Expectation;
  /** Positive checks: at most this many attempts until one answers (all of them when backends are listed). Negative: every one must fail. */
  readonly tries: number;
  /** For declared checks: where the Check document is. */
  readonly declared?: { readonly name: string; readonly file: string; readonly line: number };
}

/** A check podlab did not generate, and why (e.g. the pod has no netexec port for that protocol). */
export interface Skip {
  readonly category: string;
  readonly what: string;
  readonly reason: string;
}

export interface Evidence {
  /** The command as run on the host (`ip netns exec … curl …`). */
  readonly command: string;
  readonly exitCode: number;
  readonly output: string;
  readonly ms: number;
}

export interface Attempt {
  readonly observed: Observed;
  /** One line: "answered", "connection refused", "timed out after 1s", "network unreachable", … */
  readonly detail: string;
  /** The source address the server reported (netexec clientip), when it answered. */
  readonly sourceIp?: string;
  readonly sourcePort?: number;
  /** Who answered (netexec hostname = pod name; "external" for the external host). */
  readonly hostname?: string;
  /** HTTP probes: the status and the start of the body. */
  readonly httpStatus?: number;
  readonly body?: string;
  /** The X-Forwarded-For the backend saw (netexec echoes it). */
  readonly forwardedFor?: string;
  /** DNS probes: the response code and the answers, normalized as DnsExpect's. */
  readonly dns?: { readonly rcode: Rcode; readonly answers: readonly string[] };
  readonly evidence: Evidence;
}

export type Status = 'pass' | 'fail' | 'error';

export interface Verdict {
  readonly check: Check;
  readonly status: Status;
  /** One line; for failures says what was expected, what was seen, and the likely cause. */
  readonly reason: string;
  /** Observed summary, e.g. "ok from 10.244.1.2" or "refused (network unreachable)". */
  readonly observed: string;
  readonly notes: readonly string[];
  readonly attempts: readonly Attempt[];
  readonly ms: number;
}

/** One lab's checked run (one mode). */
export interface RunReport {
  readonly cluster: string;
  readonly mode: string;
  readonly verdicts: readonly Verdict[];
  readonly skipped: readonly Skip[];
  /** Problems that stopped the run or part of it (podlab could not do its job), e.g. up failed. */
  readonly problems: readonly string[];
  readonly ms: number;
  /** Stopped by SIGINT/SIGTERM: the verdicts are those of the checks that ran. */
  readonly interrupted?: boolean;
  /** With interrupted: how many planned checks never ran (left out of verdicts, counted nowhere else). */
  readonly notRun?: number;
}

export interface Report {
  readonly runs: readonly RunReport[];
}

export function reportOk(r: Report): boolean {
  return r.runs.every((x) => x.problems.length === 0 && x.verdicts.every((v) => v.status === 'pass'));
}

export function dnsText(d: { rcode: string; answers: readonly string[] }): string {
  return d.answers.length ? `${d.rcode} ${[...d.answers].sort().join(', ')}` : d.rcode;
}

export function expectText(e: Expectation): string {
  if (e.dns) return dnsText(e.dns);
  let s: string = e.outcome;
  if (e.source) s += ` from ${e.source.class === 'NODE' || e.source.class === 'POD' || e.source.class === 'EXT' ? `${e.source.class} ` : ''}${e.source.preferred ?? e.source.allowed.join('|')}`;
  if (e.sameBackend && e.backends) s += ` by one of ${e.backends.join(', ')}`;
  else if (e.backends?.length) s += ` by ${e.backends.join(', ')}${e.untilAll ? ' (each)' : ''}`;
  else if (e.mayAnswer?.length) s += ` by any of ${e.mayAnswer.join(', ')}`;
  return s;
}
