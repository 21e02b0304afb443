// `podlab compare`: build the same lab in each mode, one after another, run the same checks and measurements, tear
// each down, and report side by side (terminal; report.json, report.md, report.html with --out).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { compareModes, COMPARE_MODES, DEFAULT_SCALE_NODES, type CompareProgress } from '../../lab/compare.js';
import { buildReport, renderHtml, renderJson, renderMarkdown, renderText } from '../../report/compare/index.js';
import { SpecError } from '../../input/problems.js';
import { PreflightError } from '../../kernel/preflight.js';

interface CompareArgs {
  file: string[];
  modes?: string[];
  out?: string;
  json: boolean;
  nodes: number;
  seconds: number;
  pings: number;
}

const err = (s: string) => process.stderr.write(s + '\n');

function exitWith(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

export function progressLine(p: CompareProgress): string {
  return `[${(p.elapsedMs / 1000).toFixed(1).padStart(6)}s] ${p.mode} (${p.index}/${p.of}) · ${p.step}`;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare',
  describe: 'build the same lab in each mode (overlay, bgp, vpc) one after another, run the same checks and measurements (overhead, MTU, latency, throughput, convergence, dataplane size), tear each down, and report side by side',
  builder: (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'cluster file(s), including any Check documents; its spec.mode is overridden per mode' })
    .option('modes', { type: 'string', array: true, describe: `modes to compare, in this order (default: ${COMPARE_MODES.join(',')})` })
    .option('out', { alias: 'o', type: 'string', describe: 'directory for report.json, report.md and report.html (one self-contained page: open it in a browser, no network needed)' })
    .option('json', { type: 'boolean', default: false, describe: 'print report.json on stdout instead of the table' })
    .option('nodes', { type: 'number', default: DEFAULT_SCALE_NODES, describe: 'also build a generated copy with this many nodes (one netexec pod per added node) to show how the dataplane grows; 0 skips it' })
    .option('seconds', { type: 'number', default: 1, describe: 'iperf3 duration of each throughput run: 3 runs pod → pod and node → node, taking turns, the best of each kept' })
    .option('pings', { type: 'number', default: 100, describe: 'pings per RTT figure (10 ms apart)' })
    .example('$0 compare -f examples/lab.yaml --out compare/', 'all three modes; then open compare/report.html')
    .example('$0 compare -f lab.yaml --modes overlay,bgp --nodes 0', 'two modes, without the larger copy')
    .example('$0 compare -f lab.yaml --json | jq .modes.overlay.overheadBytes', 'one figure for a script (50 for VXLAN)')
    .epilog([
      "Per mode: up, the checks, encapsulation overhead (tcpdump on the pod's and the node's eth0), pod MTU and the largest DF packet, ping RTT cross-node and same-node, request RTT direct and via a ClusterIP, iperf3 pod → pod and node → node, dataplane size per node, a new pod until it answers from another node (bgp: bgp-down/bgp-up until the routes converge), down; then the larger copy: up, dataplane size, down. Every lab is torn down, also on failure and Ctrl-C. Progress (mode, step, elapsed) goes to stderr.",
      'Needs root, tcpdump, iperf3, ping and curl. Exit 0 when every mode was built, passed its checks and was measured; 1 otherwise; 2 invalid cluster file; 3 missing tool; 130 interrupted. report.json is documented in docs/compare.md.',
    ].join('\n\n')),
  handler: async (a) => {
    let stop = 0;
    const onSig = (sig: string) => () => {
      stop++;
      if (stop === 1) err(`\n${sig}: stopping after the current step; tearing the lab down before exiting…`);
      else if (stop === 2) err(`${sig}: still tearing down (once more quits at once and may leave the lab: \`podlab clean -c NAME\` removes it)`);
      else process.exit(130);
    };
    process.on('SIGINT', onSig('SIGINT'));
    process.on('SIGTERM', onSig('SIGTERM'));
    try {
      const modes = (a.modes ?? []).flatMap((m) => m.split(',')).map((m) => m.trim()).filter(Boolean);
      const results = await compareModes({
        files: a.file, modes, scaleNodes: a.nodes, iperfSeconds: a.seconds, pings: a.pings,
        progress: (p) => err(progressLine(p)), aborted: () => stop > 0,
      });
      const report = buildReport(results);
      if (a.out) {
        const dir = resolve(a.out);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'report.json'), renderJson(report));
        writeFileSync(join(dir, 'report.md'), renderMarkdown(report));
        writeFileSync(join(dir, 'report.html'), renderHtml(report));
        err(`report written to ${join(dir, 'report.html')} (and report.json, report.md)`);
      }
      process.stdout.write(a.json ? renderJson(report) : renderText(report));
      exitWith(report.interrupted ? 130 : report.ok ? 0 : 1);
    } catch (e) {
      err(`podlab: ${e instanceof Error ? e.message : String(e)}`);
      exitWith(e instanceof SpecError ? 2 : e instanceof PreflightError ? 3 : 1);
    }
  },
};
