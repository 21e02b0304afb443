// Field validators shared by the kinds (pure): each reports through the document's context and returns the value
// when it is valid, undefined otherwise, so a parser can go on and find every problem in one pass.
import type { DocCtx, Path } from './doc.js';
import { isObj } from './doc.js';
import type { Protocol } from './types.js';

export { isObj };

export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Why a DNS name (RFC 1123 subdomain) is not valid: a label longer than 63 characters or a name longer than 253. */
export function dnsNameProblem(name: string): string | undefined {
  if (name.length > 253) return `"${name}" is longer than 253 characters`;
  const long = name.split('.').find((l) => l.length > 63);
  return long ? `label "${long}" of "${name}" is longer than 63 characters` : undefined;
}

/** IANA_SVC_NAME (a port name): lower-case, at most 15 characters. */
export const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const LABEL_KEY = /^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function checkKeys(ctx: DocCtx, obj: Record<string, unknown>, path: Path, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) ctx.err([...path, k], `unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  }
}

export function str(ctx: DocCtx, v: unknown, path: Path, opts: { required?: boolean; re?: RegExp; what?: string; max?: number } = {}): string | undefined {
  if (v === undefined || v === null) {
    if (opts.required) ctx.err(path, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    ctx.err(path, `must be a string, got ${JSON.stringify(v)}`);
    return undefined;
  }
  if (opts.max !== undefined && v.length > opts.max) {
    ctx.err(path, `"${v}" is longer than ${opts.max} characters`);
    return undefined;
  }
  if (opts.re && !opts.re.test(v)) {
    ctx.err(path, `"${v}" is not ${opts.what ?? `valid (${opts.re.source})`}`);
    return undefined;
  }
  return v;
}

export function int(ctx: DocCtx, v: unknown, path: Path, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    ctx.err(path, `must be an integer, got ${JSON.stringify(v)}`);
    return undefined;
  }
  if (v < min || v > max) {
    ctx.err(path, `${v} is out of range ${min}-${max}`);
    return undefined;
  }
  return v;
}

export function bool(ctx: DocCtx, v: unknown, path: Path): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    ctx.err(path, 'must be true or false');
    return undefined;
  }
  return v;
}

export function labels(ctx: DocCtx, v: unknown, path: Path): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) {
    ctx.err(path, 'must be a map of string to string');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!LABEL_KEY.test(k)) ctx.err([...path, k], `"${k}" is not a valid label key`);
    if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else ctx.err([...path, k], 'label values must be strings');
  }
  return out;
}

/** A list field: reports a non-list with `what` (e.g. "a list of node names") and returns its items. */
export function list(ctx: DocCtx, v: unknown, path: Path, what: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    ctx.err(path, `must be ${what}`);
    return undefined;
  }
  return v;
}
