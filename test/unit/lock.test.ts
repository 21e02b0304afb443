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

// #3 (hardening): the lock was a file made with O_EXCL whose holder a waiter read back; a waiter that read it while
// its new holder had not written it yet (or two waiters taking over one dead holder's lock) removed a live lock, and
// two processes held the lab at once. Now flock(2): six processes taking the lock 25 times each never overlap.
t.test('many processes taking the lock at once never hold it together', async (t) => {
  const d = dir();
  const log = join(d, '..', 'log');
  const child = `import('${join(process.cwd(), 'src/lab/lock.ts')}').then(async ({ withLabLock }) => {
    const { appendFileSync } = await import('node:fs');
    for (let i = 0; i < 25; i++) await withLabLock(${JSON.stringify(d)}, 'x', {}, async () => {
      appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
      await new Promise((r) => setTimeout(r, 1));
      appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
    });
  })`;
  const kids = Array.from({ length: 6 }, () => spawn(process.execPath, ['--import', 'tsx', '-e', child], { stdio: 'inherit' }));
  await Promise.all(kids.map((k) => new Promise((r) => k.once('exit', r))));
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  t.equal(lines.length, 6 * 25 * 2, 'every take ran');
  const overlaps = lines.filter((l, i) => (i % 2 === 0 ? !l.startsWith('in ') : l !== `out ${lines[i - 1]!.slice(3)}`)).length;
  t.equal(overlaps, 0, 'each "in" is followed by the same process\'s "out"');
});

// The same race made deterministic: a holder that has the lock but has not written its name into the file yet
// (here util-linux flock(1), which holds flock(2) on an empty file). The O_EXCL lock took such a file for a half-written
// one of a dead holder and took it over; now the waiter waits, or fails with wait: false.
t.test('a lock held while its file is still empty is waited for, not taken over', async (t) => {
  const d = dir();
  (await import('node:fs')).mkdirSync(d, { recursive: true });
  const holder = spawn('flock', [join(d, 'lock'), 'sleep', '1.2'], { stdio: 'ignore' });
  const exited = new Promise((r) => holder.once('exit', r));
  for (let i = 0; i < 100 && !existsSync(join(d, 'lock')); i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  await t.rejects(withLabLock(d, 'x', { wait: false }, async () => undefined), LabLockedError, 'held: --no-wait fails');
  const t0 = Date.now();
  await withLabLock(d, 'x', {}, async () => undefined);
  t.ok(Date.now() - t0 > 500, `waited for the holder (${Date.now() - t0} ms)`);
  await exited;
});
