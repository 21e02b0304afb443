// ConfigMaps, Secrets and the downward API: env, envFrom and volumes as kubelet resolves them, and its reasons when
// an object or key is missing (the pod is Pending, the files are valid).
import t from 'tap';
import { cluster, parse, problems, topo } from '../helpers/wl.js';
import { expand, parseQuantity } from '../../src/model/env.js';

const C = cluster(['node1: {}']);
const CM = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {MODE: fast, LEVEL: "3", app.conf: "a=1\\n", bad-key.x: skipped}
binaryData: {logo.png: iVBORw0K}
`;
const SECRET = `---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {user: YWRtaW4=}
stringData: {password: s3cr3t, user: root}
`;
const pod = (container: string, spec = '') => `---
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: x}, annotations: {team: net}}
spec:
${spec}  containers:
    - name: c
      command: [sleep, "60"]
${container.replace(/^/gm, '      ')}
`;

t.test('env: configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef, $(VAR); envFrom with prefix; later entries win', async (t) => {
  const tp = topo(C + CM + SECRET + pod(`resources: {limits: {cpu: 500m, memory: 128Mi}}
envFrom:
  - configMapRef: {name: cfg}
  - {prefix: DB_, secretRef: {name: creds}}
env:
  - {name: MODE, value: slow}
  - {name: LVL, valueFrom: {configMapKeyRef: {name: cfg, key: LEVEL}}}
  - {name: PASS, valueFrom: {secretKeyRef: {name: creds, key: password}}}
  - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
  - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
  - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
  - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
  - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
  - {name: TEAM, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['team']"}}}
  - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
  - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
  - {name: REQ_CPU, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
  - {name: URL, value: "http://$(IP):80/$(NOPE)/$$(IP)"}
  - {name: OPT, valueFrom: {configMapKeyRef: {name: missing, key: x, optional: true}}}`));
  const env = tp.pods[0]!.containers[0]!.env;
  t.same(env, {
    MODE: 'slow', LEVEL: '3', 'app.conf': 'a=1\n', 'bad-key.x': 'skipped', DB_user: 'root', DB_password: 's3cr3t',
    LVL: '3', PASS: 's3cr3t', POD: 'p', NS: 'default', IP: '10.244.0.2', NODE: 'node1', HOST_IP: '172.18.0.11', TEAM: 'net',
    CPU: '1', MEM_MI: '128', REQ_CPU: '500', URL: 'http://10.244.0.2:80/$(NOPE)/$(IP)',
  });
  t.equal(tp.pending, undefined);
});

t.test('a missing ConfigMap, Secret or key keeps the pod Pending with kubelet\'s reason; optional does not', async (t) => {
  const reason = (text: string) => topo(C + text).pending?.[0]?.reason;
  t.equal(reason(pod('env: [{name: A, valueFrom: {configMapKeyRef: {name: x, key: k}}}]')), 'CreateContainerConfigError: configmap "x" not found');
  t.equal(reason(CM + pod('env: [{name: A, valueFrom: {configMapKeyRef: {name: cfg, key: nope}}}]')), "CreateContainerConfigError: couldn't find key nope in ConfigMap default/cfg");
  t.equal(reason(pod('envFrom: [{secretRef: {name: creds}}]')), 'CreateContainerConfigError: secret "creds" not found');
  t.equal(reason(SECRET + pod('env: [{name: A, valueFrom: {secretKeyRef: {name: creds, key: token}}}]')), "CreateContainerConfigError: couldn't find key token in Secret default/creds");
  t.equal(reason(pod('volumeMounts: [{name: v, mountPath: /etc/x}]', '  volumes: [{name: v, configMap: {name: gone}}]\n')), 'ContainerCreating: MountVolume.SetUp failed for volume "v" : configmap "gone" not found');
  t.equal(reason(pod('envFrom: [{configMapRef: {name: x, optional: true}}]')), undefined);
  const tp = topo(C + pod('env: [{name: A, valueFrom: {configMapKeyRef: {name: x, key: k}}}]'));
  t.equal(tp.pending![0]!.node, 'node1', 'scheduled, not started');
  t.same(tp.pods, [], 'not built');
  // Once the object is there, the same pod starts.
  t.equal(topo(C + `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {k: v}\n` + pod('env: [{name: A, valueFrom: {configMapKeyRef: {name: x, key: k}}}]')).pods[0]!.containers[0]!.env.A, 'v');
});

t.test('volumes: configMap, secret, downwardAPI and projected files; emptyDir, hostPath as they are', async (t) => {
  const tp = topo(C + CM + SECRET + pod('volumeMounts: [{name: cfg, mountPath: /etc/cfg}]', `  volumes:
    - {name: cfg, configMap: {name: cfg, items: [{key: app.conf, path: conf/app.conf, mode: 256}]}}
    - {name: all, configMap: {name: cfg}}
    - {name: sec, secret: {secretName: creds, defaultMode: 0o600}}
    - name: info
      downwardAPI:
        items:
          - {path: name, fieldRef: {fieldPath: metadata.name}}
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
    - name: proj
      projected:
        sources:
          - configMap: {name: cfg, items: [{key: MODE, path: mode}]}
          - secret: {name: creds, items: [{key: user, path: user}]}
    - {name: scratch, emptyDir: {medium: Memory}}
    - {name: logs, hostPath: {path: /var/log, type: Directory}}
`));
  const v = Object.fromEntries(tp.pods[0]!.volumes!.map((x) => [x.name, x]));
  const files = (n: string) => (v[n] as { files: { path: string; base64: string; mode: number }[] }).files.map((f) => [f.path, Buffer.from(f.base64, 'base64').toString(), f.mode.toString(8)]);
  t.same(files('cfg'), [['conf/app.conf', 'a=1\n', '400']]);
  t.same(files('all').map((f) => f[0]), ['LEVEL', 'MODE', 'app.conf', 'bad-key.x', 'logo.png'], 'every key, binaryData too');
  t.same(files('sec'), [['password', 's3cr3t', '600'], ['user', 'root', '600']], 'stringData wins over data');
  t.same(files('info'), [['name', 'p', '644'], ['labels', 'app="x"', '644']]);
  t.same(files('proj'), [['mode', 'fast', '644'], ['user', 'root', '644']]);
  t.same(v.scratch, { name: 'scratch', type: 'emptyDir', medium: 'Memory' });
  t.same(v.logs, { name: 'logs', type: 'hostPath', path: '/var/log', hostType: 'Directory' });
});

t.test('what the files must get right: refs, keys, paths, sizes, base64', async (t) => {
  const { all } = problems(C + `---
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {k: "###"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {"bad key": x}
binaryData: {"ok": aGk=}
` + pod(`env:
  - {name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
  - {name: B, valueFrom: {fieldRef: {fieldPath: spec.containers}}}
  - {name: C, valueFrom: {}}
volumeMounts: [{name: nope, mountPath: relative}]`, '  volumes: [{name: v, configMap: {name: c, defaultMode: 0644, items: [{key: k, path: ../x}]}}]\n'));
  const want = [
    /^Secret default\/s data\.k: must be base64 data, got "###"$/,
    /^ConfigMap default\/c data\.bad key: "bad key" is not a valid key/,
    /^Pod default\/p spec\.containers\[0\]\.env\[0\]\.valueFrom: may not be set when `value` is not empty$/,
    /^Pod default\/p spec\.containers\[0\]\.env\[1\]\.valueFrom\.fieldRef\.fieldPath: "spec\.containers" is not a field the downward API gives/,
    /^Pod default\/p spec\.containers\[0\]\.env\[2\]\.valueFrom: must have one of configMapKeyRef/,
    /^Pod default\/p spec\.containers\[0\]\.volumeMounts\[0\]\.name: no volume named "nope"/,
    /^Pod default\/p spec\.containers\[0\]\.volumeMounts\[0\]\.mountPath: "relative" must be an absolute path$/,
    /^Pod default\/p spec\.volumes\[0\]\.configMap\.items\[0\]\.path: "\.\.\/x" must be a relative path without "\.\."/,
    /^Pod default\/p spec\.volumes\[0\]\.configMap\.defaultMode: 644 is not a file mode .*0644 is the decimal 644$/,
  ];
  for (const w of want) t.ok(all.some((p) => w.test(p)), String(w));
  t.same(parse(C + `---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: "aGVsbG8=\\n"}\n`).secrets[0]!.data, { k: 'hello' });
});

t.test('quantities and $(VAR) expansion', async (t) => {
  t.equal(parseQuantity('500m'), 0.5);
  t.equal(parseQuantity('128Mi'), 128 * 2 ** 20);
  t.equal(parseQuantity('1.5G'), 1.5e9);
  t.equal(parseQuantity('2e3'), 2000);
  t.ok(Number.isNaN(parseQuantity('12parsecs')));
  t.equal(expand('$(A)-$(B)-$$(A)-$(', { A: '1' }), '1-$(B)-$(A)-$(');
});
