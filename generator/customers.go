package generator

import (
	"strconv"
	"strings"
	"unicode"
)

// customer is a Phasio customer organisation: the anchor that makes an
// order's name, address, phone, e-mail, currency, tax and numbering agree.
type customer struct {
	id          int64
	name        string
	code        string // in quote and order numbers: Q-<code>-00042
	country     *country
	city        *city
	street1     string
	street2     *string
	zip         string
	phone       string
	email       string
	residential bool
	addressID   string
	termsDays   int
	refStyle    string // customReference template; "" = usually none
	quotes      int64  // quotes numbered so far
}

// countryWeights is how often each country's customers order (Phasio).
var countryWeights = []weighted{
	{"US", 24}, {"DE", 14}, {"GB", 10}, {"NL", 9}, {"FR", 8}, {"IT", 5}, {"CH", 4}, {"ES", 4},
	{"BE", 3}, {"AT", 3}, {"SE", 3}, {"PL", 3}, {"CA", 3}, {"AU", 3}, {"DK", 2}, {"NO", 2}, {"IE", 2}, {"LU", 1},
}

var freemail = map[string][]string{
	"US": {"gmail.com", "outlook.com", "yahoo.com"},
	"DE": {"gmx.de", "web.de", "t-online.de"},
	"FR": {"orange.fr", "free.fr", "laposte.net"},
	"GB": {"btinternet.com", "hotmail.co.uk"},
	"NL": {"ziggo.nl", "kpnmail.nl"},
	"IT": {"libero.it", "virgilio.it"},
}

var (
	refStyles = []string{"PO-{year}-####", "PO######", "{code}-PO-#####", "#########", "", ""}
	mailRoles = []string{"receiving", "orders", "purchasing", "procurement", "logistics", "info"}
	terms     = []int{14, 30, 30, 30, 45, 60}
)

// DefaultCustomers is how many customer organisations a run's orders come
// from (customers order again, so numbers per organisation go up).
const DefaultCustomers = 40

// newCustomer makes a customer in co, or in a weighted random country.
func newCustomer(r *rng, id int64, co *country) *customer {
	if co == nil {
		co = countryByCode[pickWeighted(r, countryWeights)]
	}
	ct := &co.cities[r.intn(len(co.cities))]
	c := &customer{id: id, country: co, city: ct, termsDays: pick(r, terms), refStyle: pick(r, refStyles)}
	c.street1 = r.street(co)
	if r.chance(0.4) {
		c.street2 = ptr(r.digits(pick(r, co.units)))
	}
	c.zip = r.digits(ct.zip)
	c.phone = r.phone(co, ct)
	c.addressID = "addr-" + strconv.FormatInt(id, 10) + "-1"
	if r.chance(0.08) { // a private customer: residential, personal e-mail, paid upfront
		first, last := r.fake.FirstName(), r.fake.LastName()
		c.name = first + " " + last
		c.code = codeOf(last)
		c.residential = true
		c.termsDays = 0
		c.refStyle = ""
		mails := freemail[co.code]
		if mails == nil {
			mails = []string{"gmail.com", "outlook.com"}
		}
		c.email = slug(first) + "." + slug(last) + "@" + pick(r, mails)
		return c
	}
	c.name = r.fake.Company()
	c.code = codeOf(c.name)
	domain := slug(c.name) + "." + co.tld
	if r.chance(0.7) {
		c.email = pick(r, mailRoles) + "@" + domain
	} else {
		c.email = slug(r.fake.FirstName()) + "." + slug(r.fake.LastName()) + "@" + domain
	}
	return c
}

// codeOf makes a 3-letter code from a name: initials of its words, filled
// up with the first word's letters ("Acme Manufacturing" → "AMA").
func codeOf(name string) string {
	var words []string
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if lw := strings.ToLower(w); lw != "and" && lw != "inc" && lw != "llc" && lw != "ltd" && lw != "co" {
			words = append(words, strings.ToUpper(asciiLetters(w)))
		}
	}
	var code []byte
	for _, w := range words {
		if len(w) > 0 && len(code) < 3 {
			code = append(code, w[0])
		}
	}
	for i := 1; len(code) < 3 && len(words) > 0 && i < len(words[0]); i++ {
		code = append(code, words[0][i])
	}
	for len(code) < 3 {
		code = append(code, 'X')
	}
	return string(code)
}

// slug lower-cases name to the letters and digits usable in an e-mail
// address or domain ("Smith and Sons" → "smithandsons").
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(asciiLetters(name)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "contact"
	}
	return b.String()
}

// asciiLetters folds the accented Latin letters of generated names to ASCII.
func asciiLetters(s string) string { return asciiFold.Replace(s) }

// asciiFold is built once: building a Replacer costs more than a customer.
var asciiFold = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "è", "e", "à", "a", "ç", "c",
	"Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "É", "E")

// reference returns a customReference in the customer's style, or nil.
func (c *customer) reference(r *rng, year int) *string {
	if c.refStyle == "" || r.chance(0.25) {
		return nil
	}
	// Two replacements, not a Replacer built per order (which cost more
	// than the rest of the reference): the year's digits and the
	// customer's letters hold no placeholder of the other.
	s := strings.ReplaceAll(strings.ReplaceAll(c.refStyle, "{year}", strconv.Itoa(year)), "{code}", c.code)
	return ptr(r.digits(s))
}

// quoteNumber and orderNumber share the customer's code and the quote's
// sequence number, so an order's number is predictable from its quote's.
func (c *customer) quoteNumber(seq int64) string { return "Q-" + c.code + "-" + leftPad(seq, 5) }
func (c *customer) orderNumber(seq int64) string { return "ORD-" + c.code + "-" + leftPad(seq, 5) }
