import type { Argv, CommandModule } from 'yargs';
import { statusFull } from '../../lab/status.js';
import { pickCluster } from '../../lab/targets.js';
import { clusterOpt, context, fail, jsonOpt, out, table } from '../common.js';
import { kubectlName } from '../../lab/controls.js';
import type { StatusJson } from '../../lab/status.js';

/** The workloads as `kubectl get deploy,rs,sts,ds,job,cronjob -A` shows them, one table per kind. */
function printWorkloads(s: StatusJson): void {
  const of = (k: string) => s.workloads.filter((w) => w.kind === k);
  const name = (w: StatusJson['workloads'][number]) => `${w.namespace}/${kubectlName(w.kind, w.name)}`;
  const sections: [string, string[], (w: StatusJson['workloads'][number]) => string[]][] = [
    ['Deployment', ['NAMESPACE/NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE'], (w) => [name(w), `${w.ready}/${w.desired}`, String(w.upToDate ?? 0), String(w.ready)]],
    ['ReplicaSet', ['NAMESPACE/NAME', 'DESIRED', 'CURRENT', 'READY'], (w) => [name(w), String(w.desired), String(w.current), String(w.ready)]],
    ['StatefulSet', ['NAMESPACE/NAME', 'READY'], (w) => [name(w), `${w.ready}/${w.desired}`]],
    ['DaemonSet', ['NAMESPACE/NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE'], (w) => [name(w), String(w.desired), String(w.current), String(w.ready), String(w.upToDate ?? 0), String(w.ready)]],
    ['Job', ['NAMESPACE/NAME', 'STATUS', 'COMPLETIONS', 'ACTIVE'], (w) => [name(w), w.jobStatus ?? '', w.completions ?? '', String(w.current)]],
    ['CronJob', ['NAMESPACE/NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'NEXT SCHEDULE'], (w) => [name(w), w.schedule ?? '', w.timeZone ?? '<none>', String(w.suspend ?? false), w.nextSchedule ?? '<none>']],
  ];
  for (const [kind, head, row] of sections) {
    const ws = of(kind);
    if (!ws.length) continue;
    out(`\n${kind.toUpperCase()}S`);
    table(head, ws.map(row));
  }
}

export const statusCommand: CommandModule = {
  command: 'status',
  describe: 'show nodes, pods, workloads (like kubectl get deploy,rs,sts,ds,job,cronjob) and services (with endpoints) of a lab, and BGP sessions in bgp mode (--json: the stable contract for scripts)',
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
      printWorkloads(s);
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
      if (s.workloads.length && s.controllers === 'in-process') out('\n(controllers ran in-process at the last up/apply: nothing reacts to a pod that exits until the podlab daemon runs)');
      out(`\nEXTERNAL  ${s.external.ip}  netns ${s.external.netns}  netexec on ${s.external.ports.join(', ') || 'no ports'}`);
    } catch (e) {
      fail(e);
    }
  },
};
