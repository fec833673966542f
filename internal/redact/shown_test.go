package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
)

func TestShown(t *testing.T) {
	s := Show("wire.Phasio", "url", `https://redacted@h/"x"`, "secret")
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, &slog.HandlerOptions{ReplaceAttr: dropTime})).Info("m", "p", s)
	slog.New(slog.NewJSONHandler(&js, &slog.HandlerOptions{ReplaceAttr: dropTime})).Info("m", "p", s)
	b, err := json.Marshal(struct{ P Shown }{s})
	if err != nil || !json.Valid(b) {
		t.Fatalf("JSON %s: %v", b, err)
	}
	for _, tt := range []struct{ got, want string }{
		{s.String(), `wire.Phasio{url: https://redacted@h/"x", secret: [redacted]}`},
		{fmt.Sprintf("%v|%+v|%s|%d", s, s, s, s), `wire.Phasio{url: https://redacted@h/"x", secret: [redacted]}|` +
			`wire.Phasio{url: https://redacted@h/"x", secret: [redacted]}|wire.Phasio{url: https://redacted@h/"x", secret: [redacted]}|` +
			`wire.Phasio{url: https://redacted@h/"x", secret: [redacted]}`},
		{fmt.Sprintf("%#v", &s), `wire.Phasio{url:"https://redacted@h/\"x\"", secret:"[redacted]"}`},
		{fmt.Sprintf("%q", s), `"wire.Phasio{url: https://redacted@h/\"x\", secret: [redacted]}"`},
		{string(b), `{"P":{"type":"wire.Phasio","url":"https://redacted@h/\"x\"","secret":"[redacted]"}}`},
		{text.String(), `level=INFO msg=m p.type=wire.Phasio p.url="https://redacted@h/\"x\"" p.secret=[redacted]` + "\n"},
		{js.String(), `{"level":"INFO","msg":"m","p":{"type":"wire.Phasio","url":"https://redacted@h/\"x\"","secret":"[redacted]"}}` + "\n"},
	} {
		if tt.got != tt.want {
			t.Errorf("got  %s\nwant %s", tt.got, tt.want)
		}
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
