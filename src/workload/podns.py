#!/usr/bin/env python3
"""podlab podns: the parts of a process pod's sandbox that are namespaces and mounts, for many pods in one process.

"uts": a UTS namespace per pod, made with unshare(CLONE_NEWUTS) in this process, given the pod's hostname and kept
by a bind mount of /proc/self/ns/uts on the pod's file (what `ip netns add` does for a network namespace); an
existing one only gets its hostname (re)set. "tmpfs": an emptyDir of medium Memory, a tmpfs on the volume's folder.
"release": every mount at or below these folders is detached (deepest first), so they can be removed.

stdin:  {"uts": [{"file": "...", "hostname": "web"}], "tmpfs": [{"dir": "...", "size": "64Mi"}], "release": ["/dir"]}
stdout: {"errors": ["..."]}
"""
import ctypes, json, os, socket, sys

CLONE_NEWUTS = 0x04000000
MS_BIND, MNT_DETACH = 4096, 2
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
errors = []


def err(what):
    e = ctypes.get_errno()
    return '%s: %s' % (what, os.strerror(e))


def mounts():
    """Mount points of this mount namespace (unescaped), from /proc/self/mountinfo."""
    out = []
    with open('/proc/self/mountinfo') as f:
        for line in f:
            p = line.split(' ')[4]
            out.append(p.replace('\\040', ' ').replace('\\011', '\t').replace('\\012', '\n').replace('\\134', '\\'))
    return out


def size_opt(q):
    units = {'Ki': 'k', 'Mi': 'm', 'Gi': 'g', 'Ti': 't', 'k': 'k', 'M': 'm', 'G': 'g'}
    for u, s in units.items():
        if q.endswith(u) and q[:-len(u)].replace('.', '', 1).isdigit():
            return 'size=%d%s,' % (int(float(q[:-len(u)])), s)
    return 'size=%s,' % q if q.isdigit() else ''


req = json.load(sys.stdin)
present = set(mounts())
home = os.open('/proc/self/ns/uts', os.O_RDONLY)
for u in req.get('uts', []):
    f, host = u['file'], u['hostname']
    try:
        if f in present:
            fd = os.open(f, os.O_RDONLY)
            rc = libc.setns(fd, CLONE_NEWUTS)
            os.close(fd)
            if rc != 0:
                errors.append(err('setns %s' % f))
                continue
            if socket.gethostname() != host:
                socket.sethostname(host)
            continue
        os.makedirs(os.path.dirname(f), exist_ok=True)
        if not os.path.exists(f):
            open(f, 'w').close()
        if libc.unshare(CLONE_NEWUTS) != 0:
            errors.append(err('unshare uts for %s' % f))
            continue
        socket.sethostname(host)
        if libc.mount(b'/proc/self/ns/uts', f.encode(), None, MS_BIND, None) != 0:
            errors.append(err('bind uts namespace on %s' % f))
    except OSError as e:
        errors.append('%s: %s' % (f, e))
libc.setns(home, CLONE_NEWUTS)
for t in req.get('tmpfs', []):
    d = t['dir']
    if d in present:
        continue
    os.makedirs(d, exist_ok=True)
    opts = (size_opt(t.get('size') or '') + 'mode=1777').encode()
    if libc.mount(b'tmpfs', d.encode(), b'tmpfs', 0, opts) != 0:
        errors.append(err('tmpfs on %s' % d))
rel = [r.rstrip('/') for r in req.get('release', [])]
if rel:
    for m in sorted(mounts(), key=len, reverse=True):
        if any(m == r or m.startswith(r + '/') for r in rel):
            libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
            if libc.umount2(m.encode(), MNT_DETACH) != 0 and ctypes.get_errno() not in (22, 2):
                errors.append(err('umount %s' % m))
json.dump({'errors': errors}, sys.stdout)
