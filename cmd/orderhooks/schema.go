package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/schemas"
)

func init() {
	register(&command{
		name:    "schema",
		summary: "list the payload schemas or print one",
		usage:   "orderhooks schema list | orderhooks schema show NAME",
		order:   11,
		flags:   func() *pflag.FlagSet { return pflag.NewFlagSet("schema", pflag.ContinueOnError) },
		run:     runSchema,
	})
}

func runSchema(_ context.Context, fs *pflag.FlagSet, e *env) error {
	args := fs.Args()
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
		return usageErrorf("missing action: list or show NAME")
	}
	return usageErrorf("unknown action %q: want list or show NAME", strings.Join(args, " "))
}
