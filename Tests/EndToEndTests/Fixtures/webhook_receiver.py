#!/usr/bin/python3
"""Alertmanager's webhook receiver for the fleet test: appends every POST as one line
`<path> <body>` to OUT, and writes the port it listens on (loopback, chosen by the system) to
PORTFILE. Usage: webhook_receiver.py PORTFILE OUT"""
import http.server
import os
import sys


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(sys.argv[2], "ab") as out:
            out.write(self.path.encode() + b" " + body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
