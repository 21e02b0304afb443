// `podlab trace`'s explanation model (pure): what the kernel said about one probe — the netfilter trace events
// (`nft monitor trace`), the probe's packets as tcpdump saw them on each device, the route decisions (`ip -j route
// get`) and the conntrack entries — parsed and put in order, the chains named after what they stand for (a Service,
// an endpoint, a NetworkPolicy), and compared with the expectation model's verdict for the same flow.
import type { Topology } from '../model/topology.js';
import { portProtoHash, sepChain, servicePortName } from '../dataplane/proxy/common.js';
import { policyChain } from '../dataplane/policy/calico.js';
import { endpointBase, nftChainName, servicePortBase } from '../dataplane/proxy/nftables.js';
import { cniVethName } from '../net/names.js';
import type { Expectation, Observed } from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// The trace table and the capture filter (text the kernel layer writes / passes; pure so it can be tested).

/** The flow the trace follows: the protocol, the addresses it may go to (the target, then DNAT's endpoints) and ports. */
export interface FlowMatch {
  readonly protocol: 'tcp' | 'udp' | 'icmp';
  /** Addresses the probe's packets are sent to, before and after DNAT. */
  readonly dst: readonly string[];
  /** Destination ports before and after DNAT (empty for ICMP). */
  readonly ports: readonly number[];
}

/** An nft table of our own, one per trace (the name is unique): marks the flow's packets for `nft monitor trace`. */
export function traceTableText(table: string, f: FlowMatch): string {
  const set = (xs: readonly (string | number)[]) => `{ ${xs.join(', ')} }`;
  const fwd = f.protocol === 'icmp' ? `ip daddr ${set(f.dst)} meta l4proto icmp` : `ip daddr ${set(f.dst)} ${f.protocol} dport ${set(f.ports)}`;
  const rev = f.protocol === 'icmp' ? `ip saddr ${set(f.dst)} meta l4proto icmp` : `ip saddr ${set(f.dst)} ${f.protocol} sport ${set(f.ports)}`;
  // Before conntrack (-200) and every NAT chain: the packet as it arrives, and as the namespace itself sends it.
  return [
    `table ip ${table} {`,
    `  chain pre { type filter hook prerouting priority -350; policy accept; ${fwd} meta nftrace set 1; ${rev} meta nftrace set 1; }`,
    `  chain out { type filter hook output priority -350; policy accept; ${fwd} meta nftrace set 1; ${rev} meta nftrace set 1; }`,
    '}', '',
  ].join('\n');
}

/** The BPF filter of a hop's capture: the flow both ways, ICMP errors about it, and the VXLAN carrying it. */
export function captureFilter(f: FlowMatch): string {
  const hosts = (dir: 'src' | 'dst') => `(${f.dst.map((a) => `${dir} host ${a}`).join(' or ')})`;
  const ports = (dir: 'src' | 'dst') => `(${f.ports.map((p) => `${dir} port ${p}`).join(' or ')})`;
  const flow = f.protocol === 'icmp'
    ? `(icmp and (${hosts('dst')} or ${hosts('src')}))`
    : `(${f.protocol} and ((${hosts('dst')} and ${ports('dst')}) or (${hosts('src')} and ${ports('src')})))`;
  return `${flow} or icmp or udp port 8472 or udp port 4789`;
}

// ---------------------------------------------------------------------------------------------------------------
// nft monitor trace

export type TraceEvent =
  | { readonly id: string; readonly table: string; readonly chain: string; readonly kind: 'packet'; readonly text: string }
  | { readonly id: string; readonly table: string; readonly chain: string; readonly kind: 'rule'; readonly text: string; readonly verdict: string }
  | { readonly id: string; readonly table: string; readonly chain: string; readonly kind: 'policy'; readonly verdict: string };

const TRACE_LINE = /^trace id (\S+) (?:ip|inet) (\S+) (\S+) (?:packet: (.*)|rule (.*) \(verdict ([^)]*)\)|policy (\S+).*|verdict (\S+).*)$/;

/** `nft monitor trace` output → events (lines of other families, and noise, are left out). */
export function parseNftTrace(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const raw of text.split('\n')) {
    const m = TRACE_LINE.exec(raw.trim());
    if (!m) continue;
    const [, id = '', table = '', chain = '', packet, rule, verdict, policy, bare] = m;
    if (packet !== undefined) out.push({ id, table, chain, kind: 'packet', text: packet.trim() });
    else if (rule !== undefined) out.push({ id, table, chain, kind: 'rule', text: rule.replace(/\s+/g, ' ').trim(), verdict: verdict ?? '' });
    else out.push({ id, table, chain, kind: 'policy', verdict: (policy ?? bare ?? '').trim() });
  }
  return out;
}

