package shell

import (
	"os/exec"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := map[string]string{
		"--url":                  "--url",
		"http://127.0.0.1:8080/": "http://127.0.0.1:8080/",
		"":                       "''",
		"a b":                    "'a b'",
		"it's":                   `'it'\''s'`,
		"$HOME":                  "'$HOME'",
		"X-Sig: v1,abc=":         "'X-Sig: v1,abc='",
	}
	for in, want := range tests {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for in := range tests {
		out, err := exec.Command(sh, "-c", "printf %s "+Quote(in)).Output()
		if err != nil || string(out) != in {
			t.Errorf("sh read %s back as %q (%v), want %q", Quote(in), out, err, in)
		}
	}
}
