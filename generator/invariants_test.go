package generator

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator/decimal"
	"github.com/orderhooks/orderhooks/generator/happycolis"
	"github.com/orderhooks/orderhooks/generator/phasio"
	"github.com/orderhooks/orderhooks/schemas"
)

// This file checks what the issue promises of every generated payload and
// of every lifecycle; the property tests run it over thousands of seeds.

// checkSchema validates an event's payload against the strict schema of
// its provider and event (plus the Quote Converted rules).
func checkSchema(ev *Event) error {
	name, err := schemas.ForEvent(ev.Provider, ev.Event, true)
	if err != nil {
		return err
	}
	if err := schemas.Validate(name, ev.Payload); err != nil {
		return err
	}
	if ev.Event == PhasioQuoteConverted {
		return schemas.Validate(schemas.PhasioQuoteConverted, ev.Payload)
	}
	return nil
}

var (
	quoteNumber = regexp.MustCompile(`^Q-([A-Z]{3}[0-9]*)-[0-9]{5}$`)
	local       = phasioLocal
)

// checkPhasioOrder checks one snapshot: pricing to the cent, coherent
// manufacturing, physical geometry, and an address, phone, currency and tax
// that agree. edge relaxes what edge cases change on purpose; board is the
// Kanban board in use (nil: the default).
func checkPhasioOrder(o *phasio.Order, edge bool, board []KanbanColumn) error {
	if err := o.CheckPricing(DefaultLocalCurrency); err != nil {
		return err
	}
	if !quoteNumber.MatchString(o.QuoteNumber) {
		return fmt.Errorf("/quoteNumber %q does not match Q-CODE-NNNNN", o.QuoteNumber)
	}
	if o.OrderNumber != nil && *o.OrderNumber != "ORD"+o.QuoteNumber[1:] {
		return fmt.Errorf("/orderNumber %q does not follow /quoteNumber %q", *o.OrderNumber, o.QuoteNumber)
	}
	if board == nil {
		board = DefaultKanban()
	}
	if err := checkPhasioState(o, board); err != nil {
		return err
	}
	created, err := time.Parse(local, o.CreatedDate)
	if err != nil {
		return fmt.Errorf("/createdDate: %v", err)
	}
	if due, err := time.Parse(time.DateOnly, o.Pricing.PaymentDueDate); err != nil || due.Before(created.Truncate(24*time.Hour)) {
		return fmt.Errorf("/pricing/paymentDueDate %q before /createdDate %q", o.Pricing.PaymentDueDate, o.CreatedDate)
	}
	ids := map[int64]bool{}
	for i := range o.Parts {
		if ids[o.Parts[i].ID] {
			return fmt.Errorf("/parts/%d/id %d repeats", i, o.Parts[i].ID)
		}
		ids[o.Parts[i].ID] = true
		if err := checkPart(&o.Parts[i], edge); err != nil {
			return fmt.Errorf("/parts/%d: %w", i, err)
		}
	}
	if tu := o.Pricing.TopUpAmount; tu != nil && *tu <= 0 {
		return fmt.Errorf("/pricing/topUpAmount %s is not positive", tu)
	}
	if edge {
		return nil
	}
	return checkPhasioParty(o)
}

// checkPhasioState: payment status, order number and Kanban column agree.
func checkPhasioState(o *phasio.Order, board []KanbanColumn) error {
	if (o.KanbanColumnName == nil) != (o.KanbanColumnSequence == nil) {
		return fmt.Errorf("/kanbanColumnName and /kanbanColumnSequence: one is null, not the other")
	}
	if o.KanbanColumnName != nil {
		i := slices.IndexFunc(board, func(c KanbanColumn) bool { return c.Name == *o.KanbanColumnName })
		if i < 0 || board[i].Sequence != *o.KanbanColumnSequence {
			return fmt.Errorf("/kanbanColumnName %q is not column %d of the board", *o.KanbanColumnName, *o.KanbanColumnSequence)
		}
	}
	status := ""
	if o.PaymentStatus != nil {
		status = *o.PaymentStatus
	}
	committed := o.OrderNumber != nil
	switch status {
	case "", phasio.PaymentUnpaid:
		if committed || o.KanbanColumnName != nil {
			return fmt.Errorf("paymentStatus %q with an order number or a Kanban column", status)
		}
	case phasio.PaymentConfirmed, phasio.PaymentPaid:
		if !committed || o.KanbanColumnName == nil {
			return fmt.Errorf("paymentStatus %s without an order number or Kanban column", status)
		}
	default:
		return fmt.Errorf("/paymentStatus %q is not generated", status)
	}
	return nil
}

