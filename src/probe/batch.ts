// Batched probes (effectful): one process per client namespace opens every connection of its checks at once
// (non-blocking sockets, one deadline), the way a truth table of hundreds of cells stays a few seconds long. Each
// cell still gets its own attempt with evidence: the same netexec requests as probe.ts (HTTP /clientip with its
// X-Hostname header over TCP; "hostname" then "clientip" over UDP) and the same observed classes.
import { inNs, mapLimit, placeArgv, type Executor } from '../kernel/exec.js';
import type { Attempt, Check, Observed, Verdict } from '../expect/types.js';
import { judge, wantsMore, type WhoIs } from '../expect/judge.js';
import { PYTHON } from '../kernel/python.js';
import { commandText, DEFAULT_TIMEOUTS } from './probe.js';
import type { RunOptions } from './run.js';

/** stdin: [{proto, ip, port}]; stdout: one JSON result per target, in order. */
const BATCH_CLIENT = `
import json, os, selectors, socket, sys, time, errno
wait = float(sys.argv[1])
targets = json.load(sys.stdin)
res = [None] * len(targets)
sel = selectors.DefaultSelector()
now = time.monotonic
def done(i, observed, detail, **kw):
    res[i] = dict(observed=observed, detail=detail, **kw)
def fail(i, e):
    if e in (errno.ECONNREFUSED,):
        done(i, 'refused', 'connection refused' if targets[i]['proto'] == 'TCP' else 'refused: ICMP port unreachable (connection refused)')
    elif e in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        done(i, 'refused', 'no route to host' if e == errno.EHOSTUNREACH else 'network unreachable')
    elif e == errno.ECONNRESET:
        done(i, 'refused', 'connection reset')
    else:
        done(i, 'error', os.strerror(e))
for i, t in enumerate(targets):
    try:
        if t['proto'] == 'TCP':
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            e = s.connect_ex((t['ip'], t['port']))
            if e not in (0, errno.EINPROGRESS):
                s.close(); fail(i, e); continue
            sel.register(s, selectors.EVENT_WRITE, [i, 'connect', b'', now() + wait])
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            s.connect((t['ip'], t['port']))
            s.send(b'hostname')
            sel.register(s, selectors.EVENT_READ, [i, 'udp1', b'', now() + wait])
    except OSError as ex:
        fail(i, ex.errno)
while sel.get_map():
    for key, ev in sel.select(timeout=0.05):
        s, st = key.fileobj, key.data
        i = st[0]
        try:
            if st[1] == 'connect':
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    sel.unregister(s); s.close(); fail(i, e); continue
                s.send(b'GET /clientip HTTP/1.0\\r\\nHost: netexec\\r\\n\\r\\n')
                st[1] = 'read'; st[3] = now() + wait + 1
                sel.modify(s, selectors.EVENT_READ, st)
            elif st[1] == 'read':
                b = s.recv(65536)
                if b:
                    st[2] += b; continue
                sel.unregister(s); s.close()
                txt = st[2].decode('utf-8', 'replace').replace('\\r', '')
                head, _, body = txt.partition('\\n\\n')
                lines = head.split('\\n')
                code = lines[0].split(' ')[1] if ' ' in lines[0] else '?'
                host = next((l.split(':', 1)[1].strip() for l in lines[1:] if l.lower().startswith('x-hostname:')), None)
                if code != '200':
                    done(i, 'error', 'HTTP %s from the server (not netexec?)' % code); continue
                ip, _, port = body.strip().rpartition(':')
                done(i, 'ok', 'answered', hostname=host, sourceIp=ip or None, sourcePort=int(port) if port.isdigit() else None)
            elif st[1] == 'udp1':
                st[2] = s.recv(65535); s.send(b'clientip'); st[1] = 'udp2'
            else:
                b = s.recv(65535)
                sel.unregister(s); s.close()
                ip, _, port = b.decode('utf-8', 'replace').strip().rpartition(':')
                done(i, 'ok', 'answered', hostname=st[2].decode('utf-8', 'replace').strip(), sourceIp=ip or None, sourcePort=int(port) if port.isdigit() else None)
        except OSError as ex:
            try:
                sel.unregister(s)
            except Exception:
                pass
            s.close(); fail(i, ex.errno)
    t = now()
    for key in list(sel.get_map().values()):
        st = key.data
        if t > st[3]:
            sel.unregister(key.fileobj); key.fileobj.close()
            what = 'timed out (no SYN-ACK, no RST)' if st[1] == 'connect' else 'timed out after %gs without an answer' % wait
            done(st[0], 'dropped', what)
for r in res:
    print(json.dumps(r))
`;

