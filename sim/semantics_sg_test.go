package sim_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// withWorker adds a compromised tier "worker" outside the chain, in the app
// subnet, whose security group has no inbound rules and the given outbound
// rules. The attacker "breach" runs on it. Its outbound rules select which
// packets it can send, so a test learns from the findings which of those
// packets a receiver admits.
func withWorker(d design, egress string) design {
	d.ExtraGroups += "  worker: {ingress: [], egress: " + egress + "}\n"
	d.ExtraTiers += "  worker: {kind: ecs, subnets: [app-a], security_groups: [worker]}\n"
	d.Attackers = "  breach: {kind: compromised, tier: worker}"
	return d
}

// Security group rules (VPC User Guide): rules can only allow traffic, and a
// new security group has no inbound rules, so it admits nothing until rules
// are added. A packet that no rule allows is dropped.
func TestSGNoInboundRulesAdmitsNothing(t *testing.T) {
	tests := []struct {
		name        string
		dbIngress   string
		wantVerdict string
		wantReason  string
	}{
		{"no rules", `[]`, sim.Broken, sim.ReasonSGNoRules},
		{"no matching rule", `[{protocol: tcp, ports: 3306, from: {security_group: app}}]`, sim.Broken, sim.ReasonSGRulesMismatch},
		{"matching rule", `[{protocol: tcp, ports: 5432, from: {security_group: app}}]`, sim.Holds, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := baseDesign("no-inbound")
			d.DBIngress = tc.dbIngress
			r := d.check(t)

			v := hopVerdict(t, r, "app", "db")
			if v.Verdict != tc.wantVerdict || v.Reason != tc.wantReason {
				t.Fatalf("hop app -> db = %s %q, want %s %q\n%s", v.Verdict, v.Reason, tc.wantVerdict, tc.wantReason, dump(r))
			}
			if tc.wantVerdict == sim.Holds {
				return
			}
			st := stepOf(t, lastHop(t, v), sim.FilterIngress)
			if st.Allowed || st.Reason != tc.wantReason {
				t.Errorf("ingress step = allowed %v, reason %q; want a drop with %q", st.Allowed, st.Reason, tc.wantReason)
			}
			if st.Rule != "" {
				t.Errorf("ingress step names rule %q, want none", st.Rule)
			}
		})
	}
}

// Security group rules (EC2 User Guide): when an interface has several
// security groups, their rules are aggregated into one set, and a packet
// passes when a rule of any of the groups allows it.
func TestSGRulesOfGroupsArePooled(t *testing.T) {
	extra := "  app-extra: {ingress: [{protocol: tcp, ports: 8080, from: {security_group: alb}}], egress: none}\n"

	t.Run("second group admits", func(t *testing.T) {
		d := baseDesign("pooled")
		d.AppIngress = `[]`
		d.AppGroups = `[app, app-extra]`
		d.ExtraGroups = extra
		r := d.check(t)

		v := hopVerdict(t, r, "alb", "app")
		if v.Verdict != sim.Holds {
			t.Fatalf("hop alb -> app = %s %s, want %s\n%s", v.Verdict, v.Reason, sim.Holds, dump(r))
		}
		st := stepOf(t, lastHop(t, v), sim.FilterIngress)
		if !strings.HasPrefix(st.Rule, "security_groups.app-extra.ingress[0] ") {
			t.Errorf("ingress rule = %q, want security_groups.app-extra.ingress[0]", st.Rule)
		}
		if !strings.Contains(st.Component, "app+app-extra") {
			t.Errorf("ingress component = %q, want both groups app+app-extra", st.Component)
		}
	})

	t.Run("first group alone", func(t *testing.T) {
		d := baseDesign("pooled-control")
		d.AppIngress = `[]`
		d.ExtraGroups = extra
		r := d.check(t)

		if v := hopVerdict(t, r, "alb", "app"); v.Verdict != sim.Broken || v.Reason != sim.ReasonSGNoRules {
			t.Errorf("hop alb -> app = %s %q, want %s %q", v.Verdict, v.Reason, sim.Broken, sim.ReasonSGNoRules)
		}
	})
}

