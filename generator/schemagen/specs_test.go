package schemagen_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
)

// The real webhook descriptions under testdata/specs (see its README): for
// each event, generated payloads validate under the project's validator and
// under Ajv. SCHEMAGEN_PAYLOADS sets the payloads per event (default 5;
// 1,000 under ORDERHOOKS_LONG=1, as .ci/run runs it in a step of its own).
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
			a := startAjv(t, docs)
			var schemaOf []string // of each check sent, for the failures
			total := 0
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
				send := func() { // at most ajvBatch payloads a line
					if len(c.Instances) > 0 {
						a.check(c)
						schemaOf = append(schemaOf, c.Schema)
						c.Instances = c.Instances[:0]
					}
				}
				if want, ok := unsatisfiable[ev.name]; ok {
					_, err := g.Generate(int64(i) * 1_000_003)
					var e *schemagen.Error
					if !errors.As(err, &e) || !errors.Is(err, schemagen.ErrUnsatisfiable) || e.Pointer != want {
						t.Fatalf("%s: got %v, want ErrUnsatisfiable at %s", ev.name, err, want)
					}
					continue
				}
				for _, b := range generateValid(t, ev.name, g, s, int64(i)*1_000_003, per) {
					c.Instances = append(c.Instances, b)
					total++
					if len(c.Instances) == ajvBatch {
						send()
					}
				}
				send()
			}
			for _, f := range a.close() {
				t.Errorf("%s: Ajv rejects %s: %s", schemaOf[f.Check], f.Text, f.Errors)
			}
			t.Logf("%d of %d events, %d payloads, each valid under both validators", sampled, len(events), total)
		})
	}
}

// generateValid generates n payloads (seeds base to base+n-1) on every
// core and checks each with the project's validator; the payloads come
// back in seed order, so a run is the same whatever the cores.
func generateValid(t *testing.T, name string, g *schemagen.Generator, s *jsonschema.Schema, base int64, n int) []json.RawMessage {
	t.Helper()
	out := make([]json.RawMessage, n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				b, err := g.Generate(base + int64(k))
				if err == nil {
					err = validate(s, b)
				}
				out[k], errs[k] = b, err
			}
		}()
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("%s seed %d: %v\n%s", name, k, err, out[k])
		}
	}
	return out
}

// ajvBatch bounds the payloads of one line to Ajv.
const ajvBatch = 100