func checkPart(p *phasio.Part, edge bool) error {
	t := technologyByName[p.Technology]
	if t == nil {
		return fmt.Errorf("technology %q is not in the catalogue", p.Technology)
	}
	mi := slices.IndexFunc(t.materials, func(m material) bool { return m.name == p.Material })
	if mi < 0 {
		return fmt.Errorf("material %q is not used with %s", p.Material, t.name)
	}
	m := &t.materials[mi]
	if p.Quantity < 1 || (!edge && p.Quantity > t.maxQty) {
		return fmt.Errorf("quantity %d out of 1..%d", p.Quantity, t.maxQty)
	}
	// Finishes suit the material, one per group, in catalogue order.
	last, groups := -1, map[string]bool{}
	colors := t.colors
	if m.colors != nil {
		colors = m.colors
	}
	for _, pp := range p.PostProcessings {
		fi := slices.IndexFunc(m.finishes, func(f finish) bool { return f.name == pp.Name })
		if fi < 0 {
			return fmt.Errorf("post-processing %q does not suit %s", pp.Name, m.name)
		}
		if fi <= last || groups[m.finishes[fi].group] {
			return fmt.Errorf("post-processing %q out of order or clashing", pp.Name)
		}
		last, groups[m.finishes[fi].group] = fi, true
		if c := m.finishes[fi].color; c != "" {
			colors = []string{c}
		}
	}
	want := append(append(append([]string{}, t.before...), namesOf(p.PostProcessings)...), t.after...)
	if len(want) != len(p.ProductionSteps) {
		return fmt.Errorf("production steps %v, want %v", p.ProductionSteps, want)
	}
	for i, s := range p.ProductionSteps {
		if s.Name != want[i] || s.Sequence != int64(i+1) {
			return fmt.Errorf("production step %d is %q #%d, want %q #%d", i, s.Name, s.Sequence, want[i], i+1)
		}
	}
	if p.Volume == nil { // the all-null edge case
		return nil
	}
	if p.Color == nil && len(colors) > 0 || p.Color != nil && !slices.Contains(colors, *p.Color) {
		return fmt.Errorf("color %v is not one of %v", p.Color, colors)
	}
	if (p.Infill != nil) != (t.infills != nil) || p.Infill != nil && !slices.Contains(t.infills, *p.Infill) {
		return fmt.Errorf("infill %v for %s", p.Infill, t.name)
	}
	if p.Precision == nil || !slices.Contains(t.precisions, *p.Precision) {
		return fmt.Errorf("precision %v for %s", p.Precision, t.name)
	}
	return checkGeometry(p)
}

func namesOf(pps []phasio.PostProcessing) []string {
	var out []string
	for _, pp := range pps {
		out = append(out, pp.Name)
	}
	return out
}

