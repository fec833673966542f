package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

func TestSchemaGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"list", []string{"list"}, exitOK},
		{"show-strict", []string{"show", "phasio/order-strict"}, exitOK},
		{"show-unknown", []string{"show", "phasio/nope"}, exitUsage},
		{"no-action", nil, exitUsage},
		{"bad-action", []string{"print", "phasio/order"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", append([]string{"schema"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %s)", code, tt.code, errOut)
			}
			golden(t, "TestSchemaGolden_"+tt.name+".golden.txt", transcript(out, errOut, code))
		})
	}
}

// TestSchemaShowEverySchema: show prints each schema as valid JSON, and list
// names every schema.
func TestSchemaShowEverySchema(t *testing.T) {
	list, _, _ := runCmd(t, "", "schema", "list")
	for _, name := range schemas.Names() {
		out, errOut, code := runCmd(t, "", "schema", "show", name)
		var doc map[string]any
		if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || doc["title"] != schemas.MustGet(name).Title() {
			t.Errorf("schema show %s: exit %d, stderr %q, not the schema's JSON", name, code, errOut)
		}
		if !strings.Contains(list, name+" ") {
			t.Errorf("schema list does not name %s", name)
		}
	}
}
