package generator

import (
	"strings"

	"github.com/orderhooks/orderhooks/generator/decimal"
	"github.com/orderhooks/orderhooks/generator/happycolis"
)

// edgeCase is one kind of schema-valid but unusual order. Runs take the
// cases in turn; each case changes the order when it is built, so a whole
// lifecycle stays that kind of order and its amounts still add up.
type edgeCase struct {
	label      string
	parts      int // parts or lines to build with; 0: as usual
	phasio     func(r *rng, po *phasioOrder)
	happycolis func(r *rng, h *hcOrder)
}

var edgeCases = []edgeCase{
	{label: "edge: every nullable field null", phasio: phasioNulls, happycolis: hcNulls},
	{label: "edge: empty arrays", phasio: phasioEmpty, happycolis: hcEmpty},
	{label: "edge: zero amounts", phasio: phasioZero, happycolis: hcZero},
	{label: "edge: very large amounts and quantities", phasio: phasioHuge, happycolis: hcHuge},
	{label: "edge: 200 parts or lines", parts: 200, phasio: func(*rng, *phasioOrder) {}, happycolis: func(*rng, *hcOrder) {}},
	{label: "edge: long strings with quotes, backslashes and control characters", phasio: phasioLong, happycolis: hcLong},
	{label: "edge: non-Latin text (CJK, Cyrillic, Arabic, Greek, Hangul, emoji)", phasio: phasioNonLatin, happycolis: hcNonLatin},
}

func phasioNulls(_ *rng, po *phasioOrder) {
	o := &po.o
	o.ThreadID, o.CustomReference, o.Shipping = nil, nil, nil
	for i := range o.Parts {
		p := &o.Parts[i]
		p.Color, p.Infill, p.Precision = nil, nil, nil
		p.Volume, p.Area, p.Width, p.Height, p.Depth = nil, nil, nil, nil, nil
		p.MinBoundingBoxVolume, p.MinimumWallThickness, p.ConvexHullVolume, p.ShrinkWrapVolume = nil, nil, nil, nil
	}
	o.Pricing.DiscountPercentage = nil
	o.Pricing.ShippingFee = 0
	po.nullTotals, po.noTopUp, po.nullActor = true, true, true
}

func hcNulls(_ *rng, h *hcOrder) {
	o := &h.env.Body
	o.CollectPointID, o.CollectPointCountry, o.CollectPointZipCode = nil, nil, nil
	o.TotalInsurance, o.PrepareAt, o.Seller, o.Comment, o.Meta = nil, nil, nil, nil, nil
	for _, c := range []*happycolis.Contact{o.Buyer, o.BillingContact, o.DeliveryContact} {
		c.State, c.Comments, c.Metadata, c.TaxID, c.Eori = nil, nil, nil, nil, nil
		c.Form, c.Capital, c.CompanyID, c.Registration = nil, nil, nil, nil
	}
	for i := range o.Lines {
		o.Lines[i].Meta, o.Lines[i].ShippingMethodID = nil, nil
	}
	o.Retotal()
}

func phasioEmpty(_ *rng, po *phasioOrder) {
	po.o.Parts, po.o.Expenses = nil, nil
}

func hcEmpty(_ *rng, h *hcOrder) {
	h.env.Body.Lines = nil
	h.env.Body.TotalDiscount = 0
	h.env.Body.Retotal()
}

func phasioZero(_ *rng, po *phasioOrder) {
	o := &po.o
	for i := range o.Parts {
		o.Parts[i].PricePerPart = 0
		for j := range o.Parts[i].PostProcessings {
			o.Parts[i].PostProcessings[j].Price = 0
		}
	}
	for i := range o.Expenses {
		o.Expenses[i].Price = 0
	}
	o.Pricing.ShippingFee = 0
	po.noTopUp = true
}

func hcZero(_ *rng, h *hcOrder) {
	o := &h.env.Body
	for i := range o.Lines {
		o.Lines[i].Price = 0
	}
	o.TotalShipping, o.TotalDiscount = 0, 0
	o.TotalInsurance = ptr(decimal.Decimal(0))
	o.Retotal()
}

