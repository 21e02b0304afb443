// The Kubernetes documentation's own example manifests (examples/learning/), as learners bring them to podlab: each
// is accepted with the example Cluster and decides the pods, names, placements and endpoints Kubernetes would.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadLab } from '../../src/lab/load.js';
import { resolveLab } from '../../src/modes/registry.js';
import type { Topology } from '../../src/model/topology.js';

const DIR = fileURLToPath(new URL('../../examples/learning/', import.meta.url));
const CLUSTER = join(DIR, 'cluster.yaml');
const files = readdirSync(DIR).filter((f) => /^\d\d-.*\.yaml$/.test(f)).sort();
const topo = (f: string): Topology => resolveLab(loadLab([CLUSTER, join(DIR, f)]));
const user = (tp: Topology) => tp.pods.filter((p) => !p.system);

t.test('every example is accepted as written', async (t) => {
  t.ok(files.length >= 15, `${files.length} examples`);
  for (const f of files) t.doesNotThrow(() => topo(f), f);
});

t.test('Deployment + Service: three pods behind my-nginx, named as the controllers name them', async (t) => {
  const tp = topo('01-nginx-deployment.yaml');
  const pods = user(tp);
  t.equal(pods.length, 3);
  for (const p of pods) t.match(p.name, /^nginx-deployment-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
  const svc = tp.services.find((s) => s.name === 'my-nginx')!;
  t.equal(svc.endpoints.length, 3, 'every replica is an endpoint');
  // nginx:1.14.2 declares port 80 and runs as its image would for the dataplane: an HTTP server on 80.
  t.same(pods[0]!.containers[0]!.ports.map((p) => p.containerPort), [80]);
});

t.test('StatefulSet with its headless Service: web-0…web-2 with hostname and subdomain', async (t) => {
  const tp = topo('04-statefulset.yaml');
  t.same(user(tp).map((p) => p.name).sort(), ['web-0', 'web-1', 'web-2']);
  for (const p of user(tp)) {
    t.equal(p.hostname, p.name);
    t.equal(p.subdomain, 'nginx');
  }
  t.equal(tp.services.find((s) => s.name === 'nginx')!.clusterIP, 'None');
});

t.test('DaemonSet: one pod on every node', async (t) => {
  const tp = topo('05-daemonset.yaml');
  const ds = user(tp).filter((p) => p.name.startsWith('fluentd-elasticsearch-'));
  t.same(ds.map((p) => p.node).sort(), ['node1', 'node2', 'node3']);
});

t.test('init containers: the app waits for both, and every container can read its namespace as the docs example does', async (t) => {
  const p = user(topo('03-init-containers.yaml')).find((x) => x.name === 'myapp-pod')!;
  t.same(p.initContainers?.map((c) => c.name), ['init-myservice', 'init-mydb']);
  for (const c of [...(p.initContainers ?? []), ...p.containers]) {
    t.ok(c.volumeMounts?.some((m) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount' && m.readOnly), `${c.name} mounts the service account folder`);
  }
  const sa = p.volumes?.find((v) => v.name === 'kube-api-access');
  t.ok(sa && sa.type === 'files' && sa.files.some((f) => f.path === 'namespace' && Buffer.from(f.base64, 'base64').toString() === 'default'), 'its namespace file says default');
});

t.test('a pod of netexec servers gets no service account folder (nothing in it could read one)', async (t) => {
  for (const p of user(topo('01-nginx-deployment.yaml'))) t.notOk(p.volumes?.some((v) => v.name === 'kube-api-access'), p.name);
});

t.test('NetworkPolicies, a NodePort, ConfigMap env, probes, sidecars and hostAliases are taken as written', async (t) => {
  const np = topo('08-netpol.yaml');
  t.ok(np.policy, 'policies in the topology');
  const svc = topo('11-nodeport.yaml').services.find((s) => s.name === 'example-service')!;
  t.equal(svc.type, 'NodePort');
  const dapi = user(topo('12-configmap-env.yaml')).find((p) => p.name === 'dapi-test-pod')!;
  t.equal(dapi.restartPolicy, 'Never');
  const live = user(topo('09-liveness.yaml')).find((p) => p.name === 'liveness-exec')!;
  t.ok(live.containers[0]!.livenessProbe, 'livenessProbe kept');
  const counter = user(topo('10-sidecar.yaml')).find((p) => p.name === 'counter')!;
  t.equal(counter.containers.length, 2);
  const ha = user(topo('14-hostaliases.yaml')).find((p) => p.name === 'hostaliases-pod')!;
  t.same(ha.hostAliases?.[0]?.hostnames, ['foo.local', 'bar.local']);
});
