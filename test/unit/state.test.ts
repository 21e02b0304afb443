// The lab's state as the hardening issue found it misread (#9), refused (#1) and misreported to non-root users (#10).
import t from 'tap';
import { readFileSync, mkdtempSync, mkdirSync, writeFileSync, chmodSync, chownSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { FakeExecutor } from '../../src/kernel/fake.js';
import { MemoryStore } from '../../src/store/memory.js';
import { FileStore } from '../../src/store/file.js';
import { CorruptStateError, StateVersionError } from '../../src/store/types.js';
import { UnsafeStateDirError } from '../../src/store/safe.js';
import { up, down, clean, status, type LabContext } from '../../src/lab/index.js';
import { parseLabFiles } from '../../src/modes/registry.js';
import { ROOT } from '../helpers/paths.js';

const EXAMPLE = readFileSync(join(ROOT, 'examples/lab.yaml'), 'utf8');
const lab = () => parseLabFiles([{ file: 'lab.yaml', text: EXAMPLE, dir: join(ROOT, 'examples') }]);
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const isRoot = process.getuid?.() === 0;

async function built(): Promise<Partial<LabContext> & { exec: FakeExecutor; store: MemoryStore; good: string }> {
  const h = { exec: new FakeExecutor(), store: new MemoryStore(), root: true };
  await up({ ...h, files: ['lab.yaml'], lab: lab() });
  const st = await h.store.read('demo');
  return { ...h, good: JSON.stringify(st) };
}

const CORRUPT: Record<string, (good: string) => string> = {
  truncated: (g) => g.slice(0, Math.floor(g.length / 2)),
  empty: () => '',
  garbage: () => '\u0000\u0001PK\u0003\u0004 not a state',
  'a JSON list': () => '[1, 2, 3]',
  'wrong schema (a pod without netns)': (g) => {
    const s = JSON.parse(g);
    s.topology.pods[0].netns = 42;
    return JSON.stringify(s);
  },
  'wrong schema (processes is a map)': (g) => JSON.stringify({ ...JSON.parse(g), processes: { a: 1 } }),
  'older version (no version field)': (g) => {
    const { version: _v, ...s } = JSON.parse(g);
    return JSON.stringify(s);
  },
  'newer version (9)': (g) => JSON.stringify({ ...JSON.parse(g), version: 9 }),
};

for (const [kind, make] of Object.entries(CORRUPT)) {
  t.test(`${kind} state: status and up say "corrupt state file" (no raw JS error), down and clean still remove the lab`, async (t) => {
    const h = await built();
    h.store.setRaw('demo', make(h.good));
    const msg = kind.includes('version') ? /state file memory:demo was written by an? (older|newer) podlab/ : /^corrupt state file memory:demo: /;
    const e = await status('demo', h).then(() => undefined, (x: unknown) => x);
    t.ok(e instanceof CorruptStateError, 'a CorruptStateError (down and clean fall back to the kernel on it)');
    t.equal(e instanceof StateVersionError, kind.includes('version'));
    await t.rejects(status('demo', h), msg);
    await t.rejects(up({ ...h, files: ['lab.yaml'], lab: lab() }), msg, 'up refuses it (and builds nothing over it)');
    const d = await down('demo', h);
    t.match(d.warnings ?? [], [/removing the lab from the kernel alone/]);
    t.same(d.leftovers, []);
    t.same(h.exec.listNetns(), [], 'down removed every namespace');
    t.same([...h.exec.procs.values()].filter((p) => p.alive), [], 'and every process');
    const h2 = await built();
    h2.store.setRaw('demo', make(h2.good));
    const c = await clean({ cluster: 'demo' }, h2);
    t.same(c.leftovers, []);
    t.same(h2.exec.listNetns(), []);
  });
}

t.test('a wrong-schema state names the field at fault', async (t) => {
  const h = await built();
  h.store.setRaw('demo', CORRUPT['wrong schema (a pod without netns)']!(h.good));
  await t.rejects(status('demo', h), /corrupt state file memory:demo: "topology\.pods\[0\]\.netns": expected string, received number/);
});

t.test('a version 1 state (before the architecture change) is read: status works, down removes the lab', async (t) => {
  const h = await built();
  const s = JSON.parse(h.good);
  const v1 = { ...s, version: 1, iptables: Object.fromEntries(Object.entries(s.rules as Record<string, { iptables?: unknown }>).map(([k, v]) => [k, v.iptables])) };
  delete v1.rules;
  h.store.setRaw('demo', JSON.stringify(v1));
  const st = await status('demo', h);
  t.ok(st.pods.length > 0 && st.pods.every((p) => p.phase === 'Running'));
  t.equal((await up({ ...h, files: ['lab.yaml'], lab: lab() })).changes >= 0, true, 'up on a v1 state converges');
  t.same((await down('demo', h)).leftovers, []);
});

// Through the real CLI, with a file store: the message, its hint and the exit codes.
t.test('CLI: a truncated state.json — status exits 1 naming the file and what to do; down and clean exit 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podlab-state-'));
  mkdirSync(join(dir, 'cx'), { mode: 0o700 });
  writeFileSync(join(dir, 'cx', 'state.json'), '{"version": 2, "cluster": "cx", "files": ["/x.yaml"], "topo', { mode: 0o600 });
  const run = (...a: string[]) => execa('node', [CLI, ...a], { reject: false, env: { PODLAB_STATE_DIR: dir } });
  const s = await run('status', '-c', 'cx');
  t.equal(s.exitCode, 1);
  t.match(String(s.stderr), new RegExp(`corrupt state file ${dir}/cx/state.json: not JSON .*truncated`));
  t.match(String(s.stderr), /`podlab down -c cx` \(or `podlab clean -c cx`\) still removes the lab from the kernel/);
  t.notMatch(String(s.stderr), /no state file|TypeError|undefined/);
  const d = await run('down', '-c', 'cx');
  t.equal(d.exitCode, 0, String(d.stderr));
  t.match(String(d.stderr), /warning: corrupt state file .*removing the lab from the kernel alone/);
  t.notOk(existsSync(join(dir, 'cx', 'state.json')), 'the state is gone');
});

