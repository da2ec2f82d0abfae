module github.com/sgchain/sgchain

go 1.26

require (
	github.com/seancfoley/ipaddress-go v1.7.1
	github.com/spf13/pflag v1.1.0
	go.yaml.in/yaml/v3 v3.0.6
	gonum.org/v1/gonum v0.17.0
)

require github.com/seancfoley/bintree v1.3.1 // indirect
