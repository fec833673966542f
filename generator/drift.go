package generator

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsontree"
)

// driftChange is one plausible change of a platform's payload contract.
type driftChange struct {
	kind    int // driftAdded, driftRenamed, driftRetyped
	pointer string
	to      string // renamed: the new key
	value   any    // added: the new field's value
}

const (
	driftAdded = iota
	driftRenamed
	driftRetyped
)

var driftChanges = map[string][]driftChange{
	ProviderPhasio: {
		{kind: driftAdded, pointer: "/leadTimeDays", value: json.Number("12")},
		{kind: driftAdded, pointer: "/parts/0/surfaceRoughness", value: "Ra 3.2"},
		{kind: driftAdded, pointer: "/pricing/exchangeRate", value: json.Number("1.0845")},
		{kind: driftAdded, pointer: "/manufacturerId", value: json.Number("4711")},
		{kind: driftAdded, pointer: "/shipping/trackingNumber", value: "1Z999AA10123456784"},
		{kind: driftRenamed, pointer: "/orderNumber", to: "order_number"},
		{kind: driftRenamed, pointer: "/customerOrganisationName", to: "customerOrganizationName"},
		{kind: driftRenamed, pointer: "/parts/0/pricePerPart", to: "unitPrice"},
		{kind: driftRenamed, pointer: "/pricing/totalPrice", to: "total"},
		{kind: driftRenamed, pointer: "/quoteNumber", to: "quoteNo"},
		{kind: driftRenamed, pointer: "/shipping/address/zip", to: "postalCode"},
		{kind: driftRetyped, pointer: "/orderId"},
		{kind: driftRetyped, pointer: "/customerOrganisationId"},
		{kind: driftRetyped, pointer: "/parts/0/quantity"},
		{kind: driftRetyped, pointer: "/pricing/totalPrice"},
		{kind: driftRetyped, pointer: "/pricing/applyTaxToShipping"},
		{kind: driftRetyped, pointer: "/createdDate"},
	},
	ProviderHappyColis: {
		{kind: driftAdded, pointer: "/body/channel", value: "web"},
		{kind: driftAdded, pointer: "/header/version", value: json.Number("2")},
		{kind: driftAdded, pointer: "/body/lines/0/weight", value: json.Number("0.35")},
		{kind: driftAdded, pointer: "/body/loyaltyPoints", value: json.Number("120")},
		{kind: driftAdded, pointer: "/body/buyer/birthdate", value: "1990-04-12"},
		{kind: driftRenamed, pointer: "/body/externalReference", to: "external_reference"},
		{kind: driftRenamed, pointer: "/body/totalTaxInclusive", to: "totalTaxIncluded"},
		{kind: driftRenamed, pointer: "/header/messageId", to: "message_id"},
		{kind: driftRenamed, pointer: "/body/lines/0/sku", to: "SKU"},
		{kind: driftRenamed, pointer: "/body/deliveryContact", to: "shippingContact"},
		{kind: driftRetyped, pointer: "/body/total"},
		{kind: driftRetyped, pointer: "/body/lines/0/quantity"},
		{kind: driftRetyped, pointer: "/body/locked"},
		{kind: driftRetyped, pointer: "/body/gift"},
		{kind: driftRetyped, pointer: "/header/date"},
	},
}

// drift applies one change to a payload tree and says what it did. The kind
// is drawn, then the change among those of the kind whose field exists
// (and, to change a type, is not null), so every drifted payload breaks the
// strict schema.
func drift(r *rng, provider string, tree any) (any, string) {
	n := r.intn(3)
	var fits []driftChange
	for k := 0; k < 3 && len(fits) == 0; k++ {
		kind := (n + k) % 3
		for _, c := range driftChanges[provider] {
			if c.kind == kind && c.applies(tree) {
				fits = append(fits, c)
			}
		}
	}
	if len(fits) == 0 { // only an empty payload: add a field to it
		fits = driftChanges[provider][:1]
	}
	c := pick(r, fits)
	toks, _ := splitPointer(c.pointer)
	parent, _ := lookup(tree, toks[:len(toks)-1])
	obj, _ := parent.(*jsontree.Object)
	last := toks[len(toks)-1]
	switch c.kind {
	case driftAdded:
		tree, _ = setAt(tree, toks, c.value)
		return tree, "drift: added unknown field " + c.pointer
	case driftRenamed:
		obj.Keys[obj.Index(last)] = c.to
		return tree, "drift: renamed " + c.pointer + " to " + joinPointer(append(toks[:len(toks)-1:len(toks)-1], c.to))
	}
	i := obj.Index(last)
	v, was, now := retype(obj.Vals[i])
	obj.Vals[i] = v
	return tree, "drift: changed the type of " + c.pointer + " from " + was + " to " + now
}

// applies reports whether the change's field (or, to add one, its parent
// object) is in the payload.
func (c driftChange) applies(tree any) bool {
	toks, _ := splitPointer(c.pointer)
	parent, ok := lookup(tree, toks[:len(toks)-1])
	obj, isObj := parent.(*jsontree.Object)
	if !ok || !isObj {
		return false
	}
	i := obj.Index(toks[len(toks)-1])
	switch c.kind {
	case driftAdded:
		return i < 0
	case driftRenamed:
		return i >= 0
	}
	return i >= 0 && obj.Vals[i] != nil
}

// retype gives a value another JSON type: numbers and booleans become
// strings, date strings become Unix milliseconds.
func retype(v any) (any, string, string) {
	switch x := v.(type) {
	case json.Number:
		return string(x), "number", "string"
	case bool:
		return strconv.FormatBool(x), "boolean", "string"
	case string:
		for _, layout := range []string{phasioLocal, time.RFC3339Nano} {
			if t, err := time.Parse(layout, x); err == nil {
				return json.Number(strconv.FormatInt(t.UnixMilli(), 10)), "string", "number (Unix milliseconds)"
			}
		}
		return json.Number("0"), "string", "number"
	}
	return "", "value", "string"
}
