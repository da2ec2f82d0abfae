package sim_test

import (
	"strings"
	"testing"
	"text/template"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// trackingSlots are the rules of a small design: an EC2 tier "web" with a
// public address in a public subnet, and a compromised EC2 tier "worker" in
// another subnet. Rule lists are flow-style YAML. Listener is an optional
// NLB listener protocol; when set, an internet-facing NLB "nlb" forwards
// its port 80 to web. NetworkACLs are entries under network_acls, and
// WebACL names the network ACL of web's subnet. PrivateWeb takes web's
// public address away, so that the worker reaches it only at its private
// address.
type trackingSlots struct {
	Name                        string
	PrivateWeb                  bool
	WebIngress, WebEgress       string
	WorkerIngress, WorkerEgress string
	Listener                    string
	WorkerSubnet                string
	NetworkACLs, WebACL         string
}

func trackingDesign(name string) trackingSlots {
	return trackingSlots{
		Name:          name,
		WebIngress:    `[{protocol: tcp, ports: 80, from: {cidr: 0.0.0.0/0}}]`,
		WebEgress:     `aws-default`,
		WorkerIngress: `[]`,
		WorkerEgress:  `aws-default`,
		WorkerSubnet:  "work-a",
	}
}

var trackingTemplate = template.Must(template.New("tracking").Parse(`name: {{.Name}}
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
      web-a: {cidr: 10.0.1.0/24, public: true{{if .WebACL}}, network_acl: {{.WebACL}}{{end}}}
      work-a: {cidr: 10.0.2.0/24}
{{- if .NetworkACLs}}
network_acls:
{{.NetworkACLs}}
{{- end}}
security_groups:
  web: {ingress: {{.WebIngress}}, egress: {{.WebEgress}}}
  worker: {ingress: {{.WorkerIngress}}, egress: {{.WorkerEgress}}}
{{- if .Listener}}
  nlb: {ingress: [{protocol: all, from: {cidr: 0.0.0.0/0}}], egress: aws-default}
{{- end}}
tiers:
{{- if .Listener}}
  nlb:
    kind: nlb
    scheme: internet-facing
    subnets: [public-a]
    security_groups: [nlb]
    listeners:
      - {port: 80, protocol: {{.Listener}}, forward: {tier: web, port: 80}}
{{- end}}
  web: {kind: ec2, subnets: [web-a], security_groups: [web], public_ip: {{not .PrivateWeb}}}
  worker: {kind: ec2, subnets: [{{.WorkerSubnet}}], security_groups: [worker]}
chain: [{{if .Listener}}[nlb], {{end}}[web], [worker]]
attackers:
  internet: {kind: internet}
  breach: {kind: compromised, tier: worker}
`))

func (d trackingSlots) scenario(t *testing.T) *model.Scenario {
	t.Helper()
	var b strings.Builder
	if err := trackingTemplate.Execute(&b, d); err != nil {
		t.Fatalf("rendering design %s: %v", d.Name, err)
	}
	return parseYAML(t, d.Name, b.String())
}

// traceHop traces a packet and returns the hop into the target, which must
// arrive.
func traceHop(t *testing.T, s *model.Scenario, req sim.Request) sim.Hop {
	t.Helper()
	res, err := sim.Trace(s, req)
	if err != nil {
		t.Fatalf("Trace: %v", err)
	}
	if !res.Reached {
		t.Fatalf("%s does not reach %s: %s %s", req.From, req.To, res.Reason, res.Fix)
	}
	h := res.Hops[len(res.Hops)-1]
	if h.Tracking == nil {
		t.Fatalf("hop %s -> %s has no tracking", h.From, h.To)
	}
	return h
}

func tcpTo(from, to string, port int) sim.Request {
	return sim.Request{From: from, To: to, Protocol: model.TCP, HasProtocol: true, Port: port, HasPort: true}
}

// Connection tracking (EC2 User Guide): an inbound TCP or UDP flow is
// untracked only when two rules hold. An inbound rule admits it from all
// addresses (0.0.0.0/0), and an outbound rule admits all replies to all
// addresses on ports 0-65535, for its protocol or for all protocols.
// Otherwise the receiving interface tracks it.
func TestTrackingInboundPredicate(t *testing.T) {
	open := `[{protocol: tcp, ports: 80, from: {cidr: 0.0.0.0/0}}]`
	tests := []struct {
		name    string
		ingress string
		egress  string
		want    sim.TrackingState
	}{
		{"open both ways", open, `aws-default`, sim.Untracked},
		{"replies on all tcp ports", open, `[{protocol: tcp, ports: all, to: {cidr: 0.0.0.0/0}}]`, sim.Untracked},
		{"replies on one port", open, `[{protocol: tcp, ports: "1024-65535", to: {cidr: 0.0.0.0/0}}]`, sim.Tracked},
		{"replies of another protocol", open, `[{protocol: udp, ports: all, to: {cidr: 0.0.0.0/0}}]`, sim.Tracked},
		{"replies to a narrower block", open, `[{protocol: all, to: {cidr: 0.0.0.0/1}}, {protocol: all, to: {cidr: 128.0.0.0/1}}]`, sim.Tracked},
		{"no outbound rules", open, `none`, sim.Tracked},
		{"inbound from a block", `[{protocol: tcp, ports: 80, from: {cidr: 0.0.0.0/1}}]`, `aws-default`, sim.Tracked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := trackingDesign("inbound")
			d.WebIngress, d.WebEgress = tc.ingress, tc.egress
			h := traceHop(t, d.scenario(t), tcpTo("internet", "web", 80))

			if h.Tracking.Sender != nil {
				t.Errorf("Sender = %+v, want nil: an internet host has no security group", h.Tracking.Sender)
			}
			r := h.Tracking.Receiver
			if r == nil || r.Tier != "web" {
				t.Fatalf("Receiver = %+v, want the tracking of web", r)
			}
			if r.State != tc.want {
				t.Errorf("State = %s (%s), want %s", r.State, r.Reason, tc.want)
			}
			if tc.want == sim.Untracked && r.Timeout != nil {
				t.Errorf("Timeout = %+v, want nil for an untracked flow", r.Timeout)
			}
			if tc.want == sim.Tracked && (r.Timeout == nil || r.Timeout.Seconds != sim.TCPEstablishedTimeout) {
				t.Errorf("Timeout = %+v, want %d s", r.Timeout, sim.TCPEstablishedTimeout)
			}
		})
	}
}

