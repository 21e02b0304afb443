// The pure layers (spec, model, dataplane) must not import anything that touches the system.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';

const PURE = ['spec', 'model', 'dataplane', 'util'];
const FORBIDDEN = [/from 'execa'/, /from 'netlink'/, /from 'dockerode'/, /from 'node:fs'/, /from 'fs'/, /from 'node:child_process'/, /from 'child_process'/, /from '\.\.\/(\.\.\/)?(kernel|substrate|workload|daemon|cli|checks|state)\//];

function walk(d: string): string[] {
  return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : f.endsWith('.ts') ? [join(d, f)] : []));
}

for (const layer of PURE) {
  t.test(`src/${layer} imports nothing effectful`, async (t) => {
    const files = walk(join(ROOT, 'src', layer));
    t.ok(files.length > 0, 'has files');
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const re of FORBIDDEN) t.notMatch(text, re, `${f.slice(ROOT.length + 1)} must not match ${re}`);
    }
  });
}
