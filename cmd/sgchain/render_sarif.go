package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/sgchain/sgchain/chaintest"
	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// SARIF 2.1.0 output, in the form GitHub code scanning accepts: one run
// whose driver lists every rule sgchain can report, and one result per
// finding or failed expectation, located at the scenario line to change.
const (
	// sarifSchemaURI is the schema's own id, from the OASIS errata 01
	// release of SARIF 2.1.0.
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// sarifInformationURI is the project's home, taken from the module
	// path github.com/sgchain/sgchain.
	sarifInformationURI = "https://github.com/sgchain/sgchain"
	// sarifSrcRoot is the uriBaseId of scenario paths, which are relative
	// to the directory sgchain runs in. GitHub resolves it to the
	// repository root.
	sarifSrcRoot = "%SRCROOT%"
	// sarifFingerprintKey names the partial fingerprint, a hash of what
	// identifies a result apart from its line, so that code scanning keeps
	// tracking a result when lines above it move.
	sarifFingerprintKey = "sgchainResult/v1"

	sarifExpectationFailed = "expectation-failed"
)

// sarifRule describes one kind of result.
type sarifRule struct {
	id, name string
	short    string
	full     string
	help     string // plain text
	markdown string
	level    string // error, warning or note
}

// sarifRules lists every rule, in the order of the driver's rules array:
// each finding code of sgchain check, then failed expectations of sgchain
// test.
var sarifRules = []sarifRule{
	{
		id: "skip", name: "SkippableStage", level: "error",
		short: "A chain stage can be reached without passing every earlier stage.",
		full:  "Some packet an attacker can send reaches a tier of this chain stage along a path that does not pass every earlier stage in order, so the layers in front of it can be bypassed.",
		help: "A tier of the chain is reachable without passing the tiers before it. The result names the attacker, the packet and the path, and points at the rule that admitted the packet. " +
			"Narrow that rule to the security group of the tier before, or add a check the attacker cannot pass, such as a secret origin header that an ALB listener rule requires.",
		markdown: "**Skippable stage.** A tier of the chain is reachable without passing the tiers before it.\n\n" +
			"The result names the attacker, the packet and the path (see the code flow), and points at the rule that admitted the packet. " +
			"Narrow that rule to the security group of the tier before, or add a check the attacker cannot pass, such as a secret origin header that an ALB listener rule requires.\n\n" +
			"See docs/scenario-format.md in the sgchain repository for how the model treats traffic.",
	},
	{
		id: "broken-hop", name: "BrokenHop", level: "error",
		short: "An intended hop carries no traffic.",
		full:  "The traffic that a CloudFront origin, a load balancer's forward action or a connects_to entry declares cannot pass: a security-group rule, listener or web ACL drops it.",
		help: "Intended traffic between two tiers is dropped. The result points at the rule or security group that drops it. " +
			"Add the missing egress rule on the sender or ingress rule on the receiver, or fix the listener that does not forward.",
		markdown: "**Broken hop.** Intended traffic between two tiers is dropped.\n\n" +
			"The result points at the rule or security group that drops it. Add the missing egress rule on the sender or ingress rule on the receiver, or fix the listener that does not forward.",
	},
	{
		id: "shadowed-rule", name: "ShadowedRule", level: "warning",
		short: "A security-group rule's restriction is shadowed by a broader rule.",
		full:  "Another rule on the same interface admits every packet this rule admits, and more, so the narrower rule restricts nothing.",
		help: "Security-group rules only allow, and an interface gets the union of the rules of all its groups. " +
			"Remove the broader rule if the narrow one states the intent, or remove the narrow one.",
		markdown: "**Shadowed rule.** Security-group rules only allow, and an interface gets the union of the rules of all its groups.\n\n" +
			"Remove the broader rule if the narrow one states the intent, or remove the narrow one.",
	},
	{
		id: "rule-quota", name: "RuleQuota", level: "warning",
		short: "A security group exceeds AWS's default rules quota.",
		full:  "Counting each prefix-list reference at the list's weight, the group has more inbound or outbound rules than AWS's default quota of 60 per direction and address family.",
		help: "AWS rejects rules past the quota. A rule that references a prefix list counts as the list's weight (55 for CloudFront's origin-facing list). " +
			"Request a quota increase, or split the rules across groups.",
		markdown: "**Rules quota.** AWS rejects rules past the quota.\n\n" +
			"A rule that references a prefix list counts as the list's weight (55 for CloudFront's origin-facing list). Request a quota increase, or split the rules across groups.",
	},
	{
		id: sarifExpectationFailed, name: "ExpectationFailed", level: "error",
		short: "An expectation of the scenario's expect section does not hold.",
		full:  "The scenario asserts a stage verdict, an intended hop's verdict, whether a flow is possible, or whether a warning appears, and the check finds otherwise.",
		help: "The design changed in a way its expect section rules out. The result points at the expectation, names the rule or tier behind the change as a related location, and shows a packet that contradicts the expectation. " +
			"Fix the design, or update the expectation if the change is intended.",
		markdown: "**Failed expectation.** The design changed in a way its `expect` section rules out.\n\n" +
			"The result points at the expectation, names the rule or tier behind the change as a related location, and shows a packet that contradicts the expectation (see the code flow). " +
			"Fix the design, or update the expectation if the change is intended.",
	},
}