// Connection tracking (EC2 User Guide): the same predicate holds outbound.
// A flow an interface sends is untracked only when an outbound rule admits
// it to all addresses and an inbound rule admits all replies from all
// addresses on all ports.
func TestTrackingOutboundPredicate(t *testing.T) {
	tests := []struct {
		name    string
		egress  string
		ingress string
		want    sim.TrackingState
	}{
		{"open both ways", `aws-default`, `[{protocol: all, from: {cidr: 0.0.0.0/0}}]`, sim.Untracked},
		{"replies on all tcp ports", `aws-default`, `[{protocol: tcp, ports: all, from: {cidr: 0.0.0.0/0}}]`, sim.Untracked},
		{"no inbound rules", `aws-default`, `[]`, sim.Tracked},
		{"replies from a block", `aws-default`, `[{protocol: all, from: {cidr: 10.0.0.0/8}}]`, sim.Tracked},
		{"outbound to a block", `[{protocol: tcp, ports: 80, to: {cidr: 10.0.0.0/16}}]`, `[{protocol: all, from: {cidr: 0.0.0.0/0}}]`, sim.Tracked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := trackingDesign("outbound")
			d.WorkerEgress, d.WorkerIngress = tc.egress, tc.ingress
			h := traceHop(t, d.scenario(t), tcpTo("breach", "web", 80))

			s := h.Tracking.Sender
			if s == nil || s.Tier != "worker" {
				t.Fatalf("Sender = %+v, want the tracking of worker", s)
			}
			if s.State != tc.want {
				t.Errorf("State = %s (%s), want %s", s.State, s.Reason, tc.want)
			}
		})
	}
}

