package generator

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator/decimal"
	"github.com/orderhooks/orderhooks/generator/happycolis"
)

// merchant is the HappyColis organisation whose orders a run produces: one
// shop, its warehouses, carriers and webhook subscriptions.
type merchant struct {
	orgID     string
	tpAppID   string
	brand     string
	domain    string
	locations []string
	methods   []shippingMethod
	webhooks  map[string]string // event type → webhook id
	shopSeq   int64
	invoices  int64
}

type shippingMethod struct {
	id, name, delivery string
	price              decimal.Decimal // VAT-free, see the happycolis package doc
	relay              bool
}

func newMerchant(r *rng) *merchant {
	m := &merchant{orgID: r.uuid(), tpAppID: r.uuid(), brand: r.fake.Company(), webhooks: map[string]string{}}
	m.domain = slug(m.brand) + ".fr"
	m.locations = []string{r.uuid(), r.uuid()}
	for _, sm := range []shippingMethod{
		{name: "Colissimo Domicile", delivery: "HOME", price: 599},
		{name: "Colissimo Point Retrait", delivery: "RELAY", price: 449, relay: true},
		{name: "Mondial Relay Point Relais", delivery: "RELAY", price: 399, relay: true},
		{name: "Chronopost 13H", delivery: "HOME", price: 1290},
		{name: "DPD Predict", delivery: "HOME", price: 690},
	} {
		sm.id = r.uuid()
		m.methods = append(m.methods, sm)
	}
	for _, t := range Events(ProviderHappyColis) {
		m.webhooks[t] = r.uuid()
	}
	m.shopSeq = r.between(10000, 60000)
	m.invoices = r.between(1000, 9000)
	return m
}

// buyerCountries is where the (French) shop's customers live.
var buyerCountries = []weighted{{"FR", 70}, {"BE", 8}, {"DE", 6}, {"ES", 5}, {"IT", 4}, {"NL", 4}, {"LU", 3}}

type product struct {
	label, sku string
	lo, hi     float64 // VAT-free euros
	sizes      []string
	variants   [][2]string // French label, SKU part
	reduced    bool        // reduced VAT (books)
}

var (
	colors   = [][2]string{{"Blanc", "WHITE"}, {"Noir", "BLACK"}, {"Bleu", "BLUE"}, {"Rouge", "RED"}, {"Vert", "GREEN"}, {"Gris", "GREY"}, {"Beige", "BEIGE"}}
	products = []product{
		{label: "T-Shirt", sku: "TSHIRT", lo: 15, hi: 29, sizes: []string{"S", "M", "L", "XL"}, variants: colors},
		{label: "Sweat à capuche", sku: "HOODIE", lo: 39, hi: 65, sizes: []string{"S", "M", "L", "XL"}, variants: colors},
		{label: "Pantalon", sku: "PANTS", lo: 35, hi: 79, sizes: []string{"36", "38", "40", "42", "44"}, variants: colors},
		{label: "Casquette", sku: "CAP", lo: 16, hi: 29, variants: colors},
		{label: "Chaussettes", sku: "SOCKS", lo: 6, hi: 12, sizes: []string{"35-38", "39-42", "43-46"}, variants: colors},
		{label: "Tote bag", sku: "TOTE", lo: 9, hi: 19, variants: colors},
		{label: "Mug céramique", sku: "MUG", lo: 9, hi: 16, variants: colors},
		{label: "Bougie parfumée", sku: "CANDLE", lo: 18, hi: 32, variants: [][2]string{{"Vanille", "VANILLA"}, {"Figue", "FIG"}, {"Ambre", "AMBER"}, {"Fleur d'oranger", "ORANGE-BLOSSOM"}}},
		{label: "Livre de recettes", sku: "BOOK-RECIPES", lo: 19, hi: 35, reduced: true},
		{label: "Carnet A5", sku: "NOTEBOOK-A5", lo: 7, hi: 14, variants: colors},
	}
	comments  = []string{"Merci de livrer avant 18h.", "Laisser le colis chez le gardien.", "Code porte 4512B.", "C'est un cadeau, merci de ne pas joindre la facture.", "Sonner deux fois."}
	forms     = map[string][]string{"FR": {"SAS", "SARL", "SA", "EURL"}, "DE": {"GmbH", "AG", "UG"}, "BE": {"SRL", "SA", "BV"}, "ES": {"SL", "SA"}, "IT": {"S.r.l.", "S.p.A."}, "NL": {"B.V."}, "LU": {"S.à r.l.", "SA"}}
	policies  = []string{"DENY", "DENY", "DENY", "DENY", "ALLOW", "SKIP", "ADJUST"}
	sources   = []string{"CMS", "CMS", "CMS", "API", "MARKETPLACE", "MANUAL"}
	lineSizes = []int64{1, 1, 1, 1, 1, 1, 1, 2, 2, 3}
)

