// Calico's policy engine (felix/rules: static.go, endpoints.go, policy.go, dispatch.go) for one node, as chains:
// cali-FORWARD → cali-from-wl-dispatch / cali-to-wl-dispatch → cali-fw-<iface> / cali-tw-<iface> → cali-po-<policy> /
// cali-pi-<policy>, with the accept/pass mark bits, Felix's match blocks for excepts and mixed ports, per-namespace
// profiles (kns.<ns>) and IP sets cali40s:… (selectors) and cali40n:… (named ports). Used by bgp (routed cali…
// veths) and by overlay as Canal does (the same engine on flannel's cni0 bridge: see dispatch below). Pure.
import { createHash } from 'node:crypto';
import type { PeerT, PolicyModel, PolicyT, RuleT } from '../../model/policy.js';
import { peerMatchesIp } from '../../model/policy.js';
import type { Chain, Match, Rule } from './ir.js';
import { splitPorts, tagRules } from './ir.js';
import type { PolicyNodeInput } from './types.js';

/** Felix's mark bits with the default IptablesMarkMask 0xffff0000 (dataplane/driver.go allocation order). */
export const MARK_ACCEPT = 0x10000;
export const MARK_PASS = 0x20000;
export const MARK_SCRATCH0 = 0x80000;
export const MARK_SCRATCH1 = 0x100000;
const ALL_MARKS = MARK_ACCEPT | MARK_PASS | MARK_SCRATCH0 | MARK_SCRATCH1; // 0x1b0000
/** iptables' chain name limit as Felix uses it (felix/iptables/table.go MaxChainNameLength). */
export const IPT_MAX_CHAIN = 28;
const NFT_MAX_CHAIN = 256;
const IPSET_MAX_NAME = 31;
/** Felix's VXLANPort default; workloads may not send VXLAN or IPIP (policy bypass). */
const VXLAN_PORT = 4789;

/** hash.GetLengthLimitedID: prefix + suffix, or prefix + "_" + base64url(sha256(suffix)) cut to fit. */
export function lengthLimitedId(prefix: string, suffix: string, max: number): string {
  const s = suffix || '_';
  if (prefix.length + s.length > max || (prefix.length + s.length === max && s.startsWith('_'))) {
    const h = createHash('sha256').update(s).digest('base64url');
    return prefix + '_' + h.slice(0, max - 1 - prefix.length);
  }
  return prefix + s;
}

/** hash.MakeUniqueID: "<prefix>:" + base64url(sha224("<prefix>:" + content)). */
export function uniqueId(prefix: string, content: string): string {
  return `${prefix}:${createHash('sha224').update(`${prefix}:${content}`).digest('base64url')}`;
}

/** IPVersionConfig.NameForMainIPSet: "cali40" + id, cut to ipset's 31 characters. */
export const ipsetName = (id: string) => `cali40${id}`.slice(0, IPSET_MAX_NAME);
/** nftables.LegalizeSetName: nft set names take no ":". */
export const nftSetName = (name: string) => name.replace(/:/g, '-');

/** types.PolicyID.ID() for a Kubernetes NetworkPolicy: "knp/<ns>/<name>". */
export const policyId = (key: string) => `knp/${key}`;
export function policyChain(dir: 'in' | 'out', key: string, nft = false): string {
  return lengthLimitedId(dir === 'in' ? 'cali-pi-' : 'cali-po-', policyId(key), nft ? NFT_MAX_CHAIN : IPT_MAX_CHAIN);
}
export function endpointChain(dir: 'to' | 'from', iface: string, nft = false): string {
  return lengthLimitedId(dir === 'to' ? 'cali-tw-' : 'cali-fw-', iface, nft ? NFT_MAX_CHAIN : IPT_MAX_CHAIN);
}
export function profileChain(dir: 'in' | 'out', namespace: string, nft = false): string {
  return lengthLimitedId(dir === 'in' ? 'cali-pri-' : 'cali-pro-', `kns.${namespace}`, nft ? NFT_MAX_CHAIN : IPT_MAX_CHAIN);
}