// Connection tracking (EC2 User Guide): ICMP is always tracked, even when
// rules admit it from and to all addresses. Other protocols than TCP, UDP
// and ICMP are tracked by address pair and protocol number, and a packet
// from the peer within 600 s counts as a reply. UDP flows time out after
// 30 s by default, 180 s once they are streams.
func TestTrackingByProtocol(t *testing.T) {
	d := trackingDesign("protocols")
	d.WebIngress = `[{protocol: all, from: {cidr: 0.0.0.0/0}}]`
	s := d.scenario(t)

	icmp := traceHop(t, s, sim.Request{From: "internet", To: "web", Protocol: model.ICMP, HasProtocol: true, Port: 8 * 256, HasPort: true})
	if r := icmp.Tracking.Receiver; r.State != sim.Tracked || r.Reason != "ICMP is always tracked" {
		t.Errorf("icmp: %s (%s), want tracked because ICMP is always tracked", r.State, r.Reason)
	} else if r.Timeout == nil || r.Timeout.Seconds != 0 || r.Timeout.Note == "" {
		t.Errorf("icmp timeout = %+v, want no documented value and a note saying so", r.Timeout)
	}

	gre := traceHop(t, s, sim.Request{From: "internet", To: "web", Protocol: model.Protocol(47), HasProtocol: true})
	if r := gre.Tracking.Receiver; r.State != sim.Tracked {
		t.Errorf("protocol 47: %s (%s), want tracked", r.State, r.Reason)
	} else if r.Timeout == nil || r.Timeout.Seconds != sim.OtherProtocolTimeout {
		t.Errorf("protocol 47 timeout = %+v, want %d s", r.Timeout, sim.OtherProtocolTimeout)
	}

	udp := traceHop(t, s, sim.Request{From: "internet", To: "web", Protocol: model.UDP, HasProtocol: true, Port: 53, HasPort: true})
	if r := udp.Tracking.Receiver; r.State != sim.Untracked {
		t.Errorf("udp open both ways: %s (%s), want untracked", r.State, r.Reason)
	}
	d.WebEgress = `none`
	udp = traceHop(t, d.scenario(t), sim.Request{From: "internet", To: "web", Protocol: model.UDP, HasProtocol: true, Port: 53, HasPort: true})
	r := udp.Tracking.Receiver
	if r.State != sim.Tracked || r.Timeout == nil || r.Timeout.Seconds != sim.UDPTimeout {
		t.Fatalf("udp without outbound rules: %s %+v, want tracked with %d s", r.State, r.Timeout, sim.UDPTimeout)
	}
	if !strings.Contains(r.Timeout.Note, "180 s") {
		t.Errorf("udp note = %q, want the 180 s stream timeout", r.Timeout.Note)
	}
}

// Connection tracking (EC2 User Guide): connections through a Network Load
// Balancer are automatically tracked whatever the rules, and their idle
// timeout is 350 s for TCP and 120 s for UDP. web's rules would leave the
// flow untracked if it came straight from the internet.
func TestTrackingThroughNLB(t *testing.T) {
	tests := []struct {
		listener string
		proto    model.Protocol
		want     int
	}{
		{"tcp", model.TCP, sim.NLBTCPTimeout},
		{"udp", model.UDP, sim.NLBUDPTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.listener, func(t *testing.T) {
			d := trackingDesign("nlb-" + tc.listener)
			d.Listener = tc.listener
			d.WebIngress = `[{protocol: all, from: {cidr: 0.0.0.0/0}}]`
			res, err := sim.Trace(d.scenario(t), sim.Request{From: "internet", To: "web", Protocol: tc.proto, HasProtocol: true,
				Port: 80, HasPort: true, Via: "nlb"})
			if err != nil || !res.Reached {
				t.Fatalf("internet does not reach web through nlb: %v %+v", err, res)
			}
			if len(res.Hops) != 2 {
				t.Fatalf("hops = %d, want internet -> nlb -> web", len(res.Hops))
			}
			ends := []*sim.InterfaceTracking{res.Hops[0].Tracking.Receiver, res.Hops[1].Tracking.Sender, res.Hops[1].Tracking.Receiver}
			for _, e := range ends {
				if e == nil {
					t.Fatalf("an end of the NLB path has no tracking: %+v", ends)
				}
				if e.State != sim.AutoTracked || e.Component != "Network Load Balancer nlb" {
					t.Errorf("%s: %s by %q, want automatically tracked by Network Load Balancer nlb", e.Tier, e.State, e.Component)
				}
				if e.Timeout == nil || e.Timeout.Seconds != tc.want {
					t.Errorf("%s: timeout %+v, want %d s", e.Tier, e.Timeout, tc.want)
				}
			}
		})
	}
}

