package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/generator"
)

func init() {
	register(&command{
		name:    "scenarios",
		summary: "list the built-in lifecycle scenarios (name, provider, steps, description)",
		usage:   "orderhooks scenarios",
		order:   21,
		flags: func() *pflag.FlagSet {
			return pflag.NewFlagSet("scenarios", pflag.ContinueOnError)
		},
		run: runScenarios,
	})
}

func runScenarios(_ context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPROVIDER\tSTEPS\tDESCRIPTION")
	for _, s := range generator.Scenarios() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.Name, s.Provider, len(s.Steps), s.Description)
	}
	return tw.Flush()
}
