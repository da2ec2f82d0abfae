package importer

import (
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// routedInventory holds three VPCs: hub with public, private and
// dual-stack subnets, spoke joined to hub by a transit gateway, and far,
// peered with hub across Regions. Its route tables carry one route of
// every kind the readers produce.
func routedInventory() *Inventory {
	route := func(dest string, target RouteTarget, key, note string) *Route {
		return &Route{Destination: dest, Target: target, TargetKey: key, TargetNote: note, Loc: Location{File: "rt.json", Pointer: "/" + dest}}
	}
	inv := &Inventory{Source: "test", Inputs: []string{"rt.json"}, RouteTablesKnown: true}
	inv.VPCs = []*VPC{
		{Key: "hub", Names: hint("hub"), CIDR: "10.0.0.0/16", IPv6CIDR: "2600:1f18:1:2300::/56", Region: "us-east-1"},
		{Key: "spoke", Names: hint("spoke"), CIDR: "10.1.0.0/16"},
		{Key: "far", Names: hint("far"), CIDR: "10.2.0.0/16", Region: "eu-west-1"},
		{Key: "empty", Names: hint("empty"), CIDR: "10.3.0.0/16"},
	}
	inv.Subnets = []*Subnet{
		{Key: "pub4", VPC: "hub", CIDR: "10.0.0.0/24", Names: hint("pub4")},
		{Key: "pub6", VPC: "hub", CIDR: "10.0.1.0/24", IPv6CIDR: "2600:1f18:1:2301::/64", Names: hint("pub6")},
		{Key: "half6", VPC: "hub", CIDR: "10.0.2.0/24", IPv6CIDR: "2600:1f18:1:2302::/64", Names: hint("half6")},
		{Key: "wide4", VPC: "hub", CIDR: "10.0.3.0/24", Names: hint("wide4")},
		{Key: "app", VPC: "hub", CIDR: "10.0.10.0/24", IPv6CIDR: "2600:1f18:1:230a::/64", Names: hint("app")},
		{Key: "main1", VPC: "hub", CIDR: "10.0.20.0/24", Names: hint("main1")},
		{Key: "bare", VPC: "hub", CIDR: "10.0.21.0/24", Names: hint("bare")},
		{Key: "spoke-a", VPC: "spoke", CIDR: "10.1.0.0/24", Names: hint("spoke-a")},
		{Key: "far-a", VPC: "far", CIDR: "10.2.0.0/24", Names: hint("far-a")},
		{Key: "empty-a", VPC: "empty", CIDR: "10.3.0.0/24", Names: hint("empty-a")},
	}
	inv.RouteTables = []*RouteTable{
		{Key: "rtb-pub", VPC: "hub", Names: hint("pub"), Subnets: []string{"pub4", "pub6", "half6"}, Routes: []*Route{
			route("10.0.0.0/16", TargetLocal, "", ""),
			route("0.0.0.0/0", TargetInternetGateway, "igw-1", "internet gateway igw-1"),
		}},
		{Key: "rtb-pub6", VPC: "hub", Names: hint("pub-dual"), Subnets: []string{"wide4"}, Routes: []*Route{
			route("0.0.0.0/0", TargetInternetGateway, "igw-1", "internet gateway igw-1"),
			route("::/0", TargetInternetGateway, "igw-1", "internet gateway igw-1"),
		}},
		{Key: "rtb-app", VPC: "hub", Names: hint("app"), Subnets: []string{"app"}, Routes: []*Route{
			route("0.0.0.0/0", TargetNATGateway, "nat-1", "NAT gateway nat-1"),
			route("::/0", TargetEgressOnly, "eigw-1", "egress-only internet gateway eigw-1"),
			route("10.1.0.0/16", TargetTransitGateway, "tgw-1", "transit gateway tgw-1"),
			route("10.2.0.0/16", TargetPeering, "pcx-far", "peering connection pcx-far"),
			route("10.3.0.0/16", TargetPeering, "pcx-empty", "peering connection pcx-empty"),
			route("10.9.0.0/16", TargetNotModeled, "vgw-1", "virtual private gateway vgw-1"),
			route("10.0.30.0/24", TargetNotModeled, "eni-1", "network interface eni-1"),
			route("192.168.0.0/16", TargetNATGateway, "nat-gone", "NAT gateway nat-gone"),
			{Destination: "172.16.0.0/12", Target: TargetNATGateway, TargetKey: "nat-1", Blackhole: true, Loc: Location{File: "rt.json", Pointer: "/blackhole"}},
			route("64:ff9b::/96", TargetNATGateway, "nat-1", "NAT gateway nat-1"),
			route("100.64.0.0/10", TargetEgressOnly, "eigw-1", "egress-only internet gateway eigw-1"),
			route("10.2.0.0/16", TargetTransitGateway, "tgw-1", "transit gateway tgw-1"),
			{PrefixList: "pl-s3", Target: TargetGatewayEndpoint, TargetKey: "vpce-s3", Loc: Location{File: "rt.json", Pointer: "/s3"}},
		}},
		{Key: "rtb-main", VPC: "hub", Names: hint("main"), Main: true, Routes: []*Route{
			route("0.0.0.0/0", TargetNATGateway, "nat-1", "NAT gateway nat-1"),
		}},
		{Key: "rtb-bare", VPC: "hub", Names: hint("bare"), Subnets: []string{"bare"}},
		{Key: "rtb-spoke", VPC: "spoke", Names: hint("spoke"), Subnets: []string{"spoke-a"}, Routes: []*Route{
			route("10.0.0.0/16", TargetTransitGateway, "tgw-1", "transit gateway tgw-1"),
		}},
		{Key: "rtb-far", VPC: "far", Names: hint("far"), Subnets: []string{"far-a"}, Routes: []*Route{
			route("10.0.0.0/16", TargetPeering, "pcx-far", "peering connection pcx-far"),
		}},
	}
	inv.NATGateways = []*NATGateway{{Key: "nat-1", Names: hint("nat"), Subnet: "pub4", PublicIP: "203.0.113.10"}}
	inv.PrefixLists = []*PrefixList{{Key: "pl-s3", AWSName: "com.amazonaws.us-east-1.s3", Family: "ipv4"}}
	inv.Peerings = []*Peering{
		{Key: "pcx-far", Names: hint("hub-far"), Requester: "hub", Accepter: "far", RequesterRegion: "us-east-1", AccepterRegion: "eu-west-1"},
		{Key: "pcx-empty", Requester: "hub", Accepter: "empty"},
	}
	inv.TransitGateways = []*TransitGateway{{Key: "tgw-1", Names: hint("hub-tgw"), SecurityGroupReferencing: true}}
	inv.TGWAttachments = []*TGWAttachment{{Key: "tgw-attach-spoke", TransitGateway: "tgw-1", VPC: "spoke", SecurityGroupReferencing: false}}

	inv.SecurityGroups = []*SecurityGroup{
		{Key: "sg-app", VPC: "hub", Names: hint("app"), Ingress: []*Rule{
			rule("tcp", 8080, 8080, PeerGroup, "sg-spoke"),
			rule("tcp", 8081, 8081, PeerGroup, "sg-far"),
		}, Egress: []*Rule{rule("tcp", 5432, 5432, PeerGroup, "sg-spoke")}},
		{Key: "sg-spoke", VPC: "spoke", Names: hint("spoke")},
		{Key: "sg-far", VPC: "far", Names: hint("far")},
	}
	inv.Workloads = []*Workload{
		{Key: "app-1", Kind: model.KindEC2, Subnets: []string{"app"}, Groups: []string{"sg-app"}, IPv6: true, Names: hint("app")},
		{Key: "web-1", Kind: model.KindEC2, Subnets: []string{"pub4"}, Groups: []string{"sg-app"}, IPv6: true, PublicIP: true, Names: hint("web")},
		{Key: "spoke-1", Kind: model.KindECS, Subnets: []string{"spoke-a"}, Groups: []string{"sg-spoke"}, Names: hint("spoke")},
		{Key: "far-1", Kind: model.KindECS, Subnets: []string{"far-a"}, Groups: []string{"sg-far"}, Names: hint("far")},
		{Key: "main-1", Kind: model.KindLambda, Subnets: []string{"main1", "bare"}, Groups: []string{"sg-app"}, Names: hint("fn")},
	}
	return inv
}

// TestBuildRoutes checks how route tables, and the gateways and
// connections their routes name, become the scenario's routing.
func TestBuildRoutes(t *testing.T) {
	s, text, loaded := buildAndLoad(t, routedInventory())
	if _, err := sim.Check(loaded); err != nil {
		t.Fatalf("check failed: %v", err)
	}
	tests := []struct {
		name, want string
	}{
		// public: true is exactly 0.0.0.0/0 to the internet gateway on an
		// IPv4 subnet, and adds ::/0 on an IPv6 subnet. An IPv6 subnet on
		// a table without ::/0 therefore gets the table, because AWS
		// gives its ::/0 traffic no route.
		{"exact table is public", "pub4: {cidr: 10.0.0.0/24, public: true}"},
		{"ipv6 subnet without ::/0", `pub6: {cidr: 10.0.1.0/24, ipv6_cidr: "2600:1f18:1:2301::/64", route_table: pub}`},
		{"ipv4 subnet with ::/0", "wide4: {cidr: 10.0.3.0/24, route_table: pub-dual}"},
		// A subnet without an explicit association uses the VPC's main
		// route table.
		{"main table", "main_route_table: main"},
		{"implicit subnet", "main1: {cidr: 10.0.20.0/24}   # main1: the VPC's main route table"},
		// A subnet explicitly associated with a table of only local routes
		// must name it, or the main table's routes would apply.
		{"empty explicit table", "bare: {cidr: 10.0.21.0/24, route_table: bare}"},
		{"empty table written", "      bare: {}"},
		{"nat route", "- {destination: 0.0.0.0/0, nat_gateway: nat}"},
		{"nat gateway", "nat: {subnet: pub4, elastic_ip: 203.0.113.10}"},
		{"egress-only route", `- {destination: "::/0", egress_only_internet_gateway: true}`},
		{"transit gateway route", "- {destination: 10.1.0.0/16, transit_gateway: hub-tgw}"},
		{"peering route", "- {destination: 10.2.0.0/16, peering: hub-far}"},
		// AWS adds a gateway endpoint's route for the service's prefix
		// list to each associated table. The scenario writes the
		// association, and the loader adds the route.
		{"gateway endpoint", "s3: {prefix_list: s3, route_tables: [app]}"},
		// A transit gateway's referencing setting is off by default and an
		// attachment's is on. AWS accepts a route to a gateway only from
		// an attached VPC, so a missing attachment is assumed with its
		// defaults.
		{"gateway referencing", "security_group_referencing: true"},
		{"assumed attachment", "hub: {}   # assumed from the routes of rtb-app"},
		{"attachment referencing off", "spoke: {security_group_referencing: false}"},
		{"peered regions", "region: eu-west-1"},
		// Inbound rules may reference groups across a transit gateway, but
		// outbound rules and cross-Region peerings may not.
		{"inbound reference across transit gateway", "- {protocol: tcp, ports: 8080, from: {security_group: spoke}}"},
		{"outbound reference stub", "- {protocol: tcp, ports: 5432, to: {security_group: sg-spoke}}"},
		{"cross-region reference stub", "- {protocol: tcp, ports: 8081, from: {security_group: sg-far}}"},
		{"ipv6 tier", "    ipv6: true"},
	}
	for _, tc := range tests {
		if !strings.Contains(text, tc.want) {
			t.Errorf("%s: the scenario lacks %q", tc.name, tc.want)
		}
	}
	for _, unwanted := range []string{"destination_prefix_list", "10.9.0.0/16", "10.0.30.0/24", "192.168.0.0/16", "172.16.0.0/12", "64:ff9b::/96", "100.64.0.0/10", "10.3.0.0/16", "vpcs: [hub, empty]"} {
		if strings.Contains(text[strings.Index(text, "\nname:"):], unwanted) {
			t.Errorf("the scenario writes %q, which it must leave out", unwanted)
		}
	}

	warnings := []string{
		"rt.json#/10.9.0.0/16: warning (not modeled): route table rtb-app sends 10.9.0.0/16 to virtual private gateway vgw-1",
		"sends 10.0.30.0/24 to network interface eni-1, inside the VPC's own block",
		"sends 192.168.0.0/16 to NAT gateway nat-gone, which is not in the input",
		"rt.json#/blackhole: warning (left out): route table rtb-app sends 172.16.0.0/12 to nat-1, which no longer exists",
		"sends 64:ff9b::/96 to NAT gateway nat-1, which translates IPv6 to IPv4",
		"sends 100.64.0.0/10 to an egress-only internet gateway, which carries only IPv6",
		"route table rtb-app has two routes for 10.2.0.0/16",
		"sends 10.3.0.0/16 to peering connection pcx-empty, which is left out because it peers VPC empty",
		"route table rtb-app routes to transit gateway tgw-1, but the input has no attachment of VPC hub",
		"hub and far are peered across Regions",
		"through transit gateway tgw-1, across which only inbound rules can reference groups",
		"tier web has IPv6 addresses, but its subnet pub4 has no IPv6 block",
	}
	for _, want := range warnings {
		found := false
		for _, w := range s.Warnings {
			found = found || strings.Contains(w.String(), want)
		}
		if !found {
			t.Errorf("no warning contains %q", want)
		}
	}
}

// TestBuildEndpointsAndDualStack checks interface endpoints, the Region a
// template's service names get, and load balancers' IP address types.
func TestBuildEndpointsAndDualStack(t *testing.T) {
	inv := &Inventory{Source: "test", RouteTablesKnown: true,
		VPCs: []*VPC{{Key: "v", CIDR: "10.0.0.0/16", IPv6CIDR: "2600:1f18:1:2300::/56"}},
		Subnets: []*Subnet{
			{Key: "a", VPC: "v", CIDR: "10.0.0.0/24", IPv6CIDR: "2600:1f18:1:2300::/64"},
			{Key: "b", VPC: "v", CIDR: "10.0.1.0/24"},
			{Key: "e", VPC: "v", CIDR: "10.0.2.0/24"},
		},
		RouteTables: []*RouteTable{{Key: "rt", VPC: "v", Subnets: []string{"a", "b"}, Routes: []*Route{
			{Destination: "0.0.0.0/0", Target: TargetInternetGateway, TargetKey: "igw"},
		}}},
		SecurityGroups: []*SecurityGroup{
			{Key: "lb", VPC: "v", Names: hint("lb"), Ingress: []*Rule{rule("tcp", 443, 443, PeerCIDR, "0.0.0.0/0")}, Egress: []*Rule{rule("tcp", 80, 80, PeerGroup, "app")}},
			{Key: "app", VPC: "v", Names: hint("app"), Ingress: []*Rule{rule("tcp", 80, 80, PeerGroup, "lb")}, Egress: []*Rule{rule("tcp", 443, 443, PeerGroup, "vpce")}},
			{Key: "vpce", VPC: "v", Names: hint("vpce"), Ingress: []*Rule{rule("tcp", 443, 443, PeerGroup, "app")}},
		},
		Workloads: []*Workload{
			{Key: "w", Kind: model.KindECS, Subnets: []string{"b"}, Groups: []string{"app"}, Names: hint("app")},
			{Key: "ssm-1", Kind: model.KindInterfaceEndpoint, Subnets: []string{"e"}, Groups: []string{"vpce"}, Identity: "vpce:ssm",
				Service: "com.amazonaws.${AWS::Region}.ssm", Names: []NameHint{{RankOwnName, "ssm"}}},
			{Key: "ssm-2", Kind: model.KindInterfaceEndpoint, Subnets: []string{"e"}, Groups: []string{"vpce"}, Identity: "vpce:ssm",
				Service: "com.amazonaws.${AWS::Region}.ssm", PublicIP: true, IPv6: true},
		},
		TargetGroups: []*TargetGroup{{Key: "tg", Port: 80, TargetType: "ip", MembersKnown: true, Members: []Member{{Workload: "w"}}}},
		LoadBalancers: []*LoadBalancer{
			{Key: "dual", Type: "application", Scheme: "internet-facing", IPAddressType: "dualstack-without-public-ipv4", Subnets: []string{"a"}, Groups: []string{"lb"}, Names: hint("dual"),
				Listeners: []*Listener{{Key: "l", Port: 443, Protocol: "HTTPS", Default: []*Action{{Type: "forward", TargetGroups: []string{"tg"}}}}}},
			{Key: "half", Type: "application", Scheme: "internal", IPAddressType: "dualstack", Subnets: []string{"a", "b"}, Groups: []string{"lb"}, Names: hint("half"),
				Listeners: []*Listener{{Key: "l2", Port: 443, Protocol: "HTTPS", Default: []*Action{{Type: "forward", TargetGroups: []string{"tg"}}}}}},
		},
	}
	s, text, loaded := buildAndLoad(t, inv)
	if _, err := sim.Check(loaded); err != nil {
		t.Fatalf("check failed: %v", err)
	}
	for _, want := range []string{
		// The interfaces of one endpoint form one tier, which never has a
		// public address: AWS gives endpoint interfaces private addresses.
		"  ssm:\n    kind: interface_endpoint\n    service: com.amazonaws.us-east-1.ssm\n    subnets: [e]\n    security_groups: [vpce]\n",
		"- {tier: ssm, port: 443}",
		"Not in the chain, because they are AWS services the tiers call: ssm.",
		"  dual:\n    kind: alb\n    scheme: internet-facing\n    ip_address_type: dualstack\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the scenario lacks %q", want)
		}
	}
	if strings.Contains(text, "  half:\n    kind: alb\n    scheme: internal\n    ip_address_type") {
		t.Errorf("a load balancer with a subnet without IPv6 is written as dual-stack")
	}
	for _, want := range []string{
		"the template builds service names from AWS::Region",
		"load balancer dual is dual-stack without a public IPv4 address",
		"tier half is dual-stack, but its subnet b has no IPv6 block",
	} {
		found := false
		for _, w := range s.Warnings {
			found = found || strings.Contains(w.String(), want)
		}
		if !found {
			t.Errorf("no warning contains %q", want)
		}
	}
}

