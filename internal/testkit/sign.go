package testkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// The signatures below are written again from the platforms'
// documentation, independently of package wire, so that tests of
// receivers can sign what they like and cross-check the profiles.

// SignPhasio is X-Phasio-Signature for an encrypted payload string: the
// lowercase hex HMAC-SHA256 keyed with the secret string's bytes.
func SignPhasio(secret string, payload []byte) string {
	return hex.EncodeToString(HMACSHA256([]byte(secret), payload))
}

// SignHappyColis is x-happycolis-webhook-signature for a body: the padded
// standard base64 HMAC-SHA256 keyed with the client secret's bytes.
func SignHappyColis(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(HMACSHA256([]byte(secret), body))
}

// SignStandard is a Standard Webhooks webhook-signature: "v1," and the
// base64 HMAC-SHA256 of "id.timestamp.body" keyed with the decoded whsec_
// secret.
func SignStandard(secret, id, timestamp string, body []byte) string {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		panic("testkit: not a whsec_ secret")
	}
	return "v1," + base64.StdEncoding.EncodeToString(HMACSHA256(key, []byte(id+"."+timestamp+"."+string(body))))
}

// HMACSHA256 is the HMAC-SHA256 of msg keyed with key, for tests that
// sign with keys of their own (a receiver's wrong key, say).
func HMACSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// SetHeaderField returns a HappyColis envelope with the string value of
// header.<name> replaced, every other byte kept; the field must be there.
func SetHeaderField(t testing.TB, envelope []byte, name, value string) []byte {
	t.Helper()
	var env struct {
		Header map[string]json.RawMessage `json:"header"`
	}
	if err := json.Unmarshal(envelope, &env); err != nil {
		t.Fatal(err)
	}
	old, ok := env.Header[name]
	if !ok {
		t.Fatalf("the envelope has no header.%s", name)
	}
	nv, _ := json.Marshal(value)
	from := `"` + name + `":` + string(old)
	s := string(envelope)
	if strings.Count(s, from) != 1 {
		t.Fatalf("header.%s: %s is not found exactly once", name, from)
	}
	return []byte(strings.Replace(s, from, `"`+name+`":`+string(nv), 1))
}
