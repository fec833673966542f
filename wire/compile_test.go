package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/provider"
)

// The tests allocate much and keep little: the collector runs a quarter as
// often (internal/testkit/lessgc).
func init() { lessgc.Set() }

// githubLike is GitHub's signing scheme as a definition
// (testdata/providers/hub.yaml, shared with the CLI's tests): the hex
// HMAC-SHA256 of the body keyed with the secret's text, after "sha256=".
var githubLike = func() string {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "providers", "hub.yaml"))
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// TestCompileDocumentedVector reproduces the example of GitHub's
// documentation ("Validating webhook deliveries": testdata/README.md)
// with a definition written from its prose, and verifies it.
func TestCompileDocumentedVector(t *testing.T) {
	var v struct {
		Secret, Payload, Header, Signature string
	}
	b, err := os.ReadFile(filepath.Join("testdata", "github-docs-vector.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	def := mustParse(t, githubLike)
	p, err := Compile(def, v.Secret)
	if err != nil {
		t.Fatal(err)
	}
	msg := &Message{Event: &generator.Event{Event: "push", Payload: []byte(v.Payload)}, ID: "d-1", Time: testkit.Time}
	req, err := p.Build(msg, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get(v.Header); got != v.Signature || string(req.Body) != v.Payload {
		t.Fatalf("%s: %q over %q, want %q", v.Header, got, req.Body, v.Signature)
	}
	if req.Header.Get("X-GitHub-Event") != "push" || req.Header.Get("X-GitHub-Delivery") != "d-1" {
		t.Fatalf("headers %v", req.Header)
	}
	// Its payload is not JSON: the signature verifies, the body does not.
	if _, err := p.Verify(req.Header, req.Body); !errors.Is(err, ErrMalformedBody) {
		t.Fatalf("Verify: %v, want a valid signature over a malformed body", err)
	}
	req.Header.Set(v.Header, "sha256="+strings.Repeat("0", 64))
	if _, err := p.Verify(req.Header, req.Body); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("a wrong digest: %v", err)
	}
}

// shopDefinition is a made-up shop: Stripe-style "t=…,v1=…" HMAC-SHA512
// signatures over "{timestamp}.{body}", prefixed base64 secrets, events
// named by a header, the id in a header.
const shopDefinition = `
format: 1
name: shop
request:
  headers: {User-Agent: "Shop-Hooks/1.0 ({event})"}
signing:
  header: Shop-Signature
  content: "{timestamp}.{body}"
  join: ","
  timestampItem: "t={timestamp}"
  schemes:
    - name: v1
      algorithm: hmac-sha512
      secret: {prefix: shsec_, encoding: base64, bytes: {min: 16, max: 64}}
      key: decoded
      encoding: base64
      signature: "v1={sig}"
      generate: {bytes: 32}
id: {header: Shop-Event-Id}
timestamp: {format: unix, tolerance: 5m}
events:
  match: [{header: Shop-Topic}]
  rename: "{name|replace:_:/}"
  key: /id
  list:
    - {name: order_created, schema: {type: object, required: [id], properties: {id: {type: string}}}}
    - {name: order_paid, schema: {type: object, required: [id], properties: {id: {type: string}}}}
`

// sealedDefinition encrypts into an envelope and signs the id and the
// encrypted string: the AES-256-GCM envelope with a hex-encoded nonce at
// the end, a body field other than Phasio's, the event in the envelope.
const sealedDefinition = `
format: 1
name: vault
body:
  envelope: {kind: "{event}", sent: "{time}", data: {blob: "{sealed}", v: 2}}
encryption: {algorithm: aes-256-gcm, key: decoded, nonce: {size: 12, at: end}, encoding: hex, field: /data/blob}
signing:
  header: X-Vault-Signature
  content: "{id}:{body:/data/blob}"
  join: none
  schemes:
    - {algorithm: hmac-sha256, secret: {encoding: hex, bytes: 32}, key: decoded, encoding: base64url, signature: "{sig}"}
id: {header: X-Vault-Id}
events:
  match: [{pointer: /kind}]
  key: /id
  list:
    - {name: stored, schema: {type: object, required: [id], properties: {id: {type: string}}}}
`

func mustParse(t testing.TB, doc string) *provider.Definition {
	t.Helper()
	def, err := provider.Parse([]byte(doc), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// TestCompileDefinitions builds every event of made-up definitions with
// every fault and checks Verify's verdict, as TestBuildVerifyFaults does
// for the built-ins.
func TestCompileDefinitions(t *testing.T) {
	faults := map[Fault]error{
		FaultNone: nil, FaultDuplicate: nil, FaultTamper: ErrSignatureMismatch, FaultBadSignature: ErrSignatureMismatch,
		FaultWrongKey: ErrSignatureMismatch, FaultMissingSignature: ErrMissingSignature, FaultMalformedBody: ErrMalformedBody,
		FaultStaleTimestamp: ErrStaleTimestamp,
	}
	for _, tt := range []struct {
		name, doc, event string
		stale            bool
	}{
		{"shop", shopDefinition, "order_paid", true},
		{"vault", sealedDefinition, "stored", false},
		{"hub", githubLike, "push", false},
	} {
		def := mustParse(t, tt.doc)
		secret, err := NewDefinitionSecret(def, "", testkit.Rand(3))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(def, secret, WithRand(testkit.Rand(4)))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if def.Timestamp() != nil {
			if p, err = Compile(def, secret, WithRand(testkit.Rand(4)), WithClock(testkit.Clock)); err != nil {
				t.Fatal(err)
			}
		}
		payload := []byte(`{"id":"ord_1","total":12.50,"note":"caf\u00e9"}`)
		msg := &Message{Event: &generator.Event{Seq: 1, Event: tt.event, Payload: payload}, ID: "evt_1", Time: testkit.Time}
		for fault, want := range faults {
			t.Run(tt.name+"/"+string(fault), func(t *testing.T) {
				req, err := p.Build(msg, fault)
				if fault == FaultStaleTimestamp && !tt.stale {
					if !errors.Is(err, ErrFaultNotApplicable) {
						t.Fatalf("Build: %v, want ErrFaultNotApplicable", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(msg.Event.Payload, payload) {
					t.Fatal("Build changed the event's payload")
				}
				rc, err := p.Verify(req.Header, req.Body)
				if !errors.Is(err, want) || (want == nil) != (err == nil) {
					t.Fatalf("Verify: %v, want %v\n%v\n%s", err, want, req.Header, req.Body)
				}
				if err != nil {
					return
				}
				if !bytes.Equal(rc.Payload, payload) || rc.ID != "evt_1" || rc.Event != def.WireName(tt.event) {
					t.Fatalf("received %q %q %s", rc.Event, rc.ID, rc.Payload)
				}
			})
		}
	}
}

// TestCompileShopWire checks the shop's request against an independent
// computation of its signature header and headers.
func TestCompileShopWire(t *testing.T) {
	def := mustParse(t, shopDefinition)
	key := bytes.Repeat([]byte{7}, 32)
	secret := "shsec_" + base64.StdEncoding.EncodeToString(key)
	p, err := Compile(def, secret, WithClock(testkit.Clock))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"id":"ord_1"}`
	req, err := p.Build(&Message{Event: &generator.Event{Event: "order_created", Payload: []byte(body)}, ID: "evt_9", Time: testkit.Time}, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	ts := fmt.Sprint(testkit.Time.Unix())
	mac := hmac.New(sha512.New, key)
	mac.Write([]byte(ts + "." + body))
	want := "t=" + ts + ",v1=" + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for h, v := range map[string]string{"Shop-Signature": want, "Shop-Topic": "order/created", "Shop-Event-Id": "evt_9",
		"User-Agent": "Shop-Hooks/1.0 (order/created)", "Content-Type": "application/json"} {
		if got := req.Header.Get(h); got != v {
			t.Errorf("%s: %q, want %q", h, got, v)
		}
	}
	// Another receiver's key, and a signature header whose timestamp
	// was changed, are refused.
	other, _ := Compile(def, "shsec_"+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32)), WithClock(testkit.Clock))
	if _, err := other.Verify(req.Header, req.Body); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("another key: %v", err)
	}
	h := req.Header.Clone()
	h.Set("Shop-Signature", strings.Replace(want, "t="+ts, "t="+fmt.Sprint(testkit.Time.Unix()+1), 1))
	if _, err := p.Verify(h, req.Body); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("changed timestamp: %v", err)
	}
	late, _ := Compile(def, secret, WithClock(func() time.Time { return testkit.Time.Add(6 * time.Minute) }))
	if _, err := late.Verify(req.Header, req.Body); !errors.Is(err, ErrStaleTimestamp) {
		t.Errorf("6 minutes late: %v", err)
	}
}

// TestCompileSealedWire opens the vault's request independently: the
// envelope as written, the hex sealed string with the nonce last, the
// signature over "<id>:<sealed string>".
func TestCompileSealedWire(t *testing.T) {
	def := mustParse(t, sealedDefinition)
	key := bytes.Repeat([]byte{3}, 32)
	p, err := Compile(def, hex.EncodeToString(key), WithRand(bytes.NewReader(bytes.Repeat([]byte{9}, 12))))
	if err != nil {
		t.Fatal(err)
	}
	req, err := p.Build(&Message{Event: &generator.Event{Event: "stored", Payload: []byte(`{"id":"x"}`)}, ID: "m1", Time: testkit.Time}, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Kind, Sent string
		Data       struct {
			Blob string
			V    int
		}
	}
	if err := json.Unmarshal(req.Body, &env); err != nil || env.Kind != "stored" || env.Sent != "2025-06-15T08:00:00Z" || env.Data.V != 2 {
		t.Fatalf("body %s: %v", req.Body, err)
	}
	if !bytes.HasPrefix(req.Body, []byte(`{"kind":"stored","sent":`)) {
		t.Errorf("members out of order: %s", req.Body)
	}
	raw, err := hex.DecodeString(env.Data.Blob)
	if err != nil || !bytes.HasSuffix(raw, bytes.Repeat([]byte{9}, 12)) {
		t.Fatalf("sealed %q: %v", env.Data.Blob, err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("m1:" + env.Data.Blob))
	if got, want := req.Header.Get("X-Vault-Signature"), base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
	plain, err := p.(*Compiled).Open(req.Body, "")
	if err != nil || string(plain) != `{"id":"x"}` {
		t.Errorf("Open: %s, %v", plain, err)
	}
	if _, err := p.(*Compiled).Open(req.Body, req.Header.Get("X-Vault-Signature")); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("Open cannot check a signature over more than the string: %v", err)
	}
}

// TestCompileRefuses: secrets no scheme reads, and definitions the
// profile cannot send, fail at Compile without quoting the secret.
func TestCompileRefuses(t *testing.T) {
	shop := mustParse(t, shopDefinition)
	for _, tt := range []struct {
		name   string
		def    *provider.Definition
		secret string
		want   error
	}{
		{"short key", shop, "shsec_" + base64.StdEncoding.EncodeToString(make([]byte, 8)), ErrBadSecret},
		{"not base64", shop, "shsec_***not-base64***", ErrBadSecret},
		{"empty", shop, "", ErrBadSecret},
		{"signs the URL", mustParse(t, strings.Replace(githubLike, `content: "{body}"`, `content: "{url}{body}"`, 1)), "s3cr3t", ErrOptions},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.def, tt.secret)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Compile: %v, want %v", err, tt.want)
			}
			if len(tt.secret) > 8 && strings.Contains(err.Error(), tt.secret) {
				t.Fatalf("the error quotes the secret: %v", err)
			}
		})
	}
	if _, err := Compile(shop, "shsec_"+base64.StdEncoding.EncodeToString(make([]byte, 32)), WithNonceSize(16)); !errors.Is(err, ErrOptions) {
		t.Errorf("WithNonceSize on a definition without encryption: %v", err)
	}
}

// TestBuiltinConstants: the header names Go code reads requests with
// are the built-in definitions'.
func TestBuiltinConstants(t *testing.T) {
	ph, hc, std := provider.MustBuiltin(ProviderPhasio), provider.MustBuiltin(ProviderHappyColis), provider.MustBuiltin(ProviderStandard)
	for _, c := range []struct{ got, want string }{
		{PhasioSignatureHeader, ph.Signing().Header},
		{TriggerHeader, ph.EventsSpec().TestHeader},
		{DeliveryHeader, ph.ID().TestHeader},
		{DefaultPhasioTrigger, ph.EventsSpec().Default},
		{"/" + DefaultPhasioBodyField, ph.Encryption().Field},
		{fmt.Sprint(DefaultPhasioNonceSize), fmt.Sprint(ph.Encryption().Nonce.Size)},
		{HappyColisSignatureHeader, hc.Signing().Header},
		{StandardSignatureHeader, std.Signing().Header},
		{StandardIDHeader, std.ID().Header},
		{StandardTimestampHeader, std.Timestamp().Header},
		{DefaultTolerance.String(), std.Timestamp().Tolerance.D.String()},
	} {
		if http.CanonicalHeaderKey(c.got) != http.CanonicalHeaderKey(c.want) {
			t.Errorf("%q, the definition says %q", c.got, c.want)
		}
	}
}

// TestCheckVectors: a definition's documented examples are replayed: an
// example reproduces (its signature computed here independently); a
// wrong expected signature, and a body that is not the example's, are
// named; an example of a refusal is not replayed.
func TestCheckVectors(t *testing.T) {
	payload := `{"zen":"Design for failure."}`
	mac := hmac.New(sha256.New, []byte("It's a Secret to Everybody"))
	mac.Write([]byte(payload))
	sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	doc := githubLike + fmt.Sprintf(`
vectors:
  - name: documented
    secret: "It's a Secret to Everybody"
    event: push
    payload: '%[1]s'
    expect:
      headers: {X-Hub-Signature-256: "%[2]s", X-GitHub-Event: push}
      body: '%[1]s'
  - name: wrong
    secret: "It's a Secret to Everybody"
    payload: '%[1]s'
    expect: {headers: {X-Hub-Signature-256: "sha256=00"}, body: "{}"}
  - name: refused
    secret: s
    payload: "{}"
    expect: {error: signature mismatch}
`, payload, sig)
	errs := CheckVectors(mustParse(t, doc))
	if len(errs) != 2 || errs[0].Index != 1 || errs[1].Index != 1 ||
		!strings.Contains(errs[0].Error()+errs[1].Error(), `"sha256=00"`) || !strings.Contains(errs[0].Error()+errs[1].Error(), "body differs") {
		t.Fatalf("CheckVectors: %v", errs)
	}
}

// TestMessageID: a definition's id.prefix starts every generated message
// id (the emitter's, the contract suite's, Sign's); the built-ins and a
// definition without one keep the UUID as it is.
func TestMessageID(t *testing.T) {
	const uuid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	prefixed := mustParse(t, strings.Replace(shopDefinition, "id: {header: Shop-Event-Id}", "id: {header: Shop-Event-Id, prefix: evt_}", 1))
	secret := "shsec_" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	for _, tt := range []struct {
		name string
		def  *provider.Definition
		want string
	}{
		{"prefix", prefixed, "evt_" + uuid},
		{"no prefix", mustParse(t, shopDefinition), uuid},
		{"standard", provider.MustBuiltin("standard"), uuid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := secret
			if tt.def.Name() == "standard" {
				s = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
			}
			p, err := Compile(tt.def, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := MessageID(p, uuid); got != tt.want {
				t.Errorf("MessageID = %q, want %q", got, tt.want)
			}
			if len(tt.def.Events()) == 0 {
				return // standard carries the built-ins' events
			}
			signed, err := SignDefinition(tt.def, s, []byte(`{"id":"ord_1"}`), SignOptions{Event: tt.def.Events()[0].Name})
			if err != nil {
				t.Fatal(err)
			}
			id := signed.Header.Get(tt.def.ID().Header)
			if strings.HasPrefix(tt.want, "evt_") != strings.HasPrefix(id, "evt_") || id == "" {
				t.Errorf("Sign's id %q, want it as %q is", id, tt.want)
			}
		})
	}
}
