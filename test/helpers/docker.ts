// Docker engine for tests: the one DOCKER_HOST (or /var/run/docker.sock) names if it answers, else one started
// here with scripts/dockerd.sh (podlab's flags, its own data root) and stopped, by its pid, when the test ends.
import { mkdtempSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { ROOT } from './paths.js';
import { connectEngine, type Engine } from '../../src/workload/docker/index.js';

export const DOCKERD_SH = join(ROOT, 'scripts', 'dockerd.sh');

export interface StartedEngine {
  readonly dir: string;
  readonly host: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Start a private engine in a fresh directory under /tmp (short: socket paths are limited to 107 bytes). */
export async function startEngine(): Promise<StartedEngine> {
  const dir = mkdtempSync('/tmp/pl-dockerd-');
  const r = await execa(DOCKERD_SH, ['start', dir], { reject: false, timeout: 60_000 });
  if (r.exitCode !== 0) throw new Error(`could not start dockerd: ${r.stderr}`);
  const host = /DOCKER_HOST=(\S+)/.exec(String(r.stdout))![1]!;
  const pid = Number(readFileSync(join(dir, 'dockerd.pid'), 'utf8').trim());
  return { dir, host, pid, stop: async () => { await execa(DOCKERD_SH, ['stop', dir], { timeout: 60_000 }); } };
}

/** An engine for the test: an existing one that answers, or a private one (stopped by `release`). */
export async function testEngine(): Promise<{ engine: Engine; started?: StartedEngine; release(): Promise<void> }> {
  try {
    const engine = await connectEngine({ timeoutMs: 2000 });
    return { engine, release: async () => {} };
  } catch {
    const started = await startEngine();
    const engine = await connectEngine({ host: started.host });
    return { engine, started, release: () => started.stop() };
  }
}

/** sysctl keys that change on their own (counters, random, pids). */
const VOLATILE = /^(fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr|quota\.)|kernel\.(ns_last_pid|random\.|pty\.nr)|net\.netfilter\.nf_conntrack_count)/;

/**
 * What an engine could change on the host: every ruleset (iptables and ip6tables, legacy and nft, nft itself),
 * every sysctl (ip_forward, bridge-nf-call-*, …), the root namespace's links, routes and rules.
 */
export async function hostSnapshot(): Promise<Record<string, string>> {
  const run = async (argv: string[]) => String((await execa(argv[0]!, argv.slice(1), { reject: false })).stdout);
  const rules = (s: string) => s.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n');
  const [iptLegacy, iptNft, ip6Legacy, ip6Nft, nft, sysctl, links, routes, ipRules] = await Promise.all([
    run(['iptables-legacy-save']).then(rules), run(['iptables-nft-save']).then(rules),
    run(['ip6tables-legacy-save']).then(rules), run(['ip6tables-nft-save']).then(rules),
    run(['nft', 'list', 'ruleset']),
    run(['sysctl', '-a']).then((s) => s.split('\n').filter((l) => !VOLATILE.test(l)).join('\n')),
    run(['ip', '-o', 'link', 'show']).then((s) => s.split('\n').map((l) => l.split(':')[1]?.trim()).sort().join(',')),
    run(['ip', 'route', 'show', 'table', 'all']), run(['ip', 'rule', 'show']),
  ]);
  return { iptLegacy: iptLegacy!, iptNft: iptNft!, ip6Legacy: ip6Legacy!, ip6Nft: ip6Nft!, nft: nft!, sysctl: sysctl!, links: links!, routes: routes!, ipRules: ipRules! };
}
