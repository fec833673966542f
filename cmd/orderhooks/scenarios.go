package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/suggest"
)

// scenariosCommand lists the built-in scenarios or prints one.
func scenariosCommand() *command {
	fs := newFlagSet("scenarios")
	return &command{
		name:    "scenarios",
		summary: "list the built-in lifecycle scenarios (name, provider, steps, description), or print one as an editable file",
		args:    "[list]\nshow NAME",
		fs:      fs,
		run:     func(_ context.Context, e *env) error { return runScenarios(fs.Args(), e) },
	}
}

func runScenarios(args []string, e *env) error {
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
		return usageErrorf("unknown action %q: want list or show NAME%s", strings.Join(args, " "), suggest.Hint(args[0], []string{"list", "show"}, nil))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPROVIDER\tSTEPS\tDESCRIPTION")
	for _, s := range generator.Scenarios() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.Name, s.Provider, len(s.Steps), s.Description)
	}
	return tw.Flush()
}
