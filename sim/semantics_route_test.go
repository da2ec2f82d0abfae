package sim_test

// The routing tests check one documented AWS fact each about route tables,
// internet gateways, egress-only internet gateways, NAT gateways, peering
// and transit gateways. Each test builds a small scenario from inline YAML,
// edits it for each case, and asserts verdicts, findings, trace steps and
// reason codes.

import (
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// rtEdit returns src with each old text of the (old, new) pairs replaced
// once. It fails the test when an old text is not in src, so that a case
// never checks an unedited scenario by mistake.
func rtEdit(t *testing.T, src string, edits ...string) string {
	t.Helper()
	if len(edits)%2 != 0 {
		t.Fatalf("rtEdit needs (old, new) pairs, got %d strings", len(edits))
	}
	for i := 0; i < len(edits); i += 2 {
		if !strings.Contains(src, edits[i]) {
			t.Fatalf("edit target %q not in the scenario:\n%s", edits[i], numbered(src))
		}
		src = strings.Replace(src, edits[i], edits[i+1], 1)
	}
	return src
}

// rtTrace loads a scenario and traces one request through it.
func rtTrace(t *testing.T, name, src string, req sim.Request) *sim.TraceResult {
	t.Helper()
	res, err := sim.Trace(parseYAML(t, name, src), req)
	if err != nil {
		t.Fatalf("Trace(%s, %s -> %s): %v", name, req.From, req.To, err)
	}
	return res
}

// rtTier returns a tier of a loaded scenario, for its assigned addresses.
func rtTier(t *testing.T, s *model.Scenario, name string) *model.Tier {
	t.Helper()
	for _, x := range s.Tiers {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("scenario %s has no tier %s", s.Name, name)
	return nil
}

// rtRouteStep returns the routing step of a hop, or fails.
func rtRouteStep(t *testing.T, h sim.Hop) sim.Step {
	t.Helper()
	return stepOf(t, h, sim.FilterRoute)
}

// rtHasStep reports whether a hop has a step of the filter.
func rtHasStep(h sim.Hop, filter sim.Filter) bool {
	return slices.ContainsFunc(h.Steps, func(st sim.Step) bool { return st.Filter == filter })
}

// rtDropStep returns the last step of a hop, the one that dropped it.
func rtDropStep(t *testing.T, h sim.Hop) sim.Step {
	t.Helper()
	if len(h.Steps) == 0 {
		t.Fatalf("hop %s -> %s has no steps", h.From, h.To)
	}
	return h.Steps[len(h.Steps)-1]
}

// rtReaches reports whether a TCP packet to port from the source address
// src arrives at a tier, along any path. It runs the exact flow query, which
// cuts the packet space down to the one source.
func rtReaches(t *testing.T, s *model.Scenario, from, to string, port int, src string) bool {
	t.Helper()
	res, err := sim.Compile(s).Possible(sim.Flow{From: from, To: to, Protocol: model.TCP,
		Ports: model.PortRange{From: port, To: port}, Src: netip.MustParseAddr(src)})
	if err != nil {
		t.Fatalf("Possible(%s -> %s from %s): %v", from, to, src, err)
	}
	return res.Possible
}

// wantHop fails unless the intended hop has the verdict and reason.
func wantHop(t *testing.T, r *sim.Report, from, to, verdict, reason string) sim.HopVerdict {
	t.Helper()
	v := hopVerdict(t, r, from, to)
	if v.Verdict != verdict || v.Reason != reason {
		t.Fatalf("hop %s -> %s = %s %q, want %s %q\n%s", from, to, v.Verdict, v.Reason, verdict, reason, dump(r))
	}
	return v
}

// igwScenario has a public tier gate in front of a web tier whose group
// admits HTTPS from everywhere. Both subnets use the route table public,
// which sends 0.0.0.0/0 to the internet gateway. Subnet dark-a has only the
// local route. gate gets the public address 198.51.100.10 and web
// 198.51.100.11.
const igwScenario = `name: igw
vpcs:
  main:
    cidr: 10.0.0.0/16
    route_tables:
      public:
        routes:
          - {destination: 0.0.0.0/0, internet_gateway: true}
    subnets:
      gate-a: {cidr: 10.0.0.0/24, route_table: public}
      web-a: {cidr: 10.0.1.0/24, route_table: public}
      dark-a: {cidr: 10.0.2.0/24}
security_groups:
  gate: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}], egress: [{protocol: tcp, ports: 443, to: {security_group: web}}]}
  web: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}], egress: none}
tiers:
  gate: {kind: ec2, subnets: [gate-a], public_ip: true, security_groups: [gate], connects_to: [{tier: web, port: 443}]}
  web: {kind: ec2, subnets: [web-a], public_ip: true, security_groups: [web]}
chain: [[gate], [web]]
attackers:
  internet: {kind: internet, own_distribution: false}
`

// Internet gateways (VPC User Guide): an instance is reachable from the
// internet only when it has a public IPv4 address and its subnet's route
// table sends internet traffic to an internet gateway. The gateway
// translates the public address to the private one. Without either part no
// connection from the internet arrives. A route for a narrower block than
// 0.0.0.0/0 carries the replies only to that block, so only hosts in it can
// keep a connection open.
func TestRouteInternetNeedsPublicAddressAndRoute(t *testing.T) {
	t.Run("public address and route", func(t *testing.T) {
		r := checkYAML(t, "igw", igwScenario)
		f := skipAlong(r, "internet", "web")
		if f == nil {
			t.Fatalf("internet does not reach web, which has a public address in a routed subnet\n%s", dump(r))
		}
		if want := netip.MustParseAddr("198.51.100.11"); f.Packet.Dst != want {
			t.Errorf("packet destination = %s, want web's public address %s", f.Packet.Dst, want)
		}
		if prefix("10.0.0.0/8").Contains(f.Packet.Src) || !f.Packet.Src.Is4() {
			t.Errorf("packet source = %s, want a public IPv4 address", f.Packet.Src)
		}
		if st := stepOf(t, f.Hops[0], sim.FilterIngress); !strings.HasPrefix(st.Rule, "security_groups.web.ingress[0] ") {
			t.Errorf("admitting rule = %q, want security_groups.web.ingress[0]", st.Rule)
		}
		if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Skippable {
			t.Errorf("stage 2 = %s, want %s", v.Verdict, sim.Skippable)
		}
	})

	notReached := []struct {
		name  string
		edits []string
	}{
		{"public address in a subnet without the route", []string{"web: {kind: ec2, subnets: [web-a]", "web: {kind: ec2, subnets: [dark-a]"}},
		{"route without a public address", []string{"subnets: [web-a], public_ip: true", "subnets: [web-a], public_ip: false"}},
	}
	for _, tc := range notReached {
		t.Run(tc.name, func(t *testing.T) {
			src := rtEdit(t, igwScenario, tc.edits...)
			r := checkYAML(t, "igw", src)
			if fs := skipsTo(r, "internet", "web"); len(fs) != 0 {
				t.Errorf("internet reaches web\n%s", dump(r))
			}
			if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Holds {
				t.Errorf("stage 2 = %s, want %s", v.Verdict, sim.Holds)
			}
			res := rtTrace(t, "igw", src, sim.Request{From: "internet", To: "web", Protocol: model.TCP, HasProtocol: true, Port: 443, HasPort: true})
			if res.Reached || res.Reason != sim.ReasonNotInternetFacing {
				t.Errorf("trace: reached %v, reason %q; want a drop with %s", res.Reached, res.Reason, sim.ReasonNotInternetFacing)
			}
		})
	}

	// The routed block leaves out 203.0.113.7, the address the simulator
	// prefers for internet traffic, so that the check must split the
	// internet's addresses at the route's boundary to find the way in.
	t.Run("route for one block", func(t *testing.T) {
		src := rtEdit(t, igwScenario, "{destination: 0.0.0.0/0, internet_gateway: true}", "{destination: 203.0.113.128/25, internet_gateway: true}")
		s := parseYAML(t, "igw", src)
		if !rtReaches(t, s, "internet", "web", 443, "203.0.113.200") {
			t.Errorf("203.0.113.200, inside the routed block, does not reach web")
		}
		for _, outside := range []string{"203.0.113.7", "203.0.113.127", "93.184.216.34"} {
			if rtReaches(t, s, "internet", "web", 443, outside) {
				t.Errorf("%s, outside the routed block, reaches web", outside)
			}
		}
		res := rtTrace(t, "igw", src, sim.Request{From: "internet", To: "web", Src: netip.MustParseAddr("203.0.113.7")})
		if res.Reached || res.Reason != sim.ReasonNotInternetFacing {
			t.Errorf("trace from 203.0.113.7: reached %v, reason %q; want a drop with %s", res.Reached, res.Reason, sim.ReasonNotInternetFacing)
		} else if st := rtDropStep(t, res.Hops[len(res.Hops)-1]); !strings.Contains(st.Detail, "routes 203.0.113.7") || st.Rule != "vpcs.main.route_tables.public" {
			t.Errorf("drop step = %q at %q, want the detail to say no subnet routes 203.0.113.7 and the rule to name the route table", st.Detail, st.Rule)
		}

		r := checkYAML(t, "igw", src)
		if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Skippable {
			t.Fatalf("check splits internet sources only at security-group rule boundaries, not at route destinations, so it misses that 203.0.113.128/25 reaches web and reports stage 2 %s", v.Verdict)
		}
	})
}

// ipv6Scenario has an app tier with an IPv6 address but no public IPv4
// address, in subnet app-a whose table sends 0.0.0.0/0 to a NAT gateway and
// ::/0 to the internet gateway. Its group admits HTTPS from both families.
const ipv6Scenario = `name: ipv6
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: "2600:1f18:1234:5600::/56"
    nat_gateways:
      nat-a: {subnet: gate-a}
    route_tables:
      public:
        routes:
          - {destination: 0.0.0.0/0, internet_gateway: true}
          - {destination: "::/0", internet_gateway: true}
      private:
        routes:
          - {destination: 0.0.0.0/0, nat_gateway: nat-a}
          - {destination: "::/0", internet_gateway: true}
    subnets:
      gate-a: {cidr: 10.0.0.0/24, ipv6_cidr: "2600:1f18:1234:5600::/64", route_table: public}
      app-a: {cidr: 10.0.10.0/24, ipv6_cidr: "2600:1f18:1234:560a::/64", route_table: private}
security_groups:
  gate: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}], egress: aws-default}
  app: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}, {protocol: tcp, ports: 443, from: {cidr: "::/0"}}], egress: aws-default}
tiers:
  gate: {kind: ec2, subnets: [gate-a], public_ip: true, security_groups: [gate], connects_to: [{tier: app, port: 443}]}
  app: {kind: ecs, subnets: [app-a], ipv6: true, security_groups: [app]}
chain: [[gate], [app]]
attackers:
  internet: {kind: internet, own_distribution: false}
`

// Internet gateways (VPC User Guide): IPv6 addresses are globally unique and
// public, and the internet gateway does no address translation for them. A
// dual-stack subnet whose table sends ::/0 to the internet gateway exposes
// every interface with an IPv6 address, even when its IPv4 side is private
// behind a NAT gateway.
func TestRouteIPv6ReachesTierWithPrivateIPv4(t *testing.T) {
	s := parseYAML(t, "ipv6", ipv6Scenario)
	app := rtTier(t, s, "app")
	if want := netip.MustParseAddr("2600:1f18:1234:560a::a"); app.IPv6Addr != want {
		t.Fatalf("app's IPv6 address = %s, want %s", app.IPv6Addr, want)
	}
	r := checkYAML(t, "ipv6", ipv6Scenario)
	fs := skipsTo(r, "internet", "app")
	if len(fs) == 0 {
		t.Fatalf("internet does not reach app over IPv6\n%s", dump(r))
	}
	for _, f := range fs {
		if f.Packet.Dst != app.IPv6Addr || !prefix("2000::/3").Contains(f.Packet.Src) {
			t.Errorf("packet %s, want one from a global IPv6 address to app's IPv6 address %s", f.Packet.String(), app.IPv6Addr)
		}
	}
	if st := stepOf(t, fs[0].Hops[0], sim.FilterIngress); !strings.HasPrefix(st.Rule, "security_groups.app.ingress[1] ") {
		t.Errorf("admitting rule = %q, want the ::/0 rule security_groups.app.ingress[1]", st.Rule)
	}
	res := rtTrace(t, "ipv6", ipv6Scenario, sim.Request{From: "internet", To: "app", Src: netip.MustParseAddr("203.0.113.7")})
	if res.Reached {
		t.Errorf("an IPv4 host reaches app, which has no public IPv4 address: %v", res.Path)
	}
}

// Egress-only internet gateways (VPC User Guide): an egress-only internet
// gateway lets IPv6 traffic out of the VPC but stops any connection the
// internet starts towards an instance over IPv6.
func TestRouteEgressOnlyGatewayBlocksInbound(t *testing.T) {
	eigw := rtEdit(t, ipv6Scenario,
		"          - {destination: 0.0.0.0/0, nat_gateway: nat-a}\n          - {destination: \"::/0\", internet_gateway: true}",
		"          - {destination: 0.0.0.0/0, nat_gateway: nat-a}\n          - {destination: \"::/0\", egress_only_internet_gateway: true}")

	t.Run("not reachable", func(t *testing.T) {
		r := checkYAML(t, "eigw", eigw)
		if fs := skipsTo(r, "internet", "app"); len(fs) != 0 {
			t.Errorf("internet reaches app through an egress-only gateway\n%s", dump(r))
		}
		if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Holds {
			t.Errorf("stage 2 = %s, want %s", v.Verdict, sim.Holds)
		}
	})

	t.Run("trace names the gateway", func(t *testing.T) {
		res := rtTrace(t, "eigw", eigw, sim.Request{From: "internet", To: "app", Src: netip.MustParseAddr("2001:db8:203::7")})
		if res.Reached {
			t.Fatalf("an IPv6 host reaches app through an egress-only gateway: %v", res.Path)
		}
		if res.Reason != sim.ReasonEgressOnly {
			t.Fatalf("a trace of an IPv6 host to a tier whose only IPv6 route is ::/0 to an egress-only gateway gives %s, not %s", res.Reason, sim.ReasonEgressOnly)
		}
	})

	// With one partner block routed to the internet gateway, the
	// internet has a way in for that block, and every other source meets
	// the egress-only gateway.
	partner := rtEdit(t, eigw, "egress_only_internet_gateway: true}",
		"egress_only_internet_gateway: true}\n          - {destination: \"2001:db8:aaaa::/48\", internet_gateway: true}")
	t.Run("partner block", func(t *testing.T) {
		ps := parseYAML(t, "eigw-partner", partner)
		if !rtReaches(t, ps, "internet", "app", 443, "2001:db8:aaaa::7") {
			t.Errorf("the partner block routed to the internet gateway does not reach app")
		}
		if rtReaches(t, ps, "internet", "app", 443, "2001:db8:203::7") {
			t.Errorf("2001:db8:203::7, outside the partner block, reaches app through the egress-only gateway")
		}
		res := rtTrace(t, "eigw-partner", partner, sim.Request{From: "internet", To: "app", Src: netip.MustParseAddr("2001:db8:203::7")})
		if res.Reached || res.Reason != sim.ReasonEgressOnly {
			t.Fatalf("trace from outside the partner block: reached %v, reason %q; want a drop with %s", res.Reached, res.Reason, sim.ReasonEgressOnly)
		}
		if st := rtDropStep(t, res.Hops[len(res.Hops)-1]); !strings.Contains(st.Detail, "egress-only") {
			t.Errorf("drop detail %q does not name the egress-only gateway", st.Detail)
		}

		r := checkYAML(t, "eigw-partner", partner)
		if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Skippable {
			t.Fatalf("check splits internet sources only at security-group rule boundaries, not at route destinations, so it misses that the partner block 2001:db8:aaaa::/48 reaches app and reports stage 2 %s", v.Verdict)
		}
	})
}

// dualStackALBScenario has an internet-facing dual-stack ALB in front of an
// app. Its group admits HTTPS over IPv4 only from an office block and over
// IPv6 from everywhere. The chain starts at an office tier so that reaching
// the ALB directly is a skip.
const dualStackALBScenario = `name: dualstack-alb
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: "2600:1f18:1234:5600::/56"
    route_tables:
      public:
        routes:
          - {destination: 0.0.0.0/0, internet_gateway: true}
          - {destination: "::/0", internet_gateway: true}
    subnets:
      public-a: {cidr: 10.0.0.0/24, ipv6_cidr: "2600:1f18:1234:5600::/64", route_table: public}
      public-b: {cidr: 10.0.1.0/24, ipv6_cidr: "2600:1f18:1234:5601::/64", route_table: public}
      app-a: {cidr: 10.0.10.0/24}
security_groups:
  office: {ingress: [], egress: aws-default}
  alb: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 203.0.113.0/28}}, {protocol: tcp, ports: 443, from: {cidr: "::/0"}}], egress: [{protocol: tcp, ports: 8080, to: {security_group: app}}]}
  app: {ingress: [{protocol: tcp, ports: 8080, from: {security_group: alb}}], egress: none}
tiers:
  office: {kind: ec2, subnets: [app-a], security_groups: [office]}
  alb:
    kind: alb
    scheme: internet-facing
    ip_address_type: dualstack
    subnets: [public-a, public-b]
    security_groups: [alb]
    listeners:
      - {port: 443, protocol: https, default_action: {forward: {tier: app, port: 8080}}}
  app: {kind: ecs, subnets: [app-a], security_groups: [app]}
chain: [[office], [alb], [app]]
attackers:
  internet: {kind: internet, own_distribution: false}
`

// Application Load Balancers: an internet-facing load balancer with the
// dualstack IP address type has public IPv4 and IPv6 addresses, and its
// security group's IPv4 and IPv6 rules each admit only their own family. An
// internal load balancer has no address the internet can reach, whatever
// its IP address type.
func TestRouteDualStackALB(t *testing.T) {
	t.Run("internet-facing", func(t *testing.T) {
		r := checkYAML(t, "dualstack-alb", dualStackALBScenario)
		if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Skippable {
			t.Errorf("stage 2 = %s, want %s: the ::/0 rule admits the internet over IPv6\n%s", v.Verdict, sim.Skippable, dump(r))
		}
		s := parseYAML(t, "dualstack-alb", dualStackALBScenario)
		alb := rtTier(t, s, "alb")
		if !alb.IPv6 || !alb.IPv6Addr.IsValid() || !alb.PublicAddr.IsValid() {
			t.Fatalf("alb: IPv6 %v, IPv6 address %s, public address %s; want both families", alb.IPv6, alb.IPv6Addr, alb.PublicAddr)
		}
		for _, tc := range []struct {
			src  string
			want bool
		}{
			{"2001:db8:203::7", true}, // any IPv6 host, through the ::/0 rule
			{"203.0.113.7", true},     // the office block
			{"203.0.113.100", false},  // an IPv4 host outside it
		} {
			if got := rtReaches(t, s, "internet", "alb", 443, tc.src); got != tc.want {
				t.Errorf("%s reaches alb: %v, want %v", tc.src, got, tc.want)
			}
		}

		v6 := rtTrace(t, "dualstack-alb", dualStackALBScenario, sim.Request{From: "internet", To: "alb", Src: netip.MustParseAddr("2001:db8:203::7")})
		if !v6.Reached {
			t.Fatalf("an IPv6 host does not reach alb: %s", v6.Reason)
		}
		if v6.Packet.Dst != alb.IPv6Addr {
			t.Errorf("IPv6 packet addressed to %s, want alb's IPv6 address %s", v6.Packet.Dst, alb.IPv6Addr)
		}
		if st := stepOf(t, v6.Hops[0], sim.FilterIngress); !strings.HasPrefix(st.Rule, "security_groups.alb.ingress[1] ") {
			t.Errorf("IPv6 admitted by %q, want security_groups.alb.ingress[1]", st.Rule)
		}
		other := rtTrace(t, "dualstack-alb", dualStackALBScenario, sim.Request{From: "internet", To: "alb", Src: netip.MustParseAddr("203.0.113.100")})
		if other.Reached || other.Reason != sim.ReasonSGRulesMismatch {
			t.Errorf("IPv4 host outside the office block: reached %v, reason %q; want a drop with %s", other.Reached, other.Reason, sim.ReasonSGRulesMismatch)
		}
	})

	t.Run("internal", func(t *testing.T) {
		src := rtEdit(t, dualStackALBScenario, "scheme: internet-facing", "scheme: internal",
			"from: {cidr: 203.0.113.0/28}", "from: {cidr: 0.0.0.0/0}")
		r := checkYAML(t, "internal-alb", src)
		if fs := skipsTo(r, "internet", "alb"); len(fs) != 0 {
			t.Errorf("internet reaches an internal ALB\n%s", dump(r))
		}
		if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Holds {
			t.Errorf("stage 2 = %s, want %s", v.Verdict, sim.Holds)
		}
		res := rtTrace(t, "internal-alb", src, sim.Request{From: "internet", To: "alb", Src: netip.MustParseAddr("2001:db8:203::7")})
		if res.Reached {
			t.Errorf("an IPv6 host reaches the internal ALB: %v", res.Path)
		}
	})
}

// Security group rules (VPC User Guide): a rule names either an IPv4 or an
// IPv6 block, and matches only packets of that family. A group that admits
// 0.0.0.0/0 admits no IPv6 packet, and one that admits ::/0 admits no IPv4
// packet.
func TestRouteRulesMatchOneFamily(t *testing.T) {
	both := rtEdit(t, ipv6Scenario, "app: {kind: ecs, subnets: [app-a], ipv6: true", "app: {kind: ecs, subnets: [app-a], public_ip: true, ipv6: true",
		"app-a: {cidr: 10.0.10.0/24, ipv6_cidr: \"2600:1f18:1234:560a::/64\", route_table: private}", "app-a: {cidr: 10.0.10.0/24, ipv6_cidr: \"2600:1f18:1234:560a::/64\", route_table: public}")
	rules := "[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}, {protocol: tcp, ports: 443, from: {cidr: \"::/0\"}}]"
	tests := []struct {
		name       string
		rule       string
		wantIPv6   bool
		sameProbe  string
		otherProbe string
	}{
		{"IPv4 rule", "[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]", false, "203.0.113.7", "2001:db8:203::7"},
		{"IPv6 rule", "[{protocol: tcp, ports: 443, from: {cidr: \"::/0\"}}]", true, "2001:db8:203::7", "203.0.113.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := rtEdit(t, both, "app: {ingress: "+rules, "app: {ingress: "+tc.rule)
			r := checkYAML(t, "family", src)
			if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Skippable {
				t.Errorf("stage 2 = %s, want %s\n%s", v.Verdict, sim.Skippable, dump(r))
			}
			for _, f := range skipsTo(r, "internet", "app") {
				if f.Packet.Src.Is6() != tc.wantIPv6 {
					t.Errorf("internet reaches app with %s through a rule of the other family", f.Packet.String())
				}
			}
			s := parseYAML(t, "family", src)
			if !rtReaches(t, s, "internet", "app", 443, tc.sameProbe) {
				t.Errorf("%s does not reach app through the rule of its family", tc.sameProbe)
			}
			if rtReaches(t, s, "internet", "app", 443, tc.otherProbe) {
				t.Errorf("%s reaches app, though only a rule of the other family admits port 443", tc.otherProbe)
			}
			res := rtTrace(t, "family", src, sim.Request{From: "internet", To: "app", Src: netip.MustParseAddr(tc.otherProbe)})
			if res.Reached || res.Reason != sim.ReasonSGRulesMismatch {
				t.Errorf("trace from %s: reached %v, reason %q; want a drop with %s", tc.otherProbe, res.Reached, res.Reason, sim.ReasonSGRulesMismatch)
			}
		})
	}

	// Inside the VPC a dual-stack tier can reach another one on its IPv6
	// address over the local route, so a group that admits only ::/0
	// still admits a compromised neighbour.
	t.Run("IPv6 inside the VPC", func(t *testing.T) {
		src := rtEdit(t, ipv6Scenario,
			"app: {ingress: "+rules, "app: {ingress: [{protocol: tcp, ports: 443, from: {cidr: \"::/0\"}}]",
			"  gate: {ingress:", "  batch: {ingress: [], egress: aws-default}\n  gate: {ingress:",
			"  app: {kind: ecs,", "  batch: {kind: ecs, subnets: [app-a], ipv6: true, security_groups: [batch]}\n  app: {kind: ecs,",
			"  internet: {kind: internet, own_distribution: false}", "  breach: {kind: compromised, tier: batch}")
		r := checkYAML(t, "family-local", src)
		if len(skipsTo(r, "breach", "app")) == 0 {
			t.Fatalf("a compromised dual-stack tier does not try the IPv6 address of a tier in its own VPC, so a group that admits only ::/0 looks closed to it\n%s", dump(r))
		}
	})
}

// natScenario has a worker in the private subnet app-a that calls an
// internet-facing ALB by its public address. app-a sends 0.0.0.0/0 to NAT
// gateway nat-a, which sits in subnet egress-a, routed to the internet
// gateway, with the Elastic IP address 52.10.20.30. ALB_INGRESS is the
// ALB group's inbound rule list. batch is a second tier behind the same
// NAT gateway, which the attacker breach runs on.
const natScenario = `name: nat
vpcs:
  main:
    cidr: 10.0.0.0/16
    nat_gateways:
      nat-a: {subnet: egress-a, elastic_ip: 52.10.20.30}
    route_tables:
      public:
        routes:
          - {destination: 0.0.0.0/0, internet_gateway: true}
      private:
        routes:
          - {destination: 0.0.0.0/0, nat_gateway: nat-a}
    subnets:
      public-a: {cidr: 10.0.0.0/24, route_table: public}
      public-b: {cidr: 10.0.1.0/24, route_table: public}
      egress-a: {cidr: 10.0.2.0/24, route_table: public}
      isolated-a: {cidr: 10.0.3.0/24}
      app-a: {cidr: 10.0.10.0/24, route_table: private}
security_groups:
  alb: {ingress: ALB_INGRESS, egress: aws-default}
  worker: {ingress: [], egress: [{protocol: tcp, ports: 443, to: {cidr: 0.0.0.0/0}}]}
  batch: {ingress: [], egress: aws-default}
tiers:
  worker:
    kind: ecs
    subnets: [app-a]
    security_groups: [worker]
    connects_to:
      - {tier: alb, port: 443, address: public}
  batch: {kind: ecs, subnets: [app-a], security_groups: [batch]}
  alb:
    kind: alb
    scheme: internet-facing
    subnets: [public-a, public-b]
    security_groups: [alb]
    listeners:
      - {port: 443, protocol: https, default_action: {fixed_response: 200}}
chain: [[worker], [alb]]
attackers:
  internet: {kind: internet, own_distribution: false}
  breach: {kind: compromised, tier: batch}
`

// natWith returns natScenario with the ALB's inbound rules and further
// edits.
func natWith(t *testing.T, albIngress string, edits ...string) string {
	t.Helper()
	return rtEdit(t, strings.Replace(natScenario, "ALB_INGRESS", albIngress, 1), edits...)
}

// NAT gateways (VPC User Guide) and security group referencing (EC2 User
// Guide): a public NAT gateway replaces the source address of what it
// forwards with its Elastic IP address, and a security-group reference
// matches only private addresses. A private tier that calls a public load
// balancer address therefore arrives from the Elastic IP. Neither a rule
// that references the caller's group nor one that admits the VPC's block
// matches it. A rule that admits the Elastic IP does, and it admits every
// tier whose subnet routes through the same NAT gateway.
func TestRouteNATGatewayReplacesSource(t *testing.T) {
	eip := netip.MustParseAddr("52.10.20.30")
	tests := []struct {
		name    string
		ingress string
		verdict string
		reason  string
	}{
		{"rule references the caller's group", "[{protocol: tcp, ports: 443, from: {security_group: worker}}]", sim.Broken, sim.ReasonSGRulesMismatch},
		{"rule admits the VPC block", "[{protocol: tcp, ports: 443, from: {cidr: 10.0.0.0/16}}]", sim.Broken, sim.ReasonSGRulesMismatch},
		{"rule admits the Elastic IP", "[{protocol: tcp, ports: 443, from: {cidr: 52.10.20.30/32}}]", sim.Holds, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := checkYAML(t, "nat", natWith(t, tc.ingress))
			v := wantHop(t, r, "worker", "alb", tc.verdict, tc.reason)
			h := lastHop(t, v)
			if h.Packet.Src != eip {
				t.Errorf("the ALB sees source %s, want the NAT gateway's Elastic IP %s", h.Packet.Src, eip)
			}
			if len(h.Packet.Identity) != 0 {
				t.Errorf("packet keeps security-group identity %v past the NAT gateway", h.Packet.IdentityNames())
			}
			if v.Packet.Src == eip {
				t.Errorf("the intended packet as sent has the Elastic IP as source, want the worker's private address")
			}
			st := rtRouteStep(t, h)
			if !st.Allowed || st.Component != "NAT gateway nat-a" || st.Rule != "vpcs.main.route_tables.private.routes[0]" {
				t.Errorf("route step = allowed %v, %q, rule %q; want NAT gateway nat-a by vpcs.main.route_tables.private.routes[0]", st.Allowed, st.Component, st.Rule)
			}
			if !strings.Contains(st.Detail, "52.10.20.30") {
				t.Errorf("route step detail %q does not name the Elastic IP", st.Detail)
			}
			if tc.verdict == sim.Holds {
				if in := stepOf(t, h, sim.FilterIngress); !strings.HasPrefix(in.Rule, "security_groups.alb.ingress[0] ") {
					t.Errorf("admitting rule = %q, want security_groups.alb.ingress[0]", in.Rule)
				}
				// Every tier behind the NAT gateway shares its address.
				if len(skipsTo(r, "breach", "alb")) == 0 {
					t.Errorf("breach on batch, behind the same NAT gateway, does not reach alb\n%s", dump(r))
				}
				return
			}
			if st := rtDropStep(t, h); st.Filter != sim.FilterIngress || st.Allowed {
				t.Errorf("dropped at %s (allowed %v), want the ALB's ingress", st.Filter, st.Allowed)
			}
		})
	}
}

// NAT gateways (VPC User Guide): the Elastic IP address of a NAT gateway
// belongs to the account that allocated it, so no host on the internet can
// send from it. A rule that admits only that address keeps the internet out.
func TestRouteInternetCannotSendFromElasticIP(t *testing.T) {
	src := natWith(t, "[{protocol: tcp, ports: 443, from: {cidr: 52.10.20.30/32}}]")
	r := checkYAML(t, "nat-eip", src)
	if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Holds {
		t.Errorf("stage 2 for internet = %s, want %s\n%s", v.Verdict, sim.Holds, dump(r))
	}
	if rtReaches(t, parseYAML(t, "nat-eip", src), "internet", "alb", 443, "52.10.20.30") {
		t.Errorf("the internet attacker reaches alb from the NAT gateway's Elastic IP")
	}

	// Control: a rule for the whole internet lets it in.
	open := checkYAML(t, "nat-open", natWith(t, "[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]"))
	if v := stageVerdict(t, open, "internet", 2); v.Verdict != sim.Skippable {
		t.Errorf("with 0.0.0.0/0 admitted, stage 2 for internet = %s, want %s", v.Verdict, sim.Skippable)
	}
}

// NAT gateways (VPC User Guide): a public NAT gateway reaches the internet
// only through the internet gateway route of its own subnet, and a private
// NAT gateway cannot reach the internet at all. Either way a private tier
// that routes to it has no path to a public address.
func TestRouteNATGatewayWithoutInternetPath(t *testing.T) {
	ingress := "[{protocol: tcp, ports: 443, from: {cidr: 52.10.20.30/32}}]"
	tests := []struct {
		name   string
		edits  []string
		detail string
	}{
		{"public NAT gateway in a subnet without an internet route", []string{"nat-a: {subnet: egress-a, elastic_ip: 52.10.20.30}", "nat-a: {subnet: isolated-a, elastic_ip: 52.10.20.30}"}, "no route for"},
		{"private NAT gateway", []string{"nat-a: {subnet: egress-a, elastic_ip: 52.10.20.30}", "nat-a: {subnet: egress-a, connectivity: private}"}, "private NAT gateway"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := checkYAML(t, "nat-dead-end", natWith(t, ingress, tc.edits...))
			v := wantHop(t, r, "worker", "alb", sim.Broken, sim.ReasonNoRoute)
			st := rtDropStep(t, lastHop(t, v))
			if st.Filter != sim.FilterRoute || st.Rule != "vpcs.main.route_tables.private" || !strings.Contains(st.Detail, tc.detail) {
				t.Errorf("drop step = %s %q at %q, want a route drop at vpcs.main.route_tables.private saying %q", st.Filter, st.Detail, st.Rule, tc.detail)
			}
			if len(skipsTo(r, "breach", "alb")) != 0 {
				t.Errorf("breach reaches alb from the Elastic IP without a path to the internet\n%s", dump(r))
			}
		})
	}
}

// NAT gateways (VPC User Guide) and network ACLs: a NAT gateway has no
// security group, and the network ACL of its subnet filters what passes
// through it, both ways. Network ACLs are stateless, and a NAT gateway
// sends from ports 1024-65535, so the replies need an inbound rule for that
// whole range.
func TestRouteNATSubnetNetworkACL(t *testing.T) {
	ingress := "[{protocol: tcp, ports: 443, from: {cidr: 52.10.20.30/32}}]"
	withACL := func(t *testing.T, rules string) *sim.Report {
		t.Helper()
		return checkYAML(t, "nat-acl", natWith(t, ingress,
			"egress-a: {cidr: 10.0.2.0/24, route_table: public}", "egress-a: {cidr: 10.0.2.0/24, route_table: public, network_acl: nat-acl}",
			"security_groups:\n", "network_acls:\n  nat-acl:\n    ingress: "+rules+"\n    egress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]\nsecurity_groups:\n"))
	}
	request := "{rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 10.0.10.0/24}"

	t.Run("deny on the NAT subnet", func(t *testing.T) {
		r := withACL(t, "[{rule: 90, action: deny, protocol: tcp, ports: 443, cidr: 10.0.10.0/24}, "+request+", {rule: 110, action: allow, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0}]")
		v := wantHop(t, r, "worker", "alb", sim.Broken, sim.ReasonSubnetACL)
		st := rtDropStep(t, lastHop(t, v))
		if st.Filter != sim.FilterNACLIn || !strings.Contains(st.Component, "nat-acl") || !strings.HasPrefix(st.Rule, "network_acls.nat-acl.ingress[0] ") {
			t.Errorf("drop step = %s at %q by %q, want %s of nat-acl by network_acls.nat-acl.ingress[0]", st.Filter, st.Component, st.Rule, sim.FilterNACLIn)
		}
	})

	t.Run("replies to the NAT ports allowed", func(t *testing.T) {
		r := withACL(t, "["+request+", {rule: 110, action: allow, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0}]")
		v := wantHop(t, r, "worker", "alb", sim.Holds, "")
		if !rtHasStep(lastHop(t, v), sim.FilterNACLReply) {
			t.Errorf("no reply step through nat-acl: %+v", lastHop(t, v).Steps)
		}
	})

	t.Run("replies to part of the NAT ports", func(t *testing.T) {
		r := withACL(t, "["+request+", {rule: 110, action: allow, protocol: tcp, ports: 32768-65535, cidr: 0.0.0.0/0}]")
		v := wantHop(t, r, "worker", "alb", sim.Broken, sim.ReasonSubnetACL)
		st := rtDropStep(t, lastHop(t, v))
		if st.Filter != sim.FilterNACLReply || !strings.Contains(st.Detail, "1024-65535") {
			t.Errorf("drop step = %s %q, want a reply drop that names the NAT gateway's ports 1024-65535", st.Filter, st.Detail)
		}
	})
}

// hairpinScenario has a caller with a public address that calls web's
// public address. Both sit in subnets routed to the internet gateway.
// caller gets the public address 198.51.100.10 and web 198.51.100.11.
// WEB_INGRESS is web's inbound rule list.
const hairpinScenario = `name: hairpin
vpcs:
  main:
    cidr: 10.0.0.0/16
    route_tables:
      public:
        routes:
          - {destination: 0.0.0.0/0, internet_gateway: true}
    subnets:
      web-a: {cidr: 10.0.0.0/24, route_table: public}
      web-b: {cidr: 10.0.1.0/24, route_table: public}
security_groups:
  caller: {ingress: [], egress: [{protocol: tcp, ports: 443, to: {cidr: 0.0.0.0/0}}]}
  web: {ingress: WEB_INGRESS, egress: none}
tiers:
  caller: {kind: ec2, subnets: [web-a], public_ip: true, security_groups: [caller], connects_to: [{tier: web, port: 443, address: public}]}
  web: {kind: ec2, subnets: [web-b], public_ip: true, security_groups: [web]}
chain: [[caller], [web]]
attackers:
  internet: {kind: internet, own_distribution: false}
`

func hairpinWith(t *testing.T, webIngress string, edits ...string) string {
	t.Helper()
	return rtEdit(t, strings.Replace(hairpinScenario, "WEB_INGRESS", webIngress, 1), edits...)
}

// Internet gateways (VPC User Guide) and security group rules (EC2 User
// Guide): traffic to another instance's public address leaves through the
// internet gateway and comes back in from the internet. On the way out the
// gateway replaces the private source with the sender's own public address.
// A rule that references the sender's group does not match it, but a rule
// for the sender's public address does. A sender without a public IPv4
// address cannot use the internet gateway at all.
func TestRouteInternetGatewayHairpin(t *testing.T) {
	callerPublic := netip.MustParseAddr("198.51.100.10")

	t.Run("rule references the caller's group", func(t *testing.T) {
		r := checkYAML(t, "hairpin", hairpinWith(t, "[{protocol: tcp, ports: 443, from: {security_group: caller}}]"))
		v := wantHop(t, r, "caller", "web", sim.Broken, sim.ReasonSGRulesMismatch)
		if h := lastHop(t, v); h.Packet.Src != callerPublic || len(h.Packet.Identity) != 0 {
			t.Errorf("web sees %s with identity %v, want source %s and no identity", h.Packet.Src, h.Packet.IdentityNames(), callerPublic)
		}
	})

	t.Run("rule admits the caller's public address", func(t *testing.T) {
		r := checkYAML(t, "hairpin", hairpinWith(t, "[{protocol: tcp, ports: 443, from: {cidr: 198.51.100.10/32}}]"))
		v := wantHop(t, r, "caller", "web", sim.Holds, "")
		h := lastHop(t, v)
		if h.Packet.Src != callerPublic || h.Packet.Dst != netip.MustParseAddr("198.51.100.11") {
			t.Errorf("web sees %s, want %s -> 198.51.100.11", h.Packet.String(), callerPublic)
		}
		st := rtRouteStep(t, h)
		if !st.Allowed || st.Rule != "vpcs.main.route_tables.public.routes[0]" || !strings.Contains(st.Detail, "198.51.100.10") {
			t.Errorf("route step = allowed %v by %q: %q; want the internet gateway route naming caller's public address", st.Allowed, st.Rule, st.Detail)
		}
		if in := stepOf(t, h, sim.FilterIngress); !strings.HasPrefix(in.Rule, "security_groups.web.ingress[0] ") {
			t.Errorf("admitting rule = %q, want security_groups.web.ingress[0]", in.Rule)
		}
	})

	t.Run("caller without a public address", func(t *testing.T) {
		// Without caller's public address, web's becomes 198.51.100.10.
		r := checkYAML(t, "hairpin", hairpinWith(t, "[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]",
			"subnets: [web-a], public_ip: true", "subnets: [web-a], public_ip: false"))
		v := wantHop(t, r, "caller", "web", sim.Broken, sim.ReasonPublicIPEgress)
		st := rtDropStep(t, lastHop(t, v))
		if st.Filter != sim.FilterRoute || st.Rule != "vpcs.main.route_tables.public" || !strings.Contains(st.Detail, "no public IPv4 address") {
			t.Errorf("drop step = %s %q at %q, want a route drop at vpcs.main.route_tables.public for want of a public address", st.Filter, st.Detail, st.Rule)
		}
	})
}

// The internet attacker cannot send from a public address that AWS
// associates with an instance of the design, any more than from a NAT
// gateway's Elastic IP: a rule that admits only the caller's public address
// keeps the internet out.
func TestRouteInternetCannotSendFromTierPublicAddress(t *testing.T) {
	src := hairpinWith(t, "[{protocol: tcp, ports: 443, from: {cidr: 198.51.100.10/32}}]")
	r := checkYAML(t, "hairpin-spoof", src)
	if v := stageVerdict(t, r, "internet", 2); v.Verdict != sim.Holds {
		t.Fatalf("the internet attacker sends from caller's public address 198.51.100.10 (internet sources leave out NAT Elastic IPs but not tiers' public addresses), so stage 2 is %s\n%s", v.Verdict, dump(r))
	}
}

// Network ACLs (VPC User Guide): a network ACL filters traffic that enters
// or leaves a subnet. Two instances of one subnet that talk over their
// private addresses never cross it. Traffic to the other's public address
// leaves through the internet gateway and comes back in, so it crosses the
// subnet's ACL both ways, and arrives from the sender's public address.
func TestRouteHairpinCrossesOwnSubnetACL(t *testing.T) {
	acl := func(extra string) string {
		return "network_acls:\n  web-acl:\n" +
			"    ingress: [{rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 10.0.0.0/16}, " + extra + "{rule: 120, action: allow, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0}]\n" +
			"    egress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]\nsecurity_groups:\n"
	}
	build := func(t *testing.T, address, extra string) *sim.Report {
		t.Helper()
		return checkYAML(t, "hairpin-acl", hairpinWith(t, "[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]",
			"web-a: {cidr: 10.0.0.0/24, route_table: public}", "web-a: {cidr: 10.0.0.0/24, route_table: public, network_acl: web-acl}",
			"web: {kind: ec2, subnets: [web-b]", "web: {kind: ec2, subnets: [web-a]",
			"address: public", "address: "+address,
			"security_groups:\n", acl(extra)))
	}

	t.Run("private address stays inside the subnet", func(t *testing.T) {
		v := wantHop(t, build(t, "private", ""), "caller", "web", sim.Holds, "")
		if h := lastHop(t, v); rtHasStep(h, sim.FilterNACLIn) || rtHasStep(h, sim.FilterRoute) {
			t.Errorf("a connection inside one subnet crosses its network ACL or a route: %+v", h.Steps)
		}
	})

	t.Run("public address crosses the ACL", func(t *testing.T) {
		v := wantHop(t, build(t, "public", ""), "caller", "web", sim.Broken, sim.ReasonSubnetACL)
		st := rtDropStep(t, lastHop(t, v))
		if st.Filter != sim.FilterNACLIn || !strings.Contains(st.Component, "web-acl") || !strings.Contains(st.Detail, "198.51.100.10") {
			t.Errorf("drop step = %s at %q: %q; want web-acl's inbound check of 198.51.100.10", st.Filter, st.Component, st.Detail)
		}
	})

	t.Run("public address admitted by the ACL", func(t *testing.T) {
		v := wantHop(t, build(t, "public", "{rule: 110, action: allow, protocol: tcp, ports: 443, cidr: 198.51.100.10/32}, "), "caller", "web", sim.Holds, "")
		h := lastHop(t, v)
		for _, f := range []sim.Filter{sim.FilterNACLOut, sim.FilterNACLIn, sim.FilterNACLReply} {
			if !rtHasStep(h, f) {
				t.Errorf("no %s step: the hairpin must cross web-acl both ways; steps %+v", f, h.Steps)
			}
		}
	})
}

// Security group rules (EC2 User Guide): an outbound rule that references
// a group matches traffic to the private addresses of the group's
// interfaces, not to their public addresses. A connection to the
// destination's public address needs a rule for that address.
func TestRouteEgressReferenceMissesPublicAddress(t *testing.T) {
	tests := []struct {
		name    string
		egress  string
		address string
		verdict string
		reason  string
	}{
		{"reference, private address", "{security_group: web}", "private", sim.Holds, ""},
		{"reference, public address", "{security_group: web}", "public", sim.Broken, sim.ReasonSGRulesMismatch},
		{"public address rule, public address", "{cidr: 198.51.100.11/32}", "public", sim.Holds, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := checkYAML(t, "egress-reference", hairpinWith(t, "[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]",
				"to: {cidr: 0.0.0.0/0}", "to: "+tc.egress,
				"address: public", "address: "+tc.address))
			v := wantHop(t, r, "caller", "web", tc.verdict, tc.reason)
			st := stepOf(t, lastHop(t, v), sim.FilterEgress)
			if tc.verdict == sim.Broken {
				if st.Allowed {
					t.Errorf("egress step allowed by %q, want a drop at the caller's egress", st.Rule)
				}
				return
			}
			if !st.Allowed || !strings.HasPrefix(st.Rule, "security_groups.caller.egress[0] ") {
				t.Errorf("egress step = allowed %v by %q, want security_groups.caller.egress[0]", st.Allowed, st.Rule)
			}
		})
	}
}

