package redact_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// secretField names a field that can hold a secret or a credential: a
// secret, a password, a token, or a URL (whose userinfo may carry one).
var secretField = regexp.MustCompile(`(?i)^(.*secret|.*password|.*token|url)$`)

// notSecrets are the exported types with such a field that hold none,
// and why.
var notSecrets = map[string]string{
	"provider.Scheme":    "Secret is the form of a secret (prefix, encoding, sizes), not one",
	"provider.Vector":    "Secret is a published known-answer vector's",
	"provider.Match":     "URL is a flag: the event is named by the URL",
	"wire.Format":        "Secret says what a secret looks like, for the documentation",
	"emitter.Record":     "URL is written redacted (redact.URL) when the record is made",
	"capture.Forward":    "URL is kept redacted: it comes from receiver.Forwarded",
	"receiver.Forwarded": "URL is set redacted (redact.URL) when the forward is made",
	"receiver.Server":    "URL is the listener's own http://127.0.0.1:PORT",
}

// TestSecretHolders: every exported struct type of the module with a
// field that can hold a secret or a credential (Secret, Password, Token,
// URL) declares Format, String, GoString, MarshalJSON and LogValue, so
// that fmt, JSON and slog never show it, or is listed in notSecrets with
// the reason. A new such type fails here until it redacts itself (and its
// package's redaction test covers it) or is listed.
func TestSecretHolders(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	methods := map[string]map[string]bool{} // pkg.Type -> methods
	holders := map[string]string{}          // pkg.Type -> field
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "examples" || rel == "bench" || rel == "internal/testkit") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := strings.TrimPrefix(filepath.ToSlash(filepath.Dir(rel)), "internal/")
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv == nil || len(decl.Recv.List) == 0 {
					continue
				}
				recv := decl.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok {
					key := pkg + "." + id.Name
					if methods[key] == nil {
						methods[key] = map[string]bool{}
					}
					methods[key][decl.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, field := range st.Fields.List {
						for _, name := range field.Names {
							if name.IsExported() && secretField.MatchString(name.Name) {
								holders[pkg+"."+ts.Name.Name] = name.Name
							}
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(holders) < len(notSecrets) {
		t.Fatalf("found %d types with a secret-like field, fewer than the %d listed as holding none: the walk missed the sources", len(holders), len(notSecrets))
	}
	var names []string
	for name := range holders {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := notSecrets[name]; ok {
			continue
		}
		for _, m := range []string{"Format", "String", "GoString", "MarshalJSON", "LogValue"} {
			if !methods[name][m] {
				t.Errorf("%s has a field %s that can hold a secret, and no %s method: redact it (see emitter.Target) or list it in notSecrets with the reason", name, holders[name], m)
			}
		}
	}
	for name := range notSecrets {
		if _, ok := holders[name]; !ok {
			t.Errorf("notSecrets lists %s, which has no such field any more", name)
		}
	}
}
