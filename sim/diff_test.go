package sim_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
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

// A compromised tier sends to another tier's private address and, through
// the internet, to its public address. Both are compared: a change at the
// private address shows even when the receiver also has a public one.
func TestDiffPrivateBesidePublic(t *testing.T) {
	const base = `name: diff-both-addresses
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
security_groups:
  web:
    ingress:
      - {protocol: tcp, ports: 80, from: {cidr: 0.0.0.0/0}}
      - {protocol: tcp, ports: 8080, from: {security_group: worker}}
    egress: aws-default
  worker:
    ingress: []
    egress: EGRESS
tiers:
  web: {kind: ec2, subnets: [public-a], security_groups: [web], public_ip: true}
  worker: {kind: ec2, subnets: [public-a], security_groups: [worker]}
chain: [web, worker]
attackers:
  breached-worker: {kind: compromised, tier: worker}
`
	parse := func(egress string) *model.Scenario {
		s, diags := model.Parse("diff.yaml", []byte(strings.Replace(base, "EGRESS", egress, 1)))
		if diags.HasErrors() {
			t.Fatalf("scenario does not load:\n%v", diags.Err())
		}
		return s
	}
	d, err := sim.Diff(parse("aws-default"), parse("none"))
	if err != nil {
		t.Fatal(err)
	}
	var private bool
	for _, r := range d.Reach {
		if r.Tier == "web" && r.Change == sim.NoLongerReaches && r.Example.Dst.String() == "10.0.0.10" {
			private = true
		}
	}
	if !private {
		t.Errorf("no reach change at web's private address 10.0.0.10; changes: %+v", d.Reach)
	}
}
