package provider

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/orderhooks/orderhooks/internal/yamljson"
	"github.com/orderhooks/orderhooks/schemas"
)

// WriteYAML writes the definition as a definition file that Parse reads
// back to the same definition (same Digest, unless inline): sections and
// members in their order, without the comments of the file it was read
// from (BuiltinFile has a built-in's with them). With inline, built-in
// schemas are written out in full, for a definition that stands alone.
func (d *Definition) WriteYAML(w io.Writer, inline bool) error {
	raw := d.raw
	if inline {
		var err error
		if raw, err = d.inlined(); err != nil {
			return err
		}
	}
	out, err := yamljson.FromJSON(raw)
	if err != nil {
		return fmt.Errorf("provider: %w", err)
	}
	_, err = w.Write(out)
	return err
}

// inlined is the definition's JSON form with every {builtin: NAME}
// schema replaced by the schema itself.
func (d *Definition) inlined() ([]byte, error) {
	f := clone(d.f)
	if f.Events != nil {
		for i := range f.Events.List {
			s := &f.Events.List[i].Schema
			if s.Builtin == "" {
				continue
			}
			sc, err := schemas.Get(s.Builtin)
			if err != nil {
				return nil, err
			}
			*s = SchemaSource{Inline: sc.Source()}
		}
	}
	return json.Marshal(f)
}
