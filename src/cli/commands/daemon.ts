import type { Argv, CommandModule } from 'yargs';
import { join, resolve } from 'node:path';
import { fail, out } from '../common.js';
import { events } from '../../daemon/client.js';
import { socketPath, stateRootOf, type EventJson } from '../../daemon/protocol.js';

/** "30s", "500ms", "2m", or a number of seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new Error(`--resync: "${s}" is not a duration (30s, 500ms, 2m)`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms < 100) throw new Error('--resync: at least 100ms');
  return ms;
}

export const daemonCommand: CommandModule = {
  command: 'daemon',
  describe: 'run the podlab daemon in the foreground: the API on a root-only unix socket, a reconcile loop that repairs drift, a journal that survives kill -9',
  builder: (y: Argv) => y
    .option('socket', { type: 'string', describe: 'unix socket to listen on (default: podlab.sock in the state directory; clients find it there, or through $PODLAB_SOCKET)' })
    .option('resync', { type: 'string', default: '30s', describe: 'period of the full resync of every lab against the kernel' })
    .option('state-dir', { type: 'string', describe: 'state directory (default $PODLAB_STATE_DIR or /run/podlab)' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'one log line per action, as text or JSON' })
    .option('kernel-events', { type: 'boolean', default: true, describe: 'watch netlink events of every lab namespace (--no-kernel-events: resync only)' })
    .option('node', { type: 'string', describe: 'node mode: serve this node of a lab across machines, registered in --store (docs/multihost.md)' })
    .option('store', { type: 'string', describe: 'the cluster store for --node: etcd:///path/to/socket or etcd://host:2379[,…] (default $PODLAB_STORE)' })
    .option('store-credentials', { type: 'string', describe: 'a 0600 file with "user:password" for the store (default $PODLAB_STORE_CREDENTIALS)' })
    .option('underlay-dev', { type: 'string', default: 'eth1', describe: 'with --node: the interface that reaches the other machines' })
    .example('sudo $0 daemon', 'serve the labs of /run/podlab; `podlab up/apply/status …` then go through it')
    .example('sudo $0 daemon --resync 10s --log-format json', 'resync every 10 s, JSON log lines')
    .epilog('Stop it with SIGTERM or Ctrl-C: labs and their processes stay up, and the next daemon adopts them. scripts/podlab.service runs it under systemd.'),
  handler: async (a) => {
    try {
      const stateDir = resolve((a['state-dir'] as string | undefined) ?? stateRootOf());
      process.env.PODLAB_STATE_DIR = stateDir;
      const socket = resolve((a.socket as string | undefined) ?? join(stateDir, 'podlab.sock'));
      const { runDaemon } = await import('../../daemon/main.js');
      const store = (a.store as string | undefined) ?? process.env.PODLAB_STORE;
      if (a.store !== undefined && a.node === undefined) throw new Error('--store is for node mode: give --node NAME too');
      const node = a.node === undefined ? undefined : {
        name: String(a.node),
        store: store ?? (() => { throw new Error('--node needs --store etcd://… (or $PODLAB_STORE)'); })(),
        credentials: (a['store-credentials'] as string | undefined) ?? process.env.PODLAB_STORE_CREDENTIALS,
        underlayDev: a['underlay-dev'] as string,
      };
      await runDaemon({ stateDir, socket, resyncMs: parseDuration(a.resync as string), logFormat: a['log-format'] as 'text' | 'json', kernelEvents: a['kernel-events'] as boolean, node });
    } catch (e) {
      fail(e);
    }
  },
};

const age = (t: string) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(t)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};

export const eventsCommand: CommandModule = {
  command: 'events',
  describe: 'what the podlab daemon did and why (repairs with what drifted, applies, restarts), like kubectl get events',
  builder: (y: Argv) => y
    .option('cluster', { alias: 'c', type: 'string', describe: 'one lab (default: every lab the daemon serves)' })
    .option('follow', { alias: ['w', 'watch'], type: 'boolean', default: false, describe: 'keep streaming new events (kubectl get events -w)' })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line' })
    .example('$0 events -c demo --follow', 'watch the daemon repair the lab'),
  handler: async (a) => {
    try {
      let header = false;
      const each = (e: EventJson) => {
        if (a.json) return out(JSON.stringify(e));
        if (!header) {
          out(['LAST SEEN', 'LAB', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'].join('\t'));
          header = true;
        }
        out([age(e.time), e.cluster, e.type, e.reason, e.object, e.message + (e.ms !== undefined && e.reason === 'Repaired' ? ` (${e.ms} ms)` : '')].join('\t'));
      };
      const ok = await events({ cluster: a.cluster as string | undefined, follow: a.follow as boolean }, each);
      if (!ok) throw new Error(`no podlab daemon answers on ${socketPath()}: events are what the daemon did (start it with \`podlab daemon\`)`);
    } catch (e) {
      fail(e);
    }
  },
};
