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
	"github.com/orderhooks/orderhooks/wire"
)

func init() {
	register(&command{
		name:    "capture",
		summary: "read a capture store (receive --store): list deliveries, show one whole, export them as a recording replay sends",
		usage: "orderhooks capture list --store FILE [--provider P] [--event E] [--key KEY] [--verdict V] [--status N] [--app-errors] [--limit N] [--before ID] [--json]\n" +
			"  orderhooks capture show --store FILE ID [--json | --body]\n" +
			"  orderhooks capture export --store FILE [--redact [--secret SECRET]] [--out FILE] [filters]",
		order: 33,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("capture", pflag.ContinueOnError)
			fs.String("store", "", "the capture store to read (never written)")
			fs.String("provider", "", "list, export: only deliveries received with this profile (phasio, happycolis, standard)")
			fs.String("event", "", "list, export: only deliveries of this event")
			fs.String("key", "", "list, export: only deliveries of this order key")
			fs.String("verdict", "", "list, export: only deliveries with this verdict ("+strings.Join(verdictNames(), ", ")+")")
			fs.Int("status", 0, "list, export: only deliveries answered with this HTTP status")
			fs.Bool("app-errors", false, "list, export: only deliveries the forwarded app answered 4xx or 5xx, or did not answer")
			fs.Int("limit", capture.DefaultLimit, fmt.Sprintf("list: deliveries per page, at most %d", capture.MaxLimit))
			fs.Int64("before", 0, "list: the page of deliveries older than this id (the next page's cursor)")
			fs.Bool("json", false, "list, show: print JSON")
			fs.Bool("body", false, "show: write the raw request body, byte for byte, and nothing else")
			fs.Bool("redact", false, "export: replace personal data by the store's pseudonyms (requests are rebuilt with --secret, or left out)")
			fs.StringArray("secret", nil, "export: re-sign (and for phasio re-encrypt) every request with this secret, or env:NAME or file:PATH")
			fs.String("out", "", "export: write to FILE instead of stdout")
			return fs
		},
		run: runCapture,
	})
}

// verdictNames are the values --verdict accepts.
func verdictNames() []string {
	return []string{string(capture.VerdictOK), string(capture.VerdictSignature), string(capture.VerdictSignatureMissing),
		string(capture.VerdictSignatureBad), string(capture.VerdictSignatureStale), string(capture.VerdictDecryptionFailed),
		string(capture.VerdictMalformed), string(capture.VerdictSchemaInvalid), string(capture.VerdictRejected)}
}

// captureOnly lists the flags of each capture subcommand beyond --store.
var captureOnly = map[string][]string{
	"list":   {"provider", "event", "key", "verdict", "status", "app-errors", "limit", "before", "json"},
	"show":   {"json", "body"},
	"export": {"provider", "event", "key", "verdict", "status", "app-errors", "redact", "secret", "out"},
}

func runCapture(ctx context.Context, fs *pflag.FlagSet, e *env) error {
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
		if err == nil && f.Name != "store" && !contains(allowed, f.Name) {
			err = usageErrorf("--%s does not apply to capture %s", f.Name, sub)
		}
	})
	if err != nil {
		return err
	}
	path, _ := fs.GetString("store")
	if path == "" {
		return usageErrorf("--store FILE is required")
	}
	s, err := openStoreReadOnly("--store", path)
	if err != nil {
		return err
	}
	defer s.Close() // read-only
	switch sub {
	case "list":
		return captureList(ctx, fs, e, s)
	case "show":
		return captureShow(ctx, fs, e, s)
	}
	return captureExport(ctx, fs, e, s)
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
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

// captureFilter reads the filter flags.
func captureFilter(fs *pflag.FlagSet) (capture.Filter, error) {
	var f capture.Filter
	f.Provider, _ = fs.GetString("provider")
	f.Event, _ = fs.GetString("event")
	f.Key, _ = fs.GetString("key")
	v, _ := fs.GetString("verdict")
	f.Verdict = capture.Verdict(v)
	f.Status, _ = fs.GetInt("status")
	f.AppError, _ = fs.GetBool("app-errors")
	if f.Provider != "" {
		if err := checkProvider(f.Provider); err != nil {
			return f, err
		}
	}
	if v != "" && !contains(verdictNames(), v) {
		return f, usageErrorf("--verdict: unknown verdict %q (%s)%s", v, strings.Join(verdictNames(), ", "), suggest.Hint(v, verdictNames(), nil))
	}
	if fs.Changed("status") && (f.Status < 100 || f.Status > 599) {
		return f, usageErrorf("--status %d: an HTTP status between 100 and 599", f.Status)
	}
	return f, nil
}

