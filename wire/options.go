package wire

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/errs"
)

// Option configures a profile (New, NewPhasio, NewHappyColis,
// NewStandard). Options that belong to one platform's profile (most of
// them: see each) are refused by the others' constructors with an
// *OptionError, never ignored.
type Option func(*config)

// OptionError is the error of an option the constructor refuses: its Go
// name (Option), value and what is expected. It wraps ErrOptions, or
// ErrBadSecret for the secret argument.
type OptionError = errs.OptionError

// ErrOptions is wrapped by the constructors' errors about options.
var ErrOptions = errors.New("wire: bad option")

// config holds every profile's settings; each constructor reads its own.
type config struct {
	rand io.Reader

	// Phasio
	nonceSize      int
	layout         Layout
	padded         bool
	field          string
	hmacKey        HMACKeyForm
	triggerHeader  bool
	deliveryHeader bool
	trigger        string

	// HappyColis
	organizationID string
	webhookID      string

	// Standard Webhooks
	tolerance      time.Duration
	now            func() time.Time
	timestampField bool

	// misplaced is the first option given to a profile it does not
	// belong to.
	misplaced *OptionError
	profile   string
}

// newConfig applies opts over the defaults for profile, refusing an
// option of another profile.
func newConfig(profile string, opts []Option) (*config, error) {
	c := &config{
		profile:        profile,
		nonceSize:      DefaultPhasioNonceSize,
		field:          DefaultPhasioBodyField,
		triggerHeader:  true,
		deliveryHeader: true,
		trigger:        DefaultPhasioTrigger,
		tolerance:      DefaultTolerance,
		now:            time.Now,
		timestampField: true,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	if c.misplaced != nil {
		return nil, c.misplaced
	}
	return c, nil
}

// only notes that option belongs to the profile called owner.
func (c *config) only(option, owner string) {
	if c.profile != owner && c.misplaced == nil {
		c.misplaced = &OptionError{Package: "wire", Option: option,
			Want: fmt.Sprintf("applies to the %s profile only, not to %s", owner, c.profile), Err: ErrOptions}
	}
}

// WithRand sets the source of nonces, wrong keys and bad signatures
// (default crypto/rand.Reader), for any profile. A seeded reader makes
// Build reproducible; it is read under a lock, so it need not be safe for
// concurrent use.
func WithRand(r io.Reader) Option {
	return func(c *config) { c.rand = r }
}

// WithNonceSize sets the AES-GCM nonce length (Phasio; default
// DefaultPhasioNonceSize).
func WithNonceSize(n int) Option {
	return func(c *config) { c.only("WithNonceSize", ProviderPhasio); c.nonceSize = n }
}

// WithLayout sets where the nonce goes in the sealed payload (Phasio;
// default LayoutNonceFirst).
func WithLayout(l Layout) Option {
	return func(c *config) { c.only("WithLayout", ProviderPhasio); c.layout = l }
}

// WithPadding makes Build write the encrypted payload string as padded
// base64url (Phasio; default unpadded). Verify accepts both either way.
func WithPadding(padded bool) Option {
	return func(c *config) { c.only("WithPadding", ProviderPhasio); c.padded = padded }
}

// WithBodyField sets the body's field name (Phasio; default
// DefaultPhasioBodyField).
func WithBodyField(name string) Option {
	return func(c *config) { c.only("WithBodyField", ProviderPhasio); c.field = name }
}

// WithHMACKey sets which bytes key the signature (Phasio; default
// HMACKeySecretString).
func WithHMACKey(form HMACKeyForm) Option {
	return func(c *config) { c.only("WithHMACKey", ProviderPhasio); c.hmacKey = form }
}

// WithTriggerHeader turns the TriggerHeader on Build's requests on or off
// (Phasio; default on).
func WithTriggerHeader(on bool) Option {
	return func(c *config) { c.only("WithTriggerHeader", ProviderPhasio); c.triggerHeader = on }
}

// WithDeliveryHeader turns the DeliveryHeader on Build's requests on or
// off (Phasio; default on).
func WithDeliveryHeader(on bool) Option {
	return func(c *config) { c.only("WithDeliveryHeader", ProviderPhasio); c.deliveryHeader = on }
}

// WithDefaultTrigger sets the trigger Verify reports for requests without
// a TriggerHeader (Phasio; default DefaultPhasioTrigger): a real Phasio
// webhook is configured for one trigger, so its receiver knows it from
// the URL. It must be one of Phasio's order triggers.
func WithDefaultTrigger(trigger string) Option {
	return func(c *config) { c.only("WithDefaultTrigger", ProviderPhasio); c.trigger = trigger }
}

// WithOrganizationID makes Build stamp header.organizationId (HappyColis;
// default: kept as the generator wrote it).
func WithOrganizationID(id string) Option {
	return func(c *config) { c.only("WithOrganizationID", ProviderHappyColis); c.organizationID = id }
}

// WithWebhookID makes Build stamp header.webhookId (HappyColis; default:
// kept as the generator wrote it).
func WithWebhookID(id string) Option {
	return func(c *config) { c.only("WithWebhookID", ProviderHappyColis); c.webhookID = id }
}

// WithTolerance sets how far from Verify's clock webhook-timestamp may be
// (Standard Webhooks; default DefaultTolerance). The stale-timestamp fault
// signs a timestamp twice the tolerance before Message.Time.
func WithTolerance(d time.Duration) Option {
	return func(c *config) { c.only("WithTolerance", ProviderStandard); c.tolerance = d }
}

// WithClock sets the clock Verify checks webhook-timestamp against
// (Standard Webhooks; default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.only("WithClock", ProviderStandard); c.now = now }
}

