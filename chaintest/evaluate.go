package chaintest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// Kinds of expectation, as Outcome.Kind names them.
const (
	KindStage   = "stage"
	KindFlow    = "flow"
	KindHop     = "hop"
	KindWarning = "warning"
)

// Result is the outcome of every expectation of one scenario.
type Result struct {
	Scenario *model.Scenario
	// Report is the check the stage, hop and warning expectations were
	// compared with.
	Report *sim.Report
	// Outcomes holds one entry per expectation, in file order.
	Outcomes []Outcome
}

// Passed returns the number of expectations that hold.
func (r *Result) Passed() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Passed {
			n++
		}
	}
	return n
}

// Failed returns the number of expectations that do not hold.
func (r *Result) Failed() int { return len(r.Outcomes) - r.Passed() }

// Outcome is the result of checking one expectation.
type Outcome struct {
	// Kind is KindStage, KindFlow, KindHop or KindWarning.
	Kind string
	// Path is the expectation's key path, such as expect.flows[0].
	Path string
	// Pos is the position of the expectation in the scenario file.
	Pos model.Pos
	// Expected is what the expectation asserts, worded to follow
	// "expected", such as "every stage to hold for internet".
	Expected string
	Passed   bool
	// Found is what the check found instead, for a failed expectation.
	Found string

	// Nodes, Packet and Hops show a packet that contradicts a failed
	// expectation, when one exists: its path from the sender, the packet
	// as the sender puts it on the wire, and every hop with the rules that
	// decided it.
	Nodes  []string
	Packet *sim.Packet
	Hops   []sim.Hop
	// Cause is the position of the rule or tier behind the failure, when
	// it is known.
	Cause model.Pos
}

// Failure renders a failed outcome for a person: the key path, what was
// expected and what was found on the first line, then the position of the
// rule or tier behind it, and the counterexample's path and packet. Secret
// header values appear only as placeholders.
func (o Outcome) Failure() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: expected %s, but %s", o.Path, o.Expected, o.Found)
	if o.Cause.IsValid() {
		fmt.Fprintf(&b, "\n  cause: %s:%d:%d", o.Cause.File, o.Cause.Line, o.Cause.Column)
	}
	if len(o.Nodes) > 0 {
		fmt.Fprintf(&b, "\n  path: %s", strings.Join(o.Nodes, " > "))
	}
	if o.Packet != nil {
		fmt.Fprintf(&b, "\n  packet: %s", o.Packet)
	}
	return b.String()
}

