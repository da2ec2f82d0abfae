package sim_test

// The semantics tests check one documented AWS behavior each. Every test
// builds a small scenario from inline YAML, runs sim.Check on it and asserts
// the verdicts, paths, packets, rules and reason codes that the behavior
// implies. The comment on each test states the AWS fact and names the AWS
// documentation page it comes from.

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// secretValue is the value of the secret origin header in the base design.
const secretValue = "s3cret-origin-value-4711"

// design contains the slots of the base three-tier scenario: CloudFront with an
// origin secret header, an internet-facing ALB that forwards only requests
// carrying the secret, an ECS app on 8080 and an RDS database on 5432. Every
// slot is YAML text. Rule lists, listener rules and actions are flow-style
// values. The Extra slots are block-style mapping entries indented by two
// spaces, one entry per line.
type design struct {
	Name string

	ALBIngress, ALBEgress string
	AppIngress, AppEgress string
	DBIngress, DBEgress   string
	// ExtraGroups are more entries under security_groups.
	ExtraGroups string

	// WAF is the edge's web ACL as a flow mapping, or empty for none.
	WAF           string
	OriginTier    string
	OriginHeaders string

	ALBScheme  string
	ALBSubnets string
	ALBRules   string
	ALBDefault string
	AppGroups  string
	// ExtraTiers are more entries under tiers.
	ExtraTiers string

	Chain     string
	Attackers string
}

// baseDesign returns the slots of a design in which every stage holds for
// the internet attacker and no intended hop is broken.
func baseDesign(name string) design {
	return design{
		Name:          name,
		ALBIngress:    `[{protocol: tcp, ports: 443, from: {prefix_list: cloudfront}}]`,
		ALBEgress:     `[{protocol: tcp, ports: 8080, to: {security_group: app}}]`,
		AppIngress:    `[{protocol: tcp, ports: 8080, from: {security_group: alb}}]`,
		AppEgress:     `[{protocol: tcp, ports: 5432, to: {security_group: db}}]`,
		DBIngress:     `[{protocol: tcp, ports: 5432, from: {security_group: app}}]`,
		DBEgress:      `none`,
		OriginTier:    "alb",
		OriginHeaders: `[{name: X-CloudFront-Secret, value: "` + secretValue + `", secret: true}]`,
		ALBScheme:     "internet-facing",
		ALBSubnets:    `[public-a, public-b]`,
		ALBRules: `[{priority: 10, conditions: [{http_header: {name: X-CloudFront-Secret, values: ["` + secretValue + `"]}}],` +
			` action: {forward: {tier: app, port: 8080}}}]`,
		ALBDefault: `{fixed_response: 403}`,
		AppGroups:  `[app]`,
		Chain:      `[[edge], [alb], [app], [db]]`,
		Attackers:  `  internet: {kind: internet}`,
	}
}

var designTemplate = template.Must(template.New("design").Parse(`name: {{.Name}}
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
      public-b: {cidr: 10.0.1.0/24, public: true}
      app-a: {cidr: 10.0.10.0/24}
      db-a: {cidr: 10.0.20.0/24}
prefix_lists:
  cloudfront: {aws_managed: com.amazonaws.global.cloudfront.origin-facing}
security_groups:
  alb: {ingress: {{.ALBIngress}}, egress: {{.ALBEgress}}}
  app: {ingress: {{.AppIngress}}, egress: {{.AppEgress}}}
  db: {ingress: {{.DBIngress}}, egress: {{.DBEgress}}}
{{.ExtraGroups}}
tiers:
  edge:
    kind: cloudfront
{{- if .WAF}}
    waf: {{.WAF}}
{{- end}}
    origins:
      - {name: api, tier: {{.OriginTier}}, protocol_policy: https-only, custom_headers: {{.OriginHeaders}}}
  alb:
    kind: alb
    scheme: {{.ALBScheme}}
    subnets: {{.ALBSubnets}}
    security_groups: [alb]
    listeners:
      - {port: 443, protocol: https, rules: {{.ALBRules}}, default_action: {{.ALBDefault}}}
  app: {kind: ecs, subnets: [app-a], security_groups: {{.AppGroups}}, connects_to: [{tier: db, port: 5432}]}
  db: {kind: rds, subnets: [db-a], security_groups: [db]}
{{.ExtraTiers}}
chain: {{.Chain}}
attackers:
{{.Attackers}}
`))

// yaml renders the design as a scenario file.
func (d design) yaml(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	if err := designTemplate.Execute(&b, d); err != nil {
		t.Fatalf("rendering design %s: %v", d.Name, err)
	}
	return b.String()
}

