#!/usr/bin/env python3
"""podlab netexec: the built-in test server, modelled on Kubernetes' agnhost netexec.

Behind an ingress (path routing without rewrite) the last path segment is the command: /shop/clientip.

One process serves many pods: it enters each pod's network namespace only to create that pod's
listening sockets (a socket stays in the namespace it was made in), then serves them all from a single
event loop. So 100 pods cost one small process, not 100.

HTTP: GET /hostname -> pod name, GET /clientip -> "<ip>:<port>" of the peer as this server saw it,
GET /echo?msg=M -> M, GET /healthz -> ok.  UDP datagrams: "hostname", "clientip", "echo M".

Usage: netexec.py CONFIG.json STATUS.json   (SIGHUP re-reads CONFIG; SIGTERM stops)
"""
import ctypes, errno, json, os, selectors, signal, socket, sys, time
from urllib.parse import urlsplit, parse_qs

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
SEL = selectors.DefaultSelector()
HOME_NS = os.open('/proc/self/ns/net', os.O_RDONLY)
listeners = {}  # key (netns, sandbox inode, port, proto) -> dict(sock, pod)
conns = {}  # sock -> dict(buf, pod, peer, t)
reload_wanted = True


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def log(pod, msg):
    try:
        with open(pod['log'], 'a') as f:
            f.write('%s %s\n' % (time.strftime('%Y-%m-%dT%H:%M:%S'), msg))
    except OSError:
        pass


def open_listener(netns, port, proto):
    fd = os.open('/run/netns/' + netns, os.O_RDONLY)
    try:
        setns(fd)
        try:
            if proto == 'UDP':
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            elif proto == 'SCTP':
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, getattr(socket, 'IPPROTO_SCTP', 132))
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('0.0.0.0', port))
                if proto != 'UDP':
                    s.listen(128)
                s.setblocking(False)
            except Exception:
                s.close()
                raise
            return s
        finally:
            setns(HOME_NS)
    finally:
        os.close(fd)


def reload(cfg_path, status_path):
    with open(cfg_path) as f:
        cfg = json.load(f)
    wanted = {}
    for pod in cfg.get('pods', []):
        for l in pod.get('listeners', []):
            wanted[(pod['netns'], pod.get('sandbox', ''), int(l['port']), l.get('protocol', 'TCP'))] = pod
    for key in list(listeners):
        if key not in wanted:
            ent = listeners.pop(key)
            SEL.unregister(ent['sock'])
            ent['sock'].close()
    status = []
    for key, pod in wanted.items():
        netns, _sandbox, port, proto = key
        ent = listeners.get(key)
        if ent:
            ent['pod'] = pod
            status.append({'id': pod['id'], 'port': port, 'protocol': proto, 'ok': True})
            continue
        try:
            s = open_listener(netns, port, proto)
        except OSError as e:
            msg = 'cannot listen on %s/%d: %s' % (proto, port, e.strerror or e)
            if e.errno == errno.EADDRINUSE:
                msg += ' (another process in the pod already holds this port)'
            log(pod, msg)
            status.append({'id': pod['id'], 'port': port, 'protocol': proto, 'ok': False, 'error': msg})
            continue
        listeners[key] = {'sock': s, 'pod': pod, 'proto': proto}
        SEL.register(s, selectors.EVENT_READ, ('listen', key))
        log(pod, 'netexec listening on %s/%d' % (proto, port))
        status.append({'id': pod['id'], 'port': port, 'protocol': proto, 'ok': True})
    tmp = status_path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump({'generation': cfg.get('generation', 0), 'pid': os.getpid(), 'listeners': status}, f)
    os.replace(tmp, status_path)


def answer(pod, path, peer):
    u = urlsplit(path)
    # Behind path-based routing (an Ingress, no rewrite) the command is the last segment: /shop/clientip is
    # /clientip, and any other deeper path answers like / (the pod's name).
    segs = [s for s in u.path.split('/') if s]
    if len(segs) > 1:
        u = u._replace(path='/' + segs[-1] if segs[-1] in ('hostname', 'clientip', 'echo', 'healthz') else '/')
    if u.path in ('/hostname', '/'):
        return 200, pod['hostname']
    if u.path == '/clientip':
        return 200, '%s:%d' % peer
    if u.path == '/echo':
        return 200, parse_qs(u.query).get('msg', [''])[0]
    if u.path == '/healthz':
        return 200, 'ok'
    return 404, 'unknown path %s (try /hostname, /clientip, /echo?msg=)' % u.path