export interface CalicoSet {
  readonly name: string; // iptables form (cali40s:…)
  readonly type: 'hash:net' | 'hash:ip,port';
  readonly members: readonly string[]; // "10.244.1.2" or "10.244.1.2,tcp:8080"
}

/** Dispatch on the interface (routed cali… veths) or, for bridge ports seen through nftables, on the pod address. */
export interface Dispatch {
  readonly key: 'iface' | 'ip' | 'physdev';
  readonly entries: readonly { readonly key: string; readonly chain: string }[];
}

export interface CalicoNode {
  readonly chains: readonly Chain[];
  readonly sets: readonly CalicoSet[];
  readonly fromDispatch: Dispatch;
  readonly toDispatch: Dispatch;
  /** Rules of the built-in chains: first (inserted before other programs' rules) and appended to FORWARD. */
  readonly input: readonly Rule[];
  readonly forward: readonly Rule[];
  readonly output: readonly Rule[];
  readonly forwardLast: readonly Rule[];
}

const R = (m: Match, a: Rule['a'], tag?: string): Rule => ({ m, a, ...(tag ? { tag } : {}) });

/** A Calico rule of a converted k8s rule: one per protocol and peer (conversion.go k8sRuleToCalico). */
interface CalicoRule {
  readonly proto?: string;
  readonly peer: PeerT | null;
  /** Numeric destination ports, "80" / "8000:8080"; empty and no named ports = every port of proto. */
  readonly ports: readonly string[];
  readonly named: readonly CalicoSet[];
}