// check renders the design and checks it.
func (d design) check(t *testing.T) *sim.Report {
	t.Helper()
	return checkYAML(t, d.Name, d.yaml(t))
}

// nlbSlots contains the slots of the base NLB scenario: CloudFront with an
// origin secret header in front of an internet-facing NLB whose TCP 443
// listener forwards to an app on 8080. By default the NLB has a security
// group that admits the CloudFront origin-facing list, and the app admits
// the NLB's group.
type nlbSlots struct {
	Name string
	// NLBGroups is the NLB's security_groups value: [nlb] or [] for none.
	NLBGroups             string
	NLBIngress, NLBEgress string
	AppIngress, AppEgress string
	// AppKind is ecs (an ip target) or ec2 (an instance target).
	AppKind string
	// Forward is the listener's forward action as a flow mapping.
	Forward   string
	Chain     string
	Attackers string
}

func nlbDesign(name string) nlbSlots {
	return nlbSlots{
		Name:       name,
		NLBGroups:  `[nlb]`,
		NLBIngress: `[{protocol: tcp, ports: 443, from: {prefix_list: cloudfront}}]`,
		NLBEgress:  `[{protocol: tcp, ports: 8080, to: {security_group: app}}]`,
		AppIngress: `[{protocol: tcp, ports: 8080, from: {security_group: nlb}}]`,
		AppEgress:  `none`,
		AppKind:    "ecs",
		Forward:    `{tier: app, port: 8080}`,
		Chain:      `[[edge], [nlb], [app]]`,
		Attackers:  `  internet: {kind: internet}`,
	}
}

var nlbTemplate = template.Must(template.New("nlb").Parse(`name: {{.Name}}
vpcs:
  main:
    cidr: 10.0.0.0/16
    subnets:
      public-a: {cidr: 10.0.0.0/24, public: true}
      app-a: {cidr: 10.0.10.0/24}
prefix_lists:
  cloudfront: {aws_managed: com.amazonaws.global.cloudfront.origin-facing}
security_groups:
  nlb: {ingress: {{.NLBIngress}}, egress: {{.NLBEgress}}}
  app: {ingress: {{.AppIngress}}, egress: {{.AppEgress}}}
tiers:
  edge:
    kind: cloudfront
    origins:
      - {name: api, tier: nlb, protocol_policy: https-only, custom_headers: [{name: X-CloudFront-Secret, value: "` + secretValue + `", secret: true}]}
  nlb:
    kind: nlb
    scheme: internet-facing
    subnets: [public-a]
    security_groups: {{.NLBGroups}}
    listeners:
      - {port: 443, protocol: tcp, forward: {{.Forward}}}
  app: {kind: {{.AppKind}}, subnets: [app-a], security_groups: [app]}
chain: {{.Chain}}
attackers:
{{.Attackers}}
`))

// nlbAddr is the private address the loader gives the NLB in the NLB
// scenario: its subnet's network address + 10.
var nlbAddr = netip.MustParseAddr("10.0.0.10")

func (d nlbSlots) yaml(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	if err := nlbTemplate.Execute(&b, d); err != nil {
		t.Fatalf("rendering design %s: %v", d.Name, err)
	}
	return b.String()
}

func (d nlbSlots) check(t *testing.T) *sim.Report {
	t.Helper()
	return checkYAML(t, d.Name, d.yaml(t))
}

// parseYAML parses a scenario and fails the test on any error diagnostic.
func parseYAML(t *testing.T, name, src string) *model.Scenario {
	t.Helper()
	s, diags := model.Parse(name+".yaml", []byte(src))
	failed := false
	for _, d := range diags {
		if d.Severity == model.Error {
			t.Errorf("%s", d)
			failed = true
		}
	}
	if failed {
		t.Fatalf("scenario %s does not load:\n%s", name, numbered(src))
	}
	return s
}

// checkYAML parses a scenario and runs sim.Check on it.
func checkYAML(t *testing.T, name, src string) *sim.Report {
	t.Helper()
	r, err := sim.Check(parseYAML(t, name, src))
	if err != nil {
		t.Fatalf("Check(%s): %v", name, err)
	}
	return r
}

// numbered returns src with line numbers, for failure messages.
func numbered(src string) string {
	var b strings.Builder
	for i, line := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%3d  %s\n", i+1, line)
	}
	return b.String()
}

