// Package input is orderhooks' one policy for reading what users and
// receivers hand it: every file, stream line, flag value, YAML expansion
// and HTTP body has a named limit (the Limit values below, listed in
// docs/limits.md), checked while reading, so no input costs more memory than its
// limit. Text inputs lose a leading UTF-8 byte order mark and must be valid
// UTF-8. Problems are *Error values naming the input, the line when there
// is one, and the limit.
//
// The package is internal: the library packages (schemas, generator,
// emitter) and the CLI share it, so that a limit is one fact in one place.
package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limit is a named bound on the size of one kind of input.
type Limit struct {
	// What names the kind of input in messages: "secret file".
	What string
	// Bytes is the largest accepted size.
	Bytes int64
}

func (l Limit) String() string { return fmt.Sprintf("%s limit of %s", l.What, Size(l.Bytes)) }

// The limits. Each is documented in the table of docs/limits.md; a change
// here is a change there.
var (
	// SecretFile bounds --secret file:PATH and the file: secrets of a targets file.
	SecretFile = Limit{"secret file", 64 << 10}
	// CAFile bounds --ca-file (a PEM bundle; system bundles are ~200 KiB).
	CAFile = Limit{"CA file", 4 << 20}
	// TargetsFile bounds --targets.
	TargetsFile = Limit{"targets file", 1 << 20}
	// ScenarioFile bounds a scenario file (--scenario FILE).
	ScenarioFile = Limit{"scenario file", 4 << 20}
	// ScenarioExpansion bounds a scenario file once its YAML aliases are
	// expanded, counted in bytes of JSON: a small file cannot expand into
	// a huge one.
	ScenarioExpansion = Limit{"scenario expansion", 16 << 20}
	// ProviderFile bounds a provider definition file (--provider-file).
	ProviderFile = Limit{"provider file", 1 << 20}
	// ProviderExpansion bounds a provider definition once its YAML
	// aliases are expanded, in bytes of JSON.
	ProviderExpansion = Limit{"provider expansion", 8 << 20}
	// SchemaFile bounds --response-schema and the schema files a provider
	// definition refers to.
	SchemaFile = Limit{"schema file", 4 << 20}
	// SpecDocument bounds one OpenAPI or AsyncAPI document read by --spec
	// (and each document its references reach), and its YAML expansion.
	SpecDocument = Limit{"spec document", 32 << 20}
	// EventLine bounds one line of an events file (emit --in, replay) and
	// one JSONL document of validate; a 200-part order is well under 1 MiB.
	EventLine = Limit{"line", 16 << 20}
	// RecordLine bounds one line of a recording (an event, its request and
	// a bounded response).
	RecordLine = Limit{"record line", 64 << 20}
	// Document bounds validate's input when it is not JSONL (documents
	// spanning lines are read whole).
	Document = Limit{"multi-line JSON input", 64 << 20}
	// DecryptInput bounds what decrypt reads.
	DecryptInput = Limit{"decrypt input", 64 << 20}
	// SignInput bounds the payload sign reads (one order, like an events line).
	SignInput = Limit{"sign input", 16 << 20}
	// SummaryFile bounds one emit --json summary that merge reads (its
	// latency histogram is a few KB).
	SummaryFile = Limit{"summary file", 16 << 20}
	// FlagValue bounds any one command-line flag value.
	FlagValue = Limit{"flag value", 64 << 10}
)

// MaxValues bounds the values of a provider definition file and the values
// of one enum in an OpenAPI or AsyncAPI document.
const MaxValues = 200_000

// MaxProblems is how many problems one error message lists before
// "… and N more" (see Join).
const MaxProblems = 10

// Errors an *Error wraps, for errors.Is.
var (
	// ErrTooLarge: the input, or one of its lines, is over its limit.
	ErrTooLarge = errors.New("over the limit")
	// ErrDirectory: a directory was named where a file was expected.
	ErrDirectory = errors.New("is a directory, not a file")
	// ErrEncoding: the input is not valid UTF-8.
	ErrEncoding = errors.New("invalid UTF-8")
)

