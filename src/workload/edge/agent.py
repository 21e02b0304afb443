#!/usr/bin/env python3
"""podlab edge agent: the small daemons a cluster runs at its edge, one role per process.

  speaker  MetalLB's layer-2 speaker on one node: tells the other speakers it is alive (UDP 7946, memberlist's
           port), elects the announcing node per IP as MetalLB does (nodes sorted by sha256(node + "#" + ip), the
           first live one wins), answers ARP requests for the IPs it owns from its own raw socket (the node holds no
           such address) and sends gratuitous ARP replies when it takes an IP over.
  healthz  kube-proxy's service health server: on each healthCheckNodePort, HTTP 200 with the local endpoint
           count where the node has local endpoints, 503 elsewhere (pkg/proxy/healthcheck/service_health.go).
  nlb      an AWS network load balancer: health-checks its targets (HTTP on the healthCheckNodePort for
           externalTrafficPolicy Local, TCP on the traffic port otherwise) and programs its nftables table
           (ip podlab-nlb) to forward each listener to the healthy targets (all of them when none is: fail open).

Usage: agent.py ROLE CONFIG.json STATUS.json   (SIGHUP re-reads CONFIG; SIGTERM stops)
"""
import hashlib, json, os, selectors, signal, socket, struct, subprocess, sys, time

SEL = selectors.DefaultSelector()
reload_wanted = True
WAKE = []  # both ends of the signal wake-up pair, kept referenced: a collected write end would close, and its
           # read end would then be readable (EOF) forever, turning every select() below into a busy loop


def write_status(path, obj):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def load(path):
    with open(path) as f:
        return json.load(f)


def wake_fd():
    """A signal (SIGHUP) wakes the select() of the main loop: Python retries an interrupted select() itself."""
    r, w = socket.socketpair()
    r.setblocking(False)
    w.setblocking(False)
    signal.set_wakeup_fd(w.fileno(), warn_on_full_buffer=False)
    SEL.register(r, selectors.EVENT_READ, ('wake', r))
    WAKE[:] = [r, w]
    return r


def drain(sock):
    try:
        while sock.recv(512):
            pass
    except BlockingIOError:
        pass


def on_hup(*_):
    global reload_wanted
    reload_wanted = True


# ---------------------------------------------------------------- speaker

ETH_P_ARP = 0x0806


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(':'))


def arp_frame(op, src_mac, src_ip, dst_mac, dst_ip, eth_dst):
    eth = eth_dst + src_mac + struct.pack('!H', ETH_P_ARP)
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, op) + src_mac + socket.inet_aton(src_ip) + dst_mac + socket.inet_aton(dst_ip)
    return eth + arp


def election(candidates, ip):
    return sorted(candidates, key=lambda n: hashlib.sha256(('%s#%s' % (n, ip)).encode()).digest())


def speaker(cfg_path, status_path):
    global reload_wanted
    cfg = load(cfg_path)
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    raw.bind((cfg['iface'], 0))
    raw.setblocking(False)
    SEL.register(raw, selectors.EVENT_READ, ('arp', raw))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    udp.bind(('0.0.0.0', cfg['port']))
    udp.setblocking(False)
    SEL.register(udp, selectors.EVENT_READ, ('udp', udp))
    wake = wake_fd()
    started = time.monotonic()
    seen = {}
    owned = set()
    garp_left = {}
    last_status = None
    next_beat = 0.0
    while True:
        if reload_wanted:
            reload_wanted = False
            cfg = load(cfg_path)
        me = cfg['node']
        mymac = mac_bytes(cfg['mac'])
        now = time.monotonic()
        if now >= next_beat:
            msg = ('podlab-speaker %s' % me).encode()
            for p in cfg['peers']:
                try:
                    udp.sendto(msg, (p['ip'], cfg['port']))
                except OSError:
                    pass
            next_beat = now + cfg['heartbeatMs'] / 1000.0
        dead = cfg['deadMs'] / 1000.0
        alive = {me} | {p['node'] for p in cfg['peers'] if now - seen.get(p['node'], -1e9) < dead}
        # Until it has had the time to hear its peers, a fresh speaker announces nothing (no split brain at start).
        settled = now - started >= dead
        want = set()
        if settled:
            for e in cfg['ips']:
                order = [n for n in election(e['candidates'], e['ip']) if n in alive]
                if order and order[0] == me:
                    want.add(e['ip'])
        for ip in want - owned:
            garp_left[ip] = 3
        for ip in owned - want:
            garp_left.pop(ip, None)
        owned = want
        for ip, n in list(garp_left.items()):
            try:
                raw.send(arp_frame(2, mymac, ip, b'\xff' * 6, ip, b'\xff' * 6))
            except OSError:
                pass
            if n <= 1:
                garp_left.pop(ip)
            else:
                garp_left[ip] = n - 1
        status = {'generation': cfg.get('generation', 0), 'node': me, 'settled': settled, 'announcing': sorted(owned), 'alive': sorted(alive)}
        if status != last_status:
            write_status(status_path, status)
            last_status = status
        # Nothing to do before the next heartbeat unless a peer's heartbeat, an ARP request or a signal comes.
        for key, _ in SEL.select(timeout=max(0.0, next_beat - time.monotonic())):
            kind, sock = key.data
            if kind == 'wake':
                drain(sock)
            elif kind == 'udp':
                try:
                    while True:
                        data, _peer = sock.recvfrom(512)
                        parts = data.decode('utf-8', 'replace').split()
                        if len(parts) == 2 and parts[0] == 'podlab-speaker':
                            seen[parts[1]] = time.monotonic()
                except BlockingIOError:
                    pass
            elif kind == 'arp':
                try:
                    while True:
                        frame = sock.recv(2048)
                        if len(frame) < 42:
                            continue
                        op = struct.unpack('!H', frame[20:22])[0]
                        sha, spa, tpa = frame[22:28], socket.inet_ntoa(frame[28:32]), socket.inet_ntoa(frame[38:42])
                        if op == 1 and tpa in owned and sha != mymac:
                            sock.send(arp_frame(2, mymac, tpa, sha, spa, sha))
                except BlockingIOError:
                    pass