// peeringScenario has an app in VPC main that connects to a database in
// VPC shared over peering main-shared. Each side's table routes the other
// VPC's block to the peering. db's group references app's group, and app's
// egress references db's. batch, in app's subnet with a group of its own,
// is where the attacker breach runs.
const peeringScenario = `name: peering
vpcs:
  main:
    cidr: 10.0.0.0/16
    region: us-east-1
    route_tables:
      app:
        routes:
          - {destination: 10.1.0.0/16, peering: main-shared}
    subnets:
      app-a: {cidr: 10.0.10.0/24, route_table: app}
  shared:
    cidr: 10.1.0.0/16
    region: us-east-1
    route_tables:
      db:
        routes:
          - {destination: 10.0.0.0/16, peering: main-shared}
    subnets:
      db-a: {cidr: 10.1.20.0/24, route_table: db}
peerings:
  main-shared: {vpcs: [main, shared]}
security_groups:
  app: {vpc: main, ingress: [], egress: [{protocol: tcp, ports: 5432, to: {security_group: db}}]}
  batch: {vpc: main, ingress: [], egress: aws-default}
  db: {vpc: shared, ingress: [{protocol: tcp, ports: 5432, from: {security_group: app}}], egress: none}
tiers:
  app: {kind: ecs, subnets: [app-a], security_groups: [app], connects_to: [{tier: db, port: 5432}]}
  batch: {kind: ecs, subnets: [app-a], security_groups: [batch]}
  db: {kind: rds, subnets: [db-a], security_groups: [db]}
chain: [[app], [db]]
attackers:
  breach: {kind: compromised, tier: batch}
`

