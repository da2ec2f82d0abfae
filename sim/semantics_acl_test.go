package sim_test

import (
	"os"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// naclScenario loads scenarios/three-tier.yaml with the app subnets on a
// network ACL whose rules are given, after the replacements in edits.
func naclScenario(t *testing.T, ingress, egress string, edits ...string) *sim.Report {
	t.Helper()
	data, err := os.ReadFile("../scenarios/three-tier.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	s = s[:strings.Index(s, "expect:")]
	s = strings.Replace(s, "app-a: {cidr: 10.0.10.0/24}", "app-a: {cidr: 10.0.10.0/24, network_acl: app-nacl}", 1)
	s = strings.Replace(s, "app-b: {cidr: 10.0.11.0/24}", "app-b: {cidr: 10.0.11.0/24, network_acl: app-nacl}", 1)
	s = strings.Replace(s, "security_groups:\n", "network_acls:\n  app-nacl:\n    ingress: "+ingress+"\n    egress: "+egress+"\n\nsecurity_groups:\n", 1)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			t.Fatalf("edit target %q not in the scenario", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	sc, diags := model.Parse("nacl.yaml", []byte(s))
	if diags.HasErrors() {
		t.Fatalf("scenario does not load:\n%v", diags.Err())
	}
	r, err := sim.Check(sc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func hopOf(t *testing.T, r *sim.Report, from, to string) sim.HopVerdict {
	t.Helper()
	for _, h := range r.Hops {
		if h.From == from && h.To == to {
			return h
		}
	}
	t.Fatalf("no hop %s -> %s", from, to)
	return sim.HopVerdict{}
}

// lastStep returns the step that decided the last hop of a hop verdict.
func lastStep(h sim.HopVerdict) sim.Step {
	steps := h.Hops[len(h.Hops)-1].Steps
	return steps[len(steps)-1]
}

const (
	appIn     = "[{rule: 100, action: allow, protocol: tcp, ports: 8080, cidr: 10.0.0.0/23}, {rule: 110, action: allow, protocol: tcp, ports: 32768-60999, cidr: 0.0.0.0/0}]"
	appOutOwn = "[{rule: 100, action: allow, protocol: tcp, ports: 5432, cidr: 10.0.20.0/23}, {rule: 110, action: allow, protocol: tcp, ports: 443, cidr: 0.0.0.0/0}"
)

// Network ACLs are stateless ("Control traffic to subnets using Network
// ACLs", Amazon VPC User Guide): the app's reply to the ALB is a new packet
// to the ALB's ephemeral port, 1024-65535 for Elastic Load Balancing, and it
// needs an outbound rule of its own.
func TestNACLRepliesNeedTheirOwnRule(t *testing.T) {
	r := naclScenario(t, appIn, appOutOwn+"]")
	h := hopOf(t, r, "alb", "app")
	if h.Verdict != sim.Broken || h.Reason != sim.ReasonSubnetACL {
		t.Fatalf("hop alb -> app = %s %s, want broken %s", h.Verdict, h.Reason, sim.ReasonSubnetACL)
	}
	if st := lastStep(h); st.Filter != sim.FilterNACLReply {
		t.Errorf("decided by %s, want the reply step", st.Filter)
	}

	fixed := naclScenario(t, appIn, appOutOwn+", {rule: 120, action: allow, protocol: tcp, ports: 1024-65535, cidr: 10.0.0.0/23}]")
	if h := hopOf(t, fixed, "alb", "app"); h.Verdict != sim.Holds {
		t.Errorf("with replies allowed, hop alb -> app = %s %s, want holds", h.Verdict, h.Reason)
	}
}

// Rules are evaluated by ascending number and the first match decides.
func TestNACLFirstMatchWins(t *testing.T) {
	out := "[{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]"
	denyFirst := "[{rule: 90, action: deny, protocol: tcp, ports: 8080, cidr: 10.0.0.0/23}, {rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]"
	if h := hopOf(t, naclScenario(t, denyFirst, out), "alb", "app"); h.Verdict != sim.Broken || lastStep(h).Filter != sim.FilterNACLIn {
		t.Errorf("deny numbered first: hop = %s at %s, want broken at %s", h.Verdict, lastStep(h).Filter, sim.FilterNACLIn)
	}
	allowFirst := "[{rule: 90, action: allow, protocol: all, cidr: 0.0.0.0/0}, {rule: 100, action: deny, protocol: tcp, ports: 8080, cidr: 10.0.0.0/23}]"
	if h := hopOf(t, naclScenario(t, allowFirst, out), "alb", "app"); h.Verdict != sim.Holds {
		t.Errorf("allow numbered first: hop = %s %s, want holds", h.Verdict, h.Reason)
	}
}

// A custom network ACL denies everything until rules are added: the final *
// rule matches what no numbered rule does.
func TestNACLWithoutRulesDeniesAll(t *testing.T) {
	h := hopOf(t, naclScenario(t, "[]", "[]"), "alb", "app")
	if h.Verdict != sim.Broken || !strings.Contains(lastStep(h).Detail, "final * rule") {
		t.Errorf("hop = %s: %s, want broken by the final * rule", h.Verdict, lastStep(h).Detail)
	}
}

// A network ACL filters traffic that enters or leaves a subnet, not traffic
// between two interfaces of the same subnet. The app subnets' ACL admits
// only HTTPS from CloudFront, not the ALB's 8080: with the ALB in another
// subnet the hop is broken, with the ALB in the app's subnet it holds.
func TestNACLNotCrossedInsideSubnet(t *testing.T) {
	in := "[{rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 0.0.0.0/0}]"
	out := "[{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]"
	if h := hopOf(t, naclScenario(t, in, out), "alb", "app"); h.Verdict != sim.Broken {
		t.Errorf("ALB in another subnet: hop = %s, want broken", h.Verdict)
	}
	r := naclScenario(t, in, out,
		"app-a: {cidr: 10.0.10.0/24, network_acl: app-nacl}", "app-a: {cidr: 10.0.10.0/24, public: true, network_acl: app-nacl}",
		"subnets: [public-a, public-b]", "subnets: [app-a, public-b]")
	if h := hopOf(t, r, "alb", "app"); h.Verdict != sim.Holds {
		t.Errorf("ALB in the app's subnet: hop = %s %s, want holds", h.Verdict, h.Reason)
	}
}

// The ALB picks any port of 1024-65535: if replies to some of them are
// denied, some of the intended connections fail, which is a broken hop.
func TestNACLPartialEphemeralRangeBreaksHop(t *testing.T) {
	r := naclScenario(t, appIn, appOutOwn+", {rule: 120, action: allow, protocol: tcp, ports: 32768-65535, cidr: 10.0.0.0/23}]")
	h := hopOf(t, r, "alb", "app")
	if h.Verdict != sim.Broken || !strings.Contains(lastStep(h).Detail, "some connections fail") {
		t.Errorf("hop = %s: %s, want broken because some connections fail", h.Verdict, lastStep(h).Detail)
	}
}

// An attacker picks its own source port, so one port whose reply passes is
// enough: a public app with a narrow reply rule is still reachable.
func TestNACLAttackerPicksItsPort(t *testing.T) {
	r := naclScenario(t,
		"[{rule: 100, action: allow, protocol: tcp, ports: 8080, cidr: 0.0.0.0/0}]",
		"[{rule: 100, action: allow, protocol: tcp, ports: 40000-40010, cidr: 0.0.0.0/0}]",
		"app-a: {cidr: 10.0.10.0/24, network_acl: app-nacl}", "app-a: {cidr: 10.0.10.0/24, public: true, network_acl: app-nacl}",
		"subnets: [app-a, app-b]\n    security_groups: [app]", "subnets: [app-a, app-b]\n    public_ip: true\n    security_groups: [app]",
		"from: {security_group: alb}", "from: {cidr: 0.0.0.0/0}")
	found := false
	for _, f := range r.Findings {
		if f.Kind == sim.KindSkip && f.Tier == "app" {
			found = true
		}
	}
	if !found {
		t.Error("no skip finding for app, want the internet to reach it through the narrow reply rule")
	}
}

// IPv4 and IPv6 rules are separate: a rule for ::/0 does not match IPv4.
func TestNACLIPv6RuleSkipsIPv4(t *testing.T) {
	in := "[{rule: 100, action: allow, protocol: all, cidr: \"::/0\"}]"
	h := hopOf(t, naclScenario(t, in, "[{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]"), "alb", "app")
	if h.Verdict != sim.Broken || lastStep(h).Filter != sim.FilterNACLIn {
		t.Errorf("hop = %s at %s, want broken at %s", h.Verdict, lastStep(h).Filter, sim.FilterNACLIn)
	}
}

// The client's ephemeral range depends on its operating system: a Windows
// app (49152-65535) needs replies the database subnet's ACL allows only for
// Linux clients (32768-60999).
func TestNACLEphemeralRangeOfClient(t *testing.T) {
	ingress := "[{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]"
	egress := "[{rule: 100, action: allow, protocol: tcp, ports: 1024-65535, cidr: 10.0.0.0/23}, {rule: 110, action: allow, protocol: tcp, ports: 443, cidr: 0.0.0.0/0}, {rule: 120, action: allow, protocol: tcp, ports: 5432, cidr: 10.0.20.0/23}]"
	dbEdits := []string{
		"db-a: {cidr: 10.0.20.0/24}", "db-a: {cidr: 10.0.20.0/24, network_acl: db-nacl}",
		"security_groups:\n", "  db-nacl:\n    ingress: [{rule: 100, action: allow, protocol: tcp, ports: 5432, cidr: 10.0.10.0/23}]\n    egress: [{rule: 100, action: allow, protocol: tcp, ports: 32768-60999, cidr: 10.0.10.0/23}]\n\nsecurity_groups:\n",
	}
	if h := hopOf(t, naclScenario(t, ingress, egress, dbEdits...), "app", "db"); h.Verdict != sim.Holds {
		t.Errorf("Linux app: hop app -> db = %s %s, want holds", h.Verdict, h.Reason)
	}
	windows := append(append([]string(nil), dbEdits...), "connects_to:", "ephemeral_ports: 49152-65535\n    connects_to:")
	if h := hopOf(t, naclScenario(t, ingress, egress, windows...), "app", "db"); h.Verdict != sim.Broken {
		t.Errorf("Windows app: hop app -> db = %s, want broken", h.Verdict)
	}
}
