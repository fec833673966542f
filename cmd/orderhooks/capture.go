package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/internal/textw"
	"github.com/orderhooks/orderhooks/wire"
)

// captureOpts are capture's flags; each subcommand reads those
// captureOnly allows it.
type captureOpts struct {
	store     string
	provider  string
	event     string
	key       string
	verdict   string
	status    int
	statusSet bool // --status given (0 included)
	appErrors bool
	limit     int
	before    int64
	json      bool
	body      bool
	redact    bool
	secrets   []string
	out       string
	def       providerFlags // --provider-file, --spec: the definition --secret signs for
}

// captureCommand reads a capture store: list, show or export.
func captureCommand() *command {
	var o captureOpts
	fs := newFlagSet("capture")
	fs.StringVar(&o.store, "store", "", "the capture store `FILE` to read (never written)")
	fs.StringVar(&o.provider, "provider", "", "list, export: only deliveries received with this profile (phasio, happycolis, standard)")
	fs.StringVar(&o.event, "event", "", "list, export: only deliveries of this event")
	fs.StringVar(&o.key, "key", "", "list, export: only deliveries of this order key")
	fs.StringVar(&o.verdict, "verdict", "", "list, export: only deliveries with this verdict ("+strings.Join(verdictNames(), ", ")+")")
	fs.IntVar(&o.status, "status", 0, "list, export: only deliveries answered with this HTTP status")
	fs.BoolVar(&o.appErrors, "app-errors", false, "list, export: only deliveries the forwarded app answered 4xx or 5xx, or did not answer")
	fs.IntVar(&o.limit, "limit", capture.DefaultLimit, fmt.Sprintf("list: deliveries per page, at most %d", capture.MaxLimit))
	fs.Int64Var(&o.before, "before", 0, "list: the page of deliveries older than this id (the next page's cursor)")
	fs.BoolVar(&o.json, "json", false, "list, show: print JSON")
	fs.BoolVar(&o.body, "body", false, "show: write the raw request body, byte for byte, and nothing else")
	fs.BoolVar(&o.redact, "redact", false, "export: replace personal data by the store's pseudonyms (requests are rebuilt with --secret, or left out)")
	rawStringsVar(fs, &o.secrets, "secret", "", "export: re-sign (and for phasio re-encrypt) every request with this secret, or env:NAME or file:PATH")
	o.def.bindFile(fs)
	o.def.bindSpec(fs)
	fs.StringVar(&o.out, "out", "", "export: write to FILE instead of stdout")
	required(fs, "store", "")
	return &command{
		name:    "capture",
		summary: "read a capture store (receive --store): list deliveries, show one whole, export them as a recording replay sends",
		args:    "list\nshow ID\nexport",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runCapture(ctx, fs, &o, e) },
	}
}

// verdictNames are the values --verdict accepts.
func verdictNames() []string {
	var names []string
	for _, v := range capture.Verdicts() {
		names = append(names, string(v))
	}
	return names
}

// captureOnly lists the flags of each capture subcommand beyond --store.
var captureOnly = map[string][]string{
	"list":   {"provider", "event", "key", "verdict", "status", "app-errors", "limit", "before", "json"},
	"show":   {"json", "body"},
	"export": {"provider", "event", "key", "verdict", "status", "app-errors", "redact", "secret", "out", "provider-file", "spec", "sign", "allow-remote-refs", "entity-key"},
}

func runCapture(ctx context.Context, fs *pflag.FlagSet, o *captureOpts, e *env) error {
	if fs.NArg() == 0 {
		return usageErrorf("a subcommand is required: list, show or export")
	}
	sub := fs.Arg(0)
	allowed, ok := captureOnly[sub]
	if !ok {
		return usageErrorf("unknown subcommand %q (list, show, export)%s", sub, suggest.Hint(sub, []string{"list", "show", "export"}, nil))
	}
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err == nil && f.Name != "store" && !slices.Contains(allowed, f.Name) {
			err = usageErrorf("--%s does not apply to capture %s", f.Name, sub)
		}
	})
	if err != nil {
		return err
	}
	o.statusSet = fs.Changed("status")
	s, err := openStoreReadOnly("--store", o.store)
	if err != nil {
		return err
	}
	defer s.Close() // read-only
	switch sub {
	case "list":
		return captureList(ctx, fs.Args(), o, e, s)
	case "show":
		return captureShow(ctx, fs.Args(), o, e, s)
	}
	return captureExport(ctx, fs.Args(), o, e, s)
}

// openStoreReadOnly opens an existing store for reading; a file that is
// not one is a usage error naming the flag (or argument) and the file.
func openStoreReadOnly(what, path string) (*capture.Store, error) {
	s, err := capture.OpenReadOnly(path)
	if err != nil {
		return nil, usageErrorf("%s: %w", what, err)
	}
	return s, nil
}