// VPC peering security groups (VPC Peering Guide): across a peering in one
// Region, inbound and outbound rules can reference the peer VPC's groups,
// and they match the peer's interfaces as inside one VPC. A tier whose group
// the rule does not name stays out.
func TestRoutePeeringSameRegionKeepsReferences(t *testing.T) {
	r := checkYAML(t, "peering", peeringScenario)
	v := wantHop(t, r, "app", "db", sim.Holds, "")
	h := lastHop(t, v)
	if got := h.Packet.IdentityNames(); !slices.Equal(got, []string{"app"}) {
		t.Errorf("db sees identity %v, want [app]", got)
	}
	st := rtRouteStep(t, h)
	if st.Rule != "vpcs.main.route_tables.app.routes[0]" || !strings.Contains(st.Detail, "peering main-shared") {
		t.Errorf("route step by %q: %q; want routes[0] of table app crossing peering main-shared", st.Rule, st.Detail)
	}
	if e := stepOf(t, h, sim.FilterEgress); !strings.HasPrefix(e.Rule, "security_groups.app.egress[0] ") {
		t.Errorf("egress rule = %q, want the reference security_groups.app.egress[0]", e.Rule)
	}
	if in := stepOf(t, h, sim.FilterIngress); !strings.HasPrefix(in.Rule, "security_groups.db.ingress[0] ") {
		t.Errorf("ingress rule = %q, want the reference security_groups.db.ingress[0]", in.Rule)
	}
	if v := stageVerdict(t, r, "breach", 2); v.Verdict != sim.Holds {
		t.Errorf("stage 2 for breach = %s, want %s: db references app's group, not batch's\n%s", v.Verdict, sim.Holds, dump(r))
	}

	// Control: a rule for app's subnet admits batch too.
	cidr := checkYAML(t, "peering-cidr", rtEdit(t, peeringScenario, "from: {security_group: app}", "from: {cidr: 10.0.10.0/24}"))
	if v := stageVerdict(t, cidr, "breach", 2); v.Verdict != sim.Skippable {
		t.Errorf("with a CIDR rule, stage 2 for breach = %s, want %s", v.Verdict, sim.Skippable)
	}
}

