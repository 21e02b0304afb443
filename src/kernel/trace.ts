// `podlab trace`'s kernel evidence (effectful): for the length of one probe, in every namespace the probe may
// cross, a netfilter trace table of our own (`meta nftrace set 1` on the flow, read with `nft monitor trace`) and a
// bounded capture (`tcpdump -i any -c N`, the flow's BPF filter, under `timeout`); then the captures read back in
// their namespace (device names), the route decisions (`ip -j route get`), the conntrack entries and, with a pcap
// folder, one pcap per device (`tcpdump -r … ifindex N`). Everything started is stopped and everything added is
// removed in `stop()`, which the caller runs in `finally` (errors and Ctrl-C included).
import { inNs, sleep, stopPids, type Executor } from './exec.js';
import { captureFilter, parseConntrack, parseNftTrace, parseTcpdump, traceTableText, type ConntrackEntry, type FlowMatch, type RouteDecision, type SeenPacket, type TraceEvent } from '../expect/trace.js';

/** Upper bound of a capture: packets, and seconds (the `timeout` around every process we start). */
export const CAPTURE_PACKETS = 200;
export const CAPTURE_SECONDS = 30;

export interface TraceRun {
  readonly table: string;
  /** Namespaces where the trace table went in (and must come out). */
  readonly tables: readonly string[];
  /** Why rule evidence is missing, when the trace table could not go in anywhere. */
  readonly ruleProblem?: string;
  readonly pids: readonly number[];
  stop(): Promise<{ tablesLeft: number; processesLeft: number }>;
}

const file = (dir: string, netns: string, what: string) => `${dir}/${netns}.${what}`;

