// Encapsulation overhead, measured on the wire: one cross-node pod → pod ping of a known size, captured with
// tcpdump both where it leaves the pod (the pod's eth0) and on the underlay (the sending node's eth0). The
// overhead is the IPv4 length on the underlay minus the IPv4 length the pod sent: VXLAN adds 50 bytes
// (outer Ethernet 14 is replaced by outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14), routed modes add 0.
import { randomBytes } from 'node:crypto';
import { inNs, type Executor } from '../../kernel/exec.js';
import { parsePcap, markedFrame, outerIpv4, hexBytes, type Ipv4Info } from './pcap.js';
import { MeasureError, missingTool, sleep, tail } from './common.js';

export interface OverheadInput {
  /** The sending pod's network namespace and its interface (eth0). */
  readonly from: string;
  readonly fromDev?: string;
  /** A pod IP on another node. */
  readonly to: string;
  /** Where the packet crosses the underlay: the sending node's namespace and its underlay interface. */
  readonly underlay: { readonly netns: string; readonly dev: string };
  /** ICMP payload bytes (default 1000: a 1028-byte IPv4 packet, below every pod MTU). */
  readonly payload?: number;
  readonly timeoutMs?: number;
}

export interface OverheadResult {
  /** IPv4 length of the packet the pod sent, as captured on its eth0. */
  readonly sentBytes: number;
  /** IPv4 length of the outermost packet on the underlay. */
  readonly wireBytes: number;
  readonly overheadBytes: number;
  /** The same as whole Ethernet frames (pcap orig_len). */
  readonly sentFrameBytes: number;
  readonly wireFrameBytes: number;
  /** "none", "VXLAN (UDP 8472)", … from the outer header. */
  readonly encapsulation: string;
  /** Outer source → destination on the underlay (VXLAN: node IPs; routed: pod IPs). */
  readonly wireFlow: string;
  readonly pings: number;
}

/** tcpdump that prints the pcap as base64 on stdout, so it works through any Executor; bounded by `timeout`. */
export function captureArgv(dev: string, minLen: number, count: number, seconds: number): string[] {
  return ['sh', '-c', `command -v tcpdump >/dev/null || exit 127; timeout ${seconds} tcpdump -i ${dev} -U -n -s 512 -c ${count} -w - 'greater ${minLen}' 2>/dev/null | base64 -w0`];
}

function decode(stdout: string, where: string, marker: Uint8Array): { frame: { wireLen: number }; ip: Ipv4Info } {
  const buf = Buffer.from(stdout.trim(), 'base64');
  if (!buf.length) throw new MeasureError('overhead', `tcpdump captured nothing on ${where}`);
  const { frames } = parsePcap(buf);
  const f = markedFrame(frames, marker);
  if (!f) throw new MeasureError('overhead', `none of the ${frames.length} frame(s) captured on ${where} carried the probe`);
  const ip = outerIpv4(f);
  if (!ip) throw new MeasureError('overhead', `the probe frame on ${where} carries no IPv4 header`);
  return { frame: f, ip };
}

export async function measureOverhead(exec: Executor, i: OverheadInput): Promise<OverheadResult> {
  const payload = i.payload ?? 1000;
  const timeoutMs = i.timeoutMs ?? 6000;
  const secs = Math.ceil(timeoutMs / 1000);
  const markerHex = 'c0de' + randomBytes(6).toString('hex');
  const marker = hexBytes(markerHex);
  const fromDev = i.fromDev ?? 'eth0';
  const cap = (netns: string, dev: string) => exec.run(captureArgv(dev, payload, 2, secs), inNs(netns, exec.host), { timeoutMs: timeoutMs + 3000 });
  let done = false;
  const both = Promise.all([cap(i.from, fromDev), cap(i.underlay.netns, i.underlay.dev)]).finally(() => { done = true; });
  // tcpdump says nothing when it is ready, so ping (DF, marked) until both captures have their two frames.
  const t0 = Date.now();
  let pings = 0;
  await sleep(150);
  while (!done && Date.now() - t0 < timeoutMs) {
    const r = await exec.run(['ping', '-n', '-c', '1', '-W', '1', '-M', 'do', '-s', String(payload), '-p', markerHex, i.to], inNs(i.from, exec.host), { timeoutMs: 3000 });
    pings++;
    if (r.code !== 0 && pings === 1) {
      const why = missingTool(r, 'ping', 'iputils-ping');
      if (why) throw new MeasureError('overhead', why);
    }
    if (!done) await sleep(150);
  }
  const [pod, wire] = await both;
  for (const r of [pod, wire]) {
    const why = missingTool(r, 'tcpdump');
    if (why) throw new MeasureError('overhead', why);
    if (!r.stdout.trim()) throw new MeasureError('overhead', `capture failed in ${r.place.netns} (${tail(r)})`);
  }
  const sent = decode(pod.stdout, `${i.from} ${fromDev}`, marker);
  const onWire = decode(wire.stdout, `${i.underlay.netns} ${i.underlay.dev}`, marker);
  return {
    sentBytes: sent.ip.ipLen, wireBytes: onWire.ip.ipLen, overheadBytes: onWire.ip.ipLen - sent.ip.ipLen,
    sentFrameBytes: sent.frame.wireLen, wireFrameBytes: onWire.frame.wireLen,
    encapsulation: onWire.ip.encapsulation, wireFlow: `${onWire.ip.src} → ${onWire.ip.dst}`, pings,
  };
}