// Connection tracking (EC2 User Guide), worked example: an instance admits
// TCP 22 from one address, TCP 80 from 0.0.0.0/0 and ICMP from 0.0.0.0/0,
// and its outbound rules admit all IPv4 and all IPv6 traffic. Port 80 is
// untracked, port 22 and ICMP are tracked. Once the outbound IPv4 rule is
// removed, all IPv4 traffic is tracked, port 80 included, although the IPv6
// rule remains.
func TestTrackingAWSWorkedExample(t *testing.T) {
	ingress := `[{protocol: tcp, ports: 22, from: {cidr: 203.0.113.1/32}}, {protocol: tcp, ports: 80, from: {cidr: 0.0.0.0/0}},` +
		` {protocol: icmp, from: {cidr: 0.0.0.0/0}}]`
	both := `[{protocol: all, to: {cidr: 0.0.0.0/0}}, {protocol: all, to: {cidr: "::/0"}}]`
	ipv6Only := `[{protocol: all, to: {cidr: "::/0"}}]`

	d := trackingDesign("worked-example")
	d.WebIngress, d.WebEgress = ingress, both
	s := d.scenario(t)
	states := map[string]sim.TrackingState{
		"tcp 80": traceHop(t, s, tcpTo("internet", "web", 80)).Tracking.Receiver.State,
		"tcp 22": traceHop(t, s, sim.Request{From: "internet", To: "web", Protocol: model.TCP, HasProtocol: true, Port: 22, HasPort: true,
			Src: prefix("203.0.113.1/32").Addr()}).Tracking.Receiver.State,
		"icmp": traceHop(t, s, sim.Request{From: "internet", To: "web", Protocol: model.ICMP, HasProtocol: true}).Tracking.Receiver.State,
	}
	want := map[string]sim.TrackingState{"tcp 80": sim.Untracked, "tcp 22": sim.Tracked, "icmp": sim.Tracked}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("with both outbound rules, %s is %s, want %s", k, states[k], v)
		}
	}

	d.WebEgress = ipv6Only
	if got := traceHop(t, d.scenario(t), tcpTo("internet", "web", 80)).Tracking.Receiver.State; got != sim.Tracked {
		t.Errorf("without the outbound IPv4 rule, tcp 80 is %s, want %s", got, sim.Tracked)
	}
}

// lostFlows diffs two designs and classifies the lost flows.
func lostFlows(t *testing.T, before, after trackingSlots) []sim.LostFlow {
	t.Helper()
	s1, s2 := before.scenario(t), after.scenario(t)
	d, err := sim.Diff(s1, s2)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return sim.LostFlows(s1, s2, d)
}

// lostReachTo returns the lost flow of attacker to tier, failing when there
// is none.
func lostReachTo(t *testing.T, lost []sim.LostFlow, attacker, tier string) sim.LostFlow {
	t.Helper()
	for _, f := range lost {
		if f.Reach != nil && f.Reach.Attacker == attacker && f.Reach.Tier == tier {
			return f
		}
	}
	t.Fatalf("no lost flow from %s to %s among %+v", attacker, tier, lost)
	return sim.LostFlow{}
}

