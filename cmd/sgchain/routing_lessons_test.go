package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestRoutingFixQuestions checks, with whatif and diff, what the IPv6 route
// and public-name lessons state about their fixes.
func TestRoutingFixQuestions(t *testing.T) {
	const lesson9 = "scenarios/teaching/09-ipv6-internet-route/"
	tests := []struct {
		name        string
		args        []string
		status      int
		regressions []string
		repairs     []string
		// unchanged asserts that the change alters no packet's reach.
		unchanged bool
	}{
		{
			// Without the ::/0 rule the tasks admit only the ALB's group,
			// which never matches a packet from the internet, so the rule
			// alone closes the path even with ::/0 still routed to the
			// internet gateway.
			name:    "ipv6 rule removed alone",
			args:    []string{"whatif", lesson9 + "broken.yaml", "--remove-rule", "security_groups.app.ingress[1]"},
			status:  exitOK,
			repairs: []string{"internet/3"},
		},
		{
			// With ::/0 routed to an egress-only internet gateway, which
			// lets no IPv6 connection in, the ::/0 rule admits nothing from
			// the internet: the route alone closes the path too.
			name:      "ipv6 rule behind an egress-only route",
			args:      []string{"whatif", lesson9 + "fix.yaml", "--add-rule", `app.ingress={protocol: tcp, ports: 8080, from: {cidr: "::/0"}}`},
			status:    exitOK,
			unchanged: true,
		},
		{
			// Removing the ALB's ::/0 rule closes the direct IPv6 path, but
			// the CloudFront prefix list still admits every account's
			// distribution and the listener checks no header, so both
			// stages stay skippable.
			name:   "dual-stack alb without the ipv6 rule",
			args:   []string{"whatif", "scenarios/dual-stack-alb-ipv6.yaml", "--remove-rule", "security_groups.alb.ingress[1]"},
			status: exitOK,
		},
		{
			// A /32 for the NAT gateway's Elastic IP address matches the
			// workers' translated requests, and everything else that leaves
			// through that gateway: the hops are repaired, and a
			// compromised batch task reaches the ALB and the api.
			name:        "nat gateway address in place of the reference",
			args:        []string{"diff", "scenarios/public-name-hairpin.yaml", "scenarios/public-name-hairpin-nat-eip.yaml"},
			status:      exitFindings,
			regressions: []string{"breached-batch/2", "breached-batch/3"},
			repairs:     []string{"alb->api", "worker->alb"},
		},
		{
			// An internal ALB is reached on its private addresses, where the
			// workers' group reference matches, and no one else gains a
			// path.
			name:    "internal alb",
			args:    []string{"diff", "scenarios/teaching/10-public-name-hairpin/broken.yaml", "scenarios/teaching/10-public-name-hairpin/fix.yaml"},
			status:  exitOK,
			repairs: []string{"alb->api", "worker->alb"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, status := diffResult(t, tc.args...)
			if status != tc.status {
				t.Errorf("exit status = %d, want %d", status, tc.status)
			}
			if got := verdictKeys(d, true); !slices.Equal(got, tc.regressions) {
				t.Errorf("regressions = %v, want %v", got, tc.regressions)
			}
			if got := verdictKeys(d, false); !slices.Equal(got, tc.repairs) {
				t.Errorf("repairs = %v, want %v", got, tc.repairs)
			}
			if tc.unchanged && len(d.Reach) > 0 {
				t.Errorf("%d reachability changes, want none", len(d.Reach))
			}
		})
	}
}

// TestRoutingTraces follows single packets through the dual-stack and
// public-name scenarios, for the parts of their reasoning that check does
// not show on its own.
func TestRoutingTraces(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		reached bool
		// reason is the drop reason, for a packet that does not arrive.
		reason string
		// arrivesFrom is the source of the last hop's packet.
		arrivesFrom string
		// detail is a fragment of some step's detail on the last hop.
		detail string
	}{
		{
			// The ALB's only IPv4 rule names the CloudFront prefix list, so
			// a direct IPv4 connection matches no rule.
			name:   "dual-stack alb direct over ipv4",
			args:   []string{"scenarios/dual-stack-alb-ipv6.yaml", "--from", "internet", "--to", "alb", "--via", "direct", "--protocol", "tcp", "--port", "443", "--src", "203.0.113.7"},
			reason: "ENI_SG_RULES_MISMATCH",
		},
		{
			// The attacker's own distribution connects over IPv6 from
			// CloudFront's IPv6 pool, which the ::/0 rule admits.
			name:        "dual-stack alb through a distribution over ipv6",
			args:        []string{"scenarios/dual-stack-alb-ipv6.yaml", "--from", "internet", "--to", "alb", "--via", "internet/own-distribution", "--protocol", "tcp", "--port", "443", "--src", "2001:db8:c0::1"},
			reached:     true,
			arrivesFrom: "2001:db8:c0::1",
			detail:      "tcp 443 from ::/0",
		},
		{
			// The workers' requests leave through the NAT gateway and
			// arrive from its Elastic IP address, which the /32 rule admits.
			name:        "workers through the nat gateway",
			args:        []string{"scenarios/public-name-hairpin-nat-eip.yaml", "--from", "worker", "--to", "alb", "--protocol", "tcp", "--port", "443"},
			reached:     true,
			arrivesFrom: "52.10.20.30",
			detail:      "which replaces the source with its Elastic IP address 52.10.20.30",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"trace"}, tc.args...)
			stdout, stderr, status := run(t, append(args, "--format", "json")...)
			if status == exitInvalid {
				t.Fatalf("trace exited 2: %s", stderr)
			}
			var tr jsonTrace
			if err := json.Unmarshal([]byte(stdout), &tr); err != nil {
				t.Fatalf("output is not a JSON trace: %v", err)
			}
			if tr.Reached != tc.reached {
				t.Errorf("reached = %v, want %v", tr.Reached, tc.reached)
			}
			if tr.Reason != tc.reason {
				t.Errorf("reason = %q, want %q", tr.Reason, tc.reason)
			}
			if tc.arrivesFrom == "" && tc.detail == "" {
				return
			}
			if len(tr.Hops) == 0 {
				t.Fatalf("trace has no hops")
			}
			last := tr.Hops[len(tr.Hops)-1]
			if tc.arrivesFrom != "" && (last.Packet == nil || last.Packet.Src != tc.arrivesFrom) {
				t.Errorf("last hop packet = %+v, want one from %s", last.Packet, tc.arrivesFrom)
			}
			if tc.detail != "" && !slices.ContainsFunc(last.Steps, func(s jsonStep) bool { return strings.Contains(s.Detail, tc.detail) }) {
				t.Errorf("no step of the last hop mentions %q", tc.detail)
			}
		})
	}
}
