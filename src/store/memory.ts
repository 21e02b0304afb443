// A Store in memory (tests, and the fake host): the same contract as the file store, no state on disk. Its dir() is a
// folder of its own under the temporary directory (the lab's lock, lab/lock.ts, is a real file there).
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptStateError, type LabState, type Store } from './types.js';
import { migrateState } from './migrate.js';

let root: string | undefined;
/** One folder per process, removed when it exits. */
function defaultRoot(): string {
  if (!root) {
    const r = (root = join(tmpdir(), `podlab-memory-${process.pid}`));
    process.once('exit', () => rmSync(r, { recursive: true, force: true }));
  }
  return root;
}

export class MemoryStore implements Store {
  readonly describe = 'memory';
  private readonly states = new Map<string, string>();

  constructor(readonly root = defaultRoot()) {}

  dir(cluster: string): string {
    return `${this.root}/${cluster}`;
  }

  async read(cluster: string): Promise<LabState | undefined> {
    const t = this.states.get(cluster);
    if (t === undefined) return undefined;
    if (!t.trim()) throw new CorruptStateError(`memory:${cluster}`, 'the file is empty (truncated?)', cluster);
    let raw: unknown;
    try {
      raw = JSON.parse(t);
    } catch (e) {
      throw new CorruptStateError(`memory:${cluster}`, `not JSON (${(e as Error).message}); it may have been truncated`, cluster);
    }
    return migrateState(raw, `memory:${cluster}`, cluster);
  }

  async write(s: LabState): Promise<void> {
    this.states.set(s.cluster, JSON.stringify(s));
  }

  async remove(cluster: string): Promise<void> {
    this.states.delete(cluster);
  }

  async list(): Promise<string[]> {
    return [...this.states.keys()];
  }

  /** Replace a lab's stored text as is (tests of corrupt or old states). */
  setRaw(cluster: string, text: string): void {
    this.states.set(cluster, text);
  }
}
