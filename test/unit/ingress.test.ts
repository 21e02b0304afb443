// Ingress: the controller's system objects, Ingresses resolved to endpoints and certificates (class selection,
// merged hosts, the older rule winning a duplicate, missing backends), and the generated nginx.conf (snapshots).
import t from 'tap';
import { parseLabFiles, resolveLab } from '../../src/modes/registry.js';
import { renderNginx } from '../../src/dataplane/edge/nginx.js';
import { withSystem, controllerPodName } from '../../src/model/system.js';
import { SpecError } from '../../src/input/problems.js';

const CLUSTER = `apiVersion: podlab.io/v1alpha1
kind: Cluster
metadata: {name: u}
spec:
  nodes: [{name: node1}, {name: node2}]
`;
const pod = (name: string, app: string, node: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: ${app}}}
spec: {nodeName: ${node}, containers: [{name: c, ports: [{containerPort: 8080, name: http}]}]}
`;
const svc = (name: string, app: string) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec: {selector: {app: ${app}}, ports: [{name: http, port: 80, targetPort: http}]}
`;
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const SECRET = `---
apiVersion: v1
kind: Secret
metadata: {name: shop-tls, namespace: shop}
type: kubernetes.io/tls
data: {tls.crt: ${Buffer.from(CERT).toString('base64')}}
stringData: {tls.key: ${JSON.stringify(KEY)}}
`;
const INGRESS = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  tls: [{hosts: [shop.example], secretName: shop-tls}]
  rules:
    - host: shop.example
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
          - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
          - {path: /status, pathType: Exact, backend: {service: {name: api, port: {number: 80}}}}
    - host: blog.example
      http:
        paths:
          - {path: /old, pathType: ImplementationSpecific, backend: {service: {name: gone, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: later, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example
      http:
        paths: [{path: /api, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other, namespace: shop}
spec:
  ingressClassName: traefik
  defaultBackend: {service: {name: web, port: {number: 80}}}
`;
const text = CLUSTER + pod('web-1', 'web', 'node1') + pod('api-1', 'api', 'node2') + svc('web', 'web') + svc('api', 'api') + SECRET + INGRESS;
const topo = () => resolveLab(parseLabFiles([{ file: 'lab.yaml', text, dir: '/tmp' }]));

t.test('the controller: a system pod in ingress-nginx, its LoadBalancer Service (eTP Local), the default class nginx', async (t) => {
  const tp = topo();
  const ctrl = tp.pods.find((p) => p.namespace === 'ingress-nginx')!;
  t.equal(ctrl.name, controllerPodName('u'));
  t.match(ctrl.name, /^ingress-nginx-controller-[a-z]{10}-[a-z]{5}$/);
  t.equal(ctrl.system, 'ingress', 'marked system');
  t.equal(tp.pods[tp.pods.length - 1], ctrl, 'scheduled after the user pods');
  const dnsPod = tp.pods.find((p) => p.system === 'dns')!;
  t.equal(dnsPod.ip, '10.244.0.3', 'the DNS pod first: after web-1 (.2) on node1');
  t.equal(ctrl.ip, '10.244.1.3', 'then the controller: after api-1 (.2) on node2');
  const s = tp.services.find((x) => x.key === 'ingress-nginx/ingress-nginx-controller')!;
  t.equal(s.type, 'LoadBalancer');
  t.equal(s.externalTrafficPolicy, 'Local');
  t.same(s.ports.map((p) => [p.name, p.port, p.endpoints[0]?.port]), [['http', 80, 80], ['https', 443, 443]]);
  t.equal(s.loadBalancer?.ip, '172.18.0.200');
  t.ok(s.system);
  const lab = parseLabFiles([{ file: 'lab.yaml', text, dir: '/tmp' }]);
  t.same(withSystem(lab).ingressClasses.map((c) => [c.name, c.controller, c.isDefault]), [['nginx', 'k8s.io/ingress-nginx', true]]);
  const none = parseLabFiles([{ file: 'lab.yaml', text: CLUSTER, dir: '/tmp' }]);
  const sys = withSystem(none);
  t.same([...sys.pods.map((p) => p.namespace), ...sys.services.map((x) => x.namespace)].filter((n) => n === 'ingress-nginx'), [], 'no Ingress, no controller');
  t.same(sys.ingressClasses, [], 'and no IngressClass');
});

t.test('Ingresses resolved: class, merged host, older rule wins, missing Service, Secret data', async (t) => {
  const ing = topo().ingress!;
  t.same(ing.served, ['shop/shop', 'shop/later']);
  t.same(ing.ignored, ['shop/other'], 'class traefik is not ours');
  const shop = ing.hosts.find((h) => h.host === 'shop.example')!;
  t.same(shop.paths.map((p) => `${p.pathType} ${p.path} ${p.backend.upstream} ${p.backend.endpoints.map((e) => e.ip).join(',')}`),
    ['Prefix / shop-web-80 10.244.0.2', 'Prefix /api shop-api-http 10.244.1.2', 'Exact /status shop-api-80 10.244.1.2']);
  t.same(shop.tls, { secret: 'shop/shop-tls', cert: CERT, key: KEY }, 'data base64-decoded, stringData as is');
  t.equal(ing.hosts.find((h) => h.host === 'blog.example')!.paths[0]!.backend.missing, 'no Service shop/gone');
  t.match(ing.notices.join('\n'), /shop\.example \/api is already served by Ingress shop\/shop/);
  t.match(ing.notices.join('\n'), /no Service shop\/gone: blog\.example \/old answers 503/);
  t.equal(ing.defaultBackend, undefined, "the traefik Ingress's defaultBackend is not ours");
});

t.test('nginx.conf snapshot', async (t) => {
  const conf = renderNginx(topo().ingress!, { dir: '/run/podlab/u/ingress-nginx', fakeCert: '/run/podlab/u/ingress-nginx/certs/fake.pem', certOf: (s) => `/run/podlab/u/ingress-nginx/certs/${s.replace('/', '-')}.pem` }, 3);
  t.match(conf, /location \/api\/ \{[^}]*proxy_pass http:\/\/shop-api-http;/);
  t.match(conf, /location = \/api \{/);
  t.match(conf, /location = \/status \{/);
  t.match(conf, /location \/old \{ # shop\/shop ImplementationSpecific[^\n]*\n\s*return 503; # no Service shop\/gone/);
  t.match(conf, /proxy_set_header X-Forwarded-For \$remote_addr;/);
  t.match(conf, /server_name _;[\s\S]*?location \/ \{ # no rule: the default backend\n\s*return 404;/);
  t.matchSnapshot(conf, 'two hosts, Prefix/Exact/ImplementationSpecific, TLS, a missing backend');
});

t.test('Ingress, IngressClass and Secret validation: all problems at once', async (t) => {
  const bad = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: x, namespace: shop}
spec:
  rules:
    - host: "Bad_Host"
      http: {paths: [{path: nope, pathType: Prefix, backend: {service: {name: web, port: {}}}}, {path: /a, pathType: Regex, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: shop}
type: kubernetes.io/tls
data: {tls.crt: "not base64!"}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: a, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: example.com/a}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: b, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: example.com/b}
`;
  let msg = '';
  try {
    parseLabFiles([{ file: 'lab.yaml', text: CLUSTER + bad, dir: '/tmp' }]);
  } catch (e) {
    msg = (e as SpecError).message;
  }
  t.match(msg, /rules\[0\]\.host: "Bad_Host" is not a host name/);
  t.match(msg, /paths\[0\]\.path: "nope" must be an absolute path/);
  t.match(msg, /paths\[0\]\.backend\.service\.port: needs exactly one of number and name/);
  t.match(msg, /paths\[1\]\.pathType: "Regex" is not one of Prefix, Exact, ImplementationSpecific/);
  t.match(msg, /Secret shop\/s data\.tls\.crt: must be base64/);
  t.match(msg, /a Secret of type kubernetes\.io\/tls needs the key "tls\.key"/);
  t.match(msg, /more than one IngressClass is marked default/);
});
