package model

import (
	"net/netip"
	"strings"
	"testing"
)

// expectScenario is a valid scenario whose expect section uses every form
// of every expectation.
const expectScenario = `name: shop
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
      private-a: {cidr: 10.0.10.0/24}
security_groups:
  alb:
    ingress:
      - {protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}
    egress: aws-default
  app:
    ingress:
      - {protocol: tcp, ports: 8080, from: {security_group: alb}}
    egress: aws-default
tiers:
  edge:
    kind: cloudfront
    origins:
      - name: alb
        tier: alb
        protocol_policy: https-only
        custom_headers:
          - {name: X-Origin-Verify, value: Not-A-Real-Secret, secret: true}
  alb:
    kind: alb
    scheme: internet-facing
    subnets: [public-a]
    security_groups: [alb]
    listeners:
      - {port: 443, protocol: https, default_action: {forward: {tier: app, port: 8080}}}
  app:
    kind: ecs
    subnets: [private-a]
    security_groups: [app]
    connects_to:
      - {tier: db, port: 5432}
  db:
    kind: rds
    subnets: [private-a]
    security_groups: [app]
chain: [edge, alb, app, db]
attackers:
  internet:
    kind: internet
  app:
    kind: address-range
    cidrs: [10.50.0.0/16]
expect:
  stages:
    - {verdict: holds}
    - {attacker: internet, stage: 3, verdict: skippable}
    - attacker: app
      stage: db
      verdict: holds
  flows:
    - {from: internet, to: app, protocol: tcp, ports: "8000-8099", source: "2001:db8::7", possible: false}
    - {from: {tier: app}, to: db, protocol: icmp, icmp_type: 8, possible: true}
    - {from: {attacker: app}, to: db, protocol: all, possible: false}
    - {from: internet, to: alb, protocol: tcp, ports: 443, headers: {X-Origin-Verify: "@secret", X-Debug: 1}, possible: true}
  hops:
    - {from: app, to: db, verdict: broken}
  warnings:
    - {code: rule-quota, tier: alb, present: false}
`