func captureList(ctx context.Context, fs *pflag.FlagSet, e *env, s *capture.Store) error {
	if fs.NArg() > 1 {
		return usageErrorf("capture list: unexpected argument %q", fs.Arg(1))
	}
	f, err := captureFilter(fs)
	if err != nil {
		return err
	}
	var o capture.ListOptions
	o.Limit, _ = fs.GetInt("limit")
	o.Before, _ = fs.GetInt64("before")
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
	if asJSON, _ := fs.GetBool("json"); asJSON {
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

func captureShow(ctx context.Context, fs *pflag.FlagSet, e *env, s *capture.Store) error {
	if fs.NArg() != 2 {
		return usageErrorf("capture show: one delivery ID is required")
	}
	id, err := strconv.ParseInt(fs.Arg(1), 10, 64)
	if err != nil || id < 1 {
		return usageErrorf("capture show: %s is not a delivery id (a positive number from capture list)", input.Quote(fs.Arg(1)))
	}
	asJSON, _ := fs.GetBool("json")
	body, _ := fs.GetBool("body")
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
	p := &errWriter{w: w}
	p.printf("delivery %d: %s %s, order %s, message %s\n", d.ID, d.Provider, orDash(d.Event), orDash(d.Key), orDash(d.DeliveryID))
	p.printf("received   %s from %s: %s %s%s\n", d.ReceivedAt.UTC().Format(time.RFC3339Nano), d.RemoteAddr, d.Method, d.Host, d.Path)
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
			parts = append(parts, plural(len(d.Violations), "schema violation"))
		}
	}
	if len(parts) > 0 {
		verdict += " (" + strings.Join(parts, ", ") + ")"
	}
	if d.Redacted {
		verdict += "; personal data redacted when stored"
	}
	p.printf("%s\n", verdict)
	for _, v := range d.Violations {
		p.printf("  %s: %s\n", v.Pointer, v.Message)
	}
	p.printf("answer     %d %s in %s: %s\n", d.Status, orDash(d.Outcome), d.Handled, strings.TrimSpace(printable(d.Answer)))
	if f := d.Forward; f != nil {
		if f.Error != "" {
			p.printf("app        %s: error: %s after %s\n", f.URL, f.Error, f.Latency.Round(time.Microsecond))
		} else {
			p.printf("app        %s: %d in %s: %s\n", f.URL, f.Status, f.Latency.Round(time.Microsecond), strings.TrimSpace(printable(f.Answer)))
		}
	}
	p.printf("headers\n")
	for _, k := range sortedKeys(d.Header) {
		for _, v := range d.Header[k] {
			p.printf("  %s: %s\n", k, v)
		}
	}
	p.printf("body       %d bytes\n", len(d.Body))
	if len(d.Body) > 0 {
		p.printf("  %s\n", printable(d.Body))
	}
	if d.Payload != nil {
		var pretty strings.Builder
		if err := indentJSON(&pretty, d.Payload); err != nil {
			p.printf("payload\n  %s\n", printable(d.Payload))
		} else {
			p.printf("payload\n%s\n", pretty.String())
		}
	}
	return p.err
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

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (p *errWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func captureExport(ctx context.Context, fs *pflag.FlagSet, e *env, s *capture.Store) error {
	if fs.NArg() > 1 {
		return usageErrorf("capture export: unexpected argument %q", fs.Arg(1))
	}
	f, err := captureFilter(fs)
	if err != nil {
		return err
	}
	o := capture.ExportOptions{Filter: f}
	o.Redact, _ = fs.GetBool("redact")
	if specs := rawStrings(fs, "secret"); len(specs) > 0 {
		if f.Provider == "" {
			return usageErrorf("--secret needs --provider: a secret signs for one platform")
		}
		p, err := profileOf("--secret", f.Provider, specs, e)
		if err != nil {
			return err
		}
		o.Resign = p
	}
	out, _ := fs.GetString("out")
	w, done, err := createOutput(out, e.stdout)
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
	secrets := make([]string, len(specs))
	for i, spec := range specs {
		s, err := wire.ResolveSecret(spec, e.getenv)
		if err != nil {
			return nil, usageErrorf("%s: %w", flag, err)
		}
		secrets[i] = s
	}
	p, err := wire.New(provider, secrets)
	if err != nil {
		return nil, usageErrorf("%s: %w", flag, err)
	}
	return p, nil
}
