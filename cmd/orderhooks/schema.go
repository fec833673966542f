package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/internal/safefile"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/specexport"
)

// schemaOpts are schema's flags (export's).
type schemaOpts struct {
	provider providerFlags
	format   string
	output   string
}

// schemaCommand lists the payload schemas, prints one, or exports a
// provider's events as an OpenAPI or AsyncAPI document.
func schemaCommand() *command {
	var o schemaOpts
	fs := newFlagSet("schema")
	o.provider.bind(fs, "export: the built-in provider `NAME` to describe: phasio, happycolis or standard")
	o.provider.bindSpec(fs)
	fs.StringVar(&o.format, "format", "", "export: the document to write: openapi (OpenAPI 3.1, a webhooks entry per event) or asyncapi (AsyncAPI 3.0, a send operation per event)")
	fs.StringVarP(&o.output, "output", "o", "-", "export: the `FILE` to write (YAML; JSON when it ends in .json; - for stdout)")
	return &command{
		name:    "schema",
		summary: "list the payload schemas, print one, or export a provider's events as an OpenAPI 3.1 or AsyncAPI 3.0 document",
		args:    "list\nshow NAME\nexport (--provider NAME | --provider-file FILE | --spec SPEC) --format FORMAT",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runSchema(ctx, fs, &o, e) },
	}
}

func runSchema(ctx context.Context, fs *pflag.FlagSet, o *schemaOpts, e *env) error {
	args := fs.Args()
	if len(args) > 0 && args[0] == "export" {
		if len(args) > 1 {
			return usageErrorf("unexpected argument %q", args[1])
		}
		return runSchemaExport(ctx, o, e)
	}
	var set []string
	fs.Visit(func(f *pflag.Flag) { set = append(set, "--"+f.Name) })
	if len(set) > 0 && len(args) > 0 {
		return usageErrorf("%s applies to schema export, not %s", set[0], args[0])
	}
	switch {
	case len(args) == 1 && args[0] == "list":
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, s := range schemas.All() {
			fmt.Fprintf(tw, "%s\t%s\n", s.Name(), s.Title())
		}
		return tw.Flush()
	case len(args) == 2 && args[0] == "show":
		s, err := schemas.Get(args[1])
		if err != nil {
			return usageError(err)
		}
		src := s.Source()
		if src[len(src)-1] != '\n' {
			src = append(src, '\n')
		}
		_, err = e.stdout.Write(src)
		return err
	}
	if len(args) == 0 {
		return usageErrorf("missing action: list, show NAME or export")
	}
	return usageErrorf("unknown action %q: want list, show NAME or export%s", strings.Join(args, " "), suggest.Hint(args[0], []string{"list", "show", "export"}, nil))
}

// runSchemaExport writes the chosen provider's OpenAPI or AsyncAPI
// document.
func runSchemaExport(ctx context.Context, o *schemaOpts, e *env) error {
	c, err := o.provider.choose(ctx)
	if err != nil {
		return err
	}
	if c == nil {
		return requiredError("provider", "the provider to describe: phasio, happycolis or standard", "provider-file", "spec")
	}
	if o.format == "" {
		return requiredError("format", specexport.OpenAPI+" or "+specexport.AsyncAPI)
	}
	doc, err := specexport.Export(c.def, o.format)
	if errors.Is(err, specexport.ErrFormat) {
		return usageErrorf("--format: %v", strings.TrimPrefix(err.Error(), "specexport: "))
	}
	var xe *specexport.Error
	switch {
	case errors.As(err, &xe):
		return usageErrorf("%v", xe)
	case err != nil:
		return usageErrorf("%s: %v", c.name, strings.TrimPrefix(err.Error(), "specexport: "))
	}
	out := doc.JSON()
	if !strings.HasSuffix(strings.ToLower(o.output), ".json") {
		if out, err = doc.YAML(); err != nil {
			return err
		}
	}
	if o.output == "-" {
		_, err = e.stdout.Write(out)
		return err
	}
	if err := safefile.WriteFile(o.output, out); err != nil {
		return usageErrorf("--output: %v", err)
	}
	return nil
}
