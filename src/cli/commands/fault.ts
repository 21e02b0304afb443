import type { Argv, CommandModule } from 'yargs';
import { FAULTS } from '../../lab/fault.js';
import { clusterOpt, fail, lockOptions, waitOpt, out } from '../common.js';
import { viaFault } from '../via.js';

export const faultCommand: CommandModule = {
  command: 'fault <kind> <node>',
  describe: 'inject or heal a fault: bgp-down NODE stops BIRD on a node (peers withdraw its routes), bgp-up NODE starts it again; speaker-down NODE stops its L2 speaker (its load-balancer IPs move), speaker-up NODE starts it again',
  builder: (y: Argv) => y
    .positional('kind', { choices: FAULTS, describe: 'fault kind' })
    .positional('node', { type: 'string', describe: 'node name' })
    .option('cluster', clusterOpt)
    .option('wait', waitOpt)
    .example('$0 fault bgp-down node2', 'stop BIRD on node2; checks to its pods fail until `$0 fault bgp-up node2`')
    .example('$0 fault speaker-down node1', "stop node1's MetalLB speaker: the next node answers ARP for its load-balancer IPs"),
  handler: async (a) => {
    try {
      const { result: r } = await viaFault({ cluster: a.cluster as string | undefined, kind: a.kind as string, node: a.node as string }, { lock: lockOptions(a) });
      out(`${a.kind as string} ${a.node as string}: ${String(a.kind).startsWith('speaker') ? 'announcements settled' : 'routes converged'} in ${(r.ms / 1000).toFixed(1)}s`);
    } catch (e) {
      fail(e);
    }
  },
};
