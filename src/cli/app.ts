// podlab CLI (yargs): thin — one file per command in commands/, each parses its options, calls a lab use-case (src/lab/)
// and prints. Human output by default, --json for scripts.
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { supportedModes, getMode } from '../modes/registry.js';
import { fail } from './common.js';
import { upCommand } from './commands/up.js';
import { applyCommand, deleteCommand } from './commands/apply.js';
import { downCommand, cleanCommand } from './commands/down.js';
import { faultCommand } from './commands/fault.js';
import { statusCommand } from './commands/status.js';
import { execCommand, logsCommand } from './commands/exec.js';
import { checkCommand, testCommand } from './commands/check.js';
import { traceCommand } from './commands/trace.js';
import { planCommand } from './commands/plan.js';
import { imageCommand } from './commands/image.js';
import { daemonCommand, eventsCommand } from './commands/daemon.js';
import { compareCommand } from './commands/compare.js';
import { nodesCommand } from './commands/nodes.js';
import { superviseCommand } from './commands/supervise.js';
import { createCommand, rolloutCommand, scaleCommand } from './commands/workloads.js';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const COMMANDS = [upCommand, applyCommand, deleteCommand, scaleCommand, rolloutCommand, createCommand, statusCommand, checkCommand, testCommand, traceCommand, compareCommand, execCommand, logsCommand, superviseCommand, faultCommand, downCommand, cleanCommand, planCommand, imageCommand, daemonCommand, eventsCommand, nodesCommand];
const modes = supportedModes().map((m) => `  ${m.padEnd(8)} ${getMode(m).description}`).join('\n');

await COMMANDS.reduce((y, c) => y.command(c as CommandModule), yargs(hideBin(process.argv)))
  .scriptName('podlab')
  .usage(`$0 <command> [options]\n\nBuilds the real Linux dataplane of a Kubernetes cluster in network namespaces on this host\n(nodes, pods, routes, kube-proxy Service rules in iptables or nftables), lets you look at it and\nproves it with real traffic. Modes (spec.mode or --mode):\n${modes}`)
  .parserConfiguration({ 'populate--': true })
  .demandCommand(1, `name a command: ${COMMANDS.map((c) => String(c.command).split(' ')[0]).join(', ')}`)
  .strict()
  .help()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .epilog('Exit codes: 0 ok · 1 failure · 2 invalid cluster file · 3 missing tool, kernel feature or root · 130 interrupted.\nState lives in $PODLAB_STATE_DIR (default /run/podlab); the kernel is the source of truth. With `podlab daemon` running,\nup, apply, delete, down, status, check, trace, fault and logs go through it (PODLAB_NO_DAEMON=1: in-process).')
  .parseAsync()
  .catch(fail);
