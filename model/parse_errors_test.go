package model

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// baseScenario loads without errors. Each error case below edits it.
const baseScenario = `name: shop
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
      private-a: {cidr: 10.0.10.0/24}
  other:
    cidr: 10.1.0.0/16
    subnets:
      other-a: {cidr: 10.1.0.0/24}
prefix_lists:
  cloudfront:
    aws_managed: com.amazonaws.global.cloudfront.origin-facing
  office:
    max_entries: 5
    entries: [198.51.100.0/24]
security_groups:
  alb:
    vpc: main
    ingress:
      - {protocol: tcp, ports: 443, from: {prefix_list: cloudfront}}
    egress: aws-default
  app:
    vpc: main
    ingress:
      - {protocol: tcp, ports: 8080, from: {security_group: alb}}
    egress:
      - {protocol: tcp, ports: 5432, to: {security_group: db}}
  db:
    vpc: main
    ingress:
      - {protocol: tcp, ports: 5432, from: {security_group: app}}
    egress: none
  far:
    vpc: other
    egress: none
tiers:
  edge:
    kind: cloudfront
    waf:
      name: edge-acl
      default_action: allow
      rules:
        - {name: office, priority: 1, action: allow, source_cidrs: [198.51.100.0/24]}
    origins:
      - name: api
        tier: alb
        protocol_policy: https-only
        custom_headers:
          - {name: X-Origin-Verify, value: s3cret, secret: true}
  alb:
    kind: alb
    scheme: internet-facing
    subnets: [public-a]
    security_groups: [alb]
    listeners:
      - port: 443
        protocol: https
        rules:
          - priority: 10
            conditions:
              - http_header: {name: X-Origin-Verify, values: [s3cret]}
            action: {forward: {tier: app, port: 8080}}
        default_action: {fixed_response: 403}
  nlb:
    kind: nlb
    scheme: internal
    subnets: [private-a]
    listeners:
      - {port: 5000, protocol: udp, forward: {tier: app, port: 5000}}
  app:
    kind: ecs
    subnets: [private-a]
    security_groups: [app]
    connects_to:
      - {tier: db, port: 5432}
  db:
    kind: rds
    subnets: [private-a]
    security_groups: [db]
chain:
  - [edge]
  - [alb]
  - [app]
  - [db]
attackers:
  internet:
    kind: internet
    knows_secrets: [X-Origin-Verify]
  breached:
    kind: compromised
    tier: app
`

func TestBaseScenarioIsValid(t *testing.T) {
	s, ds := Parse("base.yaml", []byte(baseScenario))
	if len(ds) > 0 {
		t.Fatalf("base scenario has diagnostics:\n%s", render(ds))
	}
	checkResolved(t, s)
}

