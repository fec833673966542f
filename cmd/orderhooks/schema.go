package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/schemas"
)

// schemaCommand lists the payload schemas or prints one.
func schemaCommand() *command {
	fs := newFlagSet("schema")
	return &command{
		name:    "schema",
		summary: "list the payload schemas or print one",
		args:    "list\nshow NAME",
		fs:      fs,
		run:     func(_ context.Context, e *env) error { return runSchema(fs.Args(), e) },
	}
}

func runSchema(args []string, e *env) error {
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
	return usageErrorf("unknown action %q: want list or show NAME%s", strings.Join(args, " "), suggest.Hint(args[0], []string{"list", "show"}, nil))
}
