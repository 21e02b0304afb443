// A recording fake Executor: an in-memory host — named network namespaces with links, addresses, routes, neighbours,
// fdb entries, ip rules, sysctls and rule sets; processes; files — that understands exactly the commands podlab
// runs (the iproute2 batch grammar of kernel/ops.ts, `ip -j` read-back, bridge, iptables-restore/-save, nft, the
// sysctl helper, namespace add/del) and records every one. It lets "re-up of an unchanged lab makes 0 changes",
// "an edit converges" and "a killed up is removable" be unit-tested without root. Initial state can be given as a
// recorded snapshot (snapshot()/restore()), and the test can cause drift by editing it (`ns()`).
// It is a model, not a kernel: it checks the grammar and existence rules podlab relies on (a link is made once, a
// veth's peer lives in another namespace and goes with it), nothing more.
import { normalize } from 'node:path';
import { placeArgv, type Executor, type HostFiles, type Place, type RunOpts, type RunResult, type SpawnOpts } from './exec.js';
import { OBSERVE_BATCH } from './observe.js';

export interface FakeLink {
  name: string;
  kind: string;
  mtu: number;
  mac: string;
  up: boolean;
  master?: string;
  hairpin?: boolean;
  vxlan?: { id: number; port: number; local: string; learning: boolean };
  /** veth: where the other end is. */
  peer?: { netns: string; name: string };
  /** ifalias (podlab's ownership mark on lo). */
  alias?: string;
}

export interface FakeNs {
  id: number;
  links: Map<string, FakeLink>;
  addrs: { dev: string; cidr: string }[];
  routes: { dst: string; via?: string; dev: string; onlink?: boolean; scope?: string; proto?: string; table?: string }[];
  neighs: { ip: string; mac: string; dev: string }[];
  fdb: { mac: string; dev: string; dst: string }[];
  rules: { priority: number; from?: string; to?: string; fwmark?: string; table: string }[];
  sysctls: Map<string, string>;
  /** "iptables" → the restore text; "nftables <family> <name>" → the nft -f text. */
  rulesets: Map<string, string>;
  /** IP sets: name → type and members (`ipset restore` / `save` / `list -n`). */
  ipsets?: Record<string, { type: string; members: string[] }>;
}

export interface FakeProcess {
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
  netns?: string;
  alive: boolean;
  signals: string[];
}

const ok = (stdout = ''): Omit<RunResult, 'argv' | 'place' | 'ms'> => ({ code: 0, stdout, stderr: '', timedOut: false });
const fail = (stderr: string, code = 1): Omit<RunResult, 'argv' | 'place' | 'ms'> => ({ code, stdout: '', stderr, timedOut: false });

class BatchError extends Error {}

export class FakeExecutor implements Executor {
  readonly host: string;
  spawned = 0;
  /** Every command run, as it would run on the host (`nsenter --net=… -- ip -batch -`), with its stdin's first line. */
  readonly log: string[] = [];
  readonly netns = new Map<string, FakeNs>();
  readonly procs = new Map<number, FakeProcess>();
  readonly fileMap = new Map<string, string>();
  private nextId = 4026531840;
  private nextPid = 40000;
  private macSeq = 1;
  /** Whether the host has SCTP (for the preflight probe). */
  sctp = false;

  constructor(host = 'fake') {
    this.host = host;
  }

  /** A namespace of the fake host (throws when absent), to look at or to cause drift. */
  ns(name: string): FakeNs {
    const n = this.netns.get(name);
    if (!n) throw new Error(`fake host has no namespace ${name}`);
    return n;
  }

  /** Commands recorded since `from` (an index into log). */
  since(from: number): string[] {
    return this.log.slice(from);
  }

  // --- Executor ------------------------------------------------------------------------------------------------

