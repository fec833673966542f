// A webhook receiver for Phasio, HappyColis and Standard Webhooks, written
// from the platforms' documentation (and the orderhooks wire-protocol
// notes), in Node.js with no dependencies. The orderhooks contract tests
// start it to check the suite against a receiver not written in Go.
//
//   node receiver.mjs --secret-env PREFIX
//
// One process serves every platform, each in two modes, with state of its
// own for each: the secret of a platform is in the variable PREFIX_PHASIO,
// PREFIX_HAPPYCOLIS or PREFIX_STANDARD (a platform without one is not
// served). It listens on a free 127.0.0.1 port and prints its URL as the
// first line of stdout. POST /{platform}/{mode}/webhooks receives a
// delivery; GET /{platform}/{mode}/orders/{key} returns the newest
// snapshot of an order. Mode correct verifies the signature over the raw
// body bytes; mode reserialise over JSON.stringify(JSON.parse(body))
// instead: the classic bug, kept here on purpose for the tests.
import http from "node:http";
import crypto from "node:crypto";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const prefix = args["secret-env"];
if (!prefix) {
  console.error("usage: node receiver.mjs --secret-env PREFIX");
  process.exit(2);
}
const MODES = ["correct", "reserialise"];

const TOLERANCE_SECONDS = 5 * 60;

class Reject extends Error {
  constructor(status, reason) {
    super(reason);
    this.status = status;
  }
}

// safeEqual compares two strings in constant time.
function safeEqual(a, b) {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function hmac(key, data, encoding) {
  return crypto.createHmac("sha256", key).update(data).digest(encoding);
}

// signedBytes is what the signature covers: the raw body, or (the bug) a
// re-serialisation of it.
function signedBytes(r, raw) {
  if (r.mode !== "reserialise") return raw;
  return Buffer.from(JSON.stringify(JSON.parse(raw.toString("utf8"))), "utf8");
}

function parseJSON(bytes, what) {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new Reject(400, `${what} is not JSON`);
  }
}

// Phasio: X-Phasio-Signature is the lowercase hex HMAC-SHA256 of the
// encrypted payload string, keyed with the secret string's UTF-8 bytes;
// the string is base64url(nonce(12) || ciphertext || tag(16)) under
// AES-256-GCM, keyed with the secret base64url-decoded (32 bytes).
function phasio(r, headers, raw) {
  const secret = r.secret;
  const signature = headers["x-phasio-signature"];
  if (!signature) throw new Reject(401, "missing X-Phasio-Signature");
  const body = parseJSON(raw, "body");
  if (typeof body?.payload !== "string") throw new Reject(400, "no payload string");
  if (!safeEqual(hmac(Buffer.from(secret, "utf8"), Buffer.from(body.payload, "utf8"), "hex"), signature.trim())) {
    throw new Reject(401, "signature mismatch");
  }
  const sealed = Buffer.from(body.payload.replace(/=+$/, ""), "base64url");
  if (sealed.length < 12 + 16) throw new Reject(400, "payload shorter than nonce and tag");
  const key = Buffer.from(secret.replace(/=+$/, ""), "base64url");
  let plain;
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    plain = Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  } catch {
    throw new Reject(400, "payload does not decrypt");
  }
  const order = parseJSON(plain, "decrypted payload");
  if (typeof order?.orderId !== "number") throw new Reject(400, "no orderId");
  // Phasio sends full snapshots in order and no event time: the newest is
  // the last to arrive.
  return { id: headers["x-orderhooks-delivery"], key: String(order.orderId), snapshot: order, time: null };
}

// HappyColis: x-happycolis-webhook-signature is the standard base64
// (padded) HMAC-SHA256 of the exact body bytes, keyed with the client
// secret's UTF-8 bytes; the body is {header: {messageId, type, date, …}, body}.
function happycolis(r, headers, raw) {
  const secret = r.secret;
  const signature = headers["x-happycolis-webhook-signature"];
  if (!signature) throw new Reject(401, "missing x-happycolis-webhook-signature");
  if (!safeEqual(hmac(Buffer.from(secret, "utf8"), signedBytes(r, raw), "base64"), signature.trim())) {
    throw new Reject(401, "signature mismatch");
  }
  const env = parseJSON(raw, "body");
  if (typeof env?.header?.type !== "string" || typeof env?.body?.id !== "string") throw new Reject(400, "not a HappyColis envelope");
  return { id: env.header.messageId, key: env.body.id, snapshot: env, time: Date.parse(env.header.date) };
}

