package schemas_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// hcField is the test's decision about one field of seed 003's sample, which
// has no property table: whether it is nullable, and for fields the sample
// only shows as null, a value of the type the name implies (it must be valid).
type hcField struct {
	nullable bool
	implied  any
}

func nullable(implied any) hcField { return hcField{nullable: true, implied: implied} }

var contact = map[string]any{
	"id": "a7b8c9d0-e1f2-3456-abcd-567890123456", "type": "COMPANY",
	"organizationId": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "fullname": "Atelier Martin",
	"email": "contact@example.com", "address": "1 Quai Voltaire", "addressComplement": "",
	"zipcode": "75007", "country": "FR", "city": "Paris", "state": "IDF", "phone": "+33100000000",
	"comments": "Back door", "metadata": map[string]any{"crm": "42"}, "taxId": "FR123", "eori": "FR12345678901234",
	"form": "SARL", "capital": json.Number("10000"), "companyId": "123 456 789", "registration": "RCS Paris",
}

// happyColisFields lists every field of seed 003's sample, the contacts and
// lines generalised ({contact}, {n}). Nullable: shown as null in the sample,
// or fulfillmentRequestedAt, which seed 003 says is set only when fulfillment
// is triggered.
var happyColisFields = map[string]hcField{
	"/header":                             {},
	"/header/organizationId":              {},
	"/header/messageId":                   {},
	"/header/webhookId":                   {},
	"/header/type":                        {},
	"/header/date":                        {},
	"/body":                               {},
	"/body/id":                            {},
	"/body/externalReference":             {},
	"/body/organizationId":                {},
	"/body/tpAppId":                       {},
	"/body/shippingMethodId":              {},
	"/body/shippingMethodName":            {},
	"/body/collectPointId":                nullable("MR-012345"),
	"/body/collectPointCountry":           nullable("BE"),
	"/body/collectPointZipCode":           nullable("1000"),
	"/body/type":                          {},
	"/body/dispatchingType":               {},
	"/body/total":                         {},
	"/body/totalTaxInclusive":             {},
	"/body/totalShipping":                 {},
	"/body/totalDiscount":                 {},
	"/body/totalVat":                      {},
	"/body/totalInsurance":                nullable(json.Number("2.50")),
	"/body/currency":                      {},
	"/body/invoiceNumber":                 {},
	"/body/invoiceUrl":                    {},
	"/body/gift":                          {},
	"/body/inventoryPolicy":               {},
	"/body/issuedAt":                      {},
	"/body/prepareAt":                     nullable("2024-03-16T08:00:00Z"),
	"/body/receivedAt":                    {},
	"/body/fulfillmentRequestedAt":        {nullable: true},
	"/body/{contact}":                     {},
	"/body/{contact}/id":                  {},
	"/body/{contact}/type":                {},
	"/body/{contact}/organizationId":      {},
	"/body/{contact}/fullname":            {},
	"/body/{contact}/email":               {},
	"/body/{contact}/address":             {},
	"/body/{contact}/addressComplement":   {},
	"/body/{contact}/zipcode":             {},
	"/body/{contact}/country":             {},
	"/body/{contact}/city":                {},
	"/body/{contact}/state":               nullable("Ile-de-France"),
	"/body/{contact}/phone":               {},
	"/body/{contact}/comments":            nullable("Ring twice"),
	"/body/{contact}/metadata":            nullable(map[string]any{"source": "shopify", "tags": []any{"vip"}}),
	"/body/{contact}/taxId":               nullable("FR40123456789"),
	"/body/{contact}/eori":                nullable("FR12345678901234"),
	"/body/{contact}/form":                nullable("SAS"),
	"/body/{contact}/capital":             nullable(json.Number("37000")),
	"/body/{contact}/companyId":           nullable("123 456 789 00012"),
	"/body/{contact}/registration":        nullable("RCS Paris B 123 456 789"),
	"/body/seller":                        nullable(contact),
	"/body/comment":                       nullable("Leave at the door"),
	"/body/meta":                          nullable(map[string]any{"channel": "web"}),
	"/body/state":                         {},
	"/body/priority":                      {},
	"/body/locked":                        {},
	"/body/opening":                       {},
	"/body/sourceType":                    {},
	"/body/deliveryType":                  {},
	"/body/lines":                         {},
	"/body/lines/{n}/id":                  {},
	"/body/lines/{n}/orderId":             {},
	"/body/lines/{n}/status":              {},
	"/body/lines/{n}/label":               {},
	"/body/lines/{n}/sku":                 {},
	"/body/lines/{n}/price":               {},
	"/body/lines/{n}/vatRate":             {},
	"/body/lines/{n}/total":               {},
	"/body/lines/{n}/totalTaxInclusive":   {},
	"/body/lines/{n}/fulfillableQuantity": {},
	"/body/lines/{n}/quantity":            {},
	"/body/lines/{n}/fulfilledQuantity":   {},
	"/body/lines/{n}/meta":                nullable(map[string]any{"giftWrap": true}),
	"/body/lines/{n}/locationId":          {},
	"/body/lines/{n}/shippingMethodId":    nullable("f6a7b8c9-d0e1-2345-fabc-456789012345"),
	"/body/lines/{n}/number":              {},
}

