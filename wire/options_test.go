package wire

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestMisplacedOptions gives every option to every built-in profile: an
// option whose fact the definition does not have is refused with an
// *OptionError naming it and what it needs (never ignored); the others
// and WithRand are taken.
func TestMisplacedOptions(t *testing.T) {
	options := []struct {
		name  string
		owner string // the profiles it applies to, space-separated; "" for every profile
		opt   Option
	}{
		{"WithRand", "", WithRand(testkit.Rand(1))},
		{"WithNonceSize", ProviderPhasio, WithNonceSize(16)},
		{"WithLayout", ProviderPhasio, WithLayout(LayoutNonceLast)},
		{"WithPadding", ProviderPhasio, WithPadding(true)},
		{"WithBodyField", ProviderPhasio, WithBodyField("data")},
		{"WithHMACKey", "phasio standard", WithHMACKey(HMACKeyDecoded)},
		{"WithTriggerHeader", ProviderPhasio, WithTriggerHeader(false)},
		{"WithDeliveryHeader", ProviderPhasio, WithDeliveryHeader(false)},
		{"WithDefaultTrigger", ProviderPhasio, WithDefaultTrigger("ORDER")},
		{"WithOrganizationID", ProviderHappyColis, WithOrganizationID("org")},
		{"WithWebhookID", ProviderHappyColis, WithWebhookID("hook")},
		{"WithTolerance", ProviderStandard, WithTolerance(time.Minute)},
		{"WithClock", ProviderStandard, WithClock(testkit.Clock)},
		{"WithTimestampField", ProviderStandard, WithTimestampField(false)},
		{"WithSecrets", ProviderStandard, WithSecrets(testkit.StandardSecret)},
	}
	for _, o := range options {
		for _, provider := range Providers() {
			t.Run(o.name+"/"+provider, func(t *testing.T) {
				p, err := New(provider, []string{testkit.Secret(provider)}, o.opt)
				if o.owner == "" || slices.Contains(strings.Fields(o.owner), provider) {
					if err != nil || p.Name() != provider {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				var oe *OptionError
				if !errors.As(err, &oe) || oe.Option != o.name || !errors.Is(err, ErrOptions) {
					t.Fatalf("got %v, want an *OptionError for %s", err, o.name)
				}
				if want := "applies to definitions with "; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), provider+" has none") {
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
