package sim

import (
	"slices"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"a*", "a", true},
		{"a*c", "abbbc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*", "", true},
		{"*b*", "aaa", false},
		{"*.example.com", "api.example.com", true},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// A secret literal that the attacker does not know can only be matched by
// the secret itself, so no witness matches it.
func TestHeaderWitnessesExcludeUnknownSecret(t *testing.T) {
	got, err := headerWitnesses([]string{"s3cret"}, []string{"s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range got {
		if globMatch("s3cret", w) {
			t.Errorf("witness %q matches the unknown secret", w)
		}
	}
	if len(got) != 1 {
		t.Errorf("got %d witnesses %q, want 1 (a value that matches nothing)", len(got), got)
	}
}

// A wildcard condition weaker than the secret is matched without knowing it.
func TestHeaderWitnessesWildcardWeakerThanSecret(t *testing.T) {
	got, err := headerWitnesses([]string{"s3c*"}, []string{"s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(got, func(w string) bool { return globMatch("s3c*", w) && w != "s3cret" }) {
		t.Errorf("witnesses %q lack a non-secret value matching s3c*", got)
	}
}

// Two patterns that overlap produce a witness for each combination: only
// the first, only the second, both, and neither.
func TestHeaderWitnessesCombinations(t *testing.T) {
	got, err := headerWitnesses([]string{"a*", "*b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[2]bool]bool{}
	for _, w := range got {
		seen[[2]bool{globMatch("a*", w), globMatch("*b", w)}] = true
	}
	for _, combo := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		if !seen[combo] {
			t.Errorf("no witness matches combination %v; witnesses %q", combo, got)
		}
	}
}
