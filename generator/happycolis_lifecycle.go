package generator

import (
	"time"

	"github.com/orderhooks/orderhooks/generator/happycolis"
)

// HappyColis lifecycle actions.
const (
	ActionCreate             = "create"
	ActionOpen               = "open"
	ActionAcceptLines        = "accept-lines"
	ActionRequestFulfillment = "request-fulfillment"
	ActionShipPartial        = "ship-partial"
	ActionFulfillLines       = "fulfill-lines"
	ActionComplete           = "complete"
	ActionCancel             = "cancel"
	ActionEscalate           = "escalate"
)

type happyColisMachine struct{}

var happyColisActions = []action{
	{name: ActionCreate, delay: [2]time.Duration{ms(500), 3 * time.Second},
		doc: "the shop's order reaches HappyColis: state DRAFT, every line PENDING"},
	{name: ActionOpen, delay: [2]time.Duration{5 * time.Second, 30 * time.Minute},
		doc: "the order is confirmed: state OPENED"},
	{name: ActionAcceptLines, delay: [2]time.Duration{time.Minute, 2 * time.Hour},
		doc: "the warehouse accepts every line: ACCEPTED"},
	{name: ActionRequestFulfillment, delay: [2]time.Duration{5 * time.Minute, 6 * time.Hour},
		doc: "dispatch to the warehouse: lines IN_PROGRESS, locked, fulfillmentRequestedAt set"},
	{name: ActionShipPartial, delay: [2]time.Duration{time.Hour, 12 * time.Hour},
		doc: "part of the goods ship: fulfilledQuantity rises on some lines, still IN_PROGRESS"},
	{name: ActionFulfillLines, delay: [2]time.Duration{time.Hour, 24 * time.Hour},
		doc: "everything shipped: lines FULFILLED, fulfilledQuantity = quantity, unlocked"},
	{name: ActionComplete, delay: [2]time.Duration{time.Minute, 2 * time.Hour},
		doc: "the order is done: state COMPLETED"},
	{name: ActionCancel, delay: [2]time.Duration{10 * time.Minute, 48 * time.Hour},
		doc: "the order is cancelled before dispatch: every line CANCELED, unlocked, nothing fulfillable"},
	{name: ActionEscalate, delay: [2]time.Duration{5 * time.Minute, 12 * time.Hour},
		doc: "an operator raises the priority to HIGH"},
	{name: ActionNotify, delay: [2]time.Duration{ms(50), ms(900)},
		doc: "nothing changes; the platform sends the current snapshot again"},
}

func (happyColisMachine) actions() []action { return happyColisActions }

func (happyColisMachine) newPhase([]KanbanColumn) phase { return &hcPhase{} }

// hcPhase: state is the order state; lines the status every line shares
// (ship-partial leaves them IN_PROGRESS).
type hcPhase struct {
	exists bool
	state  string
	lines  string
}

// hcTransitions are the actions that need the order in one state with its
// lines in one status, and what they change ("" keeps it).
var hcTransitions = map[string]struct{ state, lines, toState, toLines string }{
	ActionOpen:               {happycolis.StateDraft, happycolis.LinePending, happycolis.StateOpened, ""},
	ActionAcceptLines:        {happycolis.StateOpened, happycolis.LinePending, "", happycolis.LineAccepted},
	ActionRequestFulfillment: {happycolis.StateOpened, happycolis.LineAccepted, "", happycolis.LineInProgress},
	ActionShipPartial:        {happycolis.StateOpened, happycolis.LineInProgress, "", ""},
	ActionFulfillLines:       {happycolis.StateOpened, happycolis.LineInProgress, "", happycolis.LineFulfilled},
	ActionComplete:           {happycolis.StateOpened, happycolis.LineFulfilled, happycolis.StateCompleted, ""},
}

func (ph *hcPhase) advance(st *Step) error {
	if !ph.exists { // any other first action finds an unannounced draft
		ph.exists, ph.state, ph.lines = true, happycolis.StateDraft, happycolis.LinePending
		if st.Action == ActionCreate {
			return nil
		}
	}
	finished := ph.state == happycolis.StateCompleted || ph.lines == happycolis.LineCanceled
	switch st.Action {
	case ActionCreate:
		return transitionf("create: the order already exists")
	case ActionCancel:
		if ph.state == happycolis.StateCompleted || (ph.lines != happycolis.LinePending && ph.lines != happycolis.LineAccepted) {
			return transitionf("cancel: only an order whose lines are PENDING or ACCEPTED can be cancelled, the order is %s with lines %s", ph.state, ph.lines)
		}
		ph.lines = happycolis.LineCanceled
	case ActionEscalate:
		if finished {
			return transitionf("escalate: the order is finished")
		}
	}
	tr, ok := hcTransitions[st.Action]
	if !ok {
		return nil
	}
	if ph.state != tr.state || ph.lines != tr.lines {
		return transitionf("%s: needs state %s with lines %s, the order is %s with lines %s", st.Action, tr.state, tr.lines, ph.state, ph.lines)
	}
	if tr.toState != "" {
		ph.state = tr.toState
	}
	if tr.toLines != "" {
		ph.lines = tr.toLines
	}
	return nil
}

// apply carries out st on the order once the phase has accepted it.
func (h *hcOrder) apply(r *rng, st *Step, at time.Time) error {
	if err := h.phase.advance(st); err != nil {
		return err
	}
	o := &h.env.Body
	o.State = h.phase.state
	switch st.Action {
	case ActionRequestFulfillment:
		o.Locked = true
		t := at.Add(-time.Duration(r.between(1, 5)) * time.Second)
		o.FulfillmentRequestedAt = &t
	case ActionShipPartial:
		for i := range o.Lines {
			l := &o.Lines[i]
			if l.FulfilledQuantity < l.Quantity && r.chance(0.6) {
				l.FulfilledQuantity += r.between(1, l.Quantity-l.FulfilledQuantity)
				l.FulfillableQuantity = l.Quantity - l.FulfilledQuantity
			}
		}
	case ActionFulfillLines:
		o.Locked = false
		for i := range o.Lines {
			l := &o.Lines[i]
			l.FulfilledQuantity, l.FulfillableQuantity = l.Quantity, 0
		}
	case ActionCancel:
		o.Locked = false
		for i := range o.Lines {
			o.Lines[i].FulfillableQuantity = 0
		}
	case ActionEscalate:
		o.Priority = "HIGH"
	}
	for i := range o.Lines {
		o.Lines[i].Status = h.phase.lines
	}
	return nil
}

func (h *hcOrder) key() string { return h.env.Body.ID }

// payload wraps the order in a fresh message (see stamp).
func (h *hcOrder) payload(b []byte, r *rng, event string, at time.Time) []byte {
	h.stamp(r, event, at)
	return h.env.AppendJSON(b)
}

// stamp sets the header of a new message: a fresh messageId, the
// subscription's webhookId, the event type and time.
func (h *hcOrder) stamp(r *rng, event string, at time.Time) {
	h.env.Header = happycolis.Header{
		OrganizationID: h.m.orgID,
		MessageID:      r.uuid(),
		WebhookID:      h.m.webhooks[event],
		Type:           event,
		Date:           at,
	}
}