// hcOrder is one HappyColis order's state during a lifecycle.
type hcOrder struct {
	env   happycolis.Envelope
	m     *merchant
	phase hcPhase
}

func newHCOrder(r *rng, m *merchant, at time.Time, spec partSpec) *hcOrder {
	h := &hcOrder{m: m}
	o := &h.env.Body
	o.ID = r.uuid()
	m.shopSeq += r.between(1, 9)
	o.ExternalReference = "SHOP-" + strconv.FormatInt(m.shopSeq, 10)
	o.OrganizationID = m.orgID
	o.TpAppID = m.tpAppID
	o.Type = "B2C"
	if r.chance(0.15) {
		o.Type = "B2B"
	}
	o.DispatchingType = "AUTOMATIC"
	if r.chance(0.2) {
		o.DispatchingType = "MANUAL"
	}
	o.Currency = "EUR"
	m.invoices++
	o.InvoiceNumber = "INV-" + strconv.Itoa(at.Year()) + "-" + leftPad(m.invoices, 6)
	o.InvoiceURL = "https://www." + m.domain + "/invoices/" + o.InvoiceNumber + ".pdf"
	o.Gift = r.chance(0.05)
	o.InventoryPolicy = pick(r, policies)
	o.IssuedAt = at.Add(-time.Duration(r.between(60, 3*3600)) * time.Second).Truncate(time.Second)
	o.ReceivedAt = at
	if r.chance(0.1) { // a scheduled preparation, next working morning or later
		d := at.AddDate(0, 0, int(r.between(1, 3)))
		o.PrepareAt = ptr(time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, time.UTC))
	}
	countryCode := spec.country
	if countryCode == "" {
		countryCode = pickWeighted(r, buyerCountries)
	}
	co := countryByCode[countryCode]
	buyer := newContact(r, m, co, o.Type == "B2B")
	o.Buyer = buyer
	o.BillingContact = buyer
	if r.chance(0.15) {
		o.BillingContact = newContact(r, m, co, o.Type == "B2B")
	}
	delivery := *buyer
	delivery.ID = r.uuid()
	if o.Gift { // sent to someone else
		delivery = *newContact(r, m, co, false)
	}
	o.DeliveryContact = &delivery
	sm := pick(r, m.methods)
	o.ShippingMethodID, o.ShippingMethodName, o.DeliveryType = sm.id, sm.name, sm.delivery
	if sm.relay {
		o.CollectPointID = ptr(r.digits("MR-######"))
		o.CollectPointCountry = ptr(delivery.Country)
		o.CollectPointZipCode = ptr(delivery.Zipcode)
	}
	if r.chance(0.15) {
		o.Comment = ptr(pick(r, comments))
	}
	o.State = happycolis.StateDraft
	o.Priority = "NORMAL"
	switch k := r.intn(100); {
	case k < 3:
		o.Priority = "LOW"
	case k < 10:
		o.Priority = "HIGH"
	}
	o.SourceType = pick(r, sources)
	n := spec.parts
	if n == 0 {
		n = 1 + int(math.Min(3, math.Floor(-math.Log(1-r.uniform(0, 0.999))*0.9)))
	}
	location := pick(r, m.locations)
	o.Lines = make([]happycolis.Line, 0, n)
	for i := range n {
		o.Lines = append(o.Lines, newLine(r, o.ID, location, co, i+1))
	}
	var goods decimal.Decimal
	for _, l := range o.Lines {
		goods += l.Price.Mul(l.Quantity)
	}
	if goods < 6000 { // free shipping from 60 €
		o.TotalShipping = sm.price
	}
	if r.chance(0.25) {
		o.TotalDiscount = min(goods, goods.Percent(decimal.Units(pick(r, []int64{5, 10, 15}))))
	}
	if r.chance(0.12) {
		o.TotalInsurance = ptr(decimal.Decimal(r.between(150, 490)))
	}
	o.Retotal()
	return h
}

