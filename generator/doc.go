// Package generator makes the webhook traffic of Phasio (manufacturing) and
// HappyColis (logistics): realistic orders and whole order lifecycles,
// seeded so the same seed and options give byte-identical events on every
// machine (no wall clock, no map order, no global randomness).
//
// # Events
//
// New returns a Generator; Run (or Source) streams Events in time order,
// each a full-state snapshot with its provider, event name, order key and
// time. Without a scenario every order is one Order Created (Phasio: a new
// quote, or an order the manufacturer commits) or order/created
// (HappyColis) event. Lifecycles of many orders interleave as real traffic
// does, yet memory stays flat: only the lifecycles under way are held
// (WithInterleave). EventWriter and ReadEvents write and read the JSONL
// form the CLI's generate writes.
//
// # Realism
//
// Phasio orders come from a pool of customer organisations (DefaultCustomers)
// whose country fixes the currency, tax rate (US: the state's sales tax),
// address format, phone prefix and e-mail domain; quote and order numbers
// share the organisation's code and sequence (Q-ACM-00042, ORD-ACM-00042).
// Each part's technology, material, colour, infill (FDM only), finishes and
// production steps (numbered 1..n) belong together; its geometry is
// physical: volume ≤ shrinkWrapVolume ≤ convexHullVolume ≤
// minBoundingBoxVolume ≤ width·height·depth, wall thinner than the smallest
// dimension, area between that of a sphere of the same volume and
// 2·volume/wall plus the box's surface. Amounts are exact cents and follow
// the formula of package phasio:
//
//	goods = Σ quantity × (pricePerPart + Σ postProcessings.price) + Σ expenses.price
//	net   = goods − round(goods × discountPercentage/100)
//	tax   = round((net + topUp + (applyTaxToShipping ? shippingFee : 0)) × taxPercentage/100)
//	totalPrice      = net + topUp + shippingFee + tax
//	totalLocalPrice = round(totalPrice × fx[currency] / fx[local])   (fixed table, phasio.FX)
//
// topUpAmount lifts small orders to a minimum order value of 50 EUR.
// HappyColis orders follow the totals formula of package happycolis (line
// total = price × quantity, VAT per line at the destination's rate, order
// total = lines + shipping + insurance − discount); states, line statuses,
// the lock and the timestamps agree with each other.
//
// # Scenarios
//
// A scenario is a YAML or JSON file (the built-ins, listed by Scenarios,
// are such files, embedded):
//
//	version: 1                  # format version; other versions are rejected
//	name: mine/quote-revised
//	provider: phasio            # or happycolis
//	description: one line for `orderhooks scenarios`
//	seed: 1                     # default seed (WithSeed wins)
//	orders: 1                   # orders each step acts on together (batch)
//	kanban: [{name: Queued, sequence: 1}, {name: Done, sequence: 2}]   # Phasio only
//	steps:
//	  - name: quote             # lets later steps refer to this payload
//	    event: ORDER            # the webhook sent
//	    action: create-quote    # the transition before it
//	  - event: QUOTE_CONVERTED
//	    action: pay
//	    after: 36h              # Go duration since the previous event
//	    set:                    # JSON pointer → value, kept on later events
//	      /customReference: "PO for ${quote:/quoteNumber}"
//	  - event: ORDER_UPDATED
//	    action: move
//	    to: Done                # default: the next column
//
// Phasio actions: create-quote, create-order (payment: PAID|CONFIRMED),
// edit-parts, accept, confirm, pay, move (to, backwards), notify.
// HappyColis actions: create, open, accept-lines, request-fulfillment,
// ship-partial, fulfill-lines, complete, cancel, escalate, notify. A first
// action other than a create finds an unannounced quote (draft). Actions
// that do not fit the order's state are refused when the scenario is
// loaded, with the step's pointer.
//
// set and remove (a list of pointers) patch the payload by RFC 6901 pointer (Phasio: the order;
// HappyColis: the {header, body} envelope) for this event and every later
// one of the order; derived totals are not recomputed. A set value that is
// exactly "${step:/pointer}" takes that value of the named earlier step's
// payload, type included; inside a longer string the value's text is
// inserted. payload: {…} sends a literal payload instead of the snapshot
// (ScenarioFromEvents saves recorded events that way). Files are checked
// against ScenarioSchema and errors name the file and pointer:
// "mine.yaml: /steps/2/event: value must be one of 'ORDER', …".
//
// # Variants
//
// WithEdge yields schema-valid edge cases, one kind per order in turn;
// WithDrift changes every payload the way contracts drift (a field added,
// renamed or retyped) so that it fails the strict schemas. Both label their
// events (Event.Variant, Event.Label).
//
// # Fixtures
//
// PhasioOrder and HappyColisOrder build one order in a chosen state for unit
// tests, e.g. PhasioOrder(7, Paid(), Parts(3, "CNC Machining")).
package generator
