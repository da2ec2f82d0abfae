package model

import (
	"net/netip"
	"strings"
	"testing"
)

// naclScenario loads without errors. The error cases below edit it.
const naclScenario = `name: nacl
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: "2600:1f18:1234:5600::/56"
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true, network_acl: public-nacl}
      app-a: {cidr: 10.0.10.0/24, network_acl: app-nacl}
      db-a: {cidr: 10.0.20.0/24}
  other:
    cidr: 10.1.0.0/16
    subnets:
      other-a: {cidr: 10.1.0.0/24, network_acl: other-nacl}
network_acls:
  public-nacl:
    vpc: main
    ingress:
      - {rule: 120, action: deny, protocol: all, cidr: 203.0.113.0/24}
      - {rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 0.0.0.0/0}
      - {rule: 110, action: allow, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0, description: replies}
      - {rule: 130, action: allow, protocol: icmp, icmp_type: 3, icmp_code: 4, cidr: 0.0.0.0/0}
      - {rule: 140, action: allow, protocol: icmpv6, icmp_type: 2, cidr: "::/0"}
      - {rule: 150, action: allow, protocol: icmp, icmp_type: 8, cidr: 10.0.0.0/16}
    egress:
      - {rule: 100, action: allow, protocol: -1, cidr: 0.0.0.0/0}
  app-nacl:
    vpc: main
    ingress:
      - {rule: 200, action: allow, protocol: 50, cidr: 10.0.0.0/16}
      - {rule: 100, action: allow, protocol: 6, ports: 8080, cidr: 10.0.0.0/24}
      - {rule: 32766, action: deny, protocol: udp, ports: all, cidr: "2600:1f18:1234:5600::/56"}
  other-nacl:
    vpc: other
security_groups:
  alb: {vpc: main, egress: aws-default}
  app: {vpc: main, egress: aws-default}
  db: {vpc: main, egress: none}
  far: {vpc: other, egress: none}
tiers:
  alb:
    kind: alb
    scheme: internet-facing
    subnets: [public-a]
    security_groups: [alb]
    listeners:
      - {port: 443, protocol: https, default_action: {forward: {tier: app, port: 8080}}}
  app:
    kind: ecs
    subnets: [app-a]
    security_groups: [app]
    connects_to:
      - {tier: db, port: 5432}
  db:
    kind: rds
    subnets: [db-a]
    security_groups: [db]
chain: [alb, app, db]
`

