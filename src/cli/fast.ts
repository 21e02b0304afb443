// The thin client: with a daemon's socket in place, the commands a script runs most (apply, delete, status, logs)
// are parsed here and sent without loading yargs and the lab's modules (Node's start-up plus the daemon's answer).
// Anything this parser does not know exactly (--help, another option, another command) goes to the full CLI, which
// reaches the same daemon. Output and exit codes come from the same print functions as the full CLI's.
import { existsSync } from 'node:fs';
import { socketPath } from '../daemon/protocol.js';
import { fail } from './output.js';
import { printLive, printStatus } from './print.js';
import { viaApply, viaDelete, viaLogs, viaStatus } from './via.js';

interface Parsed {
  readonly cmd: string;
  readonly pos: string[];
  readonly files: string[];
  readonly cluster?: string;
  readonly container?: string;
  readonly json: boolean;
}

/** argv after the command, or undefined when it holds anything the thin client does not take. */
function parse(argv: readonly string[]): Parsed | undefined {
  const [cmd, ...rest] = argv;
  if (!cmd) return undefined;
  const pos: string[] = [];
  const files: string[] = [];
  let cluster: string | undefined;
  let container: string | undefined;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const val = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('-')) throw new Error('no value');
      return v;
    };
    try {
      if (a === '--json') json = true;
      else if ((a === '-f' || a === '--file') && cmd !== 'status' && cmd !== 'logs') files.push(val());
      else if (a === '--cluster' || (a === '-c' && cmd !== 'logs')) cluster = val();
      else if ((a === '-c' || a === '--container') && cmd === 'logs') container = val();
      else if (!a.startsWith('-')) pos.push(a);
      else return undefined;
    } catch {
      return undefined;
    }
  }
  return { cmd, pos, files, cluster, container, json };
}

/** Handle the command if it is one of the thin client's; false lets the full CLI take it. */
export async function tryFast(argv: readonly string[]): Promise<boolean> {
  if (process.env.PODLAB_NO_DAEMON || !existsSync(socketPath())) return false;
  const p = parse(argv);
  if (!p) return false;
  const o = { local: false };
  try {
    switch (p.cmd) {
      case 'apply': {
        if (!p.files.length || p.pos.length) return false;
        const { result: r } = await viaApply({ files: p.files, cluster: p.cluster }, o);
        printLive('applied', r, p.json);
        return exit(r.problems.length ? 1 : 0);
      }
      case 'delete': {
        if (p.pos.length > 2 || (p.files.length && p.pos.length)) return false;
        const { result: r } = await viaDelete({ files: p.files.length ? p.files : undefined, kind: p.pos[0], name: p.pos[1], cluster: p.cluster }, o);
        printLive('deleted', r, p.json);
        return exit(r.problems.length ? 1 : 0);
      }
      case 'status': {
        if (p.pos.length) return false;
        const { result, via } = await viaStatus({ cluster: p.cluster }, o);
        printStatus(result, via, p.json);
        return exit(0);
      }
      case 'logs': {
        if (p.pos.length !== 1 || p.json) return false;
        const { result } = await viaLogs({ cluster: p.cluster, pod: p.pos[0]!, container: p.container }, o);
        process.stdout.write(result.text);
        return exit(0);
      }
      default:
        return false;
    }
  } catch (e) {
    fail(e);
  }
}

function exit(code: number): true {
  process.stdout.write('', () => process.exit(code));
  return true;
}
