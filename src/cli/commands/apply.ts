import type { Argv, CommandModule } from 'yargs';
import { LIVE_KINDS } from '../../input/kinds/index.js';
import { clusterOpt, fail, jsonOpt, lockOptions, waitOpt } from '../common.js';
import { printLive } from '../print.js';
import { viaApply, viaDelete } from '../via.js';

export const applyCommand: CommandModule = {
  command: 'apply',
  describe: `add or update ${LIVE_KINDS.join(', ')} in a running lab (only what changed is touched)`,
  builder: (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: `file(s) with ${LIVE_KINDS.join(', ')} documents; one that names an existing object replaces it` })
    .option('cluster', clusterOpt)
    .option('json', jsonOpt)
    .option('wait', waitOpt)
    .example('$0 apply -f web-svc.yaml', 'add a Service; every node gets its kube-proxy rules')
    .example('$0 apply -f web-3.yaml', 'add a pod: it becomes an endpoint of the Services that select it')
    .example('$0 apply -f deny-all.yaml', 'a NetworkPolicy: every node gets its rules; new connections follow within a second'),
  handler: async (a) => {
    try {
      const { result: r } = await viaApply({ files: a.file as string[], cluster: a.cluster as string | undefined }, { lock: lockOptions(a) });
      printLive('applied', r, a.json as boolean);
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};

export const deleteCommand: CommandModule = {
  command: 'delete [kind] [name]',
  describe: 'remove objects (Pods, Services, NetworkPolicies, Ingresses, Deployments, …) from a running lab (UDP conntrack entries of removed endpoints are flushed)',
  builder: (y: Argv) => y
    .positional('kind', { type: 'string', describe: 'pod | service | ingress (ing) | networkpolicy (netpol) | deployment | statefulset | daemonset | job | cronjob | configmap | secret … (kubectl\'s short names too; or KIND/NAME)' })
    .positional('name', { type: 'string', describe: 'NAME or NS/NAME' })
    .option('namespace', { alias: 'n', type: 'string', describe: 'the namespace (default: default)' })
    .option('file', { alias: 'f', type: 'string', array: true, describe: 'delete the objects these files declare' })
    .option('cluster', clusterOpt)
    .option('json', jsonOpt)
    .option('wait', waitOpt)
    .example('$0 delete pod shop/web-2', 'the pod goes; Services stop sending traffic to it')
    .example('$0 delete pod shop/web-6d9f7c8b4-x2q5z', "a Deployment's pod: its ReplicaSet makes one with a new name in its place")
    .example('$0 delete service shop/web', "the Service's rules go from every node")
    .example('$0 delete deployment/web -n shop', 'the Deployment, its ReplicaSets and pods go')
    .example('$0 delete netpol shop/deny-all', 'the policy goes; with none left, no policy chain or IP set remains')
    .example('$0 delete ingress shop/shop', 'the ingress controller reloads without its rules')
    .example('$0 delete -f web-svc.yaml', 'delete what the file declares'),
  handler: async (a) => {
    try {
      const { result: r } = await viaDelete({ files: a.file as string[] | undefined, kind: a.kind as string | undefined, name: a.name as string | undefined, namespace: a.namespace as string | undefined, cluster: a.cluster as string | undefined }, { lock: lockOptions(a) });
      printLive('deleted', r, a.json as boolean);
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};
