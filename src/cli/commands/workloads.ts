// kubectl's workload commands: scale, rollout status|history|undo, create job --from cronjob/NAME.
import type { Argv, CommandModule } from 'yargs';
import { createJobFrom, rolloutHistory, rolloutStatus, rolloutUndo, scale } from '../../lab/controls.js';
import type { UpResult } from '../../lab/reconcile.js';
import { clusterOpt, context, err, fail, jsonOpt, out, table } from '../common.js';

const nsOpt = { alias: 'n', type: 'string', default: 'default', describe: 'the namespace of the object' } as const;

function done(r: UpResult & { message: string }, json: unknown): never {
  if (json) out(JSON.stringify(r, null, 2));
  else {
    out(r.message);
    for (const s of r.steps ?? []) err(`  · ${s}`);
  }
  for (const p of r.problems) err(`warning: ${p}`);
  process.exit(r.problems.length ? 1 : 0);
}

export const scaleCommand: CommandModule = {
  command: 'scale <ref>',
  describe: 'set the replicas of a Deployment, ReplicaSet or StatefulSet (kubectl scale); endpoints follow in every node',
  builder: (y: Argv) => y
    .positional('ref', { type: 'string', describe: 'deployment/NAME, replicaset/NAME or statefulset/NAME' })
    .option('replicas', { type: 'number', demandOption: true, describe: 'the new number of replicas' })
    .option('namespace', nsOpt).option('cluster', clusterOpt).option('json', jsonOpt)
    .example('$0 scale deployment/web --replicas 5', 'two more pods; the Service sends traffic to them at once')
    .example('$0 scale sts/db -n data --replicas 1', 'a StatefulSet scales down from its highest ordinal'),
  handler: async (a) => {
    try {
      done(await scale({ ref: a.ref as string, namespace: a.namespace as string }, a.replicas as number, { ...context(), cluster: a.cluster as string | undefined }), a.json);
    } catch (e) {
      fail(e);
    }
  },
};

export const rolloutCommand: CommandModule = {
  command: 'rollout <action> <ref>',
  describe: 'rollout status|history|undo of a Deployment (status also for StatefulSets and DaemonSets), as kubectl has them',
  builder: (y: Argv) => y
    .positional('action', { choices: ['status', 'history', 'undo'] as const, describe: 'what to do' })
    .positional('ref', { type: 'string', describe: 'deployment/NAME (status: also statefulset/NAME, daemonset/NAME)' })
    .option('to-revision', { type: 'number', describe: 'undo: the revision to go back to (default: the previous one)' })
    .option('watch', { alias: 'w', type: 'boolean', default: true, describe: 'status: wait until the rollout finishes' })
    .option('timeout', { type: 'number', default: 60, describe: 'status: seconds to wait' })
    .option('namespace', nsOpt).option('cluster', clusterOpt).option('json', jsonOpt)
    .example('$0 rollout status deployment/web', 'deployment "web" successfully rolled out')
    .example('$0 rollout history deployment/web', 'the revisions and their change causes')
    .example('$0 rollout undo deployment/web', 'back to the previous template, rolled out with the Deployment\'s strategy'),
  handler: async (a) => {
    try {
      const ctx = { ...context(), cluster: a.cluster as string | undefined };
      const ref = { ref: a.ref as string, namespace: a.namespace as string };
      if (a.action === 'status') {
        const m = await rolloutStatus(ref, { ...ctx, watch: a.watch as boolean, timeoutMs: (a.timeout as number) * 1000, onMessage: a.json ? undefined : out });
        if (a.json) out(JSON.stringify(m, null, 2));
        process.exit(m.done ? 0 : 1);
      }
      if (a.action === 'history') {
        const h = await rolloutHistory(ref, ctx);
        if (a.json) out(JSON.stringify(h, null, 2));
        else {
          out(h.name);
          table(['REVISION', 'CHANGE-CAUSE'], h.revisions.map((r) => [String(r.revision), r.changeCause ?? '<none>']));
        }
        return;
      }
      done(await rolloutUndo(ref, a['to-revision'] as number | undefined, ctx), a.json);
    } catch (e) {
      fail(e);
    }
  },
};

export const createCommand: CommandModule = {
  command: 'create <what> [name]',
  describe: 'create a Job from a CronJob now (kubectl create job NAME --from=cronjob/X)',
  builder: (y: Argv) => y
    .positional('what', { choices: ['job'] as const, describe: 'job' })
    .positional('name', { type: 'string', describe: 'the Job\'s name (default: <cronjob>-<minutes since the epoch>, as the CronJob controller names them)' })
    .option('from', { type: 'string', demandOption: true, describe: 'cronjob/NAME' })
    .option('namespace', nsOpt).option('cluster', clusterOpt).option('json', jsonOpt)
    .example('$0 create job --from cronjob/backup', 'run the backup CronJob\'s job now')
    .example('$0 create job once --from cronjob/backup -n ops', 'named "once", in namespace ops'),
  handler: async (a) => {
    try {
      done(await createJobFrom(a.from as string, a.name as string | undefined, { ...context(), cluster: a.cluster as string | undefined, namespace: a.namespace as string }), a.json);
    } catch (e) {
      fail(e);
    }
  },
};
