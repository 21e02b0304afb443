#!/usr/bin/env node
// The test command: runs every unit and integration test with tap, streams the TAP output, and ends with
// one line "N passed, N failed[, N skipped]" counting the named tests inside each file.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
function find(dir) {
  let out = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (f.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}
const files = args.length ? args : [...find('test/unit'), ...find('test/integration')];
// Test files run concurrently (each integration test builds its own lab under a random name): $PODLAB_TEST_JOBS
// at once, 3 by default — on 2 cores the suite is bound by waits (processes starting, BGP converging), not CPU.
const jobs = process.env.PODLAB_TEST_JOBS ?? '3';
const tap = spawn('npx', ['tap', '-R', 'tap', '--jobs', jobs, '--disable-coverage', ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
let passed = 0, failed = 0, skipped = 0, buf = '';
const fileFailedAlone = [];
let subFailsInFile = 0;
tap.stdout.on('data', (d) => {
  process.stdout.write(d);
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    let m = /^    (not )?ok \d+ - (.*)$/.exec(line);
    if (m) {
      if (/# SKIP/i.test(m[2])) skipped++;
      else if (m[1]) { failed++; subFailsInFile++; }
      else passed++;
      continue;
    }
    m = /^(not )?ok \d+ - (\S+)/.exec(line);
    if (m) {
      if (m[1] && subFailsInFile === 0) { failed++; fileFailedAlone.push(m[2]); }
      subFailsInFile = 0;
    }
  }
});
tap.on('close', (code) => {
  if (fileFailedAlone.length) console.log(`# files that failed outside any named test: ${fileFailedAlone.join(', ')}`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code ?? 1);
});
