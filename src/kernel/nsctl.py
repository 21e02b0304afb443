#!/usr/bin/env python3
"""podlab nsctl: read and write sysctls in many network namespaces from one process.

/proc/sys/net shows the network namespace of the task that opens it, so a single-threaded process can
setns() into each namespace in turn. This replaces one `ip netns exec … sysctl` spawn per namespace.

stdin:  [{"netns": "pl-demo-node1", "write": [["net/ipv4/ip_forward", "1"]], "read": ["net/ipv4/ip_forward"]}, ...]
stdout: {"values": {"pl-demo-node1": {"net/ipv4/ip_forward": "1"}}, "errors": ["..."]}
"""
import ctypes, json, os, sys

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
