package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
)

func TestGenWritesALoadableScenario(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gen.yaml")
	_, stderr, status := run(t, "gen", "--security-groups", "40", "--rules", "400", "--tiers", "200", "--prefix-lists", "2", "--seed", "7", "-o", out)
	if status != exitOK {
		t.Fatalf("gen exited %d: %s", status, stderr)
	}
	if !strings.Contains(stderr, "200 tiers") || !strings.Contains(stderr, "40 security groups") || !strings.Contains(stderr, "400 rules") {
		t.Errorf("stderr = %q, want the sizes written", stderr)
	}
	s, diags := model.Load(out)
	if diags.HasErrors() {
		t.Fatalf("the generated scenario does not load: %v", diags.Err())
	}
	if len(s.Tiers) != 200 || len(s.SecurityGroups) != 40 {
		t.Errorf("loaded %d tiers and %d groups, want 200 and 40", len(s.Tiers), len(s.SecurityGroups))
	}
	if _, _, status := run(t, "check", out); status == exitInvalid {
		t.Error("check of the generated scenario exited 2")
	}
}

func TestGenIsReproducible(t *testing.T) {
	a, _, _ := run(t, "gen", "--interfaces", "100", "--seed", "3")
	b, _, _ := run(t, "gen", "--tiers", "100", "--seed", "3")
	if a == "" || a != b {
		t.Error("the same sizes and seed gave different scenarios, or none")
	}
}

func TestGenUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"gen"}, "missing size"},
		{[]string{"gen", "--tiers", "10", "--interfaces", "20"}, "differ"},
		{[]string{"gen", "--services", "10", "--tiers", "5"}, "too few"},
		{[]string{"gen", "--services", "1", "extra"}, "unexpected argument"},
		{[]string{"gen", "--security-groups", "10000", "--rules", "200000", "--tiers", "100000"}, "more than the 8 MiB"},
	}
	for _, tc := range tests {
		stdout, stderr, status := run(t, tc.args...)
		if status != exitInvalid {
			t.Errorf("sgchain %s exited %d, want 2", strings.Join(tc.args, " "), status)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("sgchain %s: stderr = %q, want it to contain %q", strings.Join(tc.args, " "), stderr, tc.want)
		}
		if stdout != "" {
			t.Errorf("sgchain %s wrote %d bytes to stdout on an error", strings.Join(tc.args, " "), len(stdout))
		}
	}
	if _, err := os.Stat("gen.yaml"); err == nil {
		t.Error("an error left a gen.yaml behind")
	}
}