/** SimplifyPorts: sort, merge adjacent and overlapping ranges. */
function simplify(ranges: readonly [number, number][]): string[] {
  const rs = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const r of rs) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`));
}

function convertRule(p: PolicyT, r: RuleT, dir: 'in' | 'out', sets: Map<string, CalicoSet>): CalicoRule[] {
  const peers: readonly (PeerT | null)[] = r.peers ?? [null];
  if (!r.ports) return peers.map((peer) => ({ peer, ports: [], named: [] }));
  const byProto = new Map<string, { all: boolean; ranges: [number, number][]; names: string[] }>();
  for (const pt of r.ports) {
    const k = pt.protocol;
    if (!byProto.has(k)) byProto.set(k, { all: false, ranges: [], names: [] });
    const e = byProto.get(k)!;
    if (pt.name !== undefined) e.names.push(pt.name);
    else if (pt.port === undefined) e.all = true;
    else e.ranges.push([pt.port, pt.endPort ?? pt.port]);
  }
  const out: CalicoRule[] = [];
  for (const proto of [...byProto.keys()].sort()) {
    const e = byProto.get(proto)!;
    for (const peer of peers) {
      const named: CalicoSet[] = [];
      if (!e.all) {
        for (const name of [...new Set(e.names)]) {
          const np = r.named.find((n) => n.name === name && n.protocol === proto);
          const members = (np?.members ?? []).filter((m) => dir === 'in' || !peer || peerMatchesIp(peer, m.ip));
          const selId = dir === 'in' ? uniqueId('s', `${policyId(p.key)} selector ${p.podSelector}`) : uniqueId('s', peer ? (peer.kind === 'pods' ? peer.id : `net ${peer.cidr} except ${peer.except.join(',')}`) : 'all()');
          const set: CalicoSet = { name: ipsetName(uniqueId('n', `${selId},${proto.toLowerCase()},${name}`)), type: 'hash:ip,port', members: [...new Set(members.map((m) => `${m.ip},${proto.toLowerCase()}:${m.port}`))].sort() };
          sets.set(set.name, set);
          named.push(set);
        }
      }
      out.push({ proto: proto.toLowerCase(), peer, ports: e.all ? [] : simplify(e.ranges), named });
    }
  }
  return out;
}

/** ProtoRuleToIptablesRules + CombineMatchAndActionsForProtoRule for one allow rule, match blocks included. */
function renderRule(cr: CalicoRule, dir: 'in' | 'out', sets: Map<string, CalicoSet>): Rule[] | undefined {
  const peer = cr.peer;
  if (peer?.kind === 'ipBlock' && peer.family !== 4) return undefined; // IPv6 block: not in an IPv4 ruleset (filterNets)
  const rules: Rule[] = [];
  let usingBlocks = false;
  let donePositive = false;
  const initial = (bits: number) => {
    if (usingBlocks) return;
    rules.push(R({}, { t: 'mark', value: bits, mask: MARK_SCRATCH0 | MARK_SCRATCH1 }));
    usingBlocks = true;
  };
  const positiveMark = () => (donePositive ? MARK_SCRATCH1 : MARK_SCRATCH0);
  const finishPositive = () => {
    if (!donePositive) donePositive = true;
    else rules.push(R({ markClear: MARK_SCRATCH1 }, { t: 'mark', value: 0, mask: MARK_SCRATCH0 }));
  };
  const side = dir === 'in' ? 'src' : 'dst';
  let ports = cr.ports;
  let named = cr.named;
  const splits = splitPorts(ports);
  if (splits.length + named.length > 1) {
    initial(0);
    const mark = positiveMark();
    for (const sp of splits) rules.push(R({ proto: cr.proto, dstPorts: sp }, { t: 'mark', value: mark, mask: mark }));
    for (const n of named) rules.push(R({ dstIpPortSet: n.name }, { t: 'mark', value: mark, mask: mark }));
    finishPositive();
    ports = [];
    named = [];
  }
  const m: { -readonly [K in keyof Match]: Match[K] } = {};
  if (cr.proto) m.proto = cr.proto;
  if (peer?.kind === 'ipBlock') {
    if (side === 'src') m.src = peer.cidr;
    else m.dst = peer.cidr;
    if (peer.except.length >= 1) {
      // Felix: more than one source match in all (the cidr and its excepts) takes a negated match block.
      initial(MARK_SCRATCH0);
      for (const e of peer.except) rules.push(R(side === 'src' ? { src: e } : { dst: e }, { t: 'mark', value: 0, mask: MARK_SCRATCH0 }));
    }
  } else if (peer?.kind === 'pods') {
    const set: CalicoSet = { name: ipsetName(uniqueId('s', peer.id)), type: 'hash:net', members: [...peer.ips].sort() };
    sets.set(set.name, set);
    if (side === 'src') m.srcSet = set.name;
    else m.dstSet = set.name;
  }
  if (ports.length) m.dstPorts = ports;
  if (named.length) m.dstIpPortSet = named[0]!.name;
  if (usingBlocks) m.markSet = MARK_SCRATCH0;
  rules.push(R(m, { t: 'mark', value: MARK_ACCEPT, mask: MARK_ACCEPT }));
  rules.push(R({ markSet: MARK_ACCEPT }, { t: 'RETURN' }));
  return rules;
}

function policyChainOf(p: PolicyT, dir: 'in' | 'out', sets: Map<string, CalicoSet>, nft: boolean): Chain {
  const rules: Rule[] = [];
  for (const r of dir === 'in' ? p.ingress : p.egress) {
    for (const cr of convertRule(p, r, dir, sets)) rules.push(...(renderRule(cr, dir, sets) ?? []));
  }
  while (rules.length && rules[rules.length - 1]!.a.t === 'RETURN') rules.pop(); // Felix strips trailing RETURNs
  const comment = `KubernetesNetworkPolicy ${p.key} ${dir === 'in' ? 'ingress' : 'egress'}`;
  if (!rules.length) rules.push(R({ comment }, { t: 'NONE' }));
  else rules[0] = { ...rules[0]!, m: { ...rules[0]!.m, comment: [rules[0]!.m.comment, comment].filter(Boolean).join('; ') } };
  return { name: policyChain(dir, p.key, nft), rules };
}

/** endpointIptablesChain for a workload: conntrack, clear marks, the default tier's policies, then the namespace profile. */
function endpointChainOf(iface: string, dir: 'to' | 'from', namespace: string, policies: readonly string[], nft: boolean): Chain {
  const rules: Rule[] = [
    R({ ctstate: 'RELATED,ESTABLISHED' }, { t: 'ACCEPT' }),
    R({ ctstate: 'INVALID' }, { t: 'DROP' }),
    R({}, { t: 'mark', value: 0, mask: MARK_ACCEPT | MARK_PASS }),
  ];
  if (dir === 'from') {
    rules.push(R({ proto: 'udp', dstPorts: [String(VXLAN_PORT)], comment: 'DROP VXLAN encapped packets originating in workloads' }, { t: 'DROP' }));
    rules.push(R({ proto: '4', comment: 'DROP IPinIP encapped packets originating in workloads' }, { t: 'DROP' }));
  }
  if (policies.length) {
    rules.push(R({ comment: 'Start of tier default' }, { t: 'mark', value: 0, mask: MARK_PASS }));
    for (const k of policies) {
      rules.push(R({ markClear: MARK_PASS }, { t: 'jump', chain: policyChain(dir === 'to' ? 'in' : 'out', k, nft) }));
      rules.push(R({ markSet: MARK_ACCEPT, comment: 'Return if policy accepted' }, { t: 'RETURN' }));
    }
    rules.push(R({ markClear: MARK_PASS, comment: 'End of tier default. Drop if no policies passed packet' }, { t: 'DROP' }));
  }
  rules.push(R({}, { t: 'jump', chain: profileChain(dir === 'to' ? 'in' : 'out', namespace, nft) }));
  rules.push(R({ markSet: MARK_ACCEPT, comment: 'Return if profile accepted' }, { t: 'RETURN' }));
  rules.push(R({ comment: 'Drop if no profiles matched' }, { t: 'DROP' }));
  return { name: endpointChain(dir, iface, nft), rules };
}

/** The whole engine for one node. nft: chain names without iptables' length limit. */
export function calicoNode(input: PolicyNodeInput, nft: boolean): CalicoNode | undefined {
  const m: PolicyModel | undefined = input.model;
  if (!m) return undefined;
  const canal = input.style === 'canal';
  const bridge = input.bridge ?? 'cni0';
  const wl = canal ? 'veth+' : 'cali+';
  const sets = new Map<string, CalicoSet>();
  const chains: Chain[] = [];
  const local = [...input.endpoints].sort((a, b) => (a.iface < b.iface ? -1 : a.iface > b.iface ? 1 : 0));
  const podPol = new Map(m.pods.map((p) => [p.key, p]));

  // Policies active on this node (selecting one of its pods), in Felix's order: order 1000, then name.
  const active = m.policies.filter((p) => p.selected.some((k) => local.some((e) => e.pod === k)));
  for (const p of active) {
    if (p.ingressType && p.selected.some((k) => local.some((e) => e.pod === k))) chains.push(policyChainOf(p, 'in', sets, nft));
    if (p.egressType) chains.push(policyChainOf(p, 'out', sets, nft));
  }
  for (const ns of [...new Set(local.map((e) => e.namespace))].sort()) {
    chains.push({ name: profileChain('in', ns, nft), rules: [R({ comment: `Profile kns.${ns} ingress` }, { t: 'mark', value: MARK_ACCEPT, mask: MARK_ACCEPT })] });
    chains.push({ name: profileChain('out', ns, nft), rules: [R({ comment: `Profile kns.${ns} egress` }, { t: 'mark', value: MARK_ACCEPT, mask: MARK_ACCEPT })] });
  }
  for (const e of local) {
    const pp = podPol.get(e.pod);
    chains.push(endpointChainOf(e.iface, 'to', e.namespace, pp?.ingress ?? [], nft));
    chains.push(endpointChainOf(e.iface, 'from', e.namespace, pp?.egress ?? [], nft));
  }
  // Dispatch: the workload's interface (cali… veths). On the bridge: the pod's port for traffic from it (physdev,
  // which sees bridged and routed packets alike), its address for traffic to it (routed packets into cni0 have no
  // outgoing bridge port yet when FORWARD runs). nftables has no physdev: both directions go by address there.
  const fromDispatch: Dispatch = { key: canal ? (nft ? 'ip' : 'physdev') : 'iface', entries: local.map((e) => ({ key: canal && nft ? e.ip : e.iface, chain: endpointChain('from', e.iface, nft) })) };
  const toDispatch: Dispatch = { key: canal ? 'ip' : 'iface', entries: local.map((e) => ({ key: canal ? e.ip : e.iface, chain: endpointChain('to', e.iface, nft) })) };

  const fromWl: Match = canal ? (nft ? { inIf: bridge } : { physdevIn: wl }) : { inIf: wl };
  const toWl: Match = canal ? { outIf: bridge } : { outIf: wl };
  const d = (name: string) => (nft ? `filter-${name}` : name);
  chains.push({ name: 'cali-FORWARD', rules: [
    R({}, { t: 'mark', value: 0, mask: ALL_MARKS & ~MARK_ACCEPT }),
    R(fromWl, { t: 'jump', chain: d('cali-from-wl-dispatch') }),
    R(toWl, { t: 'jump', chain: d('cali-to-wl-dispatch') }),
  ] });
  chains.push({ name: 'cali-INPUT', rules: [
    R(fromWl, { t: 'goto', chain: d('cali-wl-to-host') }),
    R({ markSet: MARK_ACCEPT }, { t: 'ACCEPT' }),
  ] });
  chains.push({ name: 'cali-OUTPUT', rules: [
    R({ markSet: MARK_ACCEPT }, { t: 'ACCEPT' }),
    R(canal ? { outIf: bridge } : { outIf: wl }, { t: 'RETURN' }),
  ] });
  chains.push({ name: 'cali-wl-to-host', rules: [
    R({}, { t: 'jump', chain: d('cali-from-wl-dispatch') }),
    R({ comment: 'Configured DefaultEndpointToHostAction' }, { t: 'ACCEPT' }),
  ] });

  const named = chains.map((c) => tagRules(nft ? { name: d(c.name), rules: c.rules.map((r) => retarget(r, d)) } : c));
  return {
    chains: named,
    sets: [...sets.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    fromDispatch: { ...fromDispatch, entries: fromDispatch.entries.map((x) => ({ ...x, chain: d(x.chain) })) },
    toDispatch: { ...toDispatch, entries: toDispatch.entries.map((x) => ({ ...x, chain: d(x.chain) })) },
    input: [R({}, { t: 'jump', chain: d('cali-INPUT') }, nft ? 'cali:H0S9z2pOh43UL0cc' : 'cali:Cz_u1IQiXIMmKD4c')],
    forward: [R({}, { t: 'jump', chain: d('cali-FORWARD') }, nft ? 'cali:dpfqBgJrpRwlrqw1' : 'cali:wUHhoiAYhphO9Mso')],
    output: [R({}, { t: 'jump', chain: d('cali-OUTPUT') }, nft ? 'cali:cxN7yDysHHPQSuUC' : 'cali:tVnHkvAo15HuiPy0')],
    forwardLast: [
      R({ markSet: MARK_ACCEPT, comment: 'Policy explicitly accepted packet.' }, { t: 'ACCEPT' }, nft ? 'cali:yp7iNUYNEhDmKF6E' : 'cali:S93hcgKJrXEqnTfs'),
      R({}, { t: 'mark', value: MARK_ACCEPT, mask: MARK_ACCEPT }, nft ? 'cali:fXaqbwKfGHq5dvHP' : 'cali:mp77cMpurHhyjLrM'),
    ],
  };
}

/** nft chains live in one table with Felix's "filter-" prefix: jumps to policy and endpoint chains follow. */
function retarget(r: Rule, d: (n: string) => string): Rule {
  if (r.a.t === 'jump' || r.a.t === 'goto') {
    const c = r.a.chain;
    return { ...r, a: { t: r.a.t, chain: c.startsWith('filter-') ? c : d(c) } };
  }
  return r;
}
