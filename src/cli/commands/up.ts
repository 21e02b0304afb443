import type { Argv, CommandModule } from 'yargs';
import { up, type UpResult } from '../../lab/up.js';
import { status } from '../../lab/status.js';
import { supportedModes } from '../../modes/registry.js';
import { context, err, fail, isTTY, jsonOpt, out, stopOnSignals } from '../common.js';

function printUp(r: UpResult, nodes: number, pods: number): void {
  const secs = (r.ms / 1000).toFixed(2);
  if (r.changes === 0) out(`lab ${r.cluster} (${r.mode}) is up to date: no changes (${secs}s)`);
  else out(`lab ${r.cluster} (${r.mode}) is up: ${nodes} node(s), ${pods} pod(s); ${r.changes} change(s) in ${secs}s` +
    (r.created.length ? `, ${r.created.length} namespace(s) created` : '') + (r.deleted.length ? `, ${r.deleted.length} removed` : ''));
  for (const p of r.problems) err(`warning: ${p}`);
  if (r.changes > 0) out(`next: podlab status -c ${r.cluster} · podlab exec -c ${r.cluster} node/<node> -- ip route · podlab down -c ${r.cluster}`);
}

/** Notices as the files produced them: one line per ignored field already (input/usage.ts), however many objects carry it. */
export function summarizeNotices(n: readonly string[]): string[] {
  return [...n];
}

export const upCommand: CommandModule = {
  command: 'up',
  describe: 'build or update a lab from cluster files (idempotent: a second run changes nothing)',
  builder: (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'cluster file(s): one Cluster document plus Kubernetes objects — Namespaces, Pods, Services, ConfigMaps, Secrets, Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs (multi-document YAML); resets what apply/delete/scale changed' })
    .option('mode', { type: 'string', describe: `dataplane mode, overriding spec.mode (${supportedModes().join(', ')})` })
    .option('proxy-mode', { type: 'string', describe: 'kube-proxy mode, overriding spec.proxyMode: iptables (KUBE-* chains) | nftables (table ip kube-proxy)' })
    .option('json', jsonOpt)
    .example('$0 up -f examples/lab.yaml', 'build the example 3-node lab')
    .example('$0 up -f lab.yaml --json', 'build quietly, print the result as JSON')
    .example('$0 up -f lab.yaml --mode bgp', 'the same lab as Calico BGP (a real BIRD per node)')
    .example('$0 up -f cluster.yaml -f web-deployment.yaml', 'a Deployment: its ReplicaSet\'s pods are scheduled and built; rollouts are walked step by step')
    .example('$0 up -f lab.yaml --mode vpc', 'the AWS VPC CNI dataplane (max-pods per spec.vpc.instanceType; extra pods are Pending)'),
  handler: async (a) => {
    const stopped = stopOnSignals((sig) => {
      if (sig === 'SIGINT') err('\ninterrupt: stopping after the current step (Ctrl-C again to quit at once; `podlab down` removes what was built)');
    });
    const progress = a.json || !isTTY ? undefined : (m: string) => err(`  · ${m}`);
    try {
      const ctx = context({ progress, aborted: stopped });
      const r = await up({ ...ctx, files: a.file as string[], mode: a.mode as string | undefined, proxyMode: a['proxy-mode'] as string | undefined });
      if (a.json) out(JSON.stringify(r, null, 2));
      else {
        for (const n of summarizeNotices(r.notices)) err(`notice: ${n}`);
        const st = await status(r.cluster, ctx);
        printUp(r, st.nodes.length, st.pods.length);
      }
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};
