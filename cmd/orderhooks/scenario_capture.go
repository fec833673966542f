package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/internal/payloads"
	"github.com/orderhooks/orderhooks/internal/safefile"
	"github.com/orderhooks/orderhooks/internal/textw"
	"github.com/orderhooks/orderhooks/pii"
	"github.com/orderhooks/orderhooks/wire"
)

// scenarioOpts are scenario's flags.
type scenarioOpts struct {
	key      string
	provider string
	name     string
	raw      bool
	out      string
}

// scenarioCommand writes the scenario of one captured order: the first
// payload whole, each later one as set/remove patches, every message once,
// personal data replaced by pseudonyms unless --raw.
func scenarioCommand() *command {
	var o scenarioOpts
	fs := newFlagSet("scenario")
	fs.StringVar(&o.key, "key", "", "the order `KEY` (Phasio orderId, HappyColis body.id) whose deliveries make the scenario")
	fs.StringVar(&o.provider, "provider", "", "the platform of the order, when a key is both platforms' (phasio or happycolis)")
	fs.StringVar(&o.name, "name", "", "the scenario's name (default capture/KEY)")
	fs.BoolVar(&o.raw, "raw", false, "keep personal data as captured instead of pseudonyms (only for your own test traffic)")
	fs.StringVar(&o.out, "out", "", "write the scenario file to `FILE` instead of stdout")
	required(fs, "key", "the order key of the lifecycle (capture list shows them)")
	return &command{
		name:    "scenario",
		summary: "turn the captured lifecycle of one order into an editable scenario file, redacted, that emit --scenario sends again",
		args:    "from-capture SOURCE (a capture store, a recording from emit --record or capture export, or an events file)",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runScenario(ctx, fs.Args(), &o, e) },
	}
}

func runScenario(ctx context.Context, args []string, opts *scenarioOpts, e *env) error {
	if len(args) == 0 || args[0] != "from-capture" {
		return usageErrorf("the action is from-capture: orderhooks scenario from-capture --key KEY SOURCE")
	}
	if len(args) != 2 {
		return usageErrorf("from-capture reads one SOURCE: a capture store, a recording or an events file, got %d", len(args)-1)
	}
	src := args[1]
	o := payloads.Options{Key: opts.key, Provider: opts.provider}
	name, raw, out := opts.name, opts.raw, opts.out
	if o.Provider == wire.ProviderStandard {
		return usageErrorf("--provider: the platform of the order's payloads (phasio or happycolis); Standard Webhooks deliveries carry one of them")
	}
	var caps []capture.Captured
	provider := o.Provider
	err := payloads.Read(ctx, src, e.stdin, o, func(p *payloads.Payload) error {
		if provider == "" {
			provider = p.Provider
		}
		if p.Provider != provider {
			return nil
		}
		caps = append(caps, capture.Captured{Event: p.Event, At: p.At, Payload: bytes.Clone(p.Payload), Source: p.Source})
		return nil
	})
	if err != nil {
		return payloadsError(err)
	}
	if len(caps) == 0 {
		return usageErrorf("%s: no verified delivery of order %q", src, o.Key)
	}
	so := capture.ScenarioOptions{Name: name}
	comment := fmt.Sprintf("The captured lifecycle of order %s: %d %s read from %s.", o.Key, len(caps), textw.Plural(len(caps), "delivery", "deliveries"), src)
	if !raw {
		r, err := scenarioRedactor(src)
		if err != nil {
			return err
		}
		so.Redactor = r
		comment += "\nPersonal data is replaced by pseudonyms of the same kind and format."
	} else {
		comment += "\nPersonal data is as captured (--raw): keep this file to your own test traffic."
	}
	comment += "\nSend it again with: orderhooks emit --scenario FILE --provider " + provider + " --url URL --secret SECRET"
	sc, err := capture.ScenarioFromCaptures(provider, caps, so)
	if errors.Is(err, capture.ErrScenario) {
		return usageError(err)
	} else if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := capture.WriteScenario(&b, sc, comment); err != nil {
		return err
	}
	if out == "" || out == "-" {
		_, err := e.stdout.Write(b.Bytes())
		return err
	}
	if err := safefile.WriteFile(out, b.Bytes()); err != nil {
		return usageErrorf("--out: %w", err)
	}
	fmt.Fprintf(e.stderr, "scenario %s written to %s: %d steps\n", sc.Name, out, len(sc.Steps))
	return nil
}

// scenarioRedactor is the redactor of a scenario: a store's own (its
// pseudonyms match its redacted exports), else one under a fresh salt.
func scenarioRedactor(src string) (*pii.Redactor, error) {
	if src != "-" && capture.LooksLikeStore(src) {
		s, err := capture.OpenReadOnly(src)
		if err != nil {
			return nil, usageErrorf("%s: %w", src, err)
		}
		defer s.Close() // read-only
		return s.Redactor()
	}
	return pii.New(pii.NewSalt())
}
