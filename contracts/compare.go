package contracts

import (
	"fmt"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// Comparison pairs a JSON pointer into the last snapshot sent with the
// pointer where the receiver's probed state holds the same value.
type Comparison struct {
	Snapshot string
	Probe    string

	snap, probe jsonptr.Pointer
}

// ParseComparison reads one --compare item: "PTR" (the same pointer on both
// sides) or "SNAPSHOT_PTR=PROBE_PTR" for receivers that store the order in
// another shape (e.g. "/body/state=/state").
func ParseComparison(spec string) (Comparison, error) {
	snap, probe, found := strings.Cut(spec, "=")
	if !found {
		probe = snap
	}
	c := Comparison{Snapshot: snap, Probe: probe}
	var err error
	if c.snap, err = parsePointer(snap); err != nil {
		return Comparison{}, err
	}
	if c.probe, err = parsePointer(probe); err != nil {
		return Comparison{}, err
	}
	return c, nil
}

// String gives back the --compare spelling.
func (c Comparison) String() string {
	if c.Snapshot == c.Probe {
		return c.Snapshot
	}
	return c.Snapshot + "=" + c.Probe
}

// mismatch is one compared pointer whose values differ.
type mismatch struct {
	cmp       Comparison
	want, got string
}

func (m mismatch) String() string {
	return fmt.Sprintf("%s: expected %s, got %s", m.cmp, m.want, m.got)
}

// compareState evaluates every comparison on the snapshot and the probed
// state. A pointer absent from both sides matches: the snapshot's own shape
// decides what is compared.
func compareState(cmps []Comparison, snapshot, state any) []mismatch {
	return compareValues(cmps, snapshotValues(cmps, snapshot), state)
}

// snapValue is the value of a compared pointer in a snapshot, or its absence.
type snapValue struct {
	v  any
	ok bool
}

// snapshotValues reads the compared (snapshot-side) values of a snapshot:
// all that comparing it with a probed state needs.
func snapshotValues(cmps []Comparison, snapshot any) []snapValue {
	out := make([]snapValue, len(cmps))
	for i, c := range cmps {
		out[i].v, out[i].ok = jsonptr.Get(snapshot, c.snap)
	}
	return out
}

// compareValues compares a snapshot's compared values (snapshotValues)
// with the probed state.
func compareValues(cmps []Comparison, want []snapValue, state any) []mismatch {
	var out []mismatch
	for i, c := range cmps {
		got, gok := jsonptr.Get(state, c.probe)
		if want[i].ok == gok && (!gok || jsonEqual(want[i].v, got)) {
			continue
		}
		out = append(out, mismatch{c, compactJSON(want[i].v, want[i].ok), compactJSON(got, gok)})
	}
	return out
}

// snapshotsDiffer reports whether two snapshots differ on the compared
// (snapshot-side) pointers.
func snapshotsDiffer(cmps []Comparison, a, b any) bool {
	for _, c := range cmps {
		va, oka := jsonptr.Get(a, c.snap)
		vb, okb := jsonptr.Get(b, c.snap)
		if oka != okb || (oka && !jsonEqual(va, vb)) {
			return true
		}
	}
	return false
}