// Connection tracking (EC2 User Guide): when a rule is removed or narrowed,
// tracked connections already established keep working until they are idle
// for the timeout, and untracked flows are cut at once. A network ACL rule
// that denies the traffic cuts tracked connections at once, because network
// ACLs are stateless. A network ACL filters only traffic that crosses a
// subnet boundary.
func TestLostFlowSurvival(t *testing.T) {
	t.Run("tracked ingress removed", func(t *testing.T) {
		before := trackingDesign("tracked")
		before.WebIngress = `[{protocol: tcp, ports: 80, from: {cidr: 0.0.0.0/1}}]`
		after := before
		after.WebIngress = `[]`
		f := lostReachTo(t, lostFlows(t, before, after), "internet", "web")

		if f.Survival != sim.SurvivesUntilIdle {
			t.Fatalf("Survival = %s (%s), want %s", f.Survival, f.Reason, sim.SurvivesUntilIdle)
		}
		if f.Timeout == nil || f.Timeout.Seconds != sim.TCPEstablishedTimeout {
			t.Errorf("Timeout = %+v, want %d s", f.Timeout, sim.TCPEstablishedTimeout)
		}
		if len(f.Cuts) != 1 || f.Cuts[0].Filter != sim.FilterIngress || !strings.HasPrefix(f.Cuts[0].Before, "security_groups.web.ingress[0] ") {
			t.Errorf("Cuts = %+v, want one ingress cut of security_groups.web.ingress[0]", f.Cuts)
		}
		if !strings.Contains(f.Remedy, "inbound network ACL rule") || !strings.Contains(f.Remedy, "web-a") {
			t.Errorf("Remedy = %q, want an inbound network ACL rule on web-a", f.Remedy)
		}
	})

	t.Run("untracked ingress removed", func(t *testing.T) {
		before := trackingDesign("untracked")
		after := before
		after.WebIngress = `[]`
		f := lostReachTo(t, lostFlows(t, before, after), "internet", "web")

		if f.Survival != sim.CutAtOnce {
			t.Fatalf("Survival = %s (%s), want %s", f.Survival, f.Reason, sim.CutAtOnce)
		}
		if f.Timeout != nil || f.Remedy != "" {
			t.Errorf("Timeout = %+v, Remedy = %q; want neither for connections cut at once", f.Timeout, f.Remedy)
		}
	})

	// The rule a removal leaves behind decides nothing: the flow was
	// untracked before the change, so nothing remembers it.
	t.Run("untracked ingress narrowed", func(t *testing.T) {
		before := trackingDesign("narrowed")
		after := before
		after.WebIngress = `[{protocol: tcp, ports: 80, from: {cidr: 10.0.0.0/8}}]`
		f := lostReachTo(t, lostFlows(t, before, after), "internet", "web")
		if f.Survival != sim.CutAtOnce {
			t.Errorf("Survival = %s (%s), want %s", f.Survival, f.Reason, sim.CutAtOnce)
		}
	})

	t.Run("sender egress removed", func(t *testing.T) {
		for _, tc := range []struct {
			ingress string
			want    sim.Survival
		}{
			{`[]`, sim.SurvivesUntilIdle},
			{`[{protocol: all, from: {cidr: 0.0.0.0/0}}]`, sim.CutAtOnce},
		} {
			before := trackingDesign("egress")
			before.PrivateWeb = true
			before.WorkerIngress = tc.ingress
			after := before
			after.WorkerEgress = `none`
			f := lostReachTo(t, lostFlows(t, before, after), "breach", "web")
			if f.Survival != tc.want {
				t.Errorf("worker ingress %s: Survival = %s (%s), want %s", tc.ingress, f.Survival, f.Reason, tc.want)
			}
			if len(f.Cuts) != 1 || f.Cuts[0].Filter != sim.FilterEgress || f.Cuts[0].Tracking.Tier != "worker" {
				t.Errorf("Cuts = %+v, want one egress cut at worker", f.Cuts)
			}
		}
	})

	t.Run("through nlb", func(t *testing.T) {
		before := trackingDesign("through-nlb")
		before.Listener = "tcp"
		before.WebIngress = `[{protocol: all, from: {cidr: 0.0.0.0/0}}]`
		after := before
		after.WebIngress = `[]`
		var f *sim.LostFlow
		lost := lostFlows(t, before, after)
		for i := range lost {
			if lost[i].Reach != nil && lost[i].Reach.Tier == "web" && lost[i].Reach.Entry == "nlb" {
				f = &lost[i]
			}
		}
		if f == nil {
			t.Fatalf("no lost flow through nlb among %+v", lost)
		}
		if f.Survival != sim.SurvivesUntilIdle || f.Timeout == nil || f.Timeout.Seconds != sim.NLBTCPTimeout {
			t.Errorf("Survival = %s %+v (%s), want %s with %d s", f.Survival, f.Timeout, f.Reason, sim.SurvivesUntilIdle, sim.NLBTCPTimeout)
		}
	})

	t.Run("same subnet", func(t *testing.T) {
		before := trackingDesign("same-subnet")
		before.PrivateWeb = true
		before.WorkerSubnet = "web-a"
		before.WebIngress = `[{protocol: tcp, ports: 80, from: {security_group: worker}}]`
		after := before
		after.WebIngress = `[]`
		f := lostReachTo(t, lostFlows(t, before, after), "breach", "web")
		if f.Survival != sim.SurvivesUntilIdle || !strings.HasPrefix(f.Remedy, "no network ACL can cut them") {
			t.Errorf("Survival = %s, Remedy = %q; want survival and no network ACL remedy within one subnet", f.Survival, f.Remedy)
		}
	})

	t.Run("network acl deny", func(t *testing.T) {
		before := trackingDesign("nacl")
		before.WebIngress = `[{protocol: tcp, ports: 80, from: {cidr: 0.0.0.0/1}}]`
		after := before
		after.NetworkACLs = "  web-nacl:\n    vpc: main\n" +
			"    ingress: [{rule: 100, action: deny, protocol: all, cidr: 0.0.0.0/0}]\n" +
			"    egress: [{rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0}]"
		after.WebACL = "web-nacl"
		f := lostReachTo(t, lostFlows(t, before, after), "internet", "web")
		if f.Survival != sim.CutAtOnce || f.CutBySecurityGroup() {
			t.Errorf("Survival = %s, cut by a security group %v (%s); want cut at once by the network ACL", f.Survival, f.CutBySecurityGroup(), f.Reason)
		}
	})

	t.Run("tier removed", func(t *testing.T) {
		before := trackingDesign("tier-removed")
		before.Listener = "tcp"
		after := before
		after.Listener = ""
		var f *sim.LostFlow
		lost := lostFlows(t, before, after)
		for i := range lost {
			if lost[i].Reach != nil && lost[i].Reach.Tier == "web" && lost[i].Reach.Entry == "nlb" {
				f = &lost[i]
			}
		}
		if f == nil {
			t.Fatalf("no lost flow through nlb among %+v", lost)
		}
		if f.Survival != sim.NotTracking || f.CutBySecurityGroup() {
			t.Errorf("Survival = %s, cut by a security group %v (%s); want %s", f.Survival, f.CutBySecurityGroup(), f.Reason, sim.NotTracking)
		}
	})
}