// TestBuildPeeringWithoutRouteTables checks that a peering is written when
// the input has no route tables, because a rule that references a group
// across it loads only with the peering in the scenario.
func TestBuildPeeringWithoutRouteTables(t *testing.T) {
	inv := &Inventory{Source: "test",
		VPCs:     []*VPC{{Key: "a", CIDR: "10.0.0.0/16"}, {Key: "b", CIDR: "10.1.0.0/16"}},
		Subnets:  []*Subnet{{Key: "a1", VPC: "a", CIDR: "10.0.0.0/24"}, {Key: "b1", VPC: "b", CIDR: "10.1.0.0/24"}},
		Peerings: []*Peering{{Key: "pcx", Requester: "a", Accepter: "b"}},
		SecurityGroups: []*SecurityGroup{
			{Key: "ga", VPC: "a", Names: hint("ga"), Egress: []*Rule{rule("tcp", 5432, 5432, PeerGroup, "gb")}},
			{Key: "gb", VPC: "b", Names: hint("gb"), Ingress: []*Rule{rule("tcp", 5432, 5432, PeerGroup, "ga")}},
		},
		Workloads: []*Workload{
			{Key: "app", Kind: model.KindECS, Subnets: []string{"a1"}, Groups: []string{"ga"}, Names: hint("app")},
			{Key: "db", Kind: model.KindRDS, Subnets: []string{"b1"}, Groups: []string{"gb"}, Names: hint("db"), Port: 5432},
		},
	}
	_, text, _ := buildAndLoad(t, inv)
	for _, want := range []string{"peerings:\n  pcx: {vpcs: [a, b]}", "from: {security_group: ga}", "to: {security_group: gb}"} {
		if !strings.Contains(text, want) {
			t.Errorf("the scenario lacks %q", want)
		}
	}
}

