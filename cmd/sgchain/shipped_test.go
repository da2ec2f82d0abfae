package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestShippedVerdicts asserts the verdict of every shipped scenario, with the
// reason it is right. A stage not listed for an attacker must hold.
func TestShippedVerdicts(t *testing.T) {
	tests := []struct {
		file   string
		status int
		// skippable lists "attacker/stage" pairs that must be skippable.
		skippable []string
		// broken lists "from->to" intended hops that must be broken.
		broken []string
		// warnings lists finding codes of warnings that must appear.
		warnings []string
		// skipPaths lists paths, written "a > b > c", that some skip finding
		// must take.
		skipPaths []string
		// evidence lists fragments of the JSON report that state the reason
		// for the verdict, such as the rule that admits a skip.
		evidence []string
		// hopSources lists "from->to=address": the source address of the
		// packet that the check sends on that intended hop.
		hopSources []string
		// arrivals lists "a > b > c=address": some finding takes that path,
		// and the packet of its last hop, as the last tier receives it,
		// comes from that address.
		arrivals []string
	}{
		// The authors claim no hop can be skipped. It fails on the WebSocket
		// path: the NLB admits the shared CloudFront origin-facing list and
		// cannot check the secret header, so any AWS account's distribution
		// reaches the NLB and through it the ECS tasks. The ALB path holds:
		// the listener answers 403 without the secret.
		{file: "scenarios/nakama-dual-token.yaml", status: 1, skippable: []string{"internet/2", "internet/3"}},

		// Every tier admits only the tier before it, and the ALB forwards
		// only with the secret CloudFront adds.
		{file: "scenarios/three-tier.yaml", status: 0},

		// The ALB's group has no egress rules, so the ALB cannot open its
		// connection to the app: the intended hop is broken.
		{file: "scenarios/three-tier-broken-egress.yaml", status: 1, broken: []string{"alb->app"}},

		// The database admits the application subnets' CIDRs, which hold the
		// worker tier too; a compromised worker reaches the database directly.
		{file: "scenarios/three-tier-db-subnet-cidrs.yaml", status: 1, skippable: []string{"breached-worker/4"}},

		// The attacker knows the secret, so its own distribution passes the
		// ALB's header rule through the shared prefix list.
		{file: "scenarios/three-tier-leaked-secret.yaml", status: 1, skippable: []string{"internet/2", "internet/3"}},

		// Without a header rule the ALB forwards whatever the shared
		// CloudFront pool sends, including an attacker's distribution.
		{file: "scenarios/three-tier-no-secret-header.yaml", status: 1, skippable: []string{"internet/2", "internet/3"}},

		// 0.0.0.0/0 on 443 beside the prefix-list rule: the header rule still
		// stops an attacker without the secret (only a warning), but one that
		// has it connects straight to the ALB.
		{file: "scenarios/three-tier-open-alb.yaml", status: 1, skippable: []string{"leaked-secret-direct/2", "leaked-secret-direct/3"},
			warnings: []string{"shadowed-rule"}},

		// The app subnets' network ACL forgets the replies to the ALB's
		// ephemeral ports. Network ACLs are stateless, so the intended hop
		// is broken; attackers gain nothing.
		{file: "scenarios/three-tier-nacl-no-ephemeral.yaml", status: 1, broken: []string{"alb->app"}},

		// The app has a public address in a public subnet and admits an
		// admin's /32; any internet host may send from that address.
		{file: "scenarios/three-tier-public-admin.yaml", status: 1, skippable: []string{"internet/3"}},

		// The app admits the VPC CIDR, which holds the batch tier; a
		// compromised batch task reaches the app without the ALB.
		{file: "scenarios/three-tier-vpc-cidr-app.yaml", status: 1, skippable: []string{"breached-batch/3"}},

		// The NLB was created without security groups, and AWS lets all
		// client traffic reach the listeners of such an NLB, so the internet
		// connects to it directly, without CloudFront. The tasks are ip
		// targets behind a TCP listener, where client IP preservation is off
		// by default, so every connection arrives from the NLB's private
		// address and the rule for the NLB's subnet admits it.
		{file: "scenarios/nlb-no-security-groups.yaml", status: 1, skippable: []string{"internet/2", "internet/3"},
			skipPaths:  []string{"internet > nlb", "internet > nlb > app"},
			hopSources: []string{"nlb->app=10.0.0.10"},
			evidence: []string{
				"the Network Load Balancer has no security groups, so all client traffic reaches its listeners",
				"client IP preservation is off, so the target sees the NLB's private address",
				"security_groups.app.ingress[0] (tcp 8443 from 10.0.0.0/24)",
			}},

		// With client IP preservation on, a target sees its client's address.
		// Behind CloudFront the client is a CloudFront origin-facing server,
		// outside the VPC CIDR the tasks admit, so the intended hop is broken.
		// The NLB still has no security group and admits the internet
		// directly. The tasks hold only because nothing reaches them. The
		// hop's packet keeps CloudFront's address (192.0.2.1 stands for the
		// origin-facing pool).
		{file: "scenarios/nlb-no-security-groups-client-ip.yaml", status: 1, skippable: []string{"internet/2"}, broken: []string{"nlb->app"},
			skipPaths:  []string{"internet > nlb"},
			hopSources: []string{"nlb->app=192.0.2.1"},
			evidence: []string{
				"client IP preservation is on, so the target sees the client's address",
				`"reason": "ENI_SG_RULES_MISMATCH"`,
			}},

		// The web servers have public addresses in subnets routed to the
		// internet gateway, so their security group alone decides who
		// reaches them, and its SSH rule admits 0.0.0.0/0: the internet
		// reaches them without the ALB.
		{file: "scenarios/workshop-web-tier.yaml", status: 1, skippable: []string{"internet/2"},
			skipPaths: []string{"internet > web"},
			evidence:  []string{"security_groups.web.ingress[1] (tcp 22 from 0.0.0.0/0)"}},

		// The SSH rule admits one administrator's /32. That address is on
		// the internet, and any internet host may send from it, so the path
		// around the ALB stays open.
		{file: "scenarios/workshop-web-tier-admin-ip.yaml", status: 1, skippable: []string{"internet/2"},
			skipPaths: []string{"internet > web"},
			evidence: []string{
				"security_groups.web.ingress[1] (tcp 22 from 203.0.113.45/32)",
				"an internet attacker may send from any public address, including this one",
			}},

		// The app tasks have IPv6 addresses, and their private route table
		// sends ::/0 to the internet gateway. IPv6 addresses are public,
		// and the internet gateway passes IPv6 without translation, so the
		// internet reaches the tasks' IPv6 address, and a rule for
		// ::/0 admits every IPv6 source. The attacker's own distribution
		// gets in the same way from CloudFront's IPv6 pool. IPv4 stays
		// closed, because the tasks have no public IPv4 address and the ALB
		// responds to other accounts' distributions with a fixed 403.
		{file: "scenarios/dual-stack-app-ipv6.yaml", status: 1, skippable: []string{"internet/3"},
			skipPaths: []string{"internet > app", "internet > internet/own-distribution > app"},
			arrivals:  []string{"internet > app=2001:db8:203::7", "internet > internet/own-distribution > app=2001:db8:c0::1"},
			evidence: []string{
				"security_groups.app.ingress[1] (tcp 8080 from ::/0)",
				`"dst": "2600:1f18:1234:560a::a"`,
			}},

		// A dual-stack ALB admits the CloudFront prefix list and 443 from
		// ::/0, and its listener checks no header. Over IPv6 the ::/0 rule
		// admits any address directly. Over IPv4 a direct connection matches
		// no rule, but the prefix list is the pool every account's
		// distributions send from, so the attacker's own distribution passes
		// the group, and the listener forwards it.
		{file: "scenarios/dual-stack-alb-ipv6.yaml", status: 1, skippable: []string{"internet/2", "internet/3"},
			skipPaths: []string{"internet > alb", "internet > internet/own-distribution > alb", "internet > alb > app"},
			arrivals:  []string{"internet > alb=2001:db8:203::7", "internet > internet/own-distribution > alb=192.0.2.1"},
			evidence: []string{
				"security_groups.alb.ingress[1] (tcp 443 from ::/0)",
				"so security_groups.alb.ingress[0] admits other accounts' traffic too",
			}},

		// The workers call the internet-facing ALB by its public name, so
		// their requests leave through the NAT gateway, which replaces the
		// source with its Elastic IP address. A security-group reference
		// matches only private addresses, so the ALB's rule for the workers'
		// group drops them: the hop is broken, and with no intended request
		// reaching the ALB, so is the hop behind it. The batch tasks leave
		// through the same gateway and are dropped the same way.
		{file: "scenarios/public-name-hairpin.yaml", status: 1, broken: []string{"worker->alb", "alb->api"},
			hopSources: []string{"worker->alb=10.0.10.10"},
			arrivals:   []string{"worker > alb=52.10.20.30"},
			evidence: []string{
				"NAT gateway nat-a, which replaces the source with its Elastic IP address 52.10.20.30, so security-group references no longer match it",
				`"reason": "ENI_SG_RULES_MISMATCH"`,
			}},

		// Admitting the NAT gateway's Elastic IP address repairs the hop, but
		// every subnet routed through that gateway shares the address, so a
		// compromised batch task reaches the ALB and the api too. The
		// address belongs to the design, so the internet cannot send from it.
		// The findings show the batch task's packet as it sends it, from
		// 10.0.12.10, and the ALB receiving it from the Elastic IP address.
		{file: "scenarios/public-name-hairpin-nat-eip.yaml", status: 1, skippable: []string{"breached-batch/2", "breached-batch/3"},
			skipPaths: []string{"breached-batch > alb", "breached-batch > alb > api"},
			arrivals:  []string{"breached-batch > alb=52.10.20.30"},
			evidence: []string{
				"security_groups.alb.ingress[0] (tcp 443 from 52.10.20.30/32)",
				"which contains the Elastic IP address of NAT gateway nat-a",
				`"src": "10.0.12.10"`,
			}},
	}
	shipped := map[string]bool{}
	for _, f := range shippedScenarios(t) {
		shipped[f] = true
	}
	for _, tc := range tests {
		delete(shipped, tc.file)
		t.Run(tc.file, func(t *testing.T) {
			stdout, stderr, status := run(t, "check", "--format", "json", tc.file)
			if status != tc.status {
				t.Errorf("exit status = %d, want %d; stderr: %s", status, tc.status, stderr)
			}
			var r jsonReport
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("output is not one JSON report: %v", err)
			}
			want := map[string]bool{}
			for _, s := range tc.skippable {
				want[s] = true
			}
			for _, st := range r.Stages {
				key := st.Attacker + "/" + itoa(st.Stage)
				if got := st.Verdict == "skippable"; got != want[key] {
					t.Errorf("stage %s verdict = %s, want skippable=%v", key, st.Verdict, want[key])
				}
				delete(want, key)
			}
			for k := range want {
				t.Errorf("no stage verdict for %s", k)
			}
			broken := map[string]bool{}
			for _, h := range tc.broken {
				broken[h] = true
			}
			for _, h := range r.Hops {
				if got := h.Verdict == "broken"; got != broken[h.From+"->"+h.To] {
					t.Errorf("hop %s->%s verdict = %s", h.From, h.To, h.Verdict)
				}
			}
			for _, code := range tc.warnings {
				if !strings.Contains(stdout, `"code": "`+code+`"`) {
					t.Errorf("no %s warning", code)
				}
			}
			for _, want := range tc.skipPaths {
				found := false
				for _, f := range r.Findings {
					if f.Kind == "skip" && strings.Join(f.Path, " > ") == want {
						found = true
					}
				}
				if !found {
					t.Errorf("no skip finding with path %s", want)
				}
			}
			for _, hs := range tc.hopSources {
				hop, src, _ := strings.Cut(hs, "=")
				found := false
				for _, h := range r.Hops {
					if h.From+"->"+h.To != hop {
						continue
					}
					found = true
					if h.Packet == nil {
						t.Errorf("hop %s has no packet, want one from %s", hop, src)
					} else if h.Packet.Src != src {
						t.Errorf("hop %s packet source = %s, want %s", hop, h.Packet.Src, src)
					}
				}
				if !found {
					t.Errorf("no intended hop %s", hop)
				}
			}
			for _, a := range tc.arrivals {
				path, src, _ := strings.Cut(a, "=")
				if !slices.ContainsFunc(r.Findings, func(f jsonFinding) bool {
					return strings.Join(f.Path, " > ") == path && len(f.Hops) > 0 && f.Hops[len(f.Hops)-1].Packet.Src == src
				}) {
					t.Errorf("no finding with path %s whose last hop's packet comes from %s", path, src)
				}
			}
			for _, fragment := range tc.evidence {
				if !strings.Contains(stdout, fragment) {
					t.Errorf("report does not contain %q", fragment)
				}
			}
		})
	}
	for f := range shipped {
		t.Errorf("shipped scenario %s has no asserted verdict", f)
	}
}

