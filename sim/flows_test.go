package sim_test

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// flowDesign is an internet-facing ALB in front of an app, with rules that
// cut the packet space by port range, source address, header pattern and
// protocol number, so that a flow can cover part of a class.
const flowDesign = `
name: flows
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
      app-a: {cidr: 10.0.10.0/24, public: true}
      db-a: {cidr: 10.0.20.0/24}
security_groups:
  alb:
    ingress:
      - {protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}
    egress:
      - {protocol: tcp, ports: 8080, to: {security_group: app}}
  app:
    ingress:
      - {protocol: tcp, ports: 8080, from: {security_group: alb}}
      - {protocol: tcp, ports: "9000-9099", from: {cidr: 203.0.113.45/32}}
      - {protocol: 50, from: {cidr: 198.51.100.0/24}}
    egress:
      - {protocol: tcp, ports: 5432, to: {security_group: db}}
  db:
    ingress:
      - {protocol: tcp, ports: 5432, from: {security_group: app}}
    egress: none
tiers:
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
              - http_header: {name: X-Api-Key, values: ["key-*"]}
            action: {forward: {tier: app, port: 8080}}
        default_action: {fixed_response: 403}
  app:
    kind: ec2
    subnets: [app-a]
    security_groups: [app]
    public_ip: true
    connects_to:
      - {tier: db, port: 5432}
  db:
    kind: rds
    subnets: [db-a]
    security_groups: [db]
chain: [alb, app, db]
`

func flowNetwork(t *testing.T, src string) *sim.Network {
	t.Helper()
	s, diags := model.Parse("flows.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatalf("scenario does not load:\n%v", diags.Err())
	}
	return sim.Compile(s)
}

func TestPossibleCutsClasses(t *testing.T) {
	n := flowNetwork(t, flowDesign)
	tcp := func(lo, hi int) model.PortRange { return model.PortRange{From: lo, To: hi} }
	admin := netip.MustParseAddr("203.0.113.45")
	tests := []struct {
		name string
		flow sim.Flow
		want bool
	}{
		{"range that overlaps the admin rule", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(9050, 9500)}, true},
		{"range next to the admin rule", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(9100, 9500)}, false},
		{"admin rule from the admin address", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(9000, 9000), Src: admin}, true},
		{"admin rule from the next address", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(9000, 9000), Src: admin.Next()}, false},
		{"source outside the sender's addresses", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(9000, 9000), Src: netip.MustParseAddr("10.9.9.9")}, false},
		{"through the ALB with any header", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(443, 443)}, true},
		{"through the ALB with a matching key", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(443, 443),
			Headers: []sim.Header{{Name: "x-api-key", Value: "KEY-123"}}}, true},
		{"through the ALB with a wrong key", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(443, 443),
			Headers: []sim.Header{{Name: "X-Api-Key", Value: "nope"}}}, false},
		{"header no filter tests", sim.Flow{From: "internet", To: "app", Protocol: model.TCP, Ports: tcp(443, 443),
			Headers: []sim.Header{{Name: "X-Trace", Value: "1"}}}, true},
		{"protocol a rule names", sim.Flow{From: "internet", To: "app", Protocol: 50, Src: netip.MustParseAddr("198.51.100.7")}, true},
		{"protocol no rule names", sim.Flow{From: "internet", To: "app", Protocol: 47}, false},
		{"any protocol", sim.Flow{From: "internet", To: "app", Protocol: model.AllProtocols}, true},
		{"udp", sim.Flow{From: "internet", To: "app", Protocol: model.UDP, Ports: model.AllPorts}, false},
		{"nothing reaches the database", sim.Flow{From: "internet", To: "db", Protocol: model.AllProtocols}, false},
		{"compromised app to the database", sim.Flow{From: "app", FromTier: true, To: "db", Protocol: model.TCP, Ports: tcp(5432, 5432)}, true},
		{"compromised app on another port", sim.Flow{From: "app", To: "db", Protocol: model.TCP, Ports: tcp(5433, 65535)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := n.Possible(tc.flow)
			if err != nil {
				t.Fatal(err)
			}
			if res.Possible != tc.want {
				t.Fatalf("Possible = %v, want %v (reached %v)", res.Possible, tc.want, res.Reached)
			}
			if !res.Possible {
				if res.Packet != nil || res.Hops != nil {
					t.Errorf("impossible flow has a witness: %v", res.Path)
				}
				return
			}
			if last := res.Path[len(res.Path)-1]; last != tc.flow.To || len(res.Hops) != len(res.Path)-1 {
				t.Errorf("witness path %v with %d hops, want a path to %s with one hop per edge", res.Path, len(res.Hops), tc.flow.To)
			}
			p := res.Packet
			if tc.flow.Protocol != model.AllProtocols && p.Protocol != tc.flow.Protocol {
				t.Errorf("witness protocol %s, want %s", p.Protocol, tc.flow.Protocol)
			}
			if tc.flow.Protocol.HasPorts() && !tc.flow.Ports.Contains(p.Port) {
				t.Errorf("witness port %d outside %s", p.Port, tc.flow.Ports)
			}
			if tc.flow.Src.IsValid() && p.Src != tc.flow.Src {
				t.Errorf("witness source %s, want %s", p.Src, tc.flow.Src)
			}
		})
	}
}

