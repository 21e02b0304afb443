// NetworkPolicy rule generation, snapshot-tested as the text each node gets (iptables-restore + ipset restore, or
// nft -f) in every mode and both proxy modes, plus the shapes that matter: where the jumps sit among kube-proxy's
// and the CNI's rules, Felix's names and match blocks, and nothing at all without policies.
import t from 'tap';
import { netpolTopology, policy } from '../helpers/netpol.js';
import { getMode } from '../../src/modes/registry.js';
import { lengthLimitedId, policyChain, uniqueId, ipsetName } from '../../src/dataplane/policy/calico.js';
import { ipsetNames } from '../../src/dataplane/policy/index.js';

const POLICIES = policy('x', 'deny-all', 'podSelector: {}\npolicyTypes: [Ingress, Egress]')
  + policy('x', 'web', 'podSelector: {matchLabels: {pod: a}}\ningress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}}, {podSelector: {matchLabels: {pod: b}}}]\n    ports: [{port: serve-80-tcp}, {port: 81}]\n  - ports: [{protocol: SCTP, port: 80}]')
  + policy('x', 'egress', 'podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.244.1.0/24, 10.244.2.0/24]}}]\n    ports: [{protocol: TCP, port: 81, endPort: 90}]\n  - ports: [{protocol: UDP, port: 53}]');

function node1(mode: string, proxyMode: string, policies = POLICIES) {
  const t = netpolTopology(policies, { mode, proxyMode });
  const plan = getMode(t.mode).plan(t);
  const ns = plan.namespaces.find((n) => n.netns === 'pl-np-node1')!;
  const of = (engine: string) => ns.rulesets.filter((r) => r.engine === engine);
  // The node's rule sets by engine: iptables text, ipset text, every nft table's text (kube-proxy's first).
  return {
    ns, iptables: of('iptables')[0]?.text, ipsets: of('ipset')[0]?.text,
    nftables: of('nftables').map((r) => r.text).join('\n') || undefined,
  };
}

/** The engine's part of a node's iptables text: its chains and every rule naming one (kube-proxy's and the CNI's left out). */
const enginePart = (ipt: string) => ipt.split('\n').filter((l) => /cali-|AWS-NP-|^\*filter|^COMMIT/.test(l) && !/^:(cali-POSTROUTING|cali-nat-outgoing)|-A (cali-POSTROUTING|cali-nat-outgoing|POSTROUTING)/.test(l)).join('\n');
const nftPart = (nft: string) => nft.slice(nft.search(/^add table ip (calico|aws-network-policy-agent)$/m));

for (const mode of ['overlay', 'bgp', 'vpc']) {
  t.test(`${mode}: iptables mode snapshot`, async (t) => {
    const n = node1(mode, 'iptables');
    t.matchSnapshot(enginePart(n.iptables!), 'filter table: the policy engine');
    t.matchSnapshot(n.ipsets, 'ipset restore');
  });
  t.test(`${mode}: nftables mode snapshot`, async (t) => {
    const n = node1(mode, 'nftables');
    t.matchSnapshot(nftPart(n.nftables!), 'the engine\'s nftables table');
    t.equal(n.ipsets, undefined, 'no ipsets in nftables mode');
  });
}

t.test('jumps before kube-proxy and the CNI, Calico\'s final accept after them', async (t) => {
  const fwd = node1('overlay', 'iptables').iptables!.split('\n').filter((l) => l.startsWith('-A FORWARD '));
  t.match(fwd[0]!, /-A FORWARD -m comment --comment cali:wUHhoiAYhphO9Mso -j cali-FORWARD/, 'cali-FORWARD first, as Felix inserts it');
  t.ok(fwd.findIndex((l) => /KUBE-FORWARD/.test(l)) > 0, 'kube-proxy after it');
  t.ok(fwd.findIndex((l) => /FLANNEL-FWD/.test(l)) < fwd.findIndex((l) => /Policy explicitly accepted packet/.test(l)), 'flannel before Calico\'s appended accept');
  t.match(fwd[fwd.length - 1]!, /-j MARK --set-xmark 0x10000\/0x10000/, 'the last rule marks forwarded traffic accepted, as Felix appends it');
  const vpc = node1('vpc', 'iptables').iptables!.split('\n').filter((l) => l.startsWith('-A FORWARD '));
  t.match(vpc[0]!, /-j AWS-NP-FORWARD$/, 'vpc: the agent\'s chain first');
});

t.test('Canal on the bridge: physdev for traffic from a pod, the pod address towards it', async (t) => {
  const ipt = node1('overlay', 'iptables').iptables!;
  t.match(ipt, /-A cali-FORWARD -m comment --comment \S+ -m physdev --physdev-in veth\+ -j cali-from-wl-dispatch/);
  t.match(ipt, /-A cali-FORWARD -o cni0 -m comment --comment \S+ -j cali-to-wl-dispatch/);
  t.match(ipt, /-A cali-from-wl-dispatch -m comment --comment \S+ -m physdev --physdev-in veth[0-9a-f]{8} -g cali-fw-veth[0-9a-f]{8}/);
  t.match(ipt, /-A cali-to-wl-dispatch -d 10\.244\.0\.\d+\/32 -m comment --comment \S+ -g cali-tw-veth[0-9a-f]{8}/);
  const nft = node1('overlay', 'nftables').nftables!;
  t.match(nft, /add rule ip calico filter-cali-FORWARD iifname "cni0" jump filter-cali-from-wl-dispatch/, 'nftables has no physdev: by address on cni0');
  t.match(nft, /add rule ip calico filter-cali-from-wl-dispatch ip saddr vmap @filter-cali-from-wl-dispatch/);
  const bgp = node1('bgp', 'iptables').iptables!;
  t.match(bgp, /-A cali-FORWARD -i cali\+ -m comment --comment \S+ -j cali-from-wl-dispatch/);
  t.match(bgp, /-A cali-to-wl-dispatch -o cali[0-9a-f]{11} -m comment --comment \S+ -g cali-tw-cali[0-9a-f]{11}/);
});

