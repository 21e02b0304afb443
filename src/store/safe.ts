// A state directory another user could replace is refused, as sshd refuses such files: the state names the files
// whose container commands root runs, so whoever can swap it runs commands as root. Every directory from the state
// root up to / must be owned by root (or the user running podlab) and not writable by group or others — unless it
// has the sticky bit, like /tmp — and so must the lab's own folder and its state file.
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class UnsafeStateDirError extends Error {
  constructor(readonly root: string, readonly path: string, why: string) {
    super(`refusing the state directory ${root}: ${path} ${why}, so another user could replace the lab's state and have podlab run their commands as root\n` +
      `  fix: \`chown root ${path} && chmod go-w ${path}\`, or set PODLAB_STATE_DIR to a directory only root can write (default /run/podlab)`);
    this.name = 'UnsafeStateDirError';
  }
}

const me = () => (process.getuid ? process.getuid() : 0);

function why(st: Stats, leaf: boolean): string | undefined {
  const uid = me();
  if (st.uid !== 0 && st.uid !== uid) return `is owned by uid ${st.uid}${uid === 0 ? ', not root' : `, neither root nor uid ${uid}`}`;
  const writable = st.mode & 0o022;
  if (writable && (leaf || !(st.mode & 0o1000))) return `is ${st.mode & 0o002 ? 'world' : 'group'}-writable (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})${leaf ? '' : ' without the sticky bit'}`;
  return undefined;
}

/** The deepest existing directory of `path` (itself when it exists). */
function existing(path: string): string {
  let p = resolve(path);
  for (;;) {
    try {
      lstatSync(p);
      return p;
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/** Throws UnsafeStateDirError unless `root` and every directory above it are safe (see above). Symlinks are resolved first. */
export function checkStateRoot(root: string): void {
  let p = realpathSync(existing(root));
  for (;;) {
    const w = why(lstatSync(p), false);
    if (w) throw new UnsafeStateDirError(root, p, w);
    const up = dirname(p);
    if (up === p) return;
    p = up;
  }
}

/** A file or folder under a checked root (the lab's folder, its state file): owned by us and writable by nobody else, sticky or not. */
export function checkOwnedEntry(root: string, path: string): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return; // absent: podlab creates it, mode 0700/0600
  }
  if (st.isSymbolicLink()) throw new UnsafeStateDirError(root, path, 'is a symbolic link');
  const w = why(st, true);
  if (w) throw new UnsafeStateDirError(root, path, w);
}
