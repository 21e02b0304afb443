import type { Argv, CommandModule } from 'yargs';
import { superviseLab } from '../../lab/supervise.js';
import { pickCluster } from '../../lab/targets.js';
import { clusterOpt, context, err, fail, out, stopOnSignals } from '../common.js';

export const superviseCommand: CommandModule = {
  command: 'supervise',
  describe: "run the lab's pod lifecycle in the foreground until Ctrl-C: restarts with back-off, init containers and sidecars, probes, readiness that moves Service endpoints, and the controllers that act over time (Jobs, CronJobs, TTLs); the daemon hosts the same. `podlab down` stops it first; it stops by itself when the lab's state is gone",
  builder: (y: Argv) => y
    .option('cluster', clusterOpt)
    .option('json', { type: 'boolean', default: false, describe: 'print events as JSON lines' })
    .example('$0 supervise -c demo', "keep demo's pods running as kubelet would"),
  handler: async (a) => {
    try {
      const ctx = context();
      const cluster = await pickCluster(ctx, a.cluster as string | undefined);
      const json = !!a.json;
      let gone = false;
      const h = await superviseLab(cluster, {
        ...ctx, by: 'podlab supervise',
        onGone: () => { gone = true; },
        onEvent: (e) => out(json ? JSON.stringify({ kind: 'event', ...e }) : `${e.at}  ${e.type.padEnd(7)} ${e.reason.padEnd(18)} ${e.pod}${e.container ? `/${e.container}` : ''}: ${e.message}`),
        onSync: (s) => out(json ? JSON.stringify({ kind: 'endpoints', ...s }) : `${s.at}  Normal  EndpointsSynced    ${s.reason}: ${s.changed ? 'rules rewritten' : 'no rule changed'} in ${Math.round(s.ms)} ms (not ready: ${s.notReady.join(', ') || 'none'})`),
      });
      if (!json) err(`podlab: supervising lab ${cluster} (pid ${process.pid}); Ctrl-C stops the supervisor, the containers keep running`);
      const stop = stopOnSignals();
      await new Promise<void>((r) => {
        const t = setInterval(() => {
          if (stop() || gone) {
            clearInterval(t);
            r();
          }
        }, 100);
      });
      if (gone) err(`podlab: the state of lab ${cluster} is gone (podlab down or clean): the supervisor stops`);
      await h.stop();
      process.exit(0);
    } catch (e) {
      fail(e);
    }
  },
};