// TestRouteToUnknownPrefixList checks that a route to a prefix list the
// input does not describe is checked against the family of the stand-in
// list it becomes: an egress-only internet gateway carries only IPv6.
func TestRouteToUnknownPrefixList(t *testing.T) {
	inv := &Inventory{Source: "test", RouteTablesKnown: true,
		VPCs:    []*VPC{{Key: "v", CIDR: "10.0.0.0/16", IPv6CIDR: "2600:1f18:1:2300::/56"}},
		Subnets: []*Subnet{{Key: "s", VPC: "v", CIDR: "10.0.0.0/24"}, {Key: "t", VPC: "v", CIDR: "10.0.1.0/24"}},
		RouteTables: []*RouteTable{{Key: "rt", VPC: "v", Subnets: []string{"s"}, Routes: []*Route{
			{PrefixList: "pl-unknown", Target: TargetEgressOnly, TargetKey: "eigw-1"},
			{Destination: "0.0.0.0/0", Target: TargetInternetGateway, TargetKey: "igw-1"},
		}}},
		SecurityGroups: []*SecurityGroup{{Key: "g", VPC: "v", Names: hint("g"), Ingress: []*Rule{rule("tcp", 80, 80, PeerGroup, "g")}}},
		Workloads: []*Workload{
			{Key: "w1", Kind: model.KindECS, Subnets: []string{"s"}, Groups: []string{"g"}, PublicIP: true, Names: hint("web")},
			{Key: "w2", Kind: model.KindECS, Subnets: []string{"t"}, Groups: []string{"g"}, Names: hint("app")},
		},
	}
	s, text, _ := buildAndLoad(t, inv)
	if strings.Contains(text, "destination_prefix_list") {
		t.Errorf("the route to an egress-only internet gateway for an IPv4 list is written:\n%s", text)
	}
	found := false
	for _, w := range s.Warnings {
		found = found || strings.Contains(w.Message, "sends prefix list pl-unknown to an egress-only internet gateway, which carries only IPv6")
	}
	if !found {
		t.Errorf("no warning about the route: %v", s.Warnings)
	}
}
