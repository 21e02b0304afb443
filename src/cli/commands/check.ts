import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { testLabs } from '../../lab/test.js';
import { supportedModes } from '../../modes/registry.js';
import { render, REPORTERS, counts, type ReporterName } from '../../report/checks.js';
import { reportOk, type Report } from '../../expect/types.js';
import { clusterOpt, context, err, exitFlushed, fail, isTTY, lockOptions, waitOpt, out, stopOnSignals } from '../common.js';
import { viaCheck } from '../via.js';

function emitReport(r: Report, reporter: ReporterName, file: string | undefined, verbose: boolean): void {
  const text = render(r, reporter, { verbose });
  if (!file) {
    out(text.trimEnd());
    return;
  }
  writeFileSync(file, text);
  const c = r.runs.map(counts).reduce((x, y) => ({ total: x.total + y.total, passed: x.passed + y.passed, failed: x.failed + y.failed, errors: x.errors + y.errors, skipped: x.skipped + y.skipped }));
  err(`${c.total} checks: ${c.passed} passed, ${c.failed} failed, ${c.errors} errors, ${c.skipped} skipped; ${reporter} report written to ${file}`);
}

export const checkCommand: CommandModule = {
  command: 'check',
  describe: 'prove the lab with real traffic: generated checks (pod↔pod, node, external, MTU, Services, the NetworkPolicy truth table) plus declared Check documents',
  builder: (y: Argv) => y
    .option('cluster', clusterOpt)
    .option('filter', { type: 'string', describe: 'only checks whose id (or declared name) matches this glob (* and ?; a plain word matches anywhere; several globs separated by commas)' })
    .option('reporter', { alias: 'r', choices: REPORTERS, default: 'human' as ReporterName, describe: 'output format' })
    .option('out', { alias: 'o', type: 'string', describe: 'write the report to this file (a one-line summary still goes to stderr)' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'human reporter: list passing checks too' })
    .option('concurrency', { type: 'number', default: 8, describe: 'probes in flight at once' })
    .example('$0 check -c demo', 'run every generated and declared check')
    .example("$0 check --filter 'pod-to-pod/cross-node*'", 'only cross-node pod traffic')
    .example('$0 check -r junit -o checks.xml', 'JUnit XML for CI')
    .example("$0 check --filter 'policy *'", 'only the NetworkPolicy truth table (every pod × pod × port), printed as a matrix')
    .epilog('Exit 0 when every check passes, 1 when any fails (a failure is a verdict with evidence: command, output, observed source address), 130 when interrupted (the checks that ran are reported).'),
  handler: async (a) => {
    const stopped = stopOnSignals((sig) => err(`\n${sig}: stopping the probes; reporting what ran`));
    try {
      const { result: run } = await viaCheck({ cluster: a.cluster as string | undefined, filter: a.filter as string | undefined, concurrency: a.concurrency as number }, { aborted: stopped });
      emitReport({ runs: [run] }, a.reporter as ReporterName, a.out as string | undefined, a.verbose as boolean);
      exitFlushed(stopped() ? 130 : reportOk({ runs: [run] }) ? 0 : 1);
    } catch (e) {
      fail(e);
    }
  },
};

export const testCommand: CommandModule = {
  command: 'test',
  describe: 'for CI: for each mode build the lab, check it, and always tear it down; one report, one exit code',
  builder: (y: Argv) => y
    .option('file', { alias: 'f', type: 'string', array: true, demandOption: true, describe: 'cluster file(s), including any Check documents' })
    .option('modes', { type: 'string', array: true, describe: `dataplane modes to test (default: the file's spec.mode; built: ${supportedModes().join(', ')})` })
    .option('filter', { type: 'string', describe: 'only checks whose id matches this glob' })
    .option('reporter', { alias: 'r', choices: REPORTERS, default: 'human' as ReporterName, describe: 'output format (stdout, or the file in --out)' })
    .option('out', { alias: 'o', type: 'string', describe: 'directory for the report (report.txt / report.tap / junit.xml / report.json, plus report.json always)' })
    .option('concurrency', { type: 'number', default: 8, describe: 'probes in flight at once' })
    .option('wait', waitOpt)
    .example('$0 test -f examples/lab.yaml', 'up → check → down')
    .example('$0 test -f lab.yaml --modes overlay,bgp,vpc -r junit -o results/', 'CI: every mode, JUnit XML in results/junit.xml'),
  handler: async (a) => {
    const stopped = stopOnSignals((sig) => err(`\n${sig}: stopping; tearing the lab down before exiting…`));
    try {
      const modes = ((a.modes as string[] | undefined) ?? []).flatMap((m) => m.split(',')).filter(Boolean);
      const progress = isTTY ? (m: string) => err(`  · ${m}`) : undefined;
      const r = await testLabs({ ...context({ lock: lockOptions(a) }), files: a.file as string[], modes, filter: a.filter as string | undefined, concurrency: a.concurrency as number, progress, aborted: stopped });
      const dir = a.out as string | undefined;
      if (dir) {
        mkdirSync(dir, { recursive: true });
        const name = { human: 'report.txt', tap: 'report.tap', junit: 'junit.xml', json: 'report.json' }[a.reporter as ReporterName];
        writeFileSync(join(dir, name), render(r, a.reporter as ReporterName));
        writeFileSync(join(dir, 'report.json'), render(r, 'json'));
        out(render(r, 'human'));
        err(`report written to ${join(dir, name)}`);
      } else out(render(r, a.reporter as ReporterName).trimEnd());
      exitFlushed(stopped() ? 130 : reportOk(r) ? 0 : 1);
    } catch (e) {
      fail(e);
    }
  },
};
