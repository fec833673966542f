package schemagen_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
)

// The real webhook descriptions under testdata/specs (see its README): for
// each event, generated payloads validate under the project's validator and
// under Ajv. SCHEMAGEN_PAYLOADS sets the payloads per event (default 5;
// .ci/run runs 1000 as a separate step).
var specFiles = []struct {
	file   string
	events int // webhooks entries the document has
}{
	{"oai-webhook-example.yaml", 1},
	{"adyen-balanceplatform-configuration-notification-v2.json", 26},
	{"github-webhooks-api.github.com.json", 261},
}

// unsatisfiable lists events whose published schema no value can satisfy,
// with the schema the generator must name: GitHub's repository advisory
// requires author and publisher but declares each as type null together
// with allOf a user object.
var unsatisfiable = map[string]string{
	"repository-advisory-published": "#/components/schemas/repository-advisory/properties/author",
	"repository-advisory-reported":  "#/components/schemas/repository-advisory/properties/author",
}

// long reports whether the full sweep was asked for (SCHEMAGEN_PAYLOADS
// or ORDERHOOKS_LONG set): every event of every document; the default suite
// takes every 10th event of the large one.
func long() bool { return os.Getenv("SCHEMAGEN_PAYLOADS") != "" || sweep.Long() }

func payloadsPerEvent(t *testing.T) int {
	n, err := sweep.Size("SCHEMAGEN_PAYLOADS", 5, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// readSpec returns a document under testdata/specs as JSON.
func readSpec(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "specs", name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".yaml") {
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// webhookEvent is one entry of an OpenAPI 3.1 document's webhooks whose
// post operation takes a JSON body.
type webhookEvent struct {
	name    string
	pointer string // to the payload schema
}

// webhookEvents is the small extraction these tests need (the importer of
// OpenAPI and AsyncAPI documents is a separate job): webhooks/NAME/post/
// requestBody (following local $refs)/content/application~1json/schema.
func webhookEvents(t testing.TB, doc []byte) []webhookEvent {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(doc, &root); err != nil {
		t.Fatal(err)
	}
	follow := func(v any, ptr string) (any, string) {
		for i := 0; i < 8; i++ {
			m, _ := v.(map[string]any)
			ref, ok := m["$ref"].(string)
			if !ok || !strings.HasPrefix(ref, "#/") {
				return v, ptr
			}
			ptr = ref[1:]
			v = root
			for _, tok := range strings.Split(ptr[1:], "/") {
				tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
				v = v.(map[string]any)[tok]
			}
		}
		t.Fatalf("$ref chain too long at %s", ptr)
		return nil, ""
	}
	hooks, _ := root["webhooks"].(map[string]any)
	var names []string
	for name := range hooks {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []webhookEvent
	for _, name := range names {
		item, ptr := follow(hooks[name], "/webhooks/"+strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1"))
		post, _ := item.(map[string]any)["post"].(map[string]any)
		if post == nil {
			continue
		}
		body, bptr := follow(post["requestBody"], ptr+"/post/requestBody")
		content, _ := body.(map[string]any)["content"].(map[string]any)
		if _, ok := content["application/json"].(map[string]any)["schema"]; !ok {
			continue
		}
		out = append(out, webhookEvent{name, bptr + "/content/application~1json/schema"})
	}
	return out
}

func TestSpecs(t *testing.T) {
	per := payloadsPerEvent(t)
	for _, sf := range specFiles {
		t.Run(sf.file, func(t *testing.T) {
			doc := readSpec(t, sf.file)
			uri := "mem:///" + sf.file
			events := webhookEvents(t, doc)
			if len(events) != sf.events {
				t.Fatalf("%d webhook events with a JSON body, want %d", len(events), sf.events)
			}
			d, err := schemagen.Load(doc, schemagen.WithBaseURI(uri))
			if err != nil {
				t.Fatal(err)
			}
			docs := map[string][]byte{uri: doc}
			pc := projectCompiler(t, docs)
			var checks []ajvCheck
			total := 0
			flush := func() {
				for _, f := range ajv(t, docs, checks) {
					t.Errorf("%s: Ajv rejects %s: %s", checks[f.Check].Schema, short(checks[f.Check].Instances[f.Instance]), f.Errors)
				}
				checks = checks[:0]
			}
			sampled := 0
			for i, ev := range events {
				if len(events) > 100 && !long() && i%10 != 0 && unsatisfiable[ev.name] == "" {
					continue
				}
				sampled++
				g, err := d.Generator(ev.pointer)
				if err != nil {
					t.Fatalf("%s: %v", ev.name, err)
				}
				s := compileAt(t, pc, uri+"#"+ev.pointer)
				c := ajvCheck{Schema: uri + "#" + ev.pointer}
				for seed := int64(0); seed < int64(per); seed++ {
					b, err := g.Generate(seed + int64(i)*1_000_003)
					if want, ok := unsatisfiable[ev.name]; ok {
						var e *schemagen.Error
						if !errors.As(err, &e) || !errors.Is(err, schemagen.ErrUnsatisfiable) || e.Pointer != want {
							t.Fatalf("%s: got %v, want ErrUnsatisfiable at %s", ev.name, err, want)
						}
						break
					}
					if err != nil {
						t.Fatalf("%s seed %d: %v", ev.name, seed, err)
					}
					mustValidate(t, s, b)
					c.Instances = append(c.Instances, b)
					total++
				}
				if len(c.Instances) > 0 {
					checks = append(checks, c)
				}
				if per >= 100 { // bound the batch handed to node
					flush()
				}
			}
			flush()
			t.Logf("%d of %d events, %d payloads, each valid under both validators", sampled, len(events), total)
		})
	}
}

func short(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
