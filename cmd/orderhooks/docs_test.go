package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/scanner"
	"go/token"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/localrecv"
	"github.com/orderhooks/orderhooks/internal/mdtext"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = "../.."

// commandDocs are the Markdown files whose ```sh blocks TestDocsCommands
// runs: the README, then the pages under docs/.
func commandDocs(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"README.md"}
	for _, p := range pages {
		rel, _ := filepath.Rel(repoRoot, p)
		files = append(files, filepath.ToSlash(rel))
	}
	return files
}

// repoFiles returns the repository's files (slash paths relative to its
// root) whose names end in one of exts, leaving out test data, hidden
// directories and installed packages: what a user reads.
func repoFiles(t *testing.T, exts ...string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != repoRoot && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		for _, ext := range exts {
			if strings.HasSuffix(name, ext) {
				rel, _ := filepath.Rel(repoRoot, p)
				files = append(files, filepath.ToSlash(rel))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// generatedDocs are the blocks of the documentation generated from the
// code, between <!-- NAME:start --> and <!-- NAME:end -->.
var generatedDocs = []struct {
	file, name string
	render     func() string
}{
	{"docs/cli.md", "cli-reference", cliReference},
	{"docs/wire-formats.md", "wire-summary", wireSummary},
	{"docs/wire-formats.md", "wire-formats", wireFormats},
}

// wireFormats renders every profile's wire format, as `orderhooks help
// wire` prints it, in Markdown.
func wireFormats() string {
	var b strings.Builder
	for i, f := range wire.Formats() {
		if i > 0 {
			b.WriteString("\n")
		}
		_ = f.WriteMarkdown(&b) // a strings.Builder does not fail
	}
	return b.String()
}

// wireSummary renders one table row per profile from the same formats,
// linking each to its section.
func wireSummary() string {
	cell := mdtext.Escape
	var b strings.Builder
	b.WriteString("| profile | signed input | signature | key | message id | order key | event time |\n|---|---|---|---|---|---|---|\n")
	for _, f := range wire.Formats() {
		anchor := headingAnchor(fmt.Sprintf("%s (`%s`)", f.Title, f.Provider))
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s, %s | %s | %s | %s | %s |\n", f.Provider, anchor,
			cell(f.SignedInput), cell(f.Digest), cell(f.Encoding), cell(f.Key), cell(f.MessageID), cell(f.OrderKey), cell(f.EventTime))
	}
	return b.String()
}

// cliReference renders every command's help, as `orderhooks help CMD`
// prints it.
func cliReference() string {
	var b strings.Builder
	b.WriteString("\n### orderhooks help\n\n```\n")
	printHelp(&b)
	b.WriteString("```\n")
	for _, c := range allCommands() {
		fmt.Fprintf(&b, "\n### orderhooks %s\n\n```\n", c.name)
		printCommandHelp(&b, c)
		b.WriteString("```\n")
	}
	return b.String()
}

// generatedBlock returns the bounds of the text between NAME's markers.
func generatedBlock(text, name string) (start, end int, ok bool) {
	open, close := "<!-- "+name+":start -->", "<!-- "+name+":end -->"
	i, j := strings.Index(text, open), strings.Index(text, close)
	if i < 0 || j < i {
		return 0, 0, false
	}
	return i + len(open), j, true
}

// TestDocsGenerated keeps each generated block of the documentation equal
// to what the code renders; -update rewrites the blocks.
func TestDocsGenerated(t *testing.T) {
	for _, g := range generatedDocs {
		t.Run(g.name, func(t *testing.T) {
			text := readRepoFile(t, g.file)
			i, j, ok := generatedBlock(text, g.name)
			if !ok {
				t.Fatalf("%s has no <!-- %s:start --> … <!-- %s:end --> block", g.file, g.name, g.name)
			}
			got := text[:i] + "\n" + g.render() + text[j:]
			if *update {
				if err := os.WriteFile(filepath.Join(repoRoot, g.file), []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != text {
				t.Errorf("%s: the %s block differs from the code (run go test ./cmd/orderhooks -run TestDocsGenerated -update)", g.file, g.name)
			}
		})
	}
}

// TestDocsCoverCommands checks that every command is explained somewhere
// in the README or docs/, not only listed by the generated reference.
func TestDocsCoverCommands(t *testing.T) {
	var prose strings.Builder
	for _, f := range commandDocs(t) {
		text := readRepoFile(t, f)
		for _, g := range generatedDocs {
			if g.file == f {
				if i, j, ok := generatedBlock(text, g.name); ok {
					text = text[:i] + text[j:]
				}
			}
		}
		prose.WriteString(text)
	}
	for _, c := range allCommands() {
		if !strings.Contains(prose.String(), "orderhooks "+c.name) {
			t.Errorf("neither README.md nor docs/ explains orderhooks %s outside the generated reference", c.name)
		}
	}
}

// TestDocsNameEveryCheckCauseAndScenario keeps the tables of the
// documentation complete: every check and every diagnosis cause in
// docs/checks.md, every built-in scenario in docs/scenarios.md.
func TestDocsNameEveryCheckCauseAndScenario(t *testing.T) {
	want := map[string][]string{}
	for _, c := range contracts.Checks() {
		want["docs/checks.md"] = append(want["docs/checks.md"], c.Name)
	}
	for _, p := range wire.Providers() {
		for _, m := range wire.Mistakes(p) {
			want["docs/checks.md"] = append(want["docs/checks.md"], m.Name)
		}
	}
	// The causes besides the mistakes are constants of the contracts package.
	causes := regexp.MustCompile(`(?m)^\s*Cause\w+\s*=\s*"([^"]+)"`).FindAllStringSubmatch(readRepoFile(t, "contracts/diagnose.go"), -1)
	if len(causes) < 10 {
		t.Fatalf("found only %d Cause constants in contracts/diagnose.go", len(causes))
	}
	for _, m := range causes {
		want["docs/checks.md"] = append(want["docs/checks.md"], m[1])
	}
	for _, s := range generator.Scenarios() {
		want["docs/scenarios.md"] = append(want["docs/scenarios.md"], s.Name)
	}
	for file, names := range want {
		text := readRepoFile(t, file)
		for _, name := range names {
			if !strings.Contains(text, "`"+name+"`") {
				t.Errorf("%s does not name `%s`", file, name)
			}
		}
	}
}

// docCommand is one command line of a ```sh block.
type docCommand struct {
	line int
	text string
	code int // expected exit code: 0, or the "# exit N" comment's N
}

var exitComment = regexp.MustCompile(`#\s*exit (\d)\s*$`)

// fence reports whether line opens or closes a fenced code block (also
// when indented inside a list item), and its info string.
func fence(line string) (info string, ok bool) {
	s := strings.TrimLeft(line, " ")
	if !strings.HasPrefix(s, "```") {
		return "", false
	}
	return strings.TrimSpace(strings.TrimLeft(s, "`")), true
}

// docCommands returns every command of a Markdown file's ```sh blocks,
// joining continuation lines.
func docCommands(doc []byte) []docCommand {
	var cmds []docCommand
	in, inSh, cont := false, false, ""
	start := 0
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if info, ok := fence(line); ok {
			if in {
				in, inSh = false, false
			} else {
				in, inSh = true, info == "sh"
			}
			continue
		}
		if !inSh {
			continue
		}
		if cont == "" {
			start = n
		}
		if strings.HasSuffix(line, `\`) {
			cont += strings.TrimSuffix(line, `\`)
			continue
		}
		text := strings.TrimSpace(cont + line)
		cont = ""
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		c := docCommand{line: start, text: text}
		if m := exitComment.FindStringSubmatch(text); m != nil {
			c.code, _ = strconv.Atoi(m[1])
		}
		cmds = append(cmds, c)
	}
	return cmds
}

func TestDocCommandsParsing(t *testing.T) {
	doc := "text\n```sh\norderhooks a \\\n  --b\n# comment\n\n  orderhooks c # exit 2\n```\n```\norderhooks plain\n```\n" +
		"- item\n\n  ```sh\n  orderhooks d\n  ```\n"
	got := docCommands([]byte(doc))
	want := []docCommand{{3, "orderhooks a   --b", 0}, {7, "orderhooks c # exit 2", 2}, {15, "orderhooks d", 0}}
	if !slices.Equal(got, want) {
		t.Errorf("docCommands = %+v, want %+v", got, want)
	}
}

// skippedCommand says why a documented command is not run here, or "".
func skippedCommand(text string) string {
	switch {
	case strings.HasPrefix(envPrefix.ReplaceAllString(text, ""), "go test "):
		return "the test suite itself (run by .ci/run)"
	case strings.HasPrefix(text, "go install "):
		return "downloads the published module; this test builds the same package from the work tree"
	case strings.HasPrefix(text, "export "):
		return "the test sets these variables to a receiver it starts"
	}
	return ""
}

// envPrefix matches the variables set before a command (NAME=value ...).
var envPrefix = regexp.MustCompile(`^([A-Z_][A-Z0-9_]*=\S*\s+)+`)

// isServer reports whether a command runs until interrupted.
func isServer(text string) bool {
	return (strings.HasPrefix(text, "orderhooks receive ") || strings.HasPrefix(text, "orderhooks inspect ") || strings.Contains(text, " --keep")) &&
		!strings.Contains(text, "# exit")
}

// TestDocsCommands runs every command of the ```sh blocks of the README
// and of docs/*.md with the orderhooks binary built from this tree, against
// receivers the test starts on 127.0.0.1 (RECEIVER_URL, PROBE_URL,
// PHASIO_SECRET), in a scratch directory that sees the repository's files.
// The files run in order, in one scratch directory; servers (receive, demo
// --keep) run in the background until their file's commands are done.
func TestDocsCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the documentation's commands")
	}
	bin := filepath.Dir(orderhooksBinary(t))
	work := scratchRepo(t)
	files := commandDocs(t)
	docs := make(map[string][]docCommand)
	for _, file := range files {
		docs[file] = docCommands([]byte(readRepoFile(t, file)))
	}
	t.Chdir(work) // the commands run in process read and write there too
	recv, _, secret, err := localrecv.Start(generator.ProviderPhasio)
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	environ := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"RECEIVER_URL="+recv.URL+"/webhooks/phasio",
		"PROBE_URL="+recv.URL+"/orders/{orderKey}",
		"PHASIO_SECRET="+secret,
	)
	// The documented local receiver listens on 127.0.0.1:8787; the test
	// moves it to a free port so that a receiver a reader left running there
	// (as Guide 3 suggests) does not fail the suite.
	port, uiPort := freePort(t), freePort(t)
	total := 0
	for _, file := range files {
		cmds := docs[file]
		total += len(cmds)
		t.Run(file, func(t *testing.T) {
			runDocCommands(t, file, cmds, work, port, uiPort, secret, environ)
		})
	}
	if total < 20 {
		t.Errorf("found only %d commands in the sh blocks of README.md and docs/", total)
	}
}

func runDocCommands(t *testing.T, file string, cmds []docCommand, work, port, uiPort, secret string, environ []string) {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var servers []*exec.Cmd
	defer func() {
		for _, s := range servers {
			stopServer(t, s)
		}
	}()
	for _, c := range cmds {
		where := fmt.Sprintf("%s:%d", file, c.line)
		if why := skippedCommand(c.text); why != "" {
			t.Logf("%s: not run: %s: %s", where, c.text, why)
			continue
		}
		text := strings.Replace(c.text, "go run ./cmd/orderhooks", "orderhooks", 1)
		text = strings.ReplaceAll(text, "127.0.0.1:8787", port)
		text = strings.ReplaceAll(text, "127.0.0.1:8790", uiPort)
		text = docDuration.ReplaceAllString(text, "--duration "+docRunFor.String())
		if !strings.HasPrefix(text, "orderhooks ") {
			t.Errorf("%s: %q: not an orderhooks command; say how to run it in skippedCommand", where, c.text)
			continue
		}
		if isServer(text) {
			servers = append(servers, startServer(t, where, c.text, text, work, environ))
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		var out []byte
		code := 0
		if args, ok := plainCommand(text, vars); ok {
			// What bash would run is one orderhooks process with these
			// arguments: run it in this one (main does nothing else), which
			// spares a process start (~0.1 CPU-second) per command.
			stdout, stderr, c := runCmdEnv(t, ctx, "", vars, args[1:]...)
			out, code = []byte(stdout+stderr), c
		} else {
			cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", text)
			cmd.Dir, cmd.Env = work, environ
			var err error
			out, err = cmd.CombinedOutput()
			if err != nil {
				code = -1
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				}
			}
		}
		cancel()
		if code != c.code {
			t.Errorf("%s: %s\nexit %d, want %d; output:\n%s", where, c.text, code, c.code, out)
		}
		if f := testkit.FindSecret(string(out), secret); f != "" {
			t.Errorf("%s: the secret appears in the output (as %q)", where, f)
		}
	}
}

// docDuration matches a documented soak's --duration in seconds. The
// test runs such a command for docRunFor instead, as it moves documented
// ports: the run is the same (fresh orders at the rate given, ended by its
// duration, exit 0), only shorter; the documented second would be most of
// this test's time.
var docDuration = regexp.MustCompile(`--duration \d+s\b`)

// docRunFor is how long a documented soak runs here.
const docRunFor = 200 * time.Millisecond

// plainCommand splits a documented command line into the arguments bash
// would pass to orderhooks, expanding $NAME (also inside double quotes)
// from vars and dropping a trailing # comment; ok is false when the line
// needs more of the shell (a pipe, a redirection, a substitution, a glob,
// an escape, an expansion that would split) or does not start orderhooks.
func plainCommand(text string, vars map[string]string) (args []string, ok bool) {
	var cur strings.Builder
	word := false
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '$':
			j := i + 1
			for j < len(text) && (text[j] == '_' || unicode.IsLetter(rune(text[j])) || unicode.IsDigit(rune(text[j]))) {
				j++
			}
			v, set := vars[text[i+1:j]]
			if j == i+1 || !set || (quote == 0 && strings.ContainsAny(v, " \t\n*?[")) {
				return nil, false
			}
			cur.WriteString(v)
			word, i = true, j-1
		case quote == '"':
			switch c {
			case '"':
				quote = 0
			case '\\', '`':
				return nil, false
			default:
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote, word = c, true
		case c == ' ' || c == '\t':
			if word {
				args = append(args, cur.String())
				cur.Reset()
				word = false
			}
		case c == '#' && !word:
			i = len(text)
		case strings.IndexByte("|&;<>()`\\*?[]{}~", c) >= 0:
			return nil, false
		default:
			cur.WriteByte(c)
			word = true
		}
	}
	if quote != 0 {
		return nil, false
	}
	if word {
		args = append(args, cur.String())
	}
	if len(args) < 2 || args[0] != "orderhooks" {
		return nil, false
	}
	return args, true
}

func TestPlainCommand(t *testing.T) {
	vars := map[string]string{"URL": "http://127.0.0.1:1/x", "SP": "a b"}
	for _, tt := range []struct {
		text string
		want []string // nil: needs bash
	}{
		{`orderhooks verify --url "$URL" --seed 42   --report junit=j.xml`, []string{"orderhooks", "verify", "--url", "http://127.0.0.1:1/x", "--seed", "42", "--report", "junit=j.xml"}},
		{`orderhooks drift x.jsonl --overlay o.json  # exit 1`, []string{"orderhooks", "drift", "x.jsonl", "--overlay", "o.json"}},
		{`orderhooks verify --url $URL --probe 'http://h/{orderKey}#a' --name "$SP"`, []string{"orderhooks", "verify", "--url", "http://127.0.0.1:1/x", "--probe", "http://h/{orderKey}#a", "--name", "a b"}},
		{`orderhooks generate | orderhooks validate`, nil},
		{`orderhooks provider show phasio > p.yaml`, nil},
		{`orderhooks x $SP`, nil},
		{`orderhooks x $UNSET`, nil},
		{`orderhooks x "$(date)"`, nil},
		{`orderhooks x *.json`, nil},
		{`orderhooks x "unclosed`, nil},
		{`X=1 orderhooks x`, nil},
		{`orderhooks`, nil},
	} {
		got, ok := plainCommand(tt.text, vars)
		if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
			t.Errorf("plainCommand(%q) = %q, %v; want %q", tt.text, got, ok, tt.want)
		}
	}
}