func TestPossibleSecretHeader(t *testing.T) {
	src := strings.Replace(flowDesign, `values: ["key-*"]`, `values: ["s3cret"]`, 1)
	src = strings.Replace(src, "tiers:\n", `tiers:
  edge:
    kind: cloudfront
    origins:
      - name: alb
        tier: alb
        protocol_policy: https-only
        custom_headers:
          - {name: X-Api-Key, value: s3cret, secret: true}
`, 1)
	src = strings.Replace(src, "chain: [alb, app, db]", `chain: [edge, alb, app, db]
attackers:
  internet:
    kind: internet
    own_distribution: false
  insider:
    kind: internet
    own_distribution: false
    knows_secrets: [X-Api-Key]`, 1)
	n := flowNetwork(t, src)
	secret := []sim.Header{{Name: "X-Api-Key", Value: "s3cret", Secret: true}}
	for _, tc := range []struct {
		from string
		to   string
		want bool
	}{
		// An attacker that does not know the value cannot send a request
		// that carries it, not even to the scenario's distribution, which
		// would set the header anyway.
		{"internet", "app", false},
		{"insider", "app", true},
	} {
		res, err := n.Possible(sim.Flow{From: tc.from, To: tc.to, Protocol: model.TCP, Ports: model.PortRange{From: 443, To: 443}, Headers: secret})
		if err != nil {
			t.Fatal(err)
		}
		if res.Possible != tc.want {
			t.Errorf("%s -> %s with the secret: Possible = %v, want %v", tc.from, tc.to, res.Possible, tc.want)
		}
	}

	// Straight to the ALB, only the attacker whose knows_secrets names the
	// header passes.
	direct := func(from string) bool {
		t.Helper()
		res, err := n.Possible(sim.Flow{From: from, To: "app", Protocol: model.TCP, Ports: model.PortRange{From: 443, To: 443},
			Src: netip.MustParseAddr("203.0.113.9"), Headers: secret})
		if err != nil {
			t.Fatal(err)
		}
		return res.Possible && !slices.Contains(res.Path, "edge")
	}
	if direct("internet") {
		t.Error("internet sends the secret value it does not know")
	}
	if !direct("insider") {
		t.Error("insider, which knows the secret value, does not reach the app directly")
	}
}

func TestPossibleErrors(t *testing.T) {
	n := flowNetwork(t, flowDesign)
	for _, f := range []sim.Flow{
		{From: "nobody", To: "app", Protocol: model.TCP},
		{From: "alb", To: "app", Protocol: model.TCP},
		{From: "db", FromTier: true, To: "nowhere", Protocol: model.TCP},
		{From: "internet", FromTier: true, To: "app", Protocol: model.TCP},
	} {
		if _, err := n.Possible(f); err == nil {
			t.Errorf("Possible(%+v) returned no error", f)
		}
	}
}

// For a single port and no headers, Possible and Trace answer the same
// question, so they must agree on every shipped scenario.
func TestPossibleAgreesWithTrace(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/*.yaml")
	if len(files) == 0 {
		t.Fatal("no shipped scenarios")
	}
	for _, file := range files {
		s, diags := model.Load(file)
		if diags.HasErrors() {
			t.Fatalf("%s does not load: %v", file, diags.Err())
		}
		n := sim.Compile(s)
		// home is the tier a sender runs on, which it does not send to.
		type sender struct {
			flow sim.Flow
			home string
		}
		var senders []sender
		for _, a := range s.Attackers {
			home := ""
			if a.Tier != nil {
				home = a.Tier.Name
			}
			senders = append(senders, sender{sim.Flow{From: a.Name}, home})
		}
		for _, tier := range s.Tiers {
			if tier.Kind.IsEndpoint() {
				senders = append(senders, sender{sim.Flow{From: tier.Name, FromTier: true}, tier.Name})
			}
		}
		for _, sender := range senders {
			for _, to := range s.Tiers {
				if to.Name == sender.home {
					continue
				}
				for _, port := range []int{22, 80, 443, 5432, 7350, 8080} {
					f := sender.flow
					f.To, f.Protocol, f.Ports = to.Name, model.TCP, model.PortRange{From: port, To: port}
					res, err := n.Possible(f)
					if err != nil {
						t.Fatal(err)
					}
					tr, err := n.Trace(sim.Request{From: f.From, To: f.To, Protocol: model.TCP, HasProtocol: true, Port: port, HasPort: true})
					if err != nil {
						t.Fatal(err)
					}
					if res.Possible != tr.Reached {
						t.Errorf("%s: %s -> %s tcp %d: Possible = %v, but Trace reached = %v", file, f.From, f.To, port, res.Possible, tr.Reached)
					}
				}
			}
		}
	}
}