// VPC peering security groups (VPC Peering Guide): security groups cannot
// be referenced across a peering between Regions, so the loader rejects such
// a rule. Rules for the peer's CIDR blocks work, and the packet then carries
// no group identity.
func TestRoutePeeringCrossRegion(t *testing.T) {
	crossRegion := rtEdit(t, peeringScenario, "    region: us-east-1\n    route_tables:\n      db:", "    region: eu-west-1\n    route_tables:\n      db:")

	t.Run("references rejected", func(t *testing.T) {
		_, diags := model.Parse("cross-region.yaml", []byte(crossRegion))
		for _, path := range []string{"security_groups.app.egress[0].to.security_group", "security_groups.db.ingress[0].from.security_group"} {
			found := false
			for _, d := range diags {
				if d.Severity == model.Error && d.Path == path && d.Summary == "VPC mismatch" && strings.Contains(d.Detail, "across Regions") {
					found = true
				}
			}
			if !found {
				t.Errorf("no VPC mismatch error across Regions at %s; got:\n%v", path, diags.Err())
			}
		}
	})

	t.Run("CIDR rules work", func(t *testing.T) {
		src := rtEdit(t, crossRegion, "to: {security_group: db}", "to: {cidr: 10.1.20.0/24}", "from: {security_group: app}", "from: {cidr: 10.0.10.0/24}")
		r := checkYAML(t, "cross-region-cidr", src)
		v := wantHop(t, r, "app", "db", sim.Holds, "")
		h := lastHop(t, v)
		if len(h.Packet.Identity) != 0 {
			t.Errorf("identity %v survives a cross-Region peering", h.Packet.IdentityNames())
		}
		if st := rtRouteStep(t, h); !strings.Contains(st.Detail, "between Regions us-east-1 and eu-west-1") {
			t.Errorf("route step detail %q does not name the two Regions", st.Detail)
		}
	})
}

