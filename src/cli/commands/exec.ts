import { spawn } from 'node:child_process';
import type { Argv, CommandModule } from 'yargs';
import { labState, pickCluster, targetNetns } from '../../lab/targets.js';
import { clusterOpt, context, fail } from '../common.js';
import { viaLogs } from '../via.js';

export const execCommand: CommandModule = {
  command: 'exec <target> [cmd..]',
  describe: 'run a command inside a pod, node or the external host (ip netns exec)',
  builder: (y: Argv) => y
    .positional('target', { type: 'string', describe: 'ns/pod, pod (namespace default), node/NAME, ext, fabric, host/NAME (vpc)' })
    .positional('cmd', { type: 'string', array: true, describe: 'command and arguments, after --' })
    .option('cluster', clusterOpt)
    .example('$0 exec x/a -- curl -s 10.244.2.2:8080/clientip', 'ask another pod who it thinks we are')
    .example('$0 exec node/node1 -- ip route', "a node's routes")
    .example('$0 exec node/node1 -- tcpdump -ni flannel.1', 'watch VXLAN-decapsulated pod traffic'),
  handler: async (a) => {
    try {
      const ctx = context({}, 'exec');
      const st = await labState(ctx, await pickCluster(ctx, a.cluster as string | undefined));
      const ns = targetNetns(st.topology, a.target as string);
      const given = [...((a.cmd as string[] | undefined) ?? []), ...(((a as Record<string, unknown>)['--'] as string[] | undefined) ?? [])].map(String);
      const cmd = given.length ? given : ['sh'];
      const child = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'inherit' });
      child.on('exit', (code, sig) => process.exit(code ?? (sig ? 128 : 1)));
      child.on('error', (e) => fail(e));
    } catch (e) {
      fail(e);
    }
  },
};

export const logsCommand: CommandModule = {
  command: 'logs <pod>',
  describe: "print a pod container's output (process stdout/stderr, or netexec's request log)",
  builder: (y: Argv) => y
    .positional('pod', { type: 'string', describe: 'ns/pod or pod (namespace default)' })
    .option('container', { alias: 'c', type: 'string', describe: 'container name, as in kubectl logs -c (default: the first one)' })
    .option('cluster', { type: 'string', describe: 'lab name (default: the only lab that exists); here -c is the container' })
    .example('$0 logs default/echo -c sidecar', "netexec's request log of the sidecar container"),
  handler: async (a) => {
    try {
      const { result } = await viaLogs({ cluster: a.cluster as string | undefined, pod: a.pod as string, container: a.container as string | undefined });
      process.stdout.write(result.text);
    } catch (e) {
      fail(e);
    }
  },
};
