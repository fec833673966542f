package wire

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/internal/errs"
)

// Option configures a profile (Compile, New, NewPhasio, NewHappyColis,
// NewStandard). Most options change one fact of the definition (see
// each); given to a profile whose definition has no such fact, an option
// is refused with an *OptionError, never ignored.
type Option func(*config)

// OptionError is the error of an option the constructor refuses: its Go
// name (Option), value and what is expected. It wraps ErrOptions, or
// ErrBadSecret for the secret argument.
type OptionError = errs.OptionError

// ErrOptions is wrapped by the constructors' errors about options.
var ErrOptions = errors.New("wire: bad option")

// config holds the options' values; Compile reads them over the
// definition's.
type config struct {
	rand io.Reader

	// given lists the options set, in order, to refuse those the
	// definition has nothing for.
	given []string

	extraSecrets []string

	nonceSize      int
	layout         Layout
	padded         bool
	field          string
	hmacKey        HMACKeyForm
	triggerHeader  bool
	deliveryHeader bool
	trigger        string

	organizationID string
	webhookID      string

	tolerance      time.Duration
	now            func() time.Time
	timestampField bool
}

// newConfig applies opts.
func newConfig(opts []Option) *config {
	c := &config{now: time.Now, triggerHeader: true, deliveryHeader: true, timestampField: true}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// give notes that option was set.
func (c *config) give(option string) {
	if !slices.Contains(c.given, option) {
		c.given = append(c.given, option)
	}
}

// has reports whether option was set.
func (c *config) has(option string) bool { return slices.Contains(c.given, option) }

// WithRand sets the source of nonces, wrong keys and bad signatures
// (default crypto/rand.Reader), for any profile. A seeded reader makes
// Build reproducible; it is read under a lock, so it need not be safe for
// concurrent use.
func WithRand(r io.Reader) Option {
	return func(c *config) { c.rand = r }
}

// WithSecrets adds secrets that sign next to Compile's (key rotation:
// every one of them signs, and Verify accepts a signature by any), for
// definitions whose signatures are joined (signing.join is not none).
func WithSecrets(secrets ...string) Option {
	return func(c *config) { c.give("WithSecrets"); c.extraSecrets = append(c.extraSecrets, secrets...) }
}

// WithNonceSize sets the AES-GCM nonce length (definitions with an
// encryption section, such as Phasio; default the definition's, 12).
func WithNonceSize(n int) Option {
	return func(c *config) { c.give("WithNonceSize"); c.nonceSize = n }
}

// WithLayout sets where the nonce goes in the sealed payload
// (definitions with an encryption section; default the definition's,
// LayoutNonceFirst for Phasio).
func WithLayout(l Layout) Option {
	return func(c *config) { c.give("WithLayout"); c.layout = l }
}

// WithPadding makes Build write the encrypted payload string with or
// without base64 padding (definitions with an encryption section;
// default the definition's, unpadded for Phasio). Verify accepts both
// either way.
func WithPadding(padded bool) Option {
	return func(c *config) { c.give("WithPadding"); c.padded = padded }
}

// WithBodyField sets the body member that carries the encrypted payload
// string (definitions with an encryption section and no envelope;
// default the definition's, DefaultPhasioBodyField for Phasio).
func WithBodyField(name string) Option {
	return func(c *config) { c.give("WithBodyField"); c.field = name }
}

// WithHMACKey sets which bytes key the HMAC (definitions with an HMAC
// scheme whose secret is encoded, such as Phasio; default the
// definition's, HMACKeySecretString for Phasio).
func WithHMACKey(form HMACKeyForm) Option {
	return func(c *config) { c.give("WithHMACKey"); c.hmacKey = form }
}

// WithTriggerHeader turns the header naming the event on Build's requests
// on or off (definitions of one URL per event that name a test header,
// such as Phasio's TriggerHeader; default on).
func WithTriggerHeader(on bool) Option {
	return func(c *config) { c.give("WithTriggerHeader"); c.triggerHeader = on }
}

// WithDeliveryHeader turns the header carrying the message id on Build's
// requests on or off (definitions whose provider sends no id and that
// name a test header, such as Phasio's DeliveryHeader; default on).
func WithDeliveryHeader(on bool) Option {
	return func(c *config) { c.give("WithDeliveryHeader"); c.deliveryHeader = on }
}

// WithDefaultTrigger sets the event Verify reports for requests that do
// not name theirs (definitions of one URL per event, such as Phasio;
// default the definition's, DefaultPhasioTrigger): a real Phasio webhook
// is configured for one trigger, so its receiver knows it from the URL.
// It must be one of the definition's events.
func WithDefaultTrigger(trigger string) Option {
	return func(c *config) { c.give("WithDefaultTrigger"); c.trigger = trigger }
}

// WithOrganizationID makes Build stamp header.organizationId (definitions
// that stamp the payload's header object, such as HappyColis; default:
// kept as the generator wrote it).
func WithOrganizationID(id string) Option {
	return func(c *config) { c.give("WithOrganizationID"); c.organizationID = id }
}

// WithWebhookID makes Build stamp header.webhookId (definitions that
// stamp the payload's header object, such as HappyColis; default: kept as
// the generator wrote it).
func WithWebhookID(id string) Option {
	return func(c *config) { c.give("WithWebhookID"); c.webhookID = id }
}

// WithTolerance sets how far from Verify's clock the signed timestamp may
// be (definitions with a timestamp, such as Standard Webhooks; default
// the definition's, DefaultTolerance). The stale-timestamp fault signs a
// timestamp twice the tolerance before Message.Time.
func WithTolerance(d time.Duration) Option {
	return func(c *config) { c.give("WithTolerance"); c.tolerance = d }
}

// WithClock sets the clock Verify checks the signed timestamp against
// (definitions with a timestamp; default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.give("WithClock"); c.now = now }
}

// WithTimestampField includes the send time in Build's body (definitions
// whose envelope has a "{time}" member, such as Standard Webhooks'
// "timestamp"; default on). The Standard Webhooks payload structure
// recommends it; without it the body is {"type":…,"data":…}.
func WithTimestampField(on bool) Option {
	return func(c *config) { c.give("WithTimestampField"); c.timestampField = on }
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
