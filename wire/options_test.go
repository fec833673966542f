package wire

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestMisplacedOptions gives every option to every profile's constructor:
// an option of another profile is refused with an *OptionError naming
// it (never ignored), the profile's own options and WithRand are taken.
func TestMisplacedOptions(t *testing.T) {
	options := []struct {
		name  string
		owner string // "" for every profile
		opt   Option
	}{
		{"WithRand", "", WithRand(testkit.Rand(1))},
		{"WithNonceSize", ProviderPhasio, WithNonceSize(16)},
		{"WithLayout", ProviderPhasio, WithLayout(LayoutNonceLast)},
		{"WithPadding", ProviderPhasio, WithPadding(true)},
		{"WithBodyField", ProviderPhasio, WithBodyField("data")},
		{"WithHMACKey", ProviderPhasio, WithHMACKey(HMACKeyDecoded)},
		{"WithTriggerHeader", ProviderPhasio, WithTriggerHeader(false)},
		{"WithDeliveryHeader", ProviderPhasio, WithDeliveryHeader(false)},
		{"WithDefaultTrigger", ProviderPhasio, WithDefaultTrigger("ORDER")},
		{"WithOrganizationID", ProviderHappyColis, WithOrganizationID("org")},
		{"WithWebhookID", ProviderHappyColis, WithWebhookID("hook")},
		{"WithTolerance", ProviderStandard, WithTolerance(time.Minute)},
		{"WithClock", ProviderStandard, WithClock(testkit.Clock)},
		{"WithTimestampField", ProviderStandard, WithTimestampField(false)},
	}
	for _, o := range options {
		for _, provider := range Providers() {
			t.Run(o.name+"/"+provider, func(t *testing.T) {
				p, err := New(provider, []string{testkit.Secret(provider)}, o.opt)
				if o.owner == "" || o.owner == provider {
					if err != nil || p.Name() != provider {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				var oe *OptionError
				if !errors.As(err, &oe) || oe.Option != o.name || !errors.Is(err, ErrOptions) {
					t.Fatalf("got %v, want an *OptionError for %s", err, o.name)
				}
				if want := "applies to the " + o.owner + " profile only"; !strings.Contains(err.Error(), want) {
					t.Fatalf("%q does not say %q", err, want)
				}
			})
		}
	}
}

// TestNewErrors: unknown providers and wrong secret counts.
func TestNewErrors(t *testing.T) {
	_, err := New("phasi", []string{testkit.PhasioSecret})
	var oe *OptionError
	if !errors.As(err, &oe) || !errors.Is(err, ErrUnknownProvider) || !strings.Contains(err.Error(), `(did you mean "phasio"?)`) {
		t.Fatalf("unknown provider: %v", err)
	}
	if _, err := New(ProviderHappyColis, []string{"a", "b"}); !errors.Is(err, ErrBadSecret) {
		t.Fatalf("two HappyColis secrets: %v", err)
	}
}
