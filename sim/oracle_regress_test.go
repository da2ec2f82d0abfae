package sim_test

import (
	"testing"

	"github.com/sgchain/sgchain/sim"
)

// The regression cases below are disagreements that TestOracleAgreement
// found between the simulator and the oracle, shrunk and then trimmed by
// hand. Each states which side was wrong and what the verdict must be.
// Both models must agree on each, and the named verdict must hold.

// oracleRegressionVPC is the network part every case shares.
const oracleRegressionVPC = `vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      pub-a: {cidr: 10.0.0.0/24, public: true}
      pub-b: {cidr: 10.0.1.0/24, public: true}
      app-a: {cidr: 10.0.10.0/24}
      app-b: {cidr: 10.0.11.0/24}
prefix_lists:
  cloudfront:
    aws_managed: com.amazonaws.global.cloudfront.origin-facing
`

// A compute tier's declared connection to an ALB whose rules meet a request
// without headers with a fixed 403 was reported broken, while a
// distribution's or load balancer's hop into the same ALB holds: the simulator judged connects_to hops by whether the ALB forwarded
// the request, and proxy hops by whether it admitted it. The model cannot
// know the headers the app sends, so the listener rules cannot decide the
// hop. The simulator was wrong; connects_to hops now hold when the receiver
// admits the connection.
func TestOracleRegressionConnectionToALBFixedResponse(t *testing.T) {
	yaml := "name: connection-to-alb\n" + oracleRegressionVPC + `security_groups:
  sg0:
    ingress: [{protocol: tcp, ports: all, from: {security_group: sg0}}]
    egress: aws-default
tiers:
  app:
    kind: ecs
    subnets: [app-a]
    security_groups: [sg0]
    connects_to: [{tier: api, protocol: tcp, port: 1}]
  api:
    kind: alb
    scheme: internal
    subnets: [app-a, app-b]
    security_groups: [sg0]
    listeners:
      - port: 1
        protocol: http
        rules: [{priority: 14, conditions: [{http_header: {name: X-Mode, values: [beta]}}], action: {forward: {tier: app, port: 7}}}]
        default_action: {fixed_response: 403}
chain: [[app], [api]]
attackers:
  vpn: {kind: address-range, cidrs: [10.0.0.8/29]}
`
	s := mustParse(t, yaml)
	if diff, _ := compareWithOracle(s); diff != "" {
		t.Errorf("the simulator and the oracle disagree:\n%s", diff)
	}
	r, err := sim.Check(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range r.Hops {
		if h.From == "app" && h.To == "api" && h.Verdict != sim.Holds {
			t.Errorf("hop app -> api is %s (%s), want holds: the ALB admits the connection", h.Verdict, h.Reason)
		}
	}
}

// A web ACL allowed only requests whose X-Secret header is "s3cret", while a
// distribution sends X-Secret with a secret value. The simulator counts
// every literal value that a filter tests on a secret header as a secret
// too (the secret, one kept during a rotation, or a mistyped copy). So an
// attacker without knows_secrets cannot send "s3cret" and does not get past
// the web ACL. The oracle at first let the attacker send it; the oracle was
// missing the rule and now follows it.
func TestOracleRegressionTestedValueOfSecretHeader(t *testing.T) {
	yaml := "name: tested-secret-value\n" + oracleRegressionVPC + `security_groups:
  sg1: {ingress: [], egress: none}
tiers:
  gated:
    kind: cloudfront
    waf: {name: acl, default_action: block, rules: [{name: r0, priority: 31, action: allow, header: {name: X-Secret, values: ["s3cret"]}}]}
    origins: [{name: o1, tier: api, protocol_policy: http-only, http_port: 8080}]
  api:
    kind: alb
    scheme: internal
    subnets: [app-a, app-b]
    security_groups: [sg1]
    listeners: [{port: 7, protocol: https, default_action: {fixed_response: 503}}]
  edge:
    kind: cloudfront
    origins: [{name: o0, tier: api, protocol_policy: https-only, custom_headers: [{name: X-Secret, value: beta, secret: true}]}]
chain: [[gated], [api]]
attackers:
  inet: {kind: internet}
  insider: {kind: internet, knows_secrets: [X-Secret]}
`
	s := mustParse(t, yaml)
	if diff, _ := compareWithOracle(s); diff != "" {
		t.Errorf("the simulator and the oracle disagree:\n%s", diff)
	}
	reached, err := sim.ReachedTiers(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := reached["inet"]; len(got) != 1 || got[0] != "edge" {
		t.Errorf("inet reaches %v, want only [edge]: the web ACL allows only a value the attacker does not know", got)
	}
	if got := reached["insider"]; len(got) != 2 {
		t.Errorf("insider reaches %v, want [gated edge]: it knows the values tested on X-Secret", got)
	}
}

// An NLB forwarded two listeners to one target with client IP preservation,
// UDP 31 to port 5 and TCP 443 to port 80, and the target admitted TCP
// 80-1024 from 198.51.100.134/31 only. The simulator gathered the source
// blocks that split the internet's addresses once per target tier, with the
// port of the first listener, so the /31 of the second was never a class of
// its own and no packet from it reached the target. The simulator was
// wrong; it now gathers them once per target and port.
func TestOracleRegressionNLBTargetOnTwoPorts(t *testing.T) {
	yaml := "name: nlb-two-ports\n" + oracleRegressionVPC + `security_groups:
  sg2:
    ingress: [{protocol: tcp, ports: "80-1024", from: {cidr: 198.51.100.134/31}}]
    egress: none
tiers:
  nlb:
    kind: nlb
    scheme: internet-facing
    subnets: [pub-a, pub-b]
    listeners:
      - {port: 31, protocol: udp, forward: {tier: app, port: 5}}
      - {port: 443, protocol: tcp, forward: {tier: app, port: 80, preserve_client_ip: true}}
  app:
    kind: ecs
    subnets: [app-a]
    security_groups: [sg2]
chain: [[app], [nlb]]
attackers:
  inet: {kind: internet, own_distribution: true}
`
	s := mustParse(t, yaml)
	if diff, _ := compareWithOracle(s); diff != "" {
		t.Errorf("the simulator and the oracle disagree:\n%s", diff)
	}
	reached, err := sim.ReachedTiers(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := reached["inet"]; len(got) != 2 {
		t.Errorf("inet reaches %v, want [nlb app]: 198.51.100.134 reaches app through the NLB's TCP 443 listener", got)
	}
}
