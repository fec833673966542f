package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/textw"
	"github.com/orderhooks/orderhooks/schemas"
)

// schemaAuto is the --schema value that validates generator events
// ({"seq","provider","event","payload"} lines) against their own schema.
const schemaAuto = "auto"

// validateOpts are validate's flags.
type validateOpts struct {
	schema        string
	strict        bool
	schemaOverlay string
}

// validateCommand prints one line per violation, SOURCE:LINE: POINTER: MESSAGE,
// on stdout and a summary on stderr; reading stdin when no file is named.
// Ctrl-C stops it between documents, or while stdin is idle.
func validateCommand() *command {
	var o validateOpts
	fs := newFlagSet("validate")
	fs.StringVar(&o.schema, "schema", "", "schema to check against (see 'orderhooks schema list'), or "+schemaAuto+
		" for generator events: each line's payload against the schema of its provider and event")
	fs.BoolVar(&o.strict, "strict", false, "with --schema "+schemaAuto+", use the strict variants (no undocumented fields)")
	bindSchemaOverlay(fs, &o.schemaOverlay)
	required(fs, "schema", "one of "+schemaChoices())
	return &command{
		name:    "validate",
		summary: "check JSON or JSONL documents against a payload schema",
		args:    "[FILE|-]...",
		fs:      fs,
		run: func(ctx context.Context, e *env) error {
			return runValidate(ctx, fs.Args(), &o, e)
		},
	}
}

func runValidate(ctx context.Context, args []string, o *validateOpts, e *env) error {
	name, strict := o.schema, o.strict
	set, err := schemaSet(o.schemaOverlay)
	if err != nil {
		return err
	}
	if set == nil {
		set = schemas.Embedded()
	}
	v := &validator{strict: strict, set: set}
	switch {
	case name == schemaAuto:
	case strict:
		return usageErrorf("--strict only applies to --schema %s; name a strict schema instead (%s)", schemaAuto, schemaChoices())
	default:
		s, err := set.Get(name)
		if err != nil {
			return err
		}
		v.schema = s
	}

	srcs, err := openSources(ctx, args, e.stdin)
	if err != nil {
		return usageError(err)
	}
	v.ctx = ctx
	defer func() {
		for _, s := range srcs {
			s.close()
		}
	}()
	out := bufio.NewWriter(e.stdout)
	v.out = out
	for _, s := range srcs {
		if err = v.source(s); err != nil {
			break
		}
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	fmt.Fprintf(e.stderr, "%s, %d invalid\n", textw.Count(v.docs, "document", "documents"), v.invalid)
	if ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "orderhooks validate: interrupted; the count covers the documents read")
		return failedSilently()
	}
	if err != nil {
		return err
	}
	if v.invalid > 0 {
		return failedSilently()
	}
	return nil
}

func schemaChoices() string {
	return schemaAuto + ", " + strings.Join(schemas.Names(), ", ")
}

// source is one input: a named file or stdin.
type source struct {
	name  string
	r     io.Reader
	close func()
}

// openSources opens every input up front, so a missing file is a usage
// error before anything is reported. Every source gives way to ctx: stdin
// or a FIFO can be idle, and an endless line (/dev/zero) is skipped for
// ever.
func openSources(ctx context.Context, args []string, stdin io.Reader) ([]source, error) {
	if len(args) == 0 {
		args = []string{"-"}
	}
	var srcs []source
	for _, a := range args {
		if a == "-" {
			srcs = append(srcs, source{name: "<stdin>", r: input.Interruptible(ctx, stdin), close: func() {}})
			continue
		}
		f, err := input.Open(a)
		if err != nil {
			for _, s := range srcs {
				s.close()
			}
			return nil, err
		}
		srcs = append(srcs, source{name: a, r: input.Interruptible(ctx, f), close: func() { f.Close() }})
	}
	return srcs, nil
}

// validator checks documents against one schema, or in auto mode against
// the schema each generator event names.
type validator struct {
	ctx     context.Context
	schema  *schemas.Schema // nil in auto mode
	set     *schemas.Set    // the schemas of auto mode
	strict  bool
	out     io.Writer
	docs    int
	invalid int
}

