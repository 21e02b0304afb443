#!/usr/bin/env node
// Build step after tsc: copy the non-TypeScript helpers (python scripts run inside namespaces) from src/ to the
// same place under dist/, where the compiled modules look for them (new URL('./x.py', import.meta.url)).
import { readdirSync, statSync, copyFileSync, mkdirSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';

const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
for (const f of walk('src').filter((x) => x.endsWith('.py'))) {
  const to = join('dist', relative('src', f));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(f, to);
}