// Connection tracking (EC2 User Guide): an intended hop that a rule removal
// breaks keeps its tracked connections until they go idle, like any other
// lost flow.
func TestLostFlowIntendedHop(t *testing.T) {
	d := baseDesign("intended")
	s1 := parseYAML(t, "intended", d.yaml(t))
	d.AppIngress = `[]`
	s2 := parseYAML(t, "intended-after", d.yaml(t))
	rep, err := sim.Diff(s1, s2)
	if err != nil {
		t.Fatal(err)
	}
	var hop *sim.LostFlow
	lost := sim.LostFlows(s1, s2, rep)
	for i := range lost {
		if lost[i].Reach == nil && lost[i].From == "alb" && lost[i].To == "app" {
			hop = &lost[i]
		}
	}
	if hop == nil {
		t.Fatalf("no lost intended hop alb -> app among %+v", lost)
	}
	if hop.Survival != sim.SurvivesUntilIdle || hop.Timeout == nil || hop.Timeout.Seconds != sim.TCPEstablishedTimeout {
		t.Errorf("Survival = %s %+v (%s), want %s with %d s", hop.Survival, hop.Timeout, hop.Reason, sim.SurvivesUntilIdle, sim.TCPEstablishedTimeout)
	}
}

// gatewaysYAML is a design whose tier app, with rules open both ways, calls
// an interface endpoint, an AWS service through a gateway endpoint for the
// prefix list SERVICE, and a web server in another VPC through a NAT
// gateway. Open rules would leave each flow untracked.
const gatewaysYAML = `name: gateways
vpcs:
  main:
    cidr: 10.0.0.0/16
    nat_gateways:
      nat-a: {subnet: public-a, elastic_ip: 52.10.20.30}
    gateway_endpoints:
      service: {prefix_list: service, route_tables: [private]}
    route_tables:
      private:
        routes:
          - {destination: 0.0.0.0/0, nat_gateway: nat-a}
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
      app-a: {cidr: 10.0.10.0/24, route_table: private}
      endpoints-a: {cidr: 10.0.20.0/24, route_table: private}
  other:
    cidr: 10.1.0.0/16
    subnets:
      web-a: {cidr: 10.1.0.0/24, public: true}
prefix_lists:
  service: {aws_managed: com.amazonaws.us-east-1.SERVICE}
security_groups:
  app: {vpc: main, ingress: [{protocol: all, from: {cidr: 0.0.0.0/0}}], egress: aws-default}
  endpoints: {vpc: main, ingress: [{protocol: all, from: {cidr: 0.0.0.0/0}}], egress: aws-default}
  web: {vpc: other, ingress: [{protocol: all, from: {cidr: 0.0.0.0/0}}], egress: aws-default}
tiers:
  app: {kind: ec2, subnets: [app-a], security_groups: [app]}
  secrets: {kind: interface_endpoint, subnets: [endpoints-a], security_groups: [endpoints]}
  table: {kind: aws_service, prefix_list: service}
  web: {kind: ec2, subnets: [web-a], security_groups: [web], public_ip: true}
chain: [[app], [secrets]]
attackers:
  breach: {kind: compromised, tier: app}
`

