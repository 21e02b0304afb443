// The pod MTU as the kernel has it, and the largest packet that crosses pod → pod with DF set: a binary search
// with `ping -M do` run as one shell loop inside the pod (one process, not one per probe).
import { inNs, type Executor } from '../../kernel/exec.js';
import { MeasureError, tail } from './common.js';

export async function linkMtu(exec: Executor, netns: string, dev = 'eth0'): Promise<number> {
  const r = await exec.run(['ip', '-j', 'link', 'show', 'dev', dev], inNs(netns, exec.host), { timeoutMs: 5000 });
  const mtu = r.code === 0 ? (JSON.parse(r.stdout || '[]') as { mtu?: number }[])[0]?.mtu : undefined;
  if (!mtu) throw new MeasureError('pod MTU', `cannot read ${dev} in ${netns} (${tail(r)})`);
  return mtu;
}

/** ICMP + IPv4 headers: a ping payload of N bytes is an IPv4 packet of N + 28. */
export const PING_HEADERS = 28;

/**
 * The search: largest payload in [0, max] that gets an echo reply with DF set, trying `max` first (it passes when
 * the path MTU is at least the pod MTU). Prints "<payload> <probes>" or "none". A probe the path drops costs 0.5 s.
 */
export const DF_SEARCH = `
to=$1; hi=$2; lo=0; n=1
p() { ping -n -q -c 1 -W 0.5 -M do -s "$1" "$to" >/dev/null 2>&1; }
if p "$hi"; then echo "$hi 1"; exit 0; fi
n=2; p 0 || { echo none; exit 0; }
hi=$((hi - 1))
while [ "$lo" -lt "$hi" ]; do
  mid=$(( (lo + hi + 1) / 2 )); n=$((n + 1))
  if p "$mid"; then lo=$mid; else hi=$((mid - 1)); fi
done
echo "$lo $n"
`;

export interface DfResult {
  /** The largest IPv4 packet (payload + 28) that got through with DF set. */
  readonly largestPacket: number;
  readonly probes: number;
}

/** Search up to `maxPacket` (default: the sender's own MTU, since DF forbids anything larger leaving it). */
export async function largestDfPacket(exec: Executor, i: { from: string; to: string; maxPacket?: number }): Promise<DfResult> {
  const maxPayload = (i.maxPacket ?? (await linkMtu(exec, i.from))) - PING_HEADERS;
  const r = await exec.run(['sh', '-s', '--', i.to, String(maxPayload)], inNs(i.from, exec.host), { input: DF_SEARCH, timeoutMs: 40_000 });
  const m = /^(\d+) (\d+)$/.exec(r.stdout.trim());
  if (r.stdout.trim() === 'none') throw new MeasureError('largest DF packet', `${i.to} does not answer a DF ping from ${i.from} at all`);
  if (r.code !== 0 || !m) throw new MeasureError('largest DF packet', tail(r));
  return { largestPacket: Number(m[1]) + PING_HEADERS, probes: Number(m[2]) };
}
