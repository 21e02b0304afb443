// Pure hashing helpers shared by the planners (names, MACs, kube-proxy chain names).
import { createHash } from 'node:crypto';

export function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function sha1Hex(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

export function shortHash(s: string, len = 8): string {
  return sha256(s).toString('hex').slice(0, len);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 standard base32 (with no padding), as Go's base32.StdEncoding before padding. */
export function base32(buf: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** A locally administered unicast MAC derived from a string (stable across runs). */
export function macFor(seed: string): string {
  const h = sha256('mac:' + seed);
  const b = [...h.subarray(0, 6)];
  b[0] = (b[0]! & 0xfe) | 0x02;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}
