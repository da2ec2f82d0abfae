package model

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseLarge parses a generated 4 MB scenario with 20,000 tiers and
// more unknown references than MaxDiagnostics, to catch work that grows
// faster than the input.
func BenchmarkParseLarge(bm *testing.B) {
	var b strings.Builder
	b.WriteString("name: big\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets:\n")
	for i := 0; i < 4096; i++ {
		fmt.Fprintf(&b, "      s%d: {cidr: 10.0.%d.%d/28}\n", i, i/16, (i%16)*16)
	}
	b.WriteString("security_groups:\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "  g%d: {egress: aws-default, ingress: [{protocol: tcp, ports: 443, from: {security_group: g%d}}]}\n", i, i+1)
	}
	b.WriteString("tiers:\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "  t%d: {kind: ec2, subnets: [s%d], security_groups: [g%d], public_ip: true}\n", i, i%4096, i)
	}
	b.WriteString("chain:\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "  - [t%d, nope%d]\n", i, i)
	}
	data := []byte(b.String())
	for bm.Loop() {
		Parse("big.yaml", data)
	}
}
