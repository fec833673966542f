package errs

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

func TestOptionError(t *testing.T) {
	class := errors.New("wire: bad option")
	tests := []struct {
		err  *OptionError
		want string
	}{
		{&OptionError{Package: "emitter", Option: "WithFaults", Field: "Tamper", Value: "NaN", Want: "a probability between 0 and 1", Err: class},
			"emitter: WithFaults.Tamper NaN: a probability between 0 and 1"},
		{&OptionError{Package: "wire", Option: "WithDefaultTrigger", Value: "ORDER_CREATED", Want: "a Phasio order trigger",
			Known: []string{"ORDER", "ORDER_UPDATED"}, Aliases: map[string]string{"Order Created": "ORDER"}, Err: class},
			`wire: WithDefaultTrigger ORDER_CREATED: a Phasio order trigger (did you mean "ORDER"?)`},
		{&OptionError{Package: "contracts", Option: "WithCompare", Want: "only a probe reads the state", Other: "WithProbe", Err: class},
			"contracts: WithCompare: only a probe reads the state (WithProbe)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		var oe *OptionError
		if !errors.Is(fmt.Errorf("wrapped: %w", tt.err), class) || !errors.As(fmt.Errorf("x: %w", tt.err), &oe) || oe != tt.err {
			t.Errorf("%v: not found in a chain", tt.err)
		}
	}
}

func TestMark(t *testing.T) {
	bad := errors.New("wire: bad secret")
	config := errors.New("contracts: bad configuration")
	err := fmt.Errorf("%w: not base64url", bad)
	m := Mark(err, config)
	if m.Error() != "wire: bad secret: not base64url" || !errors.Is(m, config) || !errors.Is(m, bad) {
		t.Fatalf("Mark: %v", m)
	}
	if Mark(m, config) != m || Mark(nil, config) != nil {
		t.Fatal("Mark marks twice or marks nil")
	}
}

func TestShown(t *testing.T) {
	for v, want := range map[string]string{
		"0":                    "0",
		"http://127.0.0.1:1/a": "http://127.0.0.1:1/a",
		"ORDER_CREATED":        "ORDER_CREATED",
		"":                     `""`,
		"Bad Header":           `"Bad Header"`,
		"a\nb":                 `"a\nb"`,
	} {
		if got := Shown(v); got != want {
			t.Errorf("Shown(%q) = %s, want %s", v, got, want)
		}
	}
}

func TestFileError(t *testing.T) {
	class := errors.New("emitter: targets")
	bad := errors.New("wire: bad secret")
	oe := &OptionError{Package: "wire", Option: "secret", Want: "not base64url", Err: bad}
	tests := []struct {
		err  *FileError
		want string
	}{
		{&FileError{Path: "t.yaml", Where: "ORDER.secret", Err: oe, Class: class}, "t.yaml: ORDER.secret: not base64url"},
		{&FileError{Path: "t.yaml", Line: 3, Err: errors.New("unknown field"), Class: class}, "t.yaml:3: unknown field"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, class) {
			t.Errorf("%v: not its class", tt.err)
		}
	}
	var got *OptionError
	if !errors.As(tests[0].err, &got) || got != oe || !errors.Is(tests[0].err, bad) {
		t.Error("the problem is not in the chain")
	}
}

func TestAt(t *testing.T) {
	tests := []struct {
		path        string
		line        int
		where, want string
	}{
		{"a.yaml", 0, "", "a.yaml: bad"},
		{"a.yaml", 3, "", "a.yaml:3: bad"},
		{"a.yaml", -1, "/steps/2", "a.yaml: /steps/2: bad"},
		{"a.yaml", 12, "ORDER.secret", "a.yaml:12: ORDER.secret: bad"},
	}
	for _, tt := range tests {
		if got := At(tt.path, tt.line, tt.where, "bad"); got != tt.want {
			t.Errorf("At(%q, %d, %q) = %q, want %q", tt.path, tt.line, tt.where, got, tt.want)
		}
	}
}

func TestLocated(t *testing.T) {
	class := errors.New("provider: bad definition")
	cause := errors.New("apispec: limit reached")
	tests := []struct {
		err  *Located
		want string
	}{
		{&Located{File: "p.yaml", Line: 12, Pointer: "/events/0", Message: "unknown field", Class: class},
			"p.yaml:12: /events/0: unknown field"},
		{&Located{File: "p.yaml", Message: "no definition", Class: class}, "p.yaml:1: no definition"},
		{&Located{File: "api.yaml", Line: 3, Pointer: "/webhooks", Message: "a\n  long\r\nmessage  here", Err: cause, Class: class},
			"api.yaml:3: /webhooks: a long message here"},
		{&Located{File: "p.yaml", Line: 2, Message: "keeps  its  spaces", Class: class}, "p.yaml:2: keeps  its  spaces"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		var got *Located
		if !errors.Is(fmt.Errorf("x: %w", tt.err), class) || !errors.As(fmt.Errorf("x: %w", tt.err), &got) || got != tt.err {
			t.Errorf("%v: not found in a chain by its class", tt.err)
		}
		if errors.Is(tt.err, cause) != (tt.err.Err != nil) {
			t.Errorf("%v: the cause is not (only) where it was given", tt.err)
		}
	}
}

// TestLocatedClass: the packages that export Located as their Error give
// every one their class, so errors.Is finds it (a literal without Class
// would not wrap it).
func TestLocatedClass(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{"../../provider", "../../apispec", "../../specexport"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "Error" {
					return true
				}
				for _, el := range lit.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Class" {
						return true
					}
				}
				t.Errorf("%s: an Error without its Class", fset.Position(lit.Pos()))
				return true
			})
		}
	}
}