// Standard Webhooks: webhook-signature holds "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" (several during key rotation), keyed with the
// base64-decoded secret after "whsec_"; timestamps more than 5 minutes off
// are rejected.
function standard(r, headers, raw) {
  const secret = r.secret;
  const id = headers["webhook-id"], ts = headers["webhook-timestamp"], signatures = headers["webhook-signature"];
  if (!id || !ts || !signatures) throw new Reject(401, "missing webhook headers");
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = hmac(key, Buffer.concat([Buffer.from(`${id}.${ts}.`, "utf8"), signedBytes(r, raw)]), "base64");
  if (!signatures.split(" ").some((s) => s.startsWith("v1,") && safeEqual(s.slice(3), expected))) {
    throw new Reject(401, "signature mismatch");
  }
  const seconds = Number(ts);
  if (!Number.isInteger(seconds) || Math.abs(Date.now() / 1000 - seconds) > TOLERANCE_SECONDS) {
    throw new Reject(401, "timestamp outside the tolerance");
  }
  const msg = parseJSON(raw, "body");
  if (typeof msg?.type !== "string" || typeof msg?.data !== "object" || msg.data === null) throw new Reject(400, "type and data are required");
  const key2 = msg.data.orderId ?? msg.data.body?.id;
  if (key2 === undefined) throw new Reject(400, "no order key");
  return { id, key: String(key2), snapshot: msg.data, time: seconds * 1000 };
}

// receivers holds the state of each platform and mode served, by the
// path prefix /{platform}/{mode}.
const receivers = new Map();
for (const [provider, verify] of Object.entries({ phasio, happycolis, standard })) {
  const secret = process.env[`${prefix}_${provider.toUpperCase()}`] ?? "";
  if (secret === "") continue;
  for (const mode of MODES) {
    receivers.set(`/${provider}/${mode}`, {
      secret,
      mode,
      verify,
      seen: new Set(), // message ids, for redeliveries
      orders: new Map(), // order key -> {snapshot, time}
    });
  }
}
if (receivers.size === 0) {
  console.error(`no secret in ${prefix}_PHASIO, ${prefix}_HAPPYCOLIS or ${prefix}_STANDARD`);
  process.exit(2);
}

function answer(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size <= 8 << 20) chunks.push(c);
  });
  req.on("end", () => {
    try {
      const m = /^(\/[^/]+\/[^/]+)(\/.*)$/.exec(req.url);
      const r = m && receivers.get(m[1]);
      if (!r) return answer(res, 404, { error: "no such receiver" });
      if (req.method === "GET") {
        const k = /^\/orders\/([^/]+)$/.exec(m[2]);
        const o = k && r.orders.get(decodeURIComponent(k[1]));
        return o ? answer(res, 200, o.snapshot) : answer(res, 404, { error: "no such order" });
      }
      if (req.method !== "POST") return answer(res, 405, { error: "method not allowed" });
      if (size > 8 << 20) return answer(res, 413, { error: "body too large" });
      const d = r.verify(r, req.headers, Buffer.concat(chunks));
      if (d.id && r.seen.has(d.id)) return answer(res, 200, { ok: true, duplicate: true });
      if (d.id) r.seen.add(d.id);
      const stored = r.orders.get(d.key);
      if (stored && d.time !== null && stored.time !== null && d.time < stored.time) {
        return answer(res, 200, { ok: true, stale: true });
      }
      r.orders.set(d.key, { snapshot: d.snapshot, time: d.time });
      answer(res, 200, { ok: true });
    } catch (e) {
      if (e instanceof Reject) return answer(res, e.status, { ok: false, error: e.message });
      answer(res, 500, { ok: false, error: String(e) });
    }
  });
});

server.listen(0, "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}`);
});