// position returns the line and column of the first occurrence of at in
// text: of the character after the marker » when at contains one, and of
// the first non-blank character otherwise.
func position(text, at string) (line, col int, ok bool) {
	search := strings.Replace(at, "»", "", 1)
	i := strings.Index(text, search)
	if i < 0 {
		return 0, 0, false
	}
	if m := strings.Index(at, "»"); m >= 0 {
		i += m
	} else {
		i += strings.IndexFunc(at, func(r rune) bool { return !unicode.IsSpace(r) })
	}
	before := text[:i]
	line = strings.Count(before, "\n") + 1
	col = utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
	return line, col, true
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // edit of baseScenario, old must occur in it
		summary  string
		path     string
		at       string // text whose first occurrence marks the position, after the edit
		detail   string // text the detail must contain
	}{
		// Keys.
		{"unknown top-level key", "attackers:", "attacker:", "Unknown key", "attacker", "attacker:", `Did you mean "attackers"?`},
		{"unknown subnet key", "public: true}", "publc: true}", "Unknown key", "vpcs.main.subnets.public-a.publc", "publc", `Did you mean "public"?`},
		{"unknown key lists valid keys", "    scheme: internet-facing", "    scheme: internet-facing\n    color: red", "Unknown key", "tiers.alb.color", "color", "Valid keys are kind, scheme"},
		{"duplicate key", "    scheme: internet-facing", "    scheme: internet-facing\n    scheme: internal", "Duplicate key", "tiers.alb.scheme", "scheme: internal", "already set on line 54"},
		{"duplicate tier name", "chain:\n", "  app: {kind: ec2}\nchain:\n", "Duplicate key", "tiers.app", "app: {kind: ec2}", "line 72"},
		{"duplicate subnet name across VPCs", "other-a: {", "public-a: {", "Duplicate name", "vpcs.other.subnets.public-a", "public-a: {cidr: 10.1", "unique across all VPCs"},
		{"invalid name", "  db:\n    kind: rds", "  my db:\n    kind: rds", "Invalid name", "tiers.my db", "my db:", "starting with a letter or digit"},
		{"missing key at parent key", "    scheme: internet-facing\n", "", "Missing key", "tiers.alb.scheme", "  alb:\n    kind: alb", "scheme: internal"},
		{"missing name at document", "name: shop\n", "", "Missing key", "name", "vpcs:", "name: checkout-api"},
		{"missing peer in list item", "{protocol: tcp, ports: 8080, from: {security_group: alb}}", "{protocol: tcp, ports: 8080}", "Missing key", "security_groups.app.ingress[0].from", "{protocol: tcp, ports: 8080}", "requires \"from\""},
		{"cross-kind key", "    kind: rds", "    kind: rds\n    connects_to: []", "Unknown key", "tiers.db.connects_to", "connects_to: []", "Only tiers of kind ecs, ec2, eks and lambda take it."},
		{"listeners on ecs", "    kind: ecs", "    kind: ecs\n    listeners: []", "Unknown key", "tiers.app.listeners", "listeners: []", "alb and nlb"},
		{"wrong rule direction key", "to: {security_group: db}", "from: {security_group: db}", "Unknown key", "security_groups.app.egress[0].from", "from: {security_group: db}", "belongs to ingress rules"},

		// Types.
		{"scalar for list", "subnets: [public-a]", "subnets: public-a", "Wrong type", "tiers.alb.subnets", "public-a\n    security_groups: [alb]", `got the string "public-a"`},
		{"list for mapping", "from: {prefix_list: cloudfront}", "from: [cloudfront]", "Wrong type", "security_groups.alb.ingress[0].from", "[cloudfront]", "got a list"},
		{"mapping for list", "  - [db]", "  - {db: 1}", "Wrong type", "chain[3]", "{db: 1}", "got a mapping"},
		{"yes for boolean", "public: true}", "public: yes}", "Wrong type", "vpcs.main.subnets.public-a.public", "yes}", "Write true or false"},
		{"empty value", "    scheme: internet-facing", "    scheme:", "Wrong type", "tiers.alb.scheme", "scheme:»\n    subnets: [public-a]", "got an empty value"},
		{"float for integer", "priority: 10", "priority: 10.5", "Wrong type", "tiers.alb.listeners[0].rules[0].priority", "10.5", "got the number 10.5"},
		{"integer too large", "priority: 10", "priority: 99999999999999999999", "Invalid value", "tiers.alb.listeners[0].rules[0].priority", "99999999999999999999", "out of range"},
		{"leading zero", "ports: 443", "ports: 0443", "Invalid port", "security_groups.alb.ingress[0].ports", "0443", "leading zero"},
		{"egress wrong type", "egress: aws-default", "egress: 5", "Wrong type", "security_groups.alb.egress", "egress: »5\n", `a list of rules, "aws-default" or "none", got the integer 5`},

		// CIDRs.
		{"host bits", "cidr: 10.0.0.0/16", "cidr: 10.0.1.0/16", "Invalid CIDR", "vpcs.main.cidr", "10.0.1.0/16", "Did you mean 10.0.0.0/16?"},
		{"host bits in peer", "from: {prefix_list: cloudfront}", "from: {cidr: 172.16.5.0/12}", "Invalid CIDR", "security_groups.alb.ingress[0].from.cidr", "172.16.5.0/12", "Did you mean 172.16.0.0/12?"},
		{"bare address", "from: {security_group: alb}", "from: {cidr: 10.0.0.5}", "Invalid CIDR", "security_groups.app.ingress[0].from.cidr", "10.0.0.5}", "Expected a CIDR such as 10.0.0.5/32"},
		{"not a CIDR", "from: {security_group: alb}", "from: {cidr: anywhere}", "Invalid CIDR", "security_groups.app.ingress[0].from.cidr", "anywhere", "is not a CIDR block"},
		{"IPv6 VPC block", "cidr: 10.0.0.0/16", "cidr: 2600:1f18::/56", "Invalid CIDR", "vpcs.main.cidr", "2600:1f18::/56", "Expected an IPv4 CIDR block"},
		{"IPv4 in ipv6_cidr", "cidr: 10.0.0.0/16", "cidr: 10.0.0.0/16\n    ipv6_cidr: 10.9.0.0/16", "Invalid CIDR", "vpcs.main.ipv6_cidr", "10.9.0.0/16", "Expected an IPv6 CIDR block"},
		{"VPC too large", "cidr: 10.0.0.0/16", "cidr: 10.0.0.0/8", "Invalid CIDR", "vpcs.main.cidr", "10.0.0.0/8", "from /16 to /28"},
		{"subnet outside VPC", "private-a: {cidr: 10.0.10.0/24}", "private-a: {cidr: 10.2.10.0/24}", "Subnet outside VPC", "vpcs.main.subnets.private-a.cidr", "10.2.10.0/24", "outside the block 10.0.0.0/16"},
		{"overlapping subnets", "private-a: {cidr: 10.0.10.0/24}", "private-a: {cidr: 10.0.0.128/25}", "Overlapping subnets", "vpcs.main.subnets.private-a.cidr", "10.0.0.128/25", "overlaps subnet public-a"},
		{"subnet IPv6 without VPC IPv6", "other-a: {cidr: 10.1.0.0/24}", "other-a: {cidr: 10.1.0.0/24, ipv6_cidr: \"2600:1f18:0:1::/64\"}", "Invalid value", "vpcs.other.subnets.other-a.ipv6_cidr", "\"2600:1f18:0:1::/64\"", "has no ipv6_cidr"},
		{"subnet IPv6 not /64", "    cidr: 10.0.0.0/16\n    subnets:\n      public-a: {cidr: 10.0.0.0/24,",
			"    cidr: 10.0.0.0/16\n    ipv6_cidr: 2600:1f18::/56\n    subnets:\n      public-a: {cidr: 10.0.0.0/24, ipv6_cidr: \"2600:1f18::/60\",",
			"Invalid CIDR", "vpcs.main.subnets.public-a.ipv6_cidr", `"2600:1f18::/60"`, "gives every subnet a /64"},

		// Ports and protocols.
		{"port range reversed", "ports: 8080", `ports: "80-22"`, "Invalid port", "security_groups.app.ingress[0].ports", `"80-22"`, "Did you mean 22-80?"},
		{"port out of range", "ports: 443", "ports: 70000", "Invalid port", "security_groups.alb.ingress[0].ports", "70000", "70000 is out of range"},
		{"port name", "ports: 443", "ports: https", "Invalid port", "security_groups.alb.ingress[0].ports", "https,", `"https" is not a port`},
		{"ports missing for tcp", "protocol: tcp, ports: 443, ", "protocol: tcp, ", "Missing key", "security_groups.alb.ingress[0].ports", "{protocol: tcp, from: {prefix_list", "ports: 443"},
		{"unknown protocol", "protocol: tcp, ports: 443", "protocol: tcpp, ports: 443", "Invalid protocol", "security_groups.alb.ingress[0].protocol", "tcpp", `Did you mean "tcp"?`},
		{"protocol number out of range", "protocol: tcp, ports: 443", "protocol: 300", "Invalid protocol", "security_groups.alb.ingress[0].protocol", "300", "out of range"},
		{"icmp with ports", "protocol: tcp, ports: 443", "protocol: icmp, ports: 443", "Unknown key", "security_groups.alb.ingress[0].ports", "ports: 443", "icmp_type and icmp_code"},
		{"icmp_type on tcp", "protocol: tcp, ports: 443", "protocol: tcp, ports: 443, icmp_type: 8", "Unknown key", "security_groups.alb.ingress[0].icmp_type", "icmp_type", "only to icmp and icmpv6"},
		{"icmp_code without type", "protocol: tcp, ports: 443", "protocol: icmp, icmp_code: 3", "Invalid value", "security_groups.alb.ingress[0].icmp_code", "3,", "icmp_type is all"},
		{"icmp_type out of range", "protocol: tcp, ports: 443", "protocol: icmpv6, icmp_type: 256", "Invalid value", "security_groups.alb.ingress[0].icmp_type", "256", "from 0 to 255"},
		{"listener port zero", "      - port: 443", "      - port: 0", "Invalid port", "tiers.alb.listeners[0].port", "0\n        protocol: https", "from 1 to 65535"},
		{"ALB listener protocol", "protocol: https", "protocol: tcp", "Invalid protocol", "tiers.alb.listeners[0].protocol", "tcp\n        rules", "Use http or https."},
		{"connection protocol", "{tier: db, port: 5432}", "{tier: db, protocol: icmp, port: 5432}", "Invalid protocol", "tiers.app.connects_to[0].protocol", "icmp, port: 5432", "Use tcp or udp."},

		// Security-group references.
		{"unknown security group", "from: {security_group: alb}", "from: {security_group: albb}", "Unknown reference", "security_groups.app.ingress[0].from.security_group", "albb", `Did you mean "alb"?`},
		{"group from another VPC in a rule", "from: {security_group: alb}", "from: {security_group: far}", "VPC mismatch", "security_groups.app.ingress[0].from.security_group", "far}}", "Security group far is in VPC other"},
		{"group from another VPC in a tier", "security_groups: [app]", "security_groups: [app, far]", "VPC mismatch", "tiers.app.security_groups[1]", "far]", "the tier's subnets are in VPC main"},
		{"two peers", "from: {prefix_list: cloudfront}", "from: {prefix_list: cloudfront, cidr: 10.0.0.0/8}", "Conflicting keys", "security_groups.alb.ingress[0].from.cidr", "cidr: 10.0.0.0/8", "exactly one of cidr, security_group, prefix_list or self"},
		{"no peer key", "from: {prefix_list: cloudfront}", "from: {}", "Missing key", "security_groups.alb.ingress[0].from", "from: {}", "exactly one of"},
		{"self false", "from: {security_group: alb}", "from: {self: false}", "Invalid value", "security_groups.app.ingress[0].from.self", "false", "self: false names no peer"},
		{"unknown prefix list", "from: {prefix_list: cloudfront}", "from: {prefix_list: cloudfrnt}", "Unknown reference", "security_groups.alb.ingress[0].from.prefix_list", "cloudfrnt", `Did you mean "cloudfront"?`},
		{"unknown VPC", "vpc: other", "vpc: otter", "Unknown reference", "security_groups.far.vpc", "otter", `Did you mean "other"?`},
		{"group VPC missing", "  alb:\n    vpc: main\n", "  alb:\n", "Missing key", "security_groups.alb.vpc", "  alb:\n    ingress", "2 VPCs (main and other)"},
		{"egress missing", "    egress: none\n  far:", "  far:", "Missing key", "security_groups.db.egress", "  db:\n    vpc", "egress: aws-default"},
		{"egress unknown word", "egress: aws-default", "egress: default", "Invalid value", "security_groups.alb.egress", "default\n", "Use aws-default or none."},
		{"too many groups", "security_groups: [alb]", "security_groups: [alb, alb, alb, alb, alb, alb]", "Invalid value", "tiers.alb.security_groups", "[alb, alb", "at most 5"},
		{"group listed twice", "security_groups: [alb]", "security_groups: [alb, alb]", "Duplicate reference", "tiers.alb.security_groups[1]", "alb]\n", "already listed"},

		// Prefix lists.
		{"unknown AWS-managed list", "origin-facing", "origin-facng", "Invalid value", "prefix_lists.cloudfront.aws_managed", "com.amazonaws", `Did you mean "com.amazonaws.global.cloudfront.origin-facing"?`},
		{"max_entries on AWS-managed list", "aws_managed: com.amazonaws.global.cloudfront.origin-facing", "aws_managed: com.amazonaws.global.cloudfront.origin-facing\n    max_entries: 5", "Unknown key", "prefix_lists.cloudfront.max_entries", "max_entries: 5\n  office", "customer-managed"},
		{"AWS-managed family mismatch", "aws_managed: com.amazonaws.global.cloudfront.origin-facing", "aws_managed: com.amazonaws.global.cloudfront.origin-facing\n    family: ipv6", "Invalid value", "prefix_lists.cloudfront.family", "ipv6", "an IPv4 list"},
		{"max_entries below entries", "max_entries: 5\n    entries: [198.51.100.0/24]", "max_entries: 1\n    entries: [198.51.100.0/24, 203.0.113.0/24]", "Invalid value", "prefix_lists.office.max_entries", "1\n    entries", "the list has 2 entries"},
		{"max_entries missing", "    max_entries: 5\n", "", "Missing key", "prefix_lists.office.max_entries", "  office:", "max_entries: 10"},
		{"max_entries too large", "max_entries: 5", "max_entries: 1001", "Invalid value", "prefix_lists.office.max_entries", "1001", "from 1 to 1000"},
		{"mixed families", "entries: [198.51.100.0/24]", `entries: [198.51.100.0/24, "2001:db8::/32"]`, "Invalid CIDR", "prefix_lists.office.entries[1]", `"2001:db8::/32"`, "holds IPv4 blocks"},
		{"family missing without entries", "    entries: [198.51.100.0/24]\n", "", "Missing key", "prefix_lists.office.family", "  office:", "family: ipv4"},
		{"duplicate entry", "entries: [198.51.100.0/24]", "entries: [198.51.100.0/24, 198.51.100.0/24]", "Duplicate value", "prefix_lists.office.entries[1]", "198.51.100.0/24]", "already listed"},

		// Tiers.
		{"unknown kind", "kind: rds", "kind: aurora", "Invalid value", "tiers.db.kind", "aurora", "Use cloudfront, alb, nlb, ecs, ec2, eks, lambda, rds, elasticache, interface_endpoint or aws_service."},
		{"lambda public IP", "    kind: ecs", "    kind: lambda\n    public_ip: true", "Invalid value", "tiers.app.public_ip", "true\n    subnets", "never has a public IP address"},
		{"unknown subnet", "subnets: [public-a]", "subnets: [public-b]", "Unknown reference", "tiers.alb.subnets[0]", "public-b", `Did you mean "public-a"?`},
		{"subnets in two VPCs", "subnets: [public-a]", "subnets: [public-a, other-a]", "VPC mismatch", "tiers.alb.subnets[1]", "other-a]", "must be in one VPC"},
		{"empty subnets", "subnets: [public-a]", "subnets: []", "Invalid value", "tiers.alb.subnets", "[]", "Name at least one subnet"},
		{"private IP outside subnet", "    security_groups: [db]", "    security_groups: [db]\n    private_ip: 10.0.0.50", "Invalid value", "tiers.db.private_ip", "10.0.0.50", "outside the tier's first subnet private-a"},
		{"private IP reserved", "    security_groups: [db]", "    security_groups: [db]\n    private_ip: 10.0.10.3", "Invalid value", "tiers.db.private_ip", "10.0.10.3", "AWS reserves the first four addresses"},
		{"private IP twice", "      - {tier: db, port: 5432}\n  db:\n    kind: rds\n    subnets: [private-a]\n    security_groups: [db]",
			"      - {tier: db, port: 5432}\n    private_ip: 10.0.10.10\n  db:\n    kind: rds\n    subnets: [private-a]\n    security_groups: [db]\n    private_ip: 10.0.10.10",
			"Duplicate value", "tiers.db.private_ip", "rds\n    subnets: [private-a]\n    security_groups: [db]\n    private_ip: »10.0.10.10", "already the private_ip of tier app"},
		{"private IP as CIDR", "    security_groups: [db]", "    security_groups: [db]\n    private_ip: 10.0.10.20/32", "Invalid value", "tiers.db.private_ip", "10.0.10.20/32", "without a prefix length"},
		{"connection to CloudFront", "{tier: db, port: 5432}", "{tier: edge, port: 443}", "Invalid reference", "tiers.app.connects_to[0].tier", "edge, port: 443", "kind cloudfront"},

		// Load balancers.
		{"fixed response out of range", "fixed_response: 403", "fixed_response: 700", "Invalid value", "tiers.alb.listeners[0].default_action.fixed_response", "700", "from 200 to 599"},
		{"fixed response redirect", "fixed_response: 403", "fixed_response: 301", "Invalid value", "tiers.alb.listeners[0].default_action.fixed_response", "301", "2XX, 4XX or 5XX"},
		{"fixed response string", "fixed_response: 403", `fixed_response: "403"`, "Wrong type", "tiers.alb.listeners[0].default_action.fixed_response", `"403"`, "got the string"},
		{"action with two kinds", "default_action: {fixed_response: 403}", "default_action: {fixed_response: 403, forward: {tier: app, port: 8080}}", "Conflicting keys", "tiers.alb.listeners[0].default_action.forward", "403, »forward: {tier: app, port: 8080}}", "takes exactly one of forward or fixed_response"},
		{"default action missing", "        default_action: {fixed_response: 403}\n", "", "Missing key", "tiers.alb.listeners[0].default_action", "port: 443\n        protocol", "default_action: {fixed_response: 404}"},
		{"NLB preserve_client_ip false for UDP", "forward: {tier: app, port: 5000}", "forward: {tier: app, port: 5000, preserve_client_ip: false}", "Invalid value", "tiers.nlb.listeners[0].forward.preserve_client_ip", "false}", "does not allow turning it off"},
		{"NLB forward list", "forward: {tier: app, port: 5000}", "forward: [{tier: app, port: 5000}]", "Wrong type", "tiers.nlb.listeners[0].forward", "[{tier: app", "forwards to a single target group"},
		{"NLB rules", "{port: 5000, protocol: udp,", "{port: 5000, rules: [], protocol: udp,", "Unknown key", "tiers.nlb.listeners[0].rules", "rules: []", "An NLB listener has no rules."},
		{"preserve_client_ip on ALB", "action: {forward: {tier: app, port: 8080}}", "action: {forward: {tier: app, port: 8080, preserve_client_ip: true}}", "Unknown key", "tiers.alb.listeners[0].rules[0].action.forward.preserve_client_ip", "preserve_client_ip", "setting of NLB target groups"},
		{"ALB target of wrong kind", "action: {forward: {tier: app,", "action: {forward: {tier: db,", "Invalid reference", "tiers.alb.listeners[0].rules[0].action.forward.tier", "db, port: 8080", "an ALB target must be a tier of kind ecs, ec2, eks or lambda"},
		{"ALB behind UDP listener", "forward: {tier: app, port: 5000}", "forward: {tier: alb, port: 443}", "Invalid value", "tiers.nlb.listeners[0].forward", "{tier: alb, port: 443}", "only from TCP listeners"},
		{"ALB target port not a listener", "{port: 5000, protocol: udp, forward: {tier: app, port: 5000}}", "{port: 5000, protocol: tcp, forward: {tier: alb, port: 444}}", "Invalid port", "tiers.nlb.listeners[0].forward.port", "444", "no listener on port 444"},
		{"target type alb for ecs", "forward: {tier: app, port: 5000}", "forward: {tier: app, port: 5000, target_type: alb}", "Invalid value", "tiers.nlb.listeners[0].forward.target_type", "port: 5000, target_type: »alb}", "tier app is of kind ecs"},
		{"target type on ALB", "action: {forward: {tier: app, port: 8080}}", "action: {forward: {tier: app, port: 8080, target_type: alb}}", "Invalid value", "tiers.alb.listeners[0].rules[0].action.forward.target_type", "target_type: »alb}}", "Use ip or instance."},
		{"source_ip twice", "              - http_header: {name: X-Origin-Verify, values: [s3cret]}", "              - source_ip: [192.0.2.0/24]\n              - source_ip: [198.51.100.0/24]", "Duplicate condition", "tiers.alb.listeners[0].rules[0].conditions[1]", "source_ip: [198.51", "at most one"},
		{"too many header values", "values: [s3cret]", "values: [a, b, c, d]", "Invalid value", "tiers.alb.listeners[0].rules[0].conditions[0].http_header.values", "[a, b, c, d]", "at most 3"},
		{"too many source CIDRs", "              - http_header: {name: X-Origin-Verify, values: [s3cret]}", "              - source_ip: [10.0.0.0/8, 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16, 10.4.0.0/16, 10.5.0.0/16]", "Invalid value", "tiers.alb.listeners[0].rules[0].conditions[0].source_ip", "[10.0.0.0/8", "at most 5"},
		{"empty conditions", "            conditions:\n              - http_header: {name: X-Origin-Verify, values: [s3cret]}", "            conditions: []", "Invalid value", "tiers.alb.listeners[0].rules[0].conditions", "[]", "at least one condition"},
		{"rule priority zero", "priority: 10", "priority: 0", "Invalid value", "tiers.alb.listeners[0].rules[0].priority", "0\n", "from 1 to 50000"},
		{"duplicate rule priority", "          - priority: 10", "          - {priority: 10, conditions: [{source_ip: [192.0.2.0/24]}], action: {fixed_response: 404}}\n          - priority: 10", "Duplicate value", "tiers.alb.listeners[0].rules[1].priority", "10\n", "already used"},
		{"duplicate listener port", "      - {port: 5000,", "      - {port: 5000, protocol: tcp, forward: {tier: app, port: 5000}}\n      - {port: 5000,", "Duplicate value", "tiers.nlb.listeners[1].port", "5000, protocol: udp", "already used"},
		{"no listeners", "      - {port: 5000, protocol: udp, forward: {tier: app, port: 5000}}", "        []", "Invalid value", "tiers.nlb.listeners", "\n        []", "at least one listener"},
		{"scheme typo", "scheme: internal", "scheme: intern", "Invalid value", "tiers.nlb.scheme", "intern\n", `Did you mean "internal"?`},

		// CloudFront.
		{"origin of wrong kind", "        tier: alb", "        tier: db", "Invalid reference", "tiers.edge.origins[0].tier", "db\n        protocol_policy", "an origin must be a tier of kind alb, nlb, ec2, ecs or eks"},
		{"origin port", "protocol_policy: https-only", "protocol_policy: https-only\n        http_port: 8", "Invalid port", "tiers.edge.origins[0].http_port", "8\n", "80, 443 or 1024-65535"},
		{"origin protocol policy", "protocol_policy: https-only", "protocol_policy: https", "Invalid value", "tiers.edge.origins[0].protocol_policy", "https\n", `Did you mean "https-only"?`},
		{"duplicate origin name", "    origins:\n", "    origins:\n      - {name: api, tier: alb, protocol_policy: http-only}\n", "Duplicate name", "tiers.edge.origins[1].name", "api\n", "must be unique within a distribution"},
		{"bad header name", "{name: X-Origin-Verify, value: s3cret, secret: true}", "{name: X Origin, value: s3cret, secret: true}", "Invalid value", "tiers.edge.origins[0].custom_headers[0].name", "X Origin", "not a valid header name"},
		{"WAF rule with two matches", "source_cidrs: [198.51.100.0/24]}", "source_cidrs: [198.51.100.0/24], header: {name: X-A, values: [b]}}", "Conflicting keys", "tiers.edge.waf.rules[0].header", "header: {name", "exactly one of source_cidrs or header"},
		{"WAF rule without match", ", source_cidrs: [198.51.100.0/24]}", "}", "Missing key", "tiers.edge.waf.rules[0]", "{name: office", "exactly one of source_cidrs or header"},
		{"WAF default action", "default_action: allow", "default_action: deny", "Invalid value", "tiers.edge.waf.default_action", "deny", "Use allow or block."},

		// Chain.
		{"unknown tier in chain", "  - [db]", "  - [dbb]", "Unknown reference", "chain[3][0]", "dbb", `Did you mean "db"?`},
		{"tier in two stages", "  - [db]", "  - [db, app]", "Duplicate reference", "chain[3][1]", "app]\nattackers", "already in stage chain[2]"},
		{"empty stage", "  - [db]", "  - []", "Invalid value", "chain[3]", "[]\nattackers", "Stage 3 is empty"},
		{"one stage", "chain:\n  - [edge]\n  - [alb]\n  - [app]\n  - [db]", "chain:\n  - [edge, alb, app, db]", "Invalid value", "chain", "- [edge, alb", "The chain has 1 stage, but it needs at least 2"},
		{"empty chain", "chain:\n  - [edge]\n  - [alb]\n  - [app]\n  - [db]", "chain: []", "Invalid value", "chain", "[]\nattackers", "The chain has 0 stages"},

		// Attackers.
		{"attacker at unknown tier", "    tier: app\n", "    tier: nope\n", "Unknown reference", "attackers.breached.tier", "nope", "No tier named \"nope\""},
		{"attacker at load balancer", "    tier: app\n", "    tier: alb\n", "Invalid reference", "attackers.breached.tier", "compromised\n    tier: »alb\n", "must be a tier of kind ecs, ec2, eks, lambda, rds or elasticache"},
		{"attacker kind unknown", "kind: compromised", "kind: insider", "Invalid value", "attackers.breached.kind", "insider", "Use internet, cloudfront-distribution, compromised or address-range."},
		{"attacker secret unknown", "knows_secrets: [X-Origin-Verify]", "knows_secrets: [X-Origin-Verfy]", "Unknown reference", "attackers.internet.knows_secrets[0]", "X-Origin-Verfy", `Did you mean "X-Origin-Verify"?`},
		{"attacker key of other kind", "    tier: app\n", "    tier: app\n    own_distribution: true\n", "Unknown key", "attackers.breached.own_distribution", "own_distribution", "Only attackers of kind internet take it."},
		{"address range without cidrs", "kind: compromised\n    tier: app", "kind: address-range", "Missing key", "attackers.breached.cidrs", "  breached:", "cidrs: [10.50.0.0/16]"},
		{"attackers empty", "attackers:\n  internet:\n    kind: internet\n    knows_secrets: [X-Origin-Verify]\n  breached:\n    kind: compromised\n    tier: app\n", "attackers: {}\n", "Invalid value", "attackers", "{}", "remove attackers to check against the default internet attacker"},
		{"scenario name empty", "name: shop", `name: ""`, "Invalid value", "name", `""`, "The scenario name is empty."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(baseScenario, tt.old) {
				t.Fatalf("base scenario does not contain %q", tt.old)
			}
			text := strings.Replace(baseScenario, tt.old, tt.new, 1)
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
			if tt.at != "" {
				line, col, ok := position(text, tt.at)
				if !ok {
					t.Fatalf("edited text does not contain %q", tt.at)
				}
				if found.Pos.Line != line || found.Pos.Column != col {
					t.Errorf("position = %d:%d, want %d:%d (%q)", found.Pos.Line, found.Pos.Column, line, col, tt.at)
				}
			}
		})
	}
}

