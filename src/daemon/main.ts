// `podlab daemon`: run the daemon in the foreground until SIGTERM or SIGINT. Pods' processes are detached and
// outlive it (the systemd unit uses KillMode=process): stopping or killing the daemon never stops a lab.
import { mkdirSync, rmSync } from 'node:fs';
import { Daemon, type DaemonOptions } from './daemon.js';
import { listen } from './server.js';
import { registerNode } from './node.js';

export async function runDaemon(o: DaemonOptions): Promise<void> {
  if (process.getuid && process.getuid() !== 0) throw Object.assign(new Error('the podlab daemon changes network namespaces: run it as root'), { name: 'PreflightError', missing: ['root'] });
  mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
  const d = new Daemon(o);
  const node = o.node ? await registerNode(o.node) : undefined;
  const server = await listen(d, o.socket);
  d.log.log(`podlab daemon pid ${process.pid} listening on ${o.socket} (state ${o.stateDir}, resync every ${o.resyncMs / 1000}s)`, { pid: process.pid, socket: o.socket, stateDir: o.stateDir });
  if (node && o.node) d.log.log(`node ${o.node.name} registered in ${node.describe} (underlay ${o.node.underlayDev})`, { node: o.node.name });
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    d.log.log(`${sig}: stopping (labs and their processes stay up)`);
    void d.stop();
    server.close();
    rmSync(o.socket, { force: true });
    // Node mode: revoke the lease first (bounded), so the node leaves the store now rather than after its TTL.
    const left = node ? Promise.race([node.close(), new Promise((r) => setTimeout(r, 2000))]) : Promise.resolve();
    void left.then(() => setTimeout(() => process.exit(0), 200).unref());
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await d.start();
}
