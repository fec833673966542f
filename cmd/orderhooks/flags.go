package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// This file holds what the commands' flag sets share: the flag value
// types beyond pflag's own, the required-flag annotation, and the usage
// line generated from a flag set.

// rawStringsValue is a repeatable string flag (--secret A --secret B)
// that keeps each value exactly as given: pflag's StringArray
// round-trips its values through CSV, which turns CR LF into LF.
type rawStringsValue []string

// rawStringsVar binds a repeatable string flag to p.
func rawStringsVar(fs *pflag.FlagSet, p *[]string, name, shorthand, usage string) {
	fs.VarP((*rawStringsValue)(p), name, shorthand, usage)
}

func (v *rawStringsValue) Set(s string) error {
	*v = append(*v, s)
	return nil
}

// Type is pflag's name of a repeatable string flag, which help prints.
func (v *rawStringsValue) Type() string { return "stringArray" }

// String is "" when no value was given, which help takes for no default.
func (v *rawStringsValue) String() string {
	if len(*v) == 0 {
		return ""
	}
	return "[" + strings.Join(*v, ",") + "]"
}

// Annotations of flags (pflag.Flag.Annotations).
const (
	// annotationRequired marks a flag that must be given; its one value is
	// a hint of what to give, appended to the "is required" message.
	annotationRequired = "orderhooks_required"
	// annotationOr names the flags that may be given in place of a
	// required one (--provider-file for --provider).
	annotationOr = "orderhooks_required_or"
)

// required marks the flag name of fs as one that must be given, or one of
// the flags in or in its place; hint says what to give ("phasio,
// happycolis or standard"). checkRequired refuses a command line without
// it, and the usage line lists it first.
func required(fs *pflag.FlagSet, name, hint string, or ...string) {
	if fs.Lookup(name) == nil {
		panic("orderhooks: required: no flag --" + name)
	}
	_ = fs.SetAnnotation(name, annotationRequired, []string{hint}) // the flag exists
	if len(or) > 0 {
		_ = fs.SetAnnotation(name, annotationOr, or)
	}
}

// checkRequired refuses a parsed flag set missing a required flag (and
// every flag that may stand in for it): the first, in name order.
func checkRequired(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		hint, ok := f.Annotations[annotationRequired]
		if !ok || err != nil || f.Changed {
			return
		}
		for _, alt := range f.Annotations[annotationOr] {
			if fs.Changed(alt) {
				return
			}
		}
		err = requiredError(f.Name, hint[0], f.Annotations[annotationOr]...)
	})
	return err
}

// requiredError is the one wording of a missing flag: "--NAME is required
// (or --ALT): hint". Commands whose flag is required only in some cases
// (--secret with --url) call it themselves.
func requiredError(name, hint string, or ...string) error {
	msg := "--" + name + " is required"
	if len(or) > 0 {
		msg += " (or --" + strings.Join(or, " or --") + ")"
	}
	if hint != "" {
		msg += ": " + hint
	}
	return usageErrorf("%s", msg)
}

// actionMissing reports whether c has actions (its forms start with a
// word: "list", "show NAME") and args do not start with one. Such a
// command line is refused by the command itself, before any missing
// flag: the action is the first thing to fix.
func (c *command) actionMissing(args []string) bool {
	var actions []string
	for _, form := range strings.Split(c.args, "\n") {
		word, _, _ := strings.Cut(form, " ")
		if word == "" || strings.Trim(word, "abcdefghijklmnopqrstuvwxyz-") != "" {
			return false // an argument, or an optional action ("[list]")
		}
		actions = append(actions, word)
	}
	return len(args) == 0 || !slices.Contains(actions, args[0])
}

// usage is the usage line of c, one a form of the command:
// "orderhooks NAME <required flags> [flags] ARGS", generated from its
// flag set so that it cannot drift from the flags.
func (c *command) usage() []string {
	if c.usageText != "" {
		return []string{c.usageText}
	}
	head := "orderhooks " + c.name
	var req []string
	alts := map[string]bool{}
	optional := false
	c.fs.VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[annotationRequired]; !ok {
			return
		}
		forms := []string{flagForm(f)}
		for _, alt := range f.Annotations[annotationOr] {
			alts[alt] = true
			forms = append(forms, flagForm(c.fs.Lookup(alt)))
		}
		if len(forms) == 1 {
			req = append(req, forms[0])
		} else {
			req = append(req, "("+strings.Join(forms, " | ")+")")
		}
	})
	c.fs.VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[annotationRequired]; !ok && !alts[f.Name] && !f.Hidden {
			optional = true
		}
	})
	if len(req) > 0 {
		head += " " + strings.Join(req, " ")
	}
	if optional {
		head += " [flags]"
	}
	var lines []string
	for _, form := range strings.Split(c.args, "\n") {
		line := head
		if form != "" {
			line += " " + form
		}
		lines = append(lines, line)
	}
	return lines
}

// flagForm is a flag as the usage line shows it: "--secret SECRET", the
// value's name from the backquoted word of its usage, or its type.
func flagForm(f *pflag.Flag) string {
	name, _ := pflag.UnquoteUsage(f)
	switch {
	case f.Value.Type() == "bool":
		return "--" + f.Name
	case name == "" || slices.Contains([]string{"string", "stringArray", "strings"}, name):
		name = strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
	}
	return fmt.Sprintf("--%s %s", f.Name, strings.ToUpper(name))
}

// flagString is the value of a legacy command's flag name as text ("" for
// a flag fs does not have). Only the commands still registered with
// register use it.
func flagString(fs *pflag.FlagSet, name string) string {
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// rawStrings returns a legacy command's repeatable string flag's values
// exactly as given.
func rawStrings(fs *pflag.FlagSet, name string) []string {
	if sv, ok := fs.Lookup(name).Value.(pflag.SliceValue); ok {
		return sv.GetSlice()
	}
	if rv, ok := fs.Lookup(name).Value.(*rawStringsValue); ok {
		return *rv
	}
	return nil
}
