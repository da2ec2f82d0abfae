package sim_test

import (
	"slices"
	"testing"

	"github.com/sgchain/sgchain/sim"
)

// The cases below are disagreements that TestOracleAgreement found between
// the simulator and the oracle on routed scenarios, or that scenarios built
// for the routing facts showed, shrunk and trimmed by hand. Each names the
// side that was wrong. All of the simulator's bugs among them are fixed, so
// every case runs.

// checkRouteRegression loads yaml, requires the simulator to agree with the
// oracle, and requires attacker to reach tier exactly when want is true.
func checkRouteRegression(t *testing.T, yaml, attacker, tier string, want bool) {
	t.Helper()
	s := mustParse(t, yaml)
	if diff, _ := compareWithOracle(s); diff != "" {
		t.Errorf("the simulator and the oracle disagree:\n%s", diff)
	}
	reached, err := sim.ReachedTiers(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Contains(reached[attacker], tier); got != want {
		t.Errorf("%s reaches %s = %v, want %v (reached: %v)", attacker, tier, got, want, reached[attacker])
	}
}

// An internet-facing load balancer has a node, with its own public address,
// in each of its subnets, and an internet client may connect to any of them.
// The network ACL of the node's subnet filters the connection. Here both
// subnets route 0.0.0.0/0 to the internet gateway, pub-a's network ACL
// denies everything and pub-b has the default one, so HTTPS reaches the ALB
// through its node in pub-b. The simulator takes the first subnet that
// routes the source back to the internet gateway, pub-a, and applies only
// its network ACL, so it finds the ALB unreachable.
func TestOracleRouteRegressionInternetThroughSecondSubnet(t *testing.T) {
	checkRouteRegression(t, `name: internet-through-second-subnet
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      pub-a: {cidr: 10.0.0.0/24, public: true, network_acl: closed}
      pub-b: {cidr: 10.0.1.0/24, public: true}
      app-a: {cidr: 10.0.10.0/24}
network_acls:
  closed: {ingress: [], egress: []}
security_groups:
  web: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}], egress: none}
  app: {ingress: [], egress: none}
tiers:
  alb:
    kind: alb
    scheme: internet-facing
    subnets: [pub-a, pub-b]
    security_groups: [web]
    listeners: [{port: 443, protocol: https, default_action: {fixed_response: 200}}]
  app: {kind: ecs, subnets: [app-a], security_groups: [app]}
chain: [[app], [alb]]
attackers:
  inet: {kind: internet, own_distribution: false}
`, "inet", "alb", true)
}

// A peering connection carries packets for every block of the peer VPC,
// its IPv6 block included, when both route tables send the other VPC's
// block to it. Here app reaches db's IPv6 address over the peering, and
// db admits TCP 5432 from main's IPv6 block. The simulator treats every
// IPv6 address of another VPC as an internet address and finds no internet
// route for it, so it drops the packet.
func TestOracleRouteRegressionIPv6AcrossPeering(t *testing.T) {
	checkRouteRegression(t, `name: ipv6-across-peering
vpcs:
  main:
    cidr: 10.0.0.0/16
    ipv6_cidr: "2600:1f18:1234:5600::/56"
    route_tables:
      to-shared:
        routes: [{destination: "2600:1f18:1234:5700::/56", peering: pcx}, {destination: 10.1.0.0/16, peering: pcx}]
    subnets:
      app-a: {cidr: 10.0.10.0/24, ipv6_cidr: "2600:1f18:1234:560a::/64", route_table: to-shared}
  shared:
    cidr: 10.1.0.0/16
    ipv6_cidr: "2600:1f18:1234:5700::/56"
    route_tables:
      to-main:
        routes: [{destination: "2600:1f18:1234:5600::/56", peering: pcx}, {destination: 10.0.0.0/16, peering: pcx}]
    subnets:
      sh-a: {cidr: 10.1.0.0/24, ipv6_cidr: "2600:1f18:1234:5700::/64", route_table: to-main}
peerings:
  pcx: {vpcs: [main, shared]}
security_groups:
  app: {vpc: main, ingress: [], egress: aws-default}
  db: {vpc: shared, ingress: [{protocol: tcp, ports: 5432, from: {cidr: "2600:1f18:1234:5600::/56"}}], egress: none}
tiers:
  app: {kind: ecs, ipv6: true, subnets: [app-a], security_groups: [app]}
  db: {kind: rds, ipv6: true, subnets: [sh-a], security_groups: [db]}
chain: [[app], [db]]
attackers:
  breached: {kind: compromised, tier: app}
`, "breached", "db", true)
}

// An internet gateway translates addresses only. A packet that leaves
// through it and comes back in to another tier's public address keeps its
// source port on both stretches, so the stateless replies must pass both
// network ACLs on that one port. Here the reply may enter pub-a only on
// ports 1024-2000 and leave pub-b only on 3000-4000, so no source port
// works. The simulator lets the attacker pick the reply port anew for each
// network ACL and finds a way.
func TestOracleRouteRegressionHairpinReplyPort(t *testing.T) {
	checkRouteRegression(t, `name: hairpin-reply-port
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      pub-a: {cidr: 10.0.0.0/24, public: true, network_acl: low}
      pub-b: {cidr: 10.0.1.0/24, public: true, network_acl: high}
network_acls:
  low:
    ingress: [{rule: 100, action: allow, protocol: tcp, ports: "1024-2000", cidr: 0.0.0.0/0}]
    egress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]
  high:
    ingress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]
    egress: [{rule: 100, action: allow, protocol: tcp, ports: "3000-4000", cidr: 0.0.0.0/0}]
security_groups:
  app: {ingress: [], egress: aws-default}
  web: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}], egress: none}
tiers:
  app: {kind: ec2, public_ip: true, subnets: [pub-a], security_groups: [app]}
  web: {kind: ec2, public_ip: true, subnets: [pub-b], security_groups: [web]}
chain: [[app], [web]]
attackers:
  breached: {kind: compromised, tier: app}
`, "breached", "web", false)
}

// A NAT gateway translates TCP, UDP and ICMP only, so it drops other
// protocols such as ESP (50). Here web admits only ESP, and only from
// public addresses; app can reach it only through the NAT gateway. The
// simulator sends ESP through the gateway.
func TestOracleRouteRegressionNATProtocols(t *testing.T) {
	checkRouteRegression(t, `name: nat-protocols
vpcs:
  main:
    cidr: 10.0.0.0/16
    nat_gateways:
      nat-a: {subnet: pub-a}
    route_tables:
      private:
        routes: [{destination: 0.0.0.0/0, nat_gateway: nat-a}]
    subnets:
      pub-a: {cidr: 10.0.0.0/24, public: true}
      app-a: {cidr: 10.0.10.0/24, route_table: private}
security_groups:
  app: {ingress: [], egress: aws-default}
  web: {ingress: [{protocol: 50, from: {cidr: 198.51.100.0/24}}], egress: none}
tiers:
  app: {kind: ecs, subnets: [app-a], security_groups: [app]}
  web: {kind: ec2, public_ip: true, subnets: [pub-a], security_groups: [web]}
chain: [[app], [web]]
attackers:
  breached: {kind: compromised, tier: app}
`, "breached", "web", false)
}

// The network ACL of a NAT gateway's subnet filters what the gateway
// receives, on the packet's destination port. Here it admits TCP from the
// VPC on port 8443 only, and web admits any TCP port from public
// addresses, so app reaches web's public address on 8443 through the NAT
// gateway. The simulator splits the ports only where the sender's and
// receiver's subnets and groups do, sends port 1 for all of them, and
// finds nothing.
func TestOracleRouteRegressionNATSubnetPorts(t *testing.T) {
	checkRouteRegression(t, `name: nat-subnet-ports
vpcs:
  main:
    cidr: 10.0.0.0/16
    nat_gateways:
      nat-a: {subnet: pub-b}
    route_tables:
      private:
        routes: [{destination: 0.0.0.0/0, nat_gateway: nat-a}]
    subnets:
      pub-a: {cidr: 10.0.0.0/24, public: true}
      pub-b: {cidr: 10.0.1.0/24, public: true, network_acl: nat}
      app-a: {cidr: 10.0.10.0/24, route_table: private}
network_acls:
  nat:
    ingress: [{rule: 100, action: allow, protocol: tcp, ports: 8443, cidr: 10.0.0.0/16}, {rule: 110, action: allow, protocol: all, cidr: 198.51.100.0/24}]
    egress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]
security_groups:
  app: {ingress: [], egress: aws-default}
  web: {ingress: [{protocol: tcp, ports: all, from: {cidr: 198.51.100.0/24}}], egress: none}
tiers:
  app: {kind: ecs, subnets: [app-a], security_groups: [app]}
  web: {kind: ec2, public_ip: true, subnets: [pub-a], security_groups: [web]}
chain: [[app], [web]]
attackers:
  breached: {kind: compromised, tier: app}
`, "breached", "web", true)
}

// An ALB rule required X-Mode to match both "?eta" and "b*a", which "beta"
// does. The oracle built header values from each pattern alone, with ? as
// "q", so none of its values met both conditions, and it missed the forward
// to app that the simulator found. The oracle was wrong; it now also
// replaces ? by each byte of the header's other texts.
func TestOracleRegressionHeaderMatchingTwoPatterns(t *testing.T) {
	checkRouteRegression(t, "name: header-two-patterns\n"+oracleRegressionVPC+`security_groups:
  web: {ingress: [{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}], egress: aws-default}
  app: {ingress: [{protocol: tcp, ports: 8080, from: {security_group: web}}], egress: none}
tiers:
  alb:
    kind: alb
    scheme: internet-facing
    subnets: [pub-a, pub-b]
    security_groups: [web]
    listeners:
      - port: 443
        protocol: https
        rules:
          - priority: 10
            conditions: [{http_header: {name: X-Mode, values: ["?eta"]}}, {http_header: {name: X-Mode, values: ["b*a"]}}]
            action: {forward: {tier: app, port: 8080}}
        default_action: {fixed_response: 403}
  app: {kind: ecs, subnets: [app-a], security_groups: [app]}
chain: [[alb], [app]]
attackers:
  inet: {kind: internet, own_distribution: false}
`, "inet", "app", true)
}
