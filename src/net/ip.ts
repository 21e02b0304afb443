// Pure IPv4 helpers on top of ip-num. Addresses are handled as numbers internally, strings at the edges.
import { IPv4, IPv4CidrRange, Validator } from 'ip-num';

export interface Cidr {
  readonly text: string; // canonical "a.b.c.d/n"
  readonly base: number; // network address as uint32
  readonly prefix: number;
  readonly size: number;
}

export function isIPv4(s: string): boolean {
  return typeof s === 'string' && Validator.isValidIPv4String(s)[0] && /^\d+\.\d+\.\d+\.\d+$/.test(s);
}

export function ipToNum(s: string): number {
  return Number(IPv4.fromDecimalDottedString(s).getValue());
}

export function numToIp(n: number): string {
  return IPv4.fromNumber(BigInt(n >>> 0)).toString();
}

/** Parses "a.b.c.d/n"; returns an error string when it is not an aligned IPv4 CIDR. */
export function parseCidr(s: unknown): Cidr | string {
  if (typeof s !== 'string' || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s)) return `"${String(s)}" is not an IPv4 CIDR like 10.244.0.0/16`;
  const [ip, p] = s.split('/') as [string, string];
  if (!isIPv4(ip)) return `"${s}" has an invalid address`;
  const prefix = Number(p);
  if (prefix < 0 || prefix > 32) return `"${s}" has an invalid prefix length`;
  const [ok] = Validator.isValidIPv4CidrRange(s);
  if (!ok) {
    const r = IPv4CidrRange.fromCidr(`${ip}/${prefix}`);
    return `"${s}" is not aligned to its prefix (did you mean ${r.getFirst().toString()}/${prefix}?)`;
  }
  return cidr(ipToNum(ip), prefix);
}

export function mustCidr(s: string): Cidr {
  const c = parseCidr(s);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

export function cidr(base: number, prefix: number): Cidr {
  const size = 2 ** (32 - prefix);
  const b = prefix === 0 ? 0 : Math.floor((base >>> 0) / size) * size;
  return { text: `${numToIp(b)}/${prefix}`, base: b, prefix, size };
}

export function contains(c: Cidr, ip: string | number): boolean {
  const n = typeof ip === 'string' ? ipToNum(ip) : ip;
  return n >= c.base && n < c.base + c.size;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** The n-th address of a CIDR (0 = network address). */
export function nth(c: Cidr, n: number): string {
  if (n < 0 || n >= c.size) throw new Error(`address #${n} is outside ${c.text}`);
  return numToIp(c.base + n);
}

/** The i-th subnet of the given prefix length inside c. */
export function subnet(c: Cidr, prefix: number, i: number): Cidr {
  const size = 2 ** (32 - prefix);
  return cidr(c.base + i * size, prefix);
}

export function subnetCount(c: Cidr, prefix: number): number {
  return prefix < c.prefix ? 0 : 2 ** (prefix - c.prefix);
}

/** Index of ip inside c. */
export function offset(c: Cidr, ip: string): number {
  return ipToNum(ip) - c.base;
}

/** An address range: "a.b.c.d-e.f.g.h" or a CIDR (MetalLB IPAddressPool `addresses`), as numbers. */
export interface IpRange {
  readonly text: string;
  readonly first: number;
  readonly last: number;
}

/** Parses a range or a CIDR; returns an error string when it is neither. */
export function parseRange(s: unknown): IpRange | string {
  if (typeof s !== 'string') return `${JSON.stringify(s)} is not an address range like 172.18.0.200-172.18.0.250 or a CIDR`;
  const m = /^(\d+\.\d+\.\d+\.\d+)\s*-\s*(\d+\.\d+\.\d+\.\d+)$/.exec(s.trim());
  if (m) {
    if (!isIPv4(m[1]!) || !isIPv4(m[2]!)) return `"${s}" has an invalid address`;
    const first = ipToNum(m[1]!);
    const last = ipToNum(m[2]!);
    if (first > last) return `"${s}" ends before it starts`;
    return { text: `${m[1]}-${m[2]}`, first, last };
  }
  const c = parseCidr(s.trim());
  if (typeof c === 'string') return `"${s}" is not an address range like 172.18.0.200-172.18.0.250 or a CIDR`;
  return { text: c.text, first: c.base, last: c.base + c.size - 1 };
}

export function rangeOverlapsCidr(r: IpRange, c: Cidr): boolean {
  return r.first < c.base + c.size && c.base <= r.last;
}

export function rangeInsideCidr(r: IpRange, c: Cidr): boolean {
  return r.first >= c.base && r.last < c.base + c.size;
}
