import type { Argv, CommandModule } from 'yargs';
import { clean } from '../../lab/down.js';
import { pickCluster } from '../../lab/targets.js';
import { clusterOpt, context, err, fail, jsonOpt, lockOptions, waitOpt, out } from '../common.js';
import { printDown } from '../print.js';
import { viaDown } from '../via.js';

export const downCommand: CommandModule = {
  command: 'down',
  describe: 'remove a lab and verify nothing of it is left (namespaces, links, processes)',
  builder: (y: Argv) => y.option('cluster', clusterOpt).option('json', jsonOpt).option('wait', waitOpt),
  handler: async (a) => {
    try {
      const { result: r } = await viaDown({ cluster: a.cluster as string | undefined }, { lock: lockOptions(a) });
      printDown(r, a.json as boolean);
      process.exit(r.leftovers.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};

export const cleanCommand: CommandModule = {
  command: 'clean',
  describe: 'remove leftovers of a crashed run from the kernel alone (no state file needed)',
  builder: (y: Argv) => y
    .option('cluster', clusterOpt)
    .option('all', { type: 'boolean', default: false, describe: 'every podlab namespace (pl-*) on this host, of any lab' })
    .option('json', jsonOpt)
    .option('wait', waitOpt),
  handler: async (a) => {
    try {
      const ctx = context({ lock: lockOptions(a) }, 'clean');
      const r = await clean(a.all ? { all: true } : { cluster: await pickCluster(ctx, a.cluster as string | undefined) }, ctx);
      if (a.json) out(JSON.stringify(r, null, 2));
      else {
        out(`cleaned ${r.clusters.join(', ') || 'nothing'}: ${r.removedNetns} namespace(s) removed`);
        if (r.leftovers.length) err(`still present:\n${r.leftovers.map((l) => `  - ${l}`).join('\n')}`);
      }
      process.exit(r.leftovers.length ? 1 : 0);
    } catch (e) {
      fail(e);
    }
  },
};
