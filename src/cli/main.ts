#!/usr/bin/env node
// podlab: the thin client first (a daemon answering, a command it knows), the full CLI (app.ts) otherwise.
import { tryFast } from './fast.js';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

if (!(await tryFast(process.argv.slice(2)))) await import('./app.js');
