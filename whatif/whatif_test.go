package whatif

import (
	"os"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
)

func load(t *testing.T, data []byte) *model.Scenario {
	t.Helper()
	s, diags := model.Parse("changed.yaml", data)
	if diags.HasErrors() {
		t.Fatalf("changed scenario does not load:\n%v\n%s", diags.Err(), data)
	}
	return s
}

func threeTier(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../scenarios/three-tier.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestApplyChanges(t *testing.T) {
	tests := []struct {
		name   string
		change Change
		check  func(t *testing.T, s *model.Scenario)
	}{
		{"add rule", AddRule{Group: "app", Direction: "ingress", Rule: "{protocol: tcp, ports: 22, from: {cidr: 10.0.0.0/16}}"},
			func(t *testing.T, s *model.Scenario) {
				g := group(s, "app")
				if n := len(g.Ingress); n != 2 || g.Ingress[1].Ports.From != 22 {
					t.Errorf("app ingress = %d rules, want the new SSH rule second", n)
				}
			}},
		{"add egress to none", AddRule{Group: "db", Direction: "egress", Rule: "{protocol: tcp, ports: 443, to: {cidr: 0.0.0.0/0}}"},
			func(t *testing.T, s *model.Scenario) {
				if n := len(group(s, "db").Egress); n != 1 {
					t.Errorf("db egress has %d rules, want 1", n)
				}
			}},
		{"remove rule", RemoveRule{Path: "security_groups.app.ingress[0]"},
			func(t *testing.T, s *model.Scenario) {
				if n := len(group(s, "app").Ingress); n != 0 {
					t.Errorf("app ingress has %d rules, want 0", n)
				}
			}},
		{"remove tier", RemoveTier{Name: "db"},
			func(t *testing.T, s *model.Scenario) {
				if len(s.Chain) != 3 {
					t.Errorf("chain has %d stages, want 3 once the db stage empties", len(s.Chain))
				}
				for _, tr := range s.Tiers {
					if tr.Name == "app" && len(tr.ConnectsTo) != 0 {
						t.Errorf("app still connects to %d tiers", len(tr.ConnectsTo))
					}
				}
			}},
		{"remove forwarded tier", RemoveTier{Name: "app"},
			func(t *testing.T, s *model.Scenario) {
				for _, tr := range s.Tiers {
					if tr.Name == "alb" && tr.Listeners[0].Rules[0].Action.FixedStatus != 503 {
						t.Errorf("the ALB rule that forwarded to app answers %d, want 503", tr.Listeners[0].Rules[0].Action.FixedStatus)
					}
				}
			}},
		{"add tier in stage", AddTier{Name: "cache", Stage: 4, Tier: "{kind: elasticache, subnets: [db-a], security_groups: [db]}"},
			func(t *testing.T, s *model.Scenario) {
				if names := tierNames(s.Chain[3].Tiers); names != "db,cache" {
					t.Errorf("stage 4 = %s, want db,cache", names)
				}
			}},
		{"add attacker", AddAttacker{Name: "vpn", Attacker: "{kind: address-range, cidrs: [10.50.0.0/16]}"},
			func(t *testing.T, s *model.Scenario) {
				if len(s.Attackers) != 2 {
					t.Errorf("%d attackers, want 2", len(s.Attackers))
				}
			}},
		{"leak secret", LeakSecret{Header: "X-CloudFront-Secret"},
			func(t *testing.T, s *model.Scenario) {
				for _, a := range s.Attackers {
					if len(a.KnowsSecrets) != 1 {
						t.Errorf("attacker %s knows %v", a.Name, a.KnowsSecrets)
					}
				}
			}},
		{"bypass alb", Bypass{Tier: "alb"},
			func(t *testing.T, s *model.Scenario) {
				for _, tr := range s.Tiers {
					if tr.Name == "alb" && (len(tr.Listeners[0].Rules) != 0 || !tr.Listeners[0].Default.IsForward()) {
						t.Errorf("alb listener still has rules or no forwarding default")
					}
				}
			}},
		{"patch", Patch{Name: "overlay", Overlay: []byte("description: changed\nsecurity_groups:\n  db:\n    description: null\n")},
			func(t *testing.T, s *model.Scenario) {
				if s.Description != "changed" {
					t.Errorf("description = %q", s.Description)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Apply(threeTier(t), tc.change)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, load(t, out))
		})
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		change Change
		want   string
	}{
		{AddRule{Group: "nope", Direction: "ingress", Rule: "{}"}, `no security group "nope"`},
		{AddRule{Group: "app", Direction: "sideways", Rule: "{}"}, "invalid direction"},
		{RemoveRule{Path: "tiers.app"}, "invalid rule path"},
		{RemoveTier{Name: "nope"}, `no tier "nope"`},
		{AddTier{Name: "app", Tier: "{kind: ecs}"}, "already exists"},
		{RemoveAttacker{Name: "nope"}, `no attacker "nope"`},
		{ClientIPPreservation{Tier: "alb", On: true}, "is not an nlb"},
		{Bypass{Tier: "app"}, "has no checks to bypass"},
		{Patch{Name: "bad", Overlay: []byte("- a list")}, "not a YAML mapping"},
	}
	for _, tc := range tests {
		_, err := Apply(threeTier(t), tc.change)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want it to contain %q", tc.change, err, tc.want)
		}
	}
}

func group(s *model.Scenario, name string) *model.SecurityGroup {
	for _, g := range s.SecurityGroups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

func tierNames(ts []*model.Tier) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	return strings.Join(names, ",")
}