// Evaluate checks the scenario and compares the result with every
// expectation of its expect section. s must have loaded without errors. It
// returns an error only when the simulator does: when the scenario's header
// patterns are too complex to enumerate exactly.
func Evaluate(s *model.Scenario) (*Result, error) {
	n := sim.Compile(s)
	report, err := n.Check()
	if err != nil {
		return nil, err
	}
	res := &Result{Scenario: s, Report: report}
	e := s.Expect
	if e == nil {
		return res, nil
	}

	for _, se := range e.Stages {
		res.Outcomes = append(res.Outcomes, stageOutcome(s, report, se))
	}
	for _, fe := range e.Flows {
		o, err := flowOutcome(n, fe)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fe.Path, err)
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	for _, he := range e.Hops {
		res.Outcomes = append(res.Outcomes, hopOutcome(report, he))
	}
	for _, we := range e.Warnings {
		res.Outcomes = append(res.Outcomes, warningOutcome(report, we))
	}
	slices.SortStableFunc(res.Outcomes, func(a, b Outcome) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
	return res, nil
}

// stageOutcome compares the stage verdicts an expectation covers with the
// report's.
func stageOutcome(s *model.Scenario, r *sim.Report, se *model.StageExpectation) Outcome {
	o := Outcome{Kind: KindStage, Path: se.Path, Pos: se.Pos, Passed: true}
	attacker, stage := "every attacker", "every stage"
	if se.Attacker != nil {
		attacker = se.Attacker.Name
	}
	if se.Stage != nil {
		stage = stageLabel(se.Stage.Index+1, tierNames(se.Stage.Tiers))
	}
	if se.Verdict == model.VerdictHolds {
		o.Expected = fmt.Sprintf("%s to hold for %s", stage, attacker)
	} else {
		o.Expected = fmt.Sprintf("%s to be skippable for %s", stage, attacker)
	}

	var wrong []sim.StageVerdict
	for _, v := range r.Stages {
		if se.Attacker != nil && v.Attacker != se.Attacker.Name {
			continue
		}
		if se.Stage != nil && v.Stage != se.Stage.Index+1 {
			continue
		}
		if v.Verdict != se.Verdict {
			wrong = append(wrong, v)
		}
	}
	if len(wrong) == 0 {
		return o
	}

	o.Passed = false
	parts := make([]string, len(wrong))
	for i, v := range wrong {
		verdict := v.Verdict
		if verdict != sim.Holds {
			verdict = "is " + verdict
		}
		parts[i] = fmt.Sprintf("%s %s for %s", stageLabel(v.Stage, v.Tiers), verdict, v.Attacker)
	}
	o.Found = strings.Join(parts, ", ")
	first := wrong[0]
	if first.Verdict != sim.Skippable {
		o.Found += ": no packet the attacker sends reaches the stage without passing every earlier stage in order"
		if st := stageByNumber(s, first.Stage); st != nil {
			o.Cause = st.Pos
		}
		return o
	}
	for _, f := range r.Findings {
		if f.Kind == sim.KindSkip && f.Attacker == first.Attacker && f.Stage == first.Stage {
			o.Found += ": " + f.Message
			o.Nodes, o.Packet, o.Hops = f.Path, f.Packet, f.Hops
			o.Cause = skipCause(f)
			break
		}
	}
	return o
}

// skipCause returns the position of the rule that admitted a skip
// finding's packet into the first tier off the chain's order, or the
// finding's own position.
func skipCause(f sim.Finding) model.Pos {
	for _, h := range f.Hops {
		for _, st := range h.Steps {
			if st.Filter == sim.FilterIngress && st.Rule != "" && st.Pos.IsValid() {
				return st.Pos
			}
		}
	}
	return f.Pos
}

// flowOutcome decides a flow expectation with the simulator.
func flowOutcome(n *sim.Network, fe *model.FlowExpectation) (Outcome, error) {
	o := Outcome{Kind: KindFlow, Path: fe.Path, Pos: fe.Pos}
	if fe.Possible {
		o.Expected = fmt.Sprintf("flow %s to be possible", fe)
	} else {
		o.Expected = fmt.Sprintf("flow %s to be impossible", fe)
	}

	f := sim.Flow{From: fe.Sender(), FromTier: fe.FromTier != nil, To: fe.To.Name, Protocol: fe.Protocol,
		Ports: fe.Ports, Src: fe.Source}
	for _, h := range fe.Headers {
		f.Headers = append(f.Headers, sim.Header{Name: h.Name, Value: h.Value, Secret: h.Secret})
	}
	res, err := n.Possible(f)
	if err != nil {
		return o, err
	}
	if res.Possible == fe.Possible {
		o.Passed = true
		return o, nil
	}

	if res.Possible {
		o.Found = fmt.Sprintf("a packet of the flow arrives at %s along %s", fe.To.Name, strings.Join(res.Path, " > "))
		o.Nodes, o.Packet, o.Hops = res.Path, res.Packet, res.Hops
		o.Cause = arrivalCause(res.Hops, fe.To.Pos)
		return o, nil
	}

	o.Found = fmt.Sprintf("no packet of the flow arrives at %s", fe.To.Name)
	if reached := slices.DeleteFunc(slices.Clone(res.Reached), func(name string) bool { return name == fe.Sender() }); len(reached) > 0 {
		o.Found += fmt.Sprintf(" (it reaches %s)", strings.Join(reached, ", "))
	}
	o.Cause = fe.To.Pos
	if tr := closestDrop(n, f); tr != nil && len(tr.Hops) > 0 {
		last := tr.Hops[len(tr.Hops)-1]
		if len(last.Steps) > 0 {
			st := last.Steps[len(last.Steps)-1]
			o.Found += fmt.Sprintf("; for example %s -> %s drops it: %s", last.From, last.To, st.Detail)
			if st.Pos.IsValid() {
				o.Cause = st.Pos
			}
		}
		o.Nodes, o.Packet, o.Hops = tr.Path, tr.Packet, tr.Hops
	}
	return o, nil
}

// closestDrop traces one packet of the flow to show where it stops, or
// returns nil when the trace fails.
func closestDrop(n *sim.Network, f sim.Flow) *sim.TraceResult {
	req := sim.Request{From: f.From, To: f.To, Src: f.Src, Headers: f.Headers}
	if f.Protocol != model.AllProtocols {
		req.Protocol, req.HasProtocol = f.Protocol, true
		if f.Protocol.HasPorts() {
			req.Port, req.HasPort = f.Ports.From, true
		}
	}
	tr, err := n.Trace(req)
	if err != nil || tr.Reached {
		return nil
	}
	return tr
}

// arrivalCause returns the position of the rule that admitted a packet into
// the last tier of its path, or fallback.
func arrivalCause(hops []sim.Hop, fallback model.Pos) model.Pos {
	if len(hops) == 0 {
		return fallback
	}
	for _, st := range hops[len(hops)-1].Steps {
		if st.Filter == sim.FilterIngress && st.Pos.IsValid() {
			return st.Pos
		}
	}
	return fallback
}

// hopOutcome compares an intended hop's verdict with the report's.
func hopOutcome(r *sim.Report, he *model.HopExpectation) Outcome {
	hop := he.From.Name + " -> " + he.To.Name
	o := Outcome{Kind: KindHop, Path: he.Path, Pos: he.Pos, Expected: fmt.Sprintf("intended hop %s to %s", hop, verbFor(he.Verdict))}
	i := slices.IndexFunc(r.Hops, func(v sim.HopVerdict) bool { return v.From == he.From.Name && v.To == he.To.Name })
	if i < 0 {
		o.Found = "the check reports no verdict for this hop"
		return o
	}
	v := r.Hops[i]
	if v.Verdict == he.Verdict {
		o.Passed = true
		return o
	}

	o.Packet, o.Hops = v.Packet, v.Hops
	o.Nodes = []string{he.From.Name, he.To.Name}
	if len(v.Hops) > 0 {
		// The intended packet's path, which starts before the hop when the
		// forwarding tier receives it from another one.
		o.Nodes = []string{v.Hops[0].From}
		for _, h := range v.Hops {
			o.Nodes = append(o.Nodes, h.To)
		}
	}
	if v.Verdict != sim.Broken {
		o.Found = "intended traffic passes it"
		o.Cause = arrivalCause(v.Hops, he.To.Pos)
		return o
	}
	o.Found = "it is broken"
	o.Cause = he.To.Pos
	if len(v.Hops) > 0 {
		last := v.Hops[len(v.Hops)-1]
		if len(last.Steps) > 0 {
			st := last.Steps[len(last.Steps)-1]
			o.Found += ": " + st.Detail
			if st.Pos.IsValid() {
				o.Cause = st.Pos
			}
		}
	}
	return o
}

func verbFor(verdict string) string {
	if verdict == model.VerdictHolds {
		return "hold"
	}
	return "be " + verdict
}

// warningOutcome checks whether a warning the expectation names is in the
// report.
func warningOutcome(r *sim.Report, we *model.WarningExpectation) Outcome {
	where := "anywhere in the scenario"
	if we.Tier != nil {
		where = "on tier " + we.Tier.Name
	}
	o := Outcome{Kind: KindWarning, Path: we.Path, Pos: we.Pos}
	if we.Present {
		o.Expected = fmt.Sprintf("a %s warning %s", we.Code, where)
	} else {
		o.Expected = fmt.Sprintf("no %s warning %s", we.Code, where)
	}

	var match *sim.Finding
	for i, f := range r.Findings {
		if f.Kind == sim.KindWarning && f.Code == we.Code && (we.Tier == nil || warningConcerns(f, we.Tier)) {
			match = &r.Findings[i]
			break
		}
	}
	switch {
	case (match != nil) == we.Present:
		o.Passed = true
	case match != nil:
		o.Found = "the check warns: " + match.Message
		o.Cause = match.Pos
	default:
		o.Found = fmt.Sprintf("the check gives no %s warning %s", we.Code, where)
	}
	return o
}

// warningConcerns reports whether a warning is about tier t: it names t, or
// one of the rules or security groups it names is attached to t.
func warningConcerns(f sim.Finding, t *model.Tier) bool {
	if f.Tier == t.Name {
		return true
	}
	for _, ref := range f.Rules {
		rest, ok := strings.CutPrefix(ref, "security_groups.")
		if !ok {
			continue
		}
		group, _, _ := strings.Cut(rest, ".")
		if slices.ContainsFunc(t.SecurityGroups, func(g *model.SecurityGroup) bool { return g.Name == group }) {
			return true
		}
	}
	return false
}

func stageLabel(number int, tiers []string) string {
	return fmt.Sprintf("stage %d [%s]", number, strings.Join(tiers, ", "))
}

func stageByNumber(s *model.Scenario, number int) *model.Stage {
	if number < 1 || number > len(s.Chain) {
		return nil
	}
	return s.Chain[number-1]
}

func tierNames(ts []*model.Tier) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}