/** Start the trace tables, monitors and captures in these namespaces (in parallel); ready when every capture listens. */
export async function startTrace(exec: Executor, namespaces: readonly string[], flow: FlowMatch, dir: string, table: string, aborted?: () => boolean): Promise<TraceRun> {
  await exec.files.mkdir(dir, 0o700);
  const tables: string[] = [];
  const pids: number[] = [];
  const problems: string[] = [];
  const text = traceTableText(table, flow);
  const filter = captureFilter(flow);
  const run: TraceRun = {
    table, tables, pids,
    get ruleProblem() {
      return tables.length === 0 && problems.length ? problems[0] : undefined;
    },
    async stop() {
      await stopPids(exec, pids, 1500);
      const gone = await Promise.all(tables.map(async (ns) => {
        const r = await exec.run(['nft', 'delete', 'table', 'ip', table], inNs(ns, exec.host), { timeoutMs: 10_000 });
        return r.code === 0 || /No such file|does not exist/.test(r.stderr);
      }));
      const tablesLeft = gone.filter((x) => !x).length;
      return { tablesLeft, processesLeft: pids.filter((p) => exec.alive(p)).length };
    },
  } as TraceRun;
  try {
    await Promise.all(namespaces.map(async (ns) => {
      const r = await exec.run(['nft', '-f', '-'], inNs(ns, exec.host), { input: text, timeoutMs: 10_000 });
      if (r.code === 0) tables.push(ns);
      else problems.push(`nft could not add the trace table in ${ns}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
      if (r.code === 0) {
        const mon = await exec.spawn(['timeout', String(CAPTURE_SECONDS), 'nft', 'monitor', 'trace'], inNs(ns, exec.host), { log: file(dir, ns, 'nft.txt') });
        pids.push(mon.pid);
      }
      const cap = await exec.spawn(['timeout', String(CAPTURE_SECONDS), 'tcpdump', '-Z', 'root', '-i', 'any', '--immediate-mode', '-n', '-U', '-s', '256', '-c', String(CAPTURE_PACKETS), '-w', file(dir, ns, 'pcap'), filter],
        inNs(ns, exec.host), { log: file(dir, ns, 'tcpdump.log') });
      pids.push(cap.pid);
    }));
    // Ready: every capture says it listens (tcpdump prints it once its socket is bound); the monitors need a moment.
    const deadline = Date.now() + 5000;
    let waiting = [...namespaces];
    while (waiting.length && Date.now() < deadline && !aborted?.()) {
      const logs = await Promise.all(waiting.map((ns) => exec.files.read(file(dir, ns, 'tcpdump.log'))));
      waiting = waiting.filter((_, i) => !/listening on/.test(logs[i] ?? ''));
      if (waiting.length) await sleep(30);
    }
    if (waiting.length && !aborted?.()) throw new Error(`tcpdump did not start listening in ${waiting.join(', ')} within 5 s`);
    await sleep(150);
    return run;
  } catch (e) {
    await run.stop();
    throw e;
  }
}

export interface NsEvidence {
  readonly netns: string;
  readonly events: readonly TraceEvent[];
  readonly packets: readonly SeenPacket[];
  readonly conntrack: readonly ConntrackEntry[];
  readonly ifindex: ReadonlyMap<string, number>;
}

/** After the probe (and `stop()`): the trace events, the packets and the conntrack entries of each namespace. */
export async function readEvidence(exec: Executor, namespaces: readonly string[], flow: FlowMatch, dir: string, o: { links?: boolean } = {}): Promise<NsEvidence[]> {
  return Promise.all(namespaces.map(async (ns) => {
    const place = inNs(ns, exec.host);
    // The interface indexes are only needed to cut one pcap per device (--pcap).
    const [nft, dump, ct, links] = await Promise.all([
      exec.files.read(file(dir, ns, 'nft.txt')),
      exec.run(['tcpdump', '-n', '-tt', '-r', file(dir, ns, 'pcap')], place, { timeoutMs: 10_000 }),
      exec.run(['conntrack', '-L', '-p', flow.protocol], place, { timeoutMs: 10_000 }),
      o.links === false ? Promise.resolve({ stdout: '[]' }) : exec.run(['ip', '-j', 'link', 'show'], place, { timeoutMs: 10_000 }),
    ]);
    const ifindex = new Map<string, number>();
    try {
      for (const l of JSON.parse(links.stdout || '[]') as { ifname: string; ifindex: number }[]) ifindex.set(l.ifname, l.ifindex);
    } catch {
      /* no links: the namespace went away */
    }
    return { netns: ns, events: parseNftTrace(nft ?? ''), packets: parseTcpdump(dump.stdout), conntrack: ct.code === 0 ? parseConntrack(ct.stdout) : [], ifindex };
  }));
}

/** `ip -j route get` in a namespace: how it routes `dst` (from `src` arriving on `iif`, when forwarded). */
export async function routeGet(exec: Executor, netns: string, dst: string, o: { src?: string; iif?: string } = {}): Promise<RouteDecision> {
  const argv = ['ip', '-j', 'route', 'get', dst, ...(o.src && o.iif ? ['from', o.src, 'iif', o.iif] : [])];
  const query = argv.slice(2).join(' ');
  const r = await exec.run(argv, inNs(netns, exec.host), { timeoutMs: 10_000 });
  if (r.code !== 0) return { query, route: '', error: (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.code}` };
  try {
    const [x] = JSON.parse(r.stdout) as { type?: string; dst: string; via?: string; gateway?: string; dev?: string; prefsrc?: string; flags?: string[] }[];
    if (!x) return { query, route: '', error: 'no answer' };
    const via = x.gateway ?? x.via;
    const words = [x.type && x.type !== 'unicast' ? x.type : '', via ? `via ${via}` : '', x.dev ? `dev ${x.dev}` : '', x.prefsrc ? `src ${x.prefsrc}` : '', ...(x.flags ?? [])].filter(Boolean);
    return { query, route: words.join(' '), ...(x.dev ? { dev: x.dev } : {}), ...(via ? { via } : {}), ...(x.prefsrc ? { src: x.prefsrc } : {}) };
  } catch {
    return { query, route: r.stdout.trim() };
  }
}

/** One pcap per device the probe crossed, cut from the namespace's `-i any` capture by interface index. */
export async function writePcaps(exec: Executor, ev: NsEvidence, devices: readonly string[], dir: string, out: string): Promise<string[]> {
  await exec.files.mkdir(out);
  const written: string[] = [];
  for (const dev of devices) {
    const idx = ev.ifindex.get(dev);
    if (idx === undefined) continue;
    const path = `${out}/${ev.netns}_${dev.replace(/[^\w.-]/g, '_')}.pcap`;
    const r = await exec.run(['tcpdump', '-Z', 'root', '-r', file(dir, ev.netns, 'pcap'), '-w', path, 'ifindex', String(idx)], inNs(ev.netns, exec.host), { timeoutMs: 10_000 });
    if (r.code === 0) written.push(path);
  }
  return written;
}
