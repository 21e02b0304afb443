// Root filesystems built offline from the host's static busybox (Debian busybox-static: /bin/busybox), as a
// tar in memory: nothing is written on the host. Entries carry the binary's mtime, so one busybox gives one layer.
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import tar from 'tar-stream';

export const DEFAULT_BUSYBOX = '/bin/busybox';

export interface Busybox {
  readonly path: string;
  /** "1.35.0" */
  readonly version: string;
  /** The first line busybox prints, e.g. "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary." */
  readonly banner: string;
  /** Applet paths relative to /, from `busybox --list-full` (bin/sh, usr/bin/wget, …). */
  readonly applets: readonly string[];
  readonly sha256: string;
  readonly content: Buffer;
  readonly mtime: Date;
}

export class BusyboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusyboxError';
  }
}

/** 'static' | 'dynamic' (it has a PT_INTERP program header, i.e. needs a loader and libraries) | 'not-elf'. */
export function elfLinkage(b: Buffer): 'static' | 'dynamic' | 'not-elf' {
  if (b.length < 52 || b.readUInt32BE(0) !== 0x7f454c46) return 'not-elf';
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const phoff = is64 ? Number(le ? b.readBigUInt64LE(32) : b.readBigUInt64BE(32)) : u32(28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + 4 > b.length) return 'not-elf';
    if (u32(o) === 3 /* PT_INTERP */) return 'dynamic';
  }
  return 'static';
}

const HOW = 'install Debian\'s busybox-static (`apt-get install busybox-static`: /bin/busybox) or name another static busybox with --busybox PATH';

/** Read and check the host's busybox: it must be static, since the image has no libraries. */
export async function readBusybox(path = DEFAULT_BUSYBOX): Promise<Busybox> {
  let content: Buffer;
  let mtime: Date;
  try {
    content = readFileSync(path);
    mtime = statSync(path).mtime;
  } catch {
    throw new BusyboxError(`no busybox at ${path}: ${HOW}`);
  }
  const link = elfLinkage(content);
  if (link === 'not-elf') throw new BusyboxError(`${path} is not an executable (ELF) file: ${HOW}`);
  if (link === 'dynamic') throw new BusyboxError(`${path} is dynamically linked (as Debian's \`busybox\` package is): an image built from it would lack the libraries it loads; ${HOW}`);
  const list = await execa(path, ['--list-full'], { reject: false });
  const applets = String(list.stdout).split('\n').map((s) => s.trim()).filter((s) => s && !s.startsWith('/') && !s.includes('..'));
  if (list.exitCode !== 0 || applets.length === 0) throw new BusyboxError(`${path} --list-full gave no applets (${String(list.stderr).trim() || `exit ${list.exitCode}`}): ${HOW}`);
  const banner = String((await execa(path, [], { reject: false })).stdout).split('\n')[0]!.trim();
  const version = /v(\d+\.\d+(?:\.\d+)?)/.exec(banner)?.[1] ?? 'unknown';
  return { path, version, banner, applets, sha256: createHash('sha256').update(content).digest('hex'), content, mtime };
}

type Entry = { name: string; type: 'directory' | 'file' | 'symlink'; mode: number; body?: Buffer | string; linkname?: string };

function pack(entries: readonly Entry[], mtime: Date): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
  for (const e of entries) {
    const h = { name: e.name, type: e.type, mode: e.mode, uid: 0, gid: 0, mtime, ...(e.linkname ? { linkname: e.linkname } : {}) };
    if (e.type === 'file') p.entry(h, typeof e.body === 'string' ? Buffer.from(e.body) : e.body!);
    else p.entry(h);
  }
  p.finalize();
  return done;
}

const dir = (name: string, mode = 0o755): Entry => ({ name, type: 'directory', mode });
const file = (name: string, body: string | Buffer, mode = 0o644): Entry => ({ name, type: 'file', mode, body });

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
`;
const GROUP = 'root:x:0:\ndaemon:x:1:\nwww-data:x:33:\nnogroup:x:65534:\n';
const HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';

/** The paths of the applet links: every applet busybox lists, except itself. */
export function appletLinks(bb: Pick<Busybox, 'applets'>): string[] {
  return [...new Set(bb.applets)].filter((a) => a !== 'bin/busybox').sort();
}

/**
 * A small distribution: busybox with a link per applet in its usual directory, /etc/passwd and group
 * (root, daemon, www-data, nobody), /etc/hosts, nsswitch.conf, os-release, and /tmp, /root, /var/www, /proc, /sys, /dev.
 * The engine mounts /etc/hosts, /etc/hostname and /etc/resolv.conf of each container over ours.
 */
export function busyboxRootfs(bb: Busybox): Promise<Buffer> {
  const dirs = ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'home', 'var', 'var/log', 'var/www', 'mnt', 'run', 'proc', 'sys', 'dev'];
  const entries: Entry[] = [
    ...dirs.map((d) => dir(d)), dir('tmp', 0o1777), dir('var/tmp', 0o1777), dir('root', 0o700),
    file('bin/busybox', bb.content, 0o755),
    ...appletLinks(bb).map((a): Entry => ({ name: a, type: 'symlink', mode: 0o777, linkname: '/bin/busybox' })),
    file('etc/passwd', PASSWD), file('etc/group', GROUP), file('etc/hosts', HOSTS), file('etc/hostname', 'localhost\n'),
    file('etc/resolv.conf', ''), file('etc/nsswitch.conf', 'hosts: files dns\n'),
    file('etc/os-release', `NAME="podlab busybox"\nID=busybox\nVERSION_ID=${bb.version}\nPRETTY_NAME="${bb.banner.replace(/"/g, '')}"\n`),
  ];
  return pack(entries, bb.mtime);
}

/** The pause sandbox's root: busybox alone. */
export function pauseRootfs(bb: Busybox): Promise<Buffer> {
  return pack([dir('bin'), dir('etc'), dir('proc'), dir('sys'), dir('dev'), file('bin/busybox', bb.content, 0o755)], bb.mtime);
}

/**
 * The pause process: PID 1 of the sandbox, holding its namespaces and sleeping forever. As the real pause
 * it exits at once on SIGTERM/SIGINT (PID 1 ignores signals it has no handler for).
 */
export const PAUSE_ENTRYPOINT = ['/bin/busybox', 'sh', '-c', "trap 'exit 0' TERM INT; while :; do /bin/busybox sleep 86400 & wait $!; done"];
