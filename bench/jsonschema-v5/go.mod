// The jsonschema v5 comparison benchmark, in a module of its own so that
// orderhooks itself (and every module that imports it) does not require v5.
module github.com/orderhooks/orderhooks/bench/jsonschema-v5

go 1.25.0

require (
	github.com/orderhooks/orderhooks v0.0.0
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1
)

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	golang.org/x/text v0.25.0 // indirect
)

replace github.com/orderhooks/orderhooks => ../..
