package apispec

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// fuzzLine is the one-line shape of every problem.
var fuzzLine = regexp.MustCompile(`^d/[ab]\.(yaml|json):[0-9]+: [^\n]+$`)

// FuzzLoad: a document and the file it refers to, of any bytes, never
// make Load panic or hang, and every problem is one line FILE:LINE:
// POINTER: message in one of them. The seeds are the real documents,
// deep nesting, recursive references (in one file and across two) and a
// huge enum.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"oai-webhook-example.yaml", "asyncapi-streetlights-kafka.yml"} {
		if b, err := os.ReadFile(filepath.Join("..", "testdata", "specs", name)); err == nil {
			f.Add(b, []byte("X: {type: object}\n"))
		}
	}
	msgs, _ := os.ReadFile(filepath.Join("testdata", "multi", "common", "messages.yaml"))
	hook := func(schema string) []byte {
		return []byte("openapi: 3.1.0\nwebhooks:\n  e:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: " + schema + "\n")
	}
	f.Add(hook("{$ref: 'b.yaml#/X'}"), []byte("X: {properties: {a: {$ref: '#/X'}, b: {$ref: 'a.yaml#/webhooks'}}}\n"))
	f.Add(hook("{$ref: '#/webhooks/e/post/requestBody/content/application~1json/schema'}"), []byte{})
	f.Add(hook("{$ref: 'b.yaml#/X'}"), []byte("X: {$ref: '#/Y'}\nY: {$ref: 'a.yaml#/webhooks/e/post/requestBody/content/application~1json/schema'}\n"))
	f.Add(hook("{enum: ["+strings.Repeat("1,", 2000)+"1]}"), []byte{})
	f.Add(hook(strings.Repeat("{items: ", 200)+"{}"+strings.Repeat("}", 200)), []byte{})
	f.Add([]byte(`{"openapi":"3.1.0","webhooks":{"e":{"post":{"requestBody":{"content":{"application/json":{"schema":`+strings.Repeat("[", 300)+`]}}}}}}}`), []byte{})
	f.Add([]byte("asyncapi: 3.0.0\noperations:\n  o: {action: send, channel: {$ref: '#/channels/c'}}\nchannels:\n  c: {messages: {m: {$ref: 'b.yaml#/orderPaid'}}}\n"), msgs)
	f.Add([]byte("a: &a [*a, *a]\n"), []byte{})
	f.Fuzz(func(t *testing.T, main, other []byte) {
		fsys := fstest.MapFS{"d/a.yaml": {Data: main}, "d/b.yaml": {Data: other}}
		done := make(chan struct{})
		go func() {
			defer close(done)
			s, err := Load("d/a.yaml", Options{FS: fsys})
			if err != nil {
				if !fuzzLine.MatchString(err.Error()) {
					t.Errorf("problem %q", err)
				}
				return
			}
			for _, e := range s.Events {
				e.Const("/a/b")
				e.Header("x")
				e.SchemaJSON()
				if _, err := s.Load(strings.Split(e.Schema, "#")[0]); err != nil {
					t.Errorf("%s: the payload's document is not served: %v", e.Name, err)
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Load hangs on\n%q\n%q", main, other)
		}
	})
}
