package sim_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// cloudFrontPool is the stand-in block the loader gives the CloudFront
// origin-facing list.
var cloudFrontPool = prefix("192.0.2.0/26")

// withAdmin adds an ECS tier "admin" that admits the ALB on 8080, lets the
// ALB send to it, and makes it stage 4 after the app. Reaching admin through
// the ALB without passing the app is then a skip, so a listener rule that
// forwards to admin shows up in the findings whenever it matches.
func withAdmin(d design, rule string) design {
	d.ExtraGroups += "  admin: {ingress: [{protocol: tcp, ports: 8080, from: {security_group: alb}}], egress: none}\n"
	d.ExtraTiers += "  admin: {kind: ecs, subnets: [app-a], security_groups: [admin]}\n"
	d.ALBEgress = `[{protocol: tcp, ports: 8080, to: {security_group: app}}, {protocol: tcp, ports: 8080, to: {security_group: admin}}]`
	d.ALBRules = "[" + rule + ", " + strings.TrimPrefix(d.ALBRules, "[")
	d.Chain = `[[edge], [alb], [app], [admin]]`
	return d
}

// nlbTarget returns the target of the NLB's first listener in a loaded NLB
// scenario.
func nlbTarget(t *testing.T, s *model.Scenario) *model.Target {
	t.Helper()
	for _, tier := range s.Tiers {
		if tier.Name == "nlb" {
			return tier.Listeners[0].Default.Forward[0]
		}
	}
	t.Fatalf("scenario %s has no tier nlb", s.Name)
	return nil
}

// headerValue returns the value of a packet header and whether the header
// is present.
func headerValue(p *sim.Packet, name string) (sim.Header, bool) {
	for _, h := range p.Headers {
		if strings.EqualFold(h.Name, name) {
			return h, true
		}
	}
	return sim.Header{}, false
}

// How Elastic Load Balancing works and HTTP headers and your Application
// Load Balancer: the ALB ends the client's connection and opens its own to
// the target from its private address, so the target sees the ALB, with the
// ALB's security groups, and never the client's groups.
func TestProxyALBReplacesIdentity(t *testing.T) {
	d := withWorker(baseDesign("alb-identity"), "aws-default")
	d.ALBIngress = `[{protocol: tcp, ports: 443, from: {prefix_list: cloudfront}}, {protocol: tcp, ports: 443, from: {security_group: worker}}]`
	d.ALBRules = `[]`
	d.ALBDefault = `{forward: {tier: app, port: 8080}}`
	d.AppIngress = `[{protocol: tcp, ports: 8080, from: {security_group: worker}}]`
	r := d.check(t)

	if skipAlong(r, "breach", "alb") == nil {
		t.Fatalf("breach does not reach the ALB, so the test shows nothing\n%s", dump(r))
	}
	direct := skipAlong(r, "breach", "app")
	if direct == nil {
		t.Fatalf("breach does not reach app directly, although app admits its group\n%s", dump(r))
	}
	if f := skipAlong(r, "breach", "alb", "app"); f != nil {
		t.Errorf("breach reaches app through the ALB with identity %v", f.Hops[1].Packet.IdentityNames())
	}

	v := hopVerdict(t, r, "alb", "app")
	if v.Verdict != sim.Broken || v.Reason != sim.ReasonSGRulesMismatch {
		t.Fatalf("hop alb -> app = %s %q, want %s %q", v.Verdict, v.Reason, sim.Broken, sim.ReasonSGRulesMismatch)
	}
	p := lastHop(t, v).Packet
	if got := p.IdentityNames(); !slices.Equal(got, []string{"alb"}) {
		t.Errorf("ALB -> app packet identity = %v, want [alb]", got)
	}
	if !prefix("10.0.0.0/24").Contains(p.Src) {
		t.Errorf("ALB -> app packet source = %s, want the ALB's private address in public-a", p.Src)
	}
}