interface BatchResult { observed: Observed; detail: string; hostname?: string; sourceIp?: string; sourcePort?: number }

/** One attempt of each check, batched per client namespace. */
async function attemptAll(exec: Executor, checks: readonly Check[], o: RunOptions): Promise<Map<Check, Attempt>> {
  const waitS = (o.timeouts ?? DEFAULT_TIMEOUTS).waitS;
  const groups = new Map<string, Check[]>();
  for (const c of checks) groups.set(c.from.netns, [...(groups.get(c.from.netns) ?? []), c]);
  const out = new Map<Check, Attempt>();
  await mapLimit([...groups], o.concurrency ?? 8, async ([netns, cs]) => {
    const argv = [PYTHON, '-c', BATCH_CLIENT, String(waitS)];
    const place = inNs(netns);
    const input = JSON.stringify(cs.map((c) => ({ proto: c.protocol, ip: c.to.ip, port: c.to.port })));
    const r = await exec.run(argv, place, { input, timeoutMs: (waitS * 2 + 10) * 1000 });
    const shown = `${commandText(placeArgv([PYTHON, '-c', '<batch-probe.py>', String(waitS)], place))} (${cs.length} targets)`;
    const lines = r.stdout.trim().split('\n');
    cs.forEach((c, i) => {
      let res: BatchResult;
      try {
        res = JSON.parse(lines[i] ?? 'null') as BatchResult;
      } catch {
        res = undefined as unknown as BatchResult;
      }
      if (!res) res = { observed: 'error', detail: r.code !== 0 ? `batch probe exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').pop()}` : 'no result from the batch probe' };
      if (r.code !== 0 && /Cannot open network namespace|No such file or directory/.test(r.stderr)) res = { observed: 'error', detail: `namespace ${netns} does not exist (is the lab up?)` };
      out.set(c, {
        observed: res.observed, detail: res.detail,
        ...(res.sourceIp ? { sourceIp: res.sourceIp } : {}), ...(res.sourcePort !== undefined && res.sourcePort !== null ? { sourcePort: res.sourcePort } : {}),
        ...(res.hostname ? { hostname: res.hostname } : {}),
        evidence: { command: shown, exitCode: r.code, output: `${c.protocol} ${c.to.ip}:${c.to.port} ${JSON.stringify(res)}`, ms: Math.round(r.ms) },
      });
    });
  });
  return out;
}

/** Runs checks in rounds of batched attempts until the judge's retry policy is satisfied for each. */
export async function runBatched(exec: Executor, checks: readonly Check[], whoIs: WhoIs, o: RunOptions = {}): Promise<Verdict[]> {
  const t0 = performance.now();
  const attempts = new Map<Check, Attempt[]>(checks.map((c) => [c, []]));
  for (;;) {
    if (o.aborted?.()) break;
    const todo = checks.filter((c) => wantsMore(c, attempts.get(c)!));
    if (!todo.length) break;
    const round = await attemptAll(exec, todo, o);
    for (const c of todo) attempts.get(c)!.push(round.get(c)!);
  }
  const ms = Math.round(performance.now() - t0);
  return checks.map((c) => {
    const v = judge(c, attempts.get(c)!, whoIs, ms);
    o.onVerdict?.(v);
    return v;
  });
}
