#!/usr/bin/env node
// podlab CLI: thin — parse, call the lab functions, print. Human output by default, --json for scripts.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { spawn } from 'node:child_process';
import { readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SpecError } from '../input/problems.js';
import { PreflightError } from '../kernel/preflight.js';
import { up, down, clean, status, statusFull, fault, FAULTS, type FaultKind, pickCluster, labState, targetNetns, loadLab, apply, deleteObjects, AbortedError, type UpResult } from '../lab/lab.js';
import { containerLog } from '../workload/process.js';
import { resolve } from '../model/topology.js';
import { getMode, supportedModes } from '../modes/registry.js';
import { diffNs, opsText, EMPTY_OBSERVED } from '../kernel/ops.js';
import { checkLab, testLabs } from '../lab/check.js';
import { render, REPORTERS, counts, type ReporterName } from '../report/checks.js';
import { reportOk, type Report } from '../expect/types.js';

const isTTY = process.stderr.isTTY;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const out = (s: string) => process.stdout.write(s + '\n');
/** How much of the lab a live change read back: only namespaces whose planned state changed. */
const liveNote = (r: { readBack: number; rulesSynced: number; created: readonly string[]; namespaces: number }) =>
  ` (${r.namespaces} namespaces: re-read ${r.readBack}, rules rewritten in ${r.rulesSynced}, created ${r.created.length})`;
const err = (s: string) => process.stderr.write(s + '\n');

