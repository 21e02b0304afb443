// Validation from Kubernetes' own schema: types, enums, required fields and unknown fields mapped to file:line; known
// fields podlab does not use get one notice each; fields that do not matter to a dataplane pass quietly.
import t from 'tap';
import { parseLabFiles } from '../../src/modes/registry.js';
import { SpecError, type Problem } from '../../src/input/problems.js';
import { cluster } from '../helpers/wl.js';

const C = cluster(['node1: {}']);
function run(text: string): { problems: Problem[]; notices: string[] } {
  try {
    return { problems: [], notices: [...parseLabFiles([{ file: 'lab.yaml', text: C + text, dir: '/tmp' }]).notices] };
  } catch (e) {
    if (e instanceof SpecError) return { problems: [...e.problems], notices: [] };
    throw e;
  }
}
const lineOf = (text: string, needle: string) => (C + text).split('\n').findIndex((l) => l.includes(needle)) + 1;

t.test('unknown fields are rejected at their line, with the closest known name', async (t) => {
  const text = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, lables: {a: b}}
spec:
  replica: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: c
          imagePullPolice: Always
          ports: [{containerPort: 80, protocl: TCP}]
      nodeSelectr: {a: b}
`;
  const { problems } = run(text);
  const want: [string, string, string][] = [
    ['Deployment default/web metadata.lables', 'unknown field "lables": Kubernetes does not know it (did you mean "labels"?)', 'lables'],
    ['Deployment default/web spec.replica', 'unknown field "replica": Kubernetes does not know it (did you mean "replicas"?)', 'replica:'],
    ['Deployment default/web spec.template.spec.containers[0].imagePullPolice', 'unknown field "imagePullPolice": Kubernetes does not know it (did you mean "imagePullPolicy"?)', 'imagePullPolice'],
    ['Deployment default/web spec.template.spec.containers[0].ports[0].protocl', 'unknown field "protocl": Kubernetes does not know it (did you mean "protocol"?)', 'protocl'],
    ['Deployment default/web spec.template.spec.nodeSelectr', 'unknown field "nodeSelectr": Kubernetes does not know it (did you mean "nodeSelector"?)', 'nodeSelectr'],
  ];
  for (const [path, message, needle] of want) {
    const p = problems.find((x) => x.path === path);
    t.equal(p?.message, message, path);
    t.equal(p?.line, lineOf(text, needle), `${path} line`);
    t.equal(p?.file, 'lab.yaml');
  }
  t.equal(problems.length, want.length, problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
});

t.test('types, enums and required fields from the schema, at the field\'s line', async (t) => {
  const text = `---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Sometimes
  dnsPolicy: Whatever
  containers:
    - name: c
      command: [sleep, 10]
      ports: [{containerPort: "80"}]
      env: [{value: x}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  backoffLimit: many
  template: {spec: {restartPolicy: Never, containers: [{name: c, command: [x], resources: {limits: {cpu: lots}}}]}}
`;
  const { problems } = run(text);
  const msg = (path: string) => problems.find((p) => p.path === path);
  t.match(msg('Pod default/p spec.restartPolicy')?.message, /^must be one of "Always", "Never", "OnFailure", got "Sometimes"$/);
  t.equal(msg('Pod default/p spec.restartPolicy')?.line, lineOf(text, 'Sometimes'));
  t.match(msg('Pod default/p spec.dnsPolicy')?.message, /^must be one of .*"ClusterFirst".*, got "Whatever"$/);
  t.equal(msg('Pod default/p spec.containers[0].command[1]')?.message, 'must be a string, got 10');
  t.equal(msg('Pod default/p spec.containers[0].ports[0].containerPort')?.message, 'must be an integer, got "80"');
  t.equal(msg('Pod default/p spec.containers[0].env[0].name')?.message, 'is required');
  t.equal(msg('Job default/j spec.backoffLimit')?.message, 'must be an integer, got "many"');
  t.match(msg('Job default/j spec.template.spec.containers[0].resources.limits.cpu')?.message ?? '', /quantity/);
});

t.test('a known field podlab ignores: one notice line for all its places; dataplane-irrelevant fields: nothing', async (t) => {
  const dep = (n: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${n}, annotations: {owner: me}, uid: abc}
spec:
  selector: {matchLabels: {app: ${n}}}
  template:
    metadata: {labels: {app: ${n}}}
    spec:
      serviceAccountName: sa
      imagePullSecrets: [{name: reg}]
      securityContext: {runAsNonRoot: true}
      priorityClassName: high
      shareProcessNamespace: true
      initContainers: [{name: init, image: busybox}]
      containers:
        - name: c
          image: nginx
          imagePullPolicy: IfNotPresent
          resources: {requests: {cpu: 100m}}
          securityContext: {readOnlyRootFilesystem: true}
          readinessProbe: {httpGet: {path: /, port: 80}}
          lifecycle: {preStop: {exec: {command: [sleep, "1"]}}}
          volumeDevices: [{name: raw, devicePath: /dev/xvda}]
          ports: [{containerPort: 80}]
status: {replicas: 1}
`;
  const { problems, notices } = run(dep('a') + dep('b') + `---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {type: NodePort, selector: {app: a}, ports: [{port: 80, appProtocol: http}], sessionAffinity: None, publishNotReadyAddresses: false, loadBalancerClass: example.com/lb, ipFamilyPolicy: SingleStack}
`);
  t.same(problems, []);
  const about = (f: string) => notices.filter((n) => n.includes(`"${f}"`));
  for (const f of ['shareProcessNamespace', 'volumeDevices']) {
    t.equal(about(f).length, 1, `one notice for ${f}`);
    t.match(about(f)[0], /\(and 1 more like it\)$/);
  }
  t.match(about('volumeDevices')[0], /^lab\.yaml:\d+: Deployment default\/a spec\.template\.spec\.containers\[0\]\.volumeDevices: "volumeDevices" is known to Kubernetes but not used by podlab/);
  // The pod lifecycle uses these: no notice.
  for (const f of ['image', 'readinessProbe', 'lifecycle', 'initContainers']) t.same(about(f), [], `${f} is used`);
  t.match(about('loadBalancerClass')[0], /Service default\/s spec\.loadBalancerClass: "loadBalancerClass" is known to Kubernetes but not used by podlab$/);
  for (const f of ['serviceAccountName', 'imagePullSecrets', 'securityContext', 'resources', 'annotations', 'uid', 'status', 'imagePullPolicy', 'priorityClassName', 'appProtocol', 'ipFamilyPolicy']) t.same(about(f), [], `${f} is quiet`);
});