// Security group rules (EC2 User Guide): when several rules cover the same
// port, AWS applies the most permissive one. A rule for one /32 beside a rule
// for 0.0.0.0/0 on the same port admits every address.
func TestSGMostPermissiveRuleWins(t *testing.T) {
	narrow := `{protocol: tcp, ports: 8080, from: {cidr: 10.50.0.7/32}}`
	broad := `{protocol: tcp, ports: 8080, from: {cidr: 0.0.0.0/0}}`
	build := func(ingress string) design {
		d := baseDesign("permissive")
		d.AppIngress = ingress
		d.Attackers = "  vpn: {kind: address-range, cidrs: [10.60.0.0/16]}"
		return d
	}

	t.Run("broad beside narrow", func(t *testing.T) {
		r := build("[" + narrow + ", " + broad + "]").check(t)

		f := skipAlong(r, "vpn", "app")
		if f == nil {
			t.Fatalf("vpn does not reach app through the 0.0.0.0/0 rule\n%s", dump(r))
		}
		if !prefix("10.60.0.0/16").Contains(f.Packet.Src) {
			t.Errorf("packet source %s, want one in 10.60.0.0/16, outside the /32", f.Packet.Src)
		}
		st := stepOf(t, f.Hops[0], sim.FilterIngress)
		if !strings.HasPrefix(st.Rule, "security_groups.app.ingress[1] ") {
			t.Errorf("admitting rule = %q, want security_groups.app.ingress[1]", st.Rule)
		}

		ws := warningsWithCode(r, "shadowed-rule")
		if len(ws) != 1 {
			t.Fatalf("got %d shadowed-rule warnings, want 1\n%s", len(ws), dump(r))
		}
		want := []string{"security_groups.app.ingress[0]", "security_groups.app.ingress[1]"}
		if !slices.Equal(ws[0].Rules, want) {
			t.Errorf("warning rules = %q, want %q", ws[0].Rules, want)
		}
		if ws[0].Tier != "app" {
			t.Errorf("warning tier = %q, want app", ws[0].Tier)
		}
		for _, path := range want {
			if !strings.Contains(ws[0].Message, path) {
				t.Errorf("warning message does not name %s: %s", path, ws[0].Message)
			}
		}
	})

	t.Run("narrow alone", func(t *testing.T) {
		r := build("[" + narrow + "]").check(t)
		if fs := skipsTo(r, "vpn", "app"); len(fs) != 0 {
			t.Errorf("vpn reaches app past a /32 rule for another address\n%s", dump(r))
		}
		if ws := warningsWithCode(r, "shadowed-rule"); len(ws) != 0 {
			t.Errorf("got %d shadowed-rule warnings, want none", len(ws))
		}
	})
}

// Security group rules (EC2 User Guide), security group referencing: a rule
// whose source is a security group admits traffic from the private addresses
// of the interfaces associated with that group. The packet's sender decides,
// not its address range.
func TestSGReferenceMatchesSenderGroup(t *testing.T) {
	d := baseDesign("sg-reference")
	d.AppIngress = `[{protocol: tcp, ports: 8080, from: {security_group: alb}}, {protocol: tcp, ports: 8080, from: {security_group: worker}}]`
	d.ExtraGroups = "  worker: {ingress: [], egress: aws-default}\n" +
		"  batch: {ingress: [], egress: aws-default}\n"
	d.ExtraTiers = "  worker: {kind: ecs, subnets: [app-a], security_groups: [worker]}\n" +
		"  batch: {kind: ecs, subnets: [app-a], security_groups: [batch]}\n"
	d.Attackers = "  breached-worker: {kind: compromised, tier: worker}\n" +
		"  breached-batch: {kind: compromised, tier: batch}"
	r := d.check(t)

	f := skipAlong(r, "breached-worker", "app")
	if f == nil {
		t.Fatalf("breached-worker does not reach app, whose rule references its group\n%s", dump(r))
	}
	if got := f.Packet.IdentityNames(); !slices.Equal(got, []string{"worker"}) {
		t.Errorf("packet identity = %v, want [worker]", got)
	}
	if st := stepOf(t, f.Hops[0], sim.FilterIngress); !strings.HasPrefix(st.Rule, "security_groups.app.ingress[1] ") {
		t.Errorf("admitting rule = %q, want security_groups.app.ingress[1]", st.Rule)
	}
	if v := stageVerdict(t, r, "breached-worker", 3); v.Verdict != sim.Skippable {
		t.Errorf("stage 3 for breached-worker = %s, want %s", v.Verdict, sim.Skippable)
	}

	if fs := skipsTo(r, "breached-batch", "app"); len(fs) != 0 {
		t.Errorf("breached-batch reaches app, but no rule references its group\n%s", dump(r))
	}
	if v := stageVerdict(t, r, "breached-batch", 3); v.Verdict != sim.Holds {
		t.Errorf("stage 3 for breached-batch = %s, want %s", v.Verdict, sim.Holds)
	}
}

