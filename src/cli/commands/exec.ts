import { spawn } from 'node:child_process';
import type { Argv, CommandModule } from 'yargs';
import { isPodTarget, labState, pickCluster, targetContainer, targetNetns } from '../../lab/targets.js';
import { runtimeContext } from '../../lab/context.js';
import { clusterOpt, context, fail } from '../common.js';
import { viaLogs } from '../via.js';

export const execCommand: CommandModule = {
  command: 'exec <target> [cmd..]',
  describe: "run a command in a pod's container (its namespaces, environment, working directory, hostname and mounts, as kubectl exec), a node or the external host",
  builder: (y: Argv) => y
    .positional('target', { type: 'string', describe: 'ns/pod, pod (namespace default), node/NAME, ext, fabric, host/NAME (vpc)' })
    .positional('cmd', { type: 'string', array: true, describe: 'command and arguments, after --' })
    .option('cluster', clusterOpt)
    .option('container', { type: 'string', describe: "the pod's container (default: its first); here -c is the lab" })
    .example('$0 exec x/a -- curl -s 10.244.2.2:8080/clientip', 'ask another pod who it thinks we are')
    .example('$0 exec web --container sidecar -- ls /var/log/app', "a sidecar's view of a shared volume")
    .example('$0 exec node/node1 -- ip route', "a node's routes")
    .example('$0 exec node/node1 -- tcpdump -ni flannel.1', 'watch VXLAN-decapsulated pod traffic'),
  handler: async (a) => {
    try {
      const ctx = context({}, 'exec');
      const cluster = await pickCluster(ctx, a.cluster as string | undefined);
      const st = await labState(ctx, cluster);
      const target = a.target as string;
      const given = [...((a.cmd as string[] | undefined) ?? []), ...(((a as Record<string, unknown>)['--'] as string[] | undefined) ?? [])].map(String);
      const cmd = given.length ? given : ['sh'];
      let argv: string[];
      if (isPodTarget(target)) {
        const ref = targetContainer(st.topology, target, a.container as string | undefined);
        argv = await ctx.runtime.execArgv(runtimeContext(ctx, cluster), ref, cmd);
      } else {
        if (a.container !== undefined) throw new Error('--container is for pods');
        argv = ['ip', 'netns', 'exec', targetNetns(st.topology, target), ...cmd];
      }
      const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
      child.on('exit', (code, sig) => process.exit(code ?? (sig ? 128 : 1)));
      child.on('error', (e) => fail(e));
    } catch (e) {
      fail(e);
    }
  },
};

export const logsCommand: CommandModule = {
  command: 'logs <pod>',
  describe: "print a pod container's output (its stdout/stderr, or netexec's request log), of the current or the previous instance",
  builder: (y: Argv) => y
    .positional('pod', { type: 'string', describe: 'ns/pod or pod (namespace default)' })
    .option('container', { alias: 'c', type: 'string', describe: 'container name, as in kubectl logs -c (default: the first one)' })
    .option('previous', { alias: 'p', type: 'boolean', default: false, describe: 'the instance before the last restart' })
    .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'keep printing as it writes (until it ends or Ctrl-C)' })
    .option('cluster', { type: 'string', describe: 'lab name (default: the only lab that exists); here -c is the container' })
    .example('$0 logs default/echo -c sidecar', "netexec's request log of the sidecar container")
    .example('$0 logs web -c app --previous', 'what the app wrote before it crashed'),
  handler: async (a) => {
    try {
      if (!a.follow) {
        const { result } = await viaLogs({ cluster: a.cluster as string | undefined, pod: a.pod as string, container: a.container as string | undefined, previous: !!a.previous });
        process.stdout.write(result.text);
        return;
      }
      // -f follows the file here (the daemon answers whole requests, not streams).
      const ctx = context();
      const cluster = await pickCluster(ctx, a.cluster as string | undefined);
      const st = await labState(ctx, cluster);
      const ref = targetContainer(st.topology, a.pod as string, a.container as string | undefined);
      const ac = new AbortController();
      process.on('SIGINT', () => ac.abort());
      await ctx.runtime.followLogs(runtimeContext(ctx, cluster), ref, (s) => process.stdout.write(s), { previous: !!a.previous, signal: ac.signal });
      process.exit(0);
    } catch (e) {
      fail(e);
    }
  },
};
