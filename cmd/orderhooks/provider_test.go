package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/shell"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testrecv"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// shopDefinition is the made-up shop described as data.
func shopDefinition(t *testing.T) string {
	return filepath.Join(testkit.Root(t), "testdata", "providers", "shop.yaml")
}

// writeFile writes a test file and returns its path.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestProviderCommand: list, show and check.
func TestProviderCommand(t *testing.T) {
	out, errOut, code := runCmd(t, "", "provider", "list")
	if code != exitOK || !strings.Contains(out, "phasio") || !strings.Contains(out, "Standard Webhooks") || strings.Count(out, "\n") != 4 {
		t.Fatalf("list: %d %q %q", code, out, errOut)
	}
	out, _, code = runCmd(t, "", "provider", "show", "phasio")
	if code != exitOK || out != string(provider.BuiltinFile("phasio")) {
		t.Fatalf("show phasio: %d\n%s", code, out)
	}
	if _, errOut, code = runCmd(t, "", "provider", "show", "phasi"); code != exitUsage || !strings.Contains(errOut, `"phasio"`) {
		t.Fatalf("show phasi: %d %q", code, errOut)
	}
	out, errOut, code = runCmd(t, "", "provider", "check", shopDefinition(t))
	if code != exitOK || !strings.Contains(out, "shop (Shop Platform): 4 events") || !strings.Contains(out, "requests built and verified") {
		t.Fatalf("check shop: %d %q %q", code, out, errOut)
	}
	bad := writeFile(t, "bad.yaml", "format: 1\nname: shop\nsigning:\n  header: X-Sig\n  content: \"{body}\"\n  schemes: []\nextra: 1\n")
	_, errOut, code = runCmd(t, "", "provider", "check", bad)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != exitUsage || len(lines) < 2 {
		t.Fatalf("check bad: %d %q", code, errOut)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, bad+":") || !strings.Contains(l, ": /") {
			t.Errorf("problem line %q is not FILE:LINE: POINTER: message", l)
		}
	}
	// A documented example that the definition does not reproduce.
	base, err := os.ReadFile(filepath.Join(testkit.Root(t), "testdata", "providers", "hub.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hub := writeFile(t, "hub.yaml", string(base)+`vectors:
  - name: example
    secret: s3cr3t
    payload: "{}"
    expect: {headers: {X-Hub-Signature-256: "sha256=00"}}
`)
	line := bytes.Count(base, []byte("\n")) + 2 // the vector's first line
	_, errOut, code = runCmd(t, "", "provider", "check", hub)
	if code != exitUsage || !strings.HasPrefix(errOut, fmt.Sprintf("%s:%d: /vectors/0: vector \"example\": header X-Hub-Signature-256 is ", hub, line)) {
		t.Fatalf("check hub: %d %q", code, errOut)
	}
}

// TestProviderFileRoundTrip: `provider show NAME > p.yaml` then
// --provider-file p.yaml behaves exactly like --provider NAME: the same
// requests for every known-answer vector (sign), the same generated
// events, the same suite verdicts against the same receiver, the same
// decryption.
func TestProviderFileRoundTrip(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	files := map[string]string{}
	for _, name := range provider.Builtins() {
		out, _, code := runCmd(t, "", "provider", "show", name)
		if code != exitOK {
			t.Fatalf("show %s: %d", name, code)
		}
		files[name] = writeFile(t, name+".yaml", out)
	}
	vectors := testkit.Vectors(t)
	type signCase struct {
		provider, secret, payload string
		flags                     []string
	}
	var cases []signCase
	for _, v := range vectors["phasio"].Valid {
		cases = append(cases, signCase{"phasio", v.Secret, v.Plaintext, []string{"--nonce", v.NonceHex}})
	}
	for _, v := range vectors["happycolis"].Valid {
		cases = append(cases, signCase{"happycolis", v.ClientSecret, v.Body, nil})
	}
	for _, v := range vectors["standard"].Valid {
		cases = append(cases, signCase{"standard", v.Secret, v.Body, []string{"--id", v.WebhookID, "--timestamp", v.WebhookTimestamp}})
	}
	for i, c := range cases {
		vars := map[string]string{"SIGN_SECRET": c.secret}
		args := append([]string{"sign", "--secret", "env:SIGN_SECRET", "--explain"}, c.flags...)
		builtin, _, code := runCmdEnv(t, context.Background(), c.payload, vars, append(args, "--provider", c.provider)...)
		fromFile, errOut, code2 := runCmdEnv(t, context.Background(), c.payload, vars, append(args, "--provider-file", files[c.provider])...)
		if code != exitOK || code2 != exitOK || builtin != fromFile {
			t.Errorf("vector %d of %s: --provider %d, --provider-file %d %q\n%s\n---\n%s", i, c.provider, code, code2, errOut, builtin, fromFile)
		}
	}
	for _, name := range []string{"phasio", "happycolis"} {
		gen := []string{"generate", "--orders", "3", "--seed", "5", "--scenario", map[string]string{"phasio": "phasio/quote-to-paid", "happycolis": "happycolis/fulfilment"}[name]}
		a, _, c1 := runCmd(t, "", append(gen, "--provider", name)...)
		b, errOut, c2 := runCmd(t, "", append(gen, "--provider-file", files[name])...)
		if c1 != exitOK || c2 != exitOK || a != b || len(a) == 0 {
			t.Errorf("generate %s: %d %d %q, different events", name, c1, c2, errOut)
		}
	}
	// The same suite run against the same receiver gives the same report.
	rcv := startVerifyReceiver(t)
	verify := []string{"verify", "--url", rcv.URL + "/webhooks", "--secret", verifySecret, "--probe", "/orders/{orderKey}", "--seed", "3"}
	a, _, c1 := runCmd(t, "", append(verify, "--provider", "happycolis")...)
	b, errOut, c2 := runCmd(t, "", append(verify, "--provider-file", files["happycolis"])...)
	if c1 != exitOK || c2 != c1 || normalize(a) != normalize(b) {
		t.Errorf("verify: exit %d and %d (%q)\n%s\n---\n%s", c1, c2, errOut, a, b)
	}
	v := vectors["phasio"].Valid[0]
	vars := map[string]string{"S": v.Secret}
	a, _, c1 = runCmdEnv(t, context.Background(), v.Body, vars, "decrypt", "--secret", "env:S", "--signature", v.PhasioSignature)
	b, _, c2 = runCmdEnv(t, context.Background(), v.Body, vars, "decrypt", "--secret", "env:S", "--signature", v.PhasioSignature, "--provider-file", files["phasio"])
	if c1 != exitOK || c2 != exitOK || a != b || strings.TrimSpace(a) != v.Plaintext {
		t.Errorf("decrypt: %d %d\n%s\n%s", c1, c2, a, b)
	}
}

// TestProviderFileShop: a schema-driven definition file generates valid
// events, emits them to a receiver built from it, and its problems are
// usage errors naming the file, line and pointer.
func TestProviderFileShop(t *testing.T) {
	shop := shopDefinition(t)
	out, errOut, code := runCmd(t, "", "generate", "--provider-file", shop, "--scenario", "shop/happy", "--orders", "2", "--seed", "9")
	if code != exitOK || strings.Count(out, "\n") != 6 || !strings.Contains(out, `"provider":"shop"`) {
		t.Fatalf("generate: %d %q\n%s", code, errOut, out)
	}
	def, err := provider.Load(shop)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := wire.NewDefinitionSecret(def, "", testkit.Rand(2))
	srv := testrecv.StartDefinition(t, def, secret)
	vars := map[string]string{"SHOP_SECRET": secret}
	out, errOut, code = runCmdEnv(t, context.Background(), "", vars, "emit", "--provider-file", shop, "--url", srv.URL+"/hooks",
		"--secret", "env:SHOP_SECRET", "--scenario", "shop/cancelled", "--orders", "3")
	if code != exitOK || srv.Stats().Applied != 6 {
		t.Fatalf("emit: %d %q %+v\n%s", code, errOut, srv.Stats(), out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--provider", "phasio", "--provider-file", shop}, "--provider and --provider-file exclude each other"},
		{[]string{"generate", "--provider-file", shop, "--scenario", "shop/sad"}, "--scenario shop/sad is not a scenario of shop"},
		{[]string{"generate", "--provider-file", shop, "--drift"}, "--drift: shop's payloads are generated from its schemas"},
		{[]string{"decrypt", "--provider-file", shop, "--secret", secret}, "requests are not encrypted"},
		{[]string{"receive", "--provider-file", writeFile(t, "bad.yaml", "format: 1\nname: x\nsigning: none\nextra: 1\n"), "--secret", "s"}, "bad.yaml:4: /extra:"},
		{[]string{"emit", "--provider-file", filepath.Join(t.TempDir(), "none.yaml"), "--url", srv.URL, "--secret", "s"}, "none.yaml"},
	} {
		_, errOut, code := runCmd(t, "", tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d %q, want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

// TestSecretAsymmetric: a Standard Webhooks key pair, the public key the
// secret key's; a provider without Ed25519 has none.
func TestSecretAsymmetric(t *testing.T) {
	out, errOut, code := runCmd(t, "", "secret", "new", "--provider", "standard", "--asymmetric")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "whsk_") || !strings.HasPrefix(lines[1], "whpk_") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	if pk, err := wire.PublicKey(provider.MustBuiltin("standard"), lines[0]); err != nil || pk != lines[1] {
		t.Fatalf("public key %q, want %q (%v)", lines[1], pk, err)
	}
	if _, errOut, code := runCmd(t, "", "secret", "new", "--provider", "phasio", "--asymmetric"); code != exitUsage || !strings.Contains(errOut, "no Ed25519") {
		t.Fatalf("phasio: %d %q", code, errOut)
	}
	out, _, code = runCmd(t, "", "secret", "new", "--provider-file", shopDefinition(t))
	if code != exitOK || !strings.HasPrefix(out, "shsec_") {
		t.Fatalf("shop secret: %d %q", code, out)
	}
}

// TestSpecFlag: --spec imports a vendor's document on generate, emit,
// verify and receive, signed with --sign standard or a definition file's
// signing; bad input is one line and exit 2.
func TestSpecFlag(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	spec := filepath.Join(testkit.Root(t), "testdata", "specs", "asyncapi-streetlights-kafka.yml")
	out, errOut, code := runCmd(t, "", "generate", "--spec", spec, "--sign", "standard", "--orders", "2", "--seed", "3")
	if code != exitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"provider":"asyncapi-streetlights-kafka"`) {
		t.Fatalf("generate: %d %q\n%s", code, errOut, out)
	}
	def, err := provider.FromSpec(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := wire.NewDefinitionSecret(def, "", testkit.Rand(4))
	srv := testrecv.StartDefinition(t, def, secret)
	vars := map[string]string{"HOOK_SECRET": secret}
	out, errOut, code = runCmdEnv(t, context.Background(), "", vars, "emit", "--spec", spec, "--sign", "standard",
		"--url", srv.URL+"/hooks", "--secret", "env:HOOK_SECRET", "--orders", "5")
	if code != exitOK || srv.Stats().Applied != 5 {
		t.Fatalf("emit: %d %q %+v\n%s", code, errOut, srv.Stats(), out)
	}
	out, errOut, code = runCmdEnv(t, context.Background(), "", vars, "verify", "--spec", spec, "--sign", "standard",
		"--url", srv.URL+"/hooks", "--secret", "env:HOOK_SECRET", "--probe", srv.URL+"/orders/{orderKey}")
	if code != exitOK || !strings.Contains(out, "0 failed") {
		t.Fatalf("verify: %d %q\n%s", code, errOut, out)
	}
	// receive --spec serves the imported events (each webhook named in the
	// test header), and verify passes against it
	r := startReceive(t, vars, "--spec", spec, "--sign", "standard", "--secret", "env:HOOK_SECRET")
	out, errOut, code = runCmdEnv(t, context.Background(), "", vars, "verify", "--spec", spec, "--sign", "standard",
		"--url", r.url, "--secret", "env:HOOK_SECRET")
	if code != exitOK || !strings.Contains(out, "0 failed") {
		t.Fatalf("verify against receive --spec: %d %q\n%s", code, errOut, out)
	}
	if code := r.stop(t); code != exitOK {
		t.Fatalf("receive --spec: exit %d", code)
	}
	// the same document signed as a definition file says (GitHub's
	// signing): GitHub's entity keys, which no streetlights message
	// declares, are refused where GitHub's definition writes them, and
	// --entity-key names the document's own
	gh := filepath.Join(testkit.Root(t), "testdata", "specs", "github.provider.yaml")
	_, errOut, code = runCmd(t, "", "generate", "--spec", spec, "--provider-file", gh, "--orders", "1")
	if want := `github.provider.yaml:26: /events/key/0: entity key "/repository/id" is not a property any of the payload schemas of dimLight, turnOff and turnOn declares`; code != exitUsage || !strings.Contains(errOut, want) {
		t.Errorf("generate with a definition's signing and keys: %d %q, want 2 and %q", code, errOut, want)
	}
	out, errOut, code = runCmd(t, "", "generate", "--spec", spec, "--provider-file", gh, "--entity-key", "/sentAt", "--orders", "1")
	if code != exitOK || !strings.Contains(out, `"provider":"github"`) {
		t.Fatalf("generate with a definition's signing: %d %q\n%s", code, errOut, out)
	}
	// only the file's signing is used: the document its events.import
	// names is --spec's, not read (here it is not there at all)
	ghText, err := os.ReadFile(gh)
	if err != nil {
		t.Fatal(err)
	}
	alone := writeFile(t, "github.provider.yaml", string(ghText))
	out, errOut, code = runCmd(t, "", "generate", "--spec", spec, "--provider-file", alone, "--entity-key", "/sentAt", "--orders", "1")
	if code != exitOK || !strings.Contains(out, `"provider":"github"`) {
		t.Fatalf("generate with the signing of a definition whose document is not there: %d %q\n%s", code, errOut, out)
	}
	bad := writeFile(t, "api.yaml", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  e:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: 'https://example.com/pet.json'}\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--spec", spec}, "--spec needs a signing scheme"},
		{[]string{"emit", "--spec", spec, "--sign", "phasio", "--url", srv.URL, "--secret", "s"}, `--sign "phasio": only standard`},
		{[]string{"verify", "--spec", spec, "--provider", "standard", "--url", srv.URL, "--secret", "s"}, "--provider and --spec exclude each other"},
		{[]string{"receive", "--sign", "standard", "--secret", "s"}, "--provider is required (or --provider-file or --spec)"},
		{[]string{"receive", "--provider", "standard", "--sign", "standard", "--secret", "s"}, "--sign applies with --spec"},
		{[]string{"receive", "--spec", bad, "--sign", "standard", "--secret", "s"}, "api.yaml:9: /webhooks/e/post/requestBody/content/application~1json/schema/$ref: $ref https://example.com/pet.json is remote"},
		{[]string{"generate", "--spec", filepath.Join(t.TempDir(), "none.yaml"), "--sign", "standard"}, "none.yaml:1: no such file"},
	} {
		_, errOut, code := runCmd(t, "", tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d %q, want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

// TestSpecEntityKey: --entity-key names the key of an imported document's
// events (provider.WithKey): generate gives each entity its own, and
// verify probes each entity's state by it against a receiver built from
// the same document and key.
func TestSpecEntityKey(t *testing.T) {
	spec := filepath.Join(testkit.Root(t), "testdata", "specs", "oai-webhook-example.yaml")
	out, errOut, code := runCmd(t, "", "generate", "--spec", spec, "--sign", "standard", "--entity-key", "/id", "--orders", "20")
	if code != exitOK {
		t.Fatalf("generate: %d %q", code, errOut)
	}
	keys, keyed := map[string]bool{}, 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev struct {
			OrderKey string
			Payload  *struct{ ID json.Number }
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Payload == nil {
			continue // the Pet schema names no type: null is a pet too
		}
		if ev.OrderKey == "" || ev.OrderKey != ev.Payload.ID.String() {
			t.Fatalf("key %q of %s", ev.OrderKey, line)
		}
		keyed++
		keys[ev.OrderKey] = true
	}
	if keyed < 10 || len(keys) != keyed {
		t.Fatalf("%d distinct keys of %d entities with a key", len(keys), keyed)
	}
	def, err := provider.FromSpec(spec, nil, provider.WithKey("/id"))
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := wire.NewDefinitionSecret(def, "", testkit.Rand(5))
	srv := testrecv.StartDefinition(t, def, secret)
	vars := map[string]string{"HOOK_SECRET": secret}
	out, errOut, code = runCmdEnv(t, context.Background(), "", vars, "verify", "--spec", spec, "--sign", "standard", "--entity-key", "/id",
		"--url", srv.URL, "--secret", "env:HOOK_SECRET", "--probe", srv.URL+"/orders/{orderKey}", "--compare", "/name")
	if code != exitOK || !strings.Contains(out, "0 failed") || !strings.Contains(out, "hold their last snapshot on /name") {
		t.Fatalf("verify: %d %q\n%s", code, errOut, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--provider", "phasio", "--entity-key", "/id"}, "--entity-key applies with --spec"},
		{[]string{"generate", "--spec", spec, "--sign", "standard", "--entity-key", "id"}, `--entity-key id: not a JSON pointer`},
		{[]string{"generate", "--spec", spec, "--sign", "standard", "--entity-key", "/i~d"}, `--entity-key /i~d: not a JSON pointer`},
	} {
		_, errOut, code := runCmd(t, "", tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d %q, want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

// TestSpecEntityKeyUndeclared: an --entity-key no payload schema of the
// document declares is the flag's error, on every command taking --spec,
// not a place in the document the user never wrote (the events.import
// section made of the flag): "--entity-key: "/nope" is not a property …",
// exit 2.
func TestSpecEntityKeyUndeclared(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	spec := filepath.Join(testkit.Root(t), "testdata", "specs", "oai-webhook-example.yaml")
	gh := filepath.Join(testkit.Root(t), "testdata", "specs", "github.provider.yaml")
	const undeclared = `orderhooks %s: --entity-key: "/nope" is not a property the payload schema of newPet declares` + "\n"
	for i, tt := range []struct {
		args []string
		want string // the whole of stderr; %s is the command
	}{
		{[]string{"generate", "--spec", spec, "--sign", "standard", "--entity-key", "/nope"}, undeclared},
		{[]string{"generate", "--spec", spec, "--sign", "standard", "--entity-key", "/id", "--entity-key", "/nope"}, undeclared},
		{[]string{"generate", "--spec", spec, "--provider-file", gh, "--entity-key", "/nope"}, undeclared},
		{[]string{"emit", "--spec", spec, "--sign", "standard", "--entity-key", "/nope", "--url", "http://127.0.0.1:1", "--secret", "s"}, undeclared},
		{[]string{"verify", "--spec", spec, "--sign", "standard", "--entity-key", "/nope", "--url", "http://127.0.0.1:1", "--secret", "s"}, undeclared},
		{[]string{"receive", "--spec", spec, "--sign", "standard", "--entity-key", "/nope", "--secret", "s"}, undeclared},
		{[]string{"generate", "--spec", spec, "--sign", "standard", "--entity-key", "nope"},
			"orderhooks %s: --entity-key nope: not a JSON pointer into the payloads (/id, /data/object/id)\n"},
	} {
		t.Run(fmt.Sprint(i, "-", tt.args[0]), func(t *testing.T) {
			_, errOut, code := runCmd(t, "", tt.args...)
			if want := fmt.Sprintf(tt.want, tt.args[0]); code != exitUsage || errOut != want {
				t.Errorf("%v: exit %d %q, want 2 and %q", tt.args, code, errOut, want)
			}
		})
	}
}

// TestHelpWireDefinition: help wire FILE describes a definition file's
// wire format from its sections, as help wire NAME does a built-in's.
func TestHelpWireDefinition(t *testing.T) {
	out, errOut, code := runCmd(t, "", "help", "wire", shopDefinition(t))
	if code != exitOK || !strings.Contains(out, "Shop Platform (--provider-file ") ||
		!strings.Contains(out, "Shop-Signature: HMAC-SHA512") || !strings.Contains(out, "signed input: {timestamp}.{body}") {
		t.Fatalf("exit %d %q\n%s", code, errOut, out)
	}
	bad := writeFile(t, "bad.yaml", "format: 1\nname: x\n")
	_, errOut, code = runCmd(t, "", "help", "wire", bad)
	if code != exitUsage || !strings.Contains(errOut, "bad.yaml:") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("a bad definition: exit %d %q", code, errOut)
	}
}

// TestSpecMoreProblems: when a --spec document reports more problems
// than the one line shows, the hint names a command that lists them all,
// provider check --spec with the same signing, and that command does.
func TestSpecMoreProblems(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	spec := filepath.Join(testkit.Root(t), "testdata", "specs", "asyncapi-streetlights-kafka.yml")
	good := filepath.Join(testkit.Root(t), "testdata", "specs", "oai-webhook-example.yaml")
	gh := filepath.Join(testkit.Root(t), "testdata", "specs", "github.provider.yaml")
	_, errOut, code := runCmd(t, "", "generate", "--spec", spec, "--provider-file", gh)
	want := "(and 2 more problems: orderhooks provider check --spec " + shell.Quote(spec) + " --provider-file " + shell.Quote(gh) + " lists them)\n"
	if code != exitUsage || !strings.HasSuffix(errOut, want) {
		t.Fatalf("generate: exit %d %q, want 2 and a line ending %q", code, errOut, want)
	}
	for i, tt := range []struct {
		args []string
		code int
		want string // in stdout and stderr
	}{
		// the hint's command
		{[]string{"provider", "check", "--spec", spec, "--provider-file", gh}, exitUsage,
			"/events/key/0: entity key \"/repository/id\"" + "|/events/key/1: entity key \"/organization/id\"" + "|/events/key/2: entity key \"/sender/id\""},
		{[]string{"provider", "check", "--spec", good, "--sign", "standard"}, exitOK, "oai-webhook-example (Webhook Example): 1 events"},
		{[]string{"provider", "check", "--spec", good, "--sign", "standard", "--entity-key", "/nope"}, exitUsage, `orderhooks provider: --entity-key: "/nope" is not a property`},
		{[]string{"provider", "check", "--spec", good}, exitUsage, "--spec needs a signing scheme"},
		{[]string{"provider", "check", gh, "--spec", good, "--sign", "standard"}, exitUsage, "--spec applies with check and no FILE"},
		{[]string{"provider", "list", "--spec", good, "--sign", "standard"}, exitUsage, "--spec applies with check and no FILE"},
		{[]string{"provider", "check", gh, "--sign", "standard"}, exitUsage, "--sign applies with --spec"},
		{[]string{"provider", "check", gh, "--provider-file", gh}, exitUsage, "--provider-file applies with check --spec SPEC"},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			out, errOut, code := runCmd(t, "", tt.args...)
			for _, w := range strings.Split(tt.want, "|") {
				if code != tt.code || !strings.Contains(out+errOut, w) {
					t.Errorf("%v: exit %d %q %q, want %d and %q", tt.args, code, out, errOut, tt.code, w)
				}
			}
		})
	}
}
