package chaintest_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/chaintest"
	"github.com/sgchain/sgchain/model"
)

// mutate returns src with old replaced by new once, and fails when old is
// not in src exactly once.
func mutate(t *testing.T, src, old, new string) string {
	t.Helper()
	if n := strings.Count(src, old); n != 1 {
		t.Fatalf("the scenario has %q %d times, want once", old, n)
	}
	return strings.Replace(src, old, new, 1)
}

func evaluate(t *testing.T, name, src string) *chaintest.Result {
	t.Helper()
	s, diags := model.Parse(name, []byte(src))
	if diags.HasErrors() {
		t.Fatalf("%s does not load:\n%v", name, diags.Err())
	}
	res, err := chaintest.Evaluate(s)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func lineOf(src, sub string) int {
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, sub) {
			return i + 1
		}
	}
	return 0
}

// Breaking one thing in the reference three-tier design must fail exactly
// the expectations that assert it, each at its own line.
func TestEvaluateBrokenThreeTier(t *testing.T) {
	data, err := os.ReadFile("../scenarios/three-tier.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	// at gives, for each expectation a case may fail, a text that only its
	// line has.
	at := map[string]string{
		"expect.stages[0]":   "{attacker: internet, verdict: holds}",
		"expect.hops[1]":     "{from: alb, to: app, verdict: holds}",
		"expect.hops[2]":     "{from: app, to: db, verdict: holds}",
		"expect.flows[0]":    "ports: 443, possible: true}",
		"expect.flows[4]":    "{from: app, to: db, protocol: tcp",
		"expect.warnings[0]": "{code: shadowed-rule, present: false}",
	}
	tests := []struct {
		name     string
		old, new string
		failed   []string
	}{
		{"listener rule accepts any header value",
			`values: ["dummy-value-not-a-real-secret"]`, `values: ["*"]`,
			[]string{"expect.stages[0]"}},
		{"ALB admits the internet beside CloudFront",
			"        description: HTTPS from CloudFront origin-facing servers\n",
			"        description: HTTPS from CloudFront origin-facing servers\n      - {protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}\n",
			[]string{"expect.warnings[0]"}},
		{"app listens on another port",
			"        ports: 8080\n        from: {security_group: alb}", "        ports: 8081\n        from: {security_group: alb}",
			[]string{"expect.hops[1]", "expect.flows[0]"}},
		{"database admits another port",
			"        ports: 5432\n        from: {security_group: app}", "        ports: 5433\n        from: {security_group: app}",
			[]string{"expect.hops[2]", "expect.flows[4]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			broken := mutate(t, src, tc.old, tc.new)
			res := evaluate(t, "three-tier.yaml", broken)
			var failed []string
			for _, o := range res.Outcomes {
				if o.Passed {
					continue
				}
				failed = append(failed, o.Path)
				if want := lineOf(broken, at[o.Path]); o.Pos.Line != want {
					t.Errorf("%s failed at line %d, want %d", o.Path, o.Pos.Line, want)
				}
				if o.Found == "" || !o.Cause.IsValid() {
					t.Errorf("%s: found %q, cause %v, want both", o.Path, o.Found, o.Cause)
				}
			}
			if !slices.Equal(failed, tc.failed) {
				t.Errorf("failed expectations = %v, want %v", failed, tc.failed)
			}
		})
	}
}

func TestEvaluateShippedScenariosPass(t *testing.T) {
	data, err := os.ReadFile("../scenarios/three-tier-open-alb.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := evaluate(t, "three-tier-open-alb.yaml", string(data))
	if res.Failed() != 0 || res.Passed() != len(res.Outcomes) || len(res.Outcomes) == 0 {
		t.Errorf("%d passed, %d failed of %d", res.Passed(), res.Failed(), len(res.Outcomes))
	}
	for i := 1; i < len(res.Outcomes); i++ {
		if res.Outcomes[i].Pos.Line < res.Outcomes[i-1].Pos.Line {
			t.Errorf("outcomes are not in file order: %s before %s", res.Outcomes[i-1].Path, res.Outcomes[i].Path)
		}
	}
}

// Each kind of expectation, asserted the wrong way round, fails with the
// counterexample the kind has.
func TestEvaluateFailureDetails(t *testing.T) {
	data, err := os.ReadFile("../scenarios/three-tier-open-alb.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src, _, _ := strings.Cut(string(data), "\nexpect:")
	src += `
expect:
  stages:
    - {attacker: leaked-secret-direct, stage: alb, verdict: holds}
    - {attacker: internet, stage: app, verdict: skippable}
  hops:
    - {from: alb, to: app, verdict: broken}
  flows:
    - {from: leaked-secret-direct, to: app, protocol: tcp, ports: 443, headers: {X-CloudFront-Secret: "@secret"}, possible: false}
    - {from: internet, to: db, protocol: tcp, ports: 5432, possible: true}
  warnings:
    - {code: shadowed-rule, tier: alb, present: false}
    - {code: rule-quota, tier: alb, present: true}
`
	res := evaluate(t, "open-alb.yaml", src)
	if res.Failed() != len(res.Outcomes) {
		t.Fatalf("%d of %d expectations failed, want all", res.Failed(), len(res.Outcomes))
	}
	byPath := map[string]chaintest.Outcome{}
	for _, o := range res.Outcomes {
		byPath[o.Path] = o
	}
	tests := []struct {
		path   string
		found  string // a fragment of Found
		packet bool   // whether a counterexample packet is expected
	}{
		{"expect.stages[0]", "stage 2 [alb] is skippable for leaked-secret-direct: leaked-secret-direct reaches alb", true},
		{"expect.stages[1]", "stage 3 [app] holds for internet: no packet the attacker sends reaches the stage", false},
		{"expect.hops[0]", "intended traffic passes it", true},
		{"expect.flows[0]", "a packet of the flow arrives at app along leaked-secret-direct > alb > app", true},
		{"expect.flows[1]", "no packet of the flow arrives at db", true},
		{"expect.warnings[0]", "the check warns: security_groups.alb.ingress[0]", false},
		{"expect.warnings[1]", "the check gives no rule-quota warning on tier alb", false},
	}
	for _, tc := range tests {
		o, ok := byPath[tc.path]
		if !ok {
			t.Errorf("no outcome for %s", tc.path)
			continue
		}
		if !strings.Contains(o.Found, tc.found) {
			t.Errorf("%s: found %q, want it to contain %q", tc.path, o.Found, tc.found)
		}
		if (o.Packet != nil) != tc.packet {
			t.Errorf("%s: packet %v, want one: %v", tc.path, o.Packet, tc.packet)
		}
		if text := o.Failure(); strings.Contains(text, "dummy-value-not-a-real-secret") {
			t.Errorf("%s: failure text shows the secret value: %s", tc.path, text)
		}
	}
}