func findNetworkACL(t *testing.T, s *Scenario, name string) *NetworkACL {
	t.Helper()
	for _, x := range s.NetworkACLs {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no network ACL %q", name)
	return nil
}

func findSubnet(t *testing.T, s *Scenario, name string) *Subnet {
	t.Helper()
	for _, vpc := range s.VPCs {
		for _, sub := range vpc.Subnets {
			if sub.Name == name {
				return sub
			}
		}
	}
	t.Fatalf("no subnet %q", name)
	return nil
}

func TestNetworkACLScenarioIsValid(t *testing.T) {
	s, ds := Parse("nacl.yaml", []byte(naclScenario))
	if len(ds) > 0 {
		t.Fatalf("NACL scenario has diagnostics:\n%s", render(ds))
	}
	checkResolved(t, s)
	if got := mapNames(s.NetworkACLs, func(x *NetworkACL) string { return x.Name }); strings.Join(got, " ") != "public-nacl app-nacl other-nacl" {
		t.Errorf("NetworkACLs = %v, want file order", got)
	}
}

func TestNetworkACLRules(t *testing.T) {
	s := loadValid(t, "nacl.yaml", naclScenario)
	acl := findNetworkACL(t, s, "public-nacl")

	if acl.VPC == nil || acl.VPC.Name != "main" {
		t.Errorf("VPC = %v, want main", acl.VPC)
	}
	if acl.Pos.Line != 15 || acl.Pos.Column != 3 {
		t.Errorf("Pos = %+v, want 15:3 (its key)", acl.Pos)
	}

	tests := []struct {
		number   int
		allow    bool
		protocol Protocol
		ports    PortRange
		cidr     string
		path     string
		line     int
	}{
		{100, true, TCP, PortRange{443, 443}, "0.0.0.0/0", "network_acls.public-nacl.ingress[1]", 19},
		{110, true, TCP, PortRange{1024, 65535}, "0.0.0.0/0", "network_acls.public-nacl.ingress[2]", 20},
		{120, false, AllProtocols, AllPorts, "203.0.113.0/24", "network_acls.public-nacl.ingress[0]", 18},
		// Type 3 code 4 is encoded as 3*256+4.
		{130, true, ICMP, PortRange{772, 772}, "0.0.0.0/0", "network_acls.public-nacl.ingress[3]", 21},
		// Type 2 with every code is 2*256 to 2*256+255.
		{140, true, ICMPv6, PortRange{512, 767}, "::/0", "network_acls.public-nacl.ingress[4]", 22},
		{150, true, ICMP, PortRange{2048, 2303}, "10.0.0.0/16", "network_acls.public-nacl.ingress[5]", 23},
	}
	if len(acl.Ingress) != len(tests) {
		t.Fatalf("Ingress has %d rules, want %d", len(acl.Ingress), len(tests))
	}
	for i, tt := range tests {
		r := acl.Ingress[i]
		if r.Number != tt.number {
			t.Errorf("Ingress[%d].Number = %d, want %d", i, r.Number, tt.number)
		}
		if r.Allow != tt.allow {
			t.Errorf("rule %d Allow = %v, want %v", tt.number, r.Allow, tt.allow)
		}
		if r.Protocol != tt.protocol {
			t.Errorf("rule %d Protocol = %v, want %v", tt.number, r.Protocol, tt.protocol)
		}
		if r.Ports != tt.ports {
			t.Errorf("rule %d Ports = %v, want %v", tt.number, r.Ports, tt.ports)
		}
		if r.CIDR != netip.MustParsePrefix(tt.cidr) {
			t.Errorf("rule %d CIDR = %v, want %s", tt.number, r.CIDR, tt.cidr)
		}
		if r.Path != tt.path {
			t.Errorf("rule %d Path = %q, want %q", tt.number, r.Path, tt.path)
		}
		if r.Pos.Line != tt.line || r.Pos.Column != 9 {
			t.Errorf("rule %d Pos = %d:%d, want %d:9 (the list item)", tt.number, r.Pos.Line, r.Pos.Column, tt.line)
		}
		if r.ACL != acl || r.Direction != Ingress {
			t.Errorf("rule %d ACL = %p, Direction = %v, want %p and ingress", tt.number, r.ACL, r.Direction, acl)
		}
	}

	if len(acl.Egress) != 1 {
		t.Fatalf("Egress has %d rules, want 1", len(acl.Egress))
	}
	out := acl.Egress[0]
	if out.Direction != Egress || out.Protocol != AllProtocols || !out.Ports.IsAll() || out.Path != "network_acls.public-nacl.egress[0]" {
		t.Errorf("egress rule = %+v", out)
	}
}

func TestNetworkACLProtocolNumbers(t *testing.T) {
	s := loadValid(t, "nacl.yaml", naclScenario)
	acl := findNetworkACL(t, s, "app-nacl")
	if len(acl.Ingress) != 3 {
		t.Fatalf("Ingress has %d rules, want 3", len(acl.Ingress))
	}

	tcp, esp, udp := acl.Ingress[0], acl.Ingress[1], acl.Ingress[2]
	if tcp.Number != 100 || tcp.Protocol != TCP || tcp.Ports != (PortRange{8080, 8080}) {
		t.Errorf("rule 100 = %d %v %v, want protocol 6 stored as tcp on 8080", tcp.Number, tcp.Protocol, tcp.Ports)
	}
	if esp.Number != 200 || esp.Protocol != Protocol(50) || !esp.Ports.IsAll() {
		t.Errorf("rule 200 = %d %v %v, want protocol 50 on every port", esp.Number, esp.Protocol, esp.Ports)
	}
	if udp.Number != 32766 || udp.Allow || udp.CIDR.Addr().Is4() || !udp.Ports.IsAll() {
		t.Errorf("rule 32766 = %+v, want an IPv6 deny on every UDP port", udp)
	}
	if acl.Egress != nil {
		t.Errorf("Egress = %v, want nil for an absent list", acl.Egress)
	}
}

func TestNetworkACLDefaultVPC(t *testing.T) {
	text := `name: one-vpc
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      app-a: {cidr: 10.0.10.0/24, network_acl: app}
network_acls:
  app:
    ingress: []
security_groups:
  app: {egress: none}
tiers:
  a: {kind: ec2, subnets: [app-a], security_groups: [app]}
  b: {kind: ec2, subnets: [app-a], security_groups: [app]}
chain: [a, b]
`
	s := loadValid(t, "one-vpc.yaml", text)
	acl := findNetworkACL(t, s, "app")
	if acl.VPC != s.VPCs[0] {
		t.Errorf("VPC = %v, want the only VPC", acl.VPC)
	}
	if acl.Ingress == nil || len(acl.Ingress) != 0 || acl.Egress != nil {
		t.Errorf("Ingress = %v, Egress = %v, want empty and nil", acl.Ingress, acl.Egress)
	}
	if findSubnet(t, s, "app-a").NetworkACL != acl {
		t.Errorf("subnet app-a does not use network ACL app")
	}
}

func TestSubnetNetworkACL(t *testing.T) {
	s := loadValid(t, "nacl.yaml", naclScenario)
	tests := []struct {
		subnet, acl string
	}{
		{"public-a", "public-nacl"},
		{"app-a", "app-nacl"},
		{"db-a", ""},
		{"other-a", "other-nacl"},
	}
	for _, tt := range tests {
		got := findSubnet(t, s, tt.subnet).NetworkACL
		switch {
		case tt.acl == "" && got != nil:
			t.Errorf("subnet %s NetworkACL = %s, want nil for the default network ACL", tt.subnet, got.Name)
		case tt.acl != "" && got != findNetworkACL(t, s, tt.acl):
			t.Errorf("subnet %s NetworkACL = %v, want %s", tt.subnet, got, tt.acl)
		}
	}
}

func TestEphemeralPortsDefaults(t *testing.T) {
	tests := []struct {
		kind Kind
		tier string // the tier x of that kind, in flow style
		want PortRange
	}{
		{KindCloudFront, "{kind: cloudfront, origins: [{name: o, tier: peer, protocol_policy: http-only}]}", PortRange{}},
		{KindALB, "{kind: alb, scheme: internal, subnets: [app-a], security_groups: [app], listeners: [{port: 80, protocol: http, default_action: {fixed_response: 404}}]}", PortRange{1024, 65535}},
		{KindNLB, "{kind: nlb, scheme: internal, subnets: [app-a], listeners: [{port: 80, protocol: tcp, forward: {tier: peer, port: 80}}]}", PortRange{1024, 65535}},
		{KindLambda, "{kind: lambda, subnets: [app-a], security_groups: [app]}", PortRange{1024, 65535}},
		{KindECS, "{kind: ecs, subnets: [app-a], security_groups: [app]}", PortRange{32768, 60999}},
		{KindEC2, "{kind: ec2, subnets: [app-a], security_groups: [app]}", PortRange{32768, 60999}},
		{KindEKS, "{kind: eks, subnets: [app-a], security_groups: [app]}", PortRange{32768, 60999}},
		{KindRDS, "{kind: rds, subnets: [app-a], security_groups: [app]}", PortRange{32768, 60999}},
		{KindElastiCache, "{kind: elasticache, subnets: [app-a], security_groups: [app]}", PortRange{32768, 60999}},
		// Neither opens connections, so neither has a source-port range.
		{KindInterfaceEndpoint, "{kind: interface_endpoint, subnets: [app-a], security_groups: [app]}", PortRange{}},
		{KindAWSService, "{kind: aws_service, prefix_list: s3}", PortRange{}},
	}
	if len(tests) != len(Kinds) {
		t.Fatalf("the table covers %d kinds, want all %d", len(tests), len(Kinds))
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			text := `name: kinds
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      app-a: {cidr: 10.0.10.0/24}
prefix_lists:
  s3: {aws_managed: com.amazonaws.us-east-1.s3}
security_groups:
  app: {egress: none}
tiers:
  x: ` + tt.tier + `
  peer: {kind: ec2, subnets: [app-a], security_groups: [app]}
  other: {kind: ec2, subnets: [app-a], security_groups: [app]}
chain: [peer, other]
`
			s := loadValid(t, string(tt.kind), text)
			x := findTier(t, s, "x")
			if x.Kind != tt.kind {
				t.Fatalf("Kind = %s, want %s", x.Kind, tt.kind)
			}
			if x.EphemeralPorts != tt.want {
				t.Errorf("EphemeralPorts = %v, want %v", x.EphemeralPorts, tt.want)
			}
		})
	}
}

