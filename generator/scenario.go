package generator

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/internal/yamljson"
	"github.com/orderhooks/orderhooks/schemas"
)

// ScenarioVersion is the scenario format version this generator reads;
// files with any other version are rejected.
const ScenarioVersion = 1

// Scenario is a lifecycle to generate: a provider, a default seed, how many
// orders act together, and steps. It is what a scenario file holds (YAML or
// JSON, see the package doc); the built-in scenarios are such files.
// Scenarios are plain data: New checks them, Marshal writes them back.
type Scenario struct {
	Version     int            `json:"version" yaml:"version"`
	Name        string         `json:"name" yaml:"name"`
	Provider    string         `json:"provider" yaml:"provider"`
	Description string         `json:"description,omitempty" yaml:"description,omitempty"`
	Seed        int64          `json:"seed,omitempty" yaml:"seed,omitempty"`
	Orders      int            `json:"orders,omitempty" yaml:"orders,omitempty"`
	Kanban      []KanbanColumn `json:"kanban,omitempty" yaml:"kanban,omitempty"`
	Steps       []Step         `json:"steps" yaml:"steps"`

	source string // file name or built-in name, for errors
}

// Step is one transition of the order(s) and the event it sends.
type Step struct {
	// Name lets later steps refer to this step's payload; it is also the
	// event's step label (default: the action).
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Event is the webhook sent (a Phasio trigger or HappyColis type).
	Event string `json:"event" yaml:"event"`
	// Action is the state-machine transition (see Actions).
	Action string `json:"action" yaml:"action"`
	// After is the time since the order's previous event, a Go duration.
	After string `json:"after,omitempty" yaml:"after,omitempty"`
	// To is the Kanban column of a move; Backwards allows an earlier one.
	To        string `json:"to,omitempty" yaml:"to,omitempty"`
	Backwards bool   `json:"backwards,omitempty" yaml:"backwards,omitempty"`
	// Payment is the arranged payment of create-order (PAID or CONFIRMED).
	Payment string `json:"payment,omitempty" yaml:"payment,omitempty"`
	// Payload, when set, is sent instead of the generated snapshot (a JSON
	// object, kept byte for byte); the action still changes the order's
	// state. ScenarioFromEvents uses it to replay exact payloads.
	Payload Literal `json:"payload,omitempty" yaml:"payload,omitempty"`
	// Set and Remove change this payload and every later one of the order,
	// by JSON pointer. Set values are JSON values (numbers as json.Number);
	// strings may hold ${step:/pointer} references.
	Set    Values   `json:"set,omitempty" yaml:"set,omitempty"`
	Remove []string `json:"remove,omitempty" yaml:"remove,omitempty"`
}

// Values maps JSON pointers to JSON values.
type Values map[string]any

// Literal is a JSON object kept as written, field order included.
type Literal = json.RawMessage

// label is the step's name in events.
func (st *Step) label() string {
	if st.Name != "" {
		return st.Name
	}
	return st.Action
}

// ErrScenario is wrapped by every scenario problem (see ScenarioError).
var ErrScenario = errors.New("generator: bad scenario")

// ErrUnknownScenario is returned by LoadScenario for a name that is neither
// a built-in scenario nor a .yaml, .yml or .json file.
var ErrUnknownScenario = errors.New("generator: unknown scenario")

// ScenarioError lists what is wrong with a scenario, each problem at a JSON
// pointer into the file: "quote.yaml: /steps/2/event: value must be one of …".
type ScenarioError struct {
	Source string
	// Line is the line of a problem found while the file was read as
	// YAML (0 for problems of the document, which Problems' pointers
	// place).
	Line     int
	Problems []schemas.Violation
}

// Error is "SOURCE: /pointer: problem; …", or "SOURCE:LINE: problem" for
// a file that does not read as YAML.
func (e *ScenarioError) Error() string {
	head := e.Source
	if e.Line > 0 {
		head += ":" + strconv.Itoa(e.Line)
	}
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		if p.Pointer == "" && e.Line > 0 {
			parts[i] = p.Message
		} else {
			parts[i] = p.String()
		}
	}
	return head + ": " + input.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrScenario) true.
func (e *ScenarioError) Unwrap() error { return ErrScenario }

func scenarioErr(source, pointer, format string, args ...any) error {
	return &ScenarioError{Source: source, Problems: []schemas.Violation{{Pointer: pointer, Message: fmt.Sprintf(format, args...)}}}
}

//go:embed scenario.schema.json
var scenarioSchemaJSON []byte

// ScenarioSchema returns the JSON Schema of the scenario format.
func ScenarioSchema() []byte { return bytes.Clone(scenarioSchemaJSON) }

