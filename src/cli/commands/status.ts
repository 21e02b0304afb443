import type { Argv, CommandModule } from 'yargs';
import { clusterOpt, fail, jsonOpt } from '../common.js';
import { printStatus } from '../print.js';
import { viaStatus } from '../via.js';

export const statusCommand: CommandModule = {
  command: 'status',
  describe: 'show nodes, pods, workloads (like kubectl get deploy,rs,sts,ds,job,cronjob) and services (with endpoints) of a lab, and BGP sessions in bgp mode (--json: the stable contract for scripts; "via" says whether the daemon or this process answered, as stderr does)',
  builder: (y: Argv) => y.option('cluster', clusterOpt).option('json', jsonOpt),
  handler: async (a) => {
    try {
      const { result, via } = await viaStatus({ cluster: a.cluster as string | undefined });
      printStatus(result, via, a.json as boolean);
    } catch (e) {
      fail(e);
    }
  },
};