  async run(argv: readonly string[], place: Place = { host: this.host }, opts: RunOpts = {}): Promise<RunResult> {
    if (place.host !== this.host) throw new Error(`fake: a command for host "${place.host}" given to host "${this.host}"`);
    this.spawned++;
    this.log.push(placeArgv(argv, place).join(' ') + (opts.input ? ` <<< ${opts.input.split('\n')[0]}` : ''));
    const r = this.dispatch(argv, place.netns, opts.input ?? '');
    const res: RunResult = { argv: placeArgv(argv, place), place, ms: 0, ...r };
    if (opts.check && res.code !== 0) throw new Error(`${argv.join(' ')} failed: ${res.stderr}`);
    return res;
  }

  async spawn(argv: readonly string[], place: Place, opts: SpawnOpts): Promise<{ pid: number }> {
    if (place.host !== this.host) throw new Error(`fake: a process for host "${place.host}" given to host "${this.host}"`);
    this.spawned++;
    if (place.netns && !this.netns.has(place.netns)) throw new Error(`Cannot open network namespace "${place.netns}": No such file or directory`);
    const pid = this.nextPid++;
    this.procs.set(pid, { argv, env: opts.env, netns: place.netns, alive: true, signals: [] });
    this.log.push(`spawn ${pid}: ${placeArgv(argv, place).join(' ')}`);
    await this.files.append(opts.log, '');
    this.emulateStart(pid);
    return { pid };
  }

  signal(pid: number, sig: NodeJS.Signals): boolean {
    const p = this.procs.get(pid);
    if (!p || !p.alive) return false;
    p.signals.push(sig);
    if (sig === 'SIGHUP') this.emulateStart(pid);
    else if (sig !== 'SIGCONT') p.alive = false;
    return true;
  }

  alive(pid: number, netns?: string): boolean {
    const p = this.procs.get(pid);
    return !!p && p.alive && (netns === undefined || (p.netns === netns && this.netns.has(netns)));
  }

  pidsIn(netns: readonly string[]): Map<number, string> {
    const want = new Set(netns);
    const out = new Map<number, string>();
    for (const [pid, p] of this.procs) if (p.alive && p.netns && want.has(p.netns) && this.netns.has(p.netns)) out.set(pid, p.netns);
    return out;
  }

  listNetns(): string[] {
    return [...this.netns.keys()];
  }

  netnsId(name: string): string | undefined {
    const n = this.netns.get(name);
    return n ? String(n.id) : undefined;
  }

  readonly files: HostFiles = (() => {
    const m = this.fileMap;
    const key = (p: string) => normalize(p);
    return {
      read: async (p: string) => {
        const proc = /^\/proc\/(\d+)\/(cmdline|environ)$/.exec(p);
        if (proc) {
          const x = this.procs.get(Number(proc[1]));
          return x?.alive ? (proc[2] === 'cmdline' ? x.argv : Object.entries(x.env ?? {}).map(([k, v]) => `${k}=${v}`)).join('\0') + '\0' : undefined;
        }
        return m.get(key(p));
      },
      write: async (p: string, text: string) => void m.set(key(p), text),
      append: async (p: string, text: string) => void m.set(key(p), (m.get(key(p)) ?? '') + text),
      mkdir: async () => undefined,
      remove: async (p: string) => {
        const k = key(p);
        for (const f of [...m.keys()]) if (f === k || f.startsWith(k + '/')) m.delete(f);
      },
      exists: async (p: string) => {
        const k = key(p);
        if (k.startsWith('/proc/sys/')) return true;
        return m.has(k) || [...m.keys()].some((f) => f.startsWith(k + '/'));
      },
      list: async (dir: string) => {
        const k = key(dir) + '/';
        return [...new Set([...m.keys()].filter((f) => f.startsWith(k)).map((f) => f.slice(k.length).split('/')[0]!))];
      },
    };
  })();

  /** A copy of the whole kernel state (namespaces only), to replay later. */
  snapshot(): string {
    return JSON.stringify([...this.netns].map(([n, s]) => [n, { ...s, links: [...s.links], sysctls: [...s.sysctls], rulesets: [...s.rulesets] }]));
  }

