// The layering rule, by role (DESIGN.md): the pure layers — input, model, net, dataplane, expect, report, and every
// mode's plan/expectations (modes/*/ except runtime files) — import nothing that acts on the system, whichever
// folder they sit in. The effectful layers above them (kernel, substrate, store, workload, probe, trace, lab,
// daemon, cli and the modes' runtime.ts) are free to act.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { ROOT } from '../helpers/paths.js';

const SRC = join(ROOT, 'src');
/** Folders whose every file is pure. */
const PURE_DIRS = ['input', 'model', 'net', 'dataplane', 'expect', 'report'];
/** Effectful files inside otherwise pure folders (a mode's runtime side). */
const EFFECTFUL_FILE = /(^|\/)runtime(\/|\.ts$)/;
/** Modules a pure file must not import. */
const FORBIDDEN_MODULES = ['execa', 'netlink', 'koffi', 'dockerode', 'etcd3', 'node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'node:child_process', 'child_process', 'node:net', 'net', 'node:dgram', 'node:http', 'http', 'node:os', 'os'];
/** Folders of src/ a pure file must not import from. */
const EFFECTFUL_DIRS = ['kernel', 'substrate', 'store', 'workload', 'probe', 'trace', 'lab', 'daemon', 'cli'];

function walk(d: string): string[] {
  return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : f.endsWith('.ts') ? [join(d, f)] : []));
}

export function pureFiles(): string[] {
  const pure = PURE_DIRS.flatMap((d) => walk(join(SRC, d)));
  const modes = walk(join(SRC, 'modes')).filter((f) => !EFFECTFUL_FILE.test(relative(join(SRC, 'modes'), f)) && !/runtimes\.ts$/.test(f));
  return [...pure, ...modes];
}

function imports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

t.test('every pure layer has files', async (t) => {
  for (const d of [...PURE_DIRS, 'modes']) t.ok(walk(join(SRC, d)).length > 0, `src/${d} has files`);
});

t.test('pure files import nothing effectful', async (t) => {
  const files = pureFiles();
  t.ok(files.length > 20, `${files.length} pure files`);
  for (const f of files) {
    const rel = relative(ROOT, f);
    for (const spec of imports(readFileSync(f, 'utf8'))) {
      if (FORBIDDEN_MODULES.includes(spec)) t.fail(`${rel} imports ${spec}`);
      if (spec.startsWith('.')) {
        const target = relative(SRC, resolve(dirname(f), spec));
        const top = target.split('/')[0]!;
        if (EFFECTFUL_DIRS.includes(top)) t.fail(`${rel} imports ${spec} (src/${top} is effectful)`);
        if (top === 'modes' && EFFECTFUL_FILE.test(target.slice('modes/'.length))) t.fail(`${rel} imports ${spec} (a mode's runtime is effectful)`);
      }
    }
  }
});

t.test('the checker: pure and effectful code are in different rooms', async (t) => {
  // expect/ must not reach the probes; probe/ may use expect/.
  for (const f of walk(join(SRC, 'expect'))) t.notMatch(readFileSync(f, 'utf8'), /from '\.\.\/probe\//, `${relative(ROOT, f)} does not import probe/`);
});