// Error is a problem with one input: its name (a file, "<stdin>", a flag;
// "" when the caller names it), the line (0 when the problem is not on a
// line), and the cause.
type Error struct {
	Input string
	Line  int
	// Column is the 1-based byte column of an encoding error on Line.
	Column int
	// Limit is the limit exceeded, for ErrTooLarge.
	Limit Limit
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Input != "" && e.Line > 0:
		// As compilers and every located error here: INPUT:LINE[:COLUMN]: …
		fmt.Fprintf(&b, "%s:%d", e.Input, e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
		b.WriteString(": ")
	case e.Input != "":
		b.WriteString(e.Input + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, " column %d", e.Column)
		}
		b.WriteString(": ")
	}
	switch {
	case errors.Is(e.Err, ErrTooLarge) && e.Line > 0:
		fmt.Fprintf(&b, "longer than the %s", e.Limit)
	case errors.Is(e.Err, ErrTooLarge):
		fmt.Fprintf(&b, "larger than the %s", e.Limit)
	default:
		b.WriteString(errText(e.Err))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// errText is an OS error without the operation and path *PathError
// repeats ("open x: no such file" becomes "no such file").
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Size formats a byte count the way the limits are documented: 64 KiB, 16 MiB.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// bom is the UTF-8 byte order mark some editors put first in a file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// ReadFile reads the text file at path, up to limit: a directory, an
// unreadable file or a larger one is an *Error naming path; a leading byte
// order mark is dropped; invalid UTF-8 is an *Error naming its line.
func ReadFile(path string, limit Limit) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() // read-only: nothing to lose on close
	return ReadAll(f, path, limit)
}

// Open opens path for reading, refusing a directory up front (reading
// one fails later with a less clear message). Pipes and devices are
// accepted: a process substitution is a pipe.
func Open(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Input: path, Err: err}
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		_ = f.Close() // nothing was read
		return nil, &Error{Input: path, Err: ErrDirectory}
	}
	return f, nil
}

// ReadAll reads r, named name in errors, like ReadFile.
func ReadAll(r io.Reader, name string, limit Limit) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit.Bytes+1))
	if err != nil {
		return nil, &Error{Input: name, Err: err}
	}
	if int64(len(data)) > limit.Bytes {
		return nil, &Error{Input: name, Limit: limit, Err: ErrTooLarge}
	}
	data = bytes.TrimPrefix(data, bom)
	if err := CheckUTF8(data, name, 1); err != nil {
		return nil, err
	}
	return data, nil
}

// CheckUTF8 returns an *Error naming the line and column (counted from
// firstLine) of the first invalid UTF-8 sequence in text, or nil.
func CheckUTF8(text []byte, name string, firstLine int) error {
	if utf8.Valid(text) {
		return nil
	}
	line, col := firstLine, 1
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size <= 1 {
			return &Error{Input: name, Line: line, Column: col, Err: ErrEncoding}
		}
		if text[i] == '\n' {
			line, col = line+1, 1
		} else {
			col += size
		}
		i += size
	}
	return nil // unreachable: utf8.Valid said otherwise
}

// CheckFlag returns an *Error when a flag's value is over FlagValue.
func CheckFlag(name, value string) error {
	if int64(len(value)) > FlagValue.Bytes {
		return &Error{Input: name, Limit: FlagValue, Err: ErrTooLarge}
	}
	return nil
}

// Join joins problems with sep, listing at most MaxProblems of them and
// then "… and N more", so one error stays one readable line.
func Join(problems []string, sep string) string {
	if len(problems) <= MaxProblems {
		return strings.Join(problems, sep)
	}
	return strings.Join(problems[:MaxProblems], sep) + fmt.Sprintf("%s… and %d more", sep, len(problems)-MaxProblems)
}

// maxMessage bounds one message line (see Truncate).
const maxMessage = 2000

// Truncate shortens a one-line message to a readable length: a message
// quoting a 60 KiB flag value says so rather than printing it.
func Truncate(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", msg[:cut], len(msg)-cut)
}

// maxQuoted bounds a value quoted in a message (see Quote).
const maxQuoted = 100

// Quote quotes a value a message echoes back (a key, a header, a URL),
// shortened when long: the reader needs to recognise it, not to read 60 KiB.
func Quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