func checkGeometry(p *phasio.Part) error {
	f := func(d *decimal.Decimal) float64 { return d.Float64() }
	w, h, d := f(p.Width), f(p.Height), f(p.Depth)
	box := w * h * d
	v, shrink, hull, minBox := f(p.Volume), f(p.ShrinkWrapVolume), f(p.ConvexHullVolume), f(p.MinBoundingBoxVolume)
	const eps = 1e-6
	if !(0 < v && v <= shrink+eps && shrink <= hull+eps && hull <= minBox+eps && minBox <= box*(1+eps)) {
		return fmt.Errorf("volumes out of order: volume %v, shrink wrap %v, convex hull %v, min box %v, box %v", v, shrink, hull, minBox, box)
	}
	if wall := f(p.MinimumWallThickness); wall <= 0 || wall >= math.Min(w, math.Min(h, d)) {
		return fmt.Errorf("wall %v not below the smallest dimension of %vx%vx%v", wall, w, h, d)
	}
	lo, hi := areaBounds(v, f(p.MinimumWallThickness), w, h, d)
	if a := f(p.Area); a < lo-0.01 || a > hi+0.01 {
		return fmt.Errorf("area %v outside %v..%v for volume %v", a, lo, hi, v)
	}
	return nil
}

// checkPhasioParty: currency, tax, address, phone and e-mail agree with the
// customer's country.
func checkPhasioParty(o *phasio.Order) error {
	pr := &o.Pricing
	if o.Shipping == nil || o.Shipping.Address == nil {
		if pr.ShippingFee != 0 {
			return fmt.Errorf("/pricing/shippingFee %s without a shipping address", pr.ShippingFee)
		}
		return nil
	}
	a := o.Shipping.Address
	co := countryByCode[*a.Country]
	if co == nil {
		return fmt.Errorf("/shipping/address/country %q is not generated", *a.Country)
	}
	if pr.Currency != co.currency {
		return fmt.Errorf("/pricing/currency %s in %s, want %s", pr.Currency, co.code, co.currency)
	}
	ci := slices.IndexFunc(co.cities, func(c city) bool { return c.name == *a.City })
	if ci < 0 {
		return fmt.Errorf("/shipping/address/city %q is not in %s", *a.City, co.code)
	}
	ct := &co.cities[ci]
	if tax, ship := co.taxFor(ct); tax != pr.TaxPercentage || ship != pr.ApplyTaxToShipping {
		return fmt.Errorf("/pricing/taxPercentage %s (shipping %v) in %s, want %s (%v)", pr.TaxPercentage, pr.ApplyTaxToShipping, ct.name, tax, ship)
	}
	if !templateMatch(ct.zip, *a.Zip) {
		return fmt.Errorf("/shipping/address/zip %q does not fit %s (%s)", *a.Zip, ct.name, ct.zip)
	}
	if (a.State == nil) != (ct.state == "") || a.State != nil && *a.State != ct.state {
		return fmt.Errorf("/shipping/address/state %v for %s", a.State, ct.name)
	}
	if !strings.HasPrefix(*a.Phone, "+"+co.calling) {
		return fmt.Errorf("/shipping/address/phone %q is not a +%s number", *a.Phone, co.calling)
	}
	if !a.Residential && !strings.HasSuffix(*a.Email, "."+co.tld) {
		return fmt.Errorf("/shipping/address/email %q: a business in %s has a .%s domain", *a.Email, co.code, co.tld)
	}
	if *a.Name != o.CustomerOrganisationName {
		return fmt.Errorf("/shipping/address/name %q is not the customer %q", *a.Name, o.CustomerOrganisationName)
	}
	return nil
}

// templateMatch: s has t's shape, '#' a digit, '?' an upper-case letter.
func templateMatch(t, s string) bool {
	if len(t) != len(s) {
		return false
	}
	for i := range len(t) {
		switch c := s[i]; t[i] {
		case '#':
			if c < '0' || c > '9' {
				return false
			}
		case '?':
			if c < 'A' || c > 'Z' {
				return false
			}
		default:
			if c != t[i] {
				return false
			}
		}
	}
	return true
}

// phasioHistory checks a lifecycle event by event: what never changes,
// what only moves forward.
type phasioHistory struct {
	first *phasio.Order
	last  *phasio.Order
	at    time.Time
}

