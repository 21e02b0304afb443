// The ingress controller's nginx.conf, generated from the Ingresses it serves (pure; snapshot-tested), in
// ingress-nginx's shape: one server per host (rules of several Ingresses merged), the default server `_` for unknown
// hosts (spec.defaultBackend, or nginx's own 404), Prefix paths as `location /p/` + `location = /p`, Exact as
// `location = /p`, ImplementationSpecific as nginx's own prefix match, upstreams of pod endpoints named
// <namespace>-<service>-<port>, ingress-nginx's proxy headers (X-Forwarded-For $remote_addr: who the controller saw),
// TLS per host from its Secret, the fake certificate elsewhere. Static upstreams stand in for ingress-nginx's Lua
// balancer (Debian's nginx has no Lua): a change of endpoints is a reload, as it was in ingress-nginx before 0.10.
import type { IngressT, IngressPathT, BackendT } from '../../model/ingress.js';

/** Where the controller keeps its files (the lab's folder on the host). */
export interface NginxPaths {
  readonly dir: string;
  /** PEM (certificate and key) of the fake certificate. */
  readonly fakeCert: string;
  /** Secret key "ns/name" → its PEM file. */
  readonly certOf: (secret: string) => string;
}

/** ingress-nginx's status port, where podlab also reads which configuration generation is live. */
export const STATUS_PORT = 10246;

const q = (s: string) => JSON.stringify(s);

function upstream(b: BackendT): string[] {
  if (!b.endpoints.length) return [];
  return [`  upstream ${b.upstream} {`, ...b.endpoints.map((e) => `    server ${e.ip}:${e.port} max_fails=0; # ${e.pod}`), '  }'];
}

const PROXY = [
  'proxy_set_header Host $host;',
  'proxy_set_header X-Request-ID $request_id;',
  'proxy_set_header X-Real-IP $remote_addr;',
  'proxy_set_header X-Forwarded-For $remote_addr;',
  'proxy_set_header X-Forwarded-Host $host;',
  'proxy_set_header X-Forwarded-Port $server_port;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  'proxy_set_header X-Forwarded-Scheme $scheme;',
  'proxy_set_header X-Scheme $scheme;',
  'proxy_set_header X-Original-URI $request_uri;',
  'proxy_set_header Connection "";',
  'proxy_http_version 1.1;',
  'proxy_connect_timeout 5s;',
  'proxy_next_upstream error timeout;',
];

function proxyTo(b: BackendT, indent: string): string[] {
  if (!b.endpoints.length) return [`${indent}return 503; # ${b.missing ?? `${b.service} has no endpoints`}`];
  return [`${indent}set $proxy_upstream_name ${q(b.upstream)};`, ...PROXY.map((l) => indent + l), `${indent}proxy_pass http://${b.upstream};`];
}

/** nginx locations for one path (ingress-nginx's translation of the path types). */
function locations(p: IngressPathT): { key: string; head: string }[] {
  const path = p.path;
  if (p.pathType === 'Exact') return [{ key: `= ${path}`, head: `location = ${path}` }];
  if (p.pathType === 'ImplementationSpecific') return [{ key: path, head: `location ${path}` }];
  // Prefix: element-wise, so /foo matches /foo and /foo/…, not /foobar.
  if (path === '/') return [{ key: '/', head: 'location /' }];
  const bare = path.replace(/\/+$/, '');
  return [{ key: `${bare}/`, head: `location ${bare}/` }, { key: `= ${bare}`, head: `location = ${bare}` }];
}

function serverBody(paths: readonly IngressPathT[], fallback: BackendT | undefined, indent: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  // nginx picks exact matches first, then the longest prefix: the order here is for a reader (longest first).
  const sorted = [...paths].sort((a, b) => b.path.length - a.path.length);
  for (const p of sorted) {
    for (const l of locations(p)) {
      if (seen.has(l.key)) continue;
      seen.add(l.key);
      out.push(`${indent}${l.head} { # ${p.ingress} ${p.pathType} ${p.path} -> ${p.backend.service}:${p.backend.port}`, ...proxyTo(p.backend, indent + '  '), `${indent}}`);
    }
  }
  if (!seen.has('/')) {
    out.push(`${indent}location / { # no rule: the default backend`);
    out.push(...(fallback ? proxyTo(fallback, indent + '  ') : [`${indent}  return 404;`]));
    out.push(`${indent}}`);
  }
  return out;
}

export function renderNginx(ing: IngressT, paths: NginxPaths, generation: number): string {
  const d = paths.dir;
  const L: string[] = [
    `# podlab ingress-nginx controller ${ing.controller}: generated from Ingress ${ing.served.join(', ') || '(none)'}`,
    `# generation ${generation}`,
    'daemon off;',
    'worker_processes 1;',
    `pid ${d}/nginx.pid;`,
    `error_log ${d}/error.log notice;`,
    'events { worker_connections 1024; }',
    '',
    'http {',
    `  access_log ${d}/access.log;`,
    `  client_body_temp_path ${d}/tmp/body;`,
    `  proxy_temp_path ${d}/tmp/proxy;`,
    `  fastcgi_temp_path ${d}/tmp/fastcgi;`,
    `  uwsgi_temp_path ${d}/tmp/uwsgi;`,
    `  scgi_temp_path ${d}/tmp/scgi;`,
    '  server_names_hash_bucket_size 128;',
    '  server_tokens off;',
    '',
  ];
  const backends = new Map<string, BackendT>();
  for (const h of ing.hosts) for (const p of h.paths) if (!backends.has(p.backend.upstream)) backends.set(p.backend.upstream, p.backend);
  if (ing.defaultBackend && !backends.has(ing.defaultBackend.upstream)) backends.set(ing.defaultBackend.upstream, ing.defaultBackend);
  for (const b of [...backends.values()].sort((a, c) => (a.upstream < c.upstream ? -1 : 1))) L.push(...upstream(b));
  const cert = (file: string) => [`    ssl_certificate ${file};`, `    ssl_certificate_key ${file};`];
  // The default server: unknown hosts, and the rules that name no host.
  const anyHost = ing.hosts.find((h) => h.host === '');
  L.push('', '  server { # the default server: unknown hosts and rules without a host',
    '    listen 80 default_server;', '    listen 443 ssl default_server;', '    server_name _;', ...cert(paths.fakeCert),
    ...serverBody(anyHost?.paths ?? [], ing.defaultBackend, '    '), '  }');
  for (const h of ing.hosts) {
    if (!h.host) continue;
    L.push('', `  server {`, '    listen 80;', '    listen 443 ssl;', `    server_name ${h.host};`,
      ...(h.tls ? [`    # TLS from Secret ${h.tls.secret}`, ...cert(paths.certOf(h.tls.secret))] : cert(paths.fakeCert)),
      ...serverBody(h.paths, ing.defaultBackend, '    '), '  }');
  }
  L.push('', `  server { # status (ingress-nginx's ${STATUS_PORT}) and the live generation, for podlab`, `    listen 127.0.0.1:${STATUS_PORT};`,
    '    location /nginx_status { stub_status; }', `    location = /podlab-generation { return 200 "${generation}"; }`, '  }', '}');
  return L.join('\n') + '\n';
}
