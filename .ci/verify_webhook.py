"""Checks a webhook delivered by the release server with the `standardwebhooks` package (an
independent implementation of the Standard Webhooks specification).

Usage: verify_webhook.py BASE_URL ACCESS_TOKEN. Starts a receiver on a free local port,
subscribes it, asks for a test delivery and for a real event (a policy published), and exits 0
once both arrived with signatures the package verifies.
"""

import json
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks import Webhook

base, token = sys.argv[1], sys.argv[2]
verified = []
problems = []
secret = {}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            event = Webhook(secret["value"]).verify(body, headers)
            verified.append(event["type"])
            self.send_response(204)
        except Exception as e:  # noqa: BLE001 - any failure to verify is reported
            problems.append(f"{headers.get('webhook-id')}: {e!r}")
            self.send_response(400)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


server = HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_port}/liaison"
made = call("POST", "/api/v1/webhooks",
            {"url": url, "event_types": ["policy.published"], "description": "CI receiver"})
secret["value"] = made["secret"]
call("POST", f"/api/v1/webhooks/{made['id']}/test", {})
call("POST", "/api/v1/policies", {"title": "CI 推送校验政策", "issuer": "江西省工业和信息化厅",
                                  "issued_on": "2026-11-30"})
deadline = time.time() + 60
while time.time() < deadline and len(verified) < 2 and not problems:
    time.sleep(0.5)
if problems or sorted(verified) != ["policy.published", "webhook.test"]:
    print(f"webhook verification failed: verified {verified}, problems {problems}")
    sys.exit(1)
print(f"standardwebhooks verified: {', '.join(sorted(verified))}")