// Peering route tables (VPC Peering Guide): traffic crosses a peering only
// when the sender's subnet routes the destination to it and the receiver's
// subnet routes the sender back to it. A route missing on either side
// leaves no path.
func TestRoutePeeringNeedsRoutesBothWays(t *testing.T) {
	tests := []struct {
		name   string
		edits  []string
		detail string
	}{
		{"sender side", []string{"        routes:\n          - {destination: 10.1.0.0/16, peering: main-shared}\n", "        routes: []\n"}, "has no route for 10.1.20.10"},
		{"receiver side", []string{"        routes:\n          - {destination: 10.0.0.0/16, peering: main-shared}\n", "        routes: []\n"}, "has no route back to 10.0.10.10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := checkYAML(t, "peering-no-route", rtEdit(t, peeringScenario, tc.edits...))
			v := wantHop(t, r, "app", "db", sim.Broken, sim.ReasonNoRoute)
			st := rtDropStep(t, lastHop(t, v))
			if st.Filter != sim.FilterRoute || !strings.Contains(st.Detail, tc.detail) {
				t.Errorf("drop step = %s %q, want a route drop saying %q", st.Filter, st.Detail, tc.detail)
			}
		})
	}
}

// transitiveScenario peers VPC a with b and b with c. a's table sends both
// other blocks to peering a-b, and c's sends both to b-c. src in a connects
// to mid in b and to far in c. Every group admits the whole 10.0.0.0/8.
const transitiveScenario = `name: transitive
vpcs:
  a:
    cidr: 10.0.0.0/16
    route_tables:
      a-rt:
        routes:
          - {destination: 10.1.0.0/16, peering: a-b}
          - {destination: 10.2.0.0/16, peering: a-b}
    subnets:
      a-1: {cidr: 10.0.1.0/24, route_table: a-rt}
  b:
    cidr: 10.1.0.0/16
    route_tables:
      b-rt:
        routes:
          - {destination: 10.0.0.0/16, peering: a-b}
          - {destination: 10.2.0.0/16, peering: b-c}
    subnets:
      b-1: {cidr: 10.1.1.0/24, route_table: b-rt}
  c:
    cidr: 10.2.0.0/16
    route_tables:
      c-rt:
        routes:
          - {destination: 10.0.0.0/16, peering: b-c}
          - {destination: 10.1.0.0/16, peering: b-c}
    subnets:
      c-1: {cidr: 10.2.1.0/24, route_table: c-rt}
peerings:
  a-b: {vpcs: [a, b]}
  b-c: {vpcs: [b, c]}
security_groups:
  src: {vpc: a, ingress: [], egress: [{protocol: tcp, ports: 5432, to: {cidr: 10.0.0.0/8}}]}
  mid: {vpc: b, ingress: [{protocol: tcp, ports: 5432, from: {cidr: 10.0.0.0/8}}], egress: none}
  far: {vpc: c, ingress: [{protocol: tcp, ports: 5432, from: {cidr: 10.0.0.0/8}}], egress: none}
tiers:
  src: {kind: ecs, subnets: [a-1], security_groups: [src], connects_to: [{tier: mid, port: 5432}, {tier: far, port: 5432}]}
  mid: {kind: rds, subnets: [b-1], security_groups: [mid]}
  far: {kind: rds, subnets: [c-1], security_groups: [far]}
chain: [[src], [mid, far]]
attackers:
  breach: {kind: compromised, tier: src}
`