func TestParseExpectations(t *testing.T) {
	s, ds := Parse("shop.yaml", []byte(expectScenario))
	if len(ds) > 0 {
		t.Fatalf("Parse reported:\n%s", render(ds))
	}
	e := s.Expect
	if e == nil {
		t.Fatal("Expect is nil")
	}
	if e.Len() != 9 {
		t.Errorf("Len() = %d, want 9", e.Len())
	}
	if want := lineOf(expectScenario, "expect:"); e.Pos.Line != want {
		t.Errorf("expect at line %d, want %d", e.Pos.Line, want)
	}

	if len(e.Stages) != 3 {
		t.Fatalf("%d stage expectations, want 3", len(e.Stages))
	}
	all := e.Stages[0]
	if all.Attacker != nil || all.Stage != nil || all.Verdict != VerdictHolds {
		t.Errorf("stages[0] = %+v, want every attacker and stage to hold", all)
	}
	if st := e.Stages[1]; st.Attacker.Name != "internet" || st.Stage.Index != 2 || st.Verdict != VerdictSkippable {
		t.Errorf("stages[1] = attacker %v stage %d %s, want internet, index 2, skippable", st.Attacker.Name, st.Stage.Index, st.Verdict)
	}
	if st := e.Stages[2]; st.Attacker.Name != "app" || st.Attacker.Kind != AttackerAddressRange || st.Stage.Index != 3 {
		t.Errorf("stages[2] names attacker %s of kind %s and stage index %d, want the address-range attacker app and index 3",
			st.Attacker.Name, st.Attacker.Kind, st.Stage.Index)
	}
	if p, want := e.Stages[2].Pos, lineOf(expectScenario, "- attacker: app"); p.Line != want || p.Column != 7 || e.Stages[2].Path != "expect.stages[2]" {
		t.Errorf("stages[2] at %d:%d with path %s, want %d:7 and expect.stages[2]", p.Line, p.Column, e.Stages[2].Path, want)
	}

	if len(e.Flows) != 4 {
		t.Fatalf("%d flow expectations, want 4", len(e.Flows))
	}
	f := e.Flows[0]
	if f.From == nil || f.From.Name != "internet" || f.FromTier != nil || f.To.Name != "app" {
		t.Errorf("flows[0] sender %q to %v, want the attacker internet to app", f.Sender(), f.To)
	}
	if f.Protocol != TCP || f.Ports != (PortRange{8000, 8099}) || f.Source != netip.MustParseAddr("2001:db8::7") || f.Possible {
		t.Errorf("flows[0] = %s possible=%v", f, f.Possible)
	}
	if want := lineOf(expectScenario, `"8000-8099"`); f.Pos.Line != want || f.Pos.Column != 7 {
		t.Errorf("flows[0] at %d:%d, want %d:7", f.Pos.Line, f.Pos.Column, want)
	}
	if f := e.Flows[1]; f.FromTier == nil || f.FromTier.Name != "app" || f.Protocol != ICMP || f.Ports != (PortRange{8 * 256, 8*256 + 255}) || !f.Possible {
		t.Errorf("flows[1] = %s possible=%v, want compromised app to db, icmp type 8, possible", f, f.Possible)
	}
	if f := e.Flows[2]; f.From == nil || f.From.Kind != AttackerAddressRange || f.Protocol != AllProtocols || !f.Ports.IsAll() {
		t.Errorf("flows[2] = %s, want the attacker app, any protocol", f)
	}
	headers := e.Flows[3].Headers
	want := []FlowHeader{{Name: "X-Origin-Verify", Value: "Not-A-Real-Secret", Secret: true}, {Name: "X-Debug", Value: "1"}}
	if len(headers) != 2 || headers[0] != want[0] || headers[1] != want[1] {
		t.Errorf("flows[3] headers = %+v, want %+v", headers, want)
	}
	if got := e.Flows[3].String(); strings.Contains(got, "Not-A-Real-Secret") || !strings.Contains(got, "X-Origin-Verify: <secret value>") {
		t.Errorf("flows[3].String() = %q, want the secret replaced by a placeholder", got)
	}

	if len(e.Hops) != 1 || e.Hops[0].From.Name != "app" || e.Hops[0].To.Name != "db" || e.Hops[0].Verdict != VerdictBroken {
		t.Errorf("hops = %+v, want app -> db broken", e.Hops)
	}
	if len(e.Warnings) != 1 || e.Warnings[0].Code != WarningRuleQuota || e.Warnings[0].Tier.Name != "alb" || e.Warnings[0].Present {
		t.Errorf("warnings = %+v, want rule-quota on alb absent", e.Warnings)
	}
}

func TestParseWithoutExpectations(t *testing.T) {
	src, _, _ := strings.Cut(expectScenario, "expect:")
	s, ds := Parse("shop.yaml", []byte(src))
	if len(ds) > 0 {
		t.Fatalf("Parse reported:\n%s", render(ds))
	}
	if s.Expect != nil || s.Expect.Len() != 0 {
		t.Errorf("Expect = %+v, want nil with length 0", s.Expect)
	}
}

// A scenario without attackers has the default internet attacker, which
// expectations can name.
func TestParseExpectationsDefaultAttacker(t *testing.T) {
	src, _, _ := strings.Cut(expectScenario, "attackers:")
	src += "expect:\n  stages:\n    - {attacker: internet, stage: alb, verdict: holds}\n"
	s, ds := Parse("shop.yaml", []byte(src))
	if len(ds) > 0 {
		t.Fatalf("Parse reported:\n%s", render(ds))
	}
	if got := s.Expect.Stages[0].Attacker; got == nil || got != s.Attackers[0] {
		t.Errorf("attacker = %+v, want the default attacker", got)
	}
}

// lineOf returns the 1-based number of the first line of src that contains
// sub, or 0.
func lineOf(src, sub string) int {
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, sub) {
			return i + 1
		}
	}
	return 0
}
