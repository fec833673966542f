package contracts

import (
	_ "embed"
	"encoding/json"
	"io"
)

// ReportSchema is the JSON Schema (draft 2020-12) of the JSON report, so
// CI scripts can rely on its shape.
//
//go:embed report.schema.json
var ReportSchema []byte

// WriteJSON writes the report as one indented JSON document:
// {"provider", "target", "seed", "checks":[{"name","status","evidence",…}], "summary":{…}}.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