// phasioHuge makes totals near a trillion: still exact in cents and in a
// float64, which is what a receiver decoding JSON numbers gets.
func phasioHuge(r *rng, po *phasioOrder) {
	o := &po.o
	for i := range o.Parts {
		o.Parts[i].Quantity = 1_000_000
		o.Parts[i].PricePerPart = decimal.Decimal(r.between(1_000_000, 9_999_999))
	}
	for i := range o.Expenses {
		o.Expenses[i].Price = decimal.Units(1_000_000)
	}
	o.Pricing.ShippingFee = decimal.Units(250_000)
}

func hcHuge(r *rng, h *hcOrder) {
	o := &h.env.Body
	for i := range o.Lines {
		l := &o.Lines[i]
		l.Quantity, l.FulfillableQuantity = 10_000, 10_000
		l.Price = decimal.Decimal(r.between(500_000, 999_999))
	}
	o.TotalShipping = decimal.Units(9_999)
	o.Retotal()
}

// tricky is text that breaks naive JSON, CSV and HTML handling.
const tricky = "Quote \"double\" and 'single', back\\slash, tab\there, new\nline, <script>alert(1)</script> & ampersand, 100% — em dash, emoji 🔧, RTL \u200f\u200fעברית\u200f. "

// longText is at least n bytes of tricky text.
func longText(n int) string { return strings.Repeat(tricky, n/len(tricky)+1) }

func phasioLong(_ *rng, po *phasioOrder) {
	o := &po.o
	o.CustomerOrganisationName = longText(2000)
	o.CustomReference = ptr(longText(500))
	for i := range o.Parts {
		o.Parts[i].Name = longText(1000)
	}
	if o.Shipping != nil {
		o.Shipping.ShippingMethod = longText(300)
		if a := o.Shipping.Address; a != nil {
			a.Street1, a.Street2, a.City, a.Name = ptr(longText(500)), ptr(longText(500)), ptr(longText(200)), ptr(longText(1000))
		}
	}
}

func hcLong(_ *rng, h *hcOrder) {
	o := &h.env.Body
	o.ExternalReference, o.ShippingMethodName, o.Comment = longText(300), longText(300), ptr(longText(5000))
	for _, c := range []*happycolis.Contact{o.Buyer, o.BillingContact, o.DeliveryContact} {
		c.Fullname, c.Address, c.AddressComplement, c.City = longText(500), longText(1000), longText(500), longText(200)
	}
	for i := range o.Lines {
		o.Lines[i].Label = longText(1000)
	}
}

var (
	foreignCompanies = []string{"株式会社山田精密工業", "ООО «ТехноПром»", "شركة الدقة للتصنيع", "Ελληνική Μηχανική Α.Ε.", "北京精工制造有限公司", "주식회사 한빛정밀"}
	foreignParts     = []string{"支架组件", "ブラケット（改訂Ｂ）", "Кронштейн крепления", "حامل المحرك", "Βάση στήριξης", "🔧 Halterung ✓", "Zoe\u0301's Ångström Rev. Ⅱ", "모터 하우징"}
	foreignPeople    = []string{"山田 太郎", "Иван Петров", "محمد الأحمد", "Γιώργος Παπαδόπουλος", "김민준", "Zoe\u0301 Ångström 👩‍🔧"}
	foreignStreets   = []string{"丸の内一丁目1番1号", "ул. Промышленная, д. 12", "شارع الصناعة ١٢", "Οδός Ερμού 25", "테헤란로 152"}
	foreignLabels    = []string{"Tシャツ 白 M", "Футболка белая M", "قميص أبيض M", "Μπλουζάκι λευκό M", "티셔츠 흰색 M", "T-Shirt 🌈 Größe M"}
)

func phasioNonLatin(r *rng, po *phasioOrder) {
	o := &po.o
	o.CustomerOrganisationName = pick(r, foreignCompanies)
	for i := range o.Parts {
		o.Parts[i].Name = pick(r, foreignParts)
	}
	if o.Shipping != nil && o.Shipping.Address != nil {
		a := o.Shipping.Address
		a.Street1, a.Name = ptr(pick(r, foreignStreets)), ptr(o.CustomerOrganisationName)
	}
}

func hcNonLatin(r *rng, h *hcOrder) {
	o := &h.env.Body
	for _, c := range []*happycolis.Contact{o.Buyer, o.BillingContact, o.DeliveryContact} {
		c.Fullname, c.Address = pick(r, foreignPeople), pick(r, foreignStreets)
	}
	for i := range o.Lines {
		o.Lines[i].Label = pick(r, foreignLabels)
	}
}
