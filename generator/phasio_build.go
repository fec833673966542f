package generator

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator/decimal"
	"github.com/orderhooks/orderhooks/generator/phasio"
)

// DefaultLocalCurrency is the Phasio manufacturer's currency, in which
// totalLocalPrice is expressed.
const DefaultLocalCurrency = "EUR"

// minOrderEUR is the manufacturer's minimum order value; smaller orders get
// a top-up.
const minOrderEUR = 50

// phasioLocal is the Phasio createdDate layout: local time, no offset.
const phasioLocal = "2006-01-02T15:04:05"

// partSpec narrows what an order is built from (fixtures and edge cases).
type partSpec struct {
	parts      int    // 0: random 1–5
	technology string // "": random
	country    string // "": random customer
}

// phasioOrder is one order's state during a lifecycle.
type phasioOrder struct {
	o        phasio.Order
	cust     *customer
	seq      int64 // the quote's number within the customer
	nextPart int64 // part ids are orderId×1000 + n, never reused
	nextExp  int64
	created  time.Time
	local    string
	phase    phasioPhase
	// Edge cases: nullTotals keeps totalPrice and totalLocalPrice null,
	// noTopUp the top-up, nullActor the actorType.
	nullTotals, noTopUp, nullActor bool
}

// newPhasioOrder builds a quote: content, customer, prices; no order
// number, payment status or Kanban column yet.
func newPhasioOrder(r *rng, w *world, at time.Time, spec partSpec) *phasioOrder {
	cust := w.customer(r, spec.country)
	cust.quotes++
	w.orderID += r.between(1, MaxOrderIDStep)
	po := &phasioOrder{cust: cust, seq: cust.quotes, created: at, local: w.local}
	o := &po.o
	o.OrderID = w.orderID
	if r.chance(0.6) {
		o.ThreadID = ptr(o.OrderID*3 + r.between(0, 2))
	}
	o.QuoteNumber = cust.quoteNumber(po.seq)
	o.CustomerOrganisationID = cust.id
	o.CustomerOrganisationName = cust.name
	o.CreatedDate = at.Format(phasioLocal)
	o.CustomReference = cust.reference(r, at.Year())
	n := spec.parts
	if n == 0 {
		n = partCount(r)
	}
	var tech *technology
	if spec.technology != "" {
		tech = technologyByName[spec.technology]
	} else if r.chance(0.7) {
		tech = pick(r, technologies)
	}
	o.Parts = make([]phasio.Part, 0, n)
	for range n {
		t := tech
		if t == nil {
			t = pick(r, technologies)
		}
		po.addPart(r, t)
	}
	po.addExpenses(r)
	po.setPricing(r, at)
	po.reprice()
	return po
}

func partCount(r *rng) int {
	switch n := r.intn(100); {
	case n < 45:
		return 1
	case n < 70:
		return 2
	case n < 85:
		return 3
	case n < 94:
		return 4
	}
	return 5
}

// eur converts a euro amount to the order's currency, to the cent.
func (po *phasioOrder) eur(v float64) decimal.Decimal {
	d, _ := phasio.Convert(decimal.Decimal(math.Round(v*100)), "EUR", po.cust.country.currency)
	return d
}

func (po *phasioOrder) addPart(r *rng, t *technology) {
	po.nextPart++
	m := &t.materials[r.intn(len(t.materials))]
	p := phasio.Part{
		ID:              po.o.OrderID*1000 + po.nextPart,
		SpecificationID: r.uuid(),
		Name:            partName(r),
		Technology:      t.name,
		Material:        m.name,
		Quantity:        quantity(r, t.maxQty),
		Precision:       ptr(pick(r, t.precisions)),
	}
	g := newGeometry(r, t)
	g.set(&p)
	finishes := pickFinishes(r, m.finishes)
	switch {
	case m.colors != nil:
		p.Color = ptr(pick(r, m.colors))
	case t.colors != nil:
		p.Color = ptr(pick(r, t.colors))
	}
	if t.infills != nil {
		p.Infill = ptr(pick(r, t.infills))
	}
	areaCm2 := float64(g.area) / 1e4
	p.PostProcessings = make([]phasio.PostProcessing, len(finishes))
	steps := make([]phasio.ProductionStep, 0, len(t.before)+len(finishes)+len(t.after))
	for _, s := range t.before {
		steps = append(steps, phasio.ProductionStep{Name: s})
	}
	for i, f := range finishes {
		p.PostProcessings[i] = phasio.PostProcessing{Name: f.name, Price: po.eur(f.base + f.perCm2*areaCm2)}
		steps = append(steps, phasio.ProductionStep{Name: f.name})
		if f.color != "" {
			p.Color = ptr(f.color)
		}
	}
	for _, s := range t.after {
		steps = append(steps, phasio.ProductionStep{Name: s})
	}
	for i := range steps {
		steps[i].Sequence = int64(i + 1)
	}
	p.ProductionSteps = steps
	p.PricePerPart = po.eur(unitPrice(t, m, g, p.Quantity, *p.Precision == "High"))
	po.o.Parts = append(po.o.Parts, p)
}