def handle_http(sock):
    c = conns[sock]
    try:
        data = sock.recv(4096)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        data = b''
    if data:
        c['buf'] += data
    if b'\r\n\r\n' not in c['buf'] and b'\n\n' not in c['buf'] and data and len(c['buf']) < 16384:
        return
    line = c['buf'].split(b'\n', 1)[0].decode('latin-1').strip().split()
    pod, peer = c['pod'], c['peer']
    if len(line) >= 2 and line[0] in ('GET', 'HEAD', 'POST'):
        code, body = answer(pod, line[1], peer)
        log(pod, '%s %s from %s:%d -> %d' % (line[0], line[1], peer[0], peer[1], code))
    else:
        code, body = 400, 'bad request'
    b = body.encode()
    reason = {200: 'OK', 400: 'Bad Request', 404: 'Not Found'}[code]
    # X-Hostname names the answering pod on every response, so one request tells a checker both who answered and
    # (with /clientip) whom it saw: with Services, two separate requests could reach two different backends.
    # X-Request-Forwarded-For echoes the request's X-Forwarded-For: behind an ingress controller, whom it saw.
    xff = b''
    for h in c['buf'].split(b'\r\n\r\n', 1)[0].split(b'\n')[1:]:
        k, _, v = h.partition(b':')
        if k.strip().lower() == b'x-forwarded-for':
            xff = b'X-Request-Forwarded-For: ' + v.strip() + b'\r\n'
    resp = b'HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nX-Hostname: %s\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s' % (code, reason.encode(), pod['hostname'].encode(), xff, len(b), b)
    try:
        sock.setblocking(True)
        sock.settimeout(2)
        sock.sendall(resp)
    except OSError:
        pass
    close_conn(sock)


def close_conn(sock):
    conns.pop(sock, None)
    try:
        SEL.unregister(sock)
    except (KeyError, ValueError):
        pass
    sock.close()


def handle_udp(ent):
    s, pod = ent['sock'], ent['pod']
    try:
        data, peer = s.recvfrom(65535)
    except (BlockingIOError, InterruptedError):
        return
    msg = data.decode('utf-8', 'replace').strip()
    if msg == 'hostname':
        out = pod['hostname']
    elif msg == 'clientip':
        out = '%s:%d' % peer
    elif msg.startswith('echo '):
        out = msg[5:]
    else:
        out = 'unknown command %r (try hostname, clientip, echo MSG)' % msg
    log(pod, 'UDP %r from %s:%d' % (msg, peer[0], peer[1]))
    try:
        s.sendto(out.encode(), peer)
    except OSError:
        pass


def main():
    global reload_wanted
    cfg_path, status_path = sys.argv[1], sys.argv[2]

    def on_hup(*_):
        global reload_wanted
        reload_wanted = True
    signal.signal(signal.SIGHUP, on_hup)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Wake select() at once on a signal (it would otherwise resume waiting until its timeout, PEP 475).
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno(), warn_on_full_buffer=False)
    SEL.register(wake_r, selectors.EVENT_READ, ('wake', None))
    while True:
        if reload_wanted:
            reload_wanted = False
            reload(cfg_path, status_path)
        now = time.monotonic()
        for s, c in list(conns.items()):
            if now - c['t'] > 5:
                close_conn(s)
        for key, _ in SEL.select(timeout=1.0):
            kind, ref = key.data
            if kind == 'wake':
                try:
                    while wake_r.recv(512):
                        pass
                except BlockingIOError:
                    pass
                continue
            if kind == 'listen':
                ent = listeners.get(ref)
                if not ent:
                    continue
                if ent['proto'] == 'UDP':
                    handle_udp(ent)
                    continue
                try:
                    sock, peer = ent['sock'].accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    continue
                sock.setblocking(False)
                conns[sock] = {'buf': b'', 'pod': ent['pod'], 'peer': peer[:2], 't': time.monotonic()}
                SEL.register(sock, selectors.EVENT_READ, ('conn', sock))
            elif ref in conns:
                handle_http(ref)


if __name__ == '__main__':
    main()
