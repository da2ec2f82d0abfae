package sim_test

import (
	"testing"

	"github.com/sgchain/sgchain/internal/gen"
	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

func loadBench(b *testing.B, name string, data []byte) *model.Scenario {
	b.Helper()
	s, diags := model.Parse(name, data)
	if diags.HasErrors() {
		b.Fatalf("%s does not load:\n%v", name, diags.Err())
	}
	return s
}

// BenchmarkCheckReference checks the dual-token reference architecture.
func BenchmarkCheckReference(b *testing.B) {
	s, diags := model.Load("../scenarios/nakama-dual-token.yaml")
	if diags.HasErrors() {
		b.Fatal(diags.Err())
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sim.Check(s); err != nil {
			b.Fatal(err)
		}
	}
}

// generated is 334 services of three security groups each (1,002 groups)
// with 10 ingress rules per group and one egress rule (about 11,000 rules).
var generated = gen.Options{Services: 334, RulesPerGroup: 10, Seed: 1}

// BenchmarkLoadGenerated parses and validates the generated scenario, for
// comparison with the check.
func BenchmarkLoadGenerated(b *testing.B) {
	data := []byte(gen.Scenario(generated))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		loadBench(b, "generated.yaml", data)
	}
}

// BenchmarkCheckGenerated checks the generated scenario, already loaded.
func BenchmarkCheckGenerated(b *testing.B) {
	s := loadBench(b, "generated.yaml", []byte(gen.Scenario(generated)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := sim.Check(s)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Stats.PacketClasses), "classes")
	}
}
