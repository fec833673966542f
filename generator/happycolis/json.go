package happycolis

import (
	"github.com/orderhooks/orderhooks/internal/jsonw"
)

// MarshalJSON writes the envelope compactly in the documented field order.
func (e Envelope) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil), nil }

// JSON returns the envelope as compact JSON.
func (e *Envelope) JSON() []byte { return e.AppendJSON(nil) }

// AppendJSON appends the envelope as compact JSON to b: the fields of
// Envelope, Header, Order, Contact and Line in the order they are declared,
// which is the documented order (a nil contact is null, nil lines are []).
func (e *Envelope) AppendJSON(b []byte) []byte { return jsonw.Struct(b, e) }

// AppendJSON appends the order body as compact JSON to b.
func (o *Order) AppendJSON(b []byte) []byte { return jsonw.Struct(b, o) }
