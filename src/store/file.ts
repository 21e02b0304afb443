// The file store: one folder per lab under the state root ($PODLAB_STATE_DIR, default /run/podlab), the state in
// state.json, written atomically and durably (write + fsync + rename + fsync of the folder): a kill -9 or a power cut
// leaves either the old state or the new one, never a torn file. The daemon's journal is these files. The root, every
// folder above it, the lab's folder and its state file are checked before use (safe.ts): a state another user could
// replace is refused.
import { mkdirSync, readFileSync, renameSync, existsSync, readdirSync, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CorruptStateError, STATE_VERSION, type LabState, type Store } from './types.js';
import { migrateState } from './migrate.js';
import { packState, unpackState } from './pack.js';
import { checkOwnedEntry, checkStateRoot } from './safe.js';

export function stateRoot(): string {
  return process.env.PODLAB_STATE_DIR ?? '/run/podlab';
}

/** The lab's lock file (lab/lock.ts) lives in its folder and outlives the state while its holder runs. */
const LOCK = 'lock';

/** Write a file atomically and durably: a temporary file, fsync, rename over the old one, fsync of the folder. */
export function writeDurably(f: string, text: string, mode = 0o600): void {
  const tmp = `${f}.tmp${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, f);
  const dfd = openSync(dirname(f), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

export class FileStore implements Store {
  private checked = false;

  constructor(readonly root: string = stateRoot()) {}

  get describe(): string {
    return `state directory ${this.root}`;
  }

  /** The root and its parents, once per store; the lab's folder (and `file` in it) every time. */
  private safe(cluster?: string, file?: string): void {
    if (!this.checked) {
      checkStateRoot(this.root);
      this.checked = true;
    }
    if (cluster !== undefined) checkOwnedEntry(this.root, join(this.root, cluster));
    if (cluster !== undefined && file !== undefined) checkOwnedEntry(this.root, join(this.root, cluster, file));
  }

  dir(cluster: string): string {
    this.safe(cluster);
    return join(this.root, cluster);
  }

  async read(cluster: string): Promise<LabState | undefined> {
    this.safe(cluster, 'state.json');
    const f = join(this.root, cluster, 'state.json');
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CorruptStateError(f, (e as Error).message, cluster);
    }
    if (!text.trim()) throw new CorruptStateError(f, 'the file is empty (truncated?)', cluster);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CorruptStateError(f, `not JSON (${(e as Error).message}); it may have been truncated`, cluster);
    }
    return migrateState(unpackState(raw), f, cluster);
  }

  async write(s: LabState): Promise<void> {
    this.safe(s.cluster, 'state.json');
    const dir = join(this.root, s.cluster);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const f = join(dir, 'state.json');
    writeDurably(f, JSON.stringify(packState({ ...s, version: STATE_VERSION })));
  }

  /** Everything of the lab's folder but a lock file held by a running command (its holder removes it). */
  async remove(cluster: string): Promise<void> {
    this.safe(cluster);
    const dir = join(this.root, cluster);
    // fs/promises: the folders of a big lab's pods go in parallel on libuv's threads.
    if (!existsSync(join(dir, LOCK))) {
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
      return;
    }
    await Promise.all(readdirSync(dir).filter((e) => e !== LOCK).map((e) => rm(join(dir, e), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })));
  }

  async list(): Promise<string[]> {
    this.safe();
    try {
      return readdirSync(this.root).filter((d) => existsSync(join(this.root, d, 'state.json')));
    } catch {
      return [];
    }
  }
}
