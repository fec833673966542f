package schemas_test

import (
	"bufio"
	"regexp"
	"strings"
	"testing"
)

// seedField is one row of a seed's property table.
type seedField struct {
	Table    string // section heading, e.g. "Part object"
	Pointer  string // where the field sits in the seed's example, e.g. /parts/0/quantity
	Type     string // documented type: number, string, boolean, array or object
	Nullable bool
}

// tableAt says where in an example payload the rows of each seed table live.
// It is the only hand-written part: the rows themselves are parsed.
var tableAt = map[string]string{
	"Payload":                "",
	"Part object":            "/parts/0",
	"Post-processing object": "/parts/0/postProcessings/0",
	"Production step object": "/parts/0/productionSteps/0",
	"Expense object":         "/expenses/0",
	"Pricing object":         "/pricing",
	"Shipping object":        "/shipping",
	"Address object":         "/shipping/address",
}

// seedRow matches a table row once the " | " cell separators are removed:
// seeds 000 and 002 lost them ("orderIdnumberNoUnique identifier…"), seed
// 001 kept them ("orderId | number | No | Unique identifier… |").
var seedRow = regexp.MustCompile(`^([a-z][A-Za-z0-9]*?)(number|string|boolean|array|object)(Yes|No)[A-Z(]`)

// parseSeedTables returns every documented field of a Phasio seed, in order.
func parseSeedTables(t *testing.T, seed string) []seedField {
	t.Helper()
	var out []seedField
	table := ""
	sc := bufio.NewScanner(strings.NewReader(seed))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if _, ok := tableAt[line]; ok {
			table = line
			continue
		}
		if strings.HasPrefix(line, "Example payload") {
			break
		}
		m := seedRow.FindStringSubmatch(strings.ReplaceAll(line, " | ", ""))
		if m == nil || table == "" {
			continue
		}
		out = append(out, seedField{
			Table:    table,
			Pointer:  tableAt[table] + "/" + m[1],
			Type:     m[2],
			Nullable: m[3] == "Yes",
		})
	}
	if len(out) == 0 {
		t.Fatal("no property table rows found in the seed")
	}
	return out
}
