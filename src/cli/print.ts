// How commands print their results: one function per result, used whether the daemon or this process ran the
// use-case (the thin client imports this file too, so it imports types only).
import type { UpResult } from '../lab/reconcile.js';
import type { StatusJson } from '../lab/status.js';
import type { DownResult } from '../lab/down.js';
import { err, out, table } from './output.js';
import type { Via } from './via.js';
import { kubectlName } from '../model/workloads/names.js';

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

/** Notices as the files produced them: one line per ignored field already (input/usage.ts), however many objects carry it. */
export function summarizeNotices(n: readonly string[]): string[] {
  return [...n];
}

export function printUp(r: UpResult, nodes: number, pods: number): void {
  const secs = (r.ms / 1000).toFixed(2);
  if (r.changes === 0) out(`lab ${r.cluster} (${r.mode}) is up to date: no changes (${secs}s)`);
  else out(`lab ${r.cluster} (${r.mode}) is up: ${nodes} node(s), ${pods} pod(s); ${r.changes} change(s) in ${secs}s` +
    (r.created.length ? `, ${r.created.length} namespace(s) created` : '') + (r.deleted.length ? `, ${r.deleted.length} removed` : ''));
  for (const p of r.problems) err(`warning: ${p}`);
  if (r.changes > 0) out(`next: podlab status -c ${r.cluster} · podlab exec -c ${r.cluster} node/<node> -- ip route · podlab down -c ${r.cluster}`);
}

/** How much of the lab a live change read back: only namespaces whose planned state changed. */
const liveNote = (r: UpResult) => ` (${r.namespaces} namespaces: re-read ${r.readBack}, rules rewritten in ${r.rulesSynced}, created ${r.created.length})`;

export function printLive(verb: 'applied' | 'deleted', r: UpResult & { objects: string[] }, json: boolean): void {
  if (json) out(JSON.stringify(r, null, 2));
  else out(`${verb} ${r.objects.join(', ')} ${verb === 'applied' ? 'to' : 'from'} lab ${r.cluster}: ${r.changes} change(s) in ${(r.ms / 1000).toFixed(2)}s${liveNote(r)}`);
  if (verb === 'applied') for (const p of r.problems) err(`warning: ${p}`);
}

export function printDown(r: DownResult, json: boolean): void {
  for (const w of r.warnings ?? []) err(`warning: ${w}`);
  if (json) out(JSON.stringify(r, null, 2));
  else {
    if (r.supervisor) out(`stopped the lab's supervisor (${r.supervisor.by}, pid ${r.supervisor.pid}${r.supervisor.killed ? ', killed: it did not end on SIGTERM' : ''}) first`);
    out(`lab ${r.cluster} removed: ${r.removedNetns} namespace(s), ${r.killed} process(es) stopped`);
    if (r.leftovers.length) err(`still present:\n${r.leftovers.map((l) => `  - ${l}`).join('\n')}`);
  }
}

/** `podlab status`: stdout is the contract (tables, or JSON with `via`); which path answered goes to stderr. */
export function printStatus(s: StatusJson, via: Via, json: boolean): void {
  err(via === 'daemon' ? 'status: answered by the podlab daemon' : 'status: in-process (no podlab daemon answers for this state directory)');
  if (json) {
    out(JSON.stringify({ ...s, via }, null, 2));
    return;
  }
  out(`lab ${s.cluster}  mode ${s.mode}  proxy ${s.proxyMode}  pods ${s.podCIDR}  services ${s.serviceCIDR}  underlay ${s.underlay} (mtu ${s.mtu})`);
  out('\nNODES');
  table(['NAME', 'IP', 'POD CIDR', 'NETNS'], s.nodes.map((n) => [n.name, n.ip, n.podCIDR, n.netns + (n.present ? '' : ' (missing!)')]));
  out('\nPODS');
  table(['NAMESPACE/NAME', 'READY', 'STATUS', 'RESTARTS', 'NODE', 'IP', 'PHASE', 'NETNS'], s.pods.map((p) => [`${p.namespace}/${p.name}${p.system ? ' (system)' : ''}${p.hostNetwork ? ' (hostNetwork)' : ''}`, p.ready, p.status, String(p.restarts), p.node, p.ip, p.phase, p.netns]));
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
  printWorkloads(s);
  if (s.services.length) {
    out('\nSERVICES');
    table(['NAMESPACE/NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'POLICY', 'ENDPOINTS'], s.services.map((v) => [
      `${v.namespace}/${v.name}${v.system ? ' (system)' : ''}`, v.type, v.externalName ? '<none>' : v.clusterIP,
      v.externalName ? v.externalName
        : v.status ? v.status.loadBalancer.ingress.map((i) => i.hostname ?? i.ip).join(',') : v.externalIPs.length ? v.externalIPs.join(',') : v.type === 'LoadBalancer' ? '<pending>' : '<none>',
      v.ports.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>',
      `eTP=${v.externalTrafficPolicy}${v.internalTrafficPolicy === 'Local' ? ' iTP=Local' : ''}${v.sessionAffinity === 'ClientIP' ? ' affinity=ClientIP' : ''}`,
      [...new Set(v.ports.flatMap((p) => p.endpoints.map((e) => `${e.ip}:${e.port}`)))].join(',') || '<none>',
    ]));
  }
  if (s.policies?.length) {
    out('\nNETWORK POLICIES');
    table(['NAMESPACE/NAME', 'POD-SELECTOR', 'TYPES', 'PODS'], s.policies.map((p) => [`${p.namespace}/${p.name}`, p.podSelector, p.policyTypes.join(','), p.pods.join(',') || '<none>']));
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
  if (s.workloads.length && s.controllers === 'in-process') out('\n(controllers ran in-process at the last up/apply: nothing reacts to a pod that exits, a Job’s completions or a CronJob’s schedule until `podlab supervise` or the daemon runs them)');
  if (s.dns) out(`\nDNS  ${s.dns.domain} at ${s.dns.serviceIP} (kube-system/kube-dns, served by ${s.dns.pod || 'nothing: its pod is Pending'}); outside names: ${s.dns.externalZone} (the external host), others refused`);
  out(`\nEXTERNAL  ${s.external.ip}  netns ${s.external.netns}  netexec on ${s.external.ports.join(', ') || 'no ports'}  DNS for ${s.dns?.externalZone ?? 'ext.example'} on 53`);
}
