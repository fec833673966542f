package testkit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/redact"
)

// SecretForms returns every form in which secrets could leak into
// output: each secret as given and in the forms a receiver may echo it
// (redact.SecretForms: without whsec_, its key bytes raw, in hex and in
// every base64 alphabet), and the key bytes (and the secret's own bytes)
// as fmt prints a byte slice: "104 99 95 …" (%v, %d), "0x68, 0x63, …"
// (%#v) and "68 63 …" (% x).
func SecretForms(secrets ...string) []string {
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		forms = append(forms, s)
		forms = append(forms, redact.SecretForms(s)...)
		for _, key := range append(redact.Keys(s), []byte(s)) {
			if len(key) < 4 {
				continue
			}
			forms = append(forms,
				strings.Trim(fmt.Sprintf("%v", key), "[]"),
				strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", key), "[]byte{"), "}"),
				fmt.Sprintf("% x", key),
				hex.EncodeToString(key))
		}
	}
	return forms
}

// FindSecret returns the first form of secrets (SecretForms) that text
// holds, or "".
func FindSecret(text string, secrets ...string) string {
	for _, f := range SecretForms(secrets...) {
		if strings.Contains(text, f) {
			return f
		}
	}
	return ""
}

// SecretPromise checks the promise of a value that holds secrets: none
// of them, in any form (SecretForms), appears under %v, %+v, %#v, %s,
// %d, %x, %q, String, GoString, JSON or slog (text and JSON handlers),
// and each of these but %d, %x and %q shows want (redact.Mark, where the
// secret would be): v must then have String and GoString methods. With
// want "", v is a value that holds one of those (a struct of options, a
// slice of them): only the secrets' absence is checked.
func SecretPromise(t *testing.T, v any, want string, secrets ...string) {
	t.Helper()
	shown := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		shown[verb] = fmt.Sprintf(verb, v)
	}
	if s, ok := v.(fmt.Stringer); ok {
		shown["String"] = s.String()
	} else if want != "" {
		t.Errorf("%T has no String method", v)
	}
	if s, ok := v.(fmt.GoStringer); ok {
		shown["GoString"] = s.GoString()
	} else if want != "" {
		t.Errorf("%T has no GoString method", v)
	}
	if b, err := json.Marshal(v); err != nil {
		t.Errorf("JSON of %T: %v", v, err)
	} else {
		shown["JSON"] = string(b)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("value", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("value", "v", v)
	shown["slog text"], shown["slog JSON"] = text.String(), js.String()
	for how, out := range shown {
		if f := FindSecret(out, secrets...); f != "" {
			t.Errorf("%T under %s shows the secret (as %q): %s", v, how, f, out)
		}
		if how != "%d" && how != "%x" && how != "%q" && !strings.Contains(out, want) {
			t.Errorf("%T under %s does not show %q: %s", v, how, want, out)
		}
	}
}