t.test('Felix names and match blocks', async (t) => {
  t.equal(policyChain('in', 'x/web'), 'cali-pi-knp/x/web', 'short enough: kept as is');
  t.equal(lengthLimitedId('cali-pi-', 'knp/default/allow-from-frontend', 28).length, 28);
  t.match(lengthLimitedId('cali-pi-', 'knp/default/allow-from-frontend', 28), /^cali-pi-_[A-Za-z0-9_-]{19}$/, 'hashed: prefix + "_" + base64url(sha256)');
  t.match(uniqueId('s', "has(app)"), /^s:[A-Za-z0-9_-]{38}$/);
  t.equal(ipsetName(uniqueId('s', 'x')).length, 31, 'cali40s:… cut to 31 characters');
  const ipt = node1('bgp', 'iptables').iptables!;
  // serve-80-tcp and 81 in one rule: a port match block (scratch0), then the main rule needs it.
  t.match(ipt, /-A cali-pi-knp\/x\/web .*-j MARK --set-xmark 0x0\/0x180000/);
  t.match(ipt, /-A cali-pi-knp\/x\/web -p tcp .*-m multiport --destination-ports 81 -j MARK --set-xmark 0x80000\/0x80000/);
  t.match(ipt, /-A cali-pi-knp\/x\/web .*-m set --match-set cali40n:\S+ dst,dst -j MARK --set-xmark 0x80000\/0x80000/);
  t.match(ipt, /-A cali-pi-knp\/x\/web -p tcp .*-m mark --mark 0x80000\/0x80000 -m set --match-set cali40s:\S+ src -j MARK --set-xmark 0x10000\/0x10000/);
  // An except: a negated match block clears scratch0 for each except CIDR.
  t.match(ipt, /-A cali-po-knp\/x\/egress .*-j MARK --set-xmark 0x80000\/0x180000/);
  t.match(ipt, /-A cali-po-knp\/x\/egress -d 10\.244\.1\.0\/24 .*-j MARK --set-xmark 0x0\/0x80000/);
  t.match(ipt, /-A cali-po-knp\/x\/egress -d 10\.0\.0\.0\/8 -p tcp .*-m mark --mark 0x80000\/0x80000 -m multiport --destination-ports 81:90 -j MARK --set-xmark 0x10000\/0x10000/);
  t.match(ipt, /-A cali-pi-knp\/x\/web -p sctp .*--destination-ports 80 -j MARK/, 'SCTP stays SCTP');
  t.match(ipt, /-A cali-pi-knp\/x\/deny-all -m comment --comment \S+ -m comment --comment "KubernetesNetworkPolicy x\/deny-all ingress"$/m, 'a policy without rules: one no-op rule carrying the chain comment');
  const sets = node1('bgp', 'iptables').ipsets!;
  t.match(sets, /^add cali4t1 10\.244\.0\.\d+,tcp:80$/m, 'the named port resolved on the selected pod');
  t.same(ipsetNames(sets).every((n) => /^cali40[sn]:/.test(n)), true, 'temporary sets are not kept');
});

t.test('no policies: no engine, no IP sets, no engine table (the ledger removes what an earlier run wrote)', async (t) => {
  for (const mode of ['overlay', 'bgp', 'vpc']) {
    const n = node1(mode, 'iptables', '');
    t.notMatch(n.iptables!, /^:(cali-(?!POSTROUTING|nat-outgoing)|AWS-NP-)/m, `${mode}: no chains`);
    t.equal(n.ipsets, undefined);
    const nft = node1(mode, 'nftables', '');
    t.same(nft.ns.rulesets.map((r) => r.table ?? r.engine), ['iptables', 'ip kube-proxy'], `${mode}: kube-proxy's table alone`);
  }
});

t.test('rule set order: the IP sets before the iptables rules that name them; the engine\'s nft table of its own', async (t) => {
  t.same(node1('bgp', 'iptables').ns.rulesets.map((r) => `${r.engine}:${r.owner}`), ['ipset:calico', 'iptables:node']);
  t.same(node1('overlay', 'nftables').ns.rulesets.map((r) => `${r.engine}:${r.table ?? ''}:${r.owner}`), ['iptables::node', 'nftables:ip kube-proxy:kube-proxy', 'nftables:ip calico:canal']);
  t.same(node1('vpc', 'nftables').ns.rulesets.map((r) => r.table ?? r.engine), ['iptables', 'ip kube-proxy', 'ip aws-network-policy-agent']);
});
