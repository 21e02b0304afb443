// How commands print their results: one function per result, used whether the daemon or this process ran the
// use-case (the thin client imports this file too, so it imports types only).
import type { UpResult } from '../lab/reconcile.js';
import type { StatusJson } from '../lab/status.js';
import type { DownResult } from '../lab/down.js';
import { err, out, table } from './output.js';
import type { Via } from './via.js';

export function summarizeNotices(n: readonly string[]): string[] {
  const img = n.filter((x) => x.includes('"image" is ignored'));
  const rest = n.filter((x) => !x.includes('"image" is ignored'));
  return [...(img.length ? [`${img.length} container(s) name an image: the process runtime ignores images (a Docker runtime comes later)`] : []), ...rest];
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
}
