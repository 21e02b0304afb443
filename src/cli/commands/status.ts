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
      table(['NAMESPACE/NAME', 'READY', 'STATUS', 'RESTARTS', 'NODE', 'IP', 'PHASE', 'NETNS'], s.pods.map((p) => [`${p.namespace}/${p.name}`, p.ready, p.status, String(p.restarts), p.node, p.ip, p.phase, p.netns]));
      const detail = s.pods.filter((p) => p.initContainers.length || p.containers.length > 1 || p.status !== 'Running' || p.restarts > 0);
      if (detail.length) {
        out('\nCONTAINERS');
        table(['POD', 'CONTAINER', 'KIND', 'STATE', 'READY', 'RESTARTS', 'LAST STATE'], detail.flatMap((p) => [...p.initContainers.map((c) => ({ c, init: true })), ...p.containers.map((c) => ({ c, init: false }))].map(({ c, init }) => [
          `${p.namespace}/${p.name}`, `${c.name}${init ? ' (init)' : ''}`, c.kind,
          c.state === 'running' ? `Running since ${c.startedAt ?? '?'}` : c.state === 'terminated' ? `Terminated ${c.reason} (exit ${c.exitCode})` : `Waiting ${c.reason ?? ''}`.trim(),
          c.ready ? 'true' : 'false', String(c.restartCount),
          c.lastState ? `${c.lastState.reason ?? c.lastState.state}${c.lastState.exitCode !== undefined ? ` (exit ${c.lastState.exitCode})` : ''}${c.lastState.finishedAt ? ` at ${c.lastState.finishedAt}` : ''}` : '',
        ])));
        for (const p of s.pods) if (p.reason && p.status !== 'Running') out(`  ${p.namespace}/${p.name}: ${p.reason}`);
      }
      out(`\nLIFECYCLE  ${s.lifecycle.note}`);
      if (s.services.length) {
        out('\nSERVICES');
        table(['NAMESPACE/NAME', 'TYPE', 'CLUSTER-IP', 'PORT(S)', 'POLICY', 'ENDPOINTS'], s.services.map((v) => [
          `${v.namespace}/${v.name}`, v.type, v.clusterIP,
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
      out(`\nEXTERNAL  ${s.external.ip}  netns ${s.external.netns}  netexec on ${s.external.ports.join(', ') || 'no ports'}`);
    } catch (e) {
      fail(e);
    }
  },
};