  restore(snap: string): void {
    this.netns.clear();
    for (const [n, s] of JSON.parse(snap) as [string, FakeNs & { links: [string, FakeLink][]; sysctls: [string, string][]; rulesets: [string, string][] }][]) {
      this.netns.set(n, { ...s, links: new Map(s.links), sysctls: new Map(s.sysctls), rulesets: new Map(s.rulesets) });
    }
  }

  // --- the commands ----------------------------------------------------------------------------------------------

  private dispatch(argv: readonly string[], netns: string | undefined, input: string): Omit<RunResult, 'argv' | 'place' | 'ms'> {
    const [cmd, ...args] = argv;
    const a = args.join(' ');
    if (netns !== undefined && !this.netns.has(netns)) return fail(`nsenter: cannot open /run/netns/${netns}: No such file or directory`);
    // podns.py (UTS namespaces, tmpfs volumes, releasing mounts): nothing of that is modelled; it succeeds.
    if (args[0]?.endsWith('podns.py')) return ok(JSON.stringify({ errors: [] }));
    if (cmd === 'ip') {
      if (a === '-batch -' || a === '-force -batch -') return this.ipBatch(netns, input, a.startsWith('-force'));
      if (a === '-j -d -batch -' && input === OBSERVE_BATCH) return ok(this.observe(netns));
      if (a === '-j -4 route show' && netns === undefined) return ok('[]');
      if (a === '-j link show' && netns === undefined) return ok('[]');
      if (args[0] === 'netns' || args[0] === 'link') return this.ipBatch(netns, args.join(' ') + '\n', false);
      if (a.startsWith('-j route show proto bird')) return ok('[]');
      return fail(`fake: unsupported ip ${a}`);
    }
    if (cmd === 'bridge') {
      if (a === '-batch -') return this.bridgeBatch(netns, input);
      if (a === '-j fdb show') return ok(JSON.stringify(this.ns(netns!).fdb.map((f) => ({ mac: f.mac, ifname: f.dev, dst: f.dst, flags: ['self'], state: 'permanent' }))));
      return fail(`fake: unsupported bridge ${a}`);
    }
    if (cmd === 'iptables-restore') {
      if (netns === undefined) return fail('fake: iptables-restore in the root namespace: podlab never does that');
      this.ns(netns).rulesets.set('iptables', input);
      return ok();
    }
    if (cmd === 'iptables-save') return ok(netns === undefined ? '' : this.ns(netns).rulesets.get('iptables') ?? '');
    if (cmd === 'nft') return this.nft(netns, args, input);
    if (cmd === 'ipset') return this.ipset(netns, args, input);
    if (cmd === 'sh' && a === '-s') {
      // preflight's `command -v` lines print 1 for every command; other scripts (conntrack flushes) just succeed.
      const n = input.split('\n').filter((l) => l.startsWith('command -v')).length;
      return ok(Array.from({ length: n }, () => '1').join('\n') + (n ? '\n' : ''));
    }
    if ((cmd ?? '').endsWith('python3') && args[0]?.endsWith('nsctl.py')) return this.nsctl(input);
    if ((cmd ?? '').endsWith('python3') && args[0] === '-c' && args[1]?.includes('SOCK_STREAM, 132')) return this.sctp ? ok() : fail('Protocol not supported');
    if (cmd === 'conntrack') return ok();
    if (cmd === 'unbound-control' && args[0] === '-c' && args[1]) {
      // A DNS server answers on its control socket while a process started with its config is alive.
      const conf = args[1];
      const up = [...this.procs.values()].some((p) => p.alive && p.argv[0] === 'unbound' && p.argv.includes(conf));
      if (!up) return fail(`error: connect: No such file or directory for ${conf.replace(/\.conf$/, '.ctl')}`);
      if (args[2] === 'flush_zone') return ok('ok removed 0 rrsets, 0 messages and 0 key entries\n');
      return ok(args[2] === 'status' ? 'version: 1.17.1\nis running...\n' : 'ok\n');
    }
    return fail(`fake: unsupported command ${argv.join(' ')}`);
  }