var scenarioSchema = sync.OnceValue(func() *schemas.Schema {
	return schemas.MustCompile("scenario/v1", scenarioSchemaJSON)
})

// ParseScenario reads a scenario file's content (YAML or JSON); source
// names it in errors. The result is checked against the format's schema and
// the provider's state machine. A file is at most 4 MiB and may expand
// (YAML aliases resolved) to at most 16 MiB of JSON: a small file full of
// aliases fails at once instead of growing without end.
func ParseScenario(data []byte, source string) (*Scenario, error) {
	raw, err := checkScenario(data, source)
	if err != nil {
		return nil, err
	}
	return decodeScenario(raw, source)
}

// checkScenario reads a scenario file's content as JSON and checks it
// against the format's schema: ParseScenario's first half.
func checkScenario(data []byte, source string) ([]byte, error) {
	if int64(len(data)) > input.ScenarioFile.Bytes {
		return nil, scenarioErr(source, "", "larger than the %s", input.ScenarioFile)
	}
	raw, err := yamljson.ToJSON(data, scenarioLimits)
	if err != nil {
		var ye *yamljson.Error
		if errors.As(err, &ye) && ye.Line > 0 {
			return nil, &ScenarioError{Source: source, Line: ye.Line, Problems: []schemas.Violation{{Pointer: ye.Pointer, Message: ye.Msg}}}
		}
		return nil, scenarioErr(source, "", "%v", err)
	}
	doc, err := schemas.Decode(raw)
	if err != nil {
		return nil, scenarioErr(source, "", "%v", err)
	}
	if m, ok := doc.(map[string]any); ok {
		if v, ok := m["version"]; ok && fmt.Sprint(v) != strconv.Itoa(ScenarioVersion) {
			return nil, scenarioErr(source, "/version", "unsupported scenario format version %v (this orderhooks reads version %d)", v, ScenarioVersion)
		}
	}
	if err := scenarioSchema().Validate(doc); err != nil {
		var ve *schemas.ValidationError
		if errors.As(err, &ve) {
			return nil, &ScenarioError{Source: source, Problems: eventHints(doc, ve.Violations)}
		}
		return nil, scenarioErr(source, "", "%v", err)
	}
	return raw, nil
}

// decodeScenario decodes checked JSON (checkScenario's) into a new
// Scenario and checks it against the provider's state machine:
// ParseScenario's second half.
func decodeScenario(raw []byte, source string) (*Scenario, error) {
	s := &Scenario{source: source}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(s); err != nil {
		return nil, scenarioErr(source, "", "%v", err)
	}
	if _, err := s.compile(nil); err != nil {
		return nil, err
	}
	return s, nil
}

// eventHints adds to a violation of a step's event the platform's event
// the name probably meant: ORDER_CREATED gets (did you mean "ORDER"?).
func eventHints(doc any, vs []schemas.Violation) []schemas.Violation {
	out := slices.Clone(vs)
	m, _ := doc.(map[string]any)
	provider, _ := m["provider"].(string)
	p, ok := platform.Get(provider)
	if !ok {
		return out
	}
	for i, v := range out {
		ptr, err := jsonptr.Parse(v.Pointer)
		if err != nil || len(ptr) != 3 || ptr[0] != "steps" || ptr[2] != "event" {
			continue
		}
		if name, ok := jsonptr.Get(doc, ptr); ok {
			if s, ok := name.(string); ok {
				out[i].Message += suggest.Hint(s, p.EventNames(), p.Titles())
			}
		}
	}
	return out
}

// scenarioLimits bound what a scenario file expands to: 16 MiB of JSON,
// 100,000 values (aliases included) and 64 levels, so a small file cannot
// expand into an enormous one, however its aliases nest or however large
// the value they repeat.
var scenarioLimits = yamljson.Limits{Expansion: input.ScenarioExpansion, Nodes: 100_000, Depth: 64}

// Marshal writes the scenario as a YAML scenario file that ParseScenario
// reads back to an equal scenario (e.g. to save a shrunk failing case).
func (s *Scenario) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MarshalYAML writes numbers as YAML numbers with their exact text.
func (v Values) MarshalYAML() (any, error) { return yamlNode(map[string]any(v)) }

// MarshalYAML writes a step with its literal payload as a YAML mapping in
// the payload's own field order.
func (st Step) MarshalYAML() (any, error) {
	type plain Step // without this method
	n := &yaml.Node{}
	p := plain(st)
	p.Payload = nil
	if err := n.Encode(p); err != nil {
		return nil, err
	}
	if len(st.Payload) > 0 {
		tree, err := decodeTree(st.Payload)
		if err != nil {
			return nil, fmt.Errorf("%w: step %s: payload: %v", ErrScenario, st.label(), err)
		}
		pn, err := yamlNode(tree)
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "payload"}, pn)
	}
	return n, nil
}