t.test('#1: a state directory another user could replace is refused, naming the path and the fix', { skip: !isRoot && 'needs root (chown)' }, async (t) => {
  const store = (root: string) => new FileStore(root);
  const ww = mkdtempSync(join(tmpdir(), 'podlab-ww-'));
  chmodSync(ww, 0o777);
  await t.rejects(store(ww).read('x'), UnsafeStateDirError);
  await t.rejects(store(join(ww, 'sub')).read('x'), new RegExp(`refusing the state directory ${ww}/sub: ${ww} is world-writable \\(mode 0777\\) without the sticky bit`), 'a parent counts too');
  chmodSync(ww, 0o1777);
  t.equal(await store(ww).read('x'), undefined, 'a root-owned sticky folder (like /tmp) is fine');
  const theirs = mkdtempSync(join(tmpdir(), 'podlab-theirs-'));
  chownSync(theirs, 65534, 65534);
  await t.rejects(store(theirs).read('x'), /is owned by uid 65534, not root/);
  await t.rejects(store(theirs).read('x'), /fix: `chown root .* && chmod go-w .*`, or set PODLAB_STATE_DIR/);
  const mine = mkdtempSync(join(tmpdir(), 'podlab-mine-'));
  mkdirSync(join(mine, 'x'));
  writeFileSync(join(mine, 'x', 'state.json'), '{}');
  chmodSync(join(mine, 'x', 'state.json'), 0o666);
  await t.rejects(store(mine).read('x'), /state\.json is world-writable/, 'the state file itself');
  chmodSync(join(mine, 'x', 'state.json'), 0o600);
  chownSync(join(mine, 'x', 'state.json'), 65534, 65534);
  await t.rejects(store(mine).read('x'), /state\.json is owned by uid 65534/, 'a state file swapped in by another user');
  const r = await execa('node', [CLI, 'delete', '-c', 'x', 'pod', 'a/b'], { reject: false, env: { PODLAB_STATE_DIR: theirs } });
  t.equal(r.exitCode, 1);
  t.match(String(r.stderr), /refusing the state directory/);
});

t.test('#10: a non-root user is told once that the command needs root, exit 3', { skip: !isRoot && 'needs root (to run as nobody)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podlab-nr-'));
  for (const args of [['status'], ['status', '-c', 'x'], ['down', '-c', 'x'], ['clean', '-c', 'x'], ['clean', '--all'], ['check'], ['apply', '-f', '/dev/null'], ['delete', 'pod', 'a'], ['exec', 'node/n1']]) {
    // env -i: tap's process hooks add NODE_OPTIONS to children; the user's podlab runs without them.
    const r = await execa('runuser', ['-u', 'nobody', '--', 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', `PODLAB_STATE_DIR=${dir}`, process.execPath, CLI, ...args], { reject: false });
    t.equal(r.exitCode, 3, `${args.join(' ')}: exit 3`);
    const lines = String(r.stderr).trim().split('\n');
    t.same(lines.length, 1, `${args.join(' ')}: one line`);
    t.match(lines[0], new RegExp(`^podlab: \`podlab ${args[0]}\` needs root: .*run it with sudo$`));
    t.notMatch(String(r.stderr), /EACCES|no state file|podlab clean -c/);
  }
});