// stageVerdict returns the verdict of a stage (1-based) for an attacker.
func stageVerdict(t *testing.T, r *sim.Report, attacker string, stage int) sim.StageVerdict {
	t.Helper()
	for _, v := range r.Stages {
		if v.Attacker == attacker && v.Stage == stage {
			return v
		}
	}
	t.Fatalf("no verdict for attacker %s and stage %d\n%s", attacker, stage, dump(r))
	return sim.StageVerdict{}
}

// hopVerdict returns the verdict of the intended hop from one tier to
// another.
func hopVerdict(t *testing.T, r *sim.Report, from, to string) sim.HopVerdict {
	t.Helper()
	for _, h := range r.Hops {
		if h.From == from && h.To == to {
			return h
		}
	}
	t.Fatalf("no intended hop %s -> %s\n%s", from, to, dump(r))
	return sim.HopVerdict{}
}

// lastHop returns the last hop of an intended hop's verdict: the one into
// its receiving tier.
func lastHop(t *testing.T, v sim.HopVerdict) sim.Hop {
	t.Helper()
	if len(v.Hops) == 0 {
		t.Fatalf("intended hop %s -> %s has no hops", v.From, v.To)
	}
	return v.Hops[len(v.Hops)-1]
}

// findingsOf returns the findings of one kind.
func findingsOf(r *sim.Report, kind sim.FindingKind) []sim.Finding {
	var out []sim.Finding
	for _, f := range r.Findings {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// skipsTo returns the skip findings of an attacker that reach a tier.
func skipsTo(r *sim.Report, attacker, tier string) []sim.Finding {
	var out []sim.Finding
	for _, f := range findingsOf(r, sim.KindSkip) {
		if f.Attacker == attacker && f.Tier == tier {
			out = append(out, f)
		}
	}
	return out
}

// skipAlong returns the skip finding whose path is exactly the given nodes,
// or nil.
func skipAlong(r *sim.Report, path ...string) *sim.Finding {
	for _, f := range findingsOf(r, sim.KindSkip) {
		if slices.Equal(f.Path, path) {
			return &f
		}
	}
	return nil
}

// warningsWithCode returns the warnings with a finding code, such as
// "shadowed-rule".
func warningsWithCode(r *sim.Report, code string) []sim.Finding {
	var out []sim.Finding
	for _, f := range findingsOf(r, sim.KindWarning) {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// stepOf returns the first step of a hop that a filter recorded, or fails.
func stepOf(t *testing.T, h sim.Hop, filter sim.Filter) sim.Step {
	t.Helper()
	for _, st := range h.Steps {
		if st.Filter == filter {
			return st
		}
	}
	t.Fatalf("hop %s -> %s has no %q step: %+v", h.From, h.To, filter, h.Steps)
	return sim.Step{}
}

// dump renders the stage verdicts, hop verdicts and findings of a report,
// for failure messages.
func dump(r *sim.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "report %s: %s\n", r.Scenario, r.Verdict)
	for _, v := range r.Stages {
		fmt.Fprintf(&b, "  stage %d %v for %s: %s\n", v.Stage, v.Tiers, v.Attacker, v.Verdict)
	}
	for _, h := range r.Hops {
		fmt.Fprintf(&b, "  hop %s -> %s: %s %s\n", h.From, h.To, h.Verdict, h.Reason)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  %s %s: %s\n", f.Kind, strings.Join(f.Path, " > "), f.Message)
		for _, h := range f.Hops {
			fmt.Fprintf(&b, "    %s -> %s %s\n", h.From, h.To, h.Packet.String())
		}
	}
	return b.String()
}

// prefix parses a CIDR for assertions on packet addresses.
func prefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestBaseDesignHolds(t *testing.T) {
	r := baseDesign("base").check(t)
	if r.Verdict != sim.Holds {
		t.Errorf("Verdict = %s, want %s\n%s", r.Verdict, sim.Holds, dump(r))
	}
	for stage := 2; stage <= 4; stage++ {
		if v := stageVerdict(t, r, "internet", stage); v.Verdict != sim.Holds {
			t.Errorf("stage %d: %s, want %s", stage, v.Verdict, sim.Holds)
		}
	}
	for _, hop := range [][2]string{{"edge", "alb"}, {"alb", "app"}, {"app", "db"}} {
		if v := hopVerdict(t, r, hop[0], hop[1]); v.Verdict != sim.Holds {
			t.Errorf("hop %s -> %s: %s (%s), want %s", hop[0], hop[1], v.Verdict, v.Reason, sim.Holds)
		}
	}
}