# ---------------------------------------------------------------- healthz

def healthz_body(svc):
    return ('{\n\t"service": {\n\t\t"namespace": %s,\n\t\t"name": %s\n\t},\n\t"localEndpoints": %d,\n\t"serviceProxyHealthy": true\n}'
            % (json.dumps(svc['namespace']), json.dumps(svc['name']), svc['localEndpoints']))


def healthz(cfg_path, status_path):
    global reload_wanted
    listeners = {}  # port -> (sock, svc)
    conns = {}
    wake_fd()
    while True:
        if reload_wanted:
            reload_wanted = False
            cfg = load(cfg_path)
            want = {s['port']: s for s in cfg['services']}
            for port in list(listeners):
                if port not in want:
                    s, _ = listeners.pop(port)
                    SEL.unregister(s)
                    s.close()
            errors = []
            for port, svc in want.items():
                if port in listeners:
                    listeners[port] = (listeners[port][0], svc)
                    continue
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(('0.0.0.0', port))
                    s.listen(64)
                except OSError as e:
                    errors.append('port %d: %s' % (port, e.strerror))
                    s.close()
                    continue
                s.setblocking(False)
                listeners[port] = (s, svc)
                SEL.register(s, selectors.EVENT_READ, ('listen', port))
            write_status(status_path, {'generation': cfg.get('generation', 0), 'ports': sorted(listeners), 'errors': errors})
        now = time.monotonic()
        for c, t0 in list(conns.items()):
            if now - t0[1] > 5:
                SEL.unregister(c)
                c.close()
                conns.pop(c)
        # Idle (no connection open): block until a connection or a signal comes.
        for key, _ in SEL.select(timeout=1.0 if conns else None):
            kind, ref = key.data
            if kind == 'wake':
                drain(ref)
            elif kind == 'listen':
                ent = listeners.get(ref)
                if not ent:
                    continue
                try:
                    c, _ = ent[0].accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    continue
                c.setblocking(False)
                conns[c] = (b'', time.monotonic(), ref)
                SEL.register(c, selectors.EVENT_READ, ('conn', c))
            elif kind == 'conn' and ref in conns:
                buf, t0, port = conns[ref]
                try:
                    data = ref.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b''
                buf += data
                if data and b'\r\n\r\n' not in buf and b'\n\n' not in buf and len(buf) < 16384:
                    conns[ref] = (buf, t0, port)
                    continue
                ent = listeners.get(port)
                svc = ent[1] if ent else {'namespace': '', 'name': '', 'localEndpoints': 0}
                body = healthz_body(svc).encode()
                code = b'200 OK' if svc['localEndpoints'] > 0 else b'503 Service Unavailable'
                resp = (b'HTTP/1.1 ' + code + b'\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n'
                        + b'Date: ' + time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime()).encode()
                        + b'\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % len(body) + body)
                try:
                    ref.setblocking(True)
                    ref.settimeout(2)
                    ref.sendall(resp)
                except OSError:
                    pass
                SEL.unregister(ref)
                ref.close()
                conns.pop(ref, None)


# ---------------------------------------------------------------- nlb

NLB_TABLE = 'ip podlab-nlb'
READY_ROUNDS = 3  # edge/runtime.ts waits for this many rounds of health checks after a (re)load


