// A separate module, as a team's own service would be, that imports
// orderhooks for its go test suite. Its receiver is deliberately broken (it
// never checks the signature); examples/consumer_test.go runs its tests and
// expects exactly the signature checks to fail.
module example.com/consumer

go 1.25.0

require github.com/orderhooks/orderhooks v0.0.0

require (
	github.com/HdrHistogram/hdrhistogram-go v1.2.0 // indirect
	github.com/brianvoe/gofakeit/v7 v7.18.1 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/text v0.25.0 // indirect
)

replace github.com/orderhooks/orderhooks => ../..