// Security group rules (EC2 User Guide): a security-group reference matches
// only the private addresses of the group's interfaces, never public
// addresses, so traffic from the internet never matches one. Neither does a
// self reference.
func TestSGReferenceIgnoresInternet(t *testing.T) {
	tests := []struct {
		name    string
		ingress string
		reached bool
	}{
		{"group references", `[{protocol: tcp, ports: 8443, from: {security_group: alb}}, {protocol: all, from: {self: true}}]`, false},
		{"open cidr", `[{protocol: tcp, ports: 8443, from: {cidr: 0.0.0.0/0}}]`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := baseDesign("sg-reference-internet")
			d.ExtraGroups = "  admin: {ingress: " + tc.ingress + ", egress: aws-default}\n"
			d.ExtraTiers = "  admin: {kind: ec2, subnets: [public-a], public_ip: true, security_groups: [admin]}\n"
			d.Chain = `[[edge], [alb], [app, admin], [db]]`
			r := d.check(t)

			f := skipAlong(r, "internet", "admin")
			if (f != nil) != tc.reached {
				t.Fatalf("internet reaches admin directly: %v, want %v\n%s", f != nil, tc.reached, dump(r))
			}
			if f != nil && len(f.Packet.Identity) != 0 {
				t.Errorf("internet packet carries identity %v, want none", f.Packet.IdentityNames())
			}
			own := skipAlong(r, "internet", sim.DistributionNode("internet"), "admin")
			if (own != nil) != tc.reached {
				t.Errorf("internet reaches admin through its own distribution: %v, want %v", own != nil, tc.reached)
			}
		})
	}
}

// Security group rules (VPC User Guide): outbound rules are enforced as
// inbound rules are. A group whose outbound rules were all removed sends
// nothing. The outbound rule AWS creates with a new group allows all
// protocols to 0.0.0.0/0.
func TestSGEgressIsEnforced(t *testing.T) {
	tests := []struct {
		name        string
		egress      string
		wantVerdict string
		wantReason  string
		wantRule    string
	}{
		{"none", `none`, sim.Broken, sim.ReasonSGNoRules, ""},
		{"other port", `[{protocol: tcp, ports: 9090, to: {security_group: app}}]`, sim.Broken, sim.ReasonSGRulesMismatch, ""},
		{"aws default", `aws-default`, sim.Holds, "", "security_groups.alb.egress (all to 0.0.0.0/0)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := baseDesign("egress")
			d.ALBEgress = tc.egress
			r := d.check(t)

			v := hopVerdict(t, r, "alb", "app")
			if v.Verdict != tc.wantVerdict || v.Reason != tc.wantReason {
				t.Fatalf("hop alb -> app = %s %q, want %s %q\n%s", v.Verdict, v.Reason, tc.wantVerdict, tc.wantReason, dump(r))
			}
			st := stepOf(t, lastHop(t, v), sim.FilterEgress)
			if st.Allowed != (tc.wantVerdict == sim.Holds) || st.Reason != tc.wantReason {
				t.Errorf("egress step = allowed %v, reason %q; want reason %q", st.Allowed, st.Reason, tc.wantReason)
			}
			if tc.wantRule != "" && st.Rule != tc.wantRule {
				t.Errorf("egress rule = %q, want %q", st.Rule, tc.wantRule)
			}
			if tc.wantVerdict == sim.Broken && len(lastHop(t, v).Steps) != 1 {
				t.Errorf("hop continues past the sender's egress: %+v", lastHop(t, v).Steps)
			}
		})
	}
}