  private newNs(): FakeNs {
    const lo: FakeLink = { name: 'lo', kind: 'loopback', mtu: 65536, mac: '00:00:00:00:00:00', up: false };
    return { id: this.nextId++, links: new Map([['lo', lo]]), addrs: [], routes: [], neighs: [], fdb: [], rules: [], sysctls: new Map(), rulesets: new Map() };
  }

  private mac(): string {
    const n = this.macSeq++;
    return `02:fa:ce:${((n >> 16) & 255).toString(16).padStart(2, '0')}:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
  }

  private ipBatch(netns: string | undefined, input: string, force: boolean): Omit<RunResult, 'argv' | 'place' | 'ms'> {
    const lines = input.split('\n').map((l) => l.trim()).filter(Boolean);
    let failed: string | undefined;
    for (const [i, line] of lines.entries()) {
      try {
        this.ipLine(netns, line);
      } catch (e) {
        const msg = `Command failed -:${i + 1}\n${(e as Error).message}`;
        if (!force) return fail(msg);
        failed ??= msg;
      }
    }
    return failed ? fail(failed) : ok();
  }

  private ipLine(netns: string | undefined, line: string): void {
    const w = line.split(/\s+/);
    const opt = (k: string) => {
      const i = w.indexOf(k);
      return i >= 0 ? w[i + 1] : undefined;
    };
    if (w[0] === 'netns') {
      if (netns !== undefined) throw new BatchError('fake: netns commands run in the root namespace');
      if (w[1] === 'add') {
        if (this.netns.has(w[2]!)) throw new BatchError(`Cannot create namespace file "/run/netns/${w[2]}": File exists`);
        this.netns.set(w[2]!, this.newNs());
      } else if (w[1] === 'del') {
        if (!this.netns.has(w[2]!)) throw new BatchError(`Cannot remove namespace file "/run/netns/${w[2]}": No such file or directory`);
        this.dropNs(w[2]!);
      } else throw new BatchError(`fake: unsupported ${line}`);
      return;
    }
    if (netns === undefined) throw new BatchError(`fake: "${line}" in the root namespace: podlab never changes the host`);
    const ns = this.ns(netns);
    const dev = (name: string | undefined) => {
      const l = name !== undefined ? ns.links.get(name) : undefined;
      if (!l) throw new BatchError(`Cannot find device "${name}"`);
      return l;
    };
    const [obj, verb] = w;
    if (obj === 'link' && verb === 'add') {
      const name = opt('name')!;
      if (ns.links.has(name)) throw new BatchError('RTNETLINK answers: File exists');
      const typeAt = w.indexOf('type');
      const kind = w[typeAt + 1]!;
      const head = w.slice(0, typeAt);
      const hopt = (k: string) => {
        const i = head.indexOf(k);
        return i >= 0 ? head[i + 1] : undefined;
      };
      const link: FakeLink = { name, kind, mtu: Number(hopt('mtu') ?? 1500), mac: hopt('address') ?? this.mac(), up: false };
      if (kind === 'vxlan') link.vxlan = { id: Number(opt('id')), port: Number(opt('dstport')), local: opt('local') ?? '', learning: !w.includes('nolearning') };
      if (kind === 'veth') {
        const tail = w.slice(w.indexOf('peer') + 1);
        const topt = (k: string) => {
          const i = tail.indexOf(k);
          return i >= 0 ? tail[i + 1] : undefined;
        };
        const pname = topt('name')!;
        const pns = topt('netns') ?? netns;
        const other = this.netns.get(pns);
        if (!other) throw new BatchError(`Cannot open network namespace "${pns}": No such file or directory`);
        if (other.links.has(pname) || (pns === netns && pname === name)) throw new BatchError('RTNETLINK answers: File exists');
        other.links.set(pname, { name: pname, kind: 'veth', mtu: Number(topt('mtu') ?? 1500), mac: topt('address') ?? this.mac(), up: false, peer: { netns, name } });
        link.peer = { netns: pns, name: pname };
      }
      ns.links.set(name, link);
      return;
    }
    if (obj === 'link' && verb === 'del') {
      this.dropLink(netns, dev(w[2]).name);
      return;
    }
    if (obj === 'link' && verb === 'set') {
      const l = dev(w[2] === 'dev' ? w[3] : w[2]);
      const rest = w.slice(w[2] === 'dev' ? 4 : 3);
      for (let i = 0; i < rest.length; i++) {
        const k = rest[i];
        if (k === 'up') l.up = true;
        else if (k === 'down') l.up = false;
        else if (k === 'mtu') l.mtu = Number(rest[++i]);
        else if (k === 'address') l.mac = rest[++i]!;
        else if (k === 'master') {
          const b = dev(rest[++i]);
          if (b.kind !== 'bridge') throw new BatchError('RTNETLINK answers: Operation not supported');
          l.master = b.name;
        } else if (k === 'nomaster') delete l.master;
        else if (k === 'type' && rest[i + 1] === 'bridge_slave' && rest[i + 2] === 'hairpin') {
          if (!l.master) throw new BatchError('RTNETLINK answers: Operation not supported');
          l.hairpin = rest[i + 3] === 'on';
          i += 3;
        } else throw new BatchError(`fake: unsupported "${line}"`);
      }
      return;
    }
    if (obj === 'addr') {
      const cidr = w[2]!;
      dev(opt('dev'));
      const has = ns.addrs.findIndex((x) => x.dev === opt('dev') && x.cidr === cidr);
      if (verb === 'add') {
        if (has >= 0) throw new BatchError('RTNETLINK answers: File exists');
        ns.addrs.push({ dev: opt('dev')!, cidr });
      } else if (verb === 'del') {
        if (has < 0) throw new BatchError('RTNETLINK answers: Cannot assign requested address');
        ns.addrs.splice(has, 1);
        // As the kernel does: routes through a gateway no address of the device reaches any more go with the address.
        const d = opt('dev')!;
        const reach = (ip: string) => ns.addrs.some((a) => a.dev === d && inCidr(a.cidr, ip));
        ns.routes = ns.routes.filter((r) => r.dev !== d || !r.via || r.onlink || reach(r.via));
      } else throw new BatchError(`fake: unsupported "${line}"`);
      return;
    }
    if (obj === 'route') {
      const dst = kernelDst(w[2]!);
      const d = opt('dev')!;
      dev(d);
      const via = opt('via');
      const table = opt('table');
      const i = ns.routes.findIndex((r) => r.dst === dst && (r.via ?? '') === (via ?? '') && r.dev === d && r.table === table);
      if (verb === 'replace') {
        const r = { dst, via, dev: d, onlink: w.includes('onlink') || undefined, scope: opt('scope'), proto: opt('proto'), ...(table ? { table } : {}) };
        const same = ns.routes.findIndex((x) => x.dst === dst && x.table === table);
        if (same >= 0) ns.routes[same] = r;
        else ns.routes.push(r);
      } else if (verb === 'del') {
        if (i < 0) throw new BatchError('RTNETLINK answers: No such process');
        ns.routes.splice(i, 1);
      } else throw new BatchError(`fake: unsupported "${line}"`);
      return;
    }
    if (obj === 'neigh') {
      const ip = w[2]!;
      const d = opt('dev')!;
      dev(d);
      const i = ns.neighs.findIndex((n) => n.ip === ip && n.dev === d);
      if (verb === 'replace') {
        if (i >= 0) ns.neighs.splice(i, 1);
        ns.neighs.push({ ip, mac: opt('lladdr')!, dev: d });
      } else if (verb === 'del') {
        if (i < 0) throw new BatchError('RTNETLINK answers: No such file or directory');
        ns.neighs.splice(i, 1);
      } else throw new BatchError(`fake: unsupported "${line}"`);
      return;
    }
    if (obj === 'rule') {
      const r = { priority: Number(opt('pref')), from: opt('from'), to: opt('to'), fwmark: opt('fwmark'), table: opt('lookup')! };
      const k = (x: { priority: number; from?: string; to?: string; fwmark?: string; table: string }) => `${x.priority}|${x.from ?? ''}|${x.to ?? ''}|${x.fwmark ?? ''}|${x.table}`;
      const i = ns.rules.findIndex((x) => k(x) === k(r));
      if (verb === 'add') {
        if (i >= 0) throw new BatchError('RTNETLINK answers: File exists');
        ns.rules.push(r);
      } else if (verb === 'del') {
        if (i < 0) throw new BatchError('RTNETLINK answers: No such file or directory');
        ns.rules.splice(i, 1);
      } else throw new BatchError(`fake: unsupported "${line}"`);
      return;
    }
    throw new BatchError(`fake: unsupported "${line}"`);
  }

  /** Deleting a link deletes what lives on it; a veth takes its peer with it. */
  private dropLink(netns: string, name: string): void {
    const ns = this.ns(netns);
    const l = ns.links.get(name);
    if (!l) return;
    ns.links.delete(name);
    ns.addrs = ns.addrs.filter((a) => a.dev !== name);
    ns.routes = ns.routes.filter((r) => r.dev !== name);
    ns.neighs = ns.neighs.filter((n) => n.dev !== name);
    ns.fdb = ns.fdb.filter((f) => f.dev !== name);
    for (const o of ns.links.values()) if (o.master === name) delete o.master;
    if (l.peer && this.netns.has(l.peer.netns) && this.netns.get(l.peer.netns)!.links.get(l.peer.name)?.peer?.name === name) this.dropLink(l.peer.netns, l.peer.name);
  }

  private dropNs(name: string): void {
    const ns = this.ns(name);
    for (const l of [...ns.links.values()]) if (l.peer) this.dropLink(name, l.name);
    this.netns.delete(name);
    for (const p of this.procs.values()) if (p.netns === name) p.alive = false;
  }

  private bridgeBatch(netns: string | undefined, input: string): Omit<RunResult, 'argv' | 'place' | 'ms'> {
    const ns = this.ns(netns!);
    for (const line of input.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const w = line.split(/\s+/);
      const mac = w[2]!.toLowerCase();
      const d = w[w.indexOf('dev') + 1]!;
      const dst = w[w.indexOf('dst') + 1]!;
      if (!ns.links.has(d)) return fail(`Cannot find device "${d}"`);
      const i = ns.fdb.findIndex((f) => f.mac === mac && f.dev === d && f.dst === dst);
      if (w[1] === 'replace') {
        if (i < 0) ns.fdb.push({ mac, dev: d, dst });
      } else if (w[1] === 'del') {
        if (i < 0) return fail('RTNETLINK answers: No such file or directory');
        ns.fdb.splice(i, 1);
      } else return fail(`fake: unsupported bridge ${line}`);
    }
    return ok();
  }

  private ipset(netns: string | undefined, args: readonly string[], input: string): Omit<RunResult, 'argv' | 'place' | 'ms'> {
    if (netns === undefined) return fail('fake: ipset in the root namespace: podlab never does that');
    const sets = (this.ns(netns).ipsets ??= {});
    const a = args.join(' ');
    if (a === 'list -n') return ok(Object.keys(sets).map((s) => `${s}\n`).join(''));
    if (a === 'save') return ok(Object.entries(sets).map(([n, s]) => [`create ${n} ${s.type} family inet hashsize 1024 maxelem 1048576`, ...s.members.map((m) => `add ${n} ${m}`)].join('\n') + '\n').join(''));
    if (a !== 'restore') return fail(`fake: unsupported ipset ${a}`);
    for (const [i, line] of input.split('\n').entries()) {
      const all = line.trim().split(/\s+/);
      const exist = all.includes('-exist');
      const w = all.filter((x) => x !== '-exist');
      if (!w[0]) continue;
      const s = sets[w[1] ?? ''];
      const bad = (m: string) => fail(`ipset v7.19: Error in line ${i + 1}: ${m}`);
      if (w[0] === 'create') {
        if (s && !exist) return bad('Set cannot be created: set with the same name already exists');
        if (!s) sets[w[1]!] = { type: w[2]!, members: [] };
      } else if (!s) return bad('The set with the given name does not exist');
      else if (w[0] === 'add') { if (!s.members.includes(w[2]!)) s.members.push(w[2]!); }
      else if (w[0] === 'flush') s.members = [];
      else if (w[0] === 'destroy') delete sets[w[1]!];
      else if (w[0] === 'swap') {
        const o = sets[w[2]!];
        if (!o) return bad('The set with the given name does not exist');
        sets[w[1]!] = o;
        sets[w[2]!] = s;
      } else return bad(`fake: unsupported ipset command ${w[0]}`);
    }
    return ok();
  }

  private nft(netns: string | undefined, args: readonly string[], input: string): Omit<RunResult, 'argv' | 'place' | 'ms'> {
    if (netns === undefined) return fail('fake: nft in the root namespace: podlab never does that');
    const ns = this.ns(netns);
    if (args[0] === '-f' && args[1] === '-') {
      const m = /^add table (\S+ \S+)/m.exec(input);
      if (!m) return fail('fake: nft -f input names no table');
      ns.rulesets.set(`nftables ${m[1]}`, input);
      return ok();
    }
    if (args[0] === '-s' && args[1] === 'list' && args[2] === 'table') {
      const t = ns.rulesets.get(`nftables ${args.slice(3).join(' ')}`);
      return t === undefined ? fail(`Error: No such file or directory; did you mean table '${args[4]}'?`) : ok(t);
    }
    if (args[0] === 'delete' && args[1] === 'table') {
      const k = `nftables ${args.slice(2).join(' ')}`;
      if (!ns.rulesets.has(k)) return fail('Error: Could not process rule: No such file or directory');
      ns.rulesets.delete(k);
      return ok();
    }
    return fail(`fake: unsupported nft ${args.join(' ')}`);
  }

  private nsctl(input: string): Omit<RunResult, 'argv' | 'place' | 'ms'> {
    const items = JSON.parse(input) as { netns: string; write: [string, string][]; read: string[]; unlink: boolean; mark?: string; readMark?: boolean }[];
    const values: Record<string, Record<string, string>> = {};
    const marks: Record<string, string | null> = {};
    const errors: string[] = [];
    for (const it of items) {
      const ns = this.netns.get(it.netns);
      if (!ns) {
        errors.push(`${it.netns}: No such file or directory`);
        continue;
      }
      if (it.unlink) for (const l of [...ns.links.keys()]) if (l !== 'lo') this.dropLink(it.netns, l);
      if (it.mark) ns.links.get('lo')!.alias = it.mark;
      if (it.readMark) marks[it.netns] = ns.links.get('lo')?.alias ?? null;
      // forget / garp: learned neighbours and ARP are not modelled (only the permanent entries podlab writes).
      for (const [k, v] of it.write) {
        const ifname = /^net\/ipv[46]\/(?:conf|neigh)\/([^/]+)\//.exec(k)?.[1];
        if (ifname && ifname !== 'all' && ifname !== 'default' && !ns.links.has(ifname)) {
          errors.push(`${it.netns}: ${k.replace(/\//g, '.')}=${v}: No such file or directory`);
          continue;
        }
        ns.sysctls.set(k, String(v));
      }
      const res: Record<string, string> = {};
      for (const k of it.read) res[k] = ns.sysctls.get(k) ?? '0';
      values[it.netns] = res;
    }
    return ok(JSON.stringify({ values, marks, errors }));
  }

  /** The five arrays of `ip -j -d -batch -` for OBSERVE_BATCH (link, addr, route, neigh nud permanent, rule). */
  private observe(netns: string | undefined): string {
    const ns = this.ns(netns!);
    const links = [...ns.links.values()].map((l) => ({
      ifname: l.name, mtu: l.mtu, address: l.mac, flags: l.up ? ['UP'] : [], ...(l.master ? { master: l.master } : {}), ...(l.alias ? { ifalias: l.alias } : {}),
      link_type: l.kind === 'loopback' ? 'loopback' : 'ether',
      ...(l.kind === 'loopback' ? {} : {
        linkinfo: {
          info_kind: l.kind,
          ...(l.vxlan ? { info_data: { id: l.vxlan.id, port: l.vxlan.port, local: l.vxlan.local, learning: l.vxlan.learning } } : {}),
          ...(l.master ? { info_slave_kind: 'bridge', info_slave_data: { hairpin: !!l.hairpin } } : {}),
        },
      }),
    }));
    const addrs = [...ns.links.keys()].map((d) => ({
      ifname: d, addr_info: ns.addrs.filter((a) => a.dev === d).map((a) => ({ family: 'inet', local: a.cidr.split('/')[0], prefixlen: Number(a.cidr.split('/')[1]), scope: 'global' })),
    }));
    const routes = ns.routes.map((r) => ({ dst: r.dst, ...(r.via ? { gateway: r.via } : {}), dev: r.dev, table: r.table ?? 'main', ...(r.proto ? { protocol: r.proto } : {}), ...(r.scope ? { scope: r.scope } : {}), flags: r.onlink ? ['onlink'] : [] }));
    const neighs = ns.neighs.map((n) => ({ dst: n.ip, dev: n.dev, lladdr: n.mac, state: ['PERMANENT'] }));
    const rules = [{ priority: 0, src: 'all', table: 'local' }, ...ns.rules.map((r) => ({
      priority: r.priority, src: r.from ? r.from.split('/')[0] : 'all', ...(r.from?.includes('/') ? { srclen: Number(r.from.split('/')[1]) } : {}),
      ...(r.to ? { dst: r.to.split('/')[0], dstlen: Number(r.to.split('/')[1] ?? 32) } : {}),
      ...(r.fwmark ? { fwmark: r.fwmark.split('/')[0], fwmask: r.fwmark.split('/')[1] } : {}), table: r.table,
    })), { priority: 32766, src: 'all', table: 'main' }, { priority: 32767, src: 'all', table: 'default' }];
    return [links, addrs, routes, neighs, rules].map((x) => JSON.stringify(x)).join('\n') + '\n';
  }

  /** What a started process does at once that podlab waits for: netexec reports its listeners. */
  private emulateStart(pid: number): void {
    const p = this.procs.get(pid)!;
    // The container shim (workload/process/shim.sh DIR ATTEMPT …) records that its command started, as pid itself.
    const s = p.argv.findIndex((a) => a.endsWith('shim.sh'));
    if (s >= 0 && p.argv[s + 1] && p.argv[s + 2]) this.fileMap.set(normalize(`${p.argv[s + 1]}/${p.argv[s + 2]}.start`), `${pid} ${(Date.now() / 1000).toFixed(6)}\n`);
    const i = p.argv.findIndex((a) => a.endsWith('netexec.py'));
    if (i < 0) return;
    const cfg = this.fileMap.get(normalize(p.argv[i + 1]!));
    const status = p.argv[i + 2]!;
    if (!cfg) return;
    const c = JSON.parse(cfg) as { generation: number; pods: { id: string; listeners: { port: number; protocol: string }[] }[] };
    const listeners = c.pods.flatMap((pod) => pod.listeners.map((l) => ({ id: pod.id, port: l.port, protocol: l.protocol, ok: true })));
    this.fileMap.set(normalize(status), JSON.stringify({ generation: c.generation, pid, listeners }));
  }
}

function inCidr(c: string, ip: string): boolean {
  const [b, p] = c.split('/');
  const n = (s: string) => s.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(p));
  return Math.floor(n(ip) / size) === Math.floor(n(b!) / size);
}

/** A route destination as the kernel prints it: "default", a bare address for a /32. */
function kernelDst(d: string): string {
  if (d === '0.0.0.0/0') return 'default';
  return d.endsWith('/32') ? d.slice(0, -3) : d;
}
