// Reading what tcpdump captured (pure): the classic pcap format, Ethernet frames, the outermost IPv4 header and
// what it carries — enough to tell how many bytes a packet took on the wire and how it was encapsulated.

export interface Frame {
  /** Bytes on the wire (pcap orig_len): the whole Ethernet frame without FCS. */
  readonly wireLen: number;
  /** The captured bytes (at most the snap length). */
  readonly data: Uint8Array;
}

/** Parse a pcap file (microsecond or nanosecond, either byte order). Throws on anything else (pcapng, garbage). */
export function parsePcap(buf: Uint8Array): { linkType: number; frames: Frame[] } {
  if (buf.length < 24) throw new Error(`not a pcap file: ${buf.length} bytes`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, false);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`not a pcap file (magic 0x${magic.toString(16)})`);
  const linkType = dv.getUint32(20, le);
  const frames: Frame[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = dv.getUint32(off + 8, le);
    const orig = dv.getUint32(off + 12, le);
    off += 16;
    if (off + incl > buf.length) break; // a truncated last record (capture stopped mid-write)
    frames.push({ wireLen: orig, data: buf.subarray(off, off + incl) });
    off += incl;
  }
  return { linkType, frames };
}

export function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export interface Ipv4Info {
  /** Total length of the outermost IPv4 packet (what an MTU limits). */
  readonly ipLen: number;
  readonly protocol: number;
  readonly src: string;
  readonly dst: string;
  /** UDP/TCP destination port of the outermost packet, when it has one. */
  readonly dport?: number;
  /** What the outer packet carries, in words: "none" (plain IP), "VXLAN (UDP 8472)", "IP-in-IP", … */
  readonly encapsulation: string;
}

const ETH_IPV4 = 0x0800;
const VLAN = new Set([0x8100, 0x88a8]);
const VXLAN_PORTS = new Set([4789, 8472]);

/** The outermost IPv4 header of an Ethernet frame (VLAN tags skipped), or undefined if it carries no IPv4. */
export function outerIpv4(f: Frame): Ipv4Info | undefined {
  const d = f.data;
  if (d.length < 14 + 20) return undefined;
  let off = 12;
  let type = (d[off]! << 8) | d[off + 1]!;
  while (VLAN.has(type) && off + 6 <= d.length) {
    off += 4;
    type = (d[off]! << 8) | d[off + 1]!;
  }
  if (type !== ETH_IPV4) return undefined;
  const ip = off + 2;
  if ((d[ip]! >> 4) !== 4) return undefined;
  const ihl = (d[ip]! & 0x0f) * 4;
  const ipLen = (d[ip + 2]! << 8) | d[ip + 3]!;
  const protocol = d[ip + 9]!;
  const addr = (o: number) => `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
  const l4 = ip + ihl;
  const dport = (protocol === 6 || protocol === 17) && l4 + 4 <= d.length ? (d[l4 + 2]! << 8) | d[l4 + 3]! : undefined;
  let encapsulation = `IP protocol ${protocol}`;
  if (protocol === 1 || protocol === 6) encapsulation = 'none';
  else if (protocol === 4) encapsulation = 'IP-in-IP';
  else if (protocol === 47) encapsulation = 'GRE';
  else if (protocol === 50) encapsulation = 'ESP';
  else if (protocol === 17) encapsulation = dport !== undefined && VXLAN_PORTS.has(dport) ? `VXLAN (UDP ${dport})` : dport === 6081 ? 'Geneve (UDP 6081)' : dport === 51820 ? 'WireGuard (UDP 51820)' : 'none';
  return { ipLen, protocol, src: addr(ip + 12), dst: addr(ip + 16), dport, encapsulation };
}

/** The first captured frame that carries `marker` anywhere in its bytes (a ping pattern survives encapsulation). */
export function markedFrame(frames: readonly Frame[], marker: Uint8Array): Frame | undefined {
  return frames.find((f) => indexOf(f.data, marker) >= 0);
}

export function hexBytes(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new Error(`not hex: ${hex}`);
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}
