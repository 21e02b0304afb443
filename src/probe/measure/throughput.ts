// TCP throughput with iperf3 for a bounded time, and the CPU it cost: iperf3 reports the user + system time
// (getrusage) of its sender and receiver, which includes the network stack work the kernel does in their
// context (netfilter, routing, encapsulation on a veth path).
import { inNs, type Executor } from '../../kernel/exec.js';
import { MeasureError, missingTool, sleep, tail } from './common.js';

export interface IperfResult {
  readonly bitsPerSecond: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly retransmits: number;
  /** CPU use of the sending and the receiving iperf3, in % of one core over the test. */
  readonly cpu: { readonly senderPct: number; readonly receiverPct: number };
  /** (sender + receiver CPU seconds) per GB received. */
  readonly cpuSecondsPerGB: number;
}

interface IperfJson {
  error?: string;
  end?: {
    sum_received?: { bytes: number; seconds: number; bits_per_second: number };
    sum_sent?: { retransmits?: number };
    cpu_utilization_percent?: { host_total: number; remote_total: number };
  };
}

/** The figures of `iperf3 -c … -J`. */
export function parseIperf(json: string): IperfResult {
  let d: IperfJson;
  try {
    d = JSON.parse(json) as IperfJson;
  } catch {
    throw new MeasureError('throughput', `iperf3 printed no JSON: ${json.slice(0, 200)}`);
  }
  if (d.error) throw new MeasureError('throughput', `iperf3: ${d.error}`);
  const rx = d.end?.sum_received;
  const cpu = d.end?.cpu_utilization_percent;
  if (!rx || !cpu || !rx.seconds) throw new MeasureError('throughput', 'iperf3 JSON without end.sum_received / cpu_utilization_percent');
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const cpuSeconds = ((cpu.host_total + cpu.remote_total) / 100) * rx.seconds;
  return {
    bitsPerSecond: Math.round(rx.bits_per_second), bytes: rx.bytes, seconds: r2(rx.seconds), retransmits: d.end?.sum_sent?.retransmits ?? 0,
    cpu: { senderPct: r2(cpu.host_total), receiverPct: r2(cpu.remote_total) },
    cpuSecondsPerGB: rx.bytes ? Math.round((cpuSeconds / (rx.bytes / 1e9)) * 1000) / 1000 : 0,
  };
}

export interface IperfInput {
  readonly server: { readonly netns: string; readonly ip: string };
  readonly client: string;
  readonly seconds?: number;
  readonly port?: number;
}

/** One iperf3 run: a one-off server (bounded by `timeout`), then the client, retried until the server listens. */
export async function iperf(exec: Executor, i: IperfInput): Promise<IperfResult> {
  const seconds = i.seconds ?? 2;
  const port = String(i.port ?? 45201);
  const bound = String(Math.ceil(seconds) + 10);
  const server = exec.run(['timeout', bound, 'iperf3', '-s', '-1', '-p', port], inNs(i.server.netns, exec.host), { timeoutMs: (Number(bound) + 5) * 1000 });
  let last: Awaited<ReturnType<Executor['run']>> | undefined;
  let failure: unknown;
  try {
    for (let attempt = 0; attempt < 40; attempt++) {
      await sleep(attempt ? 100 : 50);
      last = await exec.run(['iperf3', '-c', i.server.ip, '-p', port, '-t', String(seconds), '-J', '--connect-timeout', '1000'], inNs(i.client, exec.host), { timeoutMs: (seconds + 15) * 1000 });
      const why = missingTool(last, 'iperf3');
      if (why) throw new MeasureError('throughput', why);
      if (last.code === 0 || !/unable to connect|Connection refused/i.test(last.stdout + last.stderr)) break;
    }
  } catch (e) {
    failure = e;
  }
  // The one-off server exits after its test (or at its timeout): never leave it behind.
  const s = await server;
  if (failure) throw failure;
  if (!last) throw new MeasureError('throughput', `iperf3 server in ${i.server.netns}: ${tail(s)}`);
  if (last.code !== 0) throw new MeasureError('throughput', `iperf3 ${i.client} → ${i.server.ip}: ${tail(last)}`);
  return parseIperf(last.stdout);
}