// freePort returns a 127.0.0.1 address nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// scratchRepo is a temporary directory with links to the repository's
// top-level entries, so commands can read its files and write their own.
func scratchRepo(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startServer starts a long-running command and waits for its first line
// of output, which says it is listening.
func startServer(t *testing.T, where, doc, text, dir string, environ []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("bash", "-c", "exec "+text)
	cmd.Dir, cmd.Env = dir, environ
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	ready := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		ready <- line
		io.Copy(io.Discard, r)
	}()
	select {
	case line := <-ready:
		if line == "" {
			t.Fatalf("%s: %s: exited before printing anything", where, doc)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: %s: not ready after 30s", where, doc)
	}
	return cmd
}

// stopServer interrupts a server as Ctrl-C would and checks it exits
// cleanly.
func stopServer(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
				t.Errorf("%s: after Ctrl-C: %v", cmd.Args, err)
			}
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Errorf("%s: still running 20s after Ctrl-C", cmd.Args)
	}
}

// maxREADMELines keeps the README a front door; the manual is docs/.
const maxREADMELines = 300

func TestREADMEIsShort(t *testing.T) {
	if n := strings.Count(readRepoFile(t, "README.md"), "\n"); n > maxREADMELines {
		t.Errorf("README.md has %d lines, more than %d: move the detail to docs/", n, maxREADMELines)
	}
}

