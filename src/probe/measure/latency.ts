// Round-trip times: ping (ICMP, pod → pod) over a bounded count, and request/response to a netexec server over
// UDP or TCP — directly to a pod and through a ClusterIP, so kube-proxy's cost (the NAT lookup of a connection's
// first packet) shows as the difference. Every sample is a new socket, hence a new conntrack entry.
import { inNs, type Executor } from '../../kernel/exec.js';
import { PYTHON } from '../../kernel/python.js';
import { summarize, type Stat } from './stats.js';
import { MeasureError, missingTool, tail } from './common.js';

export interface RttResult extends Stat {
  readonly lost: number;
}

/** The `time=` of each echo reply in ping's output, in ms. */
export function parsePingTimes(text: string): number[] {
  return [...text.matchAll(/icmp_seq=(\d+) .*?time=([\d.]+) ms/g)].map((m) => Number(m[2]));
}

/** `count` pings at `intervalS` (plus one warm-up that resolves neighbours and is not counted). */
export async function pingRtt(exec: Executor, i: { from: string; to: string; count?: number; intervalS?: number }): Promise<RttResult> {
  const count = i.count ?? 100;
  const interval = i.intervalS ?? 0.01;
  const argv = ['ping', '-n', '-c', String(count + 1), '-i', String(interval), '-W', '1', i.to];
  const r = await exec.run(argv, inNs(i.from, exec.host), { timeoutMs: Math.ceil(count * interval * 1000) + 10_000 });
  const why = missingTool(r, 'ping', 'iputils-ping');
  if (why) throw new MeasureError('RTT', why);
  const times = parsePingTimes(r.stdout).slice(1);
  if (!times.length) throw new MeasureError('RTT', `no echo reply from ${i.to} in ${i.from} (${tail(r)})`);
  return { ...summarize(times), lost: count - times.length };
}

/**
 * Request/response on a fresh socket per sample, alternating between the targets so that drift in the machine's
 * load affects each alike. Prints "<target index> <hostname> <ms>" or "<target index> - <error>".
 */
export const RR_CLIENT = `
import socket, sys, time
proto, n, wait = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
targets = [(a.rsplit(':', 1)[0], int(a.rsplit(':', 1)[1])) for a in sys.argv[4:]]
for _ in range(n):
    for k, (ip, port) in enumerate(targets):
        s = None
        try:
            if proto == 'UDP':
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(wait); s.connect((ip, port))
                t0 = time.perf_counter(); s.send(b'hostname'); h = s.recv(4096).decode('utf-8', 'replace')
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(wait)
                t0 = time.perf_counter(); s.connect((ip, port)); s.sendall(b'GET /hostname HTTP/1.0\\r\\n\\r\\n')
                buf = b''
                while True:
                    d = s.recv(4096)
                    if not d: break
                    buf += d
                h = buf.split(b'\\r\\n\\r\\n', 1)[-1].decode('utf-8', 'replace')
            dt = (time.perf_counter() - t0) * 1000
            print('%d %s %.4f' % (k, h.strip().split()[0] if h.strip() else '?', dt))
        except OSError as e:
            print('%d - %s' % (k, (e.strerror or type(e).__name__).replace(' ', '_')))
        finally:
            if s: s.close()
`;

export interface RequestTarget {
  readonly ip: string;
  readonly port: number;
  /** Only answers from these hostnames count (through a ClusterIP: the remote endpoints). */
  readonly accept?: readonly string[];
}

export interface RequestRttResult extends RttResult {
  /** How many answers each server gave (a ClusterIP spreads them over its endpoints). */
  readonly answeredBy: Readonly<Record<string, number>>;
}

/** Parse RR_CLIENT's output: the answered samples, per target index. */
export function parseRequestTimes(text: string): { target: number; host: string; ms: number }[] {
  return [...text.matchAll(/^(\d+) (\S+) ([\d.]+)$/gm)].filter((m) => m[2] !== '-').map((m) => ({ target: Number(m[1]), host: m[2]!, ms: Number(m[3]) }));
}

/**
 * Request/response RTT to netexec servers (UDP "hostname", or TCP connect + GET /hostname), `tries` samples per
 * target, the targets interleaved. A target whose accepted answers are none fails the whole measurement.
 */
export async function requestRtts(exec: Executor, i: { from: string; protocol: 'UDP' | 'TCP'; targets: readonly RequestTarget[]; tries?: number }): Promise<RequestRttResult[]> {
  const tries = i.tries ?? 100;
  const argv = [PYTHON, '-c', RR_CLIENT, i.protocol, String(tries), '1', ...i.targets.map((t) => `${t.ip}:${t.port}`)];
  const r = await exec.run(argv, inNs(i.from, exec.host), { timeoutMs: tries * i.targets.length * 1000 + 10_000 });
  if (r.code !== 0) throw new MeasureError('request RTT', tail(r));
  const all = parseRequestTimes(r.stdout);
  return i.targets.map((t, k) => {
    const mine = all.filter((a) => a.target === k);
    const answeredBy: Record<string, number> = {};
    for (const a of mine) answeredBy[a.host] = (answeredBy[a.host] ?? 0) + 1;
    const kept = mine.filter((a) => !t.accept || t.accept.includes(a.host)).map((a) => a.ms);
    if (!kept.length) throw new MeasureError('request RTT', `no answer from ${t.accept ? t.accept.join('/') : t.ip} at ${t.ip}:${t.port}/${i.protocol} in ${tries} tries (answers: ${JSON.stringify(answeredBy)})`);
    return { ...summarize(kept), lost: tries - mine.length, answeredBy };
  });
}
