"""A webhook receiver for HappyColis and Standard Webhooks, written from
the platforms' documentation (and the orderhooks wire-protocol notes) in
Python with the standard library only. The orderhooks contract tests start
it to check the suite against a receiver not written in Go. (Phasio's
AES-256-GCM needs a package outside the standard library: the Node.js
receiver covers Phasio.)

    python3 receiver.py --secret-env PREFIX

One process serves both platforms, each in two modes, with state of its
own for each: the secret of a platform is in the variable
PREFIX_HAPPYCOLIS or PREFIX_STANDARD (a platform without one is not
served). It listens on a free 127.0.0.1 port and prints its URL as the
first line of stdout. POST /{platform}/{mode}/webhooks receives a delivery;
GET /{platform}/{mode}/orders/{key} returns the newest snapshot of an
order. Mode correct verifies the signature over the raw body bytes; mode
reserialise over json.dumps(json.loads(body)) instead: the classic bug,
kept here on purpose for the tests.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

TOLERANCE_SECONDS = 5 * 60
MAX_BODY = 8 << 20

parser = argparse.ArgumentParser()
parser.add_argument("--secret-env", required=True, metavar="PREFIX")
args = parser.parse_args()
MODES = ("correct", "reserialise")

lock = threading.Lock()


class Receiver:
    """One platform in one mode, with its own state."""

    def __init__(self, secret, mode, verify):
        self.secret, self.mode, self.verify = secret, mode, verify
        self.seen = set()  # message ids, for redeliveries
        self.orders = {}  # order key -> (snapshot, time)


class Reject(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status


def signed_bytes(r, raw):
    """What the signature covers: the raw body, or (the bug) a re-serialisation."""
    if r.mode == "reserialise":
        return json.dumps(json.loads(raw)).encode("utf-8")
    return raw


def parse_json(raw):
    try:
        return json.loads(raw)
    except ValueError:
        raise Reject(400, "body is not JSON")


def happycolis(r, headers, raw):
    """x-happycolis-webhook-signature: standard base64 HMAC-SHA256 of the
    exact body bytes, keyed with the client secret's UTF-8 bytes."""
    signature = headers.get("x-happycolis-webhook-signature")
    if not signature:
        raise Reject(401, "missing x-happycolis-webhook-signature")
    try:
        want = base64.b64encode(hmac.new(r.secret.encode("utf-8"), signed_bytes(r, raw), hashlib.sha256).digest()).decode()
    except ValueError:
        raise Reject(400, "body is not JSON")
    if not hmac.compare_digest(want, signature.strip()):
        raise Reject(401, "signature mismatch")
    env = parse_json(raw)
    header, body = env.get("header") if isinstance(env, dict) else None, env.get("body") if isinstance(env, dict) else None
    if not isinstance(header, dict) or not isinstance(header.get("type"), str) or not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise Reject(400, "not a HappyColis envelope")
    try:
        moment = datetime.fromisoformat(header["date"].replace("Z", "+00:00")).timestamp() if header.get("date") else None
    except (TypeError, ValueError):
        raise Reject(400, "header.date is not an ISO 8601 time")
    return header.get("messageId"), body["id"], env, moment


def standard(r, headers, raw):
    """webhook-signature: "v1,<base64 HMAC-SHA256 of id.timestamp.body>",
    keyed with the base64-decoded secret after "whsec_"; timestamps more
    than 5 minutes off are rejected."""
    msg_id, ts, signatures = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature")
    if not msg_id or not ts or not signatures:
        raise Reject(401, "missing webhook headers")
    key = base64.b64decode(r.secret.removeprefix("whsec_"))
    try:
        content = f"{msg_id}.{ts}.".encode("utf-8") + signed_bytes(r, raw)
    except ValueError:
        raise Reject(400, "body is not JSON")
    want = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    if not any(s.startswith("v1,") and hmac.compare_digest(s[3:], want) for s in signatures.split(" ")):
        raise Reject(401, "signature mismatch")
    if not ts.isdigit() or abs(time.time() - int(ts)) > TOLERANCE_SECONDS:
        raise Reject(401, "timestamp outside the tolerance")
    msg = parse_json(raw)
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str) or not isinstance(msg.get("data"), dict):
        raise Reject(400, "type and data are required")
    data = msg["data"]
    key2 = data.get("orderId", (data.get("body") or {}).get("id"))
    if key2 is None:
        raise Reject(400, "no order key")
    return msg_id, str(key2), data, int(ts)


# receivers: each platform and mode served, by the path prefix /{platform}/{mode}.
receivers = {}
for name, verify in (("happycolis", happycolis), ("standard", standard)):
    secret = os.environ.get(f"{args.secret_env}_{name.upper()}", "")
    if secret:
        for mode in MODES:
            receivers[f"/{name}/{mode}"] = Receiver(secret, mode, verify)
if not receivers:
    sys.exit(f"no secret in {args.secret_env}_HAPPYCOLIS or {args.secret_env}_STANDARD")


def route(path):
    """The receiver a path names and the rest of the path, or (None, None)."""
    m = re.fullmatch(r"(/[^/]+/[^/]+)(/.*)", path)
    r = receivers.get(m.group(1)) if m else None
    return (r, m.group(2)) if r else (None, None)


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        r, rest = route(self.path)
        m = re.fullmatch(r"/orders/([^/]+)", rest) if r else None
        with lock:
            stored = r.orders.get(unquote(m.group(1))) if m else None
        if stored is None:
            return self.answer(404, {"error": "no such order"})
        self.answer(200, stored[0])

    def do_POST(self):
        r, _ = route(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        if length > MAX_BODY:
            return self.answer(413, {"error": "body too large"})
        raw = self.rfile.read(length)
        if r is None:
            return self.answer(404, {"error": "no such receiver"})
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            msg_id, key, snapshot, moment = r.verify(r, headers, raw)
        except Reject as e:
            return self.answer(e.status, {"ok": False, "error": str(e)})
        with lock:
            if msg_id and msg_id in r.seen:
                return self.answer(200, {"ok": True, "duplicate": True})
            if msg_id:
                r.seen.add(msg_id)
            stored = r.orders.get(key)
            if stored and moment is not None and stored[1] is not None and moment < stored[1]:
                return self.answer(200, {"ok": True, "stale": True})
            r.orders[key] = (snapshot, moment)
        self.answer(200, {"ok": True})

    def log_message(self, *_):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