function fail(e: unknown): never {
  if (e instanceof SpecError) {
    err(`podlab: ${e.message}`);
    process.exit(2);
  }
  if (e instanceof PreflightError) {
    err(`podlab: ${e.message}`);
    process.exit(3);
  }
  if (e instanceof AbortedError) {
    err(`podlab: ${e.message}`);
    process.exit(130);
  }
  err(`podlab: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.PODLAB_DEBUG && e instanceof Error) err(e.stack ?? '');
  process.exit(1);
}

const clusterOpt = { alias: 'c', type: 'string', describe: 'lab name (default: the only lab that exists)' } as const;
const jsonOpt = { type: 'boolean', default: false, describe: 'print machine-readable JSON on stdout' } as const;

function printUp(r: UpResult, nodes: number, pods: number): void {
  const secs = (r.ms / 1000).toFixed(2);
  if (r.changes === 0) out(`lab ${r.cluster} (${r.mode}) is up to date: no changes (${secs}s)`);
  else out(`lab ${r.cluster} (${r.mode}) is up: ${nodes} node(s), ${pods} pod(s); ${r.changes} change(s) in ${secs}s` +
    (r.created.length ? `, ${r.created.length} namespace(s) created` : '') + (r.deleted.length ? `, ${r.deleted.length} removed` : ''));
  for (const p of r.problems) err(`warning: ${p}`);
  if (r.changes > 0) out(`next: podlab status -c ${r.cluster} · podlab exec -c ${r.cluster} node/<node> -- ip route · podlab down -c ${r.cluster}`);
}

await yargs(hideBin(process.argv))
  .scriptName('podlab')
  .usage('$0 <command> [options]\n\nBuilds the real Linux dataplane of a Kubernetes cluster in network namespaces on this host\n(nodes, pods, routes, kube-proxy Service rules in iptables or nftables) and lets you look at it and send traffic through it.\nModes: overlay (flannel VXLAN, cni0 bridge) · vpc (AWS VPC CNI: pods hold VPC secondary IPs on an emulated\nVPC router; SNAT to the node primary IP off-VPC; spec.vpc: cidr, instanceType, externalSNAT, hosts).')
  .command('up', 'build or update a lab from cluster files (idempotent: a second run changes nothing)', (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'cluster file(s): one Cluster document plus Namespaces, Pods and Services (multi-document YAML); resets what apply/delete changed' })
    .option('mode', { type: 'string', describe: `dataplane mode, overriding spec.mode (${supportedModes().join(', ')})` })
    .option('proxy-mode', { type: 'string', describe: 'kube-proxy mode, overriding spec.proxyMode: iptables (KUBE-* chains) | nftables (table ip kube-proxy)' })
    .option('json', jsonOpt)
    .example('$0 up -f examples/lab.yaml', 'build the example 3-node lab')
    .example('$0 up -f lab.yaml --json', 'build quietly, print the result as JSON')
    .example('$0 up -f lab.yaml --mode vpc', 'the AWS VPC CNI dataplane (max-pods per spec.vpc.instanceType; extra pods are Pending)'),
  async (a) => {
    let stop = false;
    process.on('SIGINT', () => {
      if (stop) process.exit(130);
      stop = true;
      err('\ninterrupt: stopping after the current step (Ctrl-C again to quit at once; `podlab down` removes what was built)');
    });
    process.on('SIGTERM', () => { stop = true; });
    const progress = a.json || !isTTY ? undefined : (m: string) => err(`  · ${m}`);
    try {
      const r = await up({ files: a.file as string[], mode: a.mode as string | undefined, proxyMode: a['proxy-mode'] as string | undefined, progress, aborted: () => stop });
      if (a.json) out(JSON.stringify(r, null, 2));
      else {
        for (const n of summarizeNotices(r.notices)) err(`notice: ${n}`);
        const st = status(r.cluster);
        printUp(r, st.nodes.length, st.pods.length);
      }
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  })
  .command('apply', 'add or update Pods, Services, Namespaces and NetworkPolicies in a running lab (only what changed is touched)', (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'file(s) with Pod, Service, Namespace or NetworkPolicy documents; one that names an existing object replaces it' })
    .option('cluster', clusterOpt)
    .option('json', jsonOpt)
    .example('$0 apply -f web-svc.yaml', 'add a Service; every node gets its kube-proxy rules')
    .example('$0 apply -f web-3.yaml', 'add a pod: it becomes an endpoint of the Services that select it')
    .example('$0 apply -f deny-all.yaml', 'a NetworkPolicy: every node gets its rules; new connections follow within a second'),
  async (a) => {
    try {
      const r = await apply(a.file as string[], { cluster: a.cluster as string | undefined });
      if (a.json) out(JSON.stringify(r, null, 2));
      else out(`applied ${r.objects.join(', ')} to lab ${r.cluster}: ${r.changes} change(s) in ${(r.ms / 1000).toFixed(2)}s${liveNote(r)}`);
      for (const p of r.problems) err(`warning: ${p}`);
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  })
  .command('delete [kind] [name]', 'remove Pods, Services or NetworkPolicies from a running lab (UDP conntrack entries of removed endpoints are flushed)', (y: Argv) => y
    .positional('kind', { type: 'string', describe: 'pod | service | networkpolicy (netpol)' })
    .positional('name', { type: 'string', describe: 'NS/NAME (namespace default when NAME alone)' })
    .option('file', { alias: 'f', type: 'string', array: true, describe: 'delete the Pods, Services and NetworkPolicies these files declare' })
    .option('cluster', clusterOpt)
    .option('json', jsonOpt)
    .example('$0 delete pod shop/web-2', 'the pod goes; Services stop sending traffic to it')
    .example('$0 delete service shop/web', "the Service's rules go from every node")
    .example('$0 delete netpol shop/deny-all', 'the policy goes; with none left, no policy chain or IP set remains')
    .example('$0 delete -f web-svc.yaml', 'delete what the file declares'),
  async (a) => {
    try {
      const r = await deleteObjects({ files: a.file as string[] | undefined, kind: a.kind as string | undefined, name: a.name as string | undefined }, { cluster: a.cluster as string | undefined });
      if (a.json) out(JSON.stringify(r, null, 2));
      else out(`deleted ${r.objects.join(', ')} from lab ${r.cluster}: ${r.changes} change(s) in ${(r.ms / 1000).toFixed(2)}s${liveNote(r)}`);
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  })
  .command('down', 'remove a lab and verify nothing of it is left (namespaces, links, processes)', (y: Argv) => y.option('cluster', clusterOpt).option('json', jsonOpt), async (a) => {
    try {
      const r = await down(pickCluster(a.cluster as string | undefined));
      if (a.json) out(JSON.stringify(r, null, 2));
      else {
        out(`lab ${r.cluster} removed: ${r.removedNetns} namespace(s), ${r.killed} process(es) stopped`);
        if (r.leftovers.length) err(`still present:\n${r.leftovers.map((l) => `  - ${l}`).join('\n')}`);
      }
      process.exit(r.leftovers.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  })
  .command('fault <kind> <node>', 'inject or heal a fault: bgp-down NODE stops BIRD on a node (peers withdraw its routes), bgp-up NODE starts it again and waits for reconvergence', (y: Argv) => y
    .positional('kind', { choices: FAULTS, describe: 'fault kind' })
    .positional('node', { type: 'string', describe: 'node name' })
    .option('cluster', clusterOpt)
    .example('$0 fault bgp-down node2', 'stop BIRD on node2; checks to its pods fail until `$0 fault bgp-up node2`'), async (a) => {
    try {
      const r = await fault(pickCluster(a.cluster as string | undefined), a.kind as FaultKind, a.node as string);
      out(`${a.kind as string} ${a.node as string}: routes converged in ${(r.ms / 1000).toFixed(1)}s`);
    } catch (e) {
      fail(e);
    }
  })
  .command('status', 'show nodes, pods and services (with endpoints) of a lab, and BGP sessions in bgp mode (--json: the stable contract for scripts)', (y: Argv) => y.option('cluster', clusterOpt).option('json', jsonOpt), async (a) => {
    try {
      const s = await statusFull(pickCluster(a.cluster as string | undefined));
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
        table(['NAMESPACE/NAME', 'TYPE', 'CLUSTER-IP', 'PORT(S)', 'POLICY', 'ENDPOINTS'], s.services.map((v) => [
          `${v.namespace}/${v.name}`, v.type, v.clusterIP,
          v.ports.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>',
          `eTP=${v.externalTrafficPolicy}${v.internalTrafficPolicy === 'Local' ? ' iTP=Local' : ''}${v.sessionAffinity === 'ClientIP' ? ' affinity=ClientIP' : ''}`,
          [...new Set(v.ports.flatMap((p) => p.endpoints.map((e) => `${e.ip}:${e.port}`)))].join(',') || '<none>',
        ]));
      }
      if (s.policies?.length) {
        out('\nNETWORK POLICIES');
        table(['NAMESPACE/NAME', 'POD-SELECTOR', 'TYPES', 'PODS'], s.policies.map((p) => [`${p.namespace}/${p.name}`, p.podSelector, p.policyTypes.join(','), p.pods.join(',') || '<none>']));
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
  })
  .command('exec <target> [cmd..]', 'run a command inside a pod, node or the external host (ip netns exec)', (y: Argv) => y
    .positional('target', { type: 'string', describe: 'ns/pod, pod (namespace default), node/NAME, ext' })
    .positional('cmd', { type: 'string', array: true, describe: 'command and arguments, after --' })
    .option('cluster', clusterOpt)
    .example('$0 exec x/a -- curl -s 10.244.2.2:8080/clientip', 'ask another pod who it thinks we are')
    .example('$0 exec node/node1 -- ip route', "a node's routes")
    .example('$0 exec node/node1 -- tcpdump -ni flannel.1', 'watch VXLAN-decapsulated pod traffic'),
  (a) => {
    try {
      const st = labState(pickCluster(a.cluster as string | undefined));
      const ns = targetNetns(st.topology, a.target as string);
      const given = [...((a.cmd as string[] | undefined) ?? []), ...(((a as Record<string, unknown>)['--'] as string[] | undefined) ?? [])].map(String);
      const cmd = given.length ? given : ['sh'];
      const child = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'inherit' });
      child.on('exit', (code, sig) => process.exit(code ?? (sig ? 128 : 1)));
      child.on('error', (e) => fail(e));
    } catch (e) {
      fail(e);
    }
  })
  .command('logs <pod>', "print a pod container's output (process stdout/stderr, or netexec's request log)", (y: Argv) => y
    .positional('pod', { type: 'string', describe: 'ns/pod or pod (namespace default)' })
    .option('container', { alias: 'c', type: 'string', describe: 'container name, as in kubectl logs -c (default: the first one)' })
    .option('cluster', { type: 'string', describe: 'lab name (default: the only lab that exists); here -c is the container' })
    .example('$0 logs default/echo -c sidecar', "netexec's request log of the sidecar container"),
  (a) => {
    try {
      const st = labState(pickCluster(a.cluster as string | undefined));
      const key = (a.pod as string).includes('/') ? (a.pod as string) : `default/${a.pod as string}`;
      const pod = st.topology.pods.find((p) => p.key === key);
      if (!pod) throw new Error(`no pod "${key}" (pods: ${st.topology.pods.map((p) => p.key).join(', ')})`);
      const cname = (a.container as string | undefined) ?? pod.containers[0]!.name;
      if (!pod.containers.some((c) => c.name === cname)) throw new Error(`pod ${key} has no container "${cname}" (containers: ${pod.containers.map((c) => c.name).join(', ')})`);
      const f = containerLog(st.cluster, pod, cname);
      process.stdout.write(existsSync(f) ? readFileSync(f, 'utf8') : '');
    } catch (e) {
      fail(e);
    }
  })
  .command('clean', 'remove leftovers of a crashed run from the kernel alone (no state file needed)', (y: Argv) => y
    .option('cluster', clusterOpt)
    .option('all', { type: 'boolean', default: false, describe: 'every podlab namespace (pl-*) on this host, of any lab' })
    .option('json', jsonOpt),
  async (a) => {
    try {
      const r = await clean(a.all ? { all: true } : { cluster: pickCluster(a.cluster as string | undefined) });
      if (a.json) out(JSON.stringify(r, null, 2));
      else {
        out(`cleaned ${r.clusters.join(', ') || 'nothing'}: ${r.removedNetns} namespace(s) removed`);
        if (r.leftovers.length) err(`still present:\n${r.leftovers.map((l) => `  - ${l}`).join('\n')}`);
      }
      process.exit(r.leftovers.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  })
  .command('check', 'prove the lab with real traffic: generated checks (pod↔pod, node, external, MTU, Services, the NetworkPolicy truth table) plus declared Check documents', (y: Argv) => y
    .option('cluster', clusterOpt)
    .option('filter', { type: 'string', describe: 'only checks whose id (or declared name) matches this glob (* and ?; a plain word matches anywhere)' })
    .option('reporter', { alias: 'r', choices: REPORTERS, default: 'human' as ReporterName, describe: 'output format' })
    .option('out', { alias: 'o', type: 'string', describe: 'write the report to this file (a one-line summary still goes to stderr)' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'human reporter: list passing checks too' })
    .option('concurrency', { type: 'number', default: 8, describe: 'probes in flight at once' })
    .example('$0 check -c demo', 'run every generated and declared check')
    .example("$0 check --filter 'pod-to-pod/cross-node*'", 'only cross-node pod traffic')
    .example('$0 check -r junit -o checks.xml', 'JUnit XML for CI')
    .example("$0 check --filter 'policy *'", 'only the NetworkPolicy truth table (every pod × pod × port), printed as a matrix')
    .epilog('Exit 0 when every check passes, 1 when any fails (a failure is a verdict with evidence: command, output, observed source address).'),
  async (a) => {
    let stop = false;
    process.on('SIGINT', () => { if (stop) process.exit(130); stop = true; });
    process.on('SIGTERM', () => { stop = true; });
    try {
      const cluster = pickCluster(a.cluster as string | undefined);
      const run = await checkLab(cluster, { filter: a.filter as string | undefined, concurrency: a.concurrency as number, aborted: () => stop });
      emitReport({ runs: [run] }, a.reporter as ReporterName, a.out as string | undefined, a.verbose as boolean);
      exitFlushed(reportOk({ runs: [run] }) ? 0 : 1);
    } catch (e) {
      fail(e);
    }
  })
  .command('test', 'for CI: for each mode build the lab, check it, and always tear it down; one report, one exit code', (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'cluster file(s), including any Check documents' })
    .option('modes', { type: 'string', array: true, describe: `dataplane modes to test (default: the file's spec.mode; built: ${supportedModes().join(', ')})` })
    .option('filter', { type: 'string', describe: 'only checks whose id matches this glob' })
    .option('reporter', { alias: 'r', choices: REPORTERS, default: 'human' as ReporterName, describe: 'output format (stdout, or the file in --out)' })
    .option('out', { alias: 'o', type: 'string', describe: 'directory for the report (report.txt / report.tap / junit.xml / report.json, plus report.json always)' })
    .option('concurrency', { type: 'number', default: 8, describe: 'probes in flight at once' })
    .example('$0 test -f examples/lab.yaml', 'up → check → down')
    .example('$0 test -f lab.yaml --modes overlay -r junit -o results/', 'CI: JUnit XML in results/junit.xml'),
  async (a) => {
    let stop = false;
    const onSig = (sig: string) => () => {
      if (!stop) err(`\n${sig}: stopping; tearing the lab down before exiting…`);
      stop = true;
    };
    process.on('SIGINT', onSig('SIGINT'));
    process.on('SIGTERM', onSig('SIGTERM'));
    try {
      const modes = ((a.modes as string[] | undefined) ?? []).flatMap((m) => m.split(',')).filter(Boolean);
      const progress = isTTY ? (m: string) => err(`  · ${m}`) : undefined;
      const r = await testLabs({ files: a.file as string[], modes, filter: a.filter as string | undefined, concurrency: a.concurrency as number, progress, aborted: () => stop });
      const dir = a.out as string | undefined;
      if (dir) {
        mkdirSync(dir, { recursive: true });
        const name = { human: 'report.txt', tap: 'report.tap', junit: 'junit.xml', json: 'report.json' }[a.reporter as ReporterName];
        writeFileSync(join(dir, name), render(r, a.reporter as ReporterName));
        writeFileSync(join(dir, 'report.json'), render(r, 'json'));
        out(render(r, 'human'));
        err(`report written to ${join(dir, name)}`);
      } else out(render(r, a.reporter as ReporterName).trimEnd());
      exitFlushed(stop ? 130 : reportOk(r) ? 0 : 1);
    } catch (e) {
      fail(e);
    }
  })
  .command('plan', 'print the kernel commands `up` would run on an empty host, per namespace (needs no root)', (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'cluster file(s)' })
    .option('mode', { type: 'string', describe: `dataplane mode, overriding spec.mode (${supportedModes().join(', ')}; bgp runs BIRD 2 on each node)` })
    .option('proxy-mode', { type: 'string', describe: 'kube-proxy mode, overriding spec.proxyMode (iptables | nftables)' }),
  (a) => {
    try {
      const lab = loadLab(a.file as string[], { mode: a.mode as string | undefined, proxyMode: a['proxy-mode'] as string | undefined });
      const topo = resolve(lab);
      for (const ns of getMode(topo.mode).plan(topo).namespaces) out(opsText(diffNs(ns, EMPTY_OBSERVED, true)));
    } catch (e) {
      fail(e);
    }
  })
  .parserConfiguration({ 'populate--': true })
  .demandCommand(1, 'name a command: up, apply, delete, status, check, test, exec, logs, fault, down, clean, plan')
  .strict()
  .help()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .epilog('Exit codes: 0 ok · 1 failure · 2 invalid cluster file · 3 missing tool or kernel feature · 130 interrupted.\nState lives in $PODLAB_STATE_DIR (default /run/podlab); the kernel is the source of truth.')
  .parseAsync()
  .catch(fail);

function table(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  out(head.map((h, i) => h.padEnd(w[i]!)).join('  '));
  for (const r of rows) out(r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd());
}

/** Exit once stdout has drained: reports can be large, and process.exit drops what a pipe has not taken yet. */
function exitFlushed(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

function emitReport(r: Report, reporter: ReporterName, file: string | undefined, verbose: boolean): void {
  const text = render(r, reporter, { verbose });
  if (!file) {
    out(text.trimEnd());
    return;
  }
  writeFileSync(file, text);
  const c = r.runs.map(counts).reduce((x, y) => ({ total: x.total + y.total, passed: x.passed + y.passed, failed: x.failed + y.failed, errors: x.errors + y.errors, skipped: x.skipped + y.skipped }));
  err(`${c.total} checks: ${c.passed} passed, ${c.failed} failed, ${c.errors} errors, ${c.skipped} skipped; ${reporter} report written to ${file}`);
}

function summarizeNotices(n: readonly string[]): string[] {
  const img = n.filter((x) => x.includes('"image" is ignored'));
  const rest = n.filter((x) => !x.includes('"image" is ignored'));
  return [...(img.length ? [`${img.length} container(s) name an image: the process runtime ignores images (a Docker runtime comes later)`] : []), ...rest];
}