// filter returns the filter flags' filter, as the store validates it.
func (o *captureOpts) filter(ctx context.Context, s *capture.Store) (capture.Filter, error) {
	f := capture.Filter{Provider: o.provider, Event: o.event, Key: o.key, Verdict: capture.Verdict(o.verdict),
		Status: o.status, AppError: o.appErrors}
	if o.statusSet && f.Status == 0 {
		// 0 is the filter's "any status": given, it would select everything.
		return f, usageErrorf("--status 0: an HTTP status between 100 and 599")
	}
	return f, usageError(s.Validate(ctx, f))
}

func captureList(ctx context.Context, args []string, co *captureOpts, e *env, s *capture.Store) error {
	if len(args) > 1 {
		return usageErrorf("capture list: unexpected argument %q", args[1])
	}
	f, err := co.filter(ctx, s)
	if err != nil {
		return err
	}
	o := capture.ListOptions{Limit: co.limit, Before: co.before}
	if o.Limit < 1 || o.Limit > capture.MaxLimit {
		return usageErrorf("--limit %d: must be between 1 and %d", o.Limit, capture.MaxLimit)
	}
	if o.Before < 0 {
		return usageErrorf("--before %d: a delivery id (positive)", o.Before)
	}
	page, err := s.List(ctx, f, o)
	if err != nil {
		return err
	}
	if co.json {
		return writeJSON(e.stdout, page)
	}
	if len(page.Deliveries) == 0 {
		fmt.Fprintln(e.stdout, "no deliveries")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tPROVIDER\tEVENT\tKEY\tVERDICT\tSTATUS\tAPP")
	for _, d := range page.Deliveries {
		app := "-"
		switch {
		case d.AppError != "":
			app = "error"
		case d.AppStatus != 0:
			app = fmt.Sprintf("%d %s", d.AppStatus, d.AppLatency.Round(time.Millisecond))
		}
		verdict := string(d.Verdict)
		if d.Verdict == capture.VerdictSchemaInvalid {
			verdict += fmt.Sprintf(" (%d)", d.Violations)
		}
		if d.Redacted {
			verdict += ", redacted"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d %s\t%s\n", d.ID, d.ReceivedAt.UTC().Format("2006-01-02 15:04:05.000Z"),
			d.Provider, orDash(d.Event), orDash(d.Key), verdict, d.Status, d.Outcome, app)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if page.Next != 0 {
		fmt.Fprintf(e.stdout, "older deliveries: --before %d\n", page.Next)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func captureShow(ctx context.Context, args []string, o *captureOpts, e *env, s *capture.Store) error {
	if len(args) != 2 {
		return usageErrorf("capture show: one delivery ID is required")
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || id < 1 {
		return usageErrorf("capture show: %s is not a delivery id (a positive number from capture list)", input.Quote(args[1]))
	}
	asJSON, body := o.json, o.body
	if asJSON && body {
		return usageErrorf("--json and --body exclude each other")
	}
	d, err := s.Get(ctx, id)
	if errors.Is(err, capture.ErrNotFound) {
		return usageErrorf("capture show: no delivery %d in %s", id, s.Path())
	} else if err != nil {
		return err
	}
	switch {
	case body:
		_, err := e.stdout.Write(d.Body)
		return err
	case asJSON:
		return writeJSON(e.stdout, d)
	}
	return writeDelivery(e.stdout, d)
}

// writeDelivery prints one delivery for people.
func writeDelivery(w io.Writer, d *capture.Delivery) error {
	p := &textw.Printer{W: w}
	p.Printf("delivery %d: %s %s, order %s, message %s\n", d.ID, d.Provider, orDash(d.Event), orDash(d.Key), orDash(d.DeliveryID))
	p.Printf("received   %s from %s: %s %s%s\n", d.ReceivedAt.UTC().Format(time.RFC3339Nano), d.RemoteAddr, d.Method, d.Host, d.Path)
	verdict := "verdict    " + string(d.Verdict())
	var parts []string
	if d.Signature != "" {
		parts = append(parts, "signature "+string(d.Signature))
	}
	if d.Decryption != "" {
		parts = append(parts, "decryption "+string(d.Decryption))
	}
	if d.Malformed {
		parts = append(parts, "malformed body")
	}
	if d.SchemaChecked {
		if len(d.Violations) == 0 {
			parts = append(parts, "schema valid")
		} else {
			parts = append(parts, textw.Count(len(d.Violations), "schema violation", "schema violations"))
		}
	}
	if len(parts) > 0 {
		verdict += " (" + strings.Join(parts, ", ") + ")"
	}
	if d.Redacted {
		verdict += "; personal data redacted when stored"
	}
	p.Printf("%s\n", verdict)
	for _, v := range d.Violations {
		p.Printf("  %s: %s\n", v.Pointer, v.Message)
	}
	p.Printf("answer     %d %s in %s: %s\n", d.Status, orDash(d.Outcome), d.Handled, strings.TrimSpace(printable(d.Answer)))
	if f := d.Forward; f != nil {
		switch {
		case f.Error != "" && f.Latency == 0: // never sent: its queue was full, receive stopped first
			p.Printf("app        %s: error: %s\n", f.URL, f.Error)
		case f.Error != "":
			p.Printf("app        %s: error: %s after %s\n", f.URL, f.Error, f.Latency.Round(time.Microsecond))
		default:
			p.Printf("app        %s: %d in %s: %s\n", f.URL, f.Status, f.Latency.Round(time.Microsecond), strings.TrimSpace(printable(f.Answer)))
		}
	}
	p.Printf("headers\n")
	for _, k := range sortedKeys(d.Header) {
		for _, v := range d.Header[k] {
			p.Printf("  %s: %s\n", k, v)
		}
	}
	p.Printf("body       %d bytes\n", len(d.Body))
	if len(d.Body) > 0 {
		p.Printf("  %s\n", printable(d.Body))
	}
	if d.Payload != nil {
		var pretty strings.Builder
		if err := indentJSON(&pretty, d.Payload); err != nil {
			p.Printf("payload\n  %s\n", printable(d.Payload))
		} else {
			p.Printf("payload\n%s\n", pretty.String())
		}
	}
	return p.Err
}

// printable shows bytes as text when they are UTF-8 without control
// characters, and says what they are otherwise.
func printable(b []byte) string {
	if !utf8.Valid(b) || strings.ContainsFunc(string(b), func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' && r != '\r' }) {
		return fmt.Sprintf("(%d bytes of binary data; capture show --body writes them)", len(b))
	}
	return input.Truncate(string(b))
}

func indentJSON(w *strings.Builder, b []byte) error {
	var v json.RawMessage = b
	out, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		return err
	}
	w.WriteString("  ")
	w.Write(out)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func captureExport(ctx context.Context, args []string, co *captureOpts, e *env, s *capture.Store) error {
	if len(args) > 1 {
		return usageErrorf("capture export: unexpected argument %q", args[1])
	}
	f, err := co.filter(ctx, s)
	if err != nil {
		return err
	}
	c, err := co.def.choose(ctx)
	if err != nil {
		return err
	}
	specs := co.secrets
	switch {
	case c != nil && len(specs) == 0:
		return usageErrorf("--provider-file and --spec name the definition --secret signs for: give --secret")
	case c != nil && f.Provider != "" && f.Provider != c.name:
		return usageErrorf("--provider %s: the definition given signs %s deliveries", f.Provider, c.name)
	case c != nil:
		f.Provider = c.name // its deliveries only
	}
	o := capture.ExportOptions{Filter: f, Redact: co.redact}
	if len(specs) > 0 {
		var p wire.Profile
		switch {
		case c != nil:
			p, err = c.profileWith("--secret", specs, e)
		case f.Provider == "":
			return usageErrorf("--secret needs --provider (or --provider-file, --spec for a definition's deliveries): a secret signs for one platform")
		default:
			p, err = profileOf("--secret", f.Provider, specs, e)
		}
		if err != nil {
			return err
		}
		o.Resign = p
	}
	w, done, err := createOutput(co.out, e.stdout)
	if err != nil {
		return err
	}
	st, err := s.Export(ctx, w, o)
	if derr := done(err == nil); err == nil {
		err = derr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d deliveries", st.Written)
	if st.Skipped > 0 {
		fmt.Fprintf(e.stderr, "; %d left out: nothing of them was verified (no payload to replay)", st.Skipped)
	}
	fmt.Fprintln(e.stderr)
	return nil
}

// createOutput opens --out, or stdout. done(ok) closes it. The export
// writes whole lines, so a file cut short by an interrupt or a full disk
// holds complete records.
func createOutput(path string, stdout io.Writer) (io.Writer, func(ok bool) error, error) {
	if path == "" || path == "-" {
		return stdout, func(bool) error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, usageErrorf("--out: %w", err)
	}
	return f, func(bool) error {
		if err := f.Close(); err != nil {
			return fmt.Errorf("--out %s: %w", path, err)
		}
		return nil
	}, nil
}

// profileOf builds the profile of provider with the secrets of a flag
// (each a literal, env:NAME or file:PATH).
func profileOf(flag, provider string, specs []string, e *env) (wire.Profile, error) {
	secrets, err := resolveSecrets(flag, specs, e)
	if err != nil {
		return nil, err
	}
	p, err := wire.New(provider, secrets)
	if err != nil {
		return nil, flagError(flag, err)
	}
	return p, nil
}

// resolveSecrets reads the secrets of a flag (each a secret, env:NAME or
// file:PATH).
func resolveSecrets(flag string, specs []string, e *env) ([]string, error) {
	secrets := make([]string, len(specs))
	for i, spec := range specs {
		s, err := wire.ResolveSecret(spec, e.getenv)
		if err != nil {
			return nil, flagError(flag, err)
		}
		secrets[i] = s
	}
	return secrets, nil
}

// profileWith builds the chosen provider's profile (a built-in's, a
// definition file's or an imported document's) with the secrets of a
// flag.
func (c *chosen) profileWith(flag string, specs []string, e *env) (wire.Profile, error) {
	secrets, err := resolveSecrets(flag, specs, e)
	if err != nil {
		return nil, err
	}
	p, err := c.profile(secrets)
	if err != nil {
		return nil, flagError(flag, err)
	}
	return p, nil
}