// IpPermission (Amazon EC2 API Reference): protocol -1 means all protocols,
// and for -1 or any protocol number other than tcp, udp, icmp and icmpv6,
// traffic on all ports is allowed whatever port range is given.
func TestSGProtocolAllAndOtherNumbers(t *testing.T) {
	tests := []struct {
		name      string
		dbIngress string
		egress    string // the worker's outbound rules: what it sends
		reached   bool
		proto     model.Protocol
		port      int
	}{
		{"all admits tcp", `{protocol: all, from: {security_group: worker}}`, `{protocol: tcp, ports: 22, to: {cidr: 0.0.0.0/0}}`, true, model.TCP, 22},
		{"minus one admits udp", `{protocol: -1, from: {security_group: worker}}`, `{protocol: udp, ports: 9999, to: {cidr: 0.0.0.0/0}}`, true, model.UDP, 9999},
		{"all admits icmp", `{protocol: all, from: {security_group: worker}}`, `{protocol: icmp, icmp_type: 3, icmp_code: 4, to: {cidr: 0.0.0.0/0}}`, true, model.ICMP, 3*256 + 4},
		{"all admits esp", `{protocol: all, from: {security_group: worker}}`, `{protocol: 50, to: {cidr: 0.0.0.0/0}}`, true, 50, 0},
		{"esp ignores ports", `{protocol: 50, ports: 22, from: {security_group: worker}}`, `{protocol: 50, to: {cidr: 0.0.0.0/0}}`, true, 50, 0},
		{"gre rejects esp", `{protocol: 47, from: {security_group: worker}}`, `{protocol: 50, to: {cidr: 0.0.0.0/0}}`, false, 0, 0},
		{"tcp rejects udp", `{protocol: tcp, ports: all, from: {security_group: worker}}`, `{protocol: udp, ports: 9999, to: {cidr: 0.0.0.0/0}}`, false, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := withWorker(baseDesign("protocols"), "["+tc.egress+"]")
			d.DBIngress = "[" + tc.dbIngress + "]"
			r := d.check(t)

			fs := skipsTo(r, "breach", "db")
			if (len(fs) > 0) != tc.reached {
				t.Fatalf("breach reaches db: %v, want %v\n%s", len(fs) > 0, tc.reached, dump(r))
			}
			if !tc.reached {
				return
			}
			f := fs[0]
			if !slices.Equal(f.Path, []string{"breach", "db"}) {
				t.Errorf("path = %v, want [breach db]", f.Path)
			}
			if f.Packet.Protocol != tc.proto || f.Packet.Port != tc.port {
				t.Errorf("packet = %s, want protocol %s port %d", f.Packet, tc.proto, tc.port)
			}
			if st := stepOf(t, f.Hops[0], sim.FilterIngress); !strings.HasPrefix(st.Rule, "security_groups.db.ingress[0] ") {
				t.Errorf("admitting rule = %q, want security_groups.db.ingress[0]", st.Rule)
			}
		})
	}
}

// IpPermission (Amazon EC2 API Reference) and Security group rules (VPC
// User Guide): for ICMP, the rule's port fields hold the ICMP type and code,
// and -1 means all. A rule for type 8 (echo request) admits echo requests of
// any code and no other type.
func TestSGICMPTypeAndCode(t *testing.T) {
	tests := []struct {
		name      string
		dbIngress string
		sends     string // the worker's ICMP outbound rule: what it sends
		wantPort  int    // type*256+code of the packet that reaches db, or -1
	}{
		{"echo request", `icmp_type: 8`, `icmp_type: 8`, 8 * 256},
		{"echo request code 0", `icmp_type: 8`, `icmp_type: 8, icmp_code: 0`, 8 * 256},
		{"timestamp request", `icmp_type: 8`, `icmp_type: 13`, -1},
		{"echo reply", `icmp_type: 8`, `icmp_type: 0`, -1},
		{"fragmentation needed", `icmp_type: 3, icmp_code: 4`, `icmp_type: 3, icmp_code: 4`, 3*256 + 4},
		{"port unreachable", `icmp_type: 3, icmp_code: 4`, `icmp_type: 3, icmp_code: 3`, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := withWorker(baseDesign("icmp"), "[{protocol: icmp, "+tc.sends+", to: {cidr: 0.0.0.0/0}}]")
			d.DBIngress = "[{protocol: icmp, " + tc.dbIngress + ", from: {security_group: worker}}]"
			r := d.check(t)

			fs := skipsTo(r, "breach", "db")
			if tc.wantPort < 0 {
				if len(fs) != 0 {
					t.Errorf("db admits %s\n%s", fs[0].Packet, dump(r))
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings for breach reaching db, want 1\n%s", len(fs), dump(r))
			}
			p := fs[0].Packet
			if p.Protocol != model.ICMP || p.Port != tc.wantPort {
				t.Errorf("packet = %s, want icmp type %d code %d", p, tc.wantPort/256, tc.wantPort%256)
			}
		})
	}
}

