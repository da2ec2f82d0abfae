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

func loadScenario(t *testing.T, path string) *model.Scenario {
	t.Helper()
	s, diags := model.Load(path)
	if diags.HasErrors() {
		t.Fatalf("%s does not load:\n%v", path, diags.Err())
	}
	return s
}

// Trace and check must never disagree: tracing the packet of every skip
// finding of every shipped scenario reaches the same tier along the same
// path, with the same rule deciding each step.
func TestTraceAgreesWithEveryFinding(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/*.yaml")
	if len(files) == 0 {
		t.Fatal("no shipped scenarios")
	}
	checked := 0
	for _, file := range files {
		s := loadScenario(t, file)
		r, err := sim.Check(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range r.Findings {
			if f.Kind != sim.KindSkip {
				continue
			}
			checked++
			req := sim.Request{From: f.Attacker, To: f.Tier, Protocol: f.Packet.Protocol, HasProtocol: true,
				Port: f.Packet.Port, HasPort: true, Src: f.Packet.Src, Headers: f.Packet.Headers}
			if req.Headers == nil {
				req.Headers = []sim.Header{}
			}
			tr, err := sim.Trace(s, req)
			if err != nil {
				t.Errorf("%s: trace of %q: %v", file, f.Message, err)
				continue
			}
			if !tr.Reached {
				t.Errorf("%s: trace of %q does not reach %s: %s %s", file, f.Message, f.Tier, tr.Reason, tr.Fix)
				continue
			}
			paths := append([][]string{tr.Path}, tr.Others...)
			i := slices.IndexFunc(paths, func(p []string) bool { return slices.Equal(p, f.Path) })
			if i < 0 {
				t.Errorf("%s: finding path %v is not among the trace's paths %v", file, f.Path, paths)
				continue
			}
			if i > 0 {
				continue // the trace narrates a shorter path first
			}
			if len(tr.Hops) != len(f.Hops) {
				t.Errorf("%s: trace has %d hops, finding %d", file, len(tr.Hops), len(f.Hops))
				continue
			}
			for h := range tr.Hops {
				if got, want := stepRules(tr.Hops[h]), stepRules(f.Hops[h]); !slices.Equal(got, want) {
					t.Errorf("%s: hop %d decided by %v in the trace, %v in the finding", file, h+1, got, want)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no skip findings in the shipped scenarios")
	}
}

func stepRules(h sim.Hop) []string {
	var out []string
	for _, st := range h.Steps {
		out = append(out, string(st.Filter)+" "+st.Rule)
	}
	return out
}

// A dropped packet ends with the Reachability Analyzer code of its cause and
// the smallest change that lets it through.
func TestTraceDropReasonAndFix(t *testing.T) {
	s := loadScenario(t, "../scenarios/three-tier.yaml")
	tests := []struct {
		name       string
		req        sim.Request
		wantReason string
		wantFix    string // fragment
	}{
		{
			// The ALB admits only the CloudFront prefix list, so a direct
			// connection from the internet stops at its security group.
			name:       "internet to alb directly",
			req:        sim.Request{From: "internet", To: "alb", Via: sim.ViaDirect, Src: mustAddr("203.0.113.7"), Port: 443, HasPort: true, Protocol: model.TCP, HasProtocol: true},
			wantReason: "ENI_SG_RULES_MISMATCH",
			wantFix:    "add to security group alb an ingress rule: tcp 443 from 203.0.113.7/32",
		},
		{
			// An attacker's own distribution passes the shared prefix list but
			// lacks the secret header, so the listener answers 403.
			name:       "own distribution without secret",
			req:        sim.Request{From: "internet", To: "app", Via: "internet/own-distribution", Port: 443, HasPort: true},
			wantReason: "ELBV2_LISTENER_FIXED_RESPONSE",
			wantFix:    "needs header X-CloudFront-Secret",
		},
		{
			// The app has no public address: the internet cannot address it.
			name:       "internet to private app",
			req:        sim.Request{From: "internet", To: "app", Via: sim.ViaDirect},
			wantReason: "IGW_EXPECTS_PUBLIC_ADDRESS",
			wantFix:    "give app a public address",
		},
		{
			// The database admits the app's group on 5432 only, so the app
			// itself is dropped on another port.
			name:       "app to db on wrong port",
			req:        sim.Request{From: "app", To: "db", Protocol: model.TCP, HasProtocol: true, Port: 3306, HasPort: true},
			wantReason: "ENI_SG_RULES_MISMATCH",
			wantFix:    "tcp 3306",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := sim.Trace(s, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Reached {
				t.Fatalf("trace reached %s along %v, want a drop", tc.req.To, tr.Path)
			}
			if tr.Reason != tc.wantReason {
				t.Errorf("reason = %s, want %s", tr.Reason, tc.wantReason)
			}
			if !strings.Contains(tr.Fix, tc.wantFix) {
				t.Errorf("fix = %q, want it to contain %q", tr.Fix, tc.wantFix)
			}
		})
	}
}

// The intended path narrates every filter and ends with the app seeing the
// ALB's address and security group, because the ALB opens its own
// connection.
func TestTraceIntendedPath(t *testing.T) {
	s := loadScenario(t, "../scenarios/three-tier.yaml")
	tr, err := sim.Trace(s, sim.Request{From: "internet", To: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Reached {
		t.Fatalf("intended path does not reach app: %s", tr.Reason)
	}
	if want := []string{"internet", "edge", "alb", "app"}; !slices.Equal(tr.Path, want) {
		t.Errorf("path = %v, want %v", tr.Path, want)
	}
	last := tr.Hops[len(tr.Hops)-1].Packet
	if got := last.IdentityNames(); !slices.Equal(got, []string{"alb"}) {
		t.Errorf("app sees identity %v, want [alb]", got)
	}
	if tr.Packet.Src != mustAddr("203.0.113.7") {
		t.Errorf("trace packet source = %s, want the documentation address 203.0.113.7", tr.Packet.Src)
	}
}

func TestTraceUnknownNames(t *testing.T) {
	s := loadScenario(t, "../scenarios/three-tier.yaml")
	for _, req := range []sim.Request{{From: "nobody", To: "app"}, {From: "internet", To: "nowhere"}, {From: "alb", To: "app"}} {
		if _, err := sim.Trace(s, req); err == nil {
			t.Errorf("Trace(%+v) returned no error", req)
		}
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// With client IP preservation off, an NLB forwards the same packet whether
// the client reached it directly or through the attacker's own
// distribution, so both routes share one state. A trace asked to pass the
// distribution still finds the route through it.
func TestTraceViaSharedState(t *testing.T) {
	s := loadScenario(t, "../scenarios/nlb-no-security-groups.yaml")
	res, err := sim.Trace(s, sim.Request{From: "internet", To: "app", Via: sim.DistributionNode("internet")})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Reached {
		t.Fatalf("internet does not reach app through its own distribution (reason %s)", res.Reason)
	}
	want := []string{"internet", "internet/own-distribution", "nlb", "app"}
	if !slices.Equal(res.Path, want) {
		t.Errorf("path = %v, want %v", res.Path, want)
	}
	if len(res.Hops) != len(want)-1 {
		t.Errorf("%d hops, want %d", len(res.Hops), len(want)-1)
	}
}