// markdownLink is an inline link or image target: [text](target "title").
var markdownLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)

// inlineCode matches a code span, whose text is not Markdown.
var inlineCode = regexp.MustCompile("`+[^`]*`+")

// anchorTag is an explicit HTML anchor.
var anchorTag = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)

// markdownProse returns the lines of a Markdown file with code spans
// removed and the lines of fenced code blocks blanked: what is Markdown.
func markdownProse(text string) []string {
	lines := strings.Split(text, "\n")
	in := false
	for n, line := range lines {
		_, isFence := fence(line)
		if isFence {
			in = !in
		}
		if isFence || in {
			lines[n] = ""
			continue
		}
		lines[n] = inlineCode.ReplaceAllString(line, "")
	}
	return lines
}

// urlScheme starts a link that is not relative (http:, https:, mailto:).
var urlScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// headingAnchor is the anchor GitHub gives a heading: lower case, letters,
// digits, marks, "-" and "_" kept, spaces turned into "-", anything else
// dropped.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

var heading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

// markdownAnchors returns every anchor a Markdown file defines: its
// headings' (a repeated heading gets -1, -2, … as on GitHub) and explicit
// <a id> tags.
func markdownAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	in := false
	for _, line := range strings.Split(text, "\n") {
		if _, ok := fence(line); ok {
			in = !in
			continue
		}
		if in {
			continue
		}
		for _, m := range anchorTag.FindAllStringSubmatch(line, -1) {
			anchors[m[1]] = true
		}
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		a := headingAnchor(m[1])
		if n := seen[a]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			anchors[a] = true
		}
		seen[a]++
	}
	return anchors
}

