// The daemon's journal: the file store (write + fsync + rename, before each change) with the states kept in memory,
// so a live change does not read and parse a lab's state again. A state file changed by someone else (a CLI run
// in-process while the daemon was not answering) is noticed by its size and mtime and read again.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../store/file.js';
import type { LabState, Store } from '../store/types.js';

export class JournalStore implements Store {
  private readonly file: FileStore;
  private readonly cache = new Map<string, { state: LabState; stamp: string }>();

  constructor(readonly root: string) {
    this.file = new FileStore(root);
  }

  get describe(): string {
    return `daemon journal in ${this.root}`;
  }

  dir(cluster: string): string {
    return this.file.dir(cluster);
  }

  private stamp(cluster: string): string {
    try {
      const s = statSync(join(this.dir(cluster), 'state.json'));
      return `${s.size}|${s.mtimeMs}|${s.ino}`;
    } catch {
      return '';
    }
  }

  async read(cluster: string): Promise<LabState | undefined> {
    const stamp = this.stamp(cluster);
    const hit = this.cache.get(cluster);
    if (hit && hit.stamp === stamp) return hit.state;
    const state = await this.file.read(cluster);
    if (state) this.cache.set(cluster, { state, stamp });
    else this.cache.delete(cluster);
    return state;
  }

  async write(s: LabState): Promise<void> {
    await this.file.write(s);
    this.cache.set(s.cluster, { state: s, stamp: this.stamp(s.cluster) });
  }

  async remove(cluster: string): Promise<void> {
    this.cache.delete(cluster);
    await this.file.remove(cluster);
  }

  async list(): Promise<string[]> {
    return this.file.list();
  }
}
