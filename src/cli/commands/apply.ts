import type { Argv, CommandModule } from 'yargs';
import { apply, deleteObjects } from '../../lab/live.js';
import type { UpResult } from '../../lab/reconcile.js';
import { LIVE_KINDS } from '../../input/kinds/index.js';
import { clusterOpt, context, err, fail, jsonOpt, out } from '../common.js';

/** How much of the lab a live change read back: only namespaces whose planned state changed. */
const liveNote = (r: UpResult) => ` (${r.namespaces} namespaces: re-read ${r.readBack}, rules rewritten in ${r.rulesSynced}, created ${r.created.length})`;

export const applyCommand: CommandModule = {
  command: 'apply',
  describe: `add or update ${LIVE_KINDS.join(', ')} in a running lab (only what changed is touched)`,
  builder: (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: `file(s) with ${LIVE_KINDS.join(', ')} documents; one that names an existing object replaces it` })
    .option('cluster', clusterOpt)
    .option('json', jsonOpt)
    .example('$0 apply -f web-svc.yaml', 'add a Service; every node gets its kube-proxy rules')
    .example('$0 apply -f web-3.yaml', 'add a pod: it becomes an endpoint of the Services that select it'),
  handler: async (a) => {
    try {
      const r = await apply(a.file as string[], { ...context(), cluster: a.cluster as string | undefined });
      if (a.json) out(JSON.stringify(r, null, 2));
      else out(`applied ${r.objects.join(', ')} to lab ${r.cluster}: ${r.changes} change(s) in ${(r.ms / 1000).toFixed(2)}s${liveNote(r)}`);
      for (const p of r.problems) err(`warning: ${p}`);
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};

export const deleteCommand: CommandModule = {
  command: 'delete [kind] [name]',
  describe: 'remove Pods, Services, Ingresses or Secrets from a running lab (UDP conntrack entries of removed endpoints are flushed)',
  builder: (y: Argv) => y
    .positional('kind', { type: 'string', describe: 'pod | service | ingress | secret (also po, svc, ing)' })
    .positional('name', { type: 'string', describe: 'NS/NAME (namespace default when NAME alone)' })
    .option('file', { alias: 'f', type: 'string', array: true, describe: 'delete the objects these files declare' })
    .option('cluster', clusterOpt)
    .option('json', jsonOpt)
    .example('$0 delete pod shop/web-2', 'the pod goes; Services stop sending traffic to it')
    .example('$0 delete service shop/web', "the Service's rules go from every node")
    .example('$0 delete ingress shop/shop', 'the ingress controller reloads without its rules')
    .example('$0 delete -f web-svc.yaml', 'delete what the file declares'),
  handler: async (a) => {
    try {
      const r = await deleteObjects({ files: a.file as string[] | undefined, kind: a.kind as string | undefined, name: a.name as string | undefined }, { ...context(), cluster: a.cluster as string | undefined });
      if (a.json) out(JSON.stringify(r, null, 2));
      else out(`deleted ${r.objects.join(', ')} from lab ${r.cluster}: ${r.changes} change(s) in ${(r.ms / 1000).toFixed(2)}s${liveNote(r)}`);
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};
