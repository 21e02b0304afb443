// The daemon's pure pieces: kube-proxy's partial restore of changed chains, what a set of ops changed (the words of a
// repair event), and --resync durations.
import t from 'tap';
import { partialRestore } from '../../src/kernel/partial.js';
import { describeOps } from '../../src/kernel/changes.js';
import { emptyOps } from '../../src/kernel/ops.js';
import { whyOf } from '../../src/daemon/lab.js';
import { parseDuration } from '../../src/cli/commands/daemon.js';

const BEFORE = `*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-SEP-1 - [0:0]
:KUBE-SEP-2 - [0:0]
-A PREROUTING -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.10/32 -j KUBE-SVC-A
-A KUBE-SVC-A -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-1
-A KUBE-SVC-A -j KUBE-SEP-2
-A KUBE-SEP-1 -p tcp -j DNAT --to-destination 10.244.0.2:8080
-A KUBE-SEP-2 -p tcp -j DNAT --to-destination 10.244.1.2:8080
COMMIT
*filter
:INPUT ACCEPT [0:0]
COMMIT
`;

t.test('partial restore: only the changed chains, new chains declared, gone chains flushed then deleted', async (t) => {
  const after = BEFORE.replace('-A KUBE-SVC-A -j KUBE-SEP-2\n', '-A KUBE-SVC-A -j KUBE-SEP-3\n')
    .replace(':KUBE-SEP-2 - [0:0]', ':KUBE-SEP-3 - [0:0]')
    .replace('-A KUBE-SEP-2 -p tcp -j DNAT --to-destination 10.244.1.2:8080', '-A KUBE-SEP-3 -p tcp -j DNAT --to-destination 10.244.1.3:8080')
    .replace('probability 0.5000000000 -j KUBE-SEP-1', 'probability 0.5000000000 -j KUBE-SEP-1');
  const p = partialRestore(BEFORE, after)!;
  t.equal(p.text, `*nat
:KUBE-SVC-A - [0:0]
:KUBE-SEP-3 - [0:0]
:KUBE-SEP-2 - [0:0]
-A KUBE-SVC-A -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-1
-A KUBE-SVC-A -j KUBE-SEP-3
-A KUBE-SEP-3 -p tcp -j DNAT --to-destination 10.244.1.3:8080
-X KUBE-SEP-2
COMMIT
`);
  t.equal(p.chains, 3);
  t.same(partialRestore(BEFORE, BEFORE), { text: '', chains: 0 }, 'nothing changed: nothing to write');
  const builtin = partialRestore(BEFORE, BEFORE.replace('-A PREROUTING -j KUBE-SERVICES', '-A PREROUTING -j KUBE-SERVICES\n-A PREROUTING -j RETURN'))!;
  t.match(builtin.text, /^\*nat\n-F PREROUTING\n-A PREROUTING -j KUBE-SERVICES\n-A PREROUTING -j RETURN\nCOMMIT\n$/, 'a built-in chain is flushed with -F');
  t.equal(partialRestore(BEFORE, BEFORE.replace('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', '')), undefined, 'a table gone: only a full restore');
  t.equal(partialRestore(BEFORE, BEFORE.replace(':INPUT ACCEPT', ':INPUT DROP')), undefined, 'a policy changed: only a full restore');
});

t.test('what ops changed, in the words of a repair', async (t) => {
  const o = { ...emptyOps('pl-demo-node1'), ip: ['route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink', 'link set cni0 up', 'addr add 10.244.0.1/24 dev cni0', 'neigh del 10.244.2.0 dev flannel.1'], bridge: ['fdb replace aa:bb:cc:dd:ee:ff dev flannel.1 dst 172.18.0.12 self permanent'], sysctlsBefore: [['net.ipv4.ip_forward', '1']] as [string, string][] };
  const cs = describeOps(o);
  t.same(cs.map((c) => `${c.kind} ${c.object} ${c.action} (${whyOf(c)})`), [
    'sysctl net.ipv4.ip_forward changed (changed by someone)',
    'route 10.244.1.0/24 added (deleted by someone)',
    'link cni0 changed (changed by someone)',
    'address 10.244.0.1/24 dev cni0 added (deleted by someone)',
    'neighbour 10.244.2.0 dev flannel.1 removed (added by someone)',
    'fdb aa:bb:cc:dd:ee:ff dev flannel.1 dst 172.18.0.12 added (deleted by someone)',
  ]);
});

t.test('--resync durations', async (t) => {
  t.equal(parseDuration('30s'), 30_000);
  t.equal(parseDuration('500ms'), 500);
  t.equal(parseDuration('2m'), 120_000);
  t.equal(parseDuration('5'), 5000);
  t.throws(() => parseDuration('soon'), /not a duration/);
  t.throws(() => parseDuration('10ms'), /at least/);
});
