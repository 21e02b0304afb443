#!/usr/bin/env python3
"""podlab nsctl: read and write sysctls in many network namespaces from one process.

/proc/sys/net shows the network namespace of the task that opens it, so a single-threaded process can
setns() into each namespace in turn. This replaces one `ip netns exec … sysctl` spawn per namespace.

"unlink": true deletes every link of the namespace but lo (a veth's peer goes with it), before the namespace
itself is deleted: a namespace lives on while any socket in it is open (a netexec listener, until its runtime
reloads), and so would its veth pair, still holding the names a recreated pod needs.

"forget": [["cni0", "10.244.1.5"]] deletes the neighbour entry of an address on a device (none there is no error);
"garp": [["eth0", "10.244.1.5"]] sends one gratuitous ARP request for the address from the device, as the CNI bridge
plugin does for a pod it has just wired (containernetworking/plugins bridge.go: arping.GratuitousArpOverIface) —
together: a node and its pods do not keep an address that is handed out again bound to the deleted pod's MAC.

"mark": "podlab:demo" sets the alias (IFLA_IFALIAS) of the namespace's lo: the ownership mark naming the lab that
made it; "readMark": true returns it (null when lo has none) in "marks".

stdin:  [{"netns": "pl-demo-node1", "write": [["net/ipv4/ip_forward", "1"]], "read": ["net/ipv4/ip_forward"], "unlink": false,
          "mark": "podlab:demo", "readMark": true}, ...]
stdout: {"values": {"pl-demo-node1": {"net/ipv4/ip_forward": "1"}}, "marks": {"pl-demo-node1": "podlab:demo"}, "errors": ["..."]}
"""
import ctypes, errno, json, os, socket, struct, sys

RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, NLM_F_REQUEST, NLM_F_ACK, NLMSG_ERROR = 16, 17, 18, 1, 4, 2
IFLA_IFALIAS, LO_INDEX = 20, 1


def rtnl(msg_type, flags, body):
    """One request on a NETLINK_ROUTE socket opened in the current namespace; returns the first reply."""
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    try:
        nl.bind((0, 0))
        nl.send(struct.pack('=IHHII', 16 + len(body), msg_type, flags, 1, 0) + body)
        return nl.recv(65536)
    finally:
        nl.close()


def set_mark(ns, alias):
    """lo's alias (ifalias) := alias."""
    data = alias.encode() + b'\0'
    attr = struct.pack('=HH', 4 + len(data), IFLA_IFALIAS) + data
    attr += b'\0' * ((4 - len(attr) % 4) % 4)
    reply = rtnl(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, struct.pack('=BBHiII', socket.AF_UNSPEC, 0, 0, LO_INDEX, 0, 0) + attr)
    code = -struct.unpack('=i', reply[16:20])[0] if struct.unpack('=IHHII', reply[:16])[1] == NLMSG_ERROR else 0
    return [] if code == 0 else ['%s: mark lo: %s' % (ns, os.strerror(code))]


def read_mark(ns):
    """lo's alias, or None."""
    reply = rtnl(RTM_GETLINK, NLM_F_REQUEST, struct.pack('=BBHiII', socket.AF_UNSPEC, 0, 0, LO_INDEX, 0, 0))
    length, typ = struct.unpack('=IH', reply[:6])
    if typ == NLMSG_ERROR:
        return None
    off = 16 + 16
    while off + 4 <= length:
        alen, atyp = struct.unpack('=HH', reply[off:off + 4])
        if alen < 4:
            break
        if atyp == IFLA_IFALIAS:
            return reply[off + 4:off + alen].split(b'\0')[0].decode(errors='replace')
        off += (alen + 3) & ~3
    return None


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

RTM_DELNEIGH, NDA_DST, ETH_P_ARP = 29, 1, 0x0806


def forget(ns, dev, ip):
    """RTM_DELNEIGH of ip on dev; ENOENT (no entry) is fine."""
    try:
        index = socket.if_nametoindex(dev)
    except OSError:
        return []  # no such device here (yet): nothing to forget
    body = struct.pack('=BBHiHBB', socket.AF_INET, 0, 0, index, 0, 0, 0) + struct.pack('=HH', 8, NDA_DST) + socket.inet_aton(ip)
    reply = rtnl(RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, body)
    code = -struct.unpack('=i', reply[16:20])[0] if struct.unpack('=IHHII', reply[:16])[1] == NLMSG_ERROR else 0
    return [] if code in (0, errno.ENOENT) else ['%s: forget neighbour %s dev %s: %s' % (ns, ip, dev, os.strerror(code))]


def garp(ns, dev, ip, keep):
    """One gratuitous ARP request (sender = target = ip, to broadcast) from dev, on a packet socket opened here.
    The socket goes to keep: closing a packet socket waits for an RCU grace period (~20 ms, packet_release), so
    they are closed together at the end, from many threads at once."""
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)  # protocol 0: sends only, no receive hook
    except OSError as e:
        return ['%s: gratuitous ARP: %s' % (ns, e.strerror)]
    keep.append(s)
    try:
        s.bind((dev, 0))
        mac = s.getsockname()[4]
        bcast, a = b'\xff' * 6, socket.inet_aton(ip)
        arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + a + bcast + a
        s.send(bcast + mac + struct.pack('!H', ETH_P_ARP) + arp)
        return []
    except OSError as e:
        return ['%s: gratuitous ARP from %s: %s' % (ns, dev, e.strerror)]


def close_all(socks):
    """Close sockets from 128 threads: their grace periods overlap instead of adding up."""
    if not socks:
        return
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(128, len(socks))) as pool:
        list(pool.map(lambda x: x.close(), socks))


CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
home = os.open('/proc/self/ns/net', os.O_RDONLY)
values, marks, errors, packet_socks = {}, {}, [], []
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
    if item.get('mark'):
        errors.extend(set_mark(ns, item['mark']))
    for dev, ip in item.get('forget', []):
        errors.extend(forget(ns, dev, ip))
    for dev, ip in item.get('garp', []):
        errors.extend(garp(ns, dev, ip, packet_socks))
    if item.get('readMark'):
        marks[ns] = read_mark(ns)
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
close_all(packet_socks)
json.dump({'values': values, 'marks': marks, 'errors': errors}, sys.stdout)
