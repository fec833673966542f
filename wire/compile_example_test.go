package wire_test

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// A provider described in a file is compiled into a profile that builds
// and verifies its requests: here GitHub's signing scheme, checked
// against the example of GitHub's documentation.
func ExampleCompile() {
	def, err := provider.Load(filepath.Join("..", "testdata", "providers", "hub.yaml"))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := wire.Compile(def, "It's a Secret to Everybody")
	if err != nil {
		fmt.Println(err)
		return
	}
	msg := &wire.Message{Event: &generator.Event{Event: "push", Payload: []byte("Hello, World!")},
		ID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", Time: time.Now()}
	req, err := p.Build(msg, wire.FaultNone)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Header.Get("X-Hub-Signature-256"))
	fmt.Println(req.Header.Get("X-GitHub-Event"))
	// Output:
	// sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
	// push
}
