package importer

import (
	"strings"
	"testing"

	"github.com/sgchain/sgchain/sim"
)

// TestNACLRuleOut checks how entries, as the AWS CLI, Terraform and
// CloudFormation write them, become scenario rules.
func TestNACLRuleOut(t *testing.T) {
	tests := []struct {
		name  string
		entry NACLEntry
		want  string // naclRuleFlow of the result, or "" for no rule
		warn  string // a part of the warning, or "" for none
	}{
		{"tcp number", NACLEntry{Number: 100, Action: "allow", Protocol: "6", CIDR: "10.0.0.0/16", FromPort: 5432, ToPort: 5432, HasPorts: true},
			"{rule: 100, action: allow, protocol: tcp, ports: 5432, cidr: 10.0.0.0/16}", ""},
		{"udp range", NACLEntry{Number: 110, Action: "ALLOW", Protocol: "17", CIDR: "0.0.0.0/0", FromPort: 1024, ToPort: 65535, HasPorts: true},
			`{rule: 110, action: allow, protocol: udp, ports: "1024-65535", cidr: 0.0.0.0/0}`, ""},
		{"tcp all ports", NACLEntry{Number: 120, Action: "allow", Protocol: "tcp", CIDR: "10.0.0.0/8", FromPort: 0, ToPort: 65535, HasPorts: true},
			"{rule: 120, action: allow, protocol: tcp, ports: all, cidr: 10.0.0.0/8}", ""},
		{"all traffic", NACLEntry{Number: 130, Action: "deny", Protocol: "-1", CIDR: "203.0.113.0/24", FromPort: 0, ToPort: 0, HasPorts: true},
			"{rule: 130, action: deny, protocol: all, cidr: 203.0.113.0/24}", ""},
		{"other protocol", NACLEntry{Number: 140, Action: "deny", Protocol: "50", CIDR: "198.51.100.0/24"},
			"{rule: 140, action: deny, protocol: 50, cidr: 198.51.100.0/24}", ""},
		{"icmp type and code", NACLEntry{Number: 150, Action: "allow", Protocol: "1", CIDR: "0.0.0.0/0", ICMPType: 3, ICMPCode: 4, HasICMP: true},
			"{rule: 150, action: allow, protocol: icmp, icmp_type: 3, icmp_code: 4, cidr: 0.0.0.0/0}", ""},
		{"icmp any code", NACLEntry{Number: 160, Action: "allow", Protocol: "icmp", CIDR: "10.0.0.0/16", ICMPType: 8, ICMPCode: -1, HasICMP: true},
			"{rule: 160, action: allow, protocol: icmp, icmp_type: 8, cidr: 10.0.0.0/16}", ""},
		{"icmp all", NACLEntry{Number: 170, Action: "allow", Protocol: "1", CIDR: "10.0.0.0/16", ICMPType: -1, ICMPCode: -1, HasICMP: true},
			"{rule: 170, action: allow, protocol: icmp, cidr: 10.0.0.0/16}", ""},
		{"icmpv6", NACLEntry{Number: 180, Action: "allow", Protocol: "58", CIDR: "::/0", ICMPType: 2, ICMPCode: -1, HasICMP: true},
			`{rule: 180, action: allow, protocol: icmpv6, icmp_type: 2, cidr: "::/0"}`, ""},
		{"ipv6 cidr", NACLEntry{Number: 190, Action: "allow", Protocol: "-1", CIDR: "2600:1f18:1234:5600::/56"},
			`{rule: 190, action: allow, protocol: all, cidr: "2600:1f18:1234:5600::/56"}`, ""},
		{"ports ignored on icmp", NACLEntry{Number: 200, Action: "allow", Protocol: "1", CIDR: "10.0.0.0/16", FromPort: 0, ToPort: 0, HasPorts: true},
			"{rule: 200, action: allow, protocol: icmp, cidr: 10.0.0.0/16}", ""},
		{"host bits", NACLEntry{Number: 210, Action: "allow", Protocol: "6", CIDR: "10.0.1.5/16", FromPort: 22, ToPort: 22, HasPorts: true},
			"{rule: 210, action: allow, protocol: tcp, ports: 22, cidr: 10.0.0.0/16}", "host bits set"},
		{"no ports", NACLEntry{Number: 220, Action: "allow", Protocol: "6", CIDR: "10.0.0.0/16"},
			"{rule: 220, action: allow, protocol: tcp, ports: all, cidr: 10.0.0.0/16}", "no port range"},
		{"ipv4 star rule", NACLEntry{Number: 32767, Action: "deny", Protocol: "-1", CIDR: "0.0.0.0/0"}, "", ""},
		{"ipv6 star rule", NACLEntry{Number: 32768, Action: "deny", Protocol: "-1", CIDR: "::/0"}, "", ""},
		{"bad action", NACLEntry{Number: 230, Action: "permit", Protocol: "-1", CIDR: "0.0.0.0/0"}, "", `action "permit"`},
		{"bad protocol", NACLEntry{Number: 240, Action: "allow", Protocol: "quic", CIDR: "0.0.0.0/0"}, "", `protocol "quic"`},
		{"no cidr", NACLEntry{Number: 250, Action: "allow", Protocol: "-1"}, "", "not a CIDR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &builder{}
			r := b.naclRuleOut("acl-1", tc.entry)
			got := ""
			if r != nil {
				got = naclRuleFlow(r)
			}
			if got != tc.want {
				t.Errorf("rule = %s, want %s", got, tc.want)
			}
			switch {
			case tc.warn == "" && len(b.warn.List) > 0:
				t.Errorf("unexpected warning: %v", b.warn.List)
			case tc.warn != "" && (len(b.warn.List) != 1 || !strings.Contains(b.warn.List[0].Message, tc.warn)):
				t.Errorf("warnings = %v, want one containing %q", b.warn.List, tc.warn)
			}
		})
	}
}

