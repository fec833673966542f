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
	var out []mismatch
	for _, c := range cmps {
		want, wok := jsonptr.Get(snapshot, c.snap)
		got, gok := jsonptr.Get(state, c.probe)
		if wok == gok && (!wok || jsonEqual(want, got)) {
			continue
		}
		out = append(out, mismatch{c, compactJSON(want, wok), compactJSON(got, gok)})
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
