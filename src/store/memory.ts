// A Store in memory (tests, and the fake host): the same contract as the file store, nothing on disk.
import { CorruptStateError, type LabState, type Store } from './types.js';
import { migrateState } from './migrate.js';

export class MemoryStore implements Store {
  readonly describe = 'memory';
  private readonly states = new Map<string, string>();

  constructor(readonly root = '/run/podlab-memory') {}

  dir(cluster: string): string {
    return `${this.root}/${cluster}`;
  }

  async read(cluster: string): Promise<LabState | undefined> {
    const t = this.states.get(cluster);
    if (t === undefined) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(t);
    } catch (e) {
      throw new CorruptStateError(`memory:${cluster}`, (e as Error).message);
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