/** What a chain stands for, from the lab's own objects (kube-proxy's hashes, Calico's policy ids). */
export type ChainIndex = ReadonlyMap<string, string>;

export function chainIndex(t: Topology): ChainIndex {
  const m = new Map<string, string>();
  for (const s of t.services ?? []) {
    for (const p of s.ports) {
      const spn = servicePortName(s, p);
      const h = portProtoHash(spn, p.protocol);
      const what = `Service ${s.key}:${p.name || p.port}/${p.protocol}`;
      m.set(`KUBE-SVC-${h}`, what);
      m.set(`KUBE-SVL-${h}`, `${what} (local endpoints)`);
      m.set(`KUBE-EXT-${h}`, `${what} (external traffic)`);
      m.set(`KUBE-FW-${h}`, `${what} (load balancer)`);
      // For a drop or reject, by the packet's destination: which Service's address it was for, and why.
      const none = p.endpoints.length === 0;
      const proto = p.protocol.toLowerCase();
      if (s.clusterIP && s.clusterIP !== 'None') m.set(`to ${s.clusterIP}:${p.port}/${proto}`, `${what}${none ? ' (no endpoints)' : ''}`);
      if (s.loadBalancer?.ip) m.set(`to ${s.loadBalancer.ip}:${p.port}/${proto}`, `${what} (load balancer${none ? ', no endpoints' : s.externalTrafficPolicy === 'Local' ? ', externalTrafficPolicy Local: no endpoint on this node' : ''})`);
      if (p.nodePort !== undefined) m.set(`nodeport ${p.nodePort}/${proto}`, `${what} (NodePort ${p.nodePort}${none ? ', no endpoints' : s.externalTrafficPolicy === 'Local' ? ', externalTrafficPolicy Local: no endpoint on this node' : ''})`);
      for (const e of p.endpoints) m.set(sepChain(spn, p.protocol, `${e.ip}:${e.port}`), `endpoint ${e.pod} ${e.ip}:${e.port} on ${e.node}`);
      // kube-proxy's nftables mode: the same objects under its own chain names.
      const base = servicePortBase({ svc: s, port: p, proto: p.protocol.toLowerCase() });
      m.set(nftChainName('service', base), what);
      m.set(nftChainName('external', base), `${what} (external traffic)`);
      m.set(nftChainName('local', base), `${what} (local endpoints)`);
      for (const e of p.endpoints) m.set(nftChainName('endpoint', endpointBase(base, e)), `endpoint ${e.pod} ${e.ip}:${e.port} on ${e.node}`);
    }
  }
  for (const p of t.policy?.policies ?? []) {
    for (const nft of [false, true]) {
      m.set(policyChain('in', p.key, nft), `NetworkPolicy ${p.key} (ingress)`);
      m.set(policyChain('out', p.key, nft), `NetworkPolicy ${p.key} (egress)`);
    }
  }
  // The AWS agent's chains are per pod veth: name the policies that select the pod.
  for (const pp of t.policy?.pods ?? []) {
    const [ns = '', name = ''] = pp.key.split('/');
    const iface = cniVethName('eni', ns, name);
    if (pp.ingress.length) m.set(`AWS-NP-I-${iface}`, `NetworkPolicy ${pp.ingress.join(', ')} (ingress of ${pp.key})`);
    if (pp.egress.length) m.set(`AWS-NP-E-${iface}`, `NetworkPolicy ${pp.egress.join(', ')} (egress of ${pp.key})`);
  }
  return m;
}

