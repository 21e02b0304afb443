// Generated checks at the cluster's edge (pure): external host → every load-balancer IP, pods → load-balancer IPs,
// pods → the NodePorts of their own and every other node (matrix E rows 15, 16 and the notes under it), and
// kube-proxy's health-check port on every node. Listed in GENERATORS (generate.ts).
import type { Topology, PodT, ServiceT, ServicePortT } from '../model/topology.js';
import { add, netexecPorts, triesUntilAll, DEFAULT_TRIES_OK, type GenContext, type Generator } from './generate.js';
import { lbServices } from '../dataplane/edge/loadbalancer.js';

const podEp = (p: PodT) => ({ label: p.key, netns: p.netns });

/** Service ports whose endpoints are all netexec ports of that protocol (podlab probes only its own server). */
function probeable(g: GenContext, svc: ServiceT, p: ServicePortT): boolean {
  if (p.protocol !== 'TCP' && p.protocol !== 'UDP') return false;
  return p.endpoints.every((e) => {
    const pod = g.full.pods.find((x) => x.key === e.pod);
    return !!pod && netexecPorts(pod).all.some((x) => x.port === e.port && x.protocol === p.protocol);
  });
}

/** One client pod per node, preferring pods that are not endpoints of the port. */
function clients(t: Topology, p: ServicePortT): PodT[] {
  return t.nodes.map((n) => {
    const on = t.pods.filter((x) => x.node === n.name);
    return on.find((x) => !p.endpoints.some((e) => e.pod === x.key)) ?? on[0];
  }).filter((x): x is PodT => !!x);
}

const tries = (e: { outcome: string; untilAll?: boolean; backends?: readonly string[] }) =>
  e.outcome !== 'ok' ? 1 : e.untilAll && e.backends?.length ? triesUntilAll(e.backends.length) : DEFAULT_TRIES_OK;

export const loadBalancers: Generator = (g) => {
  const { t, m } = g;
  const ext = { label: 'external', netns: t.external.netns };
  for (const svc of lbServices(t)) {
    const lb = svc.loadBalancer!;
    for (const p of svc.ports) {
      if (!probeable(g, svc, p)) {
        g.skipped.push({ category: 'service/loadbalancer', what: `${p.protocol} ${svc.key}:${p.name || p.port}`, reason: 'not all endpoints are netexec ports of that protocol (podlab only probes its netexec server)' });
        continue;
      }
      const to = { label: `lb/${svc.key}:${p.name || p.port} ${lb.ip}:${p.port}`, ip: lb.ip, port: p.port };
      const e = m.externalToLoadBalancer(t, svc, p, g.live);
      add(g, 'service/loadbalancer', ext, to, p.protocol as 'TCP' | 'UDP', e, { tries: tries(e) });
      for (const c of clients(t, p)) {
        const pe = m.podToLoadBalancer(t, c, svc, p);
        add(g, 'service/pod-to-loadbalancer', podEp(c), to, p.protocol as 'TCP' | 'UDP', pe, { tries: tries(pe) });
      }
    }
    if (lb.healthCheckNodePort !== undefined) {
      for (const n of t.nodes) {
        add(g, 'service/health-check', ext, { label: `node/${n.name} ${n.ip}:${lb.healthCheckNodePort} (${svc.key})`, ip: n.ip, port: lb.healthCheckNodePort }, 'TCP', m.healthCheck(t, n, svc),
          { probe: { kind: 'http', path: '/healthz' }, tries: 1 });
      }
    }
  }
};

export const podToNodePorts: Generator = (g) => {
  const { t, m } = g;
  for (const svc of t.services ?? []) {
    if (svc.clusterIP === 'None') continue;
    for (const p of svc.ports) {
      if (p.nodePort === undefined || !p.endpoints.length || !probeable(g, svc, p)) continue;
      for (const c of clients(t, p)) {
        for (const n of t.nodes) {
          const cat = c.node === n.name ? 'service/pod-to-nodeport/own' : 'service/pod-to-nodeport/other';
          const to = { label: `nodeport/${n.name}/${svc.key}:${p.name || p.port} ${n.ip}:${p.nodePort}`, ip: n.ip, port: p.nodePort };
          const e = m.podToNodePort(t, c, n, svc, p);
          if (typeof e === 'string') {
            g.skipped.push({ category: cat, what: `${p.protocol} ${c.key} -> ${to.label}`, reason: e });
            continue;
          }
          add(g, cat, podEp(c), to, p.protocol as 'TCP' | 'UDP', e, { tries: tries(e) });
        }
      }
    }
  }
};

/** A Host no Ingress names: it lands on the default server. */
export const UNKNOWN_HOST = 'podlab-unknown.invalid';

/** The path to request for a rule: netexec answers /…/clientip under any prefix; an Exact path is asked as it is. */
function requestPath(p: { path: string; pathType: string }): string {
  return p.pathType === 'Exact' ? p.path : `${p.path.replace(/\/+$/, '')}/clientip`;
}

export const ingresses: Generator = (g) => {
  // The whole topology: the controller pod and its Service are system objects.
  const { full: t, m } = g;
  const ing = t.ingress;
  if (!ing) return;
  const svc = (t.services ?? []).find((s) => s.system === 'ingress' && s.loadBalancer);
  if (!svc?.loadBalancer) return;
  const ext = { label: 'external', netns: t.external.netns };
  const ip = svc.loadBalancer.ip;
  const probe = (host: string, path: string, tls: boolean) => ({ kind: 'http' as const, path, tls, ...(host ? { host } : {}) });
  for (const h of ing.hosts) {
    for (const p of h.paths) {
      const foreign = p.backend.endpoints.some((e) => {
        const pod = t.pods.find((x) => x.key === e.pod);
        return !pod || !netexecPorts(pod).all.some((x) => x.port === e.port && x.protocol === 'TCP');
      });
      if (foreign) {
        g.skipped.push({ category: 'ingress', what: `${h.host || '*'}${p.path}`, reason: `${p.backend.service} has endpoints that are not netexec TCP ports (podlab only probes its netexec server)` });
        continue;
      }
      for (const tls of h.tls || h.host ? [false, true] : [false]) {
        if (tls && !h.tls) continue;
        const path = requestPath(p);
        const e = m.ingressRoute(t, { host: h.host, path, backend: p.backend, tls }, g.live);
        const url = `${tls ? 'https' : 'http'}://${h.host || ip}${path}`;
        add(g, tls ? 'ingress/tls' : 'ingress', ext, { label: `${url} (${ip})`, ip, port: tls ? 443 : 80 }, 'TCP', e,
          { probe: probe(h.host, path, tls), tries: e.untilAll && e.backends?.length ? triesUntilAll(e.backends.length) : DEFAULT_TRIES_OK, id: `${tls ? 'ingress/tls' : 'ingress'} TCP external -> ${url} (${ip})` });
      }
    }
  }
  const e = m.ingressRoute(t, { host: UNKNOWN_HOST, path: '/clientip', backend: ing.defaultBackend, tls: false }, g.live);
  add(g, 'ingress', ext, { label: `http://${UNKNOWN_HOST}/clientip (${ip})`, ip, port: 80 }, 'TCP', e,
    { probe: probe(UNKNOWN_HOST, '/clientip', false), id: `ingress TCP external -> http://${UNKNOWN_HOST}/clientip (${ip}) default backend` });
};
