package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// diffResult runs a diff or whatif command in JSON and decodes it.
func diffResult(t *testing.T, args ...string) (jsonDiff, int) {
	t.Helper()
	stdout, stderr, status := run(t, append(args, "--format", "json")...)
	if status == exitInvalid {
		t.Fatalf("sgchain %s exited 2: %s", strings.Join(args, " "), stderr)
	}
	var d jsonDiff
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("output is not a JSON diff: %v\n%s", err, stdout)
	}
	return d, status
}

func verdictKeys(d jsonDiff, regressions bool) []string {
	var out []string
	for _, v := range d.Verdicts {
		if v.Regression != regressions && regressions {
			continue
		}
		if !regressions && !v.Repair {
			continue
		}
		key := v.From + "->" + v.To
		if v.Kind == "stage" {
			key = v.Attacker + "/" + itoa(v.Stage)
		}
		out = append(out, key)
	}
	slices.Sort(out)
	return out
}

// Each design question of docs/design-review.md, answered by whatif on the
// shipped scenarios.
func TestWhatifDesignQuestions(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		status      int
		regressions []string
		repairs     []string
	}{
		{
			// Moving WebSockets from the NLB to the ALB puts them behind the
			// secret-header rule: the only bypass of the reference
			// architecture, through the NLB, disappears.
			name:    "websockets behind the alb",
			args:    []string{"whatif", "scenarios/nakama-dual-token.yaml", "--remove-tier", "nlb"},
			status:  exitOK,
			repairs: []string{"internet/2", "internet/3"},
		},
		{
			// With the NLB's targets referencing the NLB's security group,
			// client IP preservation changes the source address the tasks
			// see but not the reference match: nothing changes.
			name:   "client ip preservation on the nlb",
			args:   []string{"whatif", "scenarios/nakama-dual-token.yaml", "--client-ip-preservation", "nlb=on"},
			status: exitOK,
		},
		{
			// The secret header is the only thing that tells your
			// distribution from anyone's: once it leaks, the ALB and the
			// app are reachable through an attacker's own distribution.
			name:        "secret leaks",
			args:        []string{"whatif", "scenarios/three-tier.yaml", "--leak-secret", "X-CloudFront-Secret"},
			status:      exitFindings,
			regressions: []string{"internet/2", "internet/3"},
		},
		{
			// Someone who finds the ALB's name and points a distribution
			// of their own at it still lacks the secret, so the chain
			// holds without the web ACL too.
			name:   "cloudfront bypassed",
			args:   []string{"whatif", "scenarios/three-tier.yaml", "--bypass", "edge"},
			status: exitOK,
		},
		{
			// Without its listener rules the ALB forwards whatever the
			// shared CloudFront pool sends.
			name:        "alb rules bypassed",
			args:        []string{"whatif", "scenarios/three-tier.yaml", "--bypass", "alb"},
			status:      exitFindings,
			regressions: []string{"internet/2", "internet/3"},
		},
		{
			// SSH from anywhere on the app tier changes nothing while the
			// tasks have no public address: nobody on the internet can
			// address them.
			name:   "ssh from anywhere on a private tier",
			args:   []string{"whatif", "scenarios/three-tier.yaml", "--add-rule", "app.ingress={protocol: tcp, ports: 22, from: {cidr: 0.0.0.0/0}}"},
			status: exitOK,
		},
		{
			// Removing the app's only ingress rule breaks the intended hop.
			name:        "app ingress removed",
			args:        []string{"whatif", "scenarios/three-tier.yaml", "--remove-rule", "security_groups.app.ingress[0]"},
			status:      exitFindings,
			regressions: []string{"alb->app"},
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
		})
	}
}

func TestWhatifPatchOverlay(t *testing.T) {
	overlay := filepath.Join(t.TempDir(), "overlay.yaml")
	// Turning the ALB's default action into a forward drops the need for
	// the secret header.
	data := "tiers:\n  alb:\n    listeners:\n      - port: 443\n        protocol: https\n        default_action: {forward: {tier: app, port: 8080}}\n"
	if err := os.WriteFile(overlay, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	d, status := diffResult(t, "whatif", "scenarios/three-tier.yaml", "--patch", overlay)
	if status != exitFindings {
		t.Errorf("exit status = %d, want 1", status)
	}
	if got, want := verdictKeys(d, true), []string{"internet/2", "internet/3"}; !slices.Equal(got, want) {
		t.Errorf("regressions = %v, want %v", got, want)
	}
}

func TestWhatifUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no change", []string{"whatif", "scenarios/three-tier.yaml"}, "no change given"},
		{"bad add-rule", []string{"whatif", "scenarios/three-tier.yaml", "--add-rule", "app"}, "invalid --add-rule"},
		{"unknown group", []string{"whatif", "scenarios/three-tier.yaml", "--add-rule", "nope.ingress={protocol: tcp, ports: 1, from: {cidr: 0.0.0.0/0}}"}, `no security group "nope"`},
		{"rule out of range", []string{"whatif", "scenarios/three-tier.yaml", "--remove-rule", "security_groups.app.ingress[9]"}, "has no ingress rule 9"},
		{"invalid result", []string{"whatif", "scenarios/three-tier.yaml", "--add-rule", "app.ingress={protocol: tcp, ports: 99999, from: {cidr: 0.0.0.0/0}}"}, "the changed scenario is invalid"},
		{"bypass nlb", []string{"whatif", "scenarios/nakama-dual-token.yaml", "--bypass", "nlb"}, "has no checks to bypass"},
		{"client ip value", []string{"whatif", "scenarios/nakama-dual-token.yaml", "--client-ip-preservation", "nlb=maybe"}, "expected NLB=on or NLB=off"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, status := run(t, tc.args...)
			if status != exitInvalid {
				t.Errorf("exit status = %d, want 2", status)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tc.want)
			}
		})
	}
}

// Every broken variant of the three-tier design, diffed against the correct
// design, shows the regression it teaches and exits 1.
func TestDiffVariants(t *testing.T) {
	tests := []struct {
		variant     string
		regressions []string
	}{
		{"three-tier-broken-egress", []string{"alb->app"}},
		{"three-tier-db-subnet-cidrs", []string{"breached-worker/4"}},
		{"three-tier-leaked-secret", []string{"internet/2", "internet/3"}},
		{"three-tier-nacl-no-ephemeral", []string{"alb->app"}},
		{"three-tier-no-secret-header", []string{"internet/2", "internet/3"}},
		{"three-tier-open-alb", []string{"leaked-secret-direct/2", "leaked-secret-direct/3"}},
		{"three-tier-public-admin", []string{"internet/3"}},
		{"three-tier-vpc-cidr-app", []string{"breached-batch/3"}},
	}
	for _, tc := range tests {
		t.Run(tc.variant, func(t *testing.T) {
			d, status := diffResult(t, "diff", "scenarios/three-tier.yaml", "scenarios/"+tc.variant+".yaml")
			if status != exitFindings {
				t.Errorf("exit status = %d, want 1", status)
			}
			if got := verdictKeys(d, true); !slices.Equal(got, tc.regressions) {
				t.Errorf("regressions = %v, want %v", got, tc.regressions)
			}
			back, status := diffResult(t, "diff", "scenarios/"+tc.variant+".yaml", "scenarios/three-tier.yaml")
			if status != exitOK {
				t.Errorf("reverse diff exit status = %d, want 0", status)
			}
			if got := verdictKeys(back, true); len(got) > 0 {
				t.Errorf("reverse diff has regressions %v", got)
			}
		})
	}
}
