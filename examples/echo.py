#!/usr/bin/env python3
"""A user container for the example lab: a line-echo TCP server on the port given as argv[1].
It runs as a plain process inside its pod's network namespace, with this folder as working directory."""
import os, socketserver, sys


class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(('%s %s' % (os.environ.get('GREETING', 'hi'), line.decode())).encode())


socketserver.ThreadingTCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(('0.0.0.0', int(sys.argv[1])), Echo) as srv:
    print('echo server on port %s in pod %s' % (sys.argv[1], os.environ.get('POD_NAME')), flush=True)
    srv.serve_forever()
