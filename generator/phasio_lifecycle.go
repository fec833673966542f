package generator

import (
	"math"
	"slices"
	"time"

	"github.com/orderhooks/orderhooks/generator/decimal"
	"github.com/orderhooks/orderhooks/generator/phasio"
)

// Phasio lifecycle actions.
const (
	ActionCreateQuote = "create-quote"
	ActionCreateOrder = "create-order"
	ActionEditParts   = "edit-parts"
	ActionAccept      = "accept"
	ActionConfirm     = "confirm"
	ActionPay         = "pay"
	ActionMove        = "move"
	ActionNotify      = "notify"
)

type phasioMachine struct{}

var phasioActions = []action{
	{name: ActionCreateQuote, delay: [2]time.Duration{ms(500), 3 * time.Second},
		doc: "a customer (or the manufacturer) creates a quote: no order number, no payment status, not on the Kanban board"},
	{name: ActionCreateOrder, delay: [2]time.Duration{ms(500), 3 * time.Second},
		doc: "the manufacturer commits an order with payment arranged: order number, paymentStatus PAID (or `payment: CONFIRMED`), first Kanban column"},
	{name: ActionEditParts, delay: [2]time.Duration{10 * time.Minute, 48 * time.Hour},
		doc: "quantities change, or a part is added or removed, before the order is committed; pricing is recomputed"},
	{name: ActionAccept, delay: [2]time.Duration{time.Hour, 96 * time.Hour},
		doc: "the customer accepts the quote without paying: paymentStatus UNPAID, no order number yet"},
	{name: ActionConfirm, delay: [2]time.Duration{10 * time.Minute, 72 * time.Hour},
		doc: "payment by purchase order or invoice is confirmed: CONFIRMED, order number assigned, first Kanban column"},
	{name: ActionPay, delay: [2]time.Duration{time.Minute, 72 * time.Hour},
		doc: "the order is paid (online, or an invoice marked paid): PAID, order number assigned if it had none"},
	{name: ActionMove, delay: [2]time.Duration{30 * time.Minute, 24 * time.Hour},
		doc: "the manufacturer moves a committed order to the next Kanban column (or `to: NAME`; backwards only with `backwards: true`)"},
	{name: ActionNotify, delay: [2]time.Duration{ms(50), ms(900)},
		doc: "nothing changes; the platform sends the current snapshot again (e.g. Order Created and Order Updated of a commit)"},
}

func (phasioMachine) actions() []action { return phasioActions }

func (phasioMachine) newPhase(board []KanbanColumn) phase { return &phasioPhase{board: board} }

// phasioPhase: payment "" is null; column is 1-based in board, 0 for none.
type phasioPhase struct {
	exists   bool
	payment  string
	numbered bool
	column   int
	board    []KanbanColumn
}

func (ph *phasioPhase) advance(st *Step) error {
	if !ph.exists { // any other first action finds an unannounced quote
		ph.exists = true
		switch st.Action {
		case ActionCreateQuote:
			return nil
		case ActionCreateOrder:
			return ph.commit(paymentOf(st))
		}
	}
	switch st.Action {
	case ActionCreateQuote, ActionCreateOrder:
		return transitionf("%s: the order already exists", st.Action)
	case ActionEditParts:
		if ph.numbered {
			return transitionf("edit-parts: the order is already committed (paymentStatus %s)", ph.payment)
		}
	case ActionAccept:
		if ph.payment != "" {
			return transitionf("accept: the quote was already accepted (paymentStatus %s)", ph.payment)
		}
		ph.payment = phasio.PaymentUnpaid
	case ActionConfirm:
		if ph.payment != "" && ph.payment != phasio.PaymentUnpaid {
			return transitionf("confirm: the order is already %s", ph.payment)
		}
		return ph.commit(phasio.PaymentConfirmed)
	case ActionPay:
		if ph.payment == phasio.PaymentPaid {
			return transitionf("pay: the order is already PAID")
		}
		return ph.commit(phasio.PaymentPaid)
	case ActionMove:
		return ph.move(st)
	}
	return nil
}

func paymentOf(st *Step) string {
	if st.Payment != "" {
		return st.Payment
	}
	return phasio.PaymentPaid
}

// commit assigns the order number and puts the order on the board.
func (ph *phasioPhase) commit(payment string) error {
	ph.payment = payment
	ph.numbered = true
	if ph.column == 0 && len(ph.board) > 0 {
		ph.column = 1
	}
	return nil
}

