package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTraceCommandOutput(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
	}{
		{"nlb-bypass", []string{"trace", "scenarios/nakama-dual-token.yaml", "--from", "internet", "--to", "ecs", "--via", "internet/own-distribution"}, exitOK},
		{"alb-403", []string{"trace", "scenarios/three-tier.yaml", "--from", "internet", "--to", "app", "--via", "internet/own-distribution", "--port", "443"}, exitFindings},
		{"secret-header", []string{"trace", "scenarios/three-tier.yaml", "--from", "internet", "--to", "app", "--via", "internet/own-distribution", "--port", "443", "--header", "X-CloudFront-Secret=@secret"}, exitOK},
		{"compromised-app", []string{"trace", "scenarios/three-tier-db-subnet-cidrs.yaml", "--from", "worker", "--to", "db", "--protocol", "tcp", "--port", "5432"}, exitOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				stdout, stderr, status := run(t, append(tc.args, "--format", format)...)
				if status != tc.status {
					t.Errorf("exit status = %d, want %d; stderr: %s", status, tc.status, stderr)
				}
				golden(t, "testdata/golden/trace/"+tc.name+"."+map[string]string{"text": "txt", "json": "json"}[format], stdout)
			}
		})
	}
}

// @secret sends the scenario's secret value without printing it, and the
// trace notes that the attacker does not know it.
func TestTraceSecretNotPrinted(t *testing.T) {
	stdout, _, _ := run(t, "trace", "scenarios/three-tier.yaml", "--from", "internet", "--to", "app", "--via", "internet/own-distribution",
		"--port", "443", "--header", "X-CloudFront-Secret=@secret", "--format", "json")
	if strings.Contains(stdout, "dummy-value") {
		t.Errorf("trace printed the secret value")
	}
	var tr jsonTrace
	if err := json.Unmarshal([]byte(stdout), &tr); err != nil {
		t.Fatal(err)
	}
	if !tr.Reached {
		t.Errorf("the request with the secret does not reach app")
	}
	if len(tr.Notes) == 0 || !strings.Contains(tr.Notes[0], "does not know") {
		t.Errorf("notes = %q, want a note that the attacker does not know the secret", tr.Notes)
	}
}

func TestTraceUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing to", []string{"trace", "scenarios/three-tier.yaml", "--from", "internet"}, "expected one scenario FILE, --from and --to"},
		{"unknown attacker", []string{"trace", "scenarios/three-tier.yaml", "--from", "mallory", "--to", "app"}, `unknown attacker or tier "mallory"`},
		{"bad protocol", []string{"trace", "scenarios/three-tier.yaml", "--from", "internet", "--to", "app", "--protocol", "sctpp"}, `invalid protocol "sctpp"`},
		{"bad header", []string{"trace", "scenarios/three-tier.yaml", "--from", "internet", "--to", "app", "--header", "novalue"}, `invalid header "novalue"`},
		{"no secret", []string{"trace", "scenarios/three-tier.yaml", "--from", "internet", "--to", "app", "--header", "X-Other=@secret"}, "has no secret value"},
		{"bad via", []string{"trace", "scenarios/three-tier.yaml", "--from", "internet", "--to", "app", "--via", "moon"}, `unknown --via node "moon"`},
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

func TestReachCommandOutput(t *testing.T) {
	for _, format := range []string{"text", "json", "markdown"} {
		stdout, stderr, status := run(t, "reach", "--format", format, "scenarios/nakama-dual-token.yaml")
		if status != exitOK {
			t.Errorf("reach --format %s exited %d: %s", format, status, stderr)
		}
		golden(t, "testdata/golden/reach/nakama-dual-token."+map[string]string{"text": "txt", "json": "json", "markdown": "md"}[format], stdout)
	}
}
