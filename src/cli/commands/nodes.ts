import type { Argv, CommandModule } from 'yargs';
import { fail, out } from '../common.js';

export const nodesCommand: CommandModule = {
  command: 'nodes',
  describe: 'labs across machines: the nodes registered in the etcd store by their daemons (`podlab daemon --node`), see docs/multihost.md',
  builder: (y: Argv) => y
    .option('store', { type: 'string', describe: 'the cluster store: etcd:///path/to/socket or etcd://host:2379[,…] (default $PODLAB_STORE)' })
    .option('store-credentials', { type: 'string', describe: 'a 0600 file with "user:password" (default $PODLAB_STORE_CREDENTIALS)' })
    .option('json', { type: 'boolean', default: false, describe: 'JSON: {nodes:[{node, underlayIp, pid, since}]}' })
    .example('$0 nodes --store etcd:///run/podlab-machines/etcd/etcd:2379', 'the machines whose daemons are up'),
  handler: async (a) => {
    try {
      const url = (a.store as string | undefined) ?? process.env.PODLAB_STORE;
      if (!url) throw new Error('nodes: give --store etcd://… (or $PODLAB_STORE)');
      const { EtcdStore } = await import('../../store/etcd.js');
      const s = EtcdStore.open(url, (a['store-credentials'] as string | undefined) ?? process.env.PODLAB_STORE_CREDENTIALS);
      try {
        const nodes = await s.nodes();
        if (a.json) out(JSON.stringify({ store: url, nodes }));
        else {
          out(['NODE', 'UNDERLAY', 'DAEMON PID', 'SINCE'].join('\t'));
          for (const n of nodes) out([n.node, n.underlayIp, String(n.pid), n.since].join('\t'));
        }
      } finally {
        await s.close();
      }
    } catch (e) {
      fail(e);
    }
  },
};
