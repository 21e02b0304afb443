// Bad input of the hardening issue (#13), through the real CLI: each file in test/fixtures/bad/ is refused whole with
// exit 2, its file and line, and nothing built. Also the wording of a failed kernel batch (CommandError).
import t from 'tap';
import { join } from 'node:path';
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ROOT } from '../helpers/paths.js';
import { CommandError } from '../../src/kernel/exec.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const BAD = join(ROOT, 'test', 'fixtures', 'bad');
const STATE = mkdtempSync(join(tmpdir(), 'podlab-bad-'));
const up = (file: string) => execa('node', [CLI, 'up', '-f', join(BAD, file)], { reject: false, env: { PODLAB_STATE_DIR: STATE } });

t.test('a YAML alias bomb exits 2 with the file and line (it used to exit 1 without either)', async (t) => {
  const r = await up('alias-bomb.yaml');
  t.equal(r.exitCode, 2);
  t.match(String(r.stderr), /alias-bomb\.yaml:\d+: document 2: YAML: .*refusing an alias bomb/);
});

t.test('9,494 problems are not all printed: the list stops at 200 and says how many more', async (t) => {
  const r = await up('many-problems.yaml');
  t.equal(r.exitCode, 2);
  const err = String(r.stderr);
  t.match(err, /invalid cluster file: 600 problems \(nothing was built\)/);
  t.equal(err.split('\n').filter((l) => /many-problems\.yaml:\d+: /.test(l)).length, 200, 'exactly 200 listed');
  t.match(err, /… and 400 more problems \(fix these first\)/);
});

t.test('`nodes: node1` names the wrong type instead of "at least one node is required"', async (t) => {
  const r = await up('nodes-string.yaml');
  t.equal(r.exitCode, 2);
  t.match(String(r.stderr), /nodes-string\.yaml:6: Cluster strnodes spec\.nodes: must be a list of nodes like \[\{name: node1\}\], got "node1"/);
  t.notMatch(String(r.stderr), /at least one node/);
});

t.test('a failed batch names its namespace once ("in pl-X", never "in pl-X in pl-X")', async (t) => {
  const res = { argv: ['ip', '-batch', '-'], place: { host: 'local', netns: 'pl-d-node1' }, code: 1, stdout: '', stderr: 'Command failed -:2\nCannot find device "eth0"', timedOut: false, ms: 1 };
  const named = new CommandError(res, 'ip -batch in pl-d-node1');
  t.equal(named.message.match(/pl-d-node1/g)?.length, 1, named.message);
  const bare = new CommandError(res);
  t.equal(bare.message.match(/pl-d-node1/g)?.length, 1, bare.message);
  t.match(bare.message, /`ip -batch -` in pl-d-node1 failed \(exit 1\):\n {4}Command failed -:2\n {4}Cannot find device "eth0"/);
});

t.test('an apply whose batch fails says which namespace once, through up itself', async (t) => {
  const { FakeExecutor } = await import('../../src/kernel/fake.js');
  const { MemoryStore } = await import('../../src/store/memory.js');
  const { up: upLab } = await import('../../src/lab/index.js');
  const { parseLabFiles } = await import('../../src/modes/registry.js');
  const { readFileSync } = await import('node:fs');
  // The kernel refuses node1's batch (what `ip -batch` prints for a line it rejects).
  class Refusing extends FakeExecutor {
    override async run(...a: Parameters<FakeExecutor['run']>) {
      const [argv, place] = a;
      if (argv[0] === 'ip' && argv.includes('-batch') && place?.netns === 'pl-demo-node1') {
        return { argv: [...argv], place: place!, code: 1, stdout: '', stderr: 'Command failed -:3\nRTNETLINK answers: File exists', timedOut: false, ms: 1 };
      }
      return super.run(...a);
    }
  }
  const lab = parseLabFiles([{ file: 'lab.yaml', text: readFileSync(join(ROOT, 'examples/lab.yaml'), 'utf8'), dir: join(ROOT, 'examples') }]);
  let message = '';
  try {
    const r = await upLab({ exec: new Refusing(), store: new MemoryStore(), root: true, files: ['lab.yaml'], lab });
    message = r.problems.join('\n');
  } catch (e) {
    message = (e as Error).message;
  }
  t.match(message, /RTNETLINK answers: File exists/, message);
  t.equal(message.match(/pl-demo-node1/g)?.length, 1, `"in pl-demo-node1" once: ${message}`);
});
