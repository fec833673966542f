package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// FuzzParse: a definition file of any bytes never panics or hangs, and
// every problem is a FILE:LINE: POINTER: message line.
func FuzzParse(f *testing.F) {
	for _, n := range Builtins() {
		f.Add(BuiltinFile(n))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "shop.yaml")); err == nil {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte("format: 1\nname: a\nsigning: {header: x, content: '{body', schemes: []}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("format: 1\nname: x\nx-e: [" + strings.Repeat("1,", 1000) + "1]\n"))
	f.Add([]byte(strings.Repeat("[", 2000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			d, err := Parse(data, "f.yaml")
			if err != nil {
				for _, l := range strings.Split(err.Error(), "\n") {
					if !fuzzLine.MatchString(l) {
						t.Errorf("problem line %q", l)
					}
				}
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = d.Check(ctx)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Parse did not return within 10s on %q", data)
		}
	})
}

var fuzzLine = regexp.MustCompile(`^(f\.yaml:\d+: .+|and \d+ more)$`)

// FuzzTemplate: parsing never panics, and a template that parses renders
// with every variable given.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"{id}.{timestamp}.{body}", "{name|lower|replace:/:.}", "v1,{sig}", "{{", "}}", "{body:/a~1b}", "{x|", "{prev:/a}"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, c int) {
		ctx := Context(c % 6)
		if c < 0 {
			ctx = Context((-c) % 6)
		}
		tm, err := ParseTemplate(s, ctx)
		if err != nil {
			return
		}
		if _, err := tm.Render(func(p Part) (string, error) { return p.Var, nil }); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	})
}
