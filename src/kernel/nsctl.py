#!/usr/bin/env python3
"""podlab nsctl: read and write sysctls in many network namespaces from one process.

/proc/sys/net shows the network namespace of the task that opens it, so a single-threaded process can
setns() into each namespace in turn. This replaces one `ip netns exec … sysctl` spawn per namespace.

"unlink": true deletes every link of the namespace but lo (a veth's peer goes with it), before the namespace
itself is deleted: a namespace lives on while any socket in it is open (a netexec listener, until its runtime
reloads), and so would its veth pair, still holding the names a recreated pod needs.

stdin:  [{"netns": "pl-demo-node1", "write": [["net/ipv4/ip_forward", "1"]], "read": ["net/ipv4/ip_forward"], "unlink": false}, ...]
stdout: {"values": {"pl-demo-node1": {"net/ipv4/ip_forward": "1"}}, "errors": ["..."]}
"""
import ctypes, errno, json, os, socket, struct, sys

RTM_DELLINK, NLM_F_REQUEST, NLM_F_ACK, NLMSG_ERROR = 17, 1, 4, 2


def unlink_all(ns):
    """RTM_DELLINK for every interface but lo, on a netlink socket opened inside the current namespace."""
    errs = []
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
    try:
        nl.bind((0, 0))
        for seq, (index, name) in enumerate(socket.if_nameindex(), 1):
            if name == 'lo':
                continue
            body = struct.pack('=BBHiII', socket.AF_UNSPEC, 0, 0, index, 0, 0)
            nl.send(struct.pack('=IHHII', 16 + len(body), RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
            reply = nl.recv(65536)
            _, typ, _, _, _ = struct.unpack('=IHHII', reply[:16])
            if typ == NLMSG_ERROR:
                code = -struct.unpack('=i', reply[16:20])[0]
                if code not in (0, errno.ENODEV):  # ENODEV: went with its peer already
                    errs.append('%s: delete link %s: %s' % (ns, name, os.strerror(code)))
    finally:
        nl.close()
    return errs

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
home = os.open('/proc/self/ns/net', os.O_RDONLY)
values, errors = {}, []
for item in json.load(sys.stdin):
    ns = item['netns']
    try:
        fd = os.open('/run/netns/' + ns, os.O_RDONLY)
    except OSError as e:
        errors.append('%s: %s' % (ns, e.strerror))
        continue
    rc = libc.setns(fd, CLONE_NEWNET)
    os.close(fd)
    if rc != 0:
        errors.append('%s: setns: %s' % (ns, os.strerror(ctypes.get_errno())))
        continue
    res = {}
    if item.get('unlink'):
        errors.extend(unlink_all(ns))
    for key, val in item.get('write', []):
        try:
            with open('/proc/sys/' + key, 'w') as f:
                f.write(str(val))
        except OSError as e:
            errors.append('%s: %s=%s: %s' % (ns, key.replace('/', '.'), val, e.strerror))
    for key in item.get('read', []):
        try:
            with open('/proc/sys/' + key) as f:
                res[key] = f.read().strip()
        except OSError:
            pass
    values[ns] = res
libc.setns(home, CLONE_NEWNET)
json.dump({'values': values, 'errors': errors}, sys.stdout)