func (v *validator) source(s source) error {
	err := schemas.ReadDocuments(s.r, func(d schemas.Document) error {
		if err := v.ctx.Err(); err != nil {
			return err
		}
		v.docs++
		if !v.safeDocument(s.name, d) {
			v.invalid++
		}
		return nil
	})
	if err != nil && v.ctx.Err() == nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return nil
}

// safeDocument is document, a panic (a bug) reported as that document's
// one line instead of ending the run.
func (v *validator) safeDocument(src string, d schemas.Document) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(v.out, "%s:%d: internal error (a bug in orderhooks; please report it with this line): %v\n", src, d.Line, r)
			ok = false
		}
	}()
	return v.document(src, d)
}

// document reports d's problems and says whether it is valid.
func (v *validator) document(src string, d schemas.Document) bool {
	var ie *input.Error
	switch se := (*schemas.SyntaxError)(nil); {
	case d.Err == nil:
	case errors.As(d.Err, &se) && errors.Is(se.Err, input.ErrEncoding):
		fmt.Fprintf(v.out, "%s:%d:%d: invalid UTF-8\n", src, se.Line, se.Column)
		return false
	case errors.As(d.Err, &se):
		fmt.Fprintf(v.out, "%s:%d:%d: not JSON: %v\n", src, se.Line, se.Column, se.Err)
		return false
	case errors.As(d.Err, &ie) && errors.Is(ie, input.ErrTooLarge):
		fmt.Fprintf(v.out, "%s:%d: longer than the %s; not read\n", src, d.Line, ie.Limit)
		return false
	default:
		fmt.Fprintf(v.out, "%s:%d: %v\n", src, d.Line, d.Err)
		return false
	}
	if v.schema != nil {
		return v.report(src, d, "", v.schema.Validate(d.Value), "")
	}
	ev, ok := d.Value.(map[string]any)
	provider, _ := ev["provider"].(string)
	event, _ := ev["event"].(string)
	payload, hasPayload := ev["payload"]
	if !ok || provider == "" || event == "" || !hasPayload {
		fmt.Fprintf(v.out, "%s:%d: /: not a generator event (want an object with provider, event and payload)\n", src, d.Line)
		return false
	}
	name, err := schemas.ForEvent(provider, event, v.strict)
	if err != nil {
		fmt.Fprintf(v.out, "%s:%d: /provider: %v\n", src, d.Line, err)
		return false
	}
	s, err := v.set.Get(name)
	if err != nil {
		fmt.Fprintf(v.out, "%s:%d: /provider: %v\n", src, d.Line, err)
		return false
	}
	return v.report(src, d, "/payload", s.Validate(payload), " ("+name+")")
}

// report prints err's violations, pointers prefixed by prefix (the payload's
// place in the document), each on the line where its value starts.
func (v *validator) report(src string, d schemas.Document, prefix string, err error, suffix string) bool {
	if err == nil {
		return true
	}
	ve, ok := err.(*schemas.ValidationError)
	if !ok {
		p := prefix
		if p == "" {
			p = "/"
		}
		fmt.Fprintf(v.out, "%s:%d: %s: %v%s\n", src, d.Line, p, err, suffix)
		return false
	}
	// Report in document order, so a multi-line document reads top down.
	pointers := make([]string, len(ve.Violations))
	for i := range ve.Violations {
		ve.Violations[i].Pointer = prefix + ve.Violations[i].Pointer
		pointers[i] = ve.Violations[i].Pointer
	}
	lines := schemas.LinesOf(d.Raw, pointers)
	for i := range lines {
		lines[i] += d.Line - 1
	}
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lines[order[a]] < lines[order[b]] })
	for k, i := range order {
		if k == maxViolationLines {
			fmt.Fprintf(v.out, "%s:%d: … and %d more violations in this document\n", src, d.Line, len(order)-k)
			break
		}
		fmt.Fprintf(v.out, "%s:%d: %s%s\n", src, lines[i], ve.Violations[i], suffix)
	}
	return false
}

// maxViolationLines bounds the lines one document prints: an array of a
// million wrong items says so in a line, not a million.
const maxViolationLines = 100