// writeSARIF prints one SARIF log with the findings of reports and the
// failed expectations of a test run.
func writeSARIF(w io.Writer, reports []*sim.Report, run []testFile) error {
	log, err := sarif.New(sarif.Version210, false)
	if err != nil {
		return err
	}
	log.Schema = sarifSchemaURI

	driver := sarif.NewVersionedDriver("sgchain", version).
		WithSemanticVersion(version).
		WithInformationURI(sarifInformationURI)
	index := map[string]uint{}
	for _, r := range sarifRules {
		index[r.id] = uint(len(driver.Rules))
		driver.Rules = append(driver.Rules, ruleDescriptor(r))
	}
	// ruleFor returns the index of a rule, adding one for a finding code
	// the table above does not know yet.
	ruleFor := func(code string, kind sim.FindingKind) uint {
		if i, ok := index[code]; ok {
			return i
		}
		level := "error"
		if kind == sim.KindWarning {
			level = "warning"
		}
		index[code] = uint(len(driver.Rules))
		driver.Rules = append(driver.Rules, ruleDescriptor(sarifRule{id: code, level: level,
			short: "sgchain finding " + code + ".", full: "sgchain reports a " + code + " finding.", help: "See the result's message.", markdown: "See the result's message."}))
		return index[code]
	}

	sr := sarif.NewRun(*sarif.NewTool(driver))
	sr.Results = []*sarif.Result{}
	for _, r := range reports {
		for _, f := range r.Findings {
			sr.AddResult(findingResult(r, f, ruleFor(f.Code, f.Kind)))
		}
	}
	for _, tf := range run {
		if tf.result == nil {
			continue
		}
		for _, o := range tf.result.Outcomes {
			if !o.Passed {
				sr.AddResult(expectationResult(tf, o, index[sarifExpectationFailed]))
			}
		}
	}
	log.AddRun(sr)

	// The library's PrettyWrite escapes < and > in messages, as HTML needs
	// and JSON does not, which makes "->" and "<secret value of ...>"
	// unreadable in the file.
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func ruleDescriptor(r sarifRule) *sarif.ReportingDescriptor {
	d := sarif.NewRule(r.id).
		WithShortDescription(sarif.NewMultiformatMessageString(r.short)).
		WithFullDescription(sarif.NewMultiformatMessageString(r.full)).
		WithHelp(sarif.NewMultiformatMessageString(r.help).WithMarkdown(r.markdown)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(r.level))
	if r.name != "" {
		d.WithName(r.name)
	}
	return d
}

// findingResult converts a finding of sgchain check. It points at the rule
// that admitted a skip's packet, and otherwise at the finding's position.
func findingResult(r *sim.Report, f sim.Finding, rule uint) *sarif.Result {
	level := sarifRules[0].level
	if int(rule) < len(sarifRules) {
		level = sarifRules[rule].level
	} else if f.Kind == sim.KindWarning {
		level = "warning"
	}
	at := f.Pos
	if f.Kind == sim.KindSkip {
		at = skipRulePos(f)
	}
	if !at.IsValid() {
		at = model.Pos{File: r.File, Line: 1, Column: 1}
	}

	res := sarif.NewRuleResult(f.Code).WithRuleIndex(int(rule)).WithLevel(level).
		WithMessage(sarif.NewTextMessage(f.Message + "."))
	res.AddLocation(sarifLocation(at, ""))
	res.WithPartialFingerPrints(map[string]any{sarifFingerprintKey: fingerprint(f.Code, r.Scenario, f.Attacker, f.Tier,
		fmt.Sprint(f.Stage), strings.Join(f.Path, ">"), strings.Join(f.Rules, ","))})
	if flow := codeFlow(f.Hops, at); flow != nil {
		res.AddCodeFlow(flow)
	}
	props := sarif.NewPropertyBag()
	props.AddString("scenario", r.Scenario)
	if f.Attacker != "" {
		props.AddString("attacker", f.Attacker)
	}
	if f.Packet != nil {
		props.AddString("packet", f.Packet.String())
	}
	res.AttachPropertyBag(props)
	return res
}

// skipRulePos is the position of the rule that let a skip's packet into the
// first tier off the chain's order, or the finding's position when no rule
// of the path is positioned.
func skipRulePos(f sim.Finding) model.Pos {
	for _, h := range f.Hops {
		for _, st := range h.Steps {
			if st.Filter == sim.FilterIngress && st.Rule != "" && st.Pos.IsValid() {
				return st.Pos
			}
		}
	}
	return f.Pos
}

// expectationResult converts a failed expectation of sgchain test. It
// points at the expectation, with the rule or tier behind the failure as a
// related location.
func expectationResult(tf testFile, o chaintest.Outcome, rule uint) *sarif.Result {
	at := o.Pos
	if !at.IsValid() {
		at = model.Pos{File: tf.file, Line: 1, Column: 1}
	}
	res := sarif.NewRuleResult(sarifExpectationFailed).WithRuleIndex(int(rule)).WithLevel("error").
		WithMessage(sarif.NewTextMessage(fmt.Sprintf("%s: expected %s, but %s.", o.Path, o.Expected, o.Found)))
	res.AddLocation(sarifLocation(at, ""))
	if o.Cause.IsValid() {
		res.AddRelatedLocation(sarifLocation(o.Cause, "the rule or tier behind the failure").WithId(1))
	}
	res.WithPartialFingerPrints(map[string]any{sarifFingerprintKey: fingerprint(sarifExpectationFailed, tf.scenario.Name, o.Path, o.Expected)})
	if flow := codeFlow(o.Hops, at); flow != nil {
		res.AddCodeFlow(flow)
	}
	props := sarif.NewPropertyBag()
	props.AddString("scenario", tf.scenario.Name)
	if o.Packet != nil {
		props.AddString("packet", o.Packet.String())
	}
	res.AttachPropertyBag(props)
	return res
}

// codeFlow returns one thread flow with a location per hop, whose message
// narrates the hop, or nil without hops. A hop with no positioned step, such
// as the request to an attacker's own distribution, is located at fallback.
func codeFlow(hops []sim.Hop, fallback model.Pos) *sarif.CodeFlow {
	if len(hops) == 0 {
		return nil
	}
	tf := sarif.NewThreadFlow()
	for i, h := range hops {
		at := hopPos(h, fallback)
		tf.AddLocation(sarif.NewThreadFlowLocation().
			WithLocation(sarifLocation(at, hopNarration(i+1, h))).
			WithExecutionOrder(i + 1))
	}
	flow := sarif.NewCodeFlow()
	flow.AddThreadFlow(tf)
	return flow
}

// hopPos returns the position of the step that decided a hop: the step
// that dropped the packet, else the receiver's ingress rule that admitted
// it, else the last step with a position, else fallback.
func hopPos(h sim.Hop, fallback model.Pos) model.Pos {
	at := fallback
	for _, st := range h.Steps {
		if !st.Pos.IsValid() {
			continue
		}
		if !st.Allowed {
			return st.Pos
		}
		at = st.Pos
	}
	for _, st := range h.Steps {
		if st.Filter == sim.FilterIngress && st.Pos.IsValid() {
			return st.Pos
		}
	}
	return at
}

// hopNarration describes one hop in a sentence per step: the packet, then what
// each filter did with it.
func hopNarration(n int, h sim.Hop) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hop %d, %s -> %s: %s.", n, h.From, h.To, h.Packet.String())
	for _, st := range h.Steps {
		mark := "passes"
		if !st.Allowed {
			mark = "drops"
		}
		fmt.Fprintf(&b, " %s %s: %s.", capitalizeFirst(string(st.Filter)), mark, st.Detail)
	}
	return b.String()
}

// sarifLocation is a physical location in a scenario file, with a message
// when msg is not empty.
func sarifLocation(p model.Pos, msg string) *sarif.Location {
	uri, base := artifactURI(p.File)
	al := sarif.NewArtifactLocation().WithUri(uri)
	if base != "" {
		al.WithUriBaseId(base)
	}
	region := sarif.NewRegion().WithStartLine(max(p.Line, 1))
	if p.Column > 0 {
		region.WithStartColumn(p.Column)
	}
	loc := sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(al).WithRegion(region))
	if msg != "" {
		loc.WithMessage(sarif.NewTextMessage(msg))
	}
	return loc
}

// artifactURI returns the URI of a scenario file: a path relative to the
// working directory with the base %SRCROOT%, or a file URI for an absolute
// path outside it.
func artifactURI(file string) (uri, base string) {
	if filepath.IsAbs(file) {
		wd, err := os.Getwd()
		rel, relErr := filepath.Rel(wd, file)
		if err != nil || relErr != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String(), ""
		}
		file = rel
	}
	return (&url.URL{Path: filepath.ToSlash(filepath.Clean(file))}).EscapedPath(), sarifSrcRoot
}

// fingerprint hashes the parts that identify a result.
func fingerprint(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