func allowAll(number int, egress bool, cidr string) NACLEntry {
	return NACLEntry{Number: number, Egress: egress, Action: "allow", Protocol: "-1", CIDR: cidr}
}

func starRules() []NACLEntry {
	return []NACLEntry{
		{Number: 32767, Action: "deny", Protocol: "-1", CIDR: "0.0.0.0/0"},
		{Number: 32767, Egress: true, Action: "deny", Protocol: "-1", CIDR: "0.0.0.0/0"},
	}
}

func TestIsUnmodifiedDefault(t *testing.T) {
	ipv4 := append([]NACLEntry{allowAll(100, false, "0.0.0.0/0"), allowAll(100, true, "0.0.0.0/0")}, starRules()...)
	dual := append(append([]NACLEntry{}, ipv4...), allowAll(101, false, "::/0"), allowAll(101, true, "::/0"))
	tests := []struct {
		name    string
		entries []NACLEntry
		ipv6    bool
		want    bool
	}{
		{"as created, IPv4 VPC", ipv4, false, true},
		{"as created, dual-stack VPC", dual, true, true},
		{"IPv6 rule in an IPv4 VPC", dual, false, true},
		{"IPv6 rule missing in a dual-stack VPC", ipv4, true, false},
		{"terraform spelling", []NACLEntry{{Number: 100, Action: "allow", Protocol: "all", CIDR: "0.0.0.0/0"}, {Number: 100, Egress: true, Action: "allow", Protocol: "-1", CIDR: "0.0.0.0/0"}}, false, true},
		{"no outbound rule", []NACLEntry{allowAll(100, false, "0.0.0.0/0")}, false, false},
		{"no rules", nil, false, false},
		{"only star rules", starRules(), false, false},
		{"rule 100 denies", []NACLEntry{{Number: 100, Action: "deny", Protocol: "-1", CIDR: "0.0.0.0/0"}, allowAll(100, true, "0.0.0.0/0")}, false, false},
		{"rule 100 narrowed to tcp", []NACLEntry{{Number: 100, Action: "allow", Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 0, ToPort: 65535, HasPorts: true}, allowAll(100, true, "0.0.0.0/0")}, false, false},
		{"rule 100 narrowed to a block", []NACLEntry{allowAll(100, false, "10.0.0.0/8"), allowAll(100, true, "0.0.0.0/0")}, false, false},
		{"extra deny", append(append([]NACLEntry{}, ipv4...), NACLEntry{Number: 90, Action: "deny", Protocol: "-1", CIDR: "203.0.113.0/24"}), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := isUnmodifiedDefault(tc.entries, tc.ipv6); got != tc.want {
				t.Errorf("isUnmodifiedDefault = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBuildNetworkACLs checks which subnets get network_acl: the subnets of
// a custom ACL, those of an edited default ACL including the ones the input
// does not list under it, and none on an unmodified default.
func TestBuildNetworkACLs(t *testing.T) {
	edited := []NACLEntry{
		{Number: 90, Action: "deny", Protocol: "6", CIDR: "203.0.113.0/24", FromPort: 443, ToPort: 443, HasPorts: true},
		allowAll(100, false, "0.0.0.0/0"), allowAll(100, true, "0.0.0.0/0"),
		{Number: 32767, Action: "deny", Protocol: "-1", CIDR: "0.0.0.0/0"},
	}
	custom := &NetworkACL{Key: "acl-app", VPC: "v", Names: hint("app-nacl"), Subnets: []string{"b"}, Entries: []NACLEntry{
		{Number: 100, Action: "allow", Protocol: "6", CIDR: "10.0.0.0/24", FromPort: 80, ToPort: 80, HasPorts: true},
		{Number: 100, Egress: true, Action: "allow", Protocol: "6", CIDR: "10.0.0.0/24", FromPort: 1024, ToPort: 65535, HasPorts: true},
	}}

	t.Run("edited default", func(t *testing.T) {
		inv := albInventory("Zq8-literal-origin-secret-value", nil)
		// The default ACL lists subnet b, which the custom ACL claims, and
		// not subnet a, which uses it without an association in the input.
		inv.NetworkACLs = []*NetworkACL{{Key: "acl-default", VPC: "v", Default: true, Subnets: []string{"b"}, Entries: edited}, custom}
		s, text, loaded := buildAndLoad(t, inv)
		if _, err := sim.Check(loaded); err != nil {
			t.Fatalf("check failed: %v", err)
		}
		for _, want := range []string{
			"a: {cidr: 10.0.0.0/24, public: true, network_acl: acl-default}",
			"b: {cidr: 10.0.1.0/24, network_acl: app-nacl}",
			"whose rules were edited",
			"- {rule: 90, action: deny, protocol: tcp, ports: 443, cidr: 203.0.113.0/24}",
			"- {rule: 100, action: allow, protocol: tcp, ports: 80, cidr: 10.0.0.0/24}",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the scenario lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "32767") {
			t.Errorf("the scenario writes a * rule:\n%s", text)
		}
		if len(s.NetworkACLs) != 2 {
			t.Errorf("got %d network ACLs, want 2", len(s.NetworkACLs))
		}
	})

	t.Run("unmodified default", func(t *testing.T) {
		inv := albInventory("Zq8-literal-origin-secret-value", nil)
		inv.NetworkACLs = []*NetworkACL{{Key: "acl-default", VPC: "v", Default: true, Subnets: []string{"a", "b"}, Entries: append([]NACLEntry{allowAll(100, false, "0.0.0.0/0"), allowAll(100, true, "0.0.0.0/0")}, starRules()...)}, custom}
		s, text, _ := buildAndLoad(t, inv)
		if !strings.Contains(text, "a: {cidr: 10.0.0.0/24, public: true}") || !strings.Contains(text, "network_acl: app-nacl}") {
			t.Errorf("subnet a should stay on the default ACL and b use app-nacl:\n%s", text)
		}
		if len(s.NetworkACLs) != 1 || s.NetworkACLs[0].Name != "app-nacl" {
			t.Errorf("network ACLs = %v, want only app-nacl", s.NetworkACLs)
		}
	})

	t.Run("ACL of no imported subnet", func(t *testing.T) {
		inv := albInventory("Zq8-literal-origin-secret-value", nil)
		inv.NetworkACLs = []*NetworkACL{{Key: "acl-other", VPC: "v", Subnets: []string{"subnet-elsewhere"}, Entries: edited}}
		s, text, _ := buildAndLoad(t, inv)
		if len(s.NetworkACLs) != 0 || strings.Contains(text, "network_acl") {
			t.Errorf("an ACL without imported subnets is written:\n%s", text)
		}
	})
}