func TestHeadingAnchor(t *testing.T) {
	for heading, want := range map[string]string{
		"Guide 2: embed in `go test`":             "guide-2-embed-in-go-test",
		"Schemas: jsonschema v6 chosen over v5":   "schemas-jsonschema-v6-chosen-over-v5",
		"GET /orders/{key}":                       "get-orderskey",
		"Pricing formula (Phasio)":                "pricing-formula-phasio",
		"Statuses and how a verdict is proved":    "statuses-and-how-a-verdict-is-proved",
		"Redeliveries, ordering and retries":      "redeliveries-ordering-and-retries",
		"orderhooks help":                         "orderhooks-help",
		"Données générées":                        "données-générées",
		"What every lifecycle keeps — invariants": "what-every-lifecycle-keeps--invariants",
	} {
		if got := headingAnchor(heading); got != want {
			t.Errorf("headingAnchor(%q) = %q, want %q", heading, got, want)
		}
	}
	anchors := markdownAnchors("# A\n```sh\n# not a heading\n```\n## A\n<a id=\"x\"></a>\n")
	if !anchors["a"] || !anchors["a-1"] || !anchors["x"] || anchors["not-a-heading"] {
		t.Errorf("markdownAnchors = %v", anchors)
	}
}

// TestDocsLinks resolves every relative link of the repository's Markdown
// files: the file or directory must exist inside the repository, and an
// #anchor must name a heading of the Markdown file it points into.
func TestDocsLinks(t *testing.T) {
	files := repoFiles(t, ".md")
	if !slices.Contains(files, "README.md") || !slices.Contains(files, "docs/README.md") {
		t.Fatalf("README.md or docs/README.md missing from %v", files)
	}
	texts := map[string]string{}
	anchorsOf := func(rel string) map[string]bool {
		if _, ok := texts[rel]; !ok {
			texts[rel] = readRepoFile(t, rel)
		}
		return markdownAnchors(texts[rel])
	}
	checked := 0
	for _, file := range files {
		prose := markdownProse(readRepoFile(t, file))
		for n, line := range prose {
			for _, m := range markdownLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if urlScheme.MatchString(target) {
					continue
				}
				checked++
				where := fmt.Sprintf("%s:%d: link %s", file, n+1, target)
				p, anchor, _ := strings.Cut(target, "#")
				rel := file
				if p != "" {
					rel = path.Join(path.Dir(file), p)
					if rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(p) {
						t.Errorf("%s: points outside the repository", where)
						continue
					}
					if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(rel))); err != nil {
						t.Errorf("%s: %s does not exist", where, rel)
						continue
					}
				}
				if anchor == "" {
					continue
				}
				if !strings.HasSuffix(rel, ".md") {
					t.Errorf("%s: an anchor into %s, which is not Markdown", where, rel)
					continue
				}
				if !anchorsOf(rel)[anchor] {
					t.Errorf("%s: %s has no heading with anchor #%s", where, rel, anchor)
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("checked only %d relative links; is the link pattern still right?", checked)
	}
}

