module github.com/orderhooks/orderhooks

go 1.24

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	github.com/spf13/pflag v1.1.0
	golang.org/x/term v0.32.0
	golang.org/x/text v0.25.0
)

require golang.org/x/sys v0.33.0 // indirect
