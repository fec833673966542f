// Package platform holds the facts about each order platform that several
// packages need, in one table: the provider names, the order events each
// platform sends (with the documentation's title and the schema of their
// payload), Phasio's other documented triggers, where a payload keeps its
// order key, and the pointers a receiver's stored state is compared on.
// It imports nothing from the module, so every package can use it.
package platform

import (
	"encoding/json"
	"strings"
)

// Provider names: the two platforms and the Standard Webhooks profile,
// which carries either platform's events.
const (
	Phasio     = "phasio"
	HappyColis = "happycolis"
	Standard   = "standard"
)

// Schema names of the order payloads (the schemas package's names).
const (
	SchemaPhasioOrder          = "phasio/order"
	SchemaPhasioQuoteConverted = "phasio/quote-converted"
	SchemaHappyColisOrderEvent = "happycolis/order-event"
)

// Event is one order event a platform sends.
type Event struct {
	// Name is what the platform calls it on the wire: a Phasio trigger
	// ("ORDER") or a HappyColis header.type ("order/created").
	Name string
	// Title is the documentation's name of it ("Order Created").
	Title string
	// Schema is the schema of its payload.
	Schema string
}

// Platform is one order platform.
type Platform struct {
	// Name is the provider name ("phasio"), Title the platform's ("Phasio").
	Name, Title string
	// Events are its order events, in lifecycle order.
	Events []Event
	// Triggers are every documented trigger (Phasio: order and other
	// triggers, the keys a targets file may use); nil where events are all.
	Triggers []string
	// OrderKey is the path of the order's key in a payload.
	OrderKey []string
	// Compare are the JSON pointers a receiver's stored state is compared
	// on by default (the contract suite's state checks).
	Compare []string
}

var platforms = []*Platform{
	{
		Name: Phasio, Title: "Phasio",
		Events: []Event{
			{"ORDER", "Order Created", SchemaPhasioOrder},
			{"ORDER_UPDATED", "Order Updated", SchemaPhasioOrder},
			{"QUOTE_CONVERTED", "Quote Converted", SchemaPhasioQuoteConverted},
		},
		Triggers: []string{"ORDER", "ORDER_UPDATED", "QUOTE_CONVERTED",
			"CUSTOMER_ORGANISATION_CREATED", "CUSTOMER_ORGANISATION_UPDATED", "SPECIFICATION_CREATED", "CART_CREATED"},
		OrderKey: []string{"orderId"},
		Compare:  []string{"/orderId", "/orderNumber", "/paymentStatus", "/kanbanColumnName", "/pricing/totalPrice"},
	},
	{
		Name: HappyColis, Title: "HappyColis",
		Events: []Event{
			{"order/created", "order/created", SchemaHappyColisOrderEvent},
			{"order/opened", "order/opened", SchemaHappyColisOrderEvent},
			{"order/updated", "order/updated", SchemaHappyColisOrderEvent},
			{"order/completed", "order/completed", SchemaHappyColisOrderEvent},
			{"order/cancelled", "order/cancelled", SchemaHappyColisOrderEvent},
		},
		OrderKey: []string{"body", "id"},
		Compare:  []string{"/body/id", "/body/state", "/body/locked", "/body/total", "/body/totalTaxInclusive"},
	},
}

// Get returns the platform called name (phasio or happycolis).
func Get(name string) (*Platform, bool) {
	for _, p := range platforms {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// Names lists the platforms, Phasio first.
func Names() []string { return []string{Phasio, HappyColis} }

// Providers lists the provider names: the platforms and Standard Webhooks.
func Providers() []string { return []string{Phasio, HappyColis, Standard} }

// EventNames lists the names of the platform's order events.
func (p *Platform) EventNames() []string {
	out := make([]string, len(p.Events))
	for i, e := range p.Events {
		out[i] = e.Name
	}
	return out
}

// Event returns the order event called name.
func (p *Platform) Event(name string) (Event, bool) {
	for _, e := range p.Events {
		if e.Name == name {
			return e, true
		}
	}
	return Event{}, false
}

// Titles maps the documentation's titles of the order events to their
// names where they differ ("Order Created" → "ORDER"), for suggestions.
func (p *Platform) Titles() map[string]string {
	out := map[string]string{}
	for _, e := range p.Events {
		if e.Title != e.Name {
			out[e.Title] = e.Name
		}
	}
	return out
}

// Events lists the order event names of a provider: its platform's, or
// both platforms' for Standard Webhooks (or any other name).
func Events(provider string) []string {
	if p, ok := Get(provider); ok {
		return p.EventNames()
	}
	var out []string
	for _, p := range platforms {
		out = append(out, p.EventNames()...)
	}
	return out
}

// Titles maps the documentation titles of every order event to its name.
func Titles() map[string]string {
	out := map[string]string{}
	for _, p := range platforms {
		for k, v := range p.Titles() {
			out[k] = v
		}
	}
	return out
}

// StandardType maps an event name to a Standard Webhooks type: lower
// case, "/" and "_" become "." ("ORDER_UPDATED" and "order/updated" both
// give "order.updated"; "ORDER" gives "order").
func StandardType(event string) string {
	return typeSeparators.Replace(strings.ToLower(event))
}

var typeSeparators = strings.NewReplacer("/", ".", "_", ".")

// Origin recovers the platform event behind a Standard Webhooks type from
// its decoded data: a {header, body} envelope is HappyColis
// ("order.updated" → "order/updated"), anything else Phasio
// ("order.updated" → "ORDER_UPDATED").
func Origin(stdType string, data any) (platform, event string) {
	if m, ok := data.(map[string]any); ok {
		if _, ok := m["header"].(map[string]any); ok {
			return HappyColis, strings.ReplaceAll(stdType, ".", "/")
		}
	}
	return Phasio, strings.ToUpper(strings.ReplaceAll(stdType, ".", "_"))
}

// OrderKey finds the order a decoded payload (encoding/json with
// UseNumber, or plain) belongs to: Phasio's orderId, a HappyColis
// envelope's body.id, or a top-level id ("" when there is none).
func OrderKey(doc any) string {
	for _, p := range platforms {
		if k := scalar(lookup(doc, p.OrderKey)); k != "" {
			return k
		}
	}
	return scalar(lookup(doc, []string{"id"}))
}

func lookup(doc any, path []string) any {
	for _, k := range path {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		doc = m[k]
	}
	return doc
}

// scalar renders a string or number id as text.
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}