// TestParseInputErrors covers input that fails before the schema applies.
func TestParseInputErrors(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f"} {
		bomb += name + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", ") + "]\n"
		prev = name
	}

	tests := []struct {
		name      string
		input     string
		summary   string
		line, col int
	}{
		{"empty", "", "Empty file", 1, 1},
		{"only comments", "# nothing\n\n", "Empty file", 1, 1},
		{"list document", "- a\n- b\n", "Wrong type", 1, 1},
		{"scalar document", "hello\n", "Wrong type", 1, 1},
		{"two documents", "name: a\n---\nname: b\n", "Multiple documents", 2, 1},
		{"unclosed flow list", "name: x\ntiers: [a, b\nchain: []\n", "Invalid YAML", 2, 1},
		{"bad indentation", "name: x\nvpcs:\n  a: 1\n b: 2\n", "Invalid YAML", 4, 1},
		{"tab indentation", "name: x\nvpcs:\n\tmain: {}\n", "Invalid YAML", 3, 1},
		{"unknown alias", "name: *nope\n", "Invalid YAML", 1, 7},
		{"recursive alias", "name: x\nvpcs: &v {a: *v}\n", "Recursive alias", 2, 14},
		{"alias bomb", bomb, "Alias expansion too large", 6, 8},
		{"deep nesting", "name: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n", "Nesting too deep", 1, 70},
		{"invalid UTF-8", "name: caf\xe9\n", "Invalid encoding", 1, 10},
		{"NUL byte", "name: x\nvpcs:\x00\n", "Invalid character", 2, 6},
		{"control character", "name: x\x07\n", "Invalid character", 1, 8},
		{"UTF-16", "\xff\xfen\x00a\x00", "Invalid encoding", 1, 1},
		{"escaped control character", "name: \"a\\x01b\"\n", "Invalid value", 1, 7},
		// Found by FuzzParse: at the end of the input the YAML library reports
		// the line after the last one.
		{"unclosed flow mapping at end of input", " !000000000000000000 {", "Invalid YAML", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ds := Parse("in.yaml", []byte(tt.input))
			if s == nil {
				t.Fatal("Parse returned a nil scenario")
			}
			var found *Diagnostic
			for i := range ds {
				if ds[i].Summary == tt.summary {
					found = &ds[i]
				}
			}
			if found == nil {
				t.Fatalf("no %q diagnostic; got:\n%s", tt.summary, render(ds))
			}
			if found.Pos.Line != tt.line || found.Pos.Column != tt.col {
				t.Errorf("position = %d:%d, want %d:%d", found.Pos.Line, found.Pos.Column, tt.line, tt.col)
			}
			if found.Detail == "" {
				t.Errorf("diagnostic has no detail")
			}
		})
	}
}

