import type { Argv, CommandModule } from 'yargs';
import { supportedModes } from '../../modes/registry.js';
import { err, fail, isTTY, jsonOpt, lockOptions, waitOpt, out, stopOnSignals } from '../common.js';
import { printUp, summarizeNotices } from '../print.js';
import { viaStatus, viaUp } from '../via.js';

export { summarizeNotices };

export const upCommand: CommandModule = {
  command: 'up',
  describe: 'build or update a lab from cluster files (idempotent: a second run changes nothing)',
  builder: (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'cluster file(s): one Cluster document plus Kubernetes objects — Namespaces, Pods, Services, ConfigMaps, Secrets, Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs (multi-document YAML); resets what apply/delete/scale changed' })
    .option('mode', { type: 'string', describe: `dataplane mode, overriding spec.mode (${supportedModes().join(', ')})` })
    .option('proxy-mode', { type: 'string', describe: 'kube-proxy mode, overriding spec.proxyMode: iptables (KUBE-* chains) | nftables (table ip kube-proxy)' })
    .option('json', jsonOpt)
    .option('wait', waitOpt)
    .option('store', { type: 'string', describe: 'labs across machines (in progress, docs/multihost.md): store the lab in this etcd (etcd:///socket or etcd://host:2379), allocate the nodes\' pod CIDRs, wait for each node\'s daemon (default $PODLAB_STORE)' })
    .option('store-credentials', { type: 'string', describe: 'with --store: a 0600 file with "user:password" (default $PODLAB_STORE_CREDENTIALS)' })
    .option('wait-nodes', { type: 'number', default: 30, describe: 'with --store: seconds to wait for every node\'s daemon' })
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
      const store = (a.store as string | undefined) ?? process.env.PODLAB_STORE;
      if (store) {
        const { storeUp, NotBuiltError } = await import('../../lab/multihost.js');
        const r = await storeUp({ files: a.file as string[], mode: a.mode as string | undefined, store, credentials: (a['store-credentials'] as string | undefined) ?? process.env.PODLAB_STORE_CREDENTIALS, waitMs: Math.max(0, Number(a['wait-nodes'])) * 1000 });
        if (a.json) out(JSON.stringify(r, null, 2));
        else for (const [n, c] of Object.entries(r.podCIDRs)) err(`node ${n}: pod CIDR ${c}${r.missing.includes(n) ? ' (no daemon)' : ''}`);
        throw new NotBuiltError(r);
      }
      const { result: r } = await viaUp({ files: a.file as string[], mode: a.mode as string | undefined, proxyMode: a['proxy-mode'] as string | undefined }, { progress, aborted: stopped, lock: lockOptions(a) });
      if (a.json) out(JSON.stringify(r, null, 2));
      else {
        for (const n of summarizeNotices(r.notices)) err(`notice: ${n}`);
        const { result: st } = await viaStatus({ cluster: r.cluster });
        printUp(r, st.nodes.length, st.pods.length);
      }
      process.exit(r.problems.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};
