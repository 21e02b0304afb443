#!/usr/bin/env python3
"""podlab prober: kubelet's httpGet and tcpSocket probes, run from a node's network namespace.

One long-running process for every probe of a lab. Each request runs in a thread that enters the node's network
namespace (setns changes only the calling thread's namespace), connects to the pod and answers with one JSON line.

stdin:  {"id": 1, "kind": "http"|"tcp", "netns": "pl-demo-node1", "host": "10.244.1.2", "port": 80,
         "path": "/healthz", "scheme": "HTTP", "headers": [["X", "y"]], "timeout": 1.0}
stdout: {"id": 1, "ok": true, "message": "HTTP 200"}
"""
import ctypes, json, os, socket, ssl, sys, threading

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
out_lock = threading.Lock()


def answer(rid, ok, message):
    with out_lock:
        sys.stdout.write(json.dumps({'id': rid, 'ok': ok, 'message': message}) + '\n')
        sys.stdout.flush()


def enter(netns):
    fd = os.open('/run/netns/' + netns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, 'setns %s: %s' % (netns, os.strerror(e)))
    finally:
        os.close(fd)


def probe(req):
    rid = req.get('id')
    try:
        enter(req['netns'])
        host, port, timeout = req['host'], int(req['port']), float(req.get('timeout', 1))
        s = socket.create_connection((host, port), timeout=timeout)
        if req['kind'] == 'tcp':
            s.close()
            return answer(rid, True, 'connected to %s:%d' % (host, port))
        if req.get('scheme') == 'HTTPS':
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s, server_hostname=host)
        hdrs = {'Host': '%s:%d' % (host, port), 'User-Agent': 'kube-probe/1.31', 'Accept': '*/*', 'Connection': 'close'}
        for k, v in req.get('headers') or []:
            hdrs[k] = v
        s.sendall(('GET %s HTTP/1.1\r\n%s\r\n' % (req.get('path') or '/', ''.join('%s: %s\r\n' % kv for kv in hdrs.items()))).encode())
        data = b''
        while b'\r\n' not in data and len(data) < 10240:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        line = data.split(b'\r\n', 1)[0].decode('latin-1').split()
        code = int(line[1]) if len(line) >= 2 and line[1].isdigit() else 0
        if 200 <= code < 400:
            return answer(rid, True, 'HTTP probe succeeded with statuscode: %d' % code)
        return answer(rid, False, 'HTTP probe failed with statuscode: %d' % code if code else 'HTTP probe failed: no HTTP answer')
    except socket.timeout:
        answer(rid, False, 'Get "%s://%s:%s%s": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' % (req.get('scheme', 'HTTP').lower(), req.get('host'), req.get('port'), req.get('path', '')) if req.get('kind') == 'http' else 'dial tcp %s:%s: i/o timeout' % (req.get('host'), req.get('port')))
    except OSError as e:
        what = 'dial tcp %s:%s: connect: %s' % (req.get('host'), req.get('port'), (e.strerror or str(e)).lower())
        answer(rid, False, ('Get "%s://%s:%s%s": %s' % (req.get('scheme', 'HTTP').lower(), req.get('host'), req.get('port'), req.get('path', ''), what)) if req.get('kind') == 'http' else what)
    except Exception as e:  # a bad request must not end the prober
        answer(rid, False, 'probe error: %s' % e)


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        req = json.loads(line)
    except ValueError:
        continue
    threading.Thread(target=probe, args=(req,), daemon=True).start()