func TestParseLargeInput(t *testing.T) {
	data := make([]byte, MaxFileSize+1)
	for i := range data {
		data[i] = ' '
	}
	_, ds := Parse("big.yaml", data)
	if len(ds) != 1 || ds[0].Summary != "File too large" {
		t.Fatalf("diagnostics = %v", render(ds))
	}
}

// TestParseReportsAllErrors checks that one run reports problems from every
// section rather than stopping at the first.
func TestParseReportsAllErrors(t *testing.T) {
	text := baseScenario
	for _, edit := range [][2]string{
		{"cidr: 10.0.0.0/16", "cidr: 10.0.0.1/16"},
		{"ports: 443", "ports: 70000"},
		{"scheme: internal", "scheme: public"},
		{"  - [db]", "  - [dbb]"},
		{"    tier: app\n", "    tier: nope\n"},
	} {
		text = strings.Replace(text, edit[0], edit[1], 1)
	}
	_, ds := Parse("many.yaml", []byte(text))
	want := []string{"vpcs.main.cidr", "security_groups.alb.ingress[0].ports", "tiers.nlb.scheme", "chain[3][0]", "attackers.breached.tier"}
	for _, path := range want {
		found := false
		for _, d := range ds {
			found = found || d.Path == path
		}
		if !found {
			t.Errorf("no diagnostic at %s; got:\n%s", path, render(ds))
		}
	}
	for i := 1; i < len(ds); i++ {
		if ds[i].Pos.Line < ds[i-1].Pos.Line {
			t.Errorf("diagnostics are not sorted:\n%s", render(ds))
			break
		}
	}
}