def probe(target):
    chk = target['check']
    try:
        s = socket.create_connection((target['ip'], chk['port']), timeout=0.3)
    except OSError:
        return False
    try:
        if chk['kind'] == 'tcp':
            return True
        s.settimeout(0.5)
        s.sendall(('GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' % (chk.get('path', '/'), target['ip'])).encode())
        head = s.recv(64).decode('latin-1')
        return head.split(' ')[1:2] == ['200']
    except OSError:
        return False
    finally:
        s.close()


def nlb_ruleset(cfg, healthy):
    L = ['add table %s' % NLB_TABLE, 'delete table %s' % NLB_TABLE, 'add table %s { comment "podlab network load balancer" ; }' % NLB_TABLE,
         'add chain %s nlb-security-group { type filter hook prerouting priority -150 ; }' % NLB_TABLE,
         'add chain %s nlb-prerouting { type nat hook prerouting priority -100 ; }' % NLB_TABLE,
         'add chain %s nlb-postrouting { type nat hook postrouting priority 100 ; }' % NLB_TABLE,
         'add rule %s nlb-postrouting ct mark 0x1 masquerade' % NLB_TABLE]
    for i, l in enumerate(cfg['listeners']):
        proto = l['protocol'].lower()
        match = 'ip daddr %s %s dport %d' % (l['ip'], proto, l['port'])
        if l['sourceRanges']:
            L.append('add rule %s nlb-security-group %s ip saddr != { %s } drop' % (NLB_TABLE, match, ', '.join(l['sourceRanges'])))
        targets = [t for j, t in enumerate(l['targets']) if healthy.get((i, j))] or l['targets']  # fail open
        if not targets:
            continue
        L.append('add chain %s listener-%d' % (NLB_TABLE, i))
        L.append('add rule %s nlb-prerouting %s jump listener-%d' % (NLB_TABLE, match, i))
        if l['snat']:
            L.append('add rule %s listener-%d ct mark set 0x1' % (NLB_TABLE, i))
        for j, t in enumerate(targets):
            L.append('add chain %s target-%d-%d' % (NLB_TABLE, i, j))
            L.append('add rule %s target-%d-%d meta l4proto %s dnat to %s:%d' % (NLB_TABLE, i, j, proto, t['ip'], t['port']))
        L.append('add rule %s listener-%d numgen random mod %d vmap { %s }' % (NLB_TABLE, i, len(targets), ' , '.join('%d : goto target-%d-%d' % (j, i, j) for j in range(len(targets)))))
    return '\n'.join(L) + '\n'


def nlb(cfg_path, status_path):
    global reload_wanted
    wake_fd()
    cfg = None
    healthy = {}
    streak = {}
    programmed = None
    rounds = 0
    last_status = None
    while True:
        if reload_wanted:
            reload_wanted = False
            cfg = load(cfg_path)
            healthy, streak, rounds = {}, {}, 0
        # One round of health checks every intervalMs (a SIGHUP starts a new series at once).
        next_round = time.monotonic() + cfg['intervalMs'] / 1000.0
        for i, l in enumerate(cfg['listeners']):
            for j, t in enumerate(l['targets']):
                ok = probe(t)
                s = streak.get((i, j), 0)
                s = max(1, s + 1) if ok else min(-1, s - 1)
                streak[(i, j)] = s
                if s >= cfg['healthyThreshold']:
                    healthy[(i, j)] = True
                elif s <= -cfg['unhealthyThreshold']:
                    healthy[(i, j)] = False
        rounds += 1
        text = nlb_ruleset(cfg, healthy)
        error = None
        if text != programmed:
            r = subprocess.run(['nft', '-f', '-'], input=text.encode(), capture_output=True)
            if r.returncode == 0:
                programmed = text
            else:
                error = r.stderr.decode('utf-8', 'replace').strip()
        status = {
            'generation': cfg.get('generation', 0), 'error': error,
            'listeners': [{'ip': l['ip'], 'port': l['port'], 'targets': [dict(t, healthy=bool(healthy.get((i, j)))) for j, t in enumerate(l['targets'])]}
                          for i, l in enumerate(cfg['listeners'])],
        }
        # The file is rewritten when what it says changes, and for the first rounds (podlab waits for READY_ROUNDS).
        if status != last_status or rounds <= READY_ROUNDS:
            write_status(status_path, dict(status, rounds=rounds))
            last_status = status
        for key, _ in SEL.select(timeout=max(0.0, next_round - time.monotonic())):
            kind, ref = key.data
            if kind == 'wake':
                drain(ref)


def main():
    role, cfg_path, status_path = sys.argv[1], sys.argv[2], sys.argv[3]
    signal.signal(signal.SIGHUP, on_hup)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    {'speaker': speaker, 'healthz': healthz, 'nlb': nlb}[role](cfg_path, status_path)


if __name__ == '__main__':
    main()