/** The meaning of a chain: the index, then the self-describing names (kube-proxy's nftables, Calico's, AWS's). */
export function chainMeaning(chain: string, idx: ChainIndex): string | undefined {
  // Calico's nftables mode prefixes its chains with the table they stand for ("filter-cali-pi-…").
  const bare = chain.replace(/^(?:filter|nat|mangle|raw)-(?=cali-)/, '');
  const known = idx.get(chain) ?? idx.get(bare);
  if (known) return known;
  let m = /^cali-p([io])-knp\/([^/]+)\/(.+)$/.exec(bare);
  if (m) return `NetworkPolicy ${m[2]}/${m[3]} (${m[1] === 'i' ? 'ingress' : 'egress'})`;
  m = /^endpoint-\w+-([^/]+)\/([^/]+)\/(\w+)\/[^_]*__(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(chain);
  if (m) return `endpoint ${m[4]}:${m[5]} of Service ${m[1]}/${m[2]}`;
  m = /^(service|external)-\w+-([^/]+)\/([^/]+)\/(\w+)\/(.*)$/.exec(chain);
  if (m) return `Service ${m[2]}/${m[3]}${m[5] ? `:${m[5]}` : ''}/${m[4]!.toUpperCase()}${m[1] === 'external' ? ' (external traffic)' : ''}`;
  if (chain === 'reject-chain') return 'kube-proxy: a Service without endpoints';
  return undefined;
}

/** What a dropped or rejected packet was for, by its destination (the trace's packet line): a Service's ClusterIP or
 *  load-balancer address, or a NodePort. Policy drops are named by their chains instead. */
export function dropMeaning(packet: string, idx: ChainIndex): string | undefined {
  const daddr = /\bip daddr (\S+)/.exec(packet)?.[1];
  const m = /\b(tcp|udp) dport (\d+)/.exec(packet);
  if (!daddr || !m) return undefined;
  return idx.get(`to ${daddr}:${m[2]}/${m[1]}`) ?? idx.get(`nodeport ${m[2]}/${m[1]}`);
}

/** One packet's walk through one table of one hook: the chains entered and what the last rule did. */
export interface RuleWalk {
  readonly table: string;
  /** The base chain, then every chain jumped or gone to. */
  readonly chains: readonly string[];
  /** What decided: "dnat to 10.244.2.3:8080", "masquerade", "drop", "reject", "accept", "return", "policy accept". */
  readonly effect: string;
  /** The deciding rule as the kernel prints it. */
  readonly rule?: string;
  /** Named objects along the walk: Services, endpoints, NetworkPolicies. */
  readonly meaning: readonly string[];
  /** Whether it changed the packet's fate or addresses (NAT, drop, reject) — the lines the human view leads with. */
  readonly decisive: boolean;
}

export interface PacketWalk {
  readonly id: string;
  /** The packet as the trace printed it (addresses after any earlier NAT). */
  readonly packet: string;
  readonly walks: readonly RuleWalk[];
}

const NAT_EFFECT = /\b(dnat to \S+|snat to \S+|masquerade(?: [\w-]+)*|redirect to \S+)/;
const DECISIVE = /\b(dnat|snat|masquerade|drop|reject|redirect)\b/;

function effectOf(rule: string, verdict: string): string {
  const nat = NAT_EFFECT.exec(rule)?.[1];
  if (nat) return nat.replace(/ (random-fully|fully-random)$/, ' (random-fully)');
  if (/\breject\b/.test(rule)) return `reject${/with (.*)$/.exec(rule)?.[1] ? ` with ${/with (.*)$/.exec(rule)![1]}` : ''}`;
  return verdict;
}

/**
 * The first packet of the flow in one namespace: its trace groups (one per hook) in order, each table's walk.
 * Our own trace table is left out. The first packet is the first traced one (the probe's SYN, datagram or echo
 * request); the others with its IP id are the same packet at later hooks.
 */
export function firstPacketWalks(events: readonly TraceEvent[], idx: ChainIndex, ownTable: string): PacketWalk[] {
  const ipId = (text: string) => / ip id (\d+) /.exec(` ${text} `)?.[1];
  const first = events.find((e) => e.kind === 'packet');
  if (!first || first.kind !== 'packet') return [];
  const id0 = ipId(first.text);
  const ids: string[] = [];
  const packets = new Map<string, string>();
  for (const e of events) {
    if (e.kind !== 'packet' || packets.has(e.id)) continue;
    if (e.id === first.id || (id0 !== undefined && ipId(e.text) === id0 && !/tcp flags == 0x12|icmp type echo-reply/.test(e.text))) {
      ids.push(e.id);
      packets.set(e.id, e.text);
    }
  }
  return ids.map((id) => {
    const evs = events.filter((e) => e.id === id && e.table !== ownTable);
    const walks: RuleWalk[] = [];
    let cur: { table: string; chains: string[]; rule?: string; effect?: string } | undefined;
    const close = () => {
      if (!cur) return;
      const effect = cur.effect ?? 'continue';
      const meaning = [...new Set([...cur.chains.map((c) => chainMeaning(c, idx)), ...(/^(drop|reject)/.test(effect) ? [dropMeaning(packets.get(id) ?? '', idx)] : [])]
        .filter((x): x is string => !!x))];
      walks.push({ table: cur.table, chains: cur.chains, effect, rule: cur.rule, meaning, decisive: DECISIVE.test(effect) });
      cur = undefined;
    };
    for (const e of evs) {
      if (e.kind === 'packet') {
        close();
        cur = { table: e.table, chains: [e.chain] };
        continue;
      }
      if (!cur) cur = { table: e.table, chains: [e.chain] };
      if (e.kind === 'policy') {
        cur.effect = `policy ${e.verdict}`;
        close();
        continue;
      }
      if (!cur.chains.includes(e.chain)) cur.chains.push(e.chain);
      const v = e.verdict;
      const target = /^(?:jump|goto) (\S+)/.exec(v)?.[1];
      if (target) {
        if (!cur.chains.includes(target)) cur.chains.push(target);
        continue;
      }
      if (v === 'continue' && !NAT_EFFECT.test(e.text)) continue;
      if (v === 'return') {
        cur.rule = e.text;
        continue;
      }
      cur.rule = e.text;
      cur.effect = effectOf(e.text, v);
      if (v !== 'continue') close();
    }
    close();
    return { id, packet: packets.get(id) ?? '', walks };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// tcpdump -n -tt -r (of an `-i any` capture, read back in the same namespace so device names are right)

export interface SeenPacket {
  readonly t: number;
  readonly dev: string;
  /** tcpdump's direction on "any": In, Out, P (to another host, seen promiscuously), M, B. */
  readonly dir: string;
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  /** The rest of tcpdump's line: flags, ICMP type… */
  readonly info: string;
  /** An encapsulated packet (VXLAN): the inner packet; src/dst above are the outer (underlay) addresses. */
  readonly inner?: Omit<SeenPacket, 't' | 'dev' | 'dir' | 'inner'>;
  readonly vni?: number;
}

function addrPort(s: string): { ip: string; port?: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?:?$/.exec(s);
  return m ? { ip: m[1]!, ...(m[2] !== undefined ? { port: Number(m[2]) } : {}) } : { ip: s.replace(/:$/, '') };
}

function ipPart(text: string): Omit<SeenPacket, 't' | 'dev' | 'dir' | 'inner'> | undefined {
  const m = /^IP (\S+) > (\S+?):? (.*)$/.exec(text.trim());
  if (!m) return undefined;
  const a = addrPort(m[1]!);
  const b = addrPort(m[2]!);
  return { src: a.ip, dst: b.ip, ...(a.port !== undefined ? { sport: a.port } : {}), ...(b.port !== undefined ? { dport: b.port } : {}), info: m[3]!.trim() };
}

export function parseTcpdump(text: string): SeenPacket[] {
  const out: SeenPacket[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+) (\S+)\s+(In|Out|P|M|B|U)\s+(IP .*)$/.exec(line);
    if (m) {
      const p = ipPart(m[4]!);
      if (p) out.push({ t: Number(m[1]), dev: m[2]!, dir: m[3]!, ...p });
      continue;
    }
    const last = out[out.length - 1];
    const inner = ipPart(line);
    if (last && inner && !last.inner && /OTV|VXLAN/.test(last.info)) {
      const vni = Number(/(?:instance|vni) (\d+)/.exec(last.info)?.[1] ?? NaN);
      out[out.length - 1] = { ...last, inner, ...(Number.isFinite(vni) ? { vni } : {}) };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// conntrack -L

export interface Tuple {
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
}
export interface ConntrackEntry {
  readonly protocol: string;
  readonly state?: string;
  readonly original: Tuple;
  readonly reply: Tuple;
  readonly flags: readonly string[];
  readonly line: string;
}

export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!f[0] || !/^(tcp|udp|icmp)$/.test(f[0])) continue;
    const kv: Tuple[] = [];
    let cur: Record<string, string> = {};
    for (const w of f) {
      const m = /^(src|dst|sport|dport|id)=(\S+)$/.exec(w);
      if (!m) continue;
      if (m[1] === 'src' && cur.src) {
        kv.push(tup(cur));
        cur = {};
      }
      cur[m[1]!] = m[2]!;
    }
    if (cur.src) kv.push(tup(cur));
    if (kv.length < 2) continue;
    const state = f.find((w) => /^[A-Z_]{4,}$/.test(w) && !/^\[/.test(w));
    out.push({ protocol: f[0], state, original: kv[0]!, reply: kv[1]!, flags: f.filter((w) => /^\[[A-Z]+\]$/.test(w)).map((w) => w.slice(1, -1)), line: line.trim() });
  }
  return out;
}

function tup(c: Record<string, string>): Tuple {
  return { src: c.src!, dst: c.dst!, ...(c.sport ? { sport: Number(c.sport) } : {}), ...(c.dport ? { dport: Number(c.dport) } : c.id ? { sport: Number(c.id) } : {}) };
}

export const tupleText = (t: Tuple): string => `${t.src}${t.sport !== undefined ? `:${t.sport}` : ''} → ${t.dst}${t.dport !== undefined ? `:${t.dport}` : ''}`;

// ---------------------------------------------------------------------------------------------------------------
// The whole trace

/** A route decision (`ip -j route get`), as the namespace made it for the packet it forwarded or sent. */
export interface RouteDecision {
  readonly query: string;
  /** e.g. "10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink" — the route's own words. */
  readonly route: string;
  readonly dev?: string;
  readonly via?: string;
  readonly src?: string;
  readonly error?: string;
}

export interface Hop {
  /** What the namespace is: "pod default/a", "node node1", "external", "fabric". */
  readonly label: string;
  readonly netns: string;
  /** Devices in the order the probe's first packet crossed them, with the packet as seen there. */
  readonly devices: readonly { readonly dev: string; readonly dir: string; readonly packet: string; readonly count: number; readonly encap?: string }[];
  readonly route?: RouteDecision;
  /** The first packet's walks through netfilter here (trace), the decisive ones first in the human view. */
  readonly rules: readonly PacketWalk[];
  readonly conntrack: readonly ConntrackEntry[];
  /** pcap files written for this hop (--pcap). */
  readonly pcaps: readonly string[];
}

export interface Disagreement {
  readonly what: string;
  readonly expected: string;
  readonly seen: string;
}

export interface TraceResult {
  readonly cluster: string;
  readonly mode: string;
  readonly from: string;
  readonly to: string;
  readonly protocol: string;
  readonly target: { readonly ip: string; readonly port?: number };
  /** How the rule evidence was had: the netfilter trace (nft monitor trace) or not at all (why). */
  readonly ruleEvidence: string;
  readonly probe: { readonly command: string; readonly observed: Observed; readonly detail: string; readonly sourceIp?: string; readonly sourcePort?: number; readonly hostname?: string; readonly ms: number };
  readonly hops: readonly Hop[];
  /** The address the server saw (netexec's clientip) and the one the client used (its first packet). */
  readonly addresses: { readonly clientUsed?: string; readonly serverSaw?: string; readonly answeredBy?: string };
  readonly expectation?: { readonly text: string; readonly basis: string; readonly check: string };
  readonly disagreements: readonly Disagreement[];
  readonly ms: number;
  /** Commands run and processes started for the trace (captures, monitors, read-backs), for the cost of one. */
  readonly commands: number;
  readonly left: { readonly tables: number; readonly processes: number };
  /** A trace by name: the DNS lookup that came first (its own traced probe), then this result is the connection. */
  readonly lookup?: LookupTrace;
}

// ---------------------------------------------------------------------------------------------------------------
// By name: the lookup before the connection

/** A trace target that is a name (`dns/NAME[:PORT]`, or a bare host name such as `web:80` or
 *  `web.shop.svc.cluster.local:80`), resolved by the source's own resolver before the connection. */
export function nameTarget(to: string): { readonly name: string; readonly port?: number } | undefined {
  const m = /^(?:dns\/)?([A-Za-z0-9_]([-A-Za-z0-9_.]*[A-Za-z0-9.])?)(?::(\d+))?$/.exec(to);
  if (!m) return undefined;
  const name = m[1]!;
  if (!to.startsWith('dns/') && (name === 'external' || /^[\d.]+$/.test(name))) return undefined;
  return { name, ...(m[3] !== undefined ? { port: Number(m[3]) } : {}) };
}

export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  readonly ndots: number;
}

/** resolv.conf as glibc reads it (nameserver, search, options ndots:N; the last search/domain line wins). */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  let ndots = 1;
  for (const raw of text.split('\n')) {
    const [k, ...v] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (k === 'nameserver' && v[0]) nameservers.push(v[0]);
    else if (k === 'search' || k === 'domain') search = v.filter(Boolean);
    else if (k === 'options') for (const o of v) if (/^ndots:\d+$/.test(o)) ndots = Math.min(15, Number(o.slice(6)));
  }
  return { nameservers, search, ndots };
}

/** The absolute names glibc's resolver asks, in order, for `name` (res_search: ndots decides whether the name as
 *  given goes first or last; a trailing dot asks only it). */
export function searchNames(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): string[] {
  if (name.endsWith('.')) return [name];
  const dots = name.split('.').length - 1;
  const searched = conf.search.map((d) => `${name}.${d.replace(/\.$/, '')}.`);
  return dots >= conf.ndots ? [`${name}.`, ...searched] : [...searched, `${name}.`];
}

/** One query the client sent and the answer it got, from its own capture (tcpdump's DNS decoding). */
export interface DnsExchange {
  readonly id: number;
  /** "A? web.default.svc.cluster.local." */
  readonly query: string;
  /** "A 10.96.0.2", "NXDomain", "Refused"…; absent when no answer was seen. */
  readonly answer?: string;
}

const DNS_QUERY = /^(\d+)\+?%?\s+(?:\[[^\]]*\]\s+)?(\w+\? \S+)/;
const DNS_REPLY = /^(\d+)(?:[*\-|$+]|q:)*\s+(?:(NXDomain|ServFail|Refused|FormErr|NotImp|NoChange)\S*\s+)?(\d+)\/(\d+)\/(\d+)\s*(.*?)\s*(?:\(\d+\))?$/;

/** The client's DNS queries to `resolver` (port 53) and their answers, in the order sent. */
export function dnsExchanges(packets: readonly SeenPacket[], resolver: string): DnsExchange[] {
  const out: { id: number; port?: number; query: string; answer?: string }[] = [];
  for (const p of packets) {
    if (p.dst === resolver && p.dport === 53) {
      const m = DNS_QUERY.exec(p.info);
      // The same query seen again (on another device of the namespace, or a retransmission) is one exchange.
      if (m && !out.some((x) => x.id === Number(m[1]) && x.port === p.sport && x.query === m[2])) out.push({ id: Number(m[1]), port: p.sport, query: m[2]! });
    } else if (p.src === resolver && p.sport === 53) {
      const m = DNS_REPLY.exec(p.info);
      const x = m && out.find((e) => e.id === Number(m[1]) && e.port === p.dport && e.answer === undefined);
      if (!m || !x) continue;
      const records = (m[6] ?? '').split(/,\s*/).map((r) => r.trim()).filter((r) => /^(A|AAAA|CNAME|SRV|TXT|PTR) /.test(r));
      x.answer = m[2] ? m[2] : records.length ? records.join(', ') : 'no records';
    }
  }
  return out.map(({ id, query, answer }) => ({ id, query, ...(answer !== undefined ? { answer } : {}) }));
}

export interface LookupTrace {
  /** The name as written. */
  readonly name: string;
  /** The resolver the source's resolv.conf names, and what it is in the lab. */
  readonly resolver: { readonly ip: string; readonly port: 53; readonly service?: string; readonly what: string };
  readonly resolvConf: ResolvConf;
  /** What the source's resolver found (glibc's getaddrinfo, IPv4). */
  readonly answers: readonly string[];
  /** What the cluster DNS should answer, from the Services and pods (the expectation model), through the search path. */
  readonly expected: readonly string[];
  /** The queries the client sent and the answers it got, from its own capture. */
  readonly exchanges: readonly DnsExchange[];
  /** The lookup's own trace: the query's path to the DNS server (DNAT and all) and back. */
  readonly trace: TraceResult;
}

/** Where the kernel's evidence and the expectation model disagree (outcome, source address, backend). */
export function compareWithExpectation(e: Expectation | undefined, probe: TraceResult['probe'], hops: readonly Hop[]): Disagreement[] {
  if (!e) return [];
  const out: Disagreement[] = [];
  const okish = probe.observed === 'ok';
  const want = e.outcome;
  const matches = want === 'ok' ? okish : want === 'blocked' ? probe.observed === 'refused' || probe.observed === 'dropped' : probe.observed === want;
  if (!matches) out.push({ what: 'outcome', expected: want, seen: `${probe.observed} (${probe.detail})` });
  if (okish && e.source && probe.sourceIp && !e.source.allowed.includes(probe.sourceIp)) {
    out.push({ what: 'source address the server saw', expected: e.source.describe, seen: probe.sourceIp });
  }
  const allowed = [...(e.backends ?? []), ...(e.mayAnswer ?? [])];
  if (okish && allowed.length && probe.hostname && !allowed.includes(probe.hostname)) {
    out.push({ what: 'who answered', expected: allowed.join(' or '), seen: probe.hostname });
  }
  const drops = hops.flatMap((h) => h.rules.flatMap((p) => p.walks.filter((w) => /^(drop|reject)/.test(w.effect)).map((w) => `${h.label}: ${w.chains.join(' → ')}: ${w.effect}`)));
  if (want === 'ok' && drops.length) out.push({ what: 'netfilter verdict', expected: 'no rule drops the probe', seen: drops.join('; ') });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The probe's own packets: its tuples, followed through every namespace's NAT

export const tupleKey = (t: Tuple): string => `${t.src}:${t.sport ?? ''}>${t.dst}:${t.dport ?? ''}`;
const reverse = (t: Tuple): Tuple => ({ src: t.dst, dst: t.src, ...(t.dport !== undefined ? { sport: t.dport } : {}), ...(t.sport !== undefined ? { dport: t.sport } : {}) });

/**
 * Every tuple the probe's packets had on their way (TCP and UDP): from the tuples it left the source with, through
 * each namespace's conntrack entries — an entry whose original tuple is one of them says what it became after that
 * namespace's NAT (the reply tuple, reversed) — until nothing new is found. Other traffic on the same addresses and
 * ports at the same moment (a load balancer's health checks, another client) has tuples of its own and is left out.
 */
export function probeTuples(seeds: readonly Tuple[], conntrack: readonly (readonly ConntrackEntry[])[]): Set<string> {
  const keys = new Set(seeds.map(tupleKey));
  for (let grew = true; grew;) {
    grew = false;
    for (const c of conntrack.flat()) {
      if (!keys.has(tupleKey(c.original))) continue;
      const next = tupleKey(reverse(c.reply));
      if (!keys.has(next)) {
        keys.add(next);
        grew = true;
      }
    }
  }
  return keys;
}

/** Whether a packet (or the one in its VXLAN) is the probe's, either way. */
export function ownsPacket(p: SeenPacket, tuples: ReadonlySet<string>): boolean {
  const x = p.inner ?? p;
  const t: Tuple = { src: x.src, dst: x.dst, ...(x.sport !== undefined ? { sport: x.sport } : {}), ...(x.dport !== undefined ? { dport: x.dport } : {}) };
  return tuples.has(tupleKey(t)) || tuples.has(tupleKey(reverse(t)));
}

/** The tuple of a trace event's packet line ("ip saddr A ip daddr B … tcp sport P tcp dport Q"). */
function eventTuple(text: string): Tuple | undefined {
  const src = /\bip saddr (\S+)/.exec(text)?.[1];
  const dst = /\bip daddr (\S+)/.exec(text)?.[1];
  const sp = /\b(?:tcp|udp) sport (\d+)/.exec(text)?.[1];
  const dp = /\b(?:tcp|udp) dport (\d+)/.exec(text)?.[1];
  if (!src || !dst || sp === undefined || dp === undefined) return undefined;
  return { src, dst, sport: Number(sp), dport: Number(dp) };
}

/** The trace events of the probe's own packets: trace ids whose packet line has one of its tuples (either way). */
export function ownEvents(events: readonly TraceEvent[], tuples: ReadonlySet<string>): TraceEvent[] {
  const keep = new Set<string>();
  const decided = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'packet' || decided.has(e.id)) continue;
    decided.add(e.id);
    const t = eventTuple(e.text);
    if (t && (tuples.has(tupleKey(t)) || tuples.has(tupleKey(reverse(t))))) keep.add(e.id);
  }
  return events.filter((e) => keep.has(e.id));
}

