package importer

import (
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

func hint(v string) []NameHint { return []NameHint{{RankNameTag, v}} }

func ptr[T any](v T) *T { return &v }

func rule(proto string, from, to int, kind PeerKind, peer string) *Rule {
	return &Rule{Protocol: proto, FromPort: from, ToPort: to, PortsKnown: true, PeerKind: kind, Peer: peer}
}

// messyInventory holds one of nearly everything the builder maps to a
// closest construct, leaves out, or replaces with a stand-in.
func messyInventory() *Inventory {
	inv := &Inventory{Source: "test", Inputs: []string{"in.json"}, RouteTablesKnown: false}

	// The VPC's block is missing, and one subnet lies in a secondary block.
	inv.VPCs = []*VPC{{Key: "vpc-1", Names: hint("true")}}
	inv.Subnets = []*Subnet{
		{Key: "s-pub", VPC: "vpc-1", CIDR: "10.0.0.0/24", Names: hint("public a")},
		{Key: "s-app", VPC: "vpc-1", CIDR: "10.0.1.0/24", Names: hint("123")},
		{Key: "s-db", VPC: "vpc-1", CIDR: "10.0.2.0/24", Names: hint("123")},
		{Key: "s-far", VPC: "vpc-1", CIDR: "100.64.0.0/24"},
	}

	inv.PrefixLists = []*PrefixList{
		{Key: "pl-cf", AWSName: "com.amazonaws.global.cloudfront.origin-facing", Family: "ipv4"},
		{Key: "pl-other", AWSName: "com.amazonaws.us-east-1.ec2-instance-connect", Family: "ipv4", EntriesKnown: true, Entries: []string{"18.206.107.24/29"}},
	}

	inv.SecurityGroups = []*SecurityGroup{
		{Key: "sg-lb", VPC: "vpc-1", Names: hint("lb"), Ingress: []*Rule{
			rule("tcp", 443, 443, PeerPrefixList, "pl-cf"),
			rule("tcp", 80, 80, PeerPrefixList, "pl-missing"),
			rule("50", -1, -1, PeerCIDR, "203.0.113.7/32"),
			rule("icmp", 3, 4, PeerCIDR, "0.0.0.0/0"),
			rule("tcp", 22, 22, PeerPrefixList, "pl-other"),
		}, Egress: []*Rule{rule("-1", 0, 0, PeerCIDR, "0.0.0.0/0")}},
		{Key: "sg-app", VPC: "vpc-1", Names: hint("app"), Ingress: []*Rule{
			rule("tcp", 0, 65535, PeerGroup, "sg-lb"),
			rule("tcp", 8080, 8080, PeerGroup, "sg-gone"),
			rule("tcp", 5000, 5000, PeerCIDR, "10.0.1.5/16"),
			rule("tcp", 9000, 9000, PeerSelf, "sg-app"),
		}, Egress: []*Rule{rule("-1", 0, 0, PeerGroup, "sg-db")}},
		{Key: "sg-db", VPC: "vpc-1", Names: hint("db"), Ingress: []*Rule{rule("-1", 0, 0, PeerGroup, "sg-app"), rule("tcp", 5432, 5432, PeerCIDR, "192.168.0.0/16")}, EgressMode: EgressAWSDefault},
		{Key: "sg-x1", VPC: "vpc-1"}, {Key: "sg-x2", VPC: "vpc-1"}, {Key: "sg-x3", VPC: "vpc-1"}, {Key: "sg-x4", VPC: "vpc-1"}, {Key: "sg-x5", VPC: "vpc-1"},
		{Key: "sg-bad", VPC: "vpc-1", Ingress: []*Rule{rule("quic", 1, 1, PeerCIDR, "0.0.0.0/0"), rule("tcp", 1, 1, PeerCIDR, "not-a-cidr")}},
	}

	inv.Workloads = []*Workload{
		{Key: "eni-app-1", Kind: model.KindECS, Subnets: []string{"s-app"}, Groups: []string{"sg-app"}, PrivateIPs: []string{"10.0.1.20"}, Identity: "svc", Names: []NameHint{{RankService, "app"}}},
		{Key: "eni-app-2", Kind: model.KindECS, Subnets: []string{"s-app"}, Groups: []string{"sg-app"}, PrivateIPs: []string{"10.0.1.21"}, Identity: "svc"},
		{Key: "eni-web", Kind: model.KindEC2, Subnets: []string{"s-pub"}, Groups: []string{"sg-app", "sg-bad"}, PublicIP: true, PublicAddrs: []string{"198.51.100.77", "web.example.com"}, InstanceID: "i-1"},
		{Key: "db-1", Kind: model.KindRDS, Subnets: []string{"s-db", "s-missing"}, Groups: []string{"sg-db"}, Port: 5432},
		{Key: "fn", Kind: model.KindLambda, Subnets: []string{"s-app"}, PublicIP: true},
		{Key: "many", Kind: model.KindEC2, Subnets: []string{"s-app"}, Groups: []string{"sg-app", "sg-x1", "sg-x2", "sg-x3", "sg-x4", "sg-x5"}},
		{Key: "far", Kind: model.KindEC2, Subnets: []string{"s-far"}, Groups: []string{"sg-app"}},
		{Key: "nowhere", Kind: model.KindEC2},
	}

	inv.TargetGroups = []*TargetGroup{
		{Key: "tg-app", Port: 8080, TargetType: "ip", MembersKnown: true, Members: []Member{{IP: "10.0.1.20"}, {IP: "10.9.9.9"}}},
		{Key: "tg-web", Port: 80, TargetType: "instance", Members: []Member{{InstanceID: "i-1"}}, HealthCheckPort: 8081},
		{Key: "tg-inferred", Port: 9000, TargetType: "ip"},
		{Key: "tg-empty", Port: 7000, TargetType: "ip"},
		{Key: "tg-alb", Port: 443, TargetType: "alb", Members: []Member{{LB: "alb"}}},
		{Key: "tg-udp", Port: 7777, TargetType: "ip", PreserveClientIP: ptr(false), Members: []Member{{IP: "10.0.1.21"}}},
		{Key: "tg-db", Port: 5432, TargetType: "ip", Members: []Member{{Workload: "db-1"}}},
	}

	inv.LoadBalancers = []*LoadBalancer{
		{Key: "alb", Type: "application", Scheme: "internet-facing", Subnets: []string{"s-pub"}, Groups: []string{"sg-lb"}, DNSName: "alb.example.com", Names: hint("front door!"),
			Listeners: []*Listener{
				{Key: "l443", Port: 443, Protocol: "HTTPS", Default: []*Action{{Type: "authenticate-oidc"}, {Type: "forward", TargetGroups: []string{"tg-empty"}}},
					Rules: []*ListenerRule{
						{Priority: 1, Conditions: []*Condition{{Field: "path-pattern"}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg-app"}}}},
						{Priority: 2, Conditions: []*Condition{{Field: "host-header"}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg-web"}}}},
						{Priority: 3, Conditions: []*Condition{{Field: "path-pattern"}}, Actions: []*Action{{Type: "fixed-response", Status: 200}}},
						{Priority: 4, Conditions: []*Condition{{Field: "http-header", HeaderName: "X-Env", Values: []Value{{Text: "a"}, {Text: "b"}, {Text: "c"}, {Text: "d"}}}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg-missing"}}}},
						{Priority: 5, Conditions: []*Condition{{Field: "source-ip", SourceIPs: []string{"10.1.0.0/16", "bad"}}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg-inferred"}}}},
						{Priority: 6, Conditions: []*Condition{{Field: "http-header", HeaderName: "bad name"}}, Actions: []*Action{{Type: "fixed-response", Status: 302}}},
						{Priority: 0, Actions: []*Action{{Type: "fixed-response", Status: 403}}},
					}},
				{Key: "l80", Port: 80, Protocol: "HTTP", Default: []*Action{{Type: "redirect", Redirect: "to https"}}},
				{Key: "l80b", Port: 80, Protocol: "HTTP", Default: []*Action{{Type: "fixed-response", Status: 404}}},
				{Key: "lquic", Port: 444, Protocol: "QUIC"},
			}},
		{Key: "nlb", Type: "network", Scheme: "internet-facing", Subnets: []string{"s-pub"}, GroupsKnown: true, Names: hint("front door!"),
			Listeners: []*Listener{
				{Key: "n443", Port: 443, Protocol: "TCP", Default: []*Action{{Type: "forward", TargetGroups: []string{"tg-alb"}}}},
				{Key: "n7777", Port: 7777, Protocol: "UDP", Default: []*Action{{Type: "forward", TargetGroups: []string{"tg-udp"}}}},
				{Key: "n5432", Port: 5432, Protocol: "TCP", Default: []*Action{{Type: "forward", TargetGroups: []string{"tg-db"}}}},
			}},
		{Key: "gwlb", Type: "gateway", Subnets: []string{"s-pub"}},
	}

	inv.WebACLs = []*WebACL{{Key: "acl", Name: "edge acl", DefaultAction: "block", ManagedGroups: []string{"AWSManagedRulesCommonRuleSet"},
		Rules: []*WAFRule{{Name: "debug", Priority: 1, Action: "block", HeaderName: "X-Debug", HeaderValues: []string{"on"}}}, Unsupported: []string{"geo (priority 2, GeoMatchStatement)"}}}

	inv.Distributions = []*Distribution{{Key: "E1", Names: []NameHint{{RankService, "edge"}}, WebACL: "acl", Origins: []*Origin{
		{ID: "alb origin", DomainName: "dualstack.ALB.example.com.", Custom: true, ProtocolPolicy: "match-viewer", HTTPPort: 80, HTTPSPort: 443,
			Headers: []*Header{{Name: "X-Secret", Value: Value{Text: "hunter2-origin-secret"}}, {Name: "x-secret", Value: Value{Text: "again"}}, {Name: "bad header", Value: Value{Text: "x"}}}},
		{ID: "web", DomainName: "web.example.com", Custom: true, ProtocolPolicy: "weird", HTTPPort: 81},
		{ID: "assets", DomainName: "assets.s3.amazonaws.com"},
		{ID: "vpc", VPCOrigin: true},
		{ID: "unknown", DomainName: "api.example.org", Custom: true, ProtocolPolicy: "https-only"},
		{ID: "db", Workload: "db-1", Custom: true, ProtocolPolicy: "https-only"},
	}}}
	return inv
}

func buildAndLoad(t *testing.T, inv *Inventory) (*Scenario, string, *model.Scenario) {
	t.Helper()
	s, err := Build(inv, Options{Name: "messy"})
	if err != nil {
		t.Fatalf("Build failed: %v", err)
	}
	text := string(s.YAML())
	loaded, diags := model.Parse("messy.yaml", []byte(text))
	if len(diags) > 0 {
		t.Fatalf("the built scenario has diagnostics:\n%v\n%s", diags, text)
	}
	return s, text, loaded
}

func TestBuildMessyInventoryLoads(t *testing.T) {
	_, text, loaded := buildAndLoad(t, messyInventory())
	if _, err := sim.Check(loaded); err != nil {
		t.Fatalf("check failed: %v", err)
	}
	for _, want := range []string{
		"Stand-in: security group sg-app refers to security group sg-gone",
		"security_groups: []",                          // the NLB has none
		"default_action: {fixed_response: 404}",        // the redirect
		"action: {fixed_response: 503}",                // a forward to a target group not in the input
		`source_ip: [0.0.0.0/0, "::/0"]`,               // a forward rule whose conditions were all dropped
		"PROPOSED: security group sg-app admits sg-lb", // an inferred target
		"forward: {tier: front-door, port: 443}",       // the NLB forwards to the ALB
		"{protocol: 50, from: {cidr: 203.0.113.7/32}}",
		"icmp_type: 3, icmp_code: 4",
		"cidr: 10.0.0.0/16", // host bits removed
		"aws_managed: com.amazonaws.global.cloudfront.origin-facing",
		"max_entries: 1",        // the unknown and the stand-in lists
		"default_action: allow", // block with rules that could not be imported
		"kind: address-range",   // 192.168.0.0/16 lies outside the VPC
		"  lambda:\n",           // named after its kind, not after the default group
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the scenario lacks %q:\n%s", want, text)
		}
	}
	body := text[strings.Index(text, "\nname:"):]
	for _, unwanted := range []string{"hunter2-origin-secret", "s-far", "gwlb", "quic"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("the scenario contains %q", unwanted)
		}
	}
}

func TestBuildWarnsAboutEveryDrop(t *testing.T) {
	s, _, _ := buildAndLoad(t, messyInventory())
	var all strings.Builder
	for _, w := range s.Warnings {
		all.WriteString(w.String() + "\n")
	}
	for _, want := range []string{
		"lies outside the VPC's primary block",
		"subnet s-missing, which is not in the input",
		"nowhere has no subnet in the input",
		"has 6 security groups",
		"Gateway Load Balancer",
		"protocol \"QUIC\"",
		"second listener on port 80",
		"authenticates users first",
		"also tests path-pattern",
		"also tests host-header",
		"responds without forwarding and tests path-pattern",
		"against 4 values",
		"target group tg-missing, which is not in the input",
		"10.9.9.9",
		"is an S3 origin",
		"CloudFront VPC origin",
		"api.example.org, which matches no imported load balancer",
		"tier db of kind rds",
		"protocol policy \"weird\"",
		"the port 81",
		"with protocol \"quic\"",
		"the peer \"not-a-cidr\"",
		"has host bits set",
		"the AWS-managed list com.amazonaws.us-east-1.ec2-instance-connect",
		"prefix list pl-missing, which is not in the input",
		"no route tables",
	} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no warning mentions %q; warnings:\n%s", want, all.String())
		}
	}
}

// albInventory is CloudFront with a header secret in front of an ALB with
// the given rules on its 443 listener, whose default is a 403, in front of
// an ECS tier.
func albInventory(secret string, rules []*ListenerRule) *Inventory {
	return &Inventory{
		Source: "test", RouteTablesKnown: true,
		VPCs:           []*VPC{{Key: "v", CIDR: "10.0.0.0/16"}},
		Subnets:        []*Subnet{{Key: "a", VPC: "v", CIDR: "10.0.0.0/24"}, {Key: "b", VPC: "v", CIDR: "10.0.1.0/24"}},
		RouteTables:    []*RouteTable{{Key: "rt", VPC: "v", Subnets: []string{"a"}, Routes: []*Route{{Destination: "0.0.0.0/0", Target: TargetInternetGateway, TargetKey: "igw-1"}}}},
		SecurityGroups: []*SecurityGroup{{Key: "lb", VPC: "v", Names: hint("lb"), Ingress: []*Rule{rule("tcp", 443, 443, PeerPrefixList, "com.amazonaws.global.cloudfront.origin-facing")}, Egress: []*Rule{rule("tcp", 80, 80, PeerGroup, "app")}}, {Key: "app", VPC: "v", Names: hint("app"), Ingress: []*Rule{rule("tcp", 80, 80, PeerGroup, "lb")}}},
		Workloads:      []*Workload{{Key: "w", Kind: model.KindECS, Subnets: []string{"b"}, Groups: []string{"app"}, PrivateIPs: []string{"10.0.1.9"}}},
		TargetGroups:   []*TargetGroup{{Key: "tg", Port: 80, Members: []Member{{IP: "10.0.1.9"}}}},
		LoadBalancers: []*LoadBalancer{{Key: "lb", Type: "application", Subnets: []string{"a"}, Groups: []string{"lb"}, DNSName: "lb.example.com",
			Listeners: []*Listener{{Key: "l", Port: 443, Protocol: "HTTPS", Default: []*Action{{Type: "fixed-response", Status: 403}}, Rules: rules}}}},
		Distributions: []*Distribution{{Key: "d", Names: hint("edge"), Origins: []*Origin{{ID: "o", DomainName: "lb.example.com", Custom: true, ProtocolPolicy: "https-only",
			Headers: []*Header{{Name: "X-Origin-Verify", Value: Value{Text: secret}}}}}}},
	}

}

// TestBuildSecretsNeverWritten checks that literal header values, on the
// CloudFront origin and in ALB conditions that test them exactly, in other
// case or through a wildcard, are replaced by one reference.
func TestBuildSecretsNeverWritten(t *testing.T) {
	const secret = "Zq8-literal-origin-secret-value"
	inv := albInventory(secret, []*ListenerRule{
		{Priority: 1, Conditions: []*Condition{{Field: "http-header", HeaderName: "X-Origin-Verify", Values: []Value{{Text: strings.ToUpper(secret)}}}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg"}}}},
		{Priority: 2, Conditions: []*Condition{{Field: "http-header", HeaderName: "X-Origin-Verify", Values: []Value{{Text: "Zq8-literal*"}}}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg"}}}},
		{Priority: 3, Conditions: []*Condition{{Field: "http-header", HeaderName: "X-Api-Key", Values: []Value{{Text: "other-key-value"}}}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg"}}}},
		{Priority: 4, Conditions: []*Condition{{Field: "http-header", HeaderName: "X-Tenant", Values: []Value{{Text: "public-value"}, {Text: "*"}}}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg"}}}},
	})

	_, text, loaded := buildAndLoad(t, inv)
	for _, leak := range []string{secret, strings.ToUpper(secret), "Zq8-literal*", "other-key-value"} {
		if strings.Contains(text, leak) {
			t.Errorf("the scenario contains %q", leak)
		}
	}
	// The wildcard rule becomes the exact rule once both compare with the
	// reference, so the two merge into one.
	ref := SecretRefPrefix + "edge/o/X-Origin-Verify"
	if n := strings.Count(text, `"`+ref+`"`); n != 2 {
		t.Errorf("the reference %s appears %d times, want 2 (origin and rule):\n%s", ref, n, text)
	}
	if !strings.Contains(text, "also forwards as rule priority 2 did") {
		t.Errorf("the wildcard rule was not merged into the exact one:\n%s", text)
	}

	for _, public := range []string{`"public-value"`, `"*"`} {
		if !strings.Contains(text, public) {
			t.Errorf("the scenario lacks the non-secret value %s", public)
		}
	}

	r, err := sim.Check(loaded)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range r.Hops {
		if h.Verdict != sim.Holds {
			t.Errorf("hop %s -> %s is %s, want holds: the references must match each other", h.From, h.To, h.Verdict)
		}
	}
}

// TestProposeChainLongestPath puts a tier that two paths reach in the stage
// of the longer one, and leaves tiers no path reaches out of the chain.
func TestProposeChainLongestPath(t *testing.T) {
	b := &builder{}
	mk := func(name string, kind model.Kind) *tierState {
		t := &tierState{name: name, kind: kind}
		b.tiers = append(b.tiers, t)
		return t
	}
	edge := mk("edge", model.KindCloudFront)
	alb := mk("alb", model.KindALB)
	app := mk("app", model.KindECS)
	db := mk("db", model.KindRDS)
	batch := mk("batch", model.KindECS)
	edge.origins = []*OriginOut{{Tier: "alb"}, {Tier: "app"}}
	alb.listeners = []*ListenerOut{{Default: &ActionOut{Forward: []*TargetOut{{Tier: "app"}}}}}
	app.connects = []*ConnectionOut{{Tier: "db"}}
	batch.connects = []*ConnectionOut{{Tier: "db"}}
	db.connects = []*ConnectionOut{{Tier: "app"}} // a cycle, which the layering ignores

	chain, comment := b.proposeChain()
	want := [][]string{{"edge"}, {"alb"}, {"app"}, {"db"}}
	if len(chain) != len(want) {
		t.Fatalf("chain = %v, want %v", chain, want)
	}
	for i := range want {
		if strings.Join(chain[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("stage %d = %v, want %v", i, chain[i], want[i])
		}
	}
	if !strings.Contains(strings.Join(comment, " "), "Not in the chain, because no intended hop from an entry reaches them: batch.") {
		t.Errorf("the comment does not name the tier left out: %v", comment)
	}
}

func TestSanitizeName(t *testing.T) {
	tests := map[string]string{
		"shop-alb":              "shop-alb",
		"front door!":           "front-door",
		"  -leading":            "leading",
		"ECS service/api":       "ECS-service-api",
		"über":                  "ber",
		strings.Repeat("a", 70): strings.Repeat("a", 64),
	}
	for in, want := range tests {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
	ns := newNamespace()
	if a, b := ns.unique("x", "f"), ns.unique("x", "f"); a != "x" || b != "x-2" {
		t.Errorf("unique names = %q, %q, want x, x-2", a, b)
	}
	if got := ns.unique("!!!", "fallback"); got != "fallback" {
		t.Errorf("unique of an unusable name = %q, want the fallback", got)
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"a*c", "abbbc", true},
		{"a?c", "abc", true},
		{"a?c", "abbc", false},
		{"*", "", true},
		{"ab*", "a", false},
		{"*b*d", "abcd", true},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %t, want %t", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestScalarQuoting(t *testing.T) {
	tests := map[string]string{
		"shop-alb":    "shop-alb",
		"10.0.0.0/16": "10.0.0.0/16",
		"true":        `"true"`,
		"123":         `"123"`,
		"1e3":         `"1e3"`,
		"a b":         `"a b"`,
		"::/0":        `"::/0"`,
	}
	for in, want := range tests {
		if got := scalar(in); got != want {
			t.Errorf("scalar(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestBuildPrefixListOption names the AWS-managed list behind an id that
// the input uses without describing it.
func TestBuildPrefixListOption(t *testing.T) {
	inv := messyInventory()
	s, err := Build(inv, Options{Name: "x", PrefixLists: map[string]string{"pl-missing": "com.amazonaws.global.ipv6.cloudfront.origin-facing"}})
	if err != nil {
		t.Fatal(err)
	}
	text := string(s.YAML())
	if !strings.Contains(text, "cloudfront-ipv6:\n    aws_managed: com.amazonaws.global.ipv6.cloudfront.origin-facing") {
		t.Errorf("pl-missing is not written as the list the option names:\n%s", text)
	}
	for _, w := range s.Warnings {
		if strings.Contains(w.Message, "prefix list pl-missing, which is not in the input") {
			t.Errorf("the option did not replace the warning: %s", w)
		}
	}
	if _, diags := model.Parse("x.yaml", []byte(text)); diags.HasErrors() {
		t.Fatalf("the scenario does not load:\n%v", diags.Err())
	}
}

// TestBuildSuccessRuleBecomesDefault writes a left-out rule that responds
// with 200 as the default action, because every client of the listener can
// get that response.
func TestBuildSuccessRuleBecomesDefault(t *testing.T) {
	inv := albInventory("secret-value", []*ListenerRule{
		{Priority: 1, Conditions: []*Condition{{Field: "http-header", HeaderName: "X-Origin-Verify", Values: []Value{{Text: "secret-value"}}}}, Actions: []*Action{{Type: "forward", TargetGroups: []string{"tg"}}}},
		{Priority: 2, Conditions: []*Condition{{Field: "path-pattern"}}, Actions: []*Action{{Type: "fixed-response", Status: 200}}},
		{Priority: 3, Conditions: []*Condition{{Field: "path-pattern"}}, Actions: []*Action{{Type: "fixed-response", Status: 404}}},
	})
	_, text, _ := buildAndLoad(t, inv)
	if !strings.Contains(text, "default_action: {fixed_response: 200}") {
		t.Errorf("the default action is not the rule's 200:\n%s", text)
	}
	if strings.Contains(text, "priority: 2") || strings.Contains(text, "priority: 3") {
		t.Errorf("the path rules are written:\n%s", text)
	}
}