// Amazon EC2 security group connection tracking (EC2 User Guide): a TCP or
// UDP flow is untracked when a rule admits it from 0.0.0.0/0 and a rule in
// the other direction admits all replies to 0.0.0.0/0 on all ports. ICMP
// flows and connections through a Network Load Balancer are always tracked.
func TestSGUntrackedFlows(t *testing.T) {
	open := `[{protocol: tcp, ports: 8080, from: {cidr: 0.0.0.0/0}}]`
	tests := []struct {
		name     string
		ingress  string
		egress   string
		wantPref string
	}{
		{"open both ways", open, `aws-default`, "untracked"},
		{"open tcp all ports", open, `[{protocol: tcp, ports: all, to: {cidr: 0.0.0.0/0}}]`, "untracked"},
		{"narrow outbound", open, `[{protocol: tcp, ports: 5432, to: {security_group: db}}]`, "tracked"},
		{"group reference inbound", `[{protocol: tcp, ports: 8080, from: {security_group: alb}}]`, `aws-default`, "tracked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := baseDesign("tracking")
			d.AppIngress = tc.ingress
			d.AppEgress = tc.egress
			r := d.check(t)

			v := hopVerdict(t, r, "alb", "app")
			if v.Verdict != sim.Holds {
				t.Fatalf("hop alb -> app = %s %s, want %s\n%s", v.Verdict, v.Reason, sim.Holds, dump(r))
			}
			if reply := lastHop(t, v).Reply; !strings.HasPrefix(reply, tc.wantPref+":") {
				t.Errorf("Reply = %q, want it to start with %q", reply, tc.wantPref+":")
			}
		})
	}

	t.Run("through nlb", func(t *testing.T) {
		d := nlbDesign("tracking-nlb")
		d.AppIngress = `[{protocol: tcp, ports: 8080, from: {cidr: 0.0.0.0/0}}]`
		d.AppEgress = `aws-default`
		r := d.check(t)

		v := hopVerdict(t, r, "nlb", "app")
		if v.Verdict != sim.Holds {
			t.Fatalf("hop nlb -> app = %s %s, want %s\n%s", v.Verdict, v.Reason, sim.Holds, dump(r))
		}
		if reply := lastHop(t, v).Reply; !strings.HasPrefix(reply, "tracked:") {
			t.Errorf("Reply = %q, want a tracked flow", reply)
		}
	})

	// The client's connection to the NLB is a connection through the NLB
	// too, whatever the NLB's own security group admits.
	t.Run("into nlb", func(t *testing.T) {
		d := nlbDesign("tracking-into-nlb")
		d.NLBIngress = `[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]`
		d.NLBEgress = `aws-default`
		r := d.check(t)

		f := skipAlong(r, "internet", "nlb")
		if f == nil {
			t.Fatalf("internet does not reach the open NLB\n%s", dump(r))
		}
		if reply := f.Hops[0].Reply; !strings.HasPrefix(reply, "tracked:") {
			t.Errorf("Reply = %q, want a tracked flow", reply)
		}
	})

	t.Run("icmp", func(t *testing.T) {
		d := withWorker(baseDesign("tracking-icmp"), `[{protocol: icmp, icmp_type: 8, to: {cidr: 0.0.0.0/0}}]`)
		d.DBIngress = `[{protocol: icmp, icmp_type: 8, from: {cidr: 0.0.0.0/0}}]`
		d.DBEgress = `aws-default`
		r := d.check(t)

		f := skipAlong(r, "breach", "db")
		if f == nil {
			t.Fatalf("breach does not reach db with an echo request\n%s", dump(r))
		}
		if reply := f.Hops[0].Reply; !strings.HasPrefix(reply, "tracked:") {
			t.Errorf("Reply = %q, want a tracked flow: ICMP is always tracked", reply)
		}
	})
}

// Amazon VPC quotas and AWS-managed prefix lists (VPC User Guide): a group
// has 60 inbound rules by default, and a rule that references the CloudFront
// origin-facing list counts as its weight, 55. Two such rules weigh 110.
func TestSGRuleQuotaCountsListWeight(t *testing.T) {
	tests := []struct {
		name    string
		ingress string
		want    int
	}{
		{"one list rule", `[{protocol: tcp, ports: 443, from: {prefix_list: cloudfront}}]`, 0},
		{"two list rules", `[{protocol: tcp, ports: 443, from: {prefix_list: cloudfront}}, {protocol: tcp, ports: 80, from: {prefix_list: cloudfront}}]`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := baseDesign("quota")
			d.ALBIngress = tc.ingress
			r := d.check(t)

			ws := warningsWithCode(r, "rule-quota")
			if len(ws) != tc.want {
				t.Fatalf("got %d rule-quota warnings, want %d\n%s", len(ws), tc.want, dump(r))
			}
			if tc.want == 0 {
				return
			}
			if !slices.Equal(ws[0].Rules, []string{"security_groups.alb"}) {
				t.Errorf("warning rules = %q, want [security_groups.alb]", ws[0].Rules)
			}
			if !strings.Contains(ws[0].Message, "110") || !strings.Contains(ws[0].Message, "60") {
				t.Errorf("message does not give the weighted count 110 and the quota 60: %s", ws[0].Message)
			}
			if r.Verdict != sim.Holds {
				t.Errorf("Verdict = %s, want %s: a warning alone does not violate", r.Verdict, sim.Holds)
			}
		})
	}
}