// VPC peering limitations (VPC Peering Guide): peering is not transitive.
// With a peered to b and b peered to c, a cannot reach c through b, even
// when every route table points the far block at its own peering.
func TestRoutePeeringNotTransitive(t *testing.T) {
	r := checkYAML(t, "transitive", transitiveScenario)
	wantHop(t, r, "src", "mid", sim.Holds, "")
	v := wantHop(t, r, "src", "far", sim.Broken, sim.ReasonPeeringCIDR)
	if st := rtDropStep(t, lastHop(t, v)); st.Filter != sim.FilterRoute || !strings.Contains(st.Detail, "do not use one peering") {
		t.Errorf("drop step = %s %q, want a route drop saying the two routes use different peerings", st.Filter, st.Detail)
	}

	// Control: a peering of a and c of their own.
	direct := rtEdit(t, transitiveScenario,
		"          - {destination: 10.2.0.0/16, peering: a-b}", "          - {destination: 10.2.0.0/16, peering: a-c}",
		"          - {destination: 10.0.0.0/16, peering: b-c}", "          - {destination: 10.0.0.0/16, peering: a-c}",
		"  b-c: {vpcs: [b, c]}", "  b-c: {vpcs: [b, c]}\n  a-c: {vpcs: [a, c]}")
	wantHop(t, checkYAML(t, "direct", direct), "src", "far", sim.Holds, "")
}

