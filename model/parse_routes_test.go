package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// checkRoutesResolved fails for a route table, NAT gateway, peering or
// transit gateway that a scenario without errors leaves half decoded.
func checkRoutesResolved(t testing.TB, s *Scenario) {
	t.Helper()
	for _, vpc := range s.VPCs {
		for _, rt := range vpc.RouteTables {
			if rt.VPC != vpc {
				t.Errorf("route table %s is not in VPC %s", rt.Name, vpc.Name)
			}
			for _, r := range rt.Routes {
				if r.Target == "" || (!r.Destination.IsValid() && r.PrefixList == nil) {
					t.Errorf("%s is unresolved: %+v", r.Path, r)
				}
				if (r.Target == TargetNATGateway) != (r.NATGateway != nil) || (r.Target == TargetPeering) != (r.Peering != nil) || (r.Target == TargetTransitGateway) != (r.TransitGateway != nil) {
					t.Errorf("%s has target %s with the wrong gateway set", r.Path, r.Target)
				}
			}
		}
		for _, g := range vpc.NATGateways {
			if g.Subnet == nil || g.Subnet.VPC != vpc || !g.PrivateIP.IsValid() || g.Private == g.PublicAddr.IsValid() {
				t.Errorf("NAT gateway %s is unresolved: %+v", g.Name, g)
			}
		}
	}
	for _, p := range s.Peerings {
		if p.VPCs[0] == nil || p.VPCs[1] == nil {
			t.Errorf("peering %s is unresolved", p.Name)
		}
	}
	for _, g := range s.TransitGateways {
		for _, a := range g.Attachments {
			if a.VPC == nil {
				t.Errorf("transit gateway %s has an attachment without a VPC", g.Name)
			}
		}
	}
}

