package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/orderhooks/orderhooks/pii"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// FromReceiver returns the delivery a receiver judged (receiver.Capture,
// handed to receiver.WithCapture) as a store keeps it: the request, the
// verdicts and the answer. The slices are copied.
func FromReceiver(c *receiver.Capture) *Delivery {
	d := &Delivery{
		ReceivedAt: c.Time, RemoteAddr: c.RemoteAddr, Method: c.Method, Host: c.Host, Path: c.Path,
		Header: c.Header.Clone(), Body: clone(c.Body),
		Provider: c.Provider, Event: c.Event, Key: c.Key, DeliveryID: c.ID,
		Signature: Signature(c.Signature), Decryption: Decryption(c.Decryption),
		SchemaChecked: c.SchemaChecked, Violations: append([]schemas.Violation(nil), c.Violations...),
		Malformed: c.Malformed, Reason: c.Reason, Payload: clone(c.Payload),
		Status: c.Status, Outcome: string(c.Outcome), Answer: clone(c.Answer), Handled: c.Handled,
	}
	if len(d.Violations) == 0 {
		d.Violations = nil
	}
	return d
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// KeeperOptions choose how a Keeper stores deliveries.
type KeeperOptions struct {
	// Redact replaces personal data at write time (the store's
	// pseudonyms, see Store.Redactor): the payload is redacted, its
	// violations found again on the redacted payload (so that no message
	// quotes a personal value), and the body rebuilt from it by Profile,
	// signed with the receiver's secret so that it still verifies. The
	// body of a delivery that was not verified is redacted as free-form
	// JSON, or left out when it is not JSON (an encrypted body nothing
	// could open).
	Redact bool
	// Profile is the receiving profile, which rebuilds redacted bodies;
	// required with Redact.
	Profile wire.Profile
}

// Keeper stores what a receiver gets. Pass Capture to receiver.WithCapture
// and Forwarded to receiver.ForwardTo.Done:
//
//	k, _ := store.Keeper(capture.KeeperOptions{})
//	rcv, _ := receiver.New(profile, receiver.WithCapture(k.Capture))
type Keeper struct {
	store    *Store
	o        KeeperOptions
	redactor *pii.Redactor

	mu     sync.Mutex
	fwdErr error
}

// ErrKeeper is wrapped by Keeper's option errors.
var ErrKeeper = errors.New("capture: bad keeper options")

// Keeper returns a Keeper storing into s.
func (s *Store) Keeper(o KeeperOptions) (*Keeper, error) {
	k := &Keeper{store: s, o: o}
	if o.Redact {
		if o.Profile == nil {
			return nil, fmt.Errorf("%w: redaction needs the receiving profile to rebuild bodies", ErrKeeper)
		}
		r, err := s.Redactor()
		if err != nil {
			return nil, err
		}
		k.redactor = r
	}
	return k, nil
}

// Capture stores one delivery (a receiver.CaptureFunc) and returns its id.
func (k *Keeper) Capture(ctx context.Context, c *receiver.Capture) (int64, error) {
	d := FromReceiver(c)
	if k.redactor != nil {
		if err := k.redact(d, c); err != nil {
			return 0, err
		}
	}
	return k.store.Put(ctx, d)
}

// Forwarded records what the app answered a forwarded delivery (for
// receiver.ForwardTo.Done). The first error is kept (Err).
func (k *Keeper) Forwarded(ctx context.Context, id int64, f receiver.Forwarded) {
	if id == 0 {
		return
	}
	err := k.store.SetForward(ctx, id, Forward{URL: f.URL, Status: f.Status, Latency: f.Latency, Answer: f.Answer, Error: f.Error})
	if err != nil {
		k.mu.Lock()
		if k.fwdErr == nil {
			k.fwdErr = fmt.Errorf("recording the app's answer to delivery %d: %w", id, err)
		}
		k.mu.Unlock()
	}
}

// Err returns the first error recording an app's answer.
func (k *Keeper) Err() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fwdErr
}

// redact replaces the personal data of d: payload, violations, reason,
// answer and body.
func (k *Keeper) redact(d *Delivery, c *receiver.Capture) error {
	d.Redacted = true
	if d.Payload == nil {
		d.Body = k.freeForm(d.Provider, d.Body)
		return nil
	}
	provider, event := platformEvent(d)
	payload, _, err := k.redactor.Redact(provider, event, d.Payload)
	if err != nil {
		return fmt.Errorf("redacting: %w", err)
	}
	d.Payload = payload
	if len(d.Violations) > 0 {
		// Found again on the redacted payload: a message may quote a value.
		d.Violations = nil
		if name, err := schemas.ForEvent(provider, event, false); err == nil {
			var ve *schemas.ValidationError
			if errors.As(schemas.Validate(name, payload), &ve) {
				d.Violations = ve.Violations
			}
		}
		if d.Status >= 400 {
			d.Reason = "schema violations"
			if len(d.Violations) > 0 {
				d.Reason = (&schemas.ValidationError{Schema: name(provider, event), Violations: d.Violations}).Error()
			}
			d.Answer = errorAnswer(d.Reason)
		}
	}
	ev := d.GeneratorEvent()
	if ev == nil {
		d.Body, d.Header = nil, wire.MessageHeaders(d.Header)
		return nil
	}
	at := d.ReceivedAt
	if c.Received != nil && !c.Received.Time.IsZero() {
		at = c.Received.Time
	}
	req, err := k.o.Profile.Build(&wire.Message{Event: ev, ID: d.DeliveryID, Time: at}, wire.FaultNone)
	if err != nil {
		return fmt.Errorf("rebuilding the redacted body: %s", wire.Reason(err))
	}
	for h, vs := range req.Header {
		d.Header[h] = vs
	}
	if d.Header.Get("Content-Length") != "" {
		d.Header.Set("Content-Length", strconv.Itoa(len(req.Body)))
	}
	d.Body = req.Body
	return nil
}

// freeForm redacts a JSON body that nothing verified: every string and
// number replaced. Anything else is left out.
func (k *Keeper) freeForm(provider string, b []byte) []byte {
	if len(b) == 0 || !json.Valid(b) {
		return nil
	}
	out, _, err := k.redactor.Redact(provider, "", b)
	if err != nil {
		return nil
	}
	return out
}

// name is the loose schema of an event ("" when it has none).
func name(provider, event string) string {
	n, _ := schemas.ForEvent(provider, event, false)
	return n
}

// errorAnswer is a receiver's answer refusing a delivery.
func errorAnswer(reason string) []byte {
	b, _ := json.Marshal(struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}{false, reason}) // always encodes
	return append(b, '\n')
}
