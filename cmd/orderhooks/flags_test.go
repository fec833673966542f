package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// TestRequiredFlags: every flag a command marks required is named in its
// usage line, and a command line without it (nor a flag standing in for
// it) is refused with the one wording, exit 2.
func TestRequiredFlags(t *testing.T) {
	checked := 0
	for _, c := range allCommands() {
		c.fs.VisitAll(func(f *pflag.Flag) {
			if _, ok := f.Annotations[annotationRequired]; !ok {
				return
			}
			checked++
			usage := strings.Join(c.usage(), "\n")
			if !strings.Contains(usage, flagForm(f)) {
				t.Errorf("%s: usage %q does not name %s", c.name, usage, flagForm(f))
			}
			// Every other required flag given, and the action or argument
			// the command starts with.
			args := []string{c.name}
			if form, _, _ := strings.Cut(c.args, "\n"); form != "" && !strings.HasPrefix(form, "[") {
				word, _, _ := strings.Cut(form, " ")
				args = append(args, word)
			}
			fresh := lookupCommand(c.name)
			fresh.fs.VisitAll(func(g *pflag.Flag) {
				if _, ok := g.Annotations[annotationRequired]; ok && g.Name != f.Name {
					args = append(args, "--"+g.Name, "x")
				}
			})
			_, errOut, code := runCmd(t, "", args...)
			want := "orderhooks " + c.name + ": --" + f.Name + " is required"
			if code != exitUsage || !strings.HasPrefix(errOut, want) {
				t.Errorf("%v: exit %d, stderr %q; want 2 and %q", args, code, errOut, want)
			}
		})
	}
	if checked < 10 {
		t.Errorf("only %d required flags: are the annotations still read?", checked)
	}
}

// TestAloneFlag: verify --list needs none of verify's required flags.
func TestAloneFlag(t *testing.T) {
	out, errOut, code := runCmd(t, "", "verify", "--list")
	if code != exitOK || !strings.Contains(out, "rejects-bad-signature") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if u := verifyCommand().usage(); len(u) != 2 || u[1] != "orderhooks verify --list" {
		t.Errorf("usage %q", u)
	}
}

// TestFlagValues: the flag types of flags.go refuse what they must, with
// the message the user sees, and keep what they are given.
func TestFlagValues(t *testing.T) {
	tests := []struct {
		args []string
		want string // "" for accepted
	}{
		{[]string{"--p", "0.25"}, ""},
		{[]string{"--p", "1"}, ""},
		{[]string{"--p", "NaN"}, "--p NaN: a probability between 0 and 1"},
		{[]string{"--p", "-0.1"}, "--p -0.1: a probability between 0 and 1"},
		{[]string{"--p", "x"}, "--p x: a probability between 0 and 1"},
		{[]string{"--d", "0s"}, ""},
		{[]string{"--d", "-1s"}, "--d -1s: must not be negative"},
		{[]string{"--pos", "0"}, "--pos 0: must be positive"},
		{[]string{"--pos", "soon"}, "--pos soon: a duration like 500ms, 30s or 2h"},
		{[]string{"--shard", "4/4"}, "--shard 4/4: the index counts from 0 to 3"},
		{[]string{"--shard", "1/4"}, ""},
		{[]string{"--raw", "a\r\nb", "--raw", "c,d"}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var (
				p      float64
				d, pos time.Duration
				raw    []string
				shard  shardValue
			)
			fs := newFlagSet("test")
			probabilityVar(fs, &p, "p", "")
			durationVar(fs, &d, "d", 0, false, "")
			durationVar(fs, &pos, "pos", time.Second, true, "")
			rawStringsVar(fs, &raw, "raw", "", "")
			bindShard(fs, &shard)
			err := fs.Parse(tt.args)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(raw) > 0 && (len(raw) != 2 || raw[0] != "a\r\nb" || raw[1] != "c,d") {
					t.Errorf("raw strings %q", raw)
				}
				return
			}
			_, msg := explain(flagParseError("test", fs, err), fs)
			if msg != tt.want {
				t.Errorf("got %q, want %q", msg, tt.want)
			}
		})
	}
}

// TestNoFlagReadByName: no command reads a flag back by its name; each
// is bound to a field of its command's options.
func TestNoFlagReadByName(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d files: %v", len(files), err)
	}
	byName := regexp.MustCompile(`\bfs\.Get[A-Z]\w*\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := byName.Find(src); m != nil {
			t.Errorf("%s reads a flag by name (%s): bind it to an options field", f, m)
		}
	}
}
