// Probes (effectful): one attempt of a check with real tools inside the client's namespace — curl for TCP
// (netexec's HTTP /clientip; the X-Hostname header names who answered), a small python3 UDP client
// ("hostname" then "clientip" on one socket), ping for ICMP, `ping -M do -s N` at the MTU boundary.
// DNS: `getent hosts NAME` (glibc, the pod's search path and ndots) and `dig NAME TYPE` (bind9-dnsutils), run with the
// pod's own /etc/netns files (`ip netns exec`), so they ask what its resolv.conf names. Every attempt keeps its
// evidence: the command as run, its exit code and its output.
import { inNs, placeArgv, type Executor, type RunResult } from '../kernel/exec.js';
import type { Attempt, Check, Observed, Rcode } from '../expect/types.js';
import { PYTHON } from '../kernel/python.js';

export interface ProbeTimeouts {
  /** Seconds to wait for a TCP connect / an ICMP or UDP answer before calling it dropped. */
  readonly waitS: number;
}
export const DEFAULT_TIMEOUTS: ProbeTimeouts = { waitS: 1 };


/** UDP client: prints "hostname\nclientip"; exit 3 refused (ICMP port unreachable), 4 timed out, 5 unreachable. */
const UDP_CLIENT = `
import socket, sys, errno
ip, port, wait = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(wait)
out = []
try:
    s.connect((ip, port))
    for q in (b'hostname', b'clientip'):
        s.send(q)
        out.append(s.recv(65535).decode('utf-8', 'replace'))
except ConnectionRefusedError:
    print('refused: ICMP port unreachable (connection refused)'); sys.exit(3)
except socket.timeout:
    print('timed out after %gs without an answer' % wait); sys.exit(4)
except OSError as e:
    print('unreachable: %s' % e.strerror); sys.exit(5 if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH) else 6)
print('\\n'.join(out))
`;

export function probeArgv(c: Check, to: ProbeTimeouts = DEFAULT_TIMEOUTS): string[] {
  const w = String(to.waitS);
  if (c.probe.kind === 'dns') {
    if (c.probe.tool === 'getent') return ['getent', 'hosts', c.probe.name];
    if (c.probe.tool === 'getent-v4') return ['getent', 'ahostsv4', c.probe.name];
    return ['dig', `+time=${Math.max(1, to.waitS)}`, '+tries=2', '+noall', '+comments', '+answer', c.probe.name, c.probe.qtype];
  }
  if (c.probe.kind === 'ping') return ['ping', '-n', '-c', '1', '-W', w, c.to.ip];
  if (c.probe.kind === 'ping-df') return ['ping', '-n', '-c', '1', '-W', w, '-M', 'do', '-s', String(c.probe.size), c.to.ip];
  if (c.probe.kind === 'http') {
    const p = c.probe;
    const scheme = p.tls ? 'https' : 'http';
    const base = ['curl', '-sS', '-i', '--connect-timeout', w, '--max-time', String(to.waitS + 1)];
    // A name resolved to the target (SNI and Host both carry it), or the address with an explicit Host header.
    if (p.host) return [...base, ...(p.tls ? ['-k'] : []), '--resolve', `${p.host}:${c.to.port}:${c.to.ip}`, `${scheme}://${p.host}:${c.to.port}${p.path}`];
    return [...base, ...(p.tls ? ['-k'] : []), `${scheme}://${c.to.ip}:${c.to.port}${p.path}`];
  }
  if (c.protocol === 'TCP') return ['curl', '-sS', '-i', '--connect-timeout', w, '--max-time', String(to.waitS + 1), `http://${c.to.host ?? c.to.ip}:${c.to.port}/clientip`];
  return [PYTHON, '-c', UDP_CLIENT, c.to.ip, String(c.to.port), w];
}

const shellQuote = (s: string) => (/^[-\w./:=@%+,]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command as a human would paste it (the UDP client's script shown as "<udp-client>"). */
export function commandText(argv: readonly string[]): string {
  return argv.map((a) => (a.includes('import socket') ? '<udp-client.py>' : shellQuote(a))).join(' ');
}

function splitIpPort(s: string): { ip?: string; port?: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(s.trim());
  return m ? { ip: m[1], port: Number(m[2]) } : {};
}

/** dig's answer section, normalized: A → the address, CNAME → "CNAME target.", SRV/TXT → the data. */
export function parseDig(stdout: string): { rcode?: Rcode; answers: string[] } {
  const rcode = /status: ([A-Z]+)/.exec(stdout)?.[1] as Rcode | undefined;
  const answers: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim() || line.startsWith(';')) continue;
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[2] !== 'IN') continue;
    const data = f.slice(4).join(' ');
    answers.push(f[3] === 'CNAME' ? `CNAME ${data}` : data);
  }
  return { rcode, answers };
}