/** The tuples the probe left its source namespace with: its forward packets there. */
export function seedTuples(packets: readonly SeenPacket[], f: FlowMatch): Tuple[] {
  const out = new Map<string, Tuple>();
  for (const p of packets) {
    if (!isForward(p, f)) continue;
    const x = p.inner ?? p;
    const t: Tuple = { src: x.src, dst: x.dst, ...(x.sport !== undefined ? { sport: x.sport } : {}), ...(x.dport !== undefined ? { dport: x.dport } : {}) };
    out.set(tupleKey(t), t);
  }
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------------------------
// From a namespace's evidence to a hop

/** Whether a packet (or the one inside its VXLAN) belongs to the probe's direction: to the flow's addresses and ports. */
export function isForward(p: Pick<SeenPacket, 'dst' | 'dport' | 'inner'>, f: FlowMatch): boolean {
  const x = p.inner ?? p;
  return f.dst.includes(x.dst) && (f.protocol === 'icmp' || (x.dport !== undefined && f.ports.includes(x.dport)));
}

export const packetText = (p: Omit<SeenPacket, 't' | 'dev' | 'dir' | 'inner'>): string => {
  const flags = /^Flags \[([^\]]*)\]/.exec(p.info)?.[1];
  const icmp = /^ICMP (.*?)(?:, id \d+.*|, length \d+)?$/.exec(p.info)?.[1];
  const dnsQ = p.dport === 53 ? DNS_QUERY.exec(p.info)?.[2] : undefined;
  const dnsR = p.sport === 53 ? DNS_REPLY.exec(p.info) : undefined;
  const dns = dnsQ ? ` DNS ${dnsQ}` : dnsR ? ` DNS answer ${dnsR[2] ?? `${dnsR[3]}/${dnsR[4]}/${dnsR[5]}${dnsR[6] ? ` ${dnsR[6]}` : ''}`}` : '';
  const what = flags !== undefined ? ` [${flags}]` : icmp ? ` ICMP ${icmp}` : dns ? dns : /^UDP/.test(p.info) ? ' UDP' : '';
  return `${p.src}${p.sport !== undefined ? `:${p.sport}` : ''} → ${p.dst}${p.dport !== undefined ? `:${p.dport}` : ''}${what}`;
};

