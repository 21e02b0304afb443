import type { Argv, CommandModule } from 'yargs';
import { statusFull } from '../../lab/status.js';
import { pickCluster } from '../../lab/targets.js';
import { clusterOpt, context, fail, jsonOpt, out, table } from '../common.js';

export const statusCommand: CommandModule = {
  command: 'status',
  describe: 'show nodes, pods and services (with endpoints) of a lab, and BGP sessions in bgp mode (--json: the stable contract for scripts)',
  builder: (y: Argv) => y.option('cluster', clusterOpt).option('json', jsonOpt),
  handler: async (a) => {
    try {
      const ctx = context();
      const s = await statusFull(await pickCluster(ctx, a.cluster as string | undefined), ctx);
      if (a.json) {
        out(JSON.stringify(s, null, 2));
        return;
      }
      out(`lab ${s.cluster}  mode ${s.mode}  proxy ${s.proxyMode}  pods ${s.podCIDR}  services ${s.serviceCIDR}  underlay ${s.underlay} (mtu ${s.mtu})`);
      out('\nNODES');
      table(['NAME', 'IP', 'POD CIDR', 'NETNS'], s.nodes.map((n) => [n.name, n.ip, n.podCIDR, n.netns + (n.present ? '' : ' (missing!)')]));
      out('\nPODS');
      table(['NAMESPACE/NAME', 'NODE', 'IP', 'PHASE', 'NETNS'], s.pods.map((p) => [`${p.namespace}/${p.name}`, p.node, p.ip, p.phase + (p.reason ? ` (${p.reason})` : ''), p.netns]));
      if (s.services.length) {
        out('\nSERVICES');
        table(['NAMESPACE/NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'POLICY', 'ENDPOINTS'], s.services.map((v) => [
          `${v.namespace}/${v.name}`, v.type, v.clusterIP,
          v.status ? v.status.loadBalancer.ingress.map((i) => i.hostname ?? i.ip).join(',') : v.externalIPs.length ? v.externalIPs.join(',') : v.type === 'LoadBalancer' ? '<pending>' : '<none>',
          v.ports.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>',
          `eTP=${v.externalTrafficPolicy}${v.internalTrafficPolicy === 'Local' ? ' iTP=Local' : ''}${v.sessionAffinity === 'ClientIP' ? ' affinity=ClientIP' : ''}`,
          [...new Set(v.ports.flatMap((p) => p.endpoints.map((e) => `${e.ip}:${e.port}`)))].join(',') || '<none>',
        ]));
      }
      if (s.loadBalancers?.length) {
        out('\nLOAD BALANCERS');
        table(['SERVICE', 'IP', 'ANNOUNCE', 'ANNOUNCED BY / TARGETS'], s.loadBalancers.map((l) => [
          l.service, l.hostname ? `${l.ip} (${l.hostname})` : l.ip, l.announce,
          l.targets ? l.targets.map((x) => `${x.ip}:${x.port} ${x.healthy ? 'healthy' : 'unhealthy'}`).join(', ') || '<none>' : l.announcedBy.join(', ') || '<nobody>',
        ]));
      }
      if (s.bgp) {
        out('\nBGP SESSIONS');
        table(['NODE', 'PEER', 'STATE'], s.bgp.sessions.map((x) => [x.node, x.peer, x.state]));
        out('\nBGP ROUTES (proto bird)');
        table(['NODE', 'DESTINATION', 'VIA'], s.bgp.routes.map((r) => [r.node, r.type === 'blackhole' ? `blackhole ${r.dst}` : r.dst, r.via ?? '-']));
      }
      out(`\nEXTERNAL  ${s.external.ip}  netns ${s.external.netns}  netexec on ${s.external.ports.join(', ') || 'no ports'}`);
    } catch (e) {
      fail(e);
    }
  },
};