var (
	contactPath = regexp.MustCompile(`^/body/(buyer|billingContact|deliveryContact)(/|$)`)
	linePath    = regexp.MustCompile(`^/body/lines/[0-9]+/`)
)

func generalise(p string) string {
	p = contactPath.ReplaceAllString(p, "/body/{contact}$2")
	return linePath.ReplaceAllString(p, "/body/lines/{n}/")
}

// wrongFor returns a value of another JSON type than v.
func wrongFor(v any) any {
	switch v.(type) {
	case string:
		return json.Number("1")
	case json.Number:
		return "1"
	case bool:
		return "true"
	case map[string]any:
		return []any{}
	}
	return map[string]any{}
}

// TestHappyColisFieldTableIsComplete cross-checks the decision table with
// the sample: every field of the sample is decided, and nothing else.
func TestHappyColisFieldTableIsComplete(t *testing.T) {
	doc := decodeFresh(t, readExample(t, "happycolis-order-updated.json"))
	seen := map[string]bool{}
	for _, p := range memberPointers(doc, "") {
		g := generalise(p)
		seen[g] = true
		if _, ok := happyColisFields[g]; !ok {
			t.Errorf("sample field %s (%s) is missing from happyColisFields", p, g)
		}
	}
	for g := range happyColisFields {
		if !seen[g] {
			t.Errorf("happyColisFields has %s, which the sample does not", g)
		}
	}
}

// TestHappyColisMutations is generated from the sample and the decision
// table: null is valid exactly when the field is nullable, a value of the
// implied type is valid where the sample shows only null, and deleting a
// field, a wrong type, a negative number or a fractional quantity is invalid
// with a violation at the field's pointer.
func TestHappyColisMutations(t *testing.T) {
	doc := readExample(t, "happycolis-order-updated.json")
	pointers := memberPointers(decodeFresh(t, doc), "")
	sort.Strings(pointers)
	for _, p := range pointers {
		f := happyColisFields[generalise(p)]
		for _, name := range []string{schemas.HappyColisOrderEvent, schemas.HappyColisOrderEventStrict} {
			t.Run(name+p, func(t *testing.T) {
				sample := lookup(t, decodeFresh(t, doc), p)

				v := decodeFresh(t, doc)
				set(t, v, p, nil)
				if f.nullable {
					expectValid(t, name, v)
				} else {
					expectOnlyAt(t, name, v, p)
				}

				v = decodeFresh(t, doc)
				remove(t, v, p)
				expectOnlyAt(t, name, v, p)

				typed := sample
				if sample == nil {
					if f.implied == nil {
						t.Fatalf("%s is null in the sample: happyColisFields must give the implied value", p)
					}
					typed = f.implied
					v = decodeFresh(t, doc)
					set(t, v, p, f.implied)
					expectValid(t, name, v)
				}

				v = decodeFresh(t, doc)
				set(t, v, p, wrongFor(typed))
				expectOnlyAt(t, name, v, p)

				if _, ok := typed.(json.Number); !ok {
					return
				}
				v = decodeFresh(t, doc)
				set(t, v, p, json.Number("-1"))
				expectOnlyAt(t, name, v, p)

				_, key := splitPointer(p)
				v = decodeFresh(t, doc)
				set(t, v, p, json.Number("0.5"))
				if countField.MatchString(key) {
					expectOnlyAt(t, name, v, p)
				} else {
					expectValid(t, name, v)
				}
			})
		}
	}
}