func (ph *phasioPhase) move(st *Step) error {
	switch {
	case !ph.numbered:
		return transitionf("move: the order is not committed yet, so it is on no Kanban column")
	case len(ph.board) == 0:
		return transitionf("move: no Kanban board is configured")
	}
	if st.To == "" {
		if ph.column == len(ph.board) {
			return transitionf("move: the order is already in the last column %q", ph.board[ph.column-1].Name)
		}
		ph.column++
		return nil
	}
	i := slices.IndexFunc(ph.board, func(c KanbanColumn) bool { return c.Name == st.To })
	switch {
	case i < 0:
		return transitionf("move: no Kanban column %q (columns: %s)", st.To, columnNames(ph.board))
	case i+1 == ph.column:
		return transitionf("move: the order is already in %q", st.To)
	case i+1 < ph.column && !st.Backwards:
		return transitionf("move: %q is before %q; set backwards: true to move back", st.To, ph.board[ph.column-1].Name)
	}
	ph.column = i + 1
	return nil
}

func columnNames(board []KanbanColumn) string {
	s := ""
	for i, c := range board {
		if i > 0 {
			s += ", "
		}
		s += c.Name
	}
	return s
}

// apply carries out st on the order once the phase has accepted it.
func (po *phasioOrder) apply(r *rng, st *Step, _ time.Time) error {
	if err := po.phase.advance(st); err != nil {
		return err
	}
	o := &po.o
	switch st.Action {
	case ActionCreateQuote:
		o.ActorType = ptr(pickActor(r, 0.8))
	case ActionCreateOrder, ActionConfirm, ActionMove:
		o.ActorType = ptr(phasio.ActorManufacturer)
		if st.Action == ActionConfirm {
			o.ActorType = ptr(pickActor(r, 0.3))
		}
	case ActionEditParts:
		po.editParts(r)
		o.ActorType = ptr(pickActor(r, 0.6))
	case ActionAccept:
		o.ActorType = ptr(phasio.ActorCustomer)
	case ActionPay:
		actor := phasio.ActorCustomer // online payment
		if o.PaymentStatus != nil && *o.PaymentStatus == phasio.PaymentConfirmed {
			actor = phasio.ActorManufacturer // an invoice marked paid
		}
		o.ActorType = ptr(actor)
	}
	po.syncPhase()
	return nil
}

func pickActor(r *rng, customer float64) string {
	if r.chance(customer) {
		return phasio.ActorCustomer
	}
	return phasio.ActorManufacturer
}

// syncPhase writes the phase's payment, number and column into the payload.
func (po *phasioOrder) syncPhase() {
	ph, o := &po.phase, &po.o
	o.PaymentStatus = nil
	if ph.payment != "" {
		o.PaymentStatus = ptr(ph.payment)
	}
	if ph.numbered && o.OrderNumber == nil {
		o.OrderNumber = ptr(po.cust.orderNumber(po.seq))
	}
	o.KanbanColumnName, o.KanbanColumnSequence = nil, nil
	if ph.column > 0 {
		c := ph.board[ph.column-1]
		o.KanbanColumnName, o.KanbanColumnSequence = ptr(c.Name), ptr(c.Sequence)
	}
}

// editParts changes what is ordered the way customers revise quotes:
// mostly quantities, sometimes a part more or less.
func (po *phasioOrder) editParts(r *rng) {
	o := &po.o
	switch k := r.intn(10); {
	case len(o.Parts) == 0 || k < 2:
		t := pick(r, technologies)
		if len(o.Parts) > 0 {
			t = technologyByName[o.Parts[0].Technology]
		}
		po.addPart(r, t)
	case k < 3 && len(o.Parts) > 1:
		i := r.intn(len(o.Parts))
		o.Parts = slices.Delete(o.Parts, i, i+1)
	default:
		for range 1 + r.intn(min(2, len(o.Parts))) {
			p := &o.Parts[r.intn(len(o.Parts))]
			q := quantity(r, technologyByName[p.Technology].maxQty)
			if q == p.Quantity {
				q++
			}
			// Bulk pricing: the unit price follows the quantity as unitPrice does.
			p.PricePerPart = max(decimal.Decimal(math.Round(float64(p.PricePerPart)*math.Pow(float64(q)/float64(p.Quantity), -0.08))), 1)
			p.Quantity = q
		}
	}
	po.reprice()
}

func (po *phasioOrder) key() string { return itoa(po.o.OrderID) }

// payload is the order as it stands; the Phasio payload carries no event
// name or time of its own.
func (po *phasioOrder) payload(b []byte, _ *rng, _ string, _ time.Time) []byte {
	if po.nullActor {
		o := po.o
		o.ActorType = nil
		return o.AppendJSON(b)
	}
	return po.o.AppendJSON(b)
}
