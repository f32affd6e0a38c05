#!/usr/bin/env python3
"""Example endpoint for the LibreQoS REST/JSON integration.

Serves one document (docs/rest-integration.example.json by default) at
/libreqos.json, the way an operator's own system would. Replace load_document()
with a query of your billing/inventory database.

    python3 rest_integration_server.py --port 8088 --token s3cret
    # lqos.conf:
    # [rest_integration]
    # enable_rest = true
    # url = "http://127.0.0.1:8088/libreqos.json"
    # bearer_token = "s3cret"

With --user/--password it asks for HTTP Basic instead of a bearer token.
Only the Python standard library is used.
"""

import argparse
import base64
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DOCUMENT = os.path.join(HERE, "..", "rest-integration.example.json")


def load_document(path):
    """Return the nodes-and-circuits document. Build it from your own data here."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def make_handler(args):
    expected = None
    if args.token:
        expected = "Bearer " + args.token
    elif args.user:
        pair = f"{args.user}:{args.password or ''}".encode()
        expected = "Basic " + base64.b64encode(pair).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split("?", 1)[0] != "/libreqos.json":
                self.send_error(404, "try /libreqos.json")
                return
            got = self.headers.get("Authorization", "")
            if expected and not hmac.compare_digest(got.encode(), expected.encode()):
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Bearer realm="libreqos"' if args.token else 'Basic realm="libreqos"')
                self.end_headers()
                return
            try:
                body = json.dumps(load_document(args.document)).encode()
            except (OSError, ValueError) as e:
                self.send_error(500, f"cannot build the document: {e}")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_request(self, code="-", size="-"):  # path without query, no headers
            print(f"{self.address_string()} {self.command} {self.path.split('?', 1)[0]} -> {code}")

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8088)
    p.add_argument("--document", default=DEFAULT_DOCUMENT, help="JSON file to serve")
    p.add_argument("--token", default=os.environ.get("LIBREQOS_REST_TOKEN"), help="bearer token to require")
    p.add_argument("--user", help="HTTP Basic user to require")
    p.add_argument("--password", help="HTTP Basic password")
    args = p.parse_args()
    srv = ThreadingHTTPServer((args.listen, args.port), make_handler(args))
    print(f"serving {args.document} at http://{args.listen}:{args.port}/libreqos.json")
    srv.serve_forever()


if __name__ == "__main__":
    main()