// Connection tracking (EC2 User Guide): connections through a PrivateLink
// interface endpoint, a DynamoDB gateway endpoint or a NAT gateway are
// automatically tracked whatever the rules. A gateway endpoint for S3 is
// not on that list, so the rules decide there.
func TestTrackingThroughGateways(t *testing.T) {
	load := func(service string) *model.Scenario {
		return parseYAML(t, "gateways-"+service, strings.ReplaceAll(gatewaysYAML, "SERVICE", service))
	}
	ddb, s3 := load("dynamodb"), load("s3")

	h := traceHop(t, ddb, tcpTo("breach", "secrets", 443))
	for _, e := range []*sim.InterfaceTracking{h.Tracking.Sender, h.Tracking.Receiver} {
		if e == nil || e.State != sim.AutoTracked || e.Component != "interface VPC endpoint secrets" {
			t.Errorf("interface endpoint hop: end %+v, want automatically tracked by interface VPC endpoint secrets", e)
		}
	}

	h = traceHop(t, ddb, tcpTo("breach", "table", 443))
	if s := h.Tracking.Sender; s == nil || s.State != sim.AutoTracked || s.Component != "gateway endpoint service" {
		t.Errorf("dynamodb gateway endpoint: sender %+v, want automatically tracked by gateway endpoint service", s)
	}
	h = traceHop(t, s3, tcpTo("breach", "table", 443))
	if s := h.Tracking.Sender; s == nil || s.State != sim.Untracked {
		t.Errorf("s3 gateway endpoint: sender %+v, want untracked by the open rules", s)
	}

	h = traceHop(t, ddb, tcpTo("breach", "web", 443))
	if s := h.Tracking.Sender; s == nil || s.State != sim.AutoTracked || s.Component != "NAT gateway nat-a" {
		t.Errorf("nat gateway: sender %+v, want automatically tracked by NAT gateway nat-a", s)
	}
	if r := h.Tracking.Receiver; r == nil || r.State != sim.Untracked {
		t.Errorf("nat gateway: receiver %+v, want untracked: the gateway is on the sender's side", r)
	}
}

// Connection tracking (EC2 User Guide): connections through a transit
// gateway attachment are automatically tracked on both ends, whatever the
// rules.
func TestTrackingThroughTransitGateway(t *testing.T) {
	const src = `name: tgw
vpcs:
  main:
    cidr: 10.0.0.0/16
    route_tables:
      to-shared: {routes: [{destination: 10.1.0.0/16, transit_gateway: hub}]}
    subnets:
      app-a: {cidr: 10.0.10.0/24, route_table: to-shared}
  shared:
    cidr: 10.1.0.0/16
    route_tables:
      to-main: {routes: [{destination: 10.0.0.0/16, transit_gateway: hub}]}
    subnets:
      db-a: {cidr: 10.1.0.0/24, route_table: to-main}
transit_gateways:
  hub: {attachments: {main: {}, shared: {}}}
security_groups:
  app: {vpc: main, ingress: [{protocol: all, from: {cidr: 0.0.0.0/0}}], egress: aws-default}
  db: {vpc: shared, ingress: [{protocol: all, from: {cidr: 0.0.0.0/0}}], egress: aws-default}
tiers:
  app: {kind: ec2, subnets: [app-a], security_groups: [app]}
  db: {kind: rds, subnets: [db-a], security_groups: [db]}
chain: [[app], [db]]
attackers:
  breach: {kind: compromised, tier: app}
`
	h := traceHop(t, parseYAML(t, "tgw", src), tcpTo("breach", "db", 5432))
	for _, e := range []*sim.InterfaceTracking{h.Tracking.Sender, h.Tracking.Receiver} {
		if e == nil || e.State != sim.AutoTracked || e.Component != "transit gateway hub" {
			t.Errorf("end %+v, want automatically tracked by transit gateway hub", e)
		}
	}
}
