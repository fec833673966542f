package provider_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/apispec"
	"github.com/orderhooks/orderhooks/provider"
)

// TestImport: a definition file's events.import reads a document's
// events, matched as it says; problems in the document are reported
// where they are; remote references need WithRemoteRefs.
func TestImport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"Pet":{"type":"object","required":["id","kind"],"properties":{"id":{"type":"integer"},"kind":{"const":"cat"}}}}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const def = "format: 1\nname: pets\nsigning: none\nevents:\n  match: [{header: Pet-Event}, {pointer: /kind}]\n  key: /id\n  import:\n    spec: api.yaml\n    exclude: [old*]\n    match: {Pet-Event: \"{name|upper}\", /kind: \"{const:/kind}\"}\n"
	hook := func(name, schema string) string {
		return "  " + name + ":\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: " + schema + "\n"
	}
	write("api.yaml", "openapi: 3.1.0\ninfo: {title: Pets, version: '1'}\nwebhooks:\n"+
		hook("newPet", "{$ref: '"+srv.URL+"/pet.json#/Pet'}")+hook("oldPet", "{type: object}"))
	p := write("p.yaml", def)
	_, err := provider.Load(p)
	if !errors.Is(err, apispec.ErrRemoteRef) || !strings.Contains(err.Error(), "api.yaml:9: /webhooks/newPet/post/requestBody/content/application~1json/schema/$ref: ") {
		t.Fatalf("remote refused: %v", err)
	}
	d, err := provider.Load(p, provider.WithRemoteRefs(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Events()) != 1 || d.Imported() == nil {
		t.Fatalf("events %v", d.EventNames())
	}
	e := d.Events()[0]
	if e.Match["Pet-Event"] != "NEWPET" || e.Match["/kind"] != "cat" || strings.Join(e.Key, ",") != "/id" {
		t.Errorf("%+v", e)
	}
	s, err := e.Schema()
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Generate(7)
	if err != nil || s.Check(b) != nil || !strings.Contains(string(b), `"kind":"cat"`) {
		t.Fatalf("%s %v", b, err)
	}
	if s.Check([]byte(`{"id":1,"kind":"dog"}`)) == nil {
		t.Error("the imported schema accepts a dog")
	}

	// problems of the definition's own, and of the document, each at its line
	for _, tt := range []struct{ def, want string }{
		{strings.Replace(def, "{const:/kind}", "k-{const:/nothing}", 1), "p.yaml:10: /events/import/match/~1kind: event newPet: {const}: the document declares no value at /nothing"},
		{strings.Replace(def, "Pet-Event:", "Other:", 1), "p.yaml:10: /events/import/match/Other: Other is not one of events.match"},
		{strings.Replace(def, "[old*]", "[\"*\"]", 1), "/events/import: no event of api.yaml is kept"},
		{strings.Replace(def, "api.yaml", "../api.yaml", 1), "/events/import/spec: ../api.yaml: outside"},
	} {
		_, err := provider.Load(write("q.yaml", tt.def), provider.WithRemoteRefs(true))
		if err == nil || !strings.Contains(strings.ReplaceAll(err.Error(), "q.yaml", "p.yaml"), tt.want) {
			t.Errorf("error\n%v\nwant it to contain\n%s", err, tt.want)
		}
	}
}

// TestLoadSigning: a definition read for its signing (FromSpec's signer)
// does not read the document its events.import names, which FromSpec
// replaces, and is otherwise checked as Load checks it: the same problems
// at the same lines.
func TestLoadSigning(t *testing.T) {
	dir := t.TempDir()
	const head = "format: 1\nname: pets\n"
	const events = "events:\n  match: [{header: Pet-Event}]\n  key: /id\n  default: newPet\n  import: {spec: missing.yaml, exclude: [\"old*\"]}\nlifecycle:\n  state: /state\n  transitions:\n    - {name: made, to: made, emits: newPet}\n"
	const signing = "signing:\n  header: Sig\n  content: \"{body}\"\n  join: none\n  schemes:\n    - {algorithm: hmac-sha256, secret: {encoding: text}, key: utf8, encoding: hex, signature: \"{sig}\"}\n"
	for _, tt := range []struct {
		name, text string
		want       string // LoadSigning's error, "" for none
		// Load reports it only once the (here missing) document reads
		afterDoc bool
	}{
		{"document missing", head + signing + events, "", false},
		{"bad signing", head + strings.Replace(signing, "hmac-sha256", "hmac-md5", 1) + events, "p.yaml:8: /signing/schemes/0/algorithm", false},
		{"bad template", head + strings.Replace(signing, "{body}", "{bodyy}", 1) + events, "p.yaml:5: /signing/content", false},
		{"bad glob", head + signing + strings.Replace(events, "old*", "[old", 1), "p.yaml:13: /events/import/exclude/0", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"), "p.yaml")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := provider.LoadSigning(p)
			_, loadErr := provider.Load(p)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("LoadSigning: %v", err)
				}
				if s := d.Signing(); s == nil || s.Header != "Sig" || d.Spec().Events.Import.Spec != "missing.yaml" {
					t.Fatalf("LoadSigning: signing %+v, events %+v", s, d.Spec().Events)
				}
				if loadErr == nil || !strings.Contains(loadErr.Error(), "missing.yaml: no such file") {
					t.Fatalf("Load: %v, want the missing document", loadErr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadSigning: %v, want %q", err, tt.want)
			}
			if tt.afterDoc {
				return
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if loadErr == nil || !strings.Contains(loadErr.Error(), line) {
					t.Fatalf("Load: %v, want LoadSigning's %q among its problems", loadErr, line)
				}
			}
		})
	}
}
