module github.com/sgchain/sgchain

go 1.26

require (
	github.com/owenrumney/go-sarif/v2 v2.3.3
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	github.com/seancfoley/ipaddress-go v1.7.1
	github.com/spf13/pflag v1.1.0
	go.yaml.in/yaml/v3 v3.0.6
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/seancfoley/bintree v1.3.1 // indirect
	golang.org/x/text v0.23.0 // indirect
)