// next takes the order's next event; back allows its Kanban column to go
// back (the scenario's step says so).
func (h *phasioHistory) next(ev *Event, o *phasio.Order, back bool) error {
	defer func() { h.last, h.at = o, ev.At }()
	if h.first == nil {
		h.first = o
		return nil
	}
	f, l := h.first, h.last
	switch {
	case !ev.At.After(h.at):
		return fmt.Errorf("event at %s is not after the previous one at %s", ev.At, h.at)
	case o.OrderID != f.OrderID || o.QuoteNumber != f.QuoteNumber || o.CreatedDate != f.CreatedDate ||
		o.CustomerOrganisationID != f.CustomerOrganisationID:
		return fmt.Errorf("orderId, quoteNumber, createdDate or customer changed")
	case l.OrderNumber != nil && (o.OrderNumber == nil || *o.OrderNumber != *l.OrderNumber):
		return fmt.Errorf("/orderNumber %q changed to %v", *l.OrderNumber, o.OrderNumber)
	case l.KanbanColumnSequence != nil && (o.KanbanColumnSequence == nil || *o.KanbanColumnSequence < *l.KanbanColumnSequence && !back):
		return fmt.Errorf("/kanbanColumnSequence went back from %d to %v", *l.KanbanColumnSequence, o.KanbanColumnSequence)
	}
	return nil
}

// checkHappyColis checks one message: totals, quantities, and enums and
// timestamps that agree with the state.
func checkHappyColis(e *happycolis.Envelope, edge bool) error {
	o := &e.Body
	if err := o.CheckTotals(); err != nil {
		return err
	}
	if e.Header.OrganizationID != o.OrganizationID {
		return fmt.Errorf("/header/organizationId differs from /body/organizationId")
	}
	allStatus := func(statuses ...string) bool {
		for _, l := range o.Lines {
			if !slices.Contains(statuses, l.Status) {
				return false
			}
		}
		return true
	}
	for i, l := range o.Lines {
		switch {
		case l.OrderID != o.ID:
			return fmt.Errorf("/body/lines/%d/orderId is not /body/id", i)
		case l.FulfilledQuantity > l.Quantity:
			return fmt.Errorf("/body/lines/%d: fulfilledQuantity %d > quantity %d", i, l.FulfilledQuantity, l.Quantity)
		case l.Status == happycolis.LineCanceled && l.FulfillableQuantity != 0,
			l.Status != happycolis.LineCanceled && l.FulfillableQuantity != l.Quantity-l.FulfilledQuantity:
			return fmt.Errorf("/body/lines/%d: fulfillableQuantity %d with status %s", i, l.FulfillableQuantity, l.Status)
		case l.Status == happycolis.LineFulfilled && l.FulfilledQuantity != l.Quantity:
			return fmt.Errorf("/body/lines/%d: FULFILLED with %d of %d", i, l.FulfilledQuantity, l.Quantity)
		case l.Number != fmt.Sprint(i+1):
			return fmt.Errorf("/body/lines/%d/number %q", i, l.Number)
		}
	}
	switch {
	case o.State == happycolis.StateDraft && (!allStatus(happycolis.LinePending) || o.Locked || o.FulfillmentRequestedAt != nil):
		return fmt.Errorf("DRAFT order with lines moving, locked or fulfilment requested")
	case o.Locked && (o.State != happycolis.StateOpened || !allStatus(happycolis.LineInProgress)):
		return fmt.Errorf("locked while %s with lines not IN_PROGRESS", o.State)
	case !allStatus(happycolis.LinePending, happycolis.LineAccepted, happycolis.LineCanceled) && o.FulfillmentRequestedAt == nil:
		return fmt.Errorf("lines in fulfilment without fulfillmentRequestedAt")
	case o.State == happycolis.StateCompleted && (o.Locked || !allStatus(happycolis.LineFulfilled, happycolis.LineDelivered)):
		return fmt.Errorf("COMPLETED with lines not fulfilled or locked")
	}
	want := map[string]func() bool{
		HappyColisCreated:   func() bool { return o.State == happycolis.StateDraft },
		HappyColisOpened:    func() bool { return o.State == happycolis.StateOpened },
		HappyColisCompleted: func() bool { return o.State == happycolis.StateCompleted },
		HappyColisCancelled: func() bool { return !o.Locked && allStatus(happycolis.LineCanceled) },
		HappyColisUpdated:   func() bool { return true },
	}[e.Header.Type]
	if want == nil || !want() {
		return fmt.Errorf("%s with state %s, locked %v", e.Header.Type, o.State, o.Locked)
	}
	if o.IssuedAt.After(o.ReceivedAt) || o.ReceivedAt.After(e.Header.Date) {
		return fmt.Errorf("issuedAt %s, receivedAt %s and header date %s out of order", o.IssuedAt, o.ReceivedAt, e.Header.Date)
	}
	if t := o.FulfillmentRequestedAt; t != nil && (t.Before(o.ReceivedAt) || t.After(e.Header.Date)) {
		return fmt.Errorf("fulfillmentRequestedAt %s outside receivedAt..date", t)
	}
	if edge {
		return nil
	}
	return checkHappyColisParty(o)
}

