// The lab lock (#3): one writer per lab across processes and within one; a use-case called by another that holds the
// lock re-enters it instead of waiting for itself.
import t from 'tap';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { withLabLock, LabLockedError } from '../../src/lab/lock.js';

const dir = () => join(mkdtempSync(join(tmpdir(), 'podlab-lock-')), 'lab');

t.test('a nested take in the same call chain re-enters; the file is gone after the outer release', async (t) => {
  const d = dir();
  const r = await withLabLock(d, 'x', {}, () => withLabLock(d, 'x', { wait: false }, async () => JSON.parse(readFileSync(join(d, 'lock'), 'utf8')).pid as number));
  t.equal(r, process.pid);
  t.notOk(existsSync(join(d, 'lock')), 'released');
});

t.test('two call chains of one process take turns: the second waits, told who holds it; --no-wait fails at once', async (t) => {
  const d = dir();
  const order: string[] = [];
  let told = '';
  let release!: () => void;
  const first = withLabLock(d, 'x', { command: 'podlab up' }, () => new Promise<void>((r) => { order.push('first in'); release = () => { order.push('first out'); r(); }; }));
  await new Promise((r) => setTimeout(r, 20));
  await t.rejects(withLabLock(d, 'x', { wait: false }, async () => undefined), LabLockedError);
  const second = withLabLock(d, 'x', { onWait: (h) => (told = h.command) }, async () => void order.push('second in'));
  await new Promise((r) => setTimeout(r, 50));
  t.same(order, ['first in'], 'the second waits');
  release();
  await Promise.all([first, second]);
  t.same(order, ['first in', 'first out', 'second in']);
  t.equal(told, 'podlab up');
});

t.test('another process holding the lock makes us wait or fail with its pid and command', async (t) => {
  const d = dir();
  const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${join(process.cwd(), 'src/lab/lock.ts')}').then(({ withLabLock }) => withLabLock(${JSON.stringify(d)}, 'x', { command: 'podlab down' }, () => { console.log('held'); return new Promise((r) => setTimeout(r, 1500)); }))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => holder.once('exit', r));
  await new Promise<void>((r) => holder.stdout.once('data', () => r()));
  await t.rejects(withLabLock(d, 'x', { wait: false }, async () => undefined), { name: 'LabLockedError', message: new RegExp(`pid ${holder.pid} \\(podlab down`) });
  const t0 = Date.now();
  await withLabLock(d, 'x', {}, async () => undefined);
  t.ok(Date.now() - t0 > 200, 'waited for the other process');
  await exited;
});