/** Classify a finished probe command. Exported for unit tests. */
export function interpret(c: Check, r: Pick<RunResult, 'code' | 'stdout' | 'stderr' | 'timedOut'>): Omit<Attempt, 'evidence'> {
  const out = `${r.stdout}\n${r.stderr}`.trim();
  const firstErr = (r.stderr.trim() || r.stdout.trim()).split('\n').filter(Boolean).pop() ?? '';
  if (r.timedOut) return { observed: 'dropped', detail: 'the probe command itself timed out' };
  const res = (observed: Observed, detail: string) => ({ observed, detail });
  if (c.probe.kind === 'dns') {
    if (c.probe.tool === 'getent' || c.probe.tool === 'getent-v4') {
      if (r.code === 0) return { observed: 'ok', detail: 'answered', dns: { rcode: 'NOERROR', answers: [...new Set(r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean))] } };
      if (r.code === 2) return { observed: 'ok', detail: 'no address found', dns: { rcode: 'NOTFOUND', answers: [] } };
      return res('error', firstErr || `getent exited ${r.code}`);
    }
    if (r.code === 9 || /connection timed out|no servers could be reached/.test(out)) return res('dropped', 'no DNS server answered (timed out)');
    const d = parseDig(r.stdout);
    if (r.code !== 0 || !d.rcode) return res('error', firstErr || `dig exited ${r.code}`);
    return { observed: 'ok', detail: `DNS ${d.rcode}`, dns: { rcode: d.rcode, answers: d.answers } };
  }
  if (c.probe.kind === 'ping' || c.probe.kind === 'ping-df') {
    if (r.code === 0) return res('ok', 'echo reply received');
    if (/message too long|Frag needed|frag needed/i.test(out)) return res('refused', firstErr.replace(/^ping: /, '') || 'message too long');
    if (/unreachable/i.test(out)) return res('refused', (/(\S+ )?[Uu]nreachable.*/.exec(out)?.[0] ?? 'unreachable').replace(/^ping: /, ''));
    if (r.code === 1) return res('dropped', 'no echo reply before the timeout');
    return res('error', firstErr || `ping exited ${r.code}`);
  }
  if (c.probe.kind === 'http' && r.code === 0) {
    const text = r.stdout.replace(/\r/g, '');
    const cut = text.indexOf('\n\n');
    const head = cut < 0 ? text : text.slice(0, cut);
    const body = cut < 0 ? '' : text.slice(cut + 2);
    const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1] ?? NaN);
    const hostname = /^X-Hostname: *(.*)$/im.exec(head)?.[1]?.trim();
    const forwardedFor = /^X-Request-Forwarded-For: *(.*)$/im.exec(head)?.[1]?.trim();
    const { ip, port } = c.probe.path.endsWith('/clientip') ? splitIpPort(body.trim()) : {};
    if (!Number.isFinite(status)) return res('error', 'no HTTP status line in the answer');
    return { observed: 'ok', detail: `HTTP ${status}`, httpStatus: status, body: body.slice(0, 500), hostname, sourceIp: ip, sourcePort: port, ...(forwardedFor !== undefined ? { forwardedFor } : {}) };
  }
  if (c.protocol === 'TCP') {
    if (r.code === 0) {
      const [head = '', body = ''] = r.stdout.replace(/\r/g, '').split('\n\n');
      const status = /^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1];
      const hostname = /^X-Hostname: *(.*)$/im.exec(head)?.[1]?.trim();
      if (status !== '200') return res('error', `HTTP ${status ?? '?'} from the server (not netexec?)`);
      const { ip, port } = splitIpPort(body);
      return { observed: 'ok', detail: 'answered', sourceIp: ip, sourcePort: port, hostname };
    }
    if (r.code === 28) return res('dropped', 'timed out (no SYN-ACK, no RST)');
    // A request by name whose lookup got no answer (a policy or a fault stopping the DNS query) never sends a SYN.
    if (r.code === 6 && c.to.host !== undefined) return res('dropped', `could not resolve host ${c.to.host} (no usable DNS answer)`);
    if (r.code === 7) {
      if (/refused/i.test(out)) return res('refused', 'connection refused');
      if (/no route/i.test(out)) return res('refused', 'no route to host');
      if (/unreachable/i.test(out)) return res('refused', 'network unreachable');
      return res('refused', firstErr.replace(/^curl: \(7\) /, '') || "couldn't connect");
    }
    if (r.code === 52 || r.code === 56) return res('refused', firstErr.replace(/^curl: \(\d+\) /, '') || 'connection reset');
    return res('error', firstErr || `curl exited ${r.code}`);
  }
  // UDP
  if (r.code === 0) {
    const [hostname, clientip = ''] = r.stdout.trim().split('\n');
    const { ip, port } = splitIpPort(clientip);
    return { observed: 'ok', detail: 'answered', sourceIp: ip, sourcePort: port, hostname: hostname?.trim() };
  }
  if (r.code === 3 || r.code === 5) return res('refused', r.stdout.trim());
  if (r.code === 4) return res('dropped', r.stdout.trim());
  return res('error', firstErr || `UDP client exited ${r.code}`);
}

export async function attempt(exec: Executor, c: Check, to: ProbeTimeouts = DEFAULT_TIMEOUTS): Promise<Attempt> {
  const argv = probeArgv(c, to);
  // Names are resolved with the pod's own resolv.conf: `ip netns exec` bind-mounts /etc/netns/<netns>/ over /etc.
  const byName = c.probe.kind === 'dns' || c.to.host !== undefined;
  const place = byName ? { ...inNs(c.from.netns, exec.host), nsFiles: true } : inNs(c.from.netns, exec.host);
  const r = await exec.run(argv, place, { timeoutMs: (to.waitS + (byName ? 14 : 4)) * 1000 });
  const shown = commandText(placeArgv(argv, place));
  const output = `${r.stdout}${r.stderr ? (r.stdout ? '\n' : '') + r.stderr : ''}`.trim().slice(0, 2000);
  let a = interpret(c, r);
  // `ip netns exec` failing means the namespace is gone: podlab's problem, not a dataplane verdict.
  if (r.code !== 0 && /Cannot open network namespace|No such file or directory/.test(r.stderr) && r.stderr.includes(c.from.netns)) {
    a = { observed: 'error', detail: `namespace ${c.from.netns} does not exist (is the lab up?)` };
  }
  return { ...a, evidence: { command: shown, exitCode: r.code, output, ms: Math.round(r.ms) } };
}