// checkHappyColisParty: VAT rates, phones and relay points agree with the
// delivery country.
func checkHappyColisParty(o *happycolis.Order) error {
	co := countryByCode[o.DeliveryContact.Country]
	if co == nil {
		return fmt.Errorf("/body/deliveryContact/country %q is not generated", o.DeliveryContact.Country)
	}
	for i, l := range o.Lines {
		if l.VatRate != decimal.Rate(co.tax) && l.VatRate != co.reduced {
			return fmt.Errorf("/body/lines/%d/vatRate %s is no VAT rate of %s", i, l.VatRate, co.code)
		}
	}
	for _, c := range []*happycolis.Contact{o.Buyer, o.BillingContact, o.DeliveryContact} {
		if cc := countryByCode[c.Country]; cc == nil || !strings.HasPrefix(c.Phone, "+"+cc.calling) {
			return fmt.Errorf("contact %s: phone %q does not fit %s", c.ID, c.Phone, c.Country)
		}
	}
	if o.CollectPointCountry != nil && *o.CollectPointCountry != co.code {
		return fmt.Errorf("/body/collectPointCountry %s, delivery in %s", *o.CollectPointCountry, co.code)
	}
	return nil
}

// hcHistory checks a HappyColis lifecycle message by message.
type hcHistory struct {
	first, last *happycolis.Envelope
	messages    map[string]bool
}

func (h *hcHistory) next(e *happycolis.Envelope) error {
	defer func() { h.last = e }()
	if h.messages == nil {
		h.messages = map[string]bool{}
	}
	if h.messages[e.Header.MessageID] {
		return fmt.Errorf("messageId %s repeats", e.Header.MessageID)
	}
	h.messages[e.Header.MessageID] = true
	if h.first == nil {
		h.first = e
		return nil
	}
	f, l := &h.first.Body, h.last
	o := &e.Body
	switch {
	case !e.Header.Date.After(l.Header.Date):
		return fmt.Errorf("header date %s not after %s", e.Header.Date, l.Header.Date)
	case o.ID != f.ID || o.ExternalReference != f.ExternalReference || !o.ReceivedAt.Equal(f.ReceivedAt) || !o.IssuedAt.Equal(f.IssuedAt):
		return fmt.Errorf("id, externalReference, receivedAt or issuedAt changed")
	case len(o.Lines) != len(l.Body.Lines):
		return fmt.Errorf("lines appeared or vanished")
	}
	for i := range o.Lines {
		if o.Lines[i].FulfilledQuantity < l.Body.Lines[i].FulfilledQuantity {
			return fmt.Errorf("/body/lines/%d/fulfilledQuantity went down", i)
		}
	}
	return nil
}

// decodeEvent decodes a generated payload into the provider's types.
func decodePhasio(ev *Event) (*phasio.Order, error) {
	var o phasio.Order
	return &o, json.Unmarshal(ev.Payload, &o)
}

func decodeHappyColis(ev *Event) (*happycolis.Envelope, error) {
	var e happycolis.Envelope
	return &e, json.Unmarshal(ev.Payload, &e)
}