func findVPC(t *testing.T, s *Scenario, name string) *VPC {
	t.Helper()
	for _, v := range s.VPCs {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no VPC %q", name)
	return nil
}

func findRouteTable(t *testing.T, vpc *VPC, name string) *RouteTable {
	t.Helper()
	for _, rt := range vpc.RouteTables {
		if rt.Name == name {
			return rt
		}
	}
	t.Fatalf("VPC %s has no route table %q", vpc.Name, name)
	return nil
}

func findNAT(t *testing.T, vpc *VPC, name string) *NATGateway {
	t.Helper()
	for _, g := range vpc.NATGateways {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("VPC %s has no NAT gateway %q", vpc.Name, name)
	return nil
}

func subnetNamed(t *testing.T, vpc *VPC, name string) *Subnet {
	t.Helper()
	for _, sn := range vpc.Subnets {
		if sn.Name == name {
			return sn
		}
	}
	t.Fatalf("VPC %s has no subnet %q", vpc.Name, name)
	return nil
}

func TestParseRoutesVPCs(t *testing.T) {
	s := loadValidFile(t, "routes.yaml")
	checkRoutesResolved(t, s)
	main, shared, spoke := findVPC(t, s, "main"), findVPC(t, s, "shared"), findVPC(t, s, "hub-spoke")
	if main.Region != "us-east-1" || shared.Region != "us-east-1" || spoke.Region != "eu-west-1" {
		t.Errorf("regions = %q %q %q, want us-east-1 us-east-1 eu-west-1", main.Region, shared.Region, spoke.Region)
	}

	natA, natB, natIn := findNAT(t, main, "nat-a"), findNAT(t, main, "nat-b"), findNAT(t, main, "nat-inside")
	publicA := subnetNamed(t, main, "public-a")
	if natA.Subnet != publicA || natA.Private || natA.PublicAddr != netip.MustParseAddr("52.10.20.30") {
		t.Errorf("nat-a = subnet %v, private %v, Elastic IP %s; want public-a, public, 52.10.20.30", natA.Subnet, natA.Private, natA.PublicAddr)
	}
	// AWS reserves the first four addresses of a subnet. NAT gateways get
	// the next ones, below the tiers' addresses.
	if natA.PrivateIP != netip.MustParseAddr("10.0.0.4") || natB.PrivateIP != netip.MustParseAddr("10.0.0.5") {
		t.Errorf("NAT private addresses = %s, %s; want 10.0.0.4, 10.0.0.5", natA.PrivateIP, natB.PrivateIP)
	}
	// Without elastic_ip, a public NAT gateway gets a representative public
	// address after the tiers' ones.
	if !natB.PublicAddr.IsValid() || !natB.PublicAddr.Is4() || natB.PublicAddr == natA.PublicAddr || natB.PublicAddr.IsPrivate() {
		t.Errorf("nat-b Elastic IP = %s, want an assigned public IPv4 address", natB.PublicAddr)
	}
	alb := findTier(t, s, "alb")
	if natB.PublicAddr == alb.PublicAddr {
		t.Errorf("nat-b and alb share the public address %s", natB.PublicAddr)
	}
	if !natIn.Private || natIn.PublicAddr.IsValid() || natIn.Subnet != subnetNamed(t, main, "app-a") {
		t.Errorf("nat-inside = %+v, want a private NAT gateway in app-a without an Elastic IP", natIn)
	}

	public, private := findRouteTable(t, main, "public"), findRouteTable(t, main, "private")
	if pos := private.Pos; private.Path != "vpcs.main.route_tables.private" || pos.Line != 19 || pos.Column != 7 {
		t.Errorf("private table path %q at %d:%d, want vpcs.main.route_tables.private at 19:7", private.Path, pos.Line, pos.Column)
	}
	partners := findList(t, s, "partners")
	tests := []struct {
		route  *Route
		dest   string
		target RouteTarget
		what   string // the route rendered
	}{
		{public.Routes[0], "0.0.0.0/0", TargetInternetGateway, "0.0.0.0/0 -> internet-gateway"},
		{public.Routes[1], "::/0", TargetInternetGateway, "::/0 -> internet-gateway"},
		{private.Routes[0], "0.0.0.0/0", TargetNATGateway, "0.0.0.0/0 -> NAT gateway nat-a"},
		{private.Routes[1], "::/0", TargetEgressOnly, "::/0 -> egress-only-internet-gateway"},
		{private.Routes[2], "10.1.0.0/16", TargetPeering, "10.1.0.0/16 -> peering main-shared"},
		{private.Routes[3], "10.2.0.0/16", TargetTransitGateway, "10.2.0.0/16 -> transit gateway hub"},
		{private.Routes[4], "", TargetNATGateway, "prefix list partners -> NAT gateway nat-b"},
	}
	for i, tt := range tests {
		r := tt.route
		if tt.dest != "" && r.Destination != netip.MustParsePrefix(tt.dest) {
			t.Errorf("route %d destination = %v, want %s", i, r.Destination, tt.dest)
		}
		if r.Target != tt.target || r.String() != tt.what {
			t.Errorf("route %d = %s (%s), want %s", i, r, r.Target, tt.what)
		}
	}
	if r := private.Routes[4]; r.PrefixList != partners || !slices.Equal(r.Destinations(), partners.Entries) || r.NATGateway != natB {
		t.Errorf("prefix-list route = %+v, want partners to nat-b", r)
	}
	if r := private.Routes[2]; r.Path != "vpcs.main.route_tables.private.routes[2]" || r.Pos.Line != 23 || r.Pos.Column != 13 {
		t.Errorf("route path %q at %d:%d, want vpcs.main.route_tables.private.routes[2] at 23:13", r.Path, r.Pos.Line, r.Pos.Column)
	}

	if main.MainRouteTable != private {
		t.Errorf("main route table = %v, want private", main.MainRouteTable)
	}
	if shared.MainRouteTable != nil {
		t.Errorf("shared has main route table %v, want none", shared.MainRouteTable)
	}
}

func TestParseRoutesSubnets(t *testing.T) {
	s := loadValidFile(t, "routes.yaml")
	main := findVPC(t, s, "main")
	public, private := findRouteTable(t, main, "public"), findRouteTable(t, main, "private")
	tests := []struct {
		subnet string
		table  *RouteTable // nil: the implicit table of public: true
		public bool
	}{
		{"public-a", public, true},
		{"app-a", private, false},
		// A subnet that names no table gets the main route table.
		{"data-a", private, false},
		{"legacy", nil, true},
	}
	for _, tt := range tests {
		sn := subnetNamed(t, main, tt.subnet)
		if tt.table != nil && sn.RouteTable != tt.table {
			t.Errorf("subnet %s uses %v, want table %s", sn.Name, sn.RouteTable, tt.table.Name)
		}
		if sn.Public != tt.public {
			t.Errorf("subnet %s Public = %v, want %v", sn.Name, sn.Public, tt.public)
		}
	}

	// public: true stands for a table with 0.0.0.0/0, and ::/0 for a
	// subnet with an IPv6 block, to the internet gateway.
	legacy := subnetNamed(t, main, "legacy").RouteTable
	if legacy == nil || !legacy.Implicit || legacy.Path != "vpcs.main.subnets.legacy.public" {
		t.Fatalf("legacy's table = %+v, want the implicit table of public: true", legacy)
	}
	var got []string
	for _, r := range legacy.Routes {
		got = append(got, r.String())
	}
	if want := []string{"0.0.0.0/0 -> internet-gateway", "::/0 -> internet-gateway"}; !slices.Equal(got, want) {
		t.Errorf("legacy's routes = %v, want %v", got, want)
	}

	v4only := loadValid(t, "v4.yaml", `name: v4
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      a: {cidr: 10.0.0.0/24, public: true}
      b: {cidr: 10.0.1.0/24}
security_groups:
  sg: {egress: none}
tiers:
  x: {kind: ec2, subnets: [a], security_groups: [sg]}
  y: {kind: ec2, subnets: [b], security_groups: [sg]}
chain: [[x], [y]]
`)
	a, b := v4only.VPCs[0].Subnets[0], v4only.VPCs[0].Subnets[1]
	if len(a.RouteTable.Routes) != 1 || a.RouteTable.Routes[0].String() != "0.0.0.0/0 -> internet-gateway" {
		t.Errorf("IPv4-only public subnet routes = %v, want only 0.0.0.0/0 to the internet gateway", a.RouteTable.Routes)
	}
	// Without a main route table, a subnet has only the local routes.
	if b.RouteTable != nil || b.Public {
		t.Errorf("subnet b has table %v and Public %v, want only the local routes", b.RouteTable, b.Public)
	}
}

func TestParseRoutesPeeringsAndTransitGateways(t *testing.T) {
	s := loadValidFile(t, "routes.yaml")
	main, shared, spoke := findVPC(t, s, "main"), findVPC(t, s, "shared"), findVPC(t, s, "hub-spoke")
	if len(s.Peerings) != 2 {
		t.Fatalf("peerings = %d, want 2", len(s.Peerings))
	}
	same, cross := s.Peerings[0], s.Peerings[1]
	if same.Name != "main-shared" || same.VPCs != [2]*VPC{main, shared} || same.CrossRegion() || !same.Connects(shared, main) {
		t.Errorf("peering main-shared = %+v, cross-Region %v", same, same.CrossRegion())
	}
	if cross.Name != "main-spoke" || !cross.CrossRegion() || cross.Connects(main, shared) {
		t.Errorf("peering main-spoke = %+v, cross-Region %v, want cross-Region", cross, cross.CrossRegion())
	}

	if len(s.TransitGateways) != 1 {
		t.Fatalf("transit gateways = %d, want 1", len(s.TransitGateways))
	}
	hub := s.TransitGateways[0]
	if hub.Name != "hub" || !hub.SecurityGroupReferencing || len(hub.Attachments) != 2 {
		t.Fatalf("hub = %+v", hub)
	}
	// An attachment's referencing is on unless the attachment sets it.
	if a := hub.Attachment(main); a == nil || !a.SecurityGroupReferencing {
		t.Errorf("main's attachment = %+v, want referencing on by default", a)
	}
	if a := hub.Attachment(spoke); a == nil || a.SecurityGroupReferencing {
		t.Errorf("hub-spoke's attachment = %+v, want referencing off", a)
	}
	if hub.Attachment(shared) != nil {
		t.Errorf("shared has an attachment, want none")
	}
	if hub.ReferencesAcross(main, spoke) || hub.ReferencesAcross(main, shared) {
		t.Errorf("hub references across an attachment with referencing off or a VPC without one")
	}

	// A gateway's own referencing is off unless the gateway sets it.
	off := loadValid(t, "tgw.yaml", `name: tgw
vpcs:
  a: {cidr: 10.0.0.0/16, subnets: {a-1: {cidr: 10.0.0.0/24}}}
  b: {cidr: 10.1.0.0/16, subnets: {b-1: {cidr: 10.1.0.0/24}}}
transit_gateways:
  hub: {attachments: {a: {}, b: {}}}
security_groups:
  sa: {vpc: a, egress: none}
  sb: {vpc: b, egress: none}
tiers:
  x: {kind: ec2, subnets: [a-1], security_groups: [sa]}
  y: {kind: ec2, subnets: [b-1], security_groups: [sb]}
chain: [[x], [y]]
`)
	g := off.TransitGateways[0]
	if g.SecurityGroupReferencing || g.ReferencesAcross(off.VPCs[0], off.VPCs[1]) {
		t.Errorf("a gateway without security_group_referencing references across: %+v", g)
	}

	// Cross-VPC references the loader accepts: both ways over a same-Region
	// peering, and inbound over a transit gateway.
	app, reporting := findGroup(t, s, "app"), findGroup(t, s, "reporting")
	if p := app.Ingress[1].Peer; p.SecurityGroup != reporting {
		t.Errorf("app.ingress[1] peer = %+v, want group reporting", p)
	}
	if p := reporting.Egress[0].Peer; p.SecurityGroup != app {
		t.Errorf("reporting.egress[0] peer = %+v, want group app", p)
	}
	if p := app.Ingress[2].Peer; p.SecurityGroup != findGroup(t, s, "spoke") {
		t.Errorf("app.ingress[2] peer = %+v, want group spoke", p)
	}
}

func TestParseRoutesTiers(t *testing.T) {
	s := loadValidFile(t, "routes.yaml")
	alb, app, reporting := findTier(t, s, "alb"), findTier(t, s, "app"), findTier(t, s, "reporting")

	// A dual-stack load balancer and an ipv6: true compute tier get an
	// IPv6 address with the same host offset as their IPv4 one.
	if !alb.IPv6 || alb.IPv6Addr != netip.MustParseAddr("2600:1f18:1234:5600::a") || !alb.PublicIP {
		t.Errorf("alb IPv6 %v %s, public %v; want a dual-stack internet-facing ALB at 2600:1f18:1234:5600::a", alb.IPv6, alb.IPv6Addr, alb.PublicIP)
	}
	if !app.IPv6 || app.PrivateIP != netip.MustParseAddr("10.0.10.10") || app.IPv6Addr != netip.MustParseAddr("2600:1f18:1234:560a::a") {
		t.Errorf("app private %s, IPv6 %v %s; want 10.0.10.10 and 2600:1f18:1234:560a::a", app.PrivateIP, app.IPv6, app.IPv6Addr)
	}
	if reporting.IPv6 || reporting.IPv6Addr.IsValid() {
		t.Errorf("reporting has IPv6 %v %s, want none by default", reporting.IPv6, reporting.IPv6Addr)
	}

	if len(app.ConnectsTo) != 2 {
		t.Fatalf("app connects to %d tiers, want 2", len(app.ConnectsTo))
	}
	if c := app.ConnectsTo[0]; c.Tier != alb || !c.Public || c.Port != 443 {
		t.Errorf("connects_to[0] = %+v, want alb on 443 at its public address", c)
	}
	if c := app.ConnectsTo[1]; c.Tier != reporting || c.Public {
		t.Errorf("connects_to[1] = %+v, want reporting at its private address", c)
	}

	// ip_address_type: ipv4 is the default and gives no IPv6 address.
	v4 := loadValid(t, "ipv4-lb.yaml", `name: ipv4-lb
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: "2600:1f18:1234:5600::/56"
    subnets:
      a: {cidr: 10.0.0.0/24, ipv6_cidr: "2600:1f18:1234:5600::/64", public: true}
tiers:
  nlb: {kind: nlb, scheme: internet-facing, ip_address_type: ipv4, subnets: [a], listeners: [{port: 80, protocol: tcp, forward: {tier: web, port: 80}}]}
  web: {kind: ec2, subnets: [a], ipv6: false, security_groups: [sg]}
security_groups:
  sg: {egress: none}
chain: [[nlb], [web]]
`)
	for _, x := range v4.Tiers {
		if x.IPv6 || x.IPv6Addr.IsValid() {
			t.Errorf("tier %s has IPv6 %v %s, want none", x.Name, x.IPv6, x.IPv6Addr)
		}
	}
}

// An Elastic IP the scenario writes is an address of the design: the
// representative public addresses the loader assigns to tiers and other
// NAT gateways must differ from it.
func TestParseRoutesAssignedAddressesAvoidElasticIP(t *testing.T) {
	s := loadValid(t, "eip.yaml", `name: eip
vpcs:
  main:
    cidr: 10.0.0.0/16
    nat_gateways:
      nat-a: {subnet: public-a, elastic_ip: 198.51.100.10}
      nat-b: {subnet: public-a}
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
security_groups:
  sg: {egress: none}
tiers:
  web: {kind: ec2, subnets: [public-a], public_ip: true, security_groups: [sg]}
  api: {kind: ec2, subnets: [public-a], public_ip: true, security_groups: [sg]}
chain: [[web], [api]]
`)
	natA, natB := s.VPCs[0].NATGateways[0], s.VPCs[0].NATGateways[1]
	if natB.PublicAddr == natA.PublicAddr {
		t.Errorf("nat-b got nat-a's Elastic IP %s", natA.PublicAddr)
	}
	for _, x := range s.Tiers {
		if x.PublicAddr == natA.PublicAddr {
			t.Fatalf("tier %s is assigned %s, the Elastic IP that nat-a's elastic_ip states; tier addresses are assigned before, and without regard to, explicit Elastic IPs", x.Name, x.PublicAddr)
		}
	}
}

// routeBase loads without errors. Each case of TestParseRouteErrors edits
// it.
const routeBase = `name: routed
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: "2600:1f18:1234:5600::/56"
    region: us-east-1
    nat_gateways:
      nat-a: {subnet: public-a, elastic_ip: 52.10.20.30}
    route_tables:
      public:
        routes:
          - {destination: 0.0.0.0/0, internet_gateway: true}
          - {destination: "::/0", internet_gateway: true}
      private:
        routes:
          - {destination: 0.0.0.0/0, nat_gateway: nat-a}
          - {destination: "::/0", egress_only_internet_gateway: true}
          - {destination: 10.1.0.0/16, peering: main-shared}
          - {destination: 10.2.0.0/16, transit_gateway: hub}
          - {destination_prefix_list: partners, nat_gateway: nat-a}
    main_route_table: private
    subnets:
      public-a: {cidr: 10.0.0.0/24, ipv6_cidr: "2600:1f18:1234:5600::/64", route_table: public}
      public-b: {cidr: 10.0.1.0/24, ipv6_cidr: "2600:1f18:1234:5601::/64", route_table: public}
      app-a: {cidr: 10.0.10.0/24, ipv6_cidr: "2600:1f18:1234:560a::/64", route_table: private}
      plain-a: {cidr: 10.0.20.0/24}
  shared:
    cidr: 10.1.0.0/16
    region: us-east-1
    nat_gateways:
      nat-s: {subnet: shared-a}
    route_tables:
      shared-rt:
        routes:
          - {destination: 10.0.0.0/16, peering: main-shared}
    subnets:
      shared-a: {cidr: 10.1.0.0/24, route_table: shared-rt}
  spoke:
    cidr: 10.2.0.0/16
    region: us-east-1
    route_tables:
      spoke-rt:
        routes:
          - {destination: 10.0.0.0/16, transit_gateway: hub}
    subnets:
      spoke-a: {cidr: 10.2.0.0/24, route_table: spoke-rt}
  lonely:
    cidr: 10.3.0.0/16
    subnets:
      lonely-a: {cidr: 10.3.0.0/24}
peerings:
  main-shared: {vpcs: [main, shared]}
transit_gateways:
  hub:
    security_group_referencing: true
    attachments:
      main: {}
      spoke: {security_group_referencing: true}
prefix_lists:
  partners: {max_entries: 5, entries: [203.0.113.0/24]}
  partners-v6: {max_entries: 5, entries: ["2001:db8:aaaa::/48"]}
security_groups:
  alb:
    vpc: main
    ingress:
      - {protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}
    egress:
      - {protocol: tcp, ports: 8080, to: {security_group: app}}
  app:
    vpc: main
    ingress:
      - {protocol: tcp, ports: 8080, from: {security_group: alb}}
      - {protocol: tcp, ports: 8080, from: {security_group: peer}}
      - {protocol: tcp, ports: 8080, from: {security_group: far}}
    egress:
      - {protocol: tcp, ports: 5432, to: {security_group: peer}}
      - {protocol: tcp, ports: 5432, to: {cidr: 10.2.0.0/16}}
  peer:
    vpc: shared
    ingress:
      - {protocol: tcp, ports: 5432, from: {security_group: app}}
    egress: none
  far:
    vpc: spoke
    ingress:
      - {protocol: tcp, ports: 5432, from: {security_group: app}}
    egress:
      - {protocol: tcp, ports: 8080, to: {cidr: 10.0.0.0/16}}
  db:
    vpc: main
    ingress:
      - {protocol: tcp, ports: 5432, from: {security_group: app}}
    egress: none
  alone:
    vpc: lonely
    egress: none
tiers:
  alb:
    kind: alb
    scheme: internet-facing
    ip_address_type: dualstack
    subnets: [public-a, public-b]
    security_groups: [alb]
    listeners:
      - {port: 443, protocol: https, default_action: {forward: {tier: app, port: 8080}}}
  app:
    kind: ecs
    ipv6: true
    subnets: [app-a]
    security_groups: [app]
    connects_to:
      - {tier: alb, port: 443, address: public}
      - {tier: db, port: 5432}
  db:
    kind: rds
    subnets: [plain-a]
    security_groups: [db]
chain:
  - [alb]
  - [app]
`

func TestRouteBaseIsValid(t *testing.T) {
	s, ds := Parse("routed.yaml", []byte(routeBase))
	if len(ds) > 0 {
		t.Fatalf("route base scenario has diagnostics:\n%s", render(ds))
	}
	checkResolved(t, s)
	checkRoutesResolved(t, s)
}

// TestParseRouteErrors has one case per diagnostic of the routing keys:
// route tables, NAT gateways, peerings, transit gateways, the public and
// route_table keys of a subnet, the IPv6 keys of tiers, public connections
// and references to groups of other VPCs. Each case checks the summary, the
// key path, the position and the detail.
func TestParseRouteErrors(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // edit of routeBase; old must occur in it
		summary  string
		path     string
		at       string // text whose first occurrence marks the position, after the edit
		detail   string // text the detail must contain
	}{
		// Keys.
		{"unknown VPC key", "    region: us-east-1\n    nat_gateways:", "    regoin: us-east-1\n    nat_gateways:", "Unknown key", "vpcs.main.regoin", "regoin", `Did you mean "region"?`},
		{"unknown route key", "{destination: 10.1.0.0/16, peering: main-shared}", "{destination: 10.1.0.0/16, pering: main-shared}", "Unknown key", "vpcs.main.route_tables.private.routes[2].pering", "pering", `Did you mean "peering"?`},
		{"unknown NAT gateway key", "elastic_ip: 52.10.20.30}", "eip: 52.10.20.30}", "Unknown key", "vpcs.main.nat_gateways.nat-a.eip", "eip:", "elastic_ip"},
		{"unknown route table key", "      private:\n        routes:", "      private:\n        propagate: true\n        routes:", "Unknown key", "vpcs.main.route_tables.private.propagate", "propagate", "routes"},
		{"unknown peering key", "main-shared: {vpcs: [main, shared]}", "main-shared: {vpcs: [main, shared], region: us-east-1}", "Unknown key", "peerings.main-shared.region", "region: us-east-1}", "vpcs"},
		{"unknown transit gateway key", "    security_group_referencing: true\n    attachments:", "    sg_referencing: true\n    attachments:", "Unknown key", "transit_gateways.hub.sg_referencing", "sg_referencing", "security_group_referencing"},
		{"unknown attachment key", "spoke: {security_group_referencing: true}", "spoke: {appliance_mode: true}", "Unknown key", "transit_gateways.hub.attachments.spoke.appliance_mode", "appliance_mode", "security_group_referencing"},
		{"ipv6 on a load balancer", "    ip_address_type: dualstack", "    ipv6: true", "Unknown key", "tiers.alb.ipv6", "ipv6: true", "Only tiers of kind ecs, ec2, eks, lambda, rds and elasticache take it."},
		{"ip_address_type on compute", "    kind: ecs\n    ipv6: true", "    kind: ecs\n    ip_address_type: dualstack", "Unknown key", "tiers.app.ip_address_type", "ip_address_type: dualstack\n    subnets: [app-a]", "Only tiers of kind alb and nlb take it."},
		{"unknown connection key", "{tier: alb, port: 443, address: public}", "{tier: alb, port: 443, adress: public}", "Unknown key", "tiers.app.connects_to[0].adress", "adress", `Did you mean "address"?`},

		// VPCs and subnets.
		{"region not a string", "    region: us-east-1\n    nat_gateways:", "    region: [us-east-1]\n    nat_gateways:", "Wrong type", "vpcs.main.region", "[us-east-1]", "a Region name such as us-east-1"},
		{"public with route_table", "public-a: {cidr: 10.0.0.0/24, ipv6_cidr: \"2600:1f18:1234:5600::/64\", route_table: public}", "public-a: {cidr: 10.0.0.0/24, ipv6_cidr: \"2600:1f18:1234:5600::/64\", public: true, route_table: public}", "Conflicting keys", "vpcs.main.subnets.public-a.route_table", "route_table: »public}", "sets both public: true and route_table"},
		{"unknown route table on subnet", "route_table: private}", "route_table: privat}", "Unknown reference", "vpcs.main.subnets.app-a.route_table", "privat}", `Did you mean "private"?`},
		{"route table of another VPC on subnet", "shared-a: {cidr: 10.1.0.0/24, route_table: shared-rt}", "shared-a: {cidr: 10.1.0.0/24, route_table: private}", "VPC mismatch", "vpcs.shared.subnets.shared-a.route_table", "private}\n  spoke:", "A subnet can use only a route table of its own VPC"},
		{"unknown main route table", "main_route_table: private", "main_route_table: privte", "Unknown reference", "vpcs.main.main_route_table", "privte", `Did you mean "private"?`},
		{"main route table of another VPC", "main_route_table: private", "main_route_table: shared-rt", "VPC mismatch", "vpcs.main.main_route_table", "shared-rt\n", "must be one of the VPC's own"},

		// NAT gateways.
		{"NAT gateway without subnet", "nat-a: {subnet: public-a, elastic_ip: 52.10.20.30}", "nat-a: {elastic_ip: 52.10.20.30}", "Missing key", "vpcs.main.nat_gateways.nat-a.subnet", "nat-a: {elastic", "subnet: public-a"},
		{"NAT gateway in unknown subnet", "subnet: public-a, elastic_ip", "subnet: public-c, elastic_ip", "Unknown reference", "vpcs.main.nat_gateways.nat-a.subnet", "public-c", "No subnet named \"public-c\""},
		{"NAT gateway in a subnet of another VPC", "      nat-s: {subnet: shared-a}\n", "      nat-s: {subnet: shared-a}\n      nat-m: {subnet: public-a}\n", "VPC mismatch", "vpcs.shared.nat_gateways.nat-m.subnet", "public-a}\n    route_tables", "Place the gateway in a subnet of its own VPC"},
		{"NAT gateway connectivity", "elastic_ip: 52.10.20.30}", "elastic_ip: 52.10.20.30, connectivity: internet}", "Invalid value", "vpcs.main.nat_gateways.nat-a.connectivity", "internet}", "Use public or private."},
		{"Elastic IP on a private NAT gateway", "elastic_ip: 52.10.20.30}", "elastic_ip: 52.10.20.30, connectivity: private}", "Invalid value", "vpcs.main.nat_gateways.nat-a.elastic_ip", "52.10.20.30, connectivity", "A private NAT gateway has no Elastic IP address"},
		{"private Elastic IP", "elastic_ip: 52.10.20.30}", "elastic_ip: 10.0.0.99}", "Invalid value", "vpcs.main.nat_gateways.nat-a.elastic_ip", "10.0.0.99}", "not a public IPv4 address"},
		{"Elastic IP as CIDR", "elastic_ip: 52.10.20.30}", "elastic_ip: 52.10.20.30/32}", "Invalid value", "vpcs.main.nat_gateways.nat-a.elastic_ip", "52.10.20.30/32}", "without a prefix length"},
		{"NAT gateway name used twice", "      nat-s: {subnet: shared-a}\n", "      nat-s: {subnet: shared-a}\n      nat-a: {subnet: shared-a}\n", "Duplicate name", "vpcs.shared.nat_gateways.nat-a", "nat-a: {subnet: shared-a}", "unique across all VPCs"},
		{"too many NAT gateways in a subnet", "      nat-a: {subnet: public-a, elastic_ip: 52.10.20.30}\n", "      nat-a: {subnet: public-a, elastic_ip: 52.10.20.30}\n      n2: {subnet: public-a}\n      n3: {subnet: public-a}\n      n4: {subnet: public-a}\n      n5: {subnet: public-a}\n      n6: {subnet: public-a}\n      n7: {subnet: public-a}\n", "Address pool exhausted", "vpcs.main.nat_gateways.n7", "n7:", "at most 6 per subnet"},

		// Route tables and routes.
		{"route table name used twice", "      spoke-rt:\n", "      public:\n        routes: []\n      spoke-rt:\n", "Duplicate name", "vpcs.spoke.route_tables.public", "public:\n        routes: []", "unique across all VPCs"},
		{"routes not a list", "      public:\n        routes:\n          - {destination: 0.0.0.0/0, internet_gateway: true}\n          - {destination: \"::/0\", internet_gateway: true}", "      public:\n        routes: {destination: 0.0.0.0/0, internet_gateway: true}", "Wrong type", "vpcs.main.route_tables.public.routes", "{destination: 0.0.0.0/0, internet_gateway: true}\n      private", "a list of routes"},
		{"route without destination", "{destination: 10.1.0.0/16, peering: main-shared}", "{peering: main-shared}", "Missing key", "vpcs.main.route_tables.private.routes[2]", "{peering: main-shared}", "exactly one of destination or destination_prefix_list"},
		{"route with two destinations", "{destination: 10.1.0.0/16, peering: main-shared}", "{destination: 10.1.0.0/16, destination_prefix_list: partners, peering: main-shared}", "Conflicting keys", "vpcs.main.route_tables.private.routes[2].destination_prefix_list", "destination_prefix_list: partners, peering", "exactly one of destination or destination_prefix_list"},
		{"route without target", "{destination: 10.1.0.0/16, peering: main-shared}", "{destination: 10.1.0.0/16}", "Missing key", "vpcs.main.route_tables.private.routes[2]", "{destination: 10.1.0.0/16}", "nat_gateway: nat-a"},
		{"route with two targets", "{destination: 10.1.0.0/16, peering: main-shared}", "{destination: 10.1.0.0/16, peering: main-shared, internet_gateway: true}", "Conflicting keys", "vpcs.main.route_tables.private.routes[2].internet_gateway", "internet_gateway: true}\n          - {destination: 10.2", "Keep one of them"},
		{"destination not a CIDR", "{destination: 10.1.0.0/16, peering: main-shared}", "{destination: 10.1.0.0, peering: main-shared}", "Invalid CIDR", "vpcs.main.route_tables.private.routes[2].destination", "10.1.0.0, peering", "10.1.0.0/32"},
		{"destination inside the VPC", "{destination: 10.1.0.0/16, peering: main-shared}", "{destination: 10.0.5.0/24, peering: main-shared}", "Invalid value", "vpcs.main.route_tables.private.routes[2].destination", "10.0.5.0/24", "lies inside VPC main"},
		{"IPv6 destination inside the VPC", "{destination: \"::/0\", egress_only_internet_gateway: true}", "{destination: \"2600:1f18:1234:5650::/60\", egress_only_internet_gateway: true}", "Invalid value", "vpcs.main.route_tables.private.routes[1].destination", `"2600:1f18:1234:5650::/60"`, "lies inside VPC main"},
		{"unknown destination prefix list", "destination_prefix_list: partners,", "destination_prefix_list: partner,", "Unknown reference", "vpcs.main.route_tables.private.routes[4].destination_prefix_list", "partner,", `Did you mean "partners"?`},
		{"duplicate destination", "{destination: 10.2.0.0/16, transit_gateway: hub}", "{destination: 10.1.0.0/16, transit_gateway: hub}", "Duplicate value", "vpcs.main.route_tables.private.routes[3].destination", "10.1.0.0/16, transit_gateway", "already has a route for this destination on line 18"},
		{"duplicate destination prefix list", "          - {destination_prefix_list: partners, nat_gateway: nat-a}\n", "          - {destination_prefix_list: partners, nat_gateway: nat-a}\n          - {destination_prefix_list: partners, internet_gateway: true}\n", "Duplicate value", "vpcs.main.route_tables.private.routes[5].destination_prefix_list", "partners, internet_gateway", "on line 20"},
		{"internet gateway false", "{destination: 0.0.0.0/0, internet_gateway: true}", "{destination: 0.0.0.0/0, internet_gateway: false}", "Invalid value", "vpcs.main.route_tables.public.routes[0].internet_gateway", "false}", "internet_gateway takes only true"},
		{"internet gateway not a boolean", "{destination: 0.0.0.0/0, internet_gateway: true}", "{destination: 0.0.0.0/0, internet_gateway: yes}", "Wrong type", "vpcs.main.route_tables.public.routes[0].internet_gateway", "yes}", "Write true or false"},
		{"egress-only gateway for IPv4", "{destination: \"::/0\", egress_only_internet_gateway: true}", "{destination: 0.0.0.0/1, egress_only_internet_gateway: true}", "Invalid value", "vpcs.main.route_tables.private.routes[1].egress_only_internet_gateway", "true}\n          - {destination: 10.1", "carries only IPv6 traffic"},
		{"egress-only gateway for an IPv4 prefix list", "{destination_prefix_list: partners, nat_gateway: nat-a}", "{destination_prefix_list: partners, egress_only_internet_gateway: true}", "Invalid value", "vpcs.main.route_tables.private.routes[4].egress_only_internet_gateway", "true}\n    main_route_table", "carries only IPv6 traffic"},
		{"unknown NAT gateway", "{destination: 0.0.0.0/0, nat_gateway: nat-a}", "{destination: 0.0.0.0/0, nat_gateway: nat-b}", "Unknown reference", "vpcs.main.route_tables.private.routes[0].nat_gateway", "nat-b}", `Did you mean "nat-a"?`},
		{"NAT gateway of another VPC", "{destination_prefix_list: partners, nat_gateway: nat-a}", "{destination_prefix_list: partners, nat_gateway: nat-s}", "VPC mismatch", "vpcs.main.route_tables.private.routes[4].nat_gateway", "nat-s}\n    main_route_table", "not even across a peering"},
		{"NAT gateway for IPv6", "{destination: \"::/0\", egress_only_internet_gateway: true}", "{destination: \"::/0\", nat_gateway: nat-a}", "Invalid value", "vpcs.main.route_tables.private.routes[1].nat_gateway", "nat-a}\n          - {destination: 10.1", "NAT gateways for IPv4 only"},
		{"NAT gateway for an IPv6 prefix list", "{destination_prefix_list: partners, nat_gateway: nat-a}", "{destination_prefix_list: partners-v6, nat_gateway: nat-a}", "Invalid value", "vpcs.main.route_tables.private.routes[4].nat_gateway", "nat-a}\n    main_route_table", "NAT gateways for IPv4 only"},
		{"unknown peering", "{destination: 10.1.0.0/16, peering: main-shared}", "{destination: 10.1.0.0/16, peering: main-shard}", "Unknown reference", "vpcs.main.route_tables.private.routes[2].peering", "main-shard}", `Did you mean "main-shared"?`},
		{"peering of other VPCs", "          - {destination: 10.0.0.0/16, transit_gateway: hub}", "          - {destination: 10.0.0.0/16, peering: main-shared}", "VPC mismatch", "vpcs.spoke.route_tables.spoke-rt.routes[0].peering", "main-shared}\n    subnets:\n      spoke-a", "does not connect VPC spoke"},
		{"unknown transit gateway", "{destination: 10.2.0.0/16, transit_gateway: hub}", "{destination: 10.2.0.0/16, transit_gateway: hubb}", "Unknown reference", "vpcs.main.route_tables.private.routes[3].transit_gateway", "hubb}", `Did you mean "hub"?`},
		{"transit gateway without the VPC's attachment", "          - {destination: 10.0.0.0/16, peering: main-shared}", "          - {destination: 10.0.0.0/16, transit_gateway: hub}", "Invalid reference", "vpcs.shared.route_tables.shared-rt.routes[0].transit_gateway", "hub}\n    subnets:\n      shared-a", "has no attachment for VPC shared"},

		// Peerings.
		{"peering without vpcs", "main-shared: {vpcs: [main, shared]}", "main-shared: {}", "Missing key", "peerings.main-shared.vpcs", "main-shared: {}", "vpcs: [main, shared]"},
		{"peering vpcs not a list", "main-shared: {vpcs: [main, shared]}", "main-shared: {vpcs: main}", "Wrong type", "peerings.main-shared.vpcs", "main}", "a list of the two peered VPCs"},
		{"peering of three VPCs", "main-shared: {vpcs: [main, shared]}", "main-shared: {vpcs: [main, shared, spoke]}", "Invalid value", "peerings.main-shared.vpcs", "[main, shared, spoke]", "exactly two VPCs, but 3 are listed"},
		{"peering of an unknown VPC", "main-shared: {vpcs: [main, shared]}", "main-shared: {vpcs: [main, sharde]}", "Unknown reference", "peerings.main-shared.vpcs[1]", "sharde", `Did you mean "shared"?`},
		{"peering of a VPC with itself", "main-shared: {vpcs: [main, shared]}", "main-shared: {vpcs: [main, main]}", "Invalid value", "peerings.main-shared.vpcs", "[main, main]", "both entries name main"},
		{"peering of overlapping VPCs", "  lonely:\n    cidr: 10.3.0.0/16\n    subnets:\n      lonely-a: {cidr: 10.3.0.0/24}", "  lonely:\n    cidr: 10.0.0.0/16\n    subnets:\n      lonely-a: {cidr: 10.0.0.0/24}\npeerings:\n  clash: {vpcs: [main, lonely]}", "Invalid value", "peerings.clash.vpcs", "[main, lonely]", "overlap"},

		// Transit gateways.
		{"transit gateway referencing not a boolean", "    security_group_referencing: true\n    attachments:", "    security_group_referencing: enable\n    attachments:", "Wrong type", "transit_gateways.hub.security_group_referencing", "enable", "true or false"},
		{"transit gateway without attachments", "    security_group_referencing: true\n    attachments:\n      main: {}\n      spoke: {security_group_referencing: true}\n", "    security_group_referencing: true\n", "Missing key", "transit_gateways.hub.attachments", "  hub:", "attachments: {main: {}, shared: {}}"},
		{"attachment of an unknown VPC", "      main: {}\n      spoke:", "      mian: {}\n      spoke:", "Unknown reference", "transit_gateways.hub.attachments.mian", "mian", `Did you mean "main"?`},
		{"attachment referencing not a boolean", "spoke: {security_group_referencing: true}", "spoke: {security_group_referencing: 1}", "Wrong type", "transit_gateways.hub.attachments.spoke.security_group_referencing", "1}", "true or false"},

		// Tiers.
		{"ipv6 without subnet IPv6 block", "  db:\n    kind: rds\n", "  db:\n    kind: rds\n    ipv6: true\n", "Invalid value", "tiers.db.ipv6", "true\n    subnets: [plain-a]", "Subnet plain-a of tier db has no ipv6_cidr"},
		{"ipv6 not a boolean", "    kind: ecs\n    ipv6: true", "    kind: ecs\n    ipv6: dual", "Wrong type", "tiers.app.ipv6", "ipv6: »dual", "true or false"},
		{"ip_address_type unknown", "ip_address_type: dualstack", "ip_address_type: dual-stack", "Invalid value", "tiers.alb.ip_address_type", "dual-stack", `Did you mean "dualstack"?`},
		{"dualstack without subnet IPv6 block", "    subnets: [public-a, public-b]", "    subnets: [public-a, plain-a]", "Invalid value", "tiers.alb.ip_address_type", "dualstack", "Subnet plain-a of tier alb has no ipv6_cidr"},
		{"connection address unknown", "address: public}", "address: elastic}", "Invalid value", "tiers.app.connects_to[0].address", "elastic}", "Use private or public."},
		{"public connection to a tier without a public address", "{tier: db, port: 5432}", "{tier: db, port: 5432, address: public}", "Invalid value", "tiers.app.connects_to[1].address", "public}\n  db:", "Tier db has no public address"},
		{"public connection to an internal load balancer", "    scheme: internet-facing", "    scheme: internal", "Invalid value", "tiers.app.connects_to[0].address", "public}\n      - {tier: db", "Tier alb has no public address"},

		// References to groups of other VPCs.
		{"outbound reference across a transit gateway", "to: {cidr: 10.2.0.0/16}", "to: {security_group: far}", "VPC mismatch", "security_groups.app.egress[1].to.security_group", "far}}\n  peer:", "only inbound rules can reference groups"},
		{"reference across a cross-Region peering", "    region: us-east-1\n    nat_gateways:\n      nat-s:", "    region: eu-west-1\n    nat_gateways:\n      nat-s:", "VPC mismatch", "security_groups.app.ingress[1].from.security_group", "peer}}\n      - {protocol: tcp, ports: 8080, from: {security_group: far", "across Regions (eu-west-1 and us-east-1)"},
		{"outbound reference across a cross-Region peering", "    region: us-east-1\n    nat_gateways:\n      nat-s:", "    region: eu-west-1\n    nat_gateways:\n      nat-s:", "VPC mismatch", "security_groups.app.egress[0].to.security_group", "peer}}\n      - {protocol: tcp, ports: 5432, to: {cidr", "use the peer VPC's CIDR block"},
		{"reference to an unconnected VPC", "from: {security_group: far}", "from: {security_group: alone}", "VPC mismatch", "security_groups.app.ingress[2].from.security_group", "alone}", "only across a same-Region peering, or in an inbound rule across a transit gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(routeBase, tt.old) {
				t.Fatalf("route base does not contain %q", tt.old)
			}
			text := strings.Replace(routeBase, tt.old, tt.new, 1)
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

// AWS allocates an Elastic IP address to one resource at a time, so two NAT
// gateways cannot share one.
func TestParseRoutesElasticIPUsedTwice(t *testing.T) {
	text := strings.Replace(routeBase, "      nat-s: {subnet: shared-a}\n", "      nat-s: {subnet: shared-a, elastic_ip: 52.10.20.30}\n", 1)
	_, ds := Parse("case.yaml", []byte(text))
	for _, d := range ds {
		if d.Severity == Error && d.Path == "vpcs.shared.nat_gateways.nat-s.elastic_ip" {
			return
		}
	}
	t.Fatalf("two NAT gateways with the Elastic IP 52.10.20.30 load without an error; got:\n%s", render(ds))
}

// A NAT gateway must sit in a subnet of its own VPC. A subnet of a VPC that
// the file lists later exists, so naming it is a VPC mismatch rather than an
// unknown name. The subnet names listed for an unknown name further down the
// file must include that VPC's subnets too.
func TestParseRoutesNATGatewayInLaterVPC(t *testing.T) {
	text := strings.Replace(routeBase, "nat-a: {subnet: public-a, elastic_ip: 52.10.20.30}", "nat-a: {subnet: shared-a, elastic_ip: 52.10.20.30}", 1)
	text = strings.Replace(text, "    subnets: [plain-a]\n", "    subnets: [shared-b]\n", 1)
	_, ds := Parse("case.yaml", []byte(text))
	var nat, tier *Diagnostic
	for i, d := range ds {
		switch d.Path {
		case "vpcs.main.nat_gateways.nat-a.subnet":
			nat = &ds[i]
		case "tiers.db.subnets[0]":
			tier = &ds[i]
		}
	}
	if nat == nil || tier == nil {
		t.Fatalf("want diagnostics at the NAT gateway's subnet and the tier's subnet; got:\n%s", render(ds))
	}
	var bugs []string
	if nat.Summary != "VPC mismatch" {
		bugs = append(bugs, fmt.Sprintf("a NAT gateway in subnet shared-a of the later VPC shared gets %q (%s), not a VPC mismatch, because NAT gateways resolve their subnet while later VPCs are not decoded yet", nat.Summary, nat.Detail))
	}
	if !strings.Contains(tier.Detail, "shared-a") {
		bugs = append(bugs, fmt.Sprintf("the unknown subnet shared-b of tier db gets %q, which neither suggests nor lists shared-a: the list of subnet names was cached while the NAT gateway's lookup ran", tier.Detail))
	}
	if len(bugs) > 0 {
		t.Fatalf("%s", strings.Join(bugs, "; "))
	}
}