func newLine(r *rng, orderID, location string, co *country, number int) happycolis.Line {
	p := pick(r, products)
	label, sku := p.label, p.sku
	if p.variants != nil {
		v := pick(r, p.variants)
		label, sku = label+" "+v[0], sku+"-"+v[1]
	}
	if p.sizes != nil {
		s := pick(r, p.sizes)
		label, sku = label+" Taille "+s, sku+"-"+s
	}
	rate := decimal.Rate(co.tax)
	if p.reduced && co.reduced != 0 {
		rate = co.reduced
	}
	q := pick(r, lineSizes)
	return happycolis.Line{
		ID:                  r.uuid(),
		OrderID:             orderID,
		Status:              happycolis.LinePending,
		Label:               label,
		SKU:                 sku,
		Price:               decimal.Decimal(r.between(int64(p.lo*100), int64(p.hi*100)) / 10 * 10),
		VatRate:             rate,
		FulfillableQuantity: q,
		Quantity:            q,
		LocationID:          location,
		Number:              strconv.Itoa(number),
	}
}

func newContact(r *rng, m *merchant, co *country, company bool) *happycolis.Contact {
	ct := &co.cities[r.intn(len(co.cities))]
	first, last := r.fake.FirstName(), r.fake.LastName()
	c := &happycolis.Contact{
		ID:             r.uuid(),
		Type:           "PERSON",
		OrganizationID: m.orgID,
		Fullname:       first + " " + last,
		Address:        r.street(co),
		Zipcode:        r.digits(ct.zip),
		Country:        co.code,
		City:           ct.name,
		Phone:          r.mobile(co),
	}
	mails := freemail[co.code]
	if mails == nil {
		mails = []string{"gmail.com", "outlook.com"}
	}
	c.Email = slug(first) + "." + slug(last) + "@" + pick(r, mails)
	if r.chance(0.3) {
		c.AddressComplement = r.digits(pick(r, co.units))
	}
	if company {
		name := r.fake.Company()
		c.Type = "COMPANY"
		c.Fullname = name
		c.Email = pick(r, []string{"compta", "achats", "contact"}) + "@" + slug(name) + "." + co.tld
		c.Phone = compactPhone(r.phone(co, ct))
		c.TaxID = ptr(co.code + r.digits("###########"))
		if r.chance(0.5) {
			c.Eori = ptr(co.code + r.digits("##############"))
		}
		if f := forms[co.code]; f != nil {
			c.Form = ptr(pick(r, f))
		}
		c.Capital = ptr(decimal.Units(pick(r, []int64{1000, 5000, 10000, 37000, 50000, 100000})))
		c.CompanyID = ptr(r.digits("#########"))
		if co.code == "FR" {
			c.Registration = ptr("RCS " + ct.name + " " + r.digits("### ### ###"))
		}
	}
	return c
}

// weighted is a country code and how often it is drawn.
type weighted struct {
	code   string
	weight int
}

func pickWeighted(r *rng, ws []weighted) string {
	total := 0
	for _, w := range ws {
		total += w.weight
	}
	n := r.intn(total)
	for _, w := range ws {
		if n < w.weight {
			return w.code
		}
		n -= w.weight
	}
	return ws[0].code
}

func leftPad(n int64, width int) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}