// tgwScenario joins VPCs main and shared through transit gateway hub, with
// the gateway's and attachments' security_group_referencing settings as
// slots GW, MAIN and SHARED. db's group references app's group in an
// inbound rule, and app's egress admits shared's block.
const tgwScenario = `name: tgw
vpcs:
  main:
    cidr: 10.0.0.0/16
    route_tables:
      app:
        routes:
          - {destination: 10.1.0.0/16, transit_gateway: hub}
    subnets:
      app-a: {cidr: 10.0.10.0/24, route_table: app}
  shared:
    cidr: 10.1.0.0/16
    route_tables:
      db:
        routes:
          - {destination: 10.0.0.0/16, transit_gateway: hub}
    subnets:
      db-a: {cidr: 10.1.20.0/24, route_table: db}
transit_gateways:
  hub:
    security_group_referencing: GW
    attachments:
      main: {security_group_referencing: MAIN}
      shared: {security_group_referencing: SHARED}
security_groups:
  app: {vpc: main, ingress: [], egress: [{protocol: tcp, ports: 5432, to: {cidr: 10.1.0.0/16}}]}
  db: {vpc: shared, ingress: [{protocol: tcp, ports: 5432, from: {security_group: app}}], egress: none}
tiers:
  app: {kind: ecs, subnets: [app-a], security_groups: [app], connects_to: [{tier: db, port: 5432}]}
  db: {kind: rds, subnets: [db-a], security_groups: [db]}
chain: [[app], [db]]
`

func tgwWith(gw, main, shared string) string {
	return strings.NewReplacer("referencing: GW", "referencing: "+gw, "referencing: MAIN", "referencing: "+main, "referencing: SHARED", "referencing: "+shared).Replace(tgwScenario)
}

// Transit gateway VPC attachments (Transit Gateway Guide): an inbound rule
// can reference a group of a VPC attached to the same transit gateway. It
// matches only when security group referencing is on for the gateway (off
// by default) and for both attachments (on by default). Outbound rules
// cannot reference groups across the gateway. Rules for CIDR blocks work
// whatever the settings.
func TestRouteTransitGatewayReferencing(t *testing.T) {
	tests := []struct {
		name, gw, main, shared string
		verdict, reason        string
	}{
		{"off on the gateway", "false", "true", "true", sim.Broken, sim.ReasonSGRulesMismatch},
		{"on everywhere", "true", "true", "true", sim.Holds, ""},
		{"off on the sender's attachment", "true", "false", "true", sim.Broken, sim.ReasonSGRulesMismatch},
		{"off on the receiver's attachment", "true", "true", "false", sim.Broken, sim.ReasonSGRulesMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := checkYAML(t, "tgw", tgwWith(tc.gw, tc.main, tc.shared))
			v := wantHop(t, r, "app", "db", tc.verdict, tc.reason)
			h := lastHop(t, v)
			st := rtRouteStep(t, h)
			if st.Rule != "vpcs.main.route_tables.app.routes[0]" || !strings.Contains(st.Detail, "transit gateway hub") {
				t.Errorf("route step by %q: %q; want routes[0] of table app crossing transit gateway hub", st.Rule, st.Detail)
			}
			if tc.verdict == sim.Holds {
				if in := stepOf(t, h, sim.FilterIngress); !strings.HasPrefix(in.Rule, "security_groups.db.ingress[0] ") {
					t.Errorf("ingress rule = %q, want security_groups.db.ingress[0]", in.Rule)
				}
				return
			}
			if len(h.Packet.Identity) != 0 {
				t.Errorf("identity %v crosses the gateway with referencing off", h.Packet.IdentityNames())
			}
		})
	}

	// The defaults: the gateway's setting off, the attachments' on.
	t.Run("defaults", func(t *testing.T) {
		src := rtEdit(t, tgwWith("true", "true", "true"),
			"    security_group_referencing: true\n    attachments:", "    attachments:",
			"main: {security_group_referencing: true}", "main: {}",
			"shared: {security_group_referencing: true}", "shared: {}")
		wantHop(t, checkYAML(t, "tgw-defaults", src), "app", "db", sim.Broken, sim.ReasonSGRulesMismatch)
		on := rtEdit(t, src, "    attachments:\n      main", "    security_group_referencing: true\n    attachments:\n      main")
		wantHop(t, checkYAML(t, "tgw-on", on), "app", "db", sim.Holds, "")
	})

	t.Run("outbound reference rejected", func(t *testing.T) {
		src := rtEdit(t, tgwWith("true", "true", "true"), "to: {cidr: 10.1.0.0/16}", "to: {security_group: db}")
		_, diags := model.Parse("tgw-egress.yaml", []byte(src))
		found := false
		for _, d := range diags {
			if d.Severity == model.Error && d.Summary == "VPC mismatch" && d.Path == "security_groups.app.egress[0].to.security_group" && strings.Contains(d.Detail, "only inbound rules") {
				found = true
			}
		}
		if !found {
			t.Errorf("no VPC mismatch error for an outbound reference across the gateway; got:\n%v", diags.Err())
		}
	})

	for _, gw := range []string{"false", "true"} {
		t.Run("CIDR rule with gateway referencing "+gw, func(t *testing.T) {
			src := rtEdit(t, tgwWith(gw, "true", "true"), "from: {security_group: app}", "from: {cidr: 10.0.10.0/24}")
			wantHop(t, checkYAML(t, "tgw-cidr", src), "app", "db", sim.Holds, "")
		})
	}
}

// lpmScenario has a caller without a public address in subnet app-a that
// calls web's public address 198.51.100.10. ROUTES are the routes of app-a's
// table. A route to NAT gateway nat-a gets the call through from the
// Elastic IP. A route to the internet gateway drops it, because the caller
// has no public address of its own. The verdict therefore shows which route
// won.
const lpmScenario = `name: lpm
vpcs:
  main:
    cidr: 10.0.0.0/16
    nat_gateways:
      nat-a: {subnet: web-a, elastic_ip: 52.10.20.30}
    route_tables:
      public:
        routes:
          - {destination: 0.0.0.0/0, internet_gateway: true}
      app:
        routes: ROUTES
    subnets:
      web-a: {cidr: 10.0.0.0/24, route_table: public}
      app-a: {cidr: 10.0.10.0/24, route_table: app}
prefix_lists:
  targets: {max_entries: 5, entries: [198.51.100.0/24]}
  targets-half: {max_entries: 5, entries: [198.51.100.0/25]}
security_groups:
  caller: {ingress: [], egress: [{protocol: tcp, ports: 443, to: {cidr: 0.0.0.0/0}}]}
  web: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}], egress: none}
tiers:
  caller: {kind: ec2, subnets: [app-a], security_groups: [caller], connects_to: [{tier: web, port: 443, address: public}]}
  web: {kind: ec2, subnets: [web-a], public_ip: true, security_groups: [web]}
chain: [[caller], [web]]
attackers:
  internet: {kind: internet, own_distribution: false}
`

// Route priority (VPC User Guide, route tables): a route table sends a
// packet along the most specific route that matches its destination,
// whatever the order of the routes. When a route to a CIDR block and a
// route to a prefix list match with the same prefix length, the CIDR route
// wins.
func TestRouteLongestPrefixMatch(t *testing.T) {
	const (
		igw24  = "{destination: 198.51.100.0/24, internet_gateway: true}"
		nat24  = "{destination: 198.51.100.0/24, nat_gateway: nat-a}"
		igw0   = "{destination: 0.0.0.0/0, internet_gateway: true}"
		nat0   = "{destination: 0.0.0.0/0, nat_gateway: nat-a}"
		plIGW  = "{destination_prefix_list: targets, internet_gateway: true}"
		plNAT  = "{destination_prefix_list: targets, nat_gateway: nat-a}"
		pl25NA = "{destination_prefix_list: targets-half, nat_gateway: nat-a}"
	)
	tests := []struct {
		name   string
		routes []string
		nat    int // index of the NAT gateway route that must win, or -1 when the internet gateway route must
	}{
		{"/24 beats /0", []string{igw0, nat24}, 1},
		{"/24 beats /0 listed after it", []string{igw24, nat0}, -1},
		{"CIDR beats prefix list of the same length", []string{plIGW, nat24}, 1},
		{"CIDR beats prefix list listed after it", []string{igw24, plNAT}, -1},
		{"longer prefix-list entry beats shorter CIDR", []string{igw24, pl25NA}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(lpmScenario, "ROUTES", "["+strings.Join(tc.routes, ", ")+"]", 1)
			r := checkYAML(t, "lpm", src)
			if tc.nat < 0 {
				v := wantHop(t, r, "caller", "web", sim.Broken, sim.ReasonPublicIPEgress)
				if st := rtDropStep(t, lastHop(t, v)); st.Filter != sim.FilterRoute {
					t.Errorf("dropped at %s, want the route step", st.Filter)
				}
				return
			}
			v := wantHop(t, r, "caller", "web", sim.Holds, "")
			h := lastHop(t, v)
			st := rtRouteStep(t, h)
			want := "vpcs.main.route_tables.app.routes[" + string(rune('0'+tc.nat)) + "]"
			if st.Component != "NAT gateway nat-a" || st.Rule != want {
				t.Errorf("route step %q by %q, want NAT gateway nat-a by %s", st.Component, st.Rule, want)
			}
			if h.Packet.Src != netip.MustParseAddr("52.10.20.30") {
				t.Errorf("web sees source %s, want the Elastic IP 52.10.20.30", h.Packet.Src)
			}
		})
	}
}