// WithTimestampField includes "timestamp" in Build's body (Standard
// Webhooks; default on). The Standard Webhooks payload structure
// recommends it; without it the body is {"type":…,"data":…}.
func WithTimestampField(on bool) Option {
	return func(c *config) { c.only("WithTimestampField", ProviderStandard); c.timestampField = on }
}

// check refuses option values the profile cannot work with.
func (c *config) check() error {
	bad := func(option, value, want string) error {
		return &OptionError{Package: "wire", Option: option, Value: value, Want: want, Err: ErrOptions}
	}
	triggers := generator.Events(ProviderPhasio)
	switch {
	case c.nonceSize < 1:
		return bad("WithNonceSize", fmt.Sprint(c.nonceSize), "must be positive")
	case c.layout != LayoutNonceFirst && c.layout != LayoutNonceLast:
		return bad("WithLayout", fmt.Sprint(int(c.layout)), "LayoutNonceFirst or LayoutNonceLast")
	case c.field == "":
		return bad("WithBodyField", "", "must not be empty")
	case c.hmacKey != HMACKeySecretString && c.hmacKey != HMACKeyDecoded:
		return bad("WithHMACKey", fmt.Sprint(int(c.hmacKey)), "HMACKeySecretString or HMACKeyDecoded")
	case !slices.Contains(triggers, c.trigger):
		e := bad("WithDefaultTrigger", c.trigger, "one of Phasio's order triggers: "+strings.Join(triggers, ", ")).(*OptionError)
		e.Known, e.Aliases = triggers, phasioTriggerTitles
		return e
	case c.tolerance <= 0:
		return bad("WithTolerance", c.tolerance.String(), "must be positive")
	case c.now == nil:
		return bad("WithClock", "nil", "a clock")
	}
	return nil
}

// phasioTriggerTitles are the Phasio documentation's names of its order
// triggers, for suggestions.
var phasioTriggerTitles = map[string]string{
	"Order Created":   generator.PhasioOrderCreated,
	"Order Updated":   generator.PhasioOrderUpdated,
	"Quote Converted": generator.PhasioQuoteConverted,
}

// randSource reads the configured randomness; only readers other than
// crypto/rand need the lock.
type randSource struct {
	r  io.Reader
	mu *sync.Mutex
}

func (c *config) source() randSource {
	if c.rand == nil || c.rand == rand.Reader {
		return randSource{r: rand.Reader}
	}
	return randSource{r: c.rand, mu: new(sync.Mutex)}
}

func (s randSource) fill(p []byte) error {
	if s.mu != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	if _, err := io.ReadFull(s.r, p); err != nil {
		return fmt.Errorf("wire: reading randomness: %w", err)
	}
	return nil
}
