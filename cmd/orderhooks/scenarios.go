package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/generator"
)

func init() {
	register(&command{
		name:    "scenarios",
		summary: "list the built-in lifecycle scenarios (name, provider, steps, description), or print one as an editable file",
		usage:   "orderhooks scenarios [list] | orderhooks scenarios show NAME",
		order:   21,
		flags: func() *pflag.FlagSet {
			return pflag.NewFlagSet("scenarios", pflag.ContinueOnError)
		},
		run: runScenarios,
	})
}

func runScenarios(_ context.Context, fs *pflag.FlagSet, e *env) error {
	args := fs.Args()
	switch {
	case len(args) == 2 && args[0] == "show":
		data, err := generator.ScenarioFile(args[1])
		if err != nil {
			return usageError(err)
		}
		_, err = e.stdout.Write(data)
		return err
	case len(args) == 0 || len(args) == 1 && args[0] == "list":
	case args[0] == "show":
		return usageErrorf("show needs one scenario NAME (orderhooks scenarios lists them)")
	default:
		return usageErrorf("unknown action %q: want list or show NAME", strings.Join(args, " "))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPROVIDER\tSTEPS\tDESCRIPTION")
	for _, s := range generator.Scenarios() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.Name, s.Provider, len(s.Steps), s.Description)
	}
	return tw.Flush()
}
