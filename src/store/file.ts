// The file store: one folder per lab under the state root ($PODLAB_STATE_DIR, default /run/podlab), the state in
// state.json, written atomically and durably (write + fsync + rename + fsync of the folder): a kill -9 or a power cut
// leaves either the old state or the new one, never a torn file. The daemon's journal is these files.
import { mkdirSync, readFileSync, renameSync, rmSync, existsSync, readdirSync, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CorruptStateError, STATE_VERSION, type LabState, type Store } from './types.js';
import { migrateState } from './migrate.js';

export function stateRoot(): string {
  return process.env.PODLAB_STATE_DIR ?? '/run/podlab';
}

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
  constructor(readonly root: string = stateRoot()) {}

  get describe(): string {
    return `state directory ${this.root}`;
  }

  dir(cluster: string): string {
    return join(this.root, cluster);
  }

  async read(cluster: string): Promise<LabState | undefined> {
    const f = join(this.dir(cluster), 'state.json');
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CorruptStateError(f, (e as Error).message);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CorruptStateError(f, `not JSON (${(e as Error).message}); it may have been truncated`);
    }
    return migrateState(raw, f, cluster);
  }

  async write(s: LabState): Promise<void> {
    const dir = this.dir(s.cluster);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const f = join(dir, 'state.json');
    writeDurably(f, JSON.stringify({ ...s, version: STATE_VERSION }));
  }

  async remove(cluster: string): Promise<void> {
    rmSync(this.dir(cluster), { recursive: true, force: true });
  }

  async list(): Promise<string[]> {
    try {
      return readdirSync(this.root).filter((d) => existsSync(join(this.root, d, 'state.json')));
    } catch {
      return [];
    }
  }
}
