// `podlab trace` from the integration tests: its JSON, what a trace may leave behind, the rule walks of a result.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { podlab, netnsOf, inNetns } from './lab.js';
import type { TraceResult } from '../../src/expect/trace.js';

/** `podlab trace -c NAME ARGS --json`: exit code, parsed result ({} when stdout is not JSON) and the output's tail. */
export async function traceJson(name: string, args: string[]): Promise<{ code: number; r: TraceResult; raw: string }> {
  const p = await podlab(['trace', '-c', name, ...args, '--json']);
  let r = {} as TraceResult;
  try {
    r = JSON.parse(String(p.stdout)) as TraceResult;
  } catch {
    /* the caller asserts on code and raw */
  }
  return { code: p.exitCode ?? -1, r, raw: `${p.stdout}\n${p.stderr}`.slice(-4000) };
}

/** Trace tables and capture processes of ours still in the lab's namespaces, and trace work folders. */
export async function traceLeftovers(name: string): Promise<string[]> {
  const out: string[] = [];
  for (const ns of netnsOf(name)) {
    const tables = await inNetns(ns, ['nft', 'list', 'tables']);
    out.push(...tables.out.split('\n').filter((l) => l.includes('podlab-trace')).map((l) => `${ns}: ${l}`));
    const pids = (await execa('ip', ['netns', 'pids', ns], { reject: false })).stdout.split('\n').filter(Boolean);
    for (const pid of pids) {
      const cmd = (await execa('cat', [`/proc/${pid}/cmdline`], { reject: false })).stdout.replace(/\0/g, ' ');
      if (/tcpdump|nft monitor/.test(cmd)) out.push(`${ns}: pid ${pid} ${cmd}`);
    }
  }
  out.push(...readdirSync(tmpdir()).filter((f) => f.startsWith(`podlab-trace-${name}-`)).map((f) => `work folder: ${f}`));
  return out;
}

/** Every rule walk of a trace, with the hop it was seen at. */
export const walks = (r: TraceResult) => (r.hops ?? []).flatMap((h) => h.rules.flatMap((p) => p.walks.map((w) => ({ hop: h.label, ...w }))));
