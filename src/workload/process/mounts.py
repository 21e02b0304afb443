#!/usr/bin/env python3
"""podlab mounts: a process container's view of the filesystem, made in its own mount namespace, then exec.

Run as `ip netns exec <pod netns> nsenter --uts=FILE -- python3 mounts.py SPEC.json -- CMD...`: `ip netns exec`
has already given the process a private mount namespace (slave of the host's, so the host's unmounts still reach
it) with the pod's /etc/hosts. This binds each volume at its mountPath, read-only where asked, then execs CMD.

A mountPath that does not exist on the host is never created there. Its deepest existing ancestor A is covered, in
this namespace only, by a tmpfs holding a bind of every entry A had (symlinks copied), so A looks the same and the
missing folders are made in the tmpfs. When A is / itself, the new tree is built on a tmpfs at the container's stage
folder and becomes the root (pivot_root). Everything else of the host stays visible as it is. It is all undone by the
kernel when the container's last process ends: the namespace, and every mount in it, goes with it.

SPEC: {"mounts": [{"source": "/abs", "target": "/abs", "readOnly": false, "file": false}], "stage": "/abs/dir",
       "workdir": "/abs"}
"""
import ctypes, json, os, platform, stat, sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
SYS_PIVOT_ROOT = {'x86_64': 155, 'aarch64': 41, 'armv7l': 218, 'ppc64le': 203, 's390x': 217, 'riscv64': 41}.get(platform.machine(), 155)


def die(msg):
    sys.stderr.write('podlab: cannot make the container\'s mounts: %s\n' % msg)
    sys.exit(128)


def mount(src, dst, fstype, flags, data=None):
    if libc.mount(src.encode() if src else None, dst.encode(), fstype.encode() if fstype else None, flags, data.encode() if data else None) != 0:
        e = ctypes.get_errno()
        die('mount %s on %s: %s' % (src or fstype, dst, os.strerror(e)))


shadowed = set()
# Folders made in a tmpfs here (never on the host).
created = set()


def populate(src_dir_fd_path, dst):
    """Give the (new, empty) tmpfs at dst every entry of the folder behind src_dir_fd_path."""
    for name in os.listdir(src_dir_fd_path):
        s = os.path.join(src_dir_fd_path, name)
        d = os.path.join(dst, name)
        st = os.lstat(s)
        if stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(s), d)
        elif stat.S_ISDIR(st.st_mode):
            os.mkdir(d, st.st_mode & 0o7777)
            mount(s, d, None, MS_BIND | MS_REC)
        else:
            open(d, 'w').close()
            mount(s, d, None, MS_BIND)


def shadow(a, stage):
    """Make the folder `a` writable for new entries in this namespace only (see the module's text)."""
    st = os.stat(a)
    fd = os.open(a, os.O_PATH | os.O_DIRECTORY)
    src = '/proc/self/fd/%d' % fd
    opts = 'mode=%o' % (st.st_mode & 0o7777)
    if a == '/':
        os.makedirs(stage, exist_ok=True)
        mount('tmpfs', stage, 'tmpfs', 0, opts)
        populate(src, stage)
        os.mkdir(os.path.join(stage, '.podlab-oldroot'))
        os.chdir(stage)
        if libc.syscall(SYS_PIVOT_ROOT, b'.', b'.podlab-oldroot') != 0:
            die('pivot_root: %s' % os.strerror(ctypes.get_errno()))
        os.chdir('/')
        libc.umount2(b'/.podlab-oldroot', MNT_DETACH)
        os.rmdir('/.podlab-oldroot')
    else:
        mount('tmpfs', a, 'tmpfs', 0, opts)
        os.chown(a, st.st_uid, st.st_gid)
        populate(src, a)
    os.close(fd)
    shadowed.add(a)


def make_room(target, is_file, stage):
    """Create `target` without touching the host: in a shadowed ancestor."""
    parts = target.rstrip('/').split('/')[1:]
    a = '/'
    for i, p in enumerate(parts):
        nxt = os.path.join(a, p)
        if not os.path.lexists(nxt):
            break
        a = nxt
    else:
        return
    if a not in shadowed and a not in created:
        shadow(a, stage)
    d = a
    for p in parts[len([x for x in a.split('/') if x]):-1]:
        d = os.path.join(d, p)
        os.mkdir(d, 0o755)
        created.add(d)
    if is_file:
        open(target, 'w').close()
    else:
        os.mkdir(target, 0o755)
        created.add(target)


def main():
    if len(sys.argv) < 4 or sys.argv[2] != '--':
        die('usage: mounts.py SPEC.json -- CMD...')
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    stage = spec['stage']
    for m in sorted(spec.get('mounts', []), key=lambda m: m['target'].count('/')):
        src, dst = m['source'], m['target']
        if not os.path.exists(src):
            die('volume source %s does not exist' % src)
        is_file = not os.path.isdir(src)
        if not os.path.lexists(dst):
            make_room(dst, is_file, stage)
        elif os.path.isdir(dst) == is_file:
            die('%s is a %s on the host, but the volume is a %s' % (dst, 'folder' if not is_file else 'file', 'file' if is_file else 'folder'))
        mount(src, dst, None, MS_BIND | MS_REC)
        if m.get('readOnly'):
            mount(None, dst, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
    wd = spec.get('workdir')
    if wd:
        try:
            os.chdir(wd)
        except OSError:
            os.chdir('/')
    argv = sys.argv[3:]
    os.execvp(argv[0], argv)


main()
