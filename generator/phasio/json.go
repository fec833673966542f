package phasio

import (
	"github.com/orderhooks/orderhooks/internal/jsonw"
)

// MarshalJSON writes the order compactly in the documented field order.
func (o Order) MarshalJSON() ([]byte, error) { return o.AppendJSON(nil), nil }

// JSON returns the order as compact JSON.
func (o *Order) JSON() []byte { return o.AppendJSON(nil) }

// AppendJSON appends the order as compact JSON to b: the fields of Order and
// the types it holds in the order they are declared, which is the documented
// order (a nil pointer is null, a nil list is []).
func (o *Order) AppendJSON(b []byte) []byte { return jsonw.Struct(b, o) }