// unitPrice is a plausible euro price per part: material, machine time,
// handling and the batch setup spread over the quantity, cheaper in bulk.
func unitPrice(t *technology, m *material, g geometry, qty int64, high bool) float64 {
	cm3 := float64(g.volume) / 1e5
	box := float64(g.box) / 1e5
	machine := box * t.perBoxCm3
	if t.name == "CNC Machining" {
		machine = (box - cm3) * t.perBoxCm3
	}
	v := cm3*m.perCm3 + machine + t.handling + t.setup/float64(qty)
	if high {
		v *= 1.35
	}
	v *= math.Pow(float64(qty), -0.08)
	return math.Max(v, 0.5)
}

func partName(r *rng) string {
	name := pick(r, partQualifiers) + " " + pick(r, partNouns)
	switch r.intn(4) {
	case 0: // a CAD file name, as uploaded
		ext := pick(r, []string{".step", ".stp", ".stl", ".3mf", ".iges"})
		return strings.ToLower(strings.ReplaceAll(name, " ", "_")) + "_rev_" + strings.ToLower(pick(r, revisions)) + ext
	case 1:
		return name + " Rev " + pick(r, revisions)
	}
	return name
}

// quantity is log-uniform in 1..max, often rounded to a batch size.
func quantity(r *rng, max int64) int64 {
	q := int64(math.Exp(r.uniform(0, math.Log(float64(max)+0.99))))
	if q >= 10 && r.chance(0.4) {
		for _, nice := range []int64{500, 250, 100, 50, 25, 10} {
			if q >= nice {
				return q / nice * nice
			}
		}
	}
	return max64(1, min(q, max))
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// pickFinishes takes zero to two finishes, at most one per group, in
// catalogue order (blasting before anodizing, priming before painting).
func pickFinishes(r *rng, all []finish) []finish {
	if len(all) == 0 || r.chance(0.35) {
		return nil
	}
	want := 1 + r.intn(2)
	chosen := make([]bool, len(all))
	for tries := 0; tries < 6 && want > 0; tries++ {
		i := r.intn(len(all))
		if chosen[i] {
			continue
		}
		clash := false
		for j, c := range chosen {
			clash = clash || (c && all[j].group == all[i].group)
		}
		if !clash {
			chosen[i] = true
			want--
		}
	}
	var out []finish
	for i, c := range chosen {
		if c {
			out = append(out, all[i])
		}
	}
	return out
}

func (po *phasioOrder) addExpenses(r *rng) {
	cnc, cert := false, false
	for i := range po.o.Parts {
		p := &po.o.Parts[i]
		cnc = cnc || p.Technology == "CNC Machining"
		for _, m := range technologyByName[p.Technology].materials {
			cert = cert || (m.name == p.Material && m.certified)
		}
	}
	n := 0
	switch k := r.intn(100); {
	case k < 35:
		n = 1
	case k < 53:
		n = 2
	case k < 60:
		n = 3
	}
	po.o.Expenses = make([]phasio.Expense, 0, n)
	used := 0
	for tries := 0; tries < 10 && len(po.o.Expenses) < n; tries++ {
		i := r.intn(len(expenseKinds))
		e := expenseKinds[i]
		if used&(1<<i) != 0 || (e.cnc && !cnc) || (e.cert && !cert) {
			continue
		}
		used |= 1 << i
		po.nextExp++
		po.o.Expenses = append(po.o.Expenses, phasio.Expense{
			ID:    po.o.OrderID*100 + po.nextExp,
			Name:  e.name,
			Price: po.eur(math.Round(r.uniform(e.lo, e.hi))),
		})
	}
}

// setPricing fills the pricing inputs: currency, shipping, tax rules,
// discount and due date. Totals come from reprice.
func (po *phasioOrder) setPricing(r *rng, at time.Time) {
	c := po.cust
	pr := &po.o.Pricing
	pr.Currency = c.country.currency
	pr.PaymentDueDate = at.AddDate(0, 0, c.termsDays).Format(time.DateOnly)
	if r.chance(0.35) {
		pr.DiscountPercentage = ptr(pick(r, []decimal.Decimal{250, 500, 750, 1000, 1250, 1500}))
	}
	pr.TaxPercentage, pr.ApplyTaxToShipping = c.country.taxFor(c.city)
	switch k := r.intn(100); {
	case k < 6: // no shipping configured
		po.o.Shipping = nil
	case k < 9:
		po.o.Shipping = &phasio.Shipping{ShippingMethod: "Customer Pickup"}
	default:
		po.o.Shipping = &phasio.Shipping{ShippingMethod: pick(r, c.country.carriers), Address: c.address()}
		if !r.chance(0.1) { // 10% ship free
			pr.ShippingFee = po.eur(math.Round(r.uniform(8, 60)))
		}
	}
}

func (c *customer) address() *phasio.Address {
	// The address and the strings it points to, in one allocation.
	b := &struct {
		a phasio.Address
		s [9]string
	}{s: [9]string{c.addressID, c.street1, c.city.name, c.country.code, c.zip, c.name, c.phone, c.email, c.city.state}}
	b.a = phasio.Address{
		ID:          &b.s[0],
		Street1:     &b.s[1],
		Street2:     c.street2,
		City:        &b.s[2],
		Country:     &b.s[3],
		Zip:         &b.s[4],
		Name:        &b.s[5],
		Phone:       &b.s[6],
		Email:       &b.s[7],
		Residential: c.residential,
	}
	if c.city.state != "" {
		b.a.State = &b.s[8]
	}
	return &b.a
}

// reprice recomputes the top-up and the totals after any change to parts,
// expenses or pricing inputs, so the pricing formula holds.
func (po *phasioOrder) reprice() {
	pr := &po.o.Pricing
	pr.TopUpAmount = nil
	b, _ := po.o.Breakdown(po.local)
	if minimum := po.eur(minOrderEUR); b.Net < minimum && !po.noTopUp {
		pr.TopUpAmount = ptr(minimum - b.Net)
	}
	_ = po.o.Reprice(po.local) // currencies come from the FX table
	if po.nullTotals {
		pr.TotalPrice, pr.TotalLocalPrice = nil, nil
	}
}

// geometry is a part's measurements in hundredths (mm, mm², mm³), built so
// that volume ≤ shrink wrap ≤ convex hull ≤ minimal box ≤ bounding box and
// the wall is thinner than the smallest dimension.
type geometry struct {
	w, h, d                           int64
	box, minBox, hull, shrink, volume int64
	wall, area                        int64
}

func newGeometry(r *rng, t *technology) geometry {
	var g geometry
	dim := func() int64 { return int64(math.Exp(r.uniform(math.Log(8), math.Log(t.maxDim))) * 100) }
	g.w, g.h, g.d = dim(), dim(), dim()
	g.box = g.w * g.h * g.d / 1e4
	g.volume = int64(float64(g.box) * r.uniform(t.fill[0], t.fill[1]))
	between := func(lo, hi int64, a, b float64) int64 { return lo + int64(float64(hi-lo)*r.uniform(a, b)) }
	g.minBox = between(g.volume, g.box, 0.4, 1)
	g.hull = between(g.volume, g.minBox, 0.3, 0.9)
	g.shrink = between(g.volume, g.hull, 0.2, 0.8)
	smallest := min(g.w, g.h, g.d)
	maxWall := min(t.minWall*5, float64(smallest)/200)
	g.wall = int64(math.Round(r.uniform(min(t.minWall, maxWall), maxWall) * 100))
	if g.wall >= smallest {
		g.wall = smallest - 1
	}
	v := float64(g.volume) / 100
	lo, hi := areaBounds(v, float64(g.wall)/100, float64(g.w)/100, float64(g.h)/100, float64(g.d)/100)
	meanWall := r.uniform(float64(g.wall)/100, math.Max(float64(g.wall)/100, float64(smallest)/200))
	a := math.Min(math.Max(2*v/meanWall*r.uniform(1, 1.3), lo*1.01), hi)
	g.area = int64(math.Ceil(a * 100))
	if float64(g.area)/100 > hi {
		g.area = int64(hi * 100)
	}
	return g
}

// areaBounds is the plausible surface area of a part of volume v (mm³) with
// minimum wall thickness wall in a w×h×d box (mm): at least that of a sphere
// of the same volume (no shape has less), at most that of a shell of
// thickness wall holding the volume plus the box's own surface.
func areaBounds(v, wall, w, h, d float64) (lo, hi float64) {
	lo = math.Cbrt(36 * math.Pi * v * v)
	hi = 2*v/wall + 2*(w*h+h*d+w*d)
	return lo, hi
}

func (g geometry) set(p *phasio.Part) {
	// The nine values the part points to, in one allocation.
	v := &[9]decimal.Decimal{decimal.Decimal(g.volume), decimal.Decimal(g.area), decimal.Decimal(g.w),
		decimal.Decimal(g.h), decimal.Decimal(g.d), decimal.Decimal(g.minBox), decimal.Decimal(g.wall),
		decimal.Decimal(g.hull), decimal.Decimal(g.shrink)}
	p.Volume, p.Area = &v[0], &v[1]
	p.Width, p.Height, p.Depth = &v[2], &v[3], &v[4]
	p.MinBoundingBoxVolume = &v[5]
	p.MinimumWallThickness = &v[6]
	p.ConvexHullVolume, p.ShrinkWrapVolume = &v[7], &v[8]
}

// itoa is strconv.FormatInt for ids in strings.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
