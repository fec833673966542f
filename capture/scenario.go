package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/textw"
	"github.com/orderhooks/orderhooks/pii"
	"github.com/orderhooks/orderhooks/schemas"
)

// ErrScenario is wrapped when captures cannot become a scenario.
var ErrScenario = errors.New("capture: cannot make a scenario")

// Captured is one captured payload of an order's lifecycle.
type Captured struct {
	// Event is the platform's event name (ORDER_UPDATED, order/updated).
	Event string
	// At is when it arrived; the steps are spaced as the captures were.
	At time.Time
	// Payload is the payload in the generator's Event.Payload form.
	Payload []byte
	// Source names it in errors and comments ("delivery 42").
	Source string
}

// ScenarioOptions shape the scenario ScenarioFromCaptures writes.
type ScenarioOptions struct {
	// Name is the scenario's name (default "capture/KEY" where KEY is the
	// order key of the first payload).
	Name string
	// Redactor replaces personal values by pseudonyms, consistently over
	// the steps (the store's Redactor, say). Nil keeps the values as
	// captured: only for captures of one's own test traffic.
	Redactor *pii.Redactor
}

// refPattern is what a scenario reads as a reference to an earlier step.
var refPattern = regexp.MustCompile(`\$\{[A-Za-z0-9_.-]+:/[^}]*\}`)

// ScenarioFromCaptures turns the captured lifecycle of one order into an
// editable scenario (generator.Scenario; Marshal or WriteScenario save it
// as a file): the first step sets every field of the first payload, each
// later step sets and removes only what changed since the one before, by
// JSON pointer. Every step's action is notify, so the generator's own
// state machine changes nothing: played back, the scenario sends the
// captured payloads again (HappyColis messageId and date excepted: those
// are the sender's, fresh on each run), in the captured order and spacing,
// which emit signs with the target's own secret.
func ScenarioFromCaptures(provider string, caps []Captured, o ScenarioOptions) (*generator.Scenario, error) {
	if len(caps) == 0 {
		return nil, fmt.Errorf("%w: no payloads", ErrScenario)
	}
	var trees []map[string]any
	for _, c := range caps {
		if _, err := schemas.ForEvent(provider, c.Event, false); err != nil {
			return nil, fmt.Errorf("%w: %s: %q is not an order event of %s (a scenario plays order lifecycles)", ErrScenario, c.Source, c.Event, provider)
		}
		payload := c.Payload
		if o.Redactor != nil {
			var err error
			if payload, _, err = o.Redactor.Redact(provider, c.Event, payload); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrScenario, c.Source, err)
			}
		}
		v, err := schemas.Decode(payload)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrScenario, c.Source, err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: %s: the payload is not a JSON object", ErrScenario, c.Source)
		}
		trees = append(trees, m)
	}
	name := o.Name
	if name == "" {
		name = "capture/" + sanitize(orderKey(provider, trees[0]))
	}
	s := &generator.Scenario{Version: generator.ScenarioVersion, Name: name, Provider: provider, Orders: 1,
		Description: fmt.Sprintf("%d captured %s of order %s", len(caps), textw.Plural(len(caps), "delivery", "deliveries"), orderKey(provider, trees[0]))}
	first, err := firstStep(provider, trees[0])
	if err != nil {
		return nil, err
	}
	steps := []generator.Step{first}
	for i := 1; i < len(trees); i++ {
		st := generator.Step{Set: generator.Values{}}
		diff(provider, "", trees[i-1], trees[i], &st)
		sort.Strings(st.Remove)
		steps = append(steps, st)
	}
	for i := range steps {
		steps[i].Name = "capture-" + strconv.Itoa(i+1)
		steps[i].Event = caps[i].Event
		steps[i].Action = generator.ActionNotify
		if i > 0 {
			if d := caps[i].At.Sub(caps[i-1].At).Truncate(time.Millisecond); d > 0 {
				steps[i].After = d.String()
			}
		}
		if len(steps[i].Set) == 0 {
			steps[i].Set = nil
		}
		for ptr, v := range steps[i].Set {
			if bad := findRef(v); bad != "" {
				return nil, fmt.Errorf("%w: %s: %s holds %q, which a scenario file reads as a reference to a step", ErrScenario, caps[i].Source, ptr, bad)
			}
		}
	}
	s.Steps = steps
	// Check it as a scenario file would be checked.
	out, err := s.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrScenario, err)
	}
	return generator.ParseScenario(out, name)
}

// firstStep sets every top-level field of the first payload (Phasio: the
// order; HappyColis: the body whole and the header's fields but the
// sender's messageId, date and type), so that the generator's own
// snapshot is replaced, and removes the documented fields the payload
// does not have.
func firstStep(provider string, tree map[string]any) (generator.Step, error) {
	st := generator.Step{Set: generator.Values{}}
	documented, err := topLevel(provider)
	if err != nil {
		return st, err
	}
	if provider != generator.ProviderHappyColis {
		for k, v := range tree {
			st.Set[pointer("", k)] = v
		}
		for _, k := range documented {
			if _, ok := tree[k]; !ok {
				st.Remove = append(st.Remove, pointer("", k))
			}
		}
		sort.Strings(st.Remove)
		return st, nil
	}
	for k, v := range tree {
		if k != "header" {
			st.Set[pointer("", k)] = v
		}
	}
	header, _ := tree["header"].(map[string]any)
	if _, ok := tree["header"]; ok && header == nil {
		st.Set["/header"] = tree["header"] // not an object: as captured
	}
	for k, v := range header {
		if !senderField(k) {
			st.Set[pointer("/header", k)] = v
		}
	}
	if header != nil {
		for _, k := range []string{"organizationId", "webhookId"} {
			if _, ok := header[k]; !ok {
				st.Remove = append(st.Remove, pointer("/header", k))
			}
		}
	}
	if _, ok := tree["body"]; !ok {
		st.Remove = append(st.Remove, "/body")
	}
	sort.Strings(st.Remove)
	return st, nil
}

