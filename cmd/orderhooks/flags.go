package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/generator"
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

// shardValue is --shard INDEX/COUNT, parsed as it is set: a bad value is
// refused with the flag set's other parse errors ("--shard 5/4: the index
// counts from 0 to 3"). Its zero value is the whole run.
type shardValue struct {
	spec  string
	shard generator.Shard
}

func (v *shardValue) Set(s string) error {
	sh, err := generator.ParseShard(s)
	if err != nil {
		// "generator: bad shard "4/4": the index…": the value is shown
		// by the flag's message already.
		rest := strings.TrimPrefix(err.Error(), generator.ErrShard.Error()+" ")
		_, why, _ := strings.Cut(rest, ": ")
		return errors.New(why)
	}
	v.spec, v.shard = s, sh
	return nil
}

func (v *shardValue) Type() string   { return "string" }
func (v *shardValue) String() string { return v.spec }

// probabilityValue is a probability flag (--tamper 0.1), refused as it is
// set unless it lies in [0, 1].
type probabilityValue float64

func probabilityVar(fs *pflag.FlagSet, p *float64, name, usage string) {
	fs.Var((*probabilityValue)(p), name, usage)
}

func (v *probabilityValue) Set(s string) error {
	p, err := strconv.ParseFloat(s, 64)
	if err != nil || !(p >= 0 && p <= 1) { // NaN fails both
		return errors.New("a probability between 0 and 1")
	}
	*v = probabilityValue(p)
	return nil
}

// Type is the name help prints, pflag's for a float64 flag.
func (v *probabilityValue) Type() string   { return "float" }
func (v *probabilityValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }

// syncValue is --sync normal|full, the capture store's durability; set
// says it was given.
type syncValue struct {
	sync capture.Sync
	set  bool
}

func (v *syncValue) Set(s string) error {
	switch s {
	case capture.SyncNormal.String():
		v.sync = capture.SyncNormal
	case capture.SyncFull.String():
		v.sync = capture.SyncFull
	default:
		return errors.New("normal or full")
	}
	v.set = true
	return nil
}

func (v *syncValue) Type() string   { return "string" }
func (v *syncValue) String() string { return v.sync.String() }

// durationValue is a duration flag with its lower bound checked as it is
// set: not negative, or (positive) above zero.
type durationValue struct {
	d        *time.Duration
	positive bool
}

// durationVar binds a duration flag that must not be negative (or, with
// positive, must be above zero) to p.
func durationVar(fs *pflag.FlagSet, p *time.Duration, name string, value time.Duration, positive bool, usage string) {
	*p = value
	fs.Var(&durationValue{d: p, positive: positive}, name, usage)
}

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New("a duration like 500ms, 30s or 2h")
	case v.positive && d <= 0:
		return errors.New("must be positive")
	case d < 0:
		return errors.New("must not be negative")
	}
	*v.d = d
	return nil
}

func (v *durationValue) Type() string { return "duration" }

// String is "0" for zero, which help takes for no default (as it does
// pflag's own "0s").
func (v *durationValue) String() string {
	if v.d == nil || *v.d == 0 {
		return "0"
	}
	return v.d.String()
}

// Annotations of flags (pflag.Flag.Annotations).
const (
	// annotationRequired marks a flag that must be given; its one value is
	// a hint of what to give, appended to the "is required" message.
	annotationRequired = "orderhooks_required"
	// annotationOr names the flags that may be given in place of a
	// required one (--provider-file for --provider).
	annotationOr = "orderhooks_required_or"
	// annotationAlone marks a flag that makes a command do something
	// else, without its required flags (verify --list).
	annotationAlone = "orderhooks_alone"
)

// alone marks the bool flag name of fs as one given alone: with it, no
// flag is required, and the usage shows it as a form of its own.
func alone(fs *pflag.FlagSet, name string) {
	_ = fs.SetAnnotation(name, annotationAlone, []string{"true"}) // panics below if absent
	if fs.Lookup(name) == nil {
		panic("orderhooks: alone: no flag --" + name)
	}
}

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
	fs.Visit(func(f *pflag.Flag) {
		if _, ok := f.Annotations[annotationAlone]; ok {
			err = errAlone
		}
	})
	if err == errAlone {
		return nil
	}
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

// errAlone stops checkRequired's walk at a flag given alone.
var errAlone = errors.New("a flag given alone")

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

// actionMissing reports whether args lack what c's usage says comes
// first: an action (its forms start with a word: "list", "show NAME"),
// or a required argument ("FILE|STORE|-"). Such a command line is
// refused by the command itself, before any missing flag: the action or
// argument is the first thing to fix.
func (c *command) actionMissing(args []string) bool {
	var actions []string
	for _, form := range strings.Split(c.args, "\n") {
		word, _, _ := strings.Cut(form, " ")
		switch {
		case word == "" || strings.HasPrefix(word, "["):
			return false // nothing required first
		case strings.Trim(word, "abcdefghijklmnopqrstuvwxyz-") != "":
			return len(args) == 0 // a required argument
		}
		actions = append(actions, word)
	}
	return len(args) == 0 || !slices.Contains(actions, args[0])
}

// usage is the usage line of c, one a form of the command:
// "orderhooks NAME <required flags> [flags] ARGS", generated from its
// flag set so that it cannot drift from the flags.
func (c *command) usage() []string {
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
	c.fs.VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[annotationAlone]; ok {
			lines = append(lines, "orderhooks "+c.name+" --"+f.Name)
		}
	})
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
