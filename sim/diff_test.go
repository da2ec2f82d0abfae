package sim_test

import (
	"path/filepath"
	"testing"

	"github.com/sgchain/sgchain/sim"
)

// A scenario compared with itself has no change of any kind.
func TestDiffIdentityIsEmpty(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/*.yaml")
	for _, file := range files {
		s := loadScenario(t, file)
		d, err := sim.Diff(s, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Reach)+len(d.Verdicts)+len(d.Warnings) != 0 {
			t.Errorf("%s: diff with itself has %d reach, %d verdict and %d warning changes", file, len(d.Reach), len(d.Verdicts), len(d.Warnings))
		}
		if d.Classes == 0 {
			t.Errorf("%s: diff compared no packet classes", file)
		}
	}
}

// Removing the header rule lets the whole CloudFront pool through the ALB:
// the change names the attacker's own distribution as the entry, TCP 443
// as the port and every pool address as the source.
func TestDiffNamesNewPackets(t *testing.T) {
	before := loadScenario(t, "../scenarios/three-tier.yaml")
	after := loadScenario(t, "../scenarios/three-tier-no-secret-header.yaml")
	d, err := sim.Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range d.Reach {
		if r.Tier != "alb" {
			continue
		}
		found = true
		if r.Change != sim.NewlyReaches || r.Entry != "internet/own-distribution" {
			t.Errorf("change = %s via %s, want %s via internet/own-distribution", r.Change, r.Entry, sim.NewlyReaches)
		}
		if len(r.Ports) != 1 || r.Ports[0].From != 443 || r.Ports[0].To != 443 {
			t.Errorf("ports = %v, want [443]", r.Ports)
		}
		if !r.AllSources || r.Sources.String() != "192.0.2.0/26" {
			t.Errorf("sources = %s (all=%v), want the whole pool 192.0.2.0/26", r.Sources, r.AllSources)
		}
		if !r.Example.Dst.IsValid() || r.Example.Port != 443 {
			t.Errorf("example packet = %s, want one to the ALB on 443", r.Example.String())
		}
	}
	if !found {
		t.Fatal("no reach change for alb")
	}
	if !d.HasRegression() {
		t.Error("HasRegression = false, want true")
	}
}