// localScenario peers VPC main with VPC shared, and app-a's table sends all
// of 10.0.0.0/8, which covers main's own block, to the peering. app calls db
// in its own VPC and far in shared.
const localScenario = `name: local
vpcs:
  main:
    cidr: 10.0.0.0/16
    route_tables:
      app:
        routes:
          - {destination: 10.0.0.0/8, peering: main-shared}
    subnets:
      app-a: {cidr: 10.0.10.0/24, route_table: app}
      db-a: {cidr: 10.0.20.0/24}
  shared:
    cidr: 10.1.0.0/16
    route_tables:
      far:
        routes:
          - {destination: 10.0.0.0/16, peering: main-shared}
    subnets:
      far-a: {cidr: 10.1.20.0/24, route_table: far}
peerings:
  main-shared: {vpcs: [main, shared]}
security_groups:
  app: {vpc: main, ingress: [], egress: [{protocol: tcp, ports: 5432, to: {cidr: 10.0.0.0/8}}]}
  db: {vpc: main, ingress: [{protocol: tcp, ports: 5432, from: {security_group: app}}], egress: none}
  far: {vpc: shared, ingress: [{protocol: tcp, ports: 5432, from: {security_group: app}}], egress: none}
tiers:
  app: {kind: ecs, subnets: [app-a], security_groups: [app], connects_to: [{tier: db, port: 5432}, {tier: far, port: 5432}]}
  db: {kind: rds, subnets: [db-a], security_groups: [db]}
  far: {kind: rds, subnets: [far-a], security_groups: [far]}
chain: [[app], [db, far]]
`

// Route tables (VPC User Guide): every route table has a local route for
// the VPC's own blocks. Traffic to an address of the VPC follows it even when
// another route, such as 10.0.0.0/8 to a peering, also covers the address.
// Addresses outside the VPC follow the other route.
func TestRouteLocalRouteWins(t *testing.T) {
	r := checkYAML(t, "local", localScenario)
	v := wantHop(t, r, "app", "db", sim.Holds, "")
	if h := lastHop(t, v); rtHasStep(h, sim.FilterRoute) {
		t.Errorf("the hop inside the VPC took a route: %+v", h.Steps)
	}
	v = wantHop(t, r, "app", "far", sim.Holds, "")
	if st := rtRouteStep(t, lastHop(t, v)); st.Rule != "vpcs.main.route_tables.app.routes[0]" {
		t.Errorf("the hop to shared took %q, want the 10.0.0.0/8 route", st.Rule)
	}
}

// vpcLine and subnetLine match a VPC's key and a flow-style subnet entry in
// the block layout the shipped and generated scenarios use.
var (
	vpcLine    = regexp.MustCompile(`^  ([A-Za-z0-9][A-Za-z0-9._-]*):\s*$`)
	subnetLine = regexp.MustCompile(`^      [A-Za-z0-9][A-Za-z0-9._-]*: \{.*\}\s*$`)
)

// explicitPublicTables rewrites every subnet written with public: true to
// name an explicit route table that sends 0.0.0.0/0, and ::/0 for a subnet
// with an IPv6 block, to the internet gateway. It reports false when the
// scenario has no such subnet or already declares route tables.
func explicitPublicTables(src string) (string, bool) {
	if strings.Contains(src, "route_tables:") {
		return "", false
	}
	lines := strings.Split(src, "\n")
	inVPCs, vpc := false, ""
	needs := map[string]bool{}
	for _, l := range lines {
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case !strings.HasPrefix(l, " "):
			inVPCs = strings.HasPrefix(l, "vpcs:")
		case inVPCs && vpcLine.MatchString(l):
			vpc = vpcLine.FindStringSubmatch(l)[1]
		case inVPCs && subnetLine.MatchString(l) && strings.Contains(l, ", public: true"):
			needs[vpc] = true
		}
	}
	if len(needs) == 0 {
		return "", false
	}
	var out []string
	inVPCs, vpc = false, ""
	for _, l := range lines {
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case !strings.HasPrefix(l, " "):
			inVPCs = strings.HasPrefix(l, "vpcs:")
		case inVPCs && vpcLine.MatchString(l):
			vpc = vpcLine.FindStringSubmatch(l)[1]
		case inVPCs && l == "    subnets:" && needs[vpc]:
			out = append(out,
				"    route_tables:",
				"      "+vpc+"-igw4:",
				"        routes:",
				"          - {destination: 0.0.0.0/0, internet_gateway: true}",
				"      "+vpc+"-igw46:",
				"        routes:",
				"          - {destination: 0.0.0.0/0, internet_gateway: true}",
				`          - {destination: "::/0", internet_gateway: true}`)
		case inVPCs && subnetLine.MatchString(l) && strings.Contains(l, ", public: true"):
			table := vpc + "-igw4"
			if strings.Contains(l, "ipv6_cidr:") {
				table = vpc + "-igw46"
			}
			l = strings.Replace(l, ", public: true", ", route_table: "+table, 1)
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n"), true
}

// routeFindingTexts renders each finding of a report as one line with its
// kind, code, attacker, tier, path, packet and message, sorted.
func routeFindingTexts(r *sim.Report) []string {
	var out []string
	for _, f := range r.Findings {
		pkt := ""
		if f.Packet != nil {
			pkt = f.Packet.String()
		}
		out = append(out, strings.Join([]string{string(f.Kind), f.Code, f.Attacker, f.Tier, strings.Join(f.Path, ">"), pkt, f.Message}, " | "))
	}
	slices.Sort(out)
	return out
}

// Route tables (VPC User Guide): a subnet is public when its route table
// sends 0.0.0.0/0 to an internet gateway. public: true is shorthand for such
// a table, with ::/0 added for a subnet with an IPv6 block, so writing the
// table out changes no verdict, finding or reach row. The relation runs on
// every shipped scenario and on random ones.
func TestRoutePublicShorthandMatchesExplicitTable(t *testing.T) {
	t.Parallel()
	// A dual-stack case, for the ::/0 route of the shorthand: the
	// dual-stack ALB scenario with its table written as public: true, and
	// an app with IPv6 and public addresses in a public subnet.
	dual := rtEdit(t, dualStackALBScenario,
		"    route_tables:\n      public:\n        routes:\n          - {destination: 0.0.0.0/0, internet_gateway: true}\n          - {destination: \"::/0\", internet_gateway: true}\n", "",
		"route_table: public}", "public: true}",
		"route_table: public}", "public: true}",
		"app-a: {cidr: 10.0.10.0/24}", "app-a: {cidr: 10.0.10.0/24, ipv6_cidr: \"2600:1f18:1234:560a::/64\", public: true}",
		"app: {kind: ecs, subnets: [app-a], security_groups: [app]}", "app: {kind: ecs, subnets: [app-a], public_ip: true, ipv6: true, security_groups: [app]}",
		"from: {security_group: alb}}]", "from: {security_group: alb}}, {protocol: tcp, ports: 8080, from: {cidr: \"::/0\"}}]")
	cases := append(metamorphicCases(t), metamorphicCase{"dual-stack", dual})
	ran, dualRan := 0, false
	for _, c := range cases {
		explicit, ok := explicitPublicTables(c.yaml)
		if !ok {
			continue
		}
		before, ok := c.load(t)
		if !ok {
			continue
		}
		ran++
		dualRan = dualRan || c.name == "dual-stack"
		after, diags := model.Parse(c.name, []byte(explicit))
		if diags.HasErrors() {
			t.Fatalf("%s: the explicit tables do not load: %v\n%s", c.name, diags.Err(), numbered(explicit))
		}
		for _, v := range after.VPCs {
			for _, sn := range v.Subnets {
				if sn.RouteTable != nil && sn.RouteTable.Implicit {
					t.Fatalf("%s: subnet %s still uses the shorthand after the rewrite", c.name, sn.Name)
				}
			}
		}
		for i, v := range before.VPCs {
			for j, sn := range v.Subnets {
				if got := after.VPCs[i].Subnets[j].Public; got != sn.Public {
					t.Errorf("%s: subnet %s Public = %v with an explicit table, %v with the shorthand", c.name, sn.Name, got, sn.Public)
				}
			}
		}

		if diff := verdictsOf(t, before).same(verdictsOf(t, after)); diff != "" {
			t.Errorf("%s: writing out the public tables changed the verdicts: %s", c.name, diff)
		}
		r1, err1 := sim.Check(before)
		r2, err2 := sim.Check(after)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: check: %v, %v", c.name, err1, err2)
		}
		if a, b := routeFindingTexts(r1), routeFindingTexts(r2); !slices.Equal(a, b) {
			t.Errorf("%s: findings differ\nshorthand:\n  %s\nexplicit:\n  %s", c.name, strings.Join(a, "\n  "), strings.Join(b, "\n  "))
		}
		reach1, err1 := sim.Reach(before)
		reach2, err2 := sim.Reach(after)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: reach: %v, %v", c.name, err1, err2)
		}
		if !reflect.DeepEqual(reach1.Rows, reach2.Rows) {
			t.Errorf("%s: reach rows differ:\nshorthand: %+v\nexplicit:  %+v", c.name, reach1.Rows, reach2.Rows)
		}
	}
	if !dualRan {
		t.Errorf("the dual-stack case did not run")
	}
	t.Logf("the relation ran on %d scenarios", ran)
	if ran < 10 {
		t.Errorf("the relation ran on %d scenarios with public: true, want at least 10", ran)
	}
}