export interface HopDraft {
  readonly hop: Omit<Hop, 'route' | 'pcaps'>;
  /** The route lookup that explains this hop's forwarding (absent when the probe was not seen here). */
  readonly routeQuery?: { readonly dst: string; readonly src?: string; readonly iif?: string };
  /** When the probe's first packet was first seen here (seconds), to put the hops in order. */
  readonly t: number;
  readonly devices: readonly string[];
}

/** One namespace's evidence as a hop, or undefined when the probe never showed up in it. */
export function hopOf(ev: { netns: string; events: readonly TraceEvent[]; packets: readonly SeenPacket[]; conntrack: readonly ConntrackEntry[] },
  label: string, f: FlowMatch, idx: ChainIndex, ownTable: string, o: { source: boolean; target: string; tuples?: ReadonlySet<string> }): HopDraft | undefined {
  const own = (p: SeenPacket) => !o.tuples || ownsPacket(p, o.tuples);
  const fwd = ev.packets.filter((p) => isForward(p, f) && own(p));
  const errors = ev.packets.filter((p) => /^ICMP .*unreachable/.test(p.info));
  const rules = firstPacketWalks(o.tuples ? ownEvents(ev.events, o.tuples) : ev.events, idx, ownTable);
  if (!fwd.length && !rules.length) return undefined;
  const byDev = new Map<string, SeenPacket[]>();
  for (const p of [...fwd, ...errors]) byDev.set(p.dev, [...(byDev.get(p.dev) ?? []), p]);
  const devices = [...byDev.entries()]
    .map(([dev, ps]) => ({ dev, first: ps[0]!, count: ev.packets.filter((p) => p.dev === dev).length }))
    .sort((a, b) => a.first.t - b.first.t)
    .map(({ dev, first, count }) => ({
      dev, dir: first.dir, count,
      packet: packetText(first.inner ?? first),
      ...(first.inner ? { encap: `VXLAN ${first.src} → ${first.dst}:${first.dport}${first.vni !== undefined ? ` VNI ${first.vni}` : ''}` } : {}),
    }));
  // Which entries are the probe's: their original direction leaves from an address and port the probe used here.
  const used = new Set(fwd.map((p) => p.inner ?? p).map((p) => `${p.src}:${f.protocol === 'icmp' ? '' : p.sport}`));
  const conntrack = ev.conntrack.filter((c) => (f.dst.includes(c.original.dst) || c.original.dst === o.target)
    && used.has(`${c.original.src}:${f.protocol === 'icmp' ? '' : c.original.sport}`) && (!o.tuples || o.tuples.has(tupleKey(c.original))));
  const plain = fwd.filter((p) => !p.inner);
  const inP = plain.find((p) => p.dir === 'In');
  const outP = [...plain].reverse().find((p) => p.dir === 'Out');
  const routeQuery = o.source ? { dst: o.target } : inP ? { dst: (outP ?? inP).dst, src: inP.src, iif: inP.dev } : undefined;
  const t = fwd[0]?.t ?? Number.MAX_SAFE_INTEGER;
  return { hop: { label, netns: ev.netns, devices, rules, conntrack }, ...(routeQuery ? { routeQuery } : {}), t, devices: [...byDev.keys()] };
}