func yamlNode(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(x), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(x)}, nil
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c, err := yamlNode(x[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, c)
		}
		return n, nil
	case *jsontree.Object:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for i, k := range x.Keys {
			c, err := yamlNode(x.Vals[i])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, c)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range x {
			c, err := yamlNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	}
	n := &yaml.Node{}
	return n, n.Encode(v)
}

// Clone returns a deep copy, for editing a loaded scenario.
func (s *Scenario) Clone() *Scenario {
	c := *s
	c.Kanban = append([]KanbanColumn(nil), s.Kanban...)
	c.Steps = make([]Step, len(s.Steps))
	for i, st := range s.Steps {
		if st.Set != nil {
			st.Set = cloneValues(st.Set)
		}
		st.Remove = append([]string(nil), st.Remove...)
		st.Payload = bytes.Clone(st.Payload)
		c.Steps[i] = st
	}
	return &c
}

// cloneValues deep-copies set values through their JSON form.
func cloneValues(v Values) Values {
	b, err := json.Marshal(map[string]any(v))
	if err != nil {
		panic(fmt.Sprintf("generator: set values that are not JSON: %v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out Values
	_ = dec.Decode(&out) // just encoded
	return out
}

//go:embed scenarios/*.yaml
var builtinFS embed.FS

// builtins maps built-in scenario names to their file content.
var builtins = sync.OnceValue(func() map[string][]byte {
	m := map[string][]byte{}
	files, _ := fs.Glob(builtinFS, "scenarios/*.yaml")
	for _, f := range files {
		data, _ := builtinFS.ReadFile(f)
		var head struct{ Name string }
		if err := yaml.Unmarshal(data, &head); err != nil {
			panic(fmt.Sprintf("generator: built-in %s: %v", f, err)) // checked by the tests
		}
		m[head.Name] = data
	}
	return m
})

// builtinsChecked maps built-in scenario names to their content as checked
// JSON (checkScenario's), read once: the YAML parse and the schema
// check are most of a scenario's reading, and a contract suite reads the
// built-ins on every run. LoadScenario decodes a new Scenario from it on
// every call, so callers may change what they get.
var builtinsChecked = sync.OnceValue(func() map[string]func() ([]byte, error) {
	m := map[string]func() ([]byte, error){}
	for name, data := range builtins() {
		m[name] = sync.OnceValues(func() ([]byte, error) { return checkScenario(data, name) })
	}
	return m
})

// Scenarios returns the built-in scenarios, sorted by name; each call
// returns fresh copies.
func Scenarios() []*Scenario {
	m := builtins()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*Scenario, len(names))
	for i, n := range names {
		s, err := ParseScenario(m[n], n)
		if err != nil {
			panic(err) // checked by the tests
		}
		out[i] = s
	}
	return out
}

// LoadScenario returns the built-in scenario called nameOrPath
// ("phasio/quote-to-paid") or reads the scenario file at that path (.yaml,
// .yml or .json).
func LoadScenario(nameOrPath string) (*Scenario, error) {
	if checked, ok := builtinsChecked()[nameOrPath]; ok {
		raw, err := checked()
		if err != nil {
			return nil, err
		}
		return decodeScenario(raw, nameOrPath)
	}
	switch strings.ToLower(filepath.Ext(nameOrPath)) {
	case ".yaml", ".yml", ".json":
		data, err := input.ReadFile(nameOrPath, input.ScenarioFile)
		if err != nil {
			return nil, errs.Mark(err, ErrScenario) // names the file
		}
		return ParseScenario(data, nameOrPath)
	}
	return nil, unknownScenario(nameOrPath, " nor a .yaml, .yml or .json file")
}

// ScenarioFile returns the file of the built-in scenario called name, as
// embedded, comments included: a starting point for a scenario file of
// one's own (`orderhooks scenarios show NAME`).
func ScenarioFile(name string) ([]byte, error) {
	if data, ok := builtins()[name]; ok {
		return slices.Clone(data), nil
	}
	return nil, unknownScenario(name, "")
}

// unknownScenario is the error of a name that is no built-in scenario,
// with the closest one.
func unknownScenario(name, orFile string) error {
	names := slices.Sorted(maps.Keys(builtins()))
	return &OptionError{Package: "generator", Option: "scenario", Value: name,
		Want: fmt.Sprintf("not a built-in (%s)%s", strings.Join(names, ", "), orFile), Known: names, Err: ErrUnknownScenario}
}
