package pii_test

import (
	"fmt"
	"strings"

	"github.com/orderhooks/orderhooks/pii"
)

// Redact a HappyColis order: the buyer's personal data becomes made-up
// data of the same shape, everything else stays byte for byte.
func ExampleRedactor_Redact() {
	salt := []byte("a fixed salt for this example, 32") // a store keeps pii.NewSalt()
	r, err := pii.New(salt)
	if err != nil {
		panic(err)
	}
	payload := []byte(`{"header":{"type":"order/updated"},"body":{"state":"OPENED","buyer":{"fullname":"Ada Lovelace","email":"ada.lovelace@example.org","phone":"+44 20 7946 0018","country":"GB"}}}`)
	out, n, err := r.Redact("happycolis", "order/updated", payload)
	if err != nil {
		panic(err)
	}
	fmt.Println(n, "values replaced")
	fmt.Println(strings.Contains(string(out), "Ada"), strings.Contains(string(out), `"country":"GB"`))
	// Output:
	// 3 values replaced
	// false true
}

// The same value always gets the same pseudonym under one salt, and its
// words are the words of the e-mail address too.
func ExampleRedactor_Pseudonym() {
	r, _ := pii.New([]byte("a fixed salt for this example, 32"))
	name := r.Pseudonym(pii.KindName, "Ada Lovelace")
	email := r.Pseudonym(pii.KindEmail, "ada.lovelace@example.org")
	fmt.Println(name == r.Pseudonym(pii.KindName, "Ada Lovelace"))
	fmt.Println(strings.HasPrefix(email, strings.ToLower(strings.ReplaceAll(name, " ", "."))+"@"))
	fmt.Println(strings.HasSuffix(email, ".example"))
	// Output:
	// true
	// true
	// true
}

// Fields lists what the schemas mark as personal.
func ExampleFields() {
	fields, _ := pii.Fields("phasio/order")
	for _, f := range fields[:3] {
		fmt.Println(f.Pointer, f.Kind)
	}
	// Output:
	// /customReference reference
	// /customerOrganisationName company
	// /shipping/address/city city
}