// TestHappyColisValues checks the enums, identifiers and dates of the
// envelope and body.
func TestHappyColisValues(t *testing.T) {
	type values struct {
		pointer      string
		valid, wrong []any
	}
	tests := []values{
		{"/header/type", []any{"order/created", "order/updated", "order/opened", "order/completed", "order/cancelled"},
			[]any{"order/deleted", "order.updated", "ORDER/UPDATED"}},
		{"/header/organizationId", []any{"a1b2c3d4-e5f6-7890-abcd-ef1234567890", "org_a1b2c3d4-e5f6-7890-abcd-ef1234567890"},
			[]any{"org-a1b2c3d4-e5f6-7890-abcd-ef1234567890", "org_", "a1b2c3d4"}},
		{"/header/messageId", []any{"e5f6a7b8-c9d0-1234-efab-456789012345"}, []any{"msg-1", ""}},
		{"/header/date", []any{"2024-03-15T11:05:00.000Z", "2024-03-15T12:05:00+01:00"},
			[]any{"2024-03-15T11:05:00", "2024-03-15 11:05:00Z", "2024-03-15"}},
		{"/body/organizationId", []any{"a1b2c3d4-e5f6-7890-abcd-ef1234567890"}, []any{"org_a1b2c3d4-e5f6-7890-abcd-ef1234567890"}},
		{"/body/type", []any{"B2B", "B2C"}, []any{"b2c", "C2C"}},
		{"/body/dispatchingType", []any{"AUTOMATIC", "MANUAL"}, []any{"AUTO"}},
		{"/body/inventoryPolicy", []any{"DENY", "ALLOW", "SKIP", "ADJUST"}, []any{"deny", "CONTINUE"}},
		{"/body/state", []any{"DRAFT", "OPENED", "COMPLETED"}, []any{"CANCELLED", "opened"}},
		{"/body/priority", []any{"LOW", "NORMAL", "HIGH"}, []any{"URGENT"}},
		{"/body/sourceType", []any{"CMS", "API", "MANUAL_ENTRY"}, []any{"cms", "", "9CMS"}},
		{"/body/deliveryType", []any{"HOME", "PICKUP"}, []any{"home"}},
		{"/body/currency", []any{"EUR", "USD"}, []any{"eur", "EURO"}},
		{"/body/invoiceUrl", []any{"https://cdn.example.com/i.pdf"}, []any{"not a url"}},
		{"/body/buyer/country", []any{"FR", "BE"}, []any{"FRA", "fr"}},
		{"/body/lines/1/status", []any{"PENDING", "ACCEPTED", "IN_PROGRESS", "FULFILLED", "DELIVERED", "CANCELED"},
			[]any{"CANCELLED", "SHIPPED"}},
		{"/body/lines/0/vatRate", []any{json.Number("0"), json.Number("0.055"), json.Number("1")}, []any{json.Number("20")}},
		{"/body/lines/0/locationId", []any{"f0a1b2c3-d4e5-6789-f0ab-123456789012"}, []any{"warehouse-1"}},
	}
	doc := readExample(t, "happycolis-order-updated.json")
	for _, tt := range tests {
		for _, name := range []string{schemas.HappyColisOrderEvent, schemas.HappyColisOrderEventStrict} {
			for _, val := range slices.Concat(tt.valid, tt.wrong) {
				valid := slices.Contains(tt.valid, val)
				t.Run(fmtCase(name+tt.pointer, val, valid), func(t *testing.T) {
					v := decodeFresh(t, doc)
					set(t, v, tt.pointer, val)
					if valid {
						expectValid(t, name, v)
					} else {
						expectOnlyAt(t, name, v, tt.pointer)
					}
				})
			}
		}
	}
}

// TestHappyColisSellerIsAContact: a non-null seller is checked like the
// other contacts.
func TestHappyColisSellerIsAContact(t *testing.T) {
	v := decodeFresh(t, readExample(t, "happycolis-order-updated.json"))
	seller := map[string]any{}
	for k, val := range contact {
		seller[k] = val
	}
	delete(seller, "email")
	set(t, v, "/body/seller", seller)
	expectOnlyAt(t, schemas.HappyColisOrderEvent, v, "/body/seller/email")
}