func TestEphemeralPortsOverride(t *testing.T) {
	tests := []struct {
		name, value string
		want        PortRange
	}{
		{"range", "49152-65535", PortRange{49152, 65535}},
		{"quoted range", `"1024-65535"`, PortRange{1024, 65535}},
		{"spaced range", `"32768 - 61000"`, PortRange{32768, 61000}},
		{"single port", "40000", PortRange{40000, 40000}},
		{"quoted single port", `"1"`, PortRange{1, 1}},
		{"whole range", "1-65535", PortRange{1, 65535}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(naclScenario, "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: "+tt.value+"\n", 1)
			s := loadValid(t, tt.name, text)
			if got := findTier(t, s, "db").EphemeralPorts; got != tt.want {
				t.Errorf("EphemeralPorts = %v, want %v", got, tt.want)
			}
			if got := findTier(t, s, "app").EphemeralPorts; got != linuxEphemeralPorts {
				t.Errorf("app EphemeralPorts = %v, want the ecs default", got)
			}
		})
	}
}

func TestNetworkACLErrors(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // edit of naclScenario, old must occur in it
		summary  string
		path     string
		at       string // text whose first occurrence marks the position, after the edit
		detail   string // text the detail must contain
	}{
		// The network ACL.
		{"unknown ACL key", "  other-nacl:\n    vpc: other", "  other-nacl:\n    vpc: other\n    description: x", "Unknown key", "network_acls.other-nacl.description", "description: x", "Valid keys are vpc, ingress and egress."},
		{"ACL VPC missing", "  other-nacl:\n    vpc: other\n", "  other-nacl: {}\n", "Missing key", "network_acls.other-nacl.vpc", "other-nacl: {}", "2 VPCs (main and other)"},
		{"ACL empty value", "  other-nacl:\n    vpc: other\n", "  other-nacl:\n", "Wrong type", "network_acls.other-nacl", "other-nacl:»\nsecurity", "got an empty value"},
		{"ACL unknown VPC", "    vpc: other\nsecurity", "    vpc: otter\nsecurity", "Unknown reference", "network_acls.other-nacl.vpc", "otter", `Did you mean "other"?`},
		{"ACL not a mapping", "  other-nacl:\n    vpc: other\n", "  other-nacl: [other]\n", "Wrong type", "network_acls.other-nacl", "[other]", "a network ACL as a mapping"},
		{"section not a mapping", "network_acls:\n  public-nacl:", "network_acls: []\nunused:\n  public-nacl:", "Wrong type", "network_acls", "[]\nunused", "a mapping from network ACL names"},
		{"duplicate ACL name", "  other-nacl:\n    vpc: other\n", "  other-nacl:\n    vpc: other\n  app-nacl: {vpc: main}\n", "Duplicate key", "network_acls.app-nacl", "app-nacl: {vpc", "already set on line"},
		{"invalid ACL name", "  other-nacl:\n    vpc: other\n", "  other-nacl:\n    vpc: other\n  -bad: {vpc: other}\n", "Invalid name", "network_acls.-bad", "-bad", "not a valid network ACL name"},
		{"ingress not a list", "  other-nacl:\n    vpc: other\n", "  other-nacl:\n    vpc: other\n    ingress: allow\n", "Wrong type", "network_acls.other-nacl.ingress", "allow\n", "Expected a list of ingress rules"},
		{"egress not a list", "  other-nacl:\n    vpc: other\n", "  other-nacl:\n    vpc: other\n    egress: {rule: 1}\n", "Wrong type", "network_acls.other-nacl.egress", "{rule: 1}", "Expected a list of egress rules"},

		// Rule numbers.
		{"rule missing", "{rule: 120, action: deny,", "{action: deny,", "Missing key", "network_acls.public-nacl.ingress[0].rule", "{action: deny", "rule: 100"},
		{"rule zero", "{rule: 120,", "{rule: 0,", "Invalid value", "network_acls.public-nacl.ingress[0].rule", "0, action: deny", "from 1 to 32766"},
		{"rule 32767", "{rule: 120,", "{rule: 32767,", "Invalid value", "network_acls.public-nacl.ingress[0].rule", "32767", "32767 (IPv4) and 32768 (IPv6) for the * rules"},
		{"rule 32768", "{rule: 120,", "{rule: 32768,", "Invalid value", "network_acls.public-nacl.ingress[0].rule", "32768", "AWS adds them itself"},
		{"rule not an integer", "{rule: 120,", "{rule: first,", "Wrong type", "network_acls.public-nacl.ingress[0].rule", "first", `got the string "first"`},
		{"rule float", "{rule: 120,", "{rule: 1.5,", "Wrong type", "network_acls.public-nacl.ingress[0].rule", "1.5", "got the number 1.5"},
		{"duplicate rule number", "{rule: 110,", "{rule: 100,", "Duplicate value", "network_acls.public-nacl.ingress[2].rule", "100, action: allow, protocol: tcp, ports: 1024", "already used by the ingress rule on line 19"},

		// Actions.
		{"action missing", "{rule: 120, action: deny,", "{rule: 120,", "Missing key", "network_acls.public-nacl.ingress[0].action", "{rule: 120", "action: allow"},
		{"action unknown", "action: deny,", "action: block,", "Invalid value", "network_acls.public-nacl.ingress[0].action", "block", "Use allow or deny."},
		{"action capitalised", "action: deny,", "action: Deny,", "Invalid value", "network_acls.public-nacl.ingress[0].action", "Deny", `Did you mean "deny"?`},
		{"action boolean", "action: deny,", "action: true,", "Invalid value", "network_acls.public-nacl.ingress[0].action", "action: »true,", `"true" is not a valid rule action. Use allow or deny.`},

		// Protocols and ports.
		{"protocol missing", "action: deny, protocol: all,", "action: deny,", "Missing key", "network_acls.public-nacl.ingress[0].protocol", "{rule: 120", "protocol: tcp"},
		{"protocol unknown", "protocol: all, cidr: 203", "protocol: alll, cidr: 203", "Invalid protocol", "network_acls.public-nacl.ingress[0].protocol", "alll", `Did you mean "all"?`},
		{"protocol out of range", "protocol: all, cidr: 203", "protocol: 256, cidr: 203", "Invalid protocol", "network_acls.public-nacl.ingress[0].protocol", "256", "out of range"},
		{"ports missing for tcp", "protocol: tcp, ports: 443,", "protocol: tcp,", "Missing key", "network_acls.public-nacl.ingress[1].ports", "{rule: 100, action: allow, protocol: tcp, cidr", "ports: 443"},
		{"ports out of range", "ports: 443,", "ports: 65536,", "Invalid port", "network_acls.public-nacl.ingress[1].ports", "65536", "out of range"},
		{"ports reversed", "ports: 1024-65535,", "ports: 65535-1024,", "Invalid port", "network_acls.public-nacl.ingress[2].ports", "65535-1024", "Did you mean 1024-65535?"},
		{"ports on icmp", "protocol: icmp, icmp_type: 3,", "protocol: icmp, ports: 3,", "Unknown key", "network_acls.public-nacl.ingress[3].ports", "ports: 3", "icmp rules have no ports"},
		{"icmp_type on tcp", "ports: 443,", "ports: 443, icmp_type: 8,", "Unknown key", "network_acls.public-nacl.ingress[1].icmp_type", "icmp_type: 8", "only to icmp and icmpv6"},
		{"icmp_type out of range", "icmp_type: 3,", "icmp_type: 300,", "Invalid value", "network_acls.public-nacl.ingress[3].icmp_type", "300", "from 0 to 255"},
		{"icmp_code without type", "icmp_type: 3, icmp_code: 4,", "icmp_code: 4,", "Invalid value", "network_acls.public-nacl.ingress[3].icmp_code", "4, cidr", "icmp_type is all"},

		// CIDRs and peers.
		{"cidr missing", "protocol: all, cidr: 203.0.113.0/24}", "protocol: all}", "Missing key", "network_acls.public-nacl.ingress[0].cidr", "{rule: 120", "cidr: 0.0.0.0/0"},
		{"cidr host bits", "cidr: 203.0.113.0/24", "cidr: 203.0.113.7/24", "Invalid CIDR", "network_acls.public-nacl.ingress[0].cidr", "203.0.113.7/24", "Did you mean 203.0.113.0/24?"},
		{"cidr bare address", "cidr: 203.0.113.0/24", "cidr: 203.0.113.7", "Invalid CIDR", "network_acls.public-nacl.ingress[0].cidr", "203.0.113.7}", "203.0.113.7/32"},
		{"from on a rule", "cidr: 203.0.113.0/24}", "from: {cidr: 203.0.113.0/24}}", "Unknown key", "network_acls.public-nacl.ingress[0].from", "from: {cidr", "Network ACL rules take only CIDRs, as AWS does."},
		{"to on a rule", "protocol: -1, cidr: 0.0.0.0/0}", "protocol: -1, to: {cidr: 0.0.0.0/0}}", "Unknown key", "network_acls.public-nacl.egress[0].to", "to: {cidr", "Network ACL rules take only CIDRs"},
		{"security_group on a rule", "cidr: 203.0.113.0/24}", "cidr: 203.0.113.0/24, security_group: alb}", "Unknown key", "network_acls.public-nacl.ingress[0].security_group", "security_group: alb", "cannot match a security group"},
		{"prefix_list on a rule", "cidr: 203.0.113.0/24}", "cidr: 203.0.113.0/24, prefix_list: office}", "Unknown key", "network_acls.public-nacl.ingress[0].prefix_list", "prefix_list: office", "cannot name a prefix list"},
		{"unknown rule key", "cidr: 203.0.113.0/24}", "cidr: 203.0.113.0/24, acton: deny}", "Unknown key", "network_acls.public-nacl.ingress[0].acton", "acton", `Did you mean "action"?`},
		{"description not text", "description: replies}", "description: [replies]}", "Wrong type", "network_acls.public-nacl.ingress[2].description", "[replies]", "a description as a string"},
		{"rule not a mapping", "      - {rule: 120, action: deny, protocol: all, cidr: 203.0.113.0/24}", "      - 120", "Wrong type", "network_acls.public-nacl.ingress[0]", "120\n", "a network ACL rule as a mapping"},

		// Subnet references.
		{"unknown ACL", "network_acl: app-nacl}", "network_acl: app-nac}", "Unknown reference", "vpcs.main.subnets.app-a.network_acl", "app-nac}", `Did you mean "app-nacl"? Defined network ACLs are public-nacl, app-nacl and other-nacl.`},
		{"ACL of another VPC", "network_acl: app-nacl}", "network_acl: other-nacl}", "VPC mismatch", "vpcs.main.subnets.app-a.network_acl", "other-nacl}", "Network ACL other-nacl is in VPC other, but subnet app-a is in VPC main."},
		{"ACL reference not a string", "network_acl: app-nacl}", "network_acl: [app-nacl]}", "Wrong type", "vpcs.main.subnets.app-a.network_acl", "[app-nacl]", "the name of a network ACL"},
		{"no ACLs defined", "network_acls:\n  public-nacl:", "unused:\n  public-nacl:", "Unknown reference", "vpcs.main.subnets.public-a.network_acl", "public-nacl}", "The scenario defines no network ACLs."},

		// Ephemeral ports.
		{"ephemeral port zero", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: 0-1023\n", "Invalid port", "tiers.db.ephemeral_ports", "0-1023", "from 1 to 65535"},
		{"ephemeral single zero", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: 0\n", "Invalid port", "tiers.db.ephemeral_ports", "ephemeral_ports: »0", "0 is out of range"},
		{"ephemeral too large", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: 32768-65536\n", "Invalid port", "tiers.db.ephemeral_ports", "32768-65536", "65536 is out of range"},
		{"ephemeral reversed", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: 60999-32768\n", "Invalid port", "tiers.db.ephemeral_ports", "60999-32768", "Did you mean 32768-60999?"},
		{"ephemeral all", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: all\n", "Invalid port", "tiers.db.ephemeral_ports", "ephemeral_ports: »all", "rather than all"},
		{"ephemeral word", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: linux\n", "Invalid port", "tiers.db.ephemeral_ports", "linux", `"linux" is not a port`},
		{"ephemeral not a range", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: 1024-high\n", "Invalid port", "tiers.db.ephemeral_ports", "1024-high", "is not a port range"},
		{"ephemeral list", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: [1024, 65535]\n", "Wrong type", "tiers.db.ephemeral_ports", "[1024, 65535]", `Expected a port range such as "32768-60999"`},
		{"ephemeral leading zero", "    security_groups: [db]\n", "    security_groups: [db]\n    ephemeral_ports: 01024\n", "Invalid port", "tiers.db.ephemeral_ports", "01024", "leading zero"},
		{"ephemeral on CloudFront", "  alb:\n    kind: alb\n", "  edge:\n    kind: cloudfront\n    ephemeral_ports: 1024-65535\n    origins: [{name: alb, tier: alb, protocol_policy: https-only}]\n  alb:\n    kind: alb\n", "Unknown key", "tiers.edge.ephemeral_ports", "ephemeral_ports: 1024", "Only tiers of kind alb, nlb, ecs, ec2, eks, lambda, rds and elasticache take it."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(naclScenario, tt.old) {
				t.Fatalf("NACL scenario does not contain %q", tt.old)
			}
			text := strings.Replace(naclScenario, tt.old, tt.new, 1)
			s, ds := Parse("case.yaml", []byte(text))
			if s == nil {
				t.Fatal("Parse returned a nil scenario")
			}
			for _, d := range ds {
				if d.Summary == "" || !d.Pos.IsValid() || d.Pos.File != "case.yaml" {
					t.Errorf("malformed diagnostic %+v", d)
				}
			}

			var found *Diagnostic
			for i, d := range ds {
				if d.Summary == tt.summary && d.Path == tt.path {
					found = &ds[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("no %q diagnostic at %s; got:\n%s", tt.summary, tt.path, render(ds))
			}
			if found.Severity != Error {
				t.Errorf("severity = %v, want error", found.Severity)
			}
			if !strings.Contains(found.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", found.Detail, tt.detail)
			}
			line, col, ok := position(text, tt.at)
			if !ok {
				t.Fatalf("edited text does not contain %q", tt.at)
			}
			if found.Pos.Line != line || found.Pos.Column != col {
				t.Errorf("position = %d:%d, want %d:%d (%q)", found.Pos.Line, found.Pos.Column, line, col, tt.at)
			}
		})
	}
}

// TestNetworkACLPortsIgnored checks that ports on a rule for a protocol
// without ports draws the same warning as on a security-group rule.
func TestNetworkACLPortsIgnored(t *testing.T) {
	text := strings.Replace(naclScenario, "protocol: all, cidr: 203", "protocol: all, ports: 80, cidr: 203", 1)
	s, ds := Parse("w.yaml", []byte(text))
	if ds.HasErrors() {
		t.Fatalf("errors:\n%s", render(ds))
	}
	if len(ds) != 1 || ds[0].Summary != "Ports ignored" || ds[0].Path != "network_acls.public-nacl.ingress[0].ports" {
		t.Fatalf("diagnostics = %s, want one Ports ignored warning", render(ds))
	}
	if r := findNetworkACL(t, s, "public-nacl").Ingress[2]; r.Number != 120 || !r.Ports.IsAll() {
		t.Errorf("rule %d Ports = %v, want all", r.Number, r.Ports)
	}
}

// checkNetworkACLsResolved fails t when a scenario that loaded without
// errors holds a network ACL, subnet association or ephemeral port range
// that the simulator cannot use as it is.
func checkNetworkACLsResolved(t testing.TB, s *Scenario) {
	t.Helper()
	for _, acl := range s.NetworkACLs {
		if acl.VPC == nil {
			t.Errorf("network ACL %s has no VPC", acl.Name)
		}
		for _, dir := range []Direction{Ingress, Egress} {
			rules := acl.Ingress
			if dir == Egress {
				rules = acl.Egress
			}
			for i, r := range rules {
				if r == nil || r.ACL != acl || r.Direction != dir {
					t.Errorf("network ACL %s has an unresolved %s rule", acl.Name, dir)
					continue
				}
				if r.Number < minNACLRuleNumber || r.Number > maxNACLRuleNumber || !r.CIDR.IsValid() || r.Ports.From > r.Ports.To {
					t.Errorf("%s is incomplete: %+v", r.Path, r)
				}
				if i > 0 && rules[i-1] != nil && rules[i-1].Number >= r.Number {
					t.Errorf("%s rules of network ACL %s are not in ascending order: %d before %d", dir, acl.Name, rules[i-1].Number, r.Number)
				}
			}
		}
	}
	for _, vpc := range s.VPCs {
		for _, sub := range vpc.Subnets {
			if acl := sub.NetworkACL; acl != nil && acl.VPC != vpc {
				t.Errorf("subnet %s in VPC %s uses network ACL %s of another VPC", sub.Name, vpc.Name, acl.Name)
			}
		}
	}
	for _, x := range s.Tiers {
		r := x.EphemeralPorts
		switch {
		case opensNone(x.Kind) && r != (PortRange{}):
			t.Errorf("%s tier %s has ephemeral ports %v", x.Kind, x.Name, r)
		case !opensNone(x.Kind) && (r.From < 1 || r.From > r.To || r.To > maxPort):
			t.Errorf("tier %s has the ephemeral port range %v", x.Name, r)
		}
	}
}

// TestNetworkACLPeerKeyOnly checks that a rule that names its peer with a
// security-group rule's key draws only the "Unknown key" error, not a second
// one for the missing cidr.
func TestNetworkACLPeerKeyOnly(t *testing.T) {
	text := strings.Replace(naclScenario, "cidr: 203.0.113.0/24}", "from: {cidr: 203.0.113.0/24}}", 1)
	_, ds := Parse("peer.yaml", []byte(text))
	if len(ds) != 1 {
		t.Fatalf("diagnostics = %s, want one Unknown key", render(ds))
	}
	if ds[0].Summary != "Unknown key" || ds[0].Path != "network_acls.public-nacl.ingress[0].from" {
		t.Errorf("diagnostic = %s, want Unknown key at network_acls.public-nacl.ingress[0].from", ds[0])
	}
}

// opensNone reports whether tiers of kind k open no connections of their own
// from an interface in the VPC, so that they have no source-port range.
func opensNone(k Kind) bool {
	return k == KindCloudFront || k == KindInterfaceEndpoint || k == KindAWSService
}
