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