// senderField names the HappyColis header fields the sender stamps on
// each message: a replay gets fresh ones.
func senderField(k string) bool { return k == "messageId" || k == "date" || k == "type" }

// topLevel lists the documented top-level fields of the provider's
// payload (what the generator's snapshot has).
func topLevel(provider string) ([]string, error) {
	name := schemas.PhasioOrder
	if provider == generator.ProviderHappyColis {
		name = schemas.HappyColisOrderEvent
	} else if provider != generator.ProviderPhasio {
		return nil, fmt.Errorf("%w: provider %q (phasio or happycolis)", ErrScenario, provider)
	}
	var doc struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(schemas.MustGet(name).Source(), &doc); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(doc.Properties))
	for k := range doc.Properties {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// diff adds to st the operations that turn a into b under ptr: members
// set or removed, arrays of one length compared item by item, any other
// change set whole.
func diff(provider, ptr string, a, b any, st *generator.Step) {
	if provider == generator.ProviderHappyColis && strings.HasPrefix(ptr, "/header/") && senderField(strings.TrimPrefix(ptr, "/header/")) {
		return
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		for k := range x {
			if _, ok := y[k]; !ok {
				if !(provider == generator.ProviderHappyColis && ptr == "/header" && senderField(k)) {
					st.Remove = append(st.Remove, pointer(ptr, k))
				}
			}
		}
		for k, v := range y {
			if old, ok := x[k]; ok {
				diff(provider, pointer(ptr, k), old, v, st)
			} else if !(provider == generator.ProviderHappyColis && ptr == "/header" && senderField(k)) {
				st.Set[pointer(ptr, k)] = v
			}
		}
		return
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			break
		}
		for i := range x {
			diff(provider, ptr+"/"+strconv.Itoa(i), x[i], y[i], st)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		st.Set[ptr] = b
	}
}

func pointer(parent, key string) string {
	return jsonptr.Join(parent, key)
}

func findRef(v any) string {
	switch x := v.(type) {
	case string:
		return refPattern.FindString(x)
	case map[string]any:
		for _, e := range x {
			if r := findRef(e); r != "" {
				return r
			}
		}
	case []any:
		for _, e := range x {
			if r := findRef(e); r != "" {
				return r
			}
		}
	}
	return ""
}

// orderKey is the order's key in a payload (Phasio orderId, HappyColis
// body.id).
func orderKey(provider string, tree map[string]any) string {
	v := tree["orderId"]
	if provider == generator.ProviderHappyColis {
		body, _ := tree["body"].(map[string]any)
		v = body["id"]
	}
	switch k := v.(type) {
	case json.Number:
		return k.String()
	case string:
		return k
	}
	return "order"
}

// sanitize makes a key fit a scenario name.
func sanitize(key string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "order"
	}
	return b.String()
}

// Scenario returns the captured lifecycle of the order with key (of
// provider, "" for any) as a scenario (see ScenarioFromCaptures): the
// deliveries that were verified, each message once (a redelivery of a
// message id seen before is left out), redacted with the store's
// redactor unless raw.
func (s *Store) Scenario(ctx context.Context, provider, key string, raw bool) (*generator.Scenario, error) {
	tl, err := s.Timeline(ctx, provider, key)
	if err != nil {
		return nil, err
	}
	var caps []Captured
	seen := map[string]bool{}
	for _, d := range tl.Deliveries {
		if d.Payload == nil || d.Event == "" || (d.DeliveryID != "" && seen[d.DeliveryID]) {
			continue
		}
		seen[d.DeliveryID] = true
		p, ev := platformEvent(d)
		if provider == "" {
			provider = p
		}
		if p != provider {
			continue
		}
		caps = append(caps, Captured{Event: ev, At: d.ReceivedAt, Payload: d.Payload, Source: "delivery " + strconv.FormatInt(d.ID, 10)})
	}
	if len(caps) == 0 {
		return nil, fmt.Errorf("%w: no verified delivery of order %q in %s", ErrScenario, key, s.path)
	}
	o := ScenarioOptions{}
	if !raw {
		if o.Redactor, err = s.Redactor(); err != nil {
			return nil, err
		}
	}
	return ScenarioFromCaptures(provider, caps, o)
}

// WriteScenario writes a scenario as a YAML scenario file, after a
// comment saying where it came from (each line of comment prefixed "# ").
func WriteScenario(w io.Writer, s *generator.Scenario, comment string) error {
	out, err := s.Marshal()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(comment), "\n") {
		if line != "" {
			b.WriteString("# " + line + "\n")
		}
	}
	b.Write(out)
	_, err = w.Write(b.Bytes())
	return err
}