// TestCheckJSONContract checks the stable fields of check --format json on
// every shipped scenario: every skip and broken finding has a path and a
// packet with source, destination, protocol and port.
func TestCheckJSONContract(t *testing.T) {
	for _, file := range shippedScenarios(t) {
		stdout, _, _ := run(t, "check", "--format", "json", file)
		var r map[string]any
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("%s: invalid JSON: %v", file, err)
		}
		for _, key := range []string{"scenario", "verdict", "findings", "stats"} {
			if _, ok := r[key]; !ok {
				t.Errorf("%s: missing top-level field %q", file, key)
			}
		}
		if v := r["verdict"]; v != "holds" && v != "violated" {
			t.Errorf("%s: verdict = %v, want holds or violated", file, v)
		}
		stats, _ := r["stats"].(map[string]any)
		for _, key := range []string{"packet_classes", "paths"} {
			if _, ok := stats[key]; !ok {
				t.Errorf("%s: stats lacks %q", file, key)
			}
		}
		findings, _ := r["findings"].([]any)
		for i, f := range findings {
			f := f.(map[string]any)
			for _, key := range []string{"kind", "path", "packet", "message"} {
				if _, ok := f[key]; !ok {
					t.Errorf("%s: finding %d lacks %q", file, i, key)
				}
			}
			if f["kind"] == "warning" {
				continue
			}
			for _, key := range []string{"tier"} {
				if _, ok := f[key]; !ok {
					t.Errorf("%s: finding %d lacks %q", file, i, key)
				}
			}
			if path, _ := f["path"].([]any); len(path) < 2 {
				t.Errorf("%s: finding %d has path %v, want at least two nodes", file, i, f["path"])
			}
			pkt, _ := f["packet"].(map[string]any)
			for _, key := range []string{"src", "dst", "protocol", "port"} {
				if _, ok := pkt[key]; !ok {
					t.Errorf("%s: finding %d packet lacks %q", file, i, key)
				}
			}
			if f["kind"] == "skip" {
				for _, key := range []string{"attacker", "skipped"} {
					if _, ok := f[key]; !ok {
						t.Errorf("%s: skip finding %d lacks %q", file, i, key)
					}
				}
			}
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