// internalWording matches what user-facing text must not say: issue
// numbers and the internal names of the platform documents the schemas
// were derived from.
var internalWording = regexp.MustCompile(`(?i)\bissues?\s*#?\d+|(?:^|[^-\w])seeds?\s+0\d\d|\b\d{3}_[0-9a-f]{16}\b`)

func TestInternalWordingPattern(t *testing.T) {
	for s, want := range map[string]bool{
		"the values issue 3 lists":            true,
		"see Issue #12":                       true,
		"only in seeds 000/001":               true,
		"Seed 001, Payload table":             true,
		"000_4d6aa0829a27cacb.txt":            true,
		"Phasio documentation, Order Created": false,
		"--seed 7 and --seed 042":             false,
		"this issue is a usage error":         false,
		"same seed and flags, 10,000 seeds":   false,
		"report it in the issue tracker":      false,
	} {
		if got := internalWording.MatchString(s); got != want {
			t.Errorf("internalWording.MatchString(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestNoInternalWording keeps issue numbers and internal file names out of
// everything a user reads: the Markdown files, the JSON and YAML files
// (embedded schemas, scenarios, examples), every command's help, and the
// string literals of the code (messages, flag usage).
func TestNoInternalWording(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	report := func(where, text string) {
		for n, line := range strings.Split(text, "\n") {
			if m := internalWording.FindString(line); m != "" {
				t.Errorf("%s:%d: says %q (name the product or the platform's documentation instead)", where, n+1, m)
			}
		}
	}
	files := repoFiles(t, ".md", ".json", ".yaml", ".yml")
	for _, f := range files {
		report(f, readRepoFile(t, f))
	}
	var help strings.Builder
	printHelp(&help)
	for _, c := range allCommands() {
		printCommandHelp(&help, c)
	}
	helpWire(&env{stdout: &help, stderr: io.Discard}, nil)
	report("orderhooks help", help.String())
	literals := 0
	for _, f := range repoFiles(t, ".go") {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src := readRepoFile(t, f)
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(f, -1, len(src)), []byte(src), nil, 0)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok != token.STRING {
				continue
			}
			literals++
			if m := internalWording.FindString(lit); m != "" {
				t.Errorf("%s: a string says %q (name the product or the platform's documentation instead)", fset.Position(pos), m)
			}
		}
	}
	if len(files) < 20 || literals < 1000 {
		t.Errorf("scanned only %d files and %d string literals; is the walk still right?", len(files), literals)
	}
}