t.test('podlab\'s own checks stay on top, and win where both speak', async (t) => {
  const { problems } = run(`---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      ports: [{containerPort: 70000, protocol: TCPX, hostPort: 70001}]
---
apiVersion: apps/v2
kind: Deployment
metadata: {name: d}
spec: {}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: e}
spec:
  selector: {matchLabels: {app: x}}
  template: {metadata: {labels: {app: y}}, spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}}
`);
  const all = problems.map((p) => `${p.path}: ${p.message}`);
  t.ok(all.includes('Pod default/p spec.containers[0].ports[0].containerPort: 70000 is out of range 1-65535'), 'podlab: a range the schema does not have');
  t.ok(all.includes('Pod default/p spec.containers[0].ports[0].protocol: "TCPX" is not a protocol (TCP, UDP or SCTP)'), 'podlab\'s message, not a second one from the schema');
  t.equal(all.filter((p) => p.startsWith('Pod default/p spec.containers[0].ports[0].protocol')).length, 1);
  t.ok(all.includes('Pod default/p spec.containers[0].ports[0].hostPort: 70001 is out of range 1-65535'), 'podlab: the host port range');
  t.ok(all.includes('Deployment default/d apiVersion: must be "apps/v1" for a Deployment, got "apps/v2"'));
  t.ok(all.includes('Deployment default/e spec.template.metadata.labels: `selector` does not match template `labels`'));
});

t.test('fields the old allow-lists refused are Kubernetes\' and now pass', async (t) => {
  const { problems } = run(`---
apiVersion: v1
kind: Pod
metadata: {name: p, generateName: p-, finalizers: [x]}
spec:
  hostname: h
  subdomain: s
  enableServiceLinks: false
  tolerations: [{operator: Exists}]
  containers: [{name: c, ports: [{containerPort: 80}], tty: true, terminationMessagePolicy: File}]
---
apiVersion: v1
kind: Namespace
metadata: {name: n, annotations: {a: b}}
spec: {finalizers: [kubernetes]}
`);
  t.same(problems, []);
});
