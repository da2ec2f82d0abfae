package gen

import (
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
)

// counts returns the tiers, groups, rules and prefix lists of a loaded
// scenario.
func counts(s *model.Scenario) (tiers, groups, rules, lists int) {
	for _, g := range s.SecurityGroups {
		rules += len(g.Ingress) + len(g.Egress)
	}
	for _, pl := range s.PrefixLists {
		if pl.AWSManaged == "" {
			lists++
		}
	}
	return len(s.Tiers), len(s.SecurityGroups), rules, lists
}

func TestGeneratedScenariosLoadWithTheAskedSizes(t *testing.T) {
	tests := []Options{
		{Services: 1, Seed: 1},
		{Services: 5, RulesPerGroup: 4, Seed: 2},
		{Tiers: 50, Seed: 3},
		{SecurityGroups: 30, Seed: 4},
		{SecurityGroups: 40, Rules: 500, Tiers: 300, PrefixLists: 3, Seed: 5},
		{Services: 2, SecurityGroups: 20, Rules: 100, Tiers: 100, Seed: 6},
		// Workers in more than one VPC.
		{Services: 3, SecurityGroups: 12, Tiers: 30100, Seed: 7},
	}
	for _, o := range tests {
		var b strings.Builder
		l, err := Generate(&b, o)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		s, diags := model.Parse("generated.yaml", []byte(b.String()))
		if diags.HasErrors() {
			t.Fatalf("%+v does not load: %v", o, diags.Err())
		}
		tiers, groups, rules, lists := counts(s)
		if tiers != l.Tiers() || groups != l.SecurityGroups() || rules != l.Rules || lists != l.PrefixLists {
			t.Errorf("%+v: loaded %d tiers, %d groups, %d rules, %d lists; layout %+v", o, tiers, groups, rules, lists, l)
		}
		for want, got := range map[int]int{o.Tiers: tiers, o.SecurityGroups: groups, o.Rules: rules, o.PrefixLists: lists} {
			if want != 0 && want != got {
				t.Errorf("%+v: asked for %d, got %d", o, want, got)
			}
		}
	}
}

// The layout of earlier versions, which the benchmarks of docs/benchmarks.md
// were first measured with, stays the same.
func TestServicesAloneKeepTheEarlierLayout(t *testing.T) {
	l, err := Options{Services: 334, RulesPerGroup: 10, Seed: 1}.Layout()
	if err != nil {
		t.Fatal(err)
	}
	if l.Tiers() != 1019 || l.SecurityGroups() != 1002 || l.Rules != 334*5+1002*9 || l.Workers != 0 {
		t.Errorf("layout %+v: want 1019 tiers, 1002 groups, %d rules and no workers", l, 334*5+1002*9)
	}
}

func TestSameSeedSameScenario(t *testing.T) {
	o := Options{SecurityGroups: 40, Rules: 500, Tiers: 300, PrefixLists: 3, Seed: 9}
	if Scenario(o) != Scenario(o) {
		t.Error("one seed gave two different scenarios")
	}
	other := o
	other.Seed = 10
	if Scenario(o) == Scenario(other) {
		t.Error("seeds 9 and 10 gave the same scenario")
	}
}

func TestImpossibleSizesAreErrors(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{Services: 10, Tiers: 20}, "too few for 10 services"},
		{Options{Services: 10, SecurityGroups: 20}, "too few for 10 services"},
		{Options{Services: 10, Rules: 20}, "rules are too few"},
		{Options{Services: -1}, "must not be negative"},
		{Options{Services: 1, Tiers: 40000000}, "VPCs"},
	}
	for _, tc := range tests {
		_, err := tc.opts.Layout()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.opts, err, tc.want)
		}
	}
}
