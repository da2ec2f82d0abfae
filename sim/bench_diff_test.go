package sim_test

import (
	"testing"

	"github.com/sgchain/sgchain/internal/gen"
	"github.com/sgchain/sgchain/sim"
	"github.com/sgchain/sgchain/whatif"
)

// BenchmarkDiffGenerated compares the generated benchmark scenario (about
// 10,700 rules) with a copy that differs in three rules: one opens SSH on
// an ALB, one widens an application group to a partner range, and one
// removes a database's chaining rule.
func BenchmarkDiffGenerated(b *testing.B) {
	opts := gen.Options{Services: 334, RulesPerGroup: 10, Seed: 1}
	data := []byte(gen.Scenario(opts))
	changed, err := whatif.Apply(data,
		whatif.AddRule{Group: "alb-7", Direction: "ingress", Rule: "{protocol: tcp, ports: 22, from: {cidr: 0.0.0.0/0}}"},
		whatif.AddRule{Group: "app-42", Direction: "ingress", Rule: "{protocol: tcp, ports: 8042, from: {cidr: 10.0.0.0/16}}"},
		whatif.RemoveRule{Path: "security_groups.db-99.ingress[0]"},
	)
	if err != nil {
		b.Fatal(err)
	}
	before := loadBench(b, "before.yaml", data)
	after := loadBench(b, "after.yaml", changed)
	b.ReportAllocs()
	for b.Loop() {
		d, err := sim.Diff(before, after)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(d.Classes), "classes")
	}
}
