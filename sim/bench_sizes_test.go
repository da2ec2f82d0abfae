package sim_test

import (
	"testing"

	"github.com/sgchain/sgchain/internal/gen"
	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// benchSizes are the scenarios docs/benchmarks.md reports, with the flags of
// sgchain gen that write the same files.
var benchSizes = []struct {
	name string
	opts gen.Options
}{
	// sgchain gen --security-groups 100 --rules 1000 --tiers 1000
	{"S", gen.Options{SecurityGroups: 100, Rules: 1000, Tiers: 1000, Seed: 1}},
	// sgchain gen --security-groups 1000 --rules 10000 --tiers 10000
	{"M", gen.Options{SecurityGroups: 1000, Rules: 10000, Tiers: 10000, Seed: 1}},
	// sgchain gen --services 1000 --security-groups 10000 --rules 100000 --tiers 10000
	{"L", gen.Options{Services: 1000, SecurityGroups: 10000, Rules: 100000, Tiers: 10000, Seed: 1}},
	// sgchain gen --security-groups 1000 --rules 10000 --tiers 100000
	{"L-tiers", gen.Options{SecurityGroups: 1000, Rules: 10000, Tiers: 100000, Seed: 1}},
}

// BenchmarkSizes loads and checks each size, side by side: load is
// model.Parse of the file's bytes, check is sim.Check of the loaded
// scenario. Run it with -benchtime 3x: one iteration of L takes seconds.
func BenchmarkSizes(b *testing.B) {
	for _, size := range benchSizes {
		data := []byte(gen.Scenario(size.opts))
		b.Run("load-"+size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				loadBench(b, size.name+".yaml", data)
			}
		})
		b.Run("check-"+size.name, func(b *testing.B) {
			s := loadBench(b, size.name+".yaml", data)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sim.Check(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBenchSizesLoad keeps the benchmark scenarios valid: each loads
// without errors and has the sizes its options ask for.
func TestBenchSizesLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and loads the benchmark scenarios, which takes seconds")
	}
	for _, size := range benchSizes[:2] {
		s, diags := model.Parse(size.name+".yaml", []byte(gen.Scenario(size.opts)))
		if diags.HasErrors() {
			t.Fatalf("%s does not load: %v", size.name, diags.Err())
		}
		rules := 0
		for _, g := range s.SecurityGroups {
			rules += len(g.Ingress) + len(g.Egress)
		}
		if len(s.Tiers) != size.opts.Tiers || len(s.SecurityGroups) != size.opts.SecurityGroups || rules != size.opts.Rules {
			t.Errorf("%s has %d tiers, %d groups and %d rules, want %d, %d and %d", size.name,
				len(s.Tiers), len(s.SecurityGroups), rules, size.opts.Tiers, size.opts.SecurityGroups, size.opts.Rules)
		}
	}
}
