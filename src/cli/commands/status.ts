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
      table(['NAMESPACE/NAME', 'NODE', 'IP', 'PHASE', 'NETNS'], s.pods.map((p) => [`${p.namespace}/${p.name}${p.system ? ' (system)' : ''}`, p.node, p.ip, p.phase + (p.reason ? ` (${p.reason})` : ''), p.netns]));
      if (s.services.length) {
        out('\nSERVICES');
        table(['NAMESPACE/NAME', 'TYPE', 'CLUSTER-IP', 'PORT(S)', 'POLICY', 'ENDPOINTS'], s.services.map((v) => [
          `${v.namespace}/${v.name}${v.system ? ' (system)' : ''}`, v.type, v.externalName ? `<none> → ${v.externalName}` : v.clusterIP,
          v.ports.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>',
          `eTP=${v.externalTrafficPolicy}${v.internalTrafficPolicy === 'Local' ? ' iTP=Local' : ''}${v.sessionAffinity === 'ClientIP' ? ' affinity=ClientIP' : ''}`,
          [...new Set(v.ports.flatMap((p) => p.endpoints.map((e) => `${e.ip}:${e.port}`)))].join(',') || '<none>',
        ]));
      }
      if (s.bgp) {
        out('\nBGP SESSIONS');
        table(['NODE', 'PEER', 'STATE'], s.bgp.sessions.map((x) => [x.node, x.peer, x.state]));
        out('\nBGP ROUTES (proto bird)');
        table(['NODE', 'DESTINATION', 'VIA'], s.bgp.routes.map((r) => [r.node, r.type === 'blackhole' ? `blackhole ${r.dst}` : r.dst, r.via ?? '-']));
      }
      if (s.dns) out(`\nDNS  ${s.dns.domain} at ${s.dns.serviceIP} (kube-system/kube-dns, served by ${s.dns.pod || 'nothing: its pod is Pending'}); outside names: ${s.dns.externalZone} (the external host), others refused`);
      out(`\nEXTERNAL  ${s.external.ip}  netns ${s.external.netns}  netexec on ${s.external.ports.join(', ') || 'no ports'}  DNS for ${s.dns?.externalZone ?? 'ext.example'} on 53`);
    } catch (e) {
      fail(e);
    }
  },
};
