package generator

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/suggest"
)

// plan is a checked scenario ready to run: parsed delays, patch operations
// in application order, and which values of which steps later steps use.
type plan struct {
	s     *Scenario
	m     machine
	board []KanbanColumn
	batch int
	steps []planStep
	// captures lists, per step index, the pointers later steps refer to.
	captures map[int][]string
}

type planStep struct {
	*Step
	act   action
	after time.Duration // 0: the action's random delay
	ops   []patchOp
}

// patchOp is one set (val != nil or setNull) or remove of a scenario step.
type patchOp struct {
	pointer string
	toks    []string
	remove  bool
	val     any // tree value; strings may hold references
	refs    bool
}

// refPattern matches ${step:/pointer} references in set values.
var refPattern = regexp.MustCompile(`\$\{([A-Za-z0-9_.-]+):(/[^}]*)\}`)

// compile checks the scenario against its provider's state machine and
// prepares it to run. board overrides the scenario's Kanban board when
// non-nil.
func (s *Scenario) compile(board []KanbanColumn) (*plan, error) {
	src := s.source
	if src == "" {
		src = s.Name
	}
	if s.Version != ScenarioVersion {
		return nil, scenarioErr(src, "/version", "unsupported scenario format version %d (this orderhooks reads version %d)", s.Version, ScenarioVersion)
	}
	m, err := machineFor(s.Provider)
	if err != nil {
		return nil, scenarioErr(src, "/provider", "%v", err)
	}
	if s.Kanban != nil && s.Provider != ProviderPhasio {
		return nil, scenarioErr(src, "/kanban", "Kanban boards are Phasio's; %s scenarios have none", s.Provider)
	}
	if err := checkBoard(s.Kanban); err != nil {
		return nil, scenarioErr(src, "/kanban", "%v", err)
	}
	if len(s.Steps) == 0 {
		return nil, scenarioErr(src, "/steps", "a scenario needs at least one step")
	}
	p := &plan{s: s, m: m, batch: max(1, s.Orders), captures: map[int][]string{}}
	switch {
	case board != nil:
		p.board = board
	case s.Kanban != nil:
		p.board = s.Kanban
	case s.Provider == ProviderPhasio:
		p.board = DefaultKanban()
	}
	ph := m.newPhase(p.board)
	named := map[string]int{}
	for i := range s.Steps {
		st := &s.Steps[i]
		at := "/steps/" + strconv.Itoa(i)
		ps := planStep{Step: st}
		var ok bool
		if ps.act, ok = findAction(m, st.Action); !ok {
			return nil, scenarioErr(src, at+"/action", "unknown %s action %q (known: %s)", s.Provider, st.Action, actionNames(m))
		}
		if events := Events(s.Provider); !slices.Contains(events, st.Event) {
			pl, _ := platform.Get(s.Provider)
			return nil, scenarioErr(src, at+"/event", "unknown %s event %q (known: %s)%s", s.Provider, st.Event, strings.Join(events, ", "),
				suggest.Hint(st.Event, events, pl.Titles()))
		}
		if st.After != "" {
			d, err := time.ParseDuration(st.After)
			if err != nil || d <= 0 {
				return nil, scenarioErr(src, at+"/after", "%q is not a positive duration like 90s, 36h or 1h30m", st.After)
			}
			ps.after = d
		}
		if (st.To != "" || st.Backwards) && st.Action != ActionMove {
			return nil, scenarioErr(src, at+"/to", "only the move action takes to and backwards")
		}
		if st.Payment != "" && st.Action != ActionCreateOrder {
			return nil, scenarioErr(src, at+"/payment", "only the create-order action takes payment")
		}
		if err := ph.advance(st); err != nil {
			return nil, scenarioErr(src, at+"/action", "%s", strings.TrimPrefix(err.Error(), ErrTransition.Error()+": "))
		}
		if ps.ops, err = p.patchOps(src, at, st, named); err != nil {
			return nil, err
		}
		if st.Name != "" {
			if j, dup := named[st.Name]; dup {
				return nil, scenarioErr(src, at+"/name", "step name %q is already used by /steps/%d", st.Name, j)
			}
			named[st.Name] = i
		}
		p.steps = append(p.steps, ps)
	}
	return p, nil
}

func (p *plan) patchOps(src, at string, st *Step, named map[string]int) ([]patchOp, error) {
	keys := make([]string, 0, len(st.Set))
	for k := range st.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys) // parents before children
	var ops []patchOp
	for _, k := range keys {
		toks, err := splitPointer(k)
		if err != nil {
			return nil, scenarioErr(src, at+"/set/"+jsonptr.Escape(k), "%v", err)
		}
		op := patchOp{pointer: k, toks: toks, val: mapTree(st.Set[k], same)}
		var bad error
		walkStrings(op.val, func(s string) {
			for _, m := range refPattern.FindAllStringSubmatch(s, -1) {
				op.refs = true
				j, ok := named[m[1]]
				if !ok && bad == nil {
					bad = scenarioErr(src, at+"/set/"+jsonptr.Escape(k), "%s refers to no earlier step named %q", m[0], m[1])
					continue
				}
				if _, err := splitPointer(m[2]); err != nil && bad == nil {
					bad = scenarioErr(src, at+"/set/"+jsonptr.Escape(k), "%s: %v", m[0], err)
				}
				if !slices.Contains(p.captures[j], m[2]) {
					p.captures[j] = append(p.captures[j], m[2])
				}
			}
		})
		if bad != nil {
			return nil, bad
		}
		ops = append(ops, op)
	}
	for i, r := range st.Remove {
		toks, err := splitPointer(r)
		if err != nil {
			return nil, scenarioErr(src, at+"/remove/"+strconv.Itoa(i), "%v", err)
		}
		ops = append(ops, patchOp{pointer: r, toks: toks, remove: true})
	}
	return ops, nil
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case *jsontree.Object:
		for _, e := range x.Vals {
			walkStrings(e, fn)
		}
	}
}

// resolveRefs replaces references in v with captured values (JSON): a
// string that is one reference becomes the value itself (a number stays a
// number); a reference inside a longer string is replaced by the value's
// text.
func resolveRefs(v any, captured map[string][]byte) any {
	return mapTree(v, func(leaf any) any {
		x, ok := leaf.(string)
		if !ok {
			return leaf
		}
		if m := refPattern.FindStringSubmatch(x); m != nil && m[0] == x {
			tree, _ := decodeTree(captured[x]) // captured from a payload, valid JSON
			return tree
		}
		return refPattern.ReplaceAllStringFunc(x, func(ref string) string {
			var s string
			if json.Unmarshal(captured[ref], &s) == nil {
				return s
			}
			return string(captured[ref])
		})
	})
}

func actionNames(m machine) string {
	var names []string
	for _, a := range m.actions() {
		names = append(names, a.name)
	}
	return strings.Join(names, ", ")
}