// Locations and IP address ranges of CloudFront edge servers, and Restrict
// access to Application Load Balancers (CloudFront Developer Guide): the
// origin-facing prefix list holds the addresses of all CloudFront servers,
// so any account's distribution passes a rule that admits it. Only a check
// of a secret origin header distinguishes the owner's distribution, and only
// while the secret stays secret.
func TestProxyCloudFrontListIsShared(t *testing.T) {
	own := sim.DistributionNode("internet")
	tests := []struct {
		name      string
		rules     string
		fallback  string
		attackers string
		reached   bool
	}{
		{"no header rule", `[]`, `{forward: {tier: app, port: 8080}}`, `  internet: {kind: internet}`, true},
		{"secret header rule", "", "", `  internet: {kind: internet}`, false},
		{"leaked secret", "", "", `  internet: {kind: internet, knows_secrets: [x-cloudfront-secret]}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := baseDesign("shared-pool")
			if tc.rules != "" {
				d.ALBRules, d.ALBDefault = tc.rules, tc.fallback
			}
			d.Attackers = tc.attackers
			r := d.check(t)

			want := sim.Holds
			if tc.reached {
				want = sim.Skippable
			}
			if v := stageVerdict(t, r, "internet", 2); v.Verdict != want {
				t.Errorf("stage 2 = %s, want %s\n%s", v.Verdict, want, dump(r))
			}
			f := skipAlong(r, "internet", own, "alb")
			if (f != nil) != tc.reached {
				t.Fatalf("internet reaches alb through %s: %v, want %v\n%s", own, f != nil, tc.reached, dump(r))
			}
			if f == nil {
				if fs := skipsTo(r, "internet", "alb"); len(fs) != 0 {
					t.Errorf("internet reaches alb along %v", fs[0].Path)
				}
				return
			}
			if !slices.Equal(f.Skipped, []string{"edge"}) {
				t.Errorf("Skipped = %v, want [edge]", f.Skipped)
			}
			if p := f.Hops[1].Packet; !cloudFrontPool.Contains(p.Src) {
				t.Errorf("packet to alb comes from %s, want the CloudFront pool %s", p.Src, cloudFrontPool)
			}
			if tc.name == "leaked secret" {
				h, ok := headerValue(&f.Hops[1].Packet, "X-CloudFront-Secret")
				if !ok || h.Value != secretValue || !h.Secret {
					t.Errorf("packet to alb does not carry the leaked secret: %s", f.Hops[1].Packet.String())
				}
			}
		})
	}
}

// Add custom headers to origin requests (CloudFront Developer Guide): when a
// viewer request has a header of the same name as an origin custom header,
// CloudFront replaces the viewer's value with the configured one. A viewer
// therefore cannot send its own value of such a header through the
// distribution, and the origin always sees the configured secret.
func TestProxyOriginHeaderOverridesViewer(t *testing.T) {
	// The distribution also sends a header that is not secret, and the ALB
	// forwards another value of it to admin. Any attacker may send that
	// value, so only the replacement keeps it from the ALB.
	override := `{priority: 5, conditions: [{http_header: {name: X-Origin-Verify, values: ["debug"]}}], action: {forward: {tier: admin, port: 8080}}}`
	headers := `[{name: X-CloudFront-Secret, value: "` + secretValue + `", secret: true}, {name: X-Origin-Verify, value: "edge"}]`

	t.Run("through distribution", func(t *testing.T) {
		d := withAdmin(baseDesign("header-override"), override)
		d.OriginHeaders = headers
		d.Attackers = `  internet: {kind: internet, own_distribution: false}`
		r := d.check(t)

		if fs := skipsTo(r, "internet", "admin"); len(fs) != 0 {
			t.Errorf("viewer value reaches admin along %v: %s", fs[0].Path, fs[0].Hops[len(fs[0].Hops)-2].Packet.String())
		}
		if v := stageVerdict(t, r, "internet", 4); v.Verdict != sim.Holds {
			t.Errorf("stage 4 = %s, want %s", v.Verdict, sim.Holds)
		}

		for _, hop := range [][2]string{{"edge", "alb"}, {"alb", "app"}} {
			if v := hopVerdict(t, r, hop[0], hop[1]); v.Verdict != sim.Holds {
				t.Errorf("hop %s -> %s = %s %s, want %s", hop[0], hop[1], v.Verdict, v.Reason, sim.Holds)
			}
		}
		v := hopVerdict(t, r, "alb", "app")
		h, ok := headerValue(&v.Hops[0].Packet, "X-CloudFront-Secret")
		if !ok || h.Value != secretValue || !h.Secret {
			t.Errorf("request into the ALB does not carry the origin secret: %s", v.Hops[0].Packet.String())
		}
		if h, ok := headerValue(&v.Hops[0].Packet, "X-Origin-Verify"); !ok || h.Value != "edge" {
			t.Errorf("request into the ALB = %s, want X-Origin-Verify: edge", v.Hops[0].Packet.String())
		}
	})

	// The attacker's own distribution sends any header it likes, so the
	// override rule matches there: the value is one the attacker can send.
	t.Run("own distribution", func(t *testing.T) {
		d := withAdmin(baseDesign("header-override-own"), override)
		d.OriginHeaders = headers
		r := d.check(t)

		f := skipAlong(r, "internet", sim.DistributionNode("internet"), "alb", "admin")
		if f == nil {
			t.Fatalf("own distribution does not reach admin with the override value\n%s", dump(r))
		}
		h, ok := headerValue(&f.Hops[1].Packet, "X-Origin-Verify")
		if !ok || h.Value != "debug" || h.Secret {
			t.Errorf("request into the ALB = %s, want X-Origin-Verify: debug", f.Hops[1].Packet.String())
		}
	})
}

// Condition types for listener rules (Elastic Load Balancing): a source-ip
// condition matches the source address of the connection the ALB receives.
// Behind CloudFront that is a CloudFront address, and the condition never
// reads X-Forwarded-For, so it never sees the viewer's address.
func TestProxyALBSourceIPSeesCloudFront(t *testing.T) {
	tests := []struct {
		name    string
		cidr    string
		reached bool
	}{
		{"viewer range", "203.0.113.0/24", false},
		{"cloudfront pool", cloudFrontPool.String(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rule := `{priority: 5, conditions: [{source_ip: [` + tc.cidr + `]}], action: {forward: {tier: admin, port: 8080}}}`
			d := withAdmin(baseDesign("source-ip"), rule)
			d.Attackers = `  internet: {kind: internet, own_distribution: false}`
			r := d.check(t)

			f := skipAlong(r, "internet", "edge", "alb", "admin")
			if (f != nil) != tc.reached {
				t.Fatalf("source_ip %s forwards viewers to admin: %v, want %v\n%s", tc.cidr, f != nil, tc.reached, dump(r))
			}
			if f == nil {
				return
			}
			if p := f.Hops[1].Packet; !cloudFrontPool.Contains(p.Src) {
				t.Errorf("ALB sees source %s, want a CloudFront address", p.Src)
			}
			if !slices.Equal(f.Skipped, []string{"app"}) {
				t.Errorf("Skipped = %v, want [app]", f.Skipped)
			}
		})
	}
}

// Condition types for listener rules (Elastic Load Balancing): http-header
// values match without regard to case and may use the wildcards * and ?. A
// pattern such as "s3cret*" matches values the attacker can make up without
// knowing the secret. A pattern whose every match starts with the secret
// does not weaken it.
func TestProxyHeaderWildcardWeakensSecret(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		reached bool
		bug     string
	}{
		{"exact secret", secretValue, false, ""},
		{"wildcard prefix", "S3CRET*", true, ""},
		// Every value that matches starts with the secret, so only an
		// attacker that knows the secret can send one.
		{"secret then wildcard", secretValue + "*", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.bug != "" {
				t.Skip("engine bug: " + tc.bug)
			}
			d := baseDesign("wildcard")
			d.ALBRules = `[{priority: 10, conditions: [{http_header: {name: X-CloudFront-Secret, values: ["` + tc.value + `"]}}],` +
				` action: {forward: {tier: app, port: 8080}}}]`
			r := d.check(t)

			f := skipAlong(r, "internet", sim.DistributionNode("internet"), "alb", "app")
			if (f != nil) != tc.reached {
				t.Fatalf("own distribution reaches app: %v, want %v\n%s", f != nil, tc.reached, dump(r))
			}
			if f == nil {
				return
			}
			h, ok := headerValue(&f.Hops[1].Packet, "X-CloudFront-Secret")
			if !ok {
				t.Fatalf("request into the ALB has no X-CloudFront-Secret header: %s", f.Hops[1].Packet.String())
			}
			if h.Secret || strings.EqualFold(h.Value, secretValue) {
				t.Errorf("attacker sent the secret it does not know")
			}
			if !strings.HasPrefix(strings.ToLower(h.Value), "s3cret") {
				t.Errorf("header value %q does not match S3CRET*", h.Value)
			}
		})
	}
}

// Condition types for listener rules, and Listener rules for your
// Application Load Balancer: a fixed-response action returns a response to
// the client itself. A 4xx or 5xx response rejects the request, so it
// reaches nothing behind the ALB. A 2xx response serves the client, so the
// ALB counts as reached.
func TestProxyALBFixedResponse(t *testing.T) {
	tests := []struct {
		status  string
		reached bool
	}{
		{"403", false},
		{"503", false},
		{"200", true},
	}
	for _, tc := range tests {
		t.Run(tc.status, func(t *testing.T) {
			d := baseDesign("fixed-response")
			d.ALBIngress = `[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]`
			d.ALBRules = `[]`
			d.ALBDefault = `{fixed_response: ` + tc.status + `}`
			r := d.check(t)

			f := skipAlong(r, "internet", "alb")
			if (f != nil) != tc.reached {
				t.Fatalf("fixed response %s: internet reaches alb %v, want %v\n%s", tc.status, f != nil, tc.reached, dump(r))
			}
			want := sim.Holds
			if tc.reached {
				want = sim.Skippable
			}
			if v := stageVerdict(t, r, "internet", 2); v.Verdict != want {
				t.Errorf("stage 2 = %s, want %s", v.Verdict, want)
			}
			if f == nil {
				return
			}
			st := stepOf(t, f.Hops[0], sim.FilterListener)
			if !st.Allowed || st.Rule != "tiers.alb.listeners[0].default_action" {
				t.Errorf("listener step = allowed %v rule %q, want the default action to allow", st.Allowed, st.Rule)
			}
			if len(skipsTo(r, "internet", "app")) != 0 {
				t.Errorf("a fixed response forwards to app")
			}
		})
	}
}

// Locations and IP address ranges of CloudFront edge servers: the origin
// list is shared by every distribution. A Network Load Balancer passes TCP
// through without reading HTTP, so nothing behind a TCP listener can check
// an origin header, and any distribution that passes the list reaches the
// targets.
func TestProxyNLBCannotCheckHeaders(t *testing.T) {
	r := nlbDesign("nlb-headers").check(t)

	f := skipAlong(r, "internet", sim.DistributionNode("internet"), "nlb", "app")
	if f == nil {
		t.Fatalf("own distribution does not reach app through the NLB\n%s", dump(r))
	}
	if h, ok := headerValue(&f.Hops[len(f.Hops)-1].Packet, "X-CloudFront-Secret"); ok && h.Secret {
		t.Errorf("the attacker's request carries the secret it does not know")
	}
	if !slices.Equal(f.Skipped, []string{"edge"}) {
		t.Errorf("Skipped = %v, want [edge]", f.Skipped)
	}
	if v := stageVerdict(t, r, "internet", 3); v.Verdict != sim.Skippable {
		t.Errorf("stage 3 = %s, want %s", v.Verdict, sim.Skippable)
	}
}

// Update the security groups for your Network Load Balancer (Elastic Load
// Balancing): an NLB without security groups lets all client traffic reach
// its listeners. With client IP preservation off, targets see the NLB's
// address, so a target that admits the VPC range admits every client.
func TestProxyNLBWithoutGroupsAdmitsAll(t *testing.T) {
	t.Run("no groups", func(t *testing.T) {
		d := nlbDesign("nlb-no-groups")
		d.NLBGroups = `[]`
		d.AppIngress = `[{protocol: tcp, ports: 8080, from: {cidr: 10.0.0.0/16}}]`
		r := d.check(t)

		f := skipAlong(r, "internet", "nlb")
		if f == nil {
			t.Fatalf("internet does not reach the NLB directly\n%s", dump(r))
		}
		st := stepOf(t, f.Hops[0], sim.FilterIngress)
		if !st.Allowed || st.Rule != "" || st.Component != "tier nlb" {
			t.Errorf("NLB ingress step = %+v, want an allow without a rule", st)
		}
		if skipAlong(r, "internet", "nlb", "app") == nil {
			t.Errorf("internet does not reach app through the NLB\n%s", dump(r))
		}
	})

	t.Run("group admits cloudfront", func(t *testing.T) {
		d := nlbDesign("nlb-group")
		d.AppIngress = `[{protocol: tcp, ports: 8080, from: {cidr: 10.0.0.0/16}}]`
		r := d.check(t)

		if f := skipAlong(r, "internet", "nlb"); f != nil {
			t.Errorf("internet reaches an NLB whose group admits only CloudFront: %s", f.Packet.String())
		}
	})
}

// Edit target group attributes for your Network Load Balancer, "Client IP
// preservation": it is off by default for ip targets behind TCP and TLS
// listeners, so targets see the NLB's private address. It is on by default
// for instance targets, so targets see the client's address, and a target
// that admits only the VPC range drops client traffic.
func TestProxyNLBClientIPDefaults(t *testing.T) {
	vpcOnly := `[{protocol: tcp, ports: 8080, from: {cidr: 10.0.0.0/16}}]`

	t.Run("ip target", func(t *testing.T) {
		d := nlbDesign("nlb-cip-ip")
		d.NLBGroups = `[]`
		d.AppIngress = vpcOnly
		s := parseYAML(t, d.Name, d.yaml(t))
		tg := nlbTarget(t, s)
		if tg.TargetType != "ip" || tg.PreserveClientIP {
			t.Fatalf("target = %s preserve %v, want ip without preservation", tg.TargetType, tg.PreserveClientIP)
		}
		r := d.check(t)

		v := hopVerdict(t, r, "nlb", "app")
		if v.Verdict != sim.Holds {
			t.Fatalf("hop nlb -> app = %s %s, want %s\n%s", v.Verdict, v.Reason, sim.Holds, dump(r))
		}
		if src := lastHop(t, v).Packet.Src; src != nlbAddr {
			t.Errorf("target sees source %s, want the NLB's address %s", src, nlbAddr)
		}
		f := skipAlong(r, "internet", "nlb", "app")
		if f == nil {
			t.Fatalf("internet does not reach app through the open NLB\n%s", dump(r))
		}
		if src := f.Hops[1].Packet.Src; src != nlbAddr {
			t.Errorf("attacker's packet reaches app from %s, want %s", src, nlbAddr)
		}
	})

	t.Run("instance target", func(t *testing.T) {
		d := nlbDesign("nlb-cip-instance")
		d.NLBGroups = `[]`
		d.AppKind = "ec2"
		d.AppIngress = vpcOnly
		s := parseYAML(t, d.Name, d.yaml(t))
		tg := nlbTarget(t, s)
		if tg.TargetType != "instance" || !tg.PreserveClientIP {
			t.Fatalf("target = %s preserve %v, want instance with preservation", tg.TargetType, tg.PreserveClientIP)
		}
		r := d.check(t)

		v := hopVerdict(t, r, "nlb", "app")
		if v.Verdict != sim.Broken || v.Reason != sim.ReasonSGRulesMismatch {
			t.Fatalf("hop nlb -> app = %s %q, want %s %q\n%s", v.Verdict, v.Reason, sim.Broken, sim.ReasonSGRulesMismatch, dump(r))
		}
		if src := lastHop(t, v).Packet.Src; prefix("10.0.0.0/16").Contains(src) {
			t.Errorf("target sees source %s inside the VPC, want the client's address", src)
		}
		if fs := skipsTo(r, "internet", "app"); len(fs) != 0 {
			t.Errorf("internet reaches app along %v", fs[0].Path)
		}
	})
}

// Update the security groups for your Network Load Balancer: a target's rule
// that references the NLB's security group admits traffic through the NLB,
// also when client IP preservation is on.
func TestProxyNLBGroupReferenceWithClientIP(t *testing.T) {
	d := nlbDesign("nlb-group-reference")
	d.NLBIngress = `[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]`
	d.NLBEgress = `aws-default`
	d.AppKind = "ec2"
	r := d.check(t)

	v := hopVerdict(t, r, "nlb", "app")
	if v.Verdict != sim.Holds {
		t.Fatalf("hop nlb -> app = %s %s, want %s\n%s", v.Verdict, v.Reason, sim.Holds, dump(r))
	}
	p := lastHop(t, v).Packet
	if prefix("10.0.0.0/16").Contains(p.Src) {
		t.Errorf("target sees source %s, want the client's address", p.Src)
	}
	if got := p.IdentityNames(); !slices.Equal(got, []string{"nlb"}) {
		t.Errorf("packet identity = %v, want [nlb]", got)
	}
	if st := stepOf(t, lastHop(t, v), sim.FilterIngress); !strings.HasPrefix(st.Rule, "security_groups.app.ingress[0] ") {
		t.Errorf("admitting rule = %q, want security_groups.app.ingress[0]", st.Rule)
	}

	f := skipAlong(r, "internet", "nlb", "app")
	if f == nil {
		t.Fatalf("internet does not reach app through the NLB that admits it\n%s", dump(r))
	}
	if src := f.Hops[1].Packet.Src; src != f.Packet.Src {
		t.Errorf("target sees %s, want the attacker's address %s", src, f.Packet.Src)
	}
}

// Connect to the internet using an internet gateway (VPC User Guide): an
// interface is reachable from the internet only with a public address in a
// subnet whose route table sends traffic to an internet gateway. An internal
// load balancer has no public address, so neither the internet nor a
// CloudFront custom origin reaches it, and an internet-facing one in subnets
// without that route is unreachable too. CloudFront VPC origins, which reach
// internal load balancers, are not part of the model.
func TestProxyInternetNeedsPublicAddress(t *testing.T) {
	t.Run("internal alb", func(t *testing.T) {
		for _, scheme := range []string{"internal", "internet-facing"} {
			d := baseDesign("internal-alb")
			d.ALBScheme = scheme
			d.ALBIngress = `[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]`
			d.ALBRules = `[]`
			d.ALBDefault = `{forward: {tier: app, port: 8080}}`
			r := d.check(t)

			reached := skipAlong(r, "internet", "alb") != nil
			if reached != (scheme == "internet-facing") {
				t.Errorf("%s ALB: internet reaches it %v\n%s", scheme, reached, dump(r))
			}
			v := hopVerdict(t, r, "edge", "alb")
			if scheme == "internet-facing" {
				if v.Verdict != sim.Holds {
					t.Errorf("internet-facing ALB: hop edge -> alb = %s %s, want %s", v.Verdict, v.Reason, sim.Holds)
				}
				continue
			}
			if v.Verdict != sim.Broken || v.Reason != sim.ReasonNotInternetFacing {
				t.Errorf("internal ALB: hop edge -> alb = %s %q, want %s %q", v.Verdict, v.Reason, sim.Broken, sim.ReasonNotInternetFacing)
			}
		}
	})

	t.Run("internet-facing alb in private subnets", func(t *testing.T) {
		d := baseDesign("internet-facing-private")
		d.ALBSubnets = `[app-a, db-a]`
		d.ALBIngress = `[{protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}]`
		d.ALBRules = `[]`
		d.ALBDefault = `{forward: {tier: app, port: 8080}}`
		r := d.check(t)

		if fs := skipsTo(r, "internet", "alb"); len(fs) != 0 {
			t.Errorf("internet reaches an ALB whose subnets have no route to an internet gateway, along %v", fs[0].Path)
		}
		if v := hopVerdict(t, r, "edge", "alb"); v.Verdict != sim.Broken || v.Reason != sim.ReasonNotInternetFacing {
			t.Errorf("hop edge -> alb = %s %q, want %s %q", v.Verdict, v.Reason, sim.Broken, sim.ReasonNotInternetFacing)
		}
	})

	t.Run("public ip in private subnet", func(t *testing.T) {
		for _, subnet := range []string{"app-a", "public-a"} {
			d := baseDesign("public-ip")
			d.ExtraGroups = "  admin: {ingress: [{protocol: tcp, ports: 8443, from: {cidr: 0.0.0.0/0}}], egress: aws-default}\n"
			d.ExtraTiers = "  admin: {kind: ec2, subnets: [" + subnet + "], public_ip: true, security_groups: [admin]}\n"
			d.Chain = `[[edge], [alb], [app, admin], [db]]`
			r := d.check(t)

			reached := skipAlong(r, "internet", "admin") != nil
			if reached != (subnet == "public-a") {
				t.Errorf("public_ip in %s: internet reaches admin %v\n%s", subnet, reached, dump(r))
			}
		}
	})
}

// edgeInStageTwo puts the distribution in stage 2, behind an unreachable
// stage-1 tier "gate", and removes every header test. Each viewer request
// the distribution admits is then a skip finding along internet > edge, and
// the finding's Classes counts the admitted viewer packet classes: one per
// viewer port and source range that the filters tell apart.
func edgeInStageTwo(name, waf string) design {
	d := baseDesign(name)
	d.WAF = waf
	d.OriginHeaders = `[]`
	d.ALBRules = `[]`
	d.ALBDefault = `{forward: {tier: app, port: 8080}}`
	d.ExtraTiers = "  gate: {kind: ec2, subnets: [app-a], security_groups: [db]}\n"
	d.Chain = `[[gate], [edge], [alb], [app], [db]]`
	return d
}

// How AWS WAF works, Rule action and Deciding on the default action (AWS WAF
// Developer Guide): a web ACL runs its rules in ascending priority until an
// allow or block rule matches. A count rule only counts, so evaluation goes
// on. The default action applies when no rule ends it.
func TestProxyWAFRuleOrder(t *testing.T) {
	tests := []struct {
		name     string
		waf      string
		allowed  string // the only viewer range that passes, or empty for none
		wantRule string
	}{
		{
			name: "block before allow",
			waf: `{name: acl, default_action: block, rules: [` +
				`{name: block-half, priority: 1, action: block, source_cidrs: [203.0.113.0/25]}, ` +
				`{name: allow-net, priority: 2, action: allow, source_cidrs: [203.0.113.0/24]}]}`,
			allowed:  "203.0.113.128/25",
			wantRule: "tiers.edge.waf.rules[1]",
		},
		{
			name:     "default block",
			waf:      `{name: acl, default_action: block, rules: [{name: allow-net, priority: 1, action: allow, source_cidrs: [203.0.113.0/24]}]}`,
			allowed:  "203.0.113.0/24",
			wantRule: "tiers.edge.waf.rules[0]",
		},
		{
			name: "count does not terminate",
			waf: `{name: acl, default_action: block, rules: [` +
				`{name: count-net, priority: 1, action: count, source_cidrs: [203.0.113.0/24]}, ` +
				`{name: allow-half, priority: 2, action: allow, source_cidrs: [203.0.113.128/25]}]}`,
			allowed:  "203.0.113.128/25",
			wantRule: "tiers.edge.waf.rules[1]",
		},
		{
			name:    "block everything",
			waf:     `{name: acl, default_action: allow, rules: [{name: block-all, priority: 1, action: block, source_cidrs: [0.0.0.0/0]}]}`,
			allowed: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := edgeInStageTwo("waf", tc.waf).check(t)

			f := skipAlong(r, "internet", "edge")
			if tc.allowed == "" {
				if f != nil {
					t.Errorf("web ACL admits %s\n%s", f.Packet.String(), dump(r))
				}
				return
			}
			if f == nil {
				t.Fatalf("web ACL admits no viewer\n%s", dump(r))
			}
			if !prefix(tc.allowed).Contains(f.Packet.Src) {
				t.Errorf("admitted viewer %s, want one in %s", f.Packet.Src, tc.allowed)
			}
			// One class per viewer port, 80 and 443, from the one range.
			if f.Classes != 2 {
				t.Errorf("Classes = %d, want 2: only %s on ports 80 and 443 passes\n%s", f.Classes, tc.allowed, dump(r))
			}
			st := stepOf(t, f.Hops[0], sim.FilterWAF)
			if !st.Allowed || st.Rule != tc.wantRule {
				t.Errorf("WAF step = allowed %v rule %q, want %q to allow", st.Allowed, st.Rule, tc.wantRule)
			}
		})
	}
}

// Values you specify when you create or update a distribution (CloudFront
// Developer Guide): viewers connect to CloudFront over HTTP on port 80 or
// HTTPS on port 443, both TCP. CloudFront accepts nothing else from them.
func TestProxyCloudFrontViewerPorts(t *testing.T) {
	// The web ACL narrows the viewer sources to one range, so the classes
	// left differ only in protocol and port.
	waf := `{name: acl, default_action: block, rules: [{name: allow-net, priority: 1, action: allow, source_cidrs: [203.0.113.0/24]}]}`
	r := edgeInStageTwo("viewer-ports", waf).check(t)

	f := skipAlong(r, "internet", "edge")
	if f == nil {
		t.Fatalf("no viewer reaches the distribution\n%s", dump(r))
	}
	if p := f.Packet; p.Protocol.String() != "tcp" || (p.Port != 80 && p.Port != 443) {
		t.Errorf("viewer packet = %s, want TCP to port 80 or 443", p.String())
	}
	if f.Classes != 2 {
		t.Errorf("Classes = %d, want 2: TCP 80 and TCP 443 only", f.Classes)
	}
}
