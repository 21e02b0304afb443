// NetworkPolicy as the last stage of the expectation model: generated checks judged on the translated destination
// (ClusterIP/NodePort → the endpoint pod), from the address the destination's node sees.
import t from 'tap';
import { lab, pod, svc } from '../helpers/svclab.js';
import { getMode } from '../../src/modes/registry.js';
import { generateChecks } from '../../src/expect/generate.js';
import { applyPolicyStage, expectationsWithPolicy } from '../../src/expect/policy-stage.js';
import { AWS_ENGINE, CALICO_ENGINE } from '../../src/expect/policy.js';
import { policy } from '../helpers/netpol.js';

// web-2 (node2) takes no ingress at all; web-1 (node1) and the client are not isolated.
const topo = lab(
  pod('web-1', 'node1', '{app: web, tier: one}'), pod('web-2', 'node2', '{app: web, tier: two}'), pod('client', 'node1', '{app: client}'),
  svc('web', 'type: NodePort\nselector: {app: web}\nports: [{name: http, port: 80, targetPort: http}]'),
  policy('default', 'deny-two', 'podSelector: {matchLabels: {tier: two}}\npolicyTypes: [Ingress]'),
);
const base = getMode('overlay').expectations;
// Direct traffic is judged by the model's PolicyStage (composeExpectations); Services after generation.
const m = expectationsWithPolicy(topo, base);
const gen = generateChecks(topo, m).checks;
const calico = applyPolicyStage(topo, m, gen, CALICO_ENGINE);
const aws = applyPolicyStage(topo, m, gen, AWS_ENGINE);
const find = (cs: typeof gen, id: string) => {
  const c = cs.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} (have: ${cs.map((x) => x.id).filter((x) => x.includes(id.split(' ')[0]!)).join(' | ')})`);
  return c;
};

t.test('direct traffic', async (t) => {
  t.equal(find(calico, 'pod-to-pod/same-node TCP default/client -> default/web-1:8080').expect.outcome, 'ok');
  const blocked = find(calico, 'pod-to-pod/cross-node TCP default/client -> default/web-2:8080').expect;
  t.equal(blocked.outcome, 'blocked');
  t.match(blocked.basis, /^E2: .*; but NetworkPolicy: blocked: ingress of default\/web-2 is isolated by default\/deny-two/);
  t.equal(find(calico, 'pod-to-pod/cross-node ICMP default/client -> default/web-2').expect.outcome, 'blocked', 'ICMP too');
  t.equal(find(calico, 'node-to-pod/local TCP node/node2 -> default/web-2:8080').expect.outcome, 'ok', 'its own node reaches it (kubelet probes)');
  t.equal(find(calico, 'node-to-pod/remote TCP node/node1 -> default/web-2:8080').expect.outcome, 'blocked', 'another node does not');
  t.equal(find(calico, 'pod-to-external TCP default/web-2 -> external:8080').expect.outcome, 'ok', 'no egress policy');
});

t.test('Services are judged on the endpoint they are translated to', async (t) => {
  const toSvc = find(calico, 'service/cluster-ip TCP default/client -> svc/default/web:http').expect;
  t.same([toSvc.outcome, toSvc.backends], ['ok', ['web-1']], 'only web-1 may answer');
  t.match(toSvc.basis, /only web-1 may answer \(default\/web-2 blocked/);
  t.same(find(calico, 'service/node-to-clusterip TCP node/node2 -> svc/default/web:http').expect.mayAnswer, ['web-1', 'web-2'], 'node2 is web-2\'s own node');
  t.same(find(calico, 'service/node-to-clusterip TCP node/node1 -> svc/default/web:http').expect.mayAnswer, ['web-1'], 'from node1, web-2 sees a node address');
  // external → NodePort via node2: web-2 is local there. Calico's chains see the external client (SNAT comes
  // after them); the AWS agent on the veth sees the node IP kube-proxy masqueraded to.
  const np = 'service/nodeport TCP external -> nodeport/node2/default/web:http';
  const c2 = find(calico, `${np} ${topo.nodes[1]!.ip}:${topo.services[0]!.ports[0]!.nodePort}`).expect;
  const a2 = find(aws, `${np} ${topo.nodes[1]!.ip}:${topo.services[0]!.ports[0]!.nodePort}`).expect;
  t.same(c2.mayAnswer, ['web-1'], 'Calico: web-2 blocks the external client');
  t.same(a2.mayAnswer, ['web-1', 'web-2'], 'AWS: web-2 sees its node IP');
});

t.test('no policies: the checks are unchanged', async (t) => {
  const plain = lab(pod('a', 'node1'), pod('b', 'node2'));
  t.equal(expectationsWithPolicy(plain, base), base, 'the mode\'s own expectations');
  const g = generateChecks(plain, base).checks;
  t.same(applyPolicyStage(plain, base, g), g);
});
