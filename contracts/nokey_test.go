package contracts_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
)

// TestNoKeyIsNotProbed: an entity whose payload has no value at the entity
// key pointer is never probed (the probe used to GET /orders/ and fail a
// correct receiver: "the probe could not read 9 of 14 orders"). When no
// entity has a key, the state checks are inconclusive and say why; when
// some have, those are judged and the others counted as left out. (The
// key of the first case, /owner, is declared by one event and always
// null: a key no payload schema declares is refused when the definition
// is read.)
func TestNoKeyIsNotProbed(t *testing.T) {
	const note = `
  petNoted:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name, status]
              properties:
                name: {type: string}
                status: {type: string, enum: [available, sold]}
                owner: {type: "null"}
      responses: {"200": {description: ok}}
`
	for _, tt := range []struct {
		name, key, want string
		status          contracts.Status
	}{
		{"no entity has a key", "/owner", "inconclusive: no order key: the payload has no value at the entity key pointer", contracts.StatusInconclusive},
		{"some entities have a key", "/id", "left out, not judged: no order key", contracts.StatusPass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := petsSpec(t, "{type: integer, minimum: 1, maximum: 1000000}")
			doc, err := os.ReadFile(spec)
			if err != nil {
				t.Fatal(err)
			}
			spec = filepath.Join(t.TempDir(), "notes.yaml")
			withNote := strings.Replace(string(doc), "\ncomponents:", note[:len(note)-1]+"\ncomponents:", 1)
			if err := os.WriteFile(spec, []byte(withNote), 0o644); err != nil {
				t.Fatal(err)
			}
			opts := []provider.Option{provider.WithKey(tt.key), provider.WithCompare("/name", "/status")}
			rv := newReceiver(t, compile(t, fromSpec(t, spec, opts...), standardSecret))
			var mu sync.Mutex
			emptyKey := 0
			h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if req.Method == http.MethodGet && req.URL.Path == "/orders/" {
					mu.Lock()
					emptyKey++
					mu.Unlock()
				}
				rv.ServeHTTP(w, req)
			})
			r := contracts.Test(testkit.NoFail(t), h, contracts.FromSpec(spec, standardSecret, nil, opts),
				contracts.WithProbe("/orders/{orderKey}"))
			if emptyKey > 0 {
				t.Errorf("the probe asked for an empty key %d times (GET /orders/)", emptyKey)
			}
			wantFailed(t, r, failedChecks(t, r), nil, true)
			got := r.Result(contracts.CheckStateMatches)
			if got == nil || got.Status != tt.status || !strings.Contains(got.Message, tt.want) {
				t.Errorf("state-matches-snapshot: %+v, want %s saying %q", got, tt.status, tt.want)
			}
		})
	}
}

// TestNoCompareIsNoPass: with no compared pointers, a probed state matches
// any snapshot, so state-matches-snapshot must not pass: it is skipped and
// says why (it passed with "hold their last snapshot on " and nothing).
func TestNoCompareIsNoPass(t *testing.T) {
	spec := petsSpec(t, "{type: integer, minimum: 1, maximum: 1000000}")
	opts := []provider.Option{provider.WithKey("/id")}
	rv := newReceiver(t, compile(t, fromSpec(t, spec, opts...), standardSecret))
	r := contracts.Test(testkit.NoFail(t), rv, contracts.FromSpec(spec, standardSecret, nil, opts),
		contracts.WithProbe("/orders/{orderKey}"))
	got := r.Result(contracts.CheckStateMatches)
	if got == nil || got.Status != contracts.StatusSkip || !strings.Contains(got.Message, "nothing to compare") {
		t.Errorf("state-matches-snapshot: %+v, want skipped with nothing to compare", got)
	}
}
