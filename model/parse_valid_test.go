package model

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
)

// loadValid parses a scenario that must load without errors.
func loadValid(t *testing.T, name string, data string) *Scenario {
	t.Helper()
	s, ds := Parse(name, []byte(data))
	if ds.HasErrors() {
		t.Fatalf("Parse(%s) reported errors:\n%s", name, render(ds))
	}
	checkResolved(t, s)
	return s
}

// loadValidFile loads a file under testdata/valid that must load without
// errors.
func loadValidFile(t *testing.T, name string) *Scenario {
	t.Helper()
	data, err := os.ReadFile("testdata/valid/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return loadValid(t, "testdata/valid/"+name, string(data))
}

func render(ds Diagnostics) string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func findTier(t *testing.T, s *Scenario, name string) *Tier {
	t.Helper()
	for _, x := range s.Tiers {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no tier %q", name)
	return nil
}

func findGroup(t *testing.T, s *Scenario, name string) *SecurityGroup {
	t.Helper()
	for _, x := range s.SecurityGroups {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no security group %q", name)
	return nil
}

func findList(t *testing.T, s *Scenario, name string) *PrefixList {
	t.Helper()
	for _, x := range s.PrefixLists {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no prefix list %q", name)
	return nil
}

func TestParseMinimal(t *testing.T) {
	s := loadValidFile(t, "minimal.yaml")

	if s.Name != "minimal" {
		t.Errorf("Name = %q, want minimal", s.Name)
	}
	if s.File != "testdata/valid/minimal.yaml" {
		t.Errorf("File = %q", s.File)
	}
	if got := s.Pos; got.Line != 3 || got.Column != 1 {
		t.Errorf("Pos = %+v, want line 3 column 1", got)
	}
	if len(s.Chain) != 2 || s.Chain[0].Tiers[0].Name != "alb" || s.Chain[1].Tiers[0].Name != "app" {
		t.Errorf("Chain = %v, want [alb] [app]", s.Chain)
	}
	if s.Chain[1].Path != "chain[1]" || s.Chain[1].Index != 1 {
		t.Errorf("Chain[1] Path = %q Index = %d", s.Chain[1].Path, s.Chain[1].Index)
	}

	// Without an attackers key the default internet attacker applies.
	if len(s.Attackers) != 1 {
		t.Fatalf("Attackers = %d, want 1", len(s.Attackers))
	}
	a := s.Attackers[0]
	if a.Name != "internet" || a.Kind != AttackerInternet || !a.OwnDistribution {
		t.Errorf("default attacker = %+v", a)
	}
	if !a.Pos.IsValid() {
		t.Errorf("default attacker has no position")
	}
}

func TestParseFullVPCs(t *testing.T) {
	s := loadValidFile(t, "full.yaml")

	if len(s.VPCs) != 2 {
		t.Fatalf("VPCs = %d, want 2", len(s.VPCs))
	}
	main := s.VPCs[0]
	if main.Name != "main" || main.CIDR != netip.MustParsePrefix("10.0.0.0/16") || main.IPv6CIDR != netip.MustParsePrefix("2600:1f18:1234:5600::/56") {
		t.Errorf("VPC main = %+v", main)
	}
	if s.VPCs[1].IPv6CIDR.IsValid() {
		t.Errorf("VPC shared has an IPv6 block %v", s.VPCs[1].IPv6CIDR)
	}

	names := mapNames(main.Subnets, func(x *Subnet) string { return x.Name })
	if want := []string{"public-a", "public-b", "private-a", "data-a"}; !slices.Equal(names, want) {
		t.Errorf("subnets = %v, want %v", names, want)
	}
	pub := main.Subnets[0]
	if !pub.Public || pub.VPC != main || pub.IPv6CIDR != netip.MustParsePrefix("2600:1f18:1234:5600::/64") {
		t.Errorf("subnet public-a = %+v", pub)
	}
	if main.Subnets[2].Public {
		t.Errorf("subnet private-a is public, want the default false")
	}
	if pos := pub.Pos; pos.Line != 9 || pos.Column != 7 {
		t.Errorf("subnet public-a Pos = %+v, want 9:7 (its key)", pos)
	}
}

func TestParseFullPrefixLists(t *testing.T) {
	s := loadValidFile(t, "full.yaml")

	tests := []struct {
		name       string
		managed    string
		family     Family
		entries    []netip.Prefix
		standIn    bool
		maxEntries int
		weight     int
		shared     bool
	}{
		{"cloudfront", "com.amazonaws.global.cloudfront.origin-facing", IPv4, prefixes("192.0.2.0/26"), true, 0, 55, true},
		{"s3", "com.amazonaws.eu-west-1.s3", IPv4, prefixes("52.218.0.0/17"), false, 0, 1, false},
		{"office", "", IPv4, prefixes("198.51.100.0/24", "203.0.113.0/28"), false, 10, 10, false},
		{"empty-v6", "", IPv6, nil, false, 5, 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := findList(t, s, tt.name)
			if pl.AWSManaged != tt.managed {
				t.Errorf("AWSManaged = %q, want %q", pl.AWSManaged, tt.managed)
			}
			if pl.Family != tt.family {
				t.Errorf("Family = %v, want %v", pl.Family, tt.family)
			}
			if !slices.Equal(pl.Entries, tt.entries) {
				t.Errorf("Entries = %v, want %v", pl.Entries, tt.entries)
			}
			if pl.StandIn != tt.standIn {
				t.Errorf("StandIn = %v, want %v", pl.StandIn, tt.standIn)
			}
			if pl.MaxEntries != tt.maxEntries {
				t.Errorf("MaxEntries = %d, want %d", pl.MaxEntries, tt.maxEntries)
			}
			if pl.Weight != tt.weight {
				t.Errorf("Weight = %d, want %d", pl.Weight, tt.weight)
			}
			if pl.SharedPool != tt.shared {
				t.Errorf("SharedPool = %v, want %v", pl.SharedPool, tt.shared)
			}
		})
	}
}

func TestManagedListTable(t *testing.T) {
	tests := []struct {
		name   string
		family Family
		weight int
		shared bool
	}{
		{"com.amazonaws.global.cloudfront.origin-facing", IPv4, 55, true},
		{"com.amazonaws.global.ipv6.cloudfront.origin-facing", IPv6, 55, true},
		{"com.amazonaws.us-east-1.s3", IPv4, 1, false},
		{"com.amazonaws.us-gov-west-1.dynamodb", IPv4, 1, false},
		{"com.amazonaws.global.route53-healthchecks", IPv4, 25, true},
		{"com.amazonaws.ap-southeast-2.vpc-lattice", IPv4, 10, false},
		{"com.amazonaws.eu-central-1.ipv6.vpc-lattice", IPv6, 10, false},
		{"com.amazonaws.global.groundstation", IPv4, 5, false},
	}
	for _, tt := range tests {
		m, ok := lookupManaged(tt.name)
		if !ok {
			t.Errorf("lookupManaged(%q) found nothing", tt.name)
			continue
		}
		if m.family != tt.family || m.weight != tt.weight || m.sharedPool != tt.shared {
			t.Errorf("lookupManaged(%q) = %v weight %d shared %v", tt.name, m.family, m.weight, m.sharedPool)
		}
		if familyOf(m.standIn.Addr()) != m.family {
			t.Errorf("stand-in %v of %s is not %v", m.standIn, tt.name, m.family)
		}
	}
	for _, name := range []string{"com.amazonaws.REGION.s3", "com.amazonaws.us-east.s3", "com.amazonaws.US-EAST-1.s3", "com.amazonaws.us-east-1.s3.extra"} {
		if _, ok := lookupManaged(name); ok {
			t.Errorf("lookupManaged(%q) matched", name)
		}
	}
}

func TestParseFullRules(t *testing.T) {
	s := loadValidFile(t, "full.yaml")
	alb, app, nlb := findGroup(t, s, "alb"), findGroup(t, s, "app"), findGroup(t, s, "nlb")
	office, cloudfront, s3 := findList(t, s, "office"), findList(t, s, "cloudfront"), findList(t, s, "s3")

	tests := []struct {
		rule     *Rule
		protocol Protocol
		ports    PortRange
		peer     Peer
		path     string
	}{
		{alb.Ingress[0], TCP, PortRange{443, 443}, Peer{Kind: PeerPrefixList, PrefixList: cloudfront}, "security_groups.alb.ingress[0]"},
		// Protocol names are case-insensitive.
		{alb.Ingress[1], TCP, PortRange{8000, 8080}, Peer{Kind: PeerPrefixList, PrefixList: office}, "security_groups.alb.ingress[1]"},
		// ICMP type 3 code 4 is encoded as 3*256+4.
		{alb.Ingress[2], ICMP, PortRange{772, 772}, Peer{Kind: PeerCIDR, CIDR: netip.MustParsePrefix("10.0.0.0/16")}, "security_groups.alb.ingress[2]"},
		// ICMPv6 type 128 with any code covers 128*256 to 128*256+255.
		{alb.Ingress[3], ICMPv6, PortRange{32768, 33023}, Peer{Kind: PeerCIDR, CIDR: netip.MustParsePrefix("::/0")}, "security_groups.alb.ingress[3]"},
		// Without icmp_type every ICMP message matches.
		{alb.Ingress[4], ICMP, AllPorts, Peer{Kind: PeerCIDR, CIDR: netip.MustParsePrefix("10.0.0.0/8")}, "security_groups.alb.ingress[4]"},
		{nlb.Ingress[0], UDP, AllPorts, Peer{Kind: PeerCIDR, CIDR: netip.MustParsePrefix("0.0.0.0/0")}, "security_groups.nlb.ingress[0]"},
		// Protocol -1 is all; number 6 is normalised to tcp.
		{nlb.Egress[0], AllProtocols, AllPorts, Peer{Kind: PeerSecurityGroup, SecurityGroup: app}, "security_groups.nlb.egress[0]"},
		{app.Ingress[0], TCP, PortRange{7350, 7350}, Peer{Kind: PeerSecurityGroup, SecurityGroup: alb}, "security_groups.app.ingress[0]"},
		{app.Ingress[1], AllProtocols, AllPorts, Peer{Kind: PeerSecurityGroup, SecurityGroup: app, Self: true}, "security_groups.app.ingress[1]"},
		// AWS ignores ports for protocols other than tcp, udp, icmp and icmpv6.
		{app.Ingress[2], Protocol(50), AllPorts, Peer{Kind: PeerCIDR, CIDR: netip.MustParsePrefix("10.0.0.0/16")}, "security_groups.app.ingress[2]"},
		{app.Egress[1], TCP, PortRange{443, 443}, Peer{Kind: PeerPrefixList, PrefixList: s3}, "security_groups.app.egress[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := tt.rule
			if r.Protocol != tt.protocol {
				t.Errorf("Protocol = %v, want %v", r.Protocol, tt.protocol)
			}
			if r.Ports != tt.ports {
				t.Errorf("Ports = %v, want %v", r.Ports, tt.ports)
			}
			if r.Peer != tt.peer {
				t.Errorf("Peer = %v, want %v", r.Peer, tt.peer)
			}
			if r.Path != tt.path {
				t.Errorf("Path = %q, want %q", r.Path, tt.path)
			}
			if !r.Pos.IsValid() {
				t.Errorf("Pos is not valid")
			}
		})
	}

	if r := alb.Ingress[0]; r.Description != "HTTPS from CloudFront" || r.Group != alb || r.Direction != Ingress || r.Index != 0 {
		t.Errorf("alb.Ingress[0] = %+v", r)
	}
	if alb.Description != "ALB, CloudFront only" || alb.VPC != s.VPCs[0] {
		t.Errorf("group alb = %+v", alb)
	}
	if tools := findGroup(t, s, "tools"); tools.VPC != s.VPCs[1] {
		t.Errorf("group tools is in VPC %v, want shared", tools.VPC.Name)
	}
}

func TestParseDefaultEgress(t *testing.T) {
	s := loadValidFile(t, "full.yaml")

	// VPC main has an IPv6 block, so the default adds ::/0.
	alb := findGroup(t, s, "alb")
	if !alb.EgressDefault || len(alb.Egress) != 2 {
		t.Fatalf("alb egress = %v default %v, want 2 default rules", alb.Egress, alb.EgressDefault)
	}
	for i, cidr := range []string{"0.0.0.0/0", "::/0"} {
		r := alb.Egress[i]
		want := Peer{Kind: PeerCIDR, CIDR: netip.MustParsePrefix(cidr)}
		if r.Protocol != AllProtocols || r.Ports != AllPorts || r.Peer != want || r.Direction != Egress || r.Index != i || r.Group != alb {
			t.Errorf("alb.Egress[%d] = %+v", i, r)
		}
	}

	// VPC shared has none.
	tools := findGroup(t, s, "tools")
	if !tools.EgressDefault || len(tools.Egress) != 1 {
		t.Errorf("tools egress = %v, want one default rule", tools.Egress)
	}

	db := findGroup(t, s, "db")
	if db.EgressDefault || len(db.Egress) != 0 {
		t.Errorf("db egress = %v, want none", db.Egress)
	}
}

func TestParseFullTiers(t *testing.T) {
	s := loadValidFile(t, "full.yaml")

	tests := []struct {
		name      string
		kind      Kind
		subnets   []string
		groups    []string
		publicIP  bool
		private   string
		publicIPs string
	}{
		{"edge", KindCloudFront, nil, nil, false, "", ""},
		{"alb", KindALB, []string{"public-a", "public-b"}, []string{"alb"}, true, "10.0.0.20", "198.51.100.10"},
		{"nlb", KindNLB, []string{"public-a"}, []string{"nlb"}, true, "10.0.0.10", "198.51.100.11"},
		// web sets 10.0.10.10 explicitly, so inner skips it.
		{"inner", KindNLB, []string{"private-a"}, nil, false, "10.0.10.11", ""},
		{"app", KindECS, []string{"private-a"}, []string{"app"}, false, "10.0.10.12", ""},
		{"web", KindEC2, []string{"private-a"}, []string{"app"}, true, "10.0.10.10", "198.51.100.12"},
		{"fn", KindLambda, []string{"private-a"}, []string{"app"}, false, "10.0.10.13", ""},
		{"db", KindRDS, []string{"data-a"}, []string{"db"}, false, "10.0.20.10", ""},
		{"cache", KindElastiCache, []string{"data-a"}, []string{"db"}, false, "10.0.20.11", ""},
		{"tool", KindEKS, []string{"tools"}, []string{"tools"}, false, "10.1.0.10", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := findTier(t, s, tt.name)
			if x.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v", x.Kind, tt.kind)
			}
			if got := mapNames(x.Subnets, func(y *Subnet) string { return y.Name }); !slices.Equal(got, tt.subnets) && len(got)+len(tt.subnets) > 0 {
				t.Errorf("Subnets = %v, want %v", got, tt.subnets)
			}
			if got := mapNames(x.SecurityGroups, func(y *SecurityGroup) string { return y.Name }); !slices.Equal(got, tt.groups) && len(got)+len(tt.groups) > 0 {
				t.Errorf("SecurityGroups = %v, want %v", got, tt.groups)
			}
			if x.PublicIP != tt.publicIP {
				t.Errorf("PublicIP = %v, want %v", x.PublicIP, tt.publicIP)
			}
			if got := addrString(x.PrivateIP); got != tt.private {
				t.Errorf("PrivateIP = %q, want %q", got, tt.private)
			}
			if got := addrString(x.PublicAddr); got != tt.publicIPs {
				t.Errorf("PublicAddr = %q, want %q", got, tt.publicIPs)
			}
			if x.Path != "tiers."+tt.name {
				t.Errorf("Path = %q", x.Path)
			}
		})
	}

	app := findTier(t, s, "app")
	db, cache := findTier(t, s, "db"), findTier(t, s, "cache")
	if len(app.ConnectsTo) != 2 {
		t.Fatalf("app ConnectsTo = %v", app.ConnectsTo)
	}
	if c := app.ConnectsTo[0]; c.Tier != db || c.Protocol != TCP || c.Port != 5432 || c.Path != "tiers.app.connects_to[0]" {
		t.Errorf("ConnectsTo[0] = %+v, want tcp 5432 to db by default", c)
	}
	if c := app.ConnectsTo[1]; c.Tier != cache || c.Protocol != UDP || c.Port != 6379 {
		t.Errorf("ConnectsTo[1] = %+v", c)
	}
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func TestParseFullCloudFront(t *testing.T) {
	s := loadValidFile(t, "full.yaml")
	edge := findTier(t, s, "edge")
	cf := edge.CloudFront
	if cf == nil || cf.WAF == nil {
		t.Fatalf("edge CloudFront = %+v", cf)
	}

	w := cf.WAF
	if w.Name != "edge-acl" || w.DefaultAction != "allow" || !slices.Equal(w.ManagedRuleGroups, []string{"AWSManagedRulesCommonRuleSet"}) {
		t.Errorf("WAF = %+v", w)
	}
	// Rules come out in priority order, not file order.
	if len(w.Rules) != 2 || w.Rules[0].Name != "block-listed" || w.Rules[1].Name != "debug" {
		t.Fatalf("WAF rules = %v", w.Rules)
	}
	if r := w.Rules[0]; r.Priority != 1 || r.Action != "block" || !slices.Equal(r.SourceCIDRs, prefixes("198.51.100.0/24")) || r.Header != nil {
		t.Errorf("rule block-listed = %+v", r)
	}
	if r := w.Rules[1]; r.Action != "count" || r.Header == nil || r.Header.Name != "X-Debug" || !slices.Equal(r.Header.Values, []string{"on"}) {
		t.Errorf("rule debug = %+v", r)
	}

	if len(cf.Origins) != 2 {
		t.Fatalf("origins = %v", cf.Origins)
	}
	api := cf.Origins[0]
	if api.Name != "api" || api.Tier != findTier(t, s, "alb") || api.ProtocolPolicy != "https-only" {
		t.Errorf("origin api = %+v", api)
	}
	if api.HTTPPort != 80 || api.HTTPSPort != 443 {
		t.Errorf("origin api ports = %d/%d, want the defaults 80/443", api.HTTPPort, api.HTTPSPort)
	}
	if got := api.Ports(); !slices.Equal(got, []int{443}) {
		t.Errorf("api.Ports() = %v", got)
	}
	if len(api.CustomHeaders) != 2 {
		t.Fatalf("custom headers = %v", api.CustomHeaders)
	}
	if h := api.CustomHeaders[0]; h.Name != "X-Origin-Verify" || h.Value != "s3cret" || !h.Secret {
		t.Errorf("header 0 = %+v", h)
	}
	if h := api.CustomHeaders[1]; h.Secret {
		t.Errorf("header X-Env is secret, want the default false")
	}
	game := cf.Origins[1]
	if game.HTTPPort != 8080 || game.HTTPSPort != 8443 || !slices.Equal(game.Ports(), []int{8080, 8443}) {
		t.Errorf("origin game = %+v", game)
	}
	if edge.PrivateIP.IsValid() || edge.PublicAddr.IsValid() {
		t.Errorf("CloudFront tier has addresses %v %v", edge.PrivateIP, edge.PublicAddr)
	}
}

func TestParseFullALB(t *testing.T) {
	s := loadValidFile(t, "full.yaml")
	alb := findTier(t, s, "alb")
	app, web := findTier(t, s, "app"), findTier(t, s, "web")

	if len(alb.Listeners) != 2 {
		t.Fatalf("listeners = %v", alb.Listeners)
	}
	l := alb.Listeners[0]
	if l.Port != 443 || l.Protocol != "HTTPS" || l.Path != "tiers.alb.listeners[0]" {
		t.Errorf("listener = %+v", l)
	}
	if alb.Listeners[1].Protocol != "HTTP" {
		t.Errorf("listener 1 protocol = %q, want HTTP", alb.Listeners[1].Protocol)
	}
	if l.Default == nil || l.Default.FixedStatus != 403 || l.Default.IsForward() {
		t.Errorf("default action = %+v", l.Default)
	}

	// Rules come out in priority order.
	if len(l.Rules) != 2 || l.Rules[0].Priority != 10 || l.Rules[1].Priority != 20 {
		t.Fatalf("rules = %v", l.Rules)
	}
	r := l.Rules[0]
	if r.Path != "tiers.alb.listeners[0].rules[1]" {
		t.Errorf("rule Path = %q", r.Path)
	}
	if len(r.Conditions) != 2 {
		t.Fatalf("conditions = %v", r.Conditions)
	}
	if h := r.Conditions[0].Header; h == nil || h.Name != "X-Origin-Verify" || !slices.Equal(h.Values, []string{"s3cret"}) {
		t.Errorf("condition 0 = %+v", r.Conditions[0])
	}
	if got := r.Conditions[1].SourceIPs; !slices.Equal(got, prefixes("192.0.2.0/24", "2001:db8::/32")) {
		t.Errorf("condition 1 SourceIPs = %v", got)
	}

	fwd := r.Action.Forward
	if len(fwd) != 2 {
		t.Fatalf("forward = %v", fwd)
	}
	// ecs targets default to ip, and the health check port to the port.
	if tg := fwd[0]; tg.Tier != app || tg.Port != 7350 || tg.TargetType != "ip" || tg.HealthCheckPort != 7350 {
		t.Errorf("target 0 = %+v", tg)
	}
	if tg := fwd[1]; tg.Tier != web || tg.TargetType != "ip" || tg.HealthCheckPort != 8081 {
		t.Errorf("target 1 = %+v", tg)
	}
	if got := fwd[1].Path; got != "tiers.alb.listeners[0].rules[1].action.forward[1]" {
		t.Errorf("target 1 Path = %q", got)
	}
}

func TestParseFullNLB(t *testing.T) {
	s := loadValidFile(t, "full.yaml")
	nlb := findTier(t, s, "nlb")
	alb := findTier(t, s, "alb")

	tests := []struct {
		port       int
		protocol   string
		targetType string
		preserve   bool
		set        bool
	}{
		{7350, "TCP", "ip", false, false},
		{7351, "UDP", "ip", true, false},
		{7352, "TLS", "instance", true, false},
		{7353, "TCP_UDP", "ip", true, true},
		{7354, "TCP", "ip", true, true},
		{7355, "TCP", "instance", false, true},
		{443, "TCP", "alb", true, false},
	}
	if len(nlb.Listeners) != len(tests) {
		t.Fatalf("listeners = %d, want %d", len(nlb.Listeners), len(tests))
	}
	for i, tt := range tests {
		l := nlb.Listeners[i]
		if l.Port != tt.port || l.Protocol != tt.protocol {
			t.Errorf("listener %d = %d %s, want %d %s", i, l.Port, l.Protocol, tt.port, tt.protocol)
		}
		if !l.Default.IsForward() || len(l.Default.Forward) != 1 {
			t.Errorf("listener %d action = %+v", i, l.Default)
			continue
		}
		tg := l.Default.Forward[0]
		if tg.TargetType != tt.targetType || tg.PreserveClientIP != tt.preserve || tg.PreserveClientIPSet != tt.set {
			t.Errorf("listener %d target = %s preserve %v set %v, want %s %v %v", i, tg.TargetType, tg.PreserveClientIP, tg.PreserveClientIPSet, tt.targetType, tt.preserve, tt.set)
		}
	}
	if tg := nlb.Listeners[6].Default.Forward[0]; tg.Tier != alb {
		t.Errorf("ALB target tier = %v", tg.Tier.Name)
	}
	if got := nlb.Listeners[0].Default.Path; got != "tiers.nlb.listeners[0].forward" {
		t.Errorf("NLB action Path = %q", got)
	}
}

// nlbScenario is a scenario with one NLB listener of the given protocol that
// forwards to the given tier, with extra keys appended to the forward
// mapping.
func nlbScenario(protocol, tier, extra string) string {
	return fmt.Sprintf(`name: nlb
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
      private-a: {cidr: 10.0.10.0/24}
security_groups:
  app:
    ingress: [{protocol: tcp, ports: 7350, from: {cidr: 0.0.0.0/0}}]
    egress: aws-default
tiers:
  nlb:
    kind: nlb
    scheme: internet-facing
    subnets: [public-a]
    listeners:
      - {port: 7350, protocol: %s, forward: {tier: %s, port: 7350%s}}
  ecs: {kind: ecs, subnets: [private-a], security_groups: [app]}
  ec2: {kind: ec2, subnets: [private-a], security_groups: [app]}
  eks: {kind: eks, subnets: [private-a], security_groups: [app]}
  alb:
    kind: alb
    scheme: internal
    subnets: [private-a]
    security_groups: [app]
    listeners: [{port: 7350, protocol: http, default_action: {fixed_response: 404}}]
chain: [nlb, ecs]
`, protocol, tier, extra)
}

// TestPreserveClientIPDefaults checks the NLB client IP preservation
// defaults that AWS documents in "Edit target group attributes for your
// Network Load Balancer". Instance targets preserve the client IP. IP targets
// with TCP or TLS do not by default. UDP and TCP_UDP target groups always do,
// for ip and instance targets alike. An ALB registered behind an NLB receives
// the client address as well.
func TestPreserveClientIPDefaults(t *testing.T) {
	tests := []struct {
		protocol, tier, extra string
		targetType            string
		preserve, set         bool
	}{
		{"tcp", "ecs", "", "ip", false, false},
		{"tls", "ecs", "", "ip", false, false},
		{"udp", "ecs", "", "ip", true, false},
		{"tcp_udp", "eks", "", "ip", true, false},
		{"tcp", "ec2", "", "instance", true, false},
		{"udp", "ec2", "", "instance", true, false},
		{"tcp", "ecs", ", target_type: instance", "instance", true, false},
		{"tcp", "ec2", ", target_type: ip", "ip", false, false},
		{"tcp", "alb", "", "alb", true, false},
		{"tcp", "ecs", ", preserve_client_ip: true", "ip", true, true},
		{"tls", "ec2", ", preserve_client_ip: false", "instance", false, true},
		{"udp", "ecs", ", preserve_client_ip: true", "ip", true, true},
	}
	for _, tt := range tests {
		name := tt.protocol + "/" + tt.tier + tt.extra
		t.Run(name, func(t *testing.T) {
			s := loadValid(t, name, nlbScenario(tt.protocol, tt.tier, tt.extra))
			tg := findTier(t, s, "nlb").Listeners[0].Default.Forward[0]
			if tg.TargetType != tt.targetType {
				t.Errorf("TargetType = %q, want %q", tg.TargetType, tt.targetType)
			}
			if tg.PreserveClientIP != tt.preserve {
				t.Errorf("PreserveClientIP = %v, want %v", tg.PreserveClientIP, tt.preserve)
			}
			if tg.PreserveClientIPSet != tt.set {
				t.Errorf("PreserveClientIPSet = %v, want %v", tg.PreserveClientIPSet, tt.set)
			}
		})
	}
}

func TestParseFullAttackers(t *testing.T) {
	s := loadValidFile(t, "full.yaml")
	if len(s.Attackers) != 4 {
		t.Fatalf("attackers = %v", s.Attackers)
	}
	internet, rogue, breached, vpn := s.Attackers[0], s.Attackers[1], s.Attackers[2], s.Attackers[3]

	if internet.Kind != AttackerInternet || internet.OwnDistribution || !slices.Equal(internet.KnowsSecrets, []string{"x-origin-verify"}) {
		t.Errorf("internet = %+v", internet)
	}
	if rogue.Kind != AttackerDistribution || len(rogue.KnowsSecrets) != 0 || rogue.OwnDistribution {
		t.Errorf("rogue-cdn = %+v", rogue)
	}
	if breached.Kind != AttackerCompromised || breached.Tier != findTier(t, s, "app") {
		t.Errorf("breached-app = %+v", breached)
	}
	if vpn.Kind != AttackerAddressRange || !slices.Equal(vpn.CIDRs, prefixes("10.50.0.0/16")) || vpn.Path != "attackers.office-vpn" {
		t.Errorf("office-vpn = %+v", vpn)
	}
}

func TestParseFullChain(t *testing.T) {
	s := loadValidFile(t, "full.yaml")
	var stages [][]string
	for _, st := range s.Chain {
		stages = append(stages, mapNames(st.Tiers, func(x *Tier) string { return x.Name }))
	}
	want := [][]string{{"edge"}, {"alb", "nlb"}, {"app"}, {"db"}}
	if !slices.EqualFunc(stages, want, slices.Equal) {
		t.Errorf("chain = %v, want %v", stages, want)
	}
}

// TestParseScalarForms checks the alternative spellings the format accepts.
func TestParseScalarForms(t *testing.T) {
	base, err := os.ReadFile("testdata/valid/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		old, new string
		check    func(t *testing.T, s *Scenario)
	}{
		{"port as string", "ports: 443", `ports: "443"`, func(t *testing.T, s *Scenario) {
			if got := findGroup(t, s, "alb").Ingress[0].Ports; got != (PortRange{443, 443}) {
				t.Errorf("Ports = %v", got)
			}
		}},
		{"port range all", "ports: 443", "ports: ALL", func(t *testing.T, s *Scenario) {
			if got := findGroup(t, s, "alb").Ingress[0].Ports; !got.IsAll() {
				t.Errorf("Ports = %v", got)
			}
		}},
		{"hexadecimal port", "ports: 443", "ports: 0x1BB", func(t *testing.T, s *Scenario) {
			if got := findGroup(t, s, "alb").Ingress[0].Ports; got != (PortRange{443, 443}) {
				t.Errorf("Ports = %v", got)
			}
		}},
		{"protocol 17", "protocol: tcp, ports: 443", "protocol: 17, ports: 443", func(t *testing.T, s *Scenario) {
			if got := findGroup(t, s, "alb").Ingress[0].Protocol; got != UDP {
				t.Errorf("Protocol = %v", got)
			}
		}},
		{"protocol string -1", "protocol: tcp, ports: 443", `protocol: "-1"`, func(t *testing.T, s *Scenario) {
			if got := findGroup(t, s, "alb").Ingress[0].Protocol; got != AllProtocols {
				t.Errorf("Protocol = %v", got)
			}
		}},
		{"protocol 58", "protocol: tcp, ports: 443", "protocol: 58, icmp_type: all", func(t *testing.T, s *Scenario) {
			if r := findGroup(t, s, "alb").Ingress[0]; r.Protocol != ICMPv6 || !r.Ports.IsAll() {
				t.Errorf("rule = %v %v", r.Protocol, r.Ports)
			}
		}},
		{"icmp code all", "protocol: tcp, ports: 443", "protocol: icmp, icmp_type: 8, icmp_code: all", func(t *testing.T, s *Scenario) {
			if got := findGroup(t, s, "alb").Ingress[0].Ports; got != (PortRange{2048, 2303}) {
				t.Errorf("Ports = %v", got)
			}
		}},
		{"single-tier stages", "  - alb\n  - app", "  - [alb]\n  - [app]", func(t *testing.T, s *Scenario) {
			if len(s.Chain) != 2 || len(s.Chain[0].Tiers) != 1 {
				t.Errorf("chain = %v", s.Chain)
			}
		}},
		{"flow chain", "chain:\n  - alb\n  - app", "chain: [alb, app]", func(t *testing.T, s *Scenario) {
			if len(s.Chain) != 2 {
				t.Errorf("chain = %v", s.Chain)
			}
		}},
		{"numeric name", "name: minimal", "name: 2024", func(t *testing.T, s *Scenario) {
			if s.Name != "2024" {
				t.Errorf("Name = %q", s.Name)
			}
		}},
		{"anchor and alias", "egress: none", "egress: &none none", func(t *testing.T, s *Scenario) {
			if len(findGroup(t, s, "app").Egress) != 0 {
				t.Errorf("egress = %v", findGroup(t, s, "app").Egress)
			}
		}},
		{"merge key", "  app:\n    kind: ecs\n    subnets: [private-a]\n    security_groups: [app]",
			"  app:\n    <<: {kind: ec2, subnets: [public-a]}\n    kind: ecs\n    security_groups: [app]", func(t *testing.T, s *Scenario) {
				app := findTier(t, s, "app")
				if app.Kind != KindECS || len(app.Subnets) != 1 || app.Subnets[0].Name != "public-a" {
					t.Errorf("app = %v in %v", app.Kind, app.Subnets)
				}
			}},
		{"document start marker", "name: minimal", "---\nname: minimal", func(t *testing.T, s *Scenario) {
			if s.Name != "minimal" {
				t.Errorf("Name = %q", s.Name)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(base), tt.old) {
				t.Fatalf("minimal.yaml does not contain %q", tt.old)
			}
			s := loadValid(t, tt.name, strings.Replace(string(base), tt.old, tt.new, 1))
			tt.check(t, s)
		})
	}
}

func TestPortsIgnoredWarning(t *testing.T) {
	base, err := os.ReadFile("testdata/valid/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data := strings.Replace(string(base), "protocol: tcp, ports: 443", "protocol: all, ports: 443", 1)
	s, ds := Parse("w.yaml", []byte(data))
	if ds.HasErrors() {
		t.Fatalf("errors:\n%s", render(ds))
	}
	if len(ds) != 1 || ds[0].Severity != Warning || ds[0].Summary != "Ports ignored" || ds[0].Path != "security_groups.alb.ingress[0].ports" {
		t.Fatalf("diagnostics = %v, want one Ports ignored warning", render(ds))
	}
	if got := findGroup(t, s, "alb").Ingress[0].Ports; !got.IsAll() {
		t.Errorf("Ports = %v, want all", got)
	}
}

// checkResolved fails t when a scenario that loaded without errors holds a
// nil reference or lacks what callers rely on.
func checkResolved(t testing.TB, s *Scenario) {
	t.Helper()
	checkRoutesResolved(t, s)
	if s.Name == "" {
		t.Errorf("scenario has no name")
	}
	if len(s.Chain) < 2 {
		t.Errorf("chain has %d stages", len(s.Chain))
	}
	if len(s.Attackers) == 0 {
		t.Errorf("scenario has no attackers")
	}
	for _, vpc := range s.VPCs {
		if !vpc.CIDR.IsValid() {
			t.Errorf("VPC %s has no CIDR", vpc.Name)
		}
		for _, sub := range vpc.Subnets {
			if sub.VPC != vpc || !sub.CIDR.IsValid() {
				t.Errorf("subnet %s is unresolved", sub.Name)
			}
		}
	}
	for _, g := range s.SecurityGroups {
		if g.VPC == nil {
			t.Errorf("group %s has no VPC", g.Name)
		}
		for _, r := range slices.Concat(g.Ingress, g.Egress) {
			if r == nil || r.Group != g {
				t.Errorf("group %s has an unresolved rule", g.Name)
				continue
			}
			switch r.Peer.Kind {
			case PeerCIDR:
				if !r.Peer.CIDR.IsValid() {
					t.Errorf("%s has no peer", r.Path)
				}
			case PeerSecurityGroup:
				if r.Peer.SecurityGroup == nil {
					t.Errorf("%s has a nil peer group", r.Path)
				}
			case PeerPrefixList:
				if r.Peer.PrefixList == nil {
					t.Errorf("%s has a nil prefix list", r.Path)
				}
			}
		}
	}
	for _, x := range s.Tiers {
		if x.Kind == "" {
			t.Errorf("tier %s has no kind", x.Name)
		}
		if x.Kind == KindCloudFront {
			if x.CloudFront == nil || len(x.CloudFront.Origins) == 0 {
				t.Errorf("tier %s has no origins", x.Name)
				continue
			}
			for _, o := range x.CloudFront.Origins {
				if o.Tier == nil {
					t.Errorf("%s has no tier", o.Path)
				}
			}
			continue
		}
		if x.Kind == KindAWSService {
			if x.ServiceList == nil || !x.PublicAddr.IsValid() {
				t.Errorf("AWS service tier %s has no addresses", x.Name)
			}
			continue
		}
		if len(x.Subnets) == 0 || !x.PrivateIP.IsValid() {
			t.Errorf("tier %s has no placement", x.Name)
		}
		for _, l := range x.Listeners {
			actions := []*Action{l.Default}
			for _, r := range l.Rules {
				actions = append(actions, r.Action)
			}
			for _, a := range actions {
				if a == nil || !a.IsForward() && a.FixedStatus == 0 {
					t.Errorf("%s has an empty action", l.Path)
					continue
				}
				for _, tg := range a.Forward {
					if tg == nil || tg.Tier == nil || tg.Port == 0 || tg.TargetType == "" {
						t.Errorf("%s has an unresolved target", a.Path)
					}
				}
			}
		}
		for _, c := range x.ConnectsTo {
			if c.Tier == nil || c.Port == 0 {
				t.Errorf("%s is unresolved", c.Path)
			}
		}
	}
	for _, st := range s.Chain {
		if len(st.Tiers) == 0 || slices.Contains(st.Tiers, nil) {
			t.Errorf("%s is empty", st.Path)
		}
	}
	for _, a := range s.Attackers {
		if a.Kind == AttackerCompromised && a.Tier == nil {
			t.Errorf("attacker %s has no tier", a.Name)
		}
	}
	checkNetworkACLsResolved(t, s)
}
