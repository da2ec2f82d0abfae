package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Verdicts.
const (
	Holds      = "holds"
	Skippable  = "skippable"
	Broken     = "broken"
	Violated   = "violated"
	NotChecked = "not checked"
)

// FindingKind is the kind of a finding: a skip, a broken hop or a warning.
type FindingKind string

// Finding kinds.
const (
	KindSkip    FindingKind = "skip"
	KindBroken  FindingKind = "broken"
	KindWarning FindingKind = "warning"
)

// Report is the result of checking one scenario.
type Report struct {
	Scenario string
	File     string
	// Verdict is Holds when every stage holds for every attacker and no
	// intended hop is broken, and Violated otherwise. Warnings alone do not
	// change it.
	Verdict  string
	Stages   []StageVerdict
	Hops     []HopVerdict
	Findings []Finding
	// Notes record where the model simplified AWS for this scenario.
	Notes []string
	Stats Stats
}

// StageVerdict is the verdict for one attacker and one chain stage after the
// first.
type StageVerdict struct {
	Attacker string
	Stage    int // 1-based
	Tiers    []string
	Verdict  string // Holds or Skippable
	// Note explains a verdict that needs it, such as a compromised tier's
	// own stage.
	Note string
	// Evidence explains, for a stage that holds, how the attacker's packets
	// reach its tiers only in chain order and where the others stop.
	Evidence []string
}

// HopVerdict is the verdict for one intended hop.
type HopVerdict struct {
	From, To string
	Verdict  string // Holds or Broken
	// Packet is the intended packet the verdict was decided on.
	Packet *Packet
	Hops   []Hop
	Reason string
}

// Finding is one thing a reviewer should act on.
type Finding struct {
	Kind FindingKind
	// Code is a stable identifier of the finding's rule, such as
	// "skip", "broken-hop", "shadowed-rule" or "rule-quota".
	Code     string
	Tier     string
	Attacker string
	Stage    int
	// Skipped names the tiers of the chain stages the path did not pass.
	Skipped []string
	Path    []string
	Packet  *Packet
	Hops    []Hop
	// Classes counts the packet classes that reach the tier along paths of
	// the same shape.
	Classes int
	Message string
	Pos     model.Pos
	// Rules names the scenario rules a warning is about.
	Rules []string
	// Why contains the sentences that explain the AWS behavior behind a
	// skip.
	Why []string
}

// Stats counts what a check explored.
type Stats struct {
	PacketClasses int
	States        int
	Paths         int
}

// Check explores every attacker of the scenario and returns its verdicts and
// findings. It returns an error only when the scenario's header patterns are
// too complex to enumerate exactly.
func Check(s *model.Scenario) (*Report, error) {
	return Compile(s).Check()
}

// Check explores every attacker of the network. See the package function.
func (n *Network) Check() (*Report, error) {
	s := n.Scenario
	r := &Report{Scenario: s.Name, File: s.Pos.File, Verdict: Holds}

	paths := map[string]bool{}
	for _, a := range s.Attackers {
		x := n.explore(a)
		if x.err != nil {
			return nil, x.err
		}
		r.Stats.PacketClasses += x.classes
		r.Stats.States += len(x.states)
		skips := n.skipFindings(x, paths)
		r.Findings = append(r.Findings, skips...)

		for i, st := range s.Chain {
			if i == 0 {
				continue
			}
			v := StageVerdict{Attacker: a.Name, Stage: i + 1, Tiers: tierNames(st.Tiers), Verdict: Holds}
			if slices.ContainsFunc(skips, func(f Finding) bool { return f.Stage == i+1 }) {
				v.Verdict = Skippable
			} else {
				v.Evidence = n.holdEvidence(x, st)
			}
			if a.Kind == model.AttackerCompromised {
				if own := n.tiers[a.Tier.Name].stage; own > 0 && i+1 <= own {
					v.Note = fmt.Sprintf("not applicable: the attacker already runs in stage %d", own)
					v.Evidence = nil
				}
			}
			r.Stages = append(r.Stages, v)
		}
	}
	r.Stats.Paths = len(paths)

	r.Hops = n.checkHops()
	for _, h := range r.Hops {
		if h.Verdict == Broken {
			r.Findings = append(r.Findings, brokenFinding(h))
		}
	}
	r.Findings = append(r.Findings, n.warnings()...)

	r.Notes = n.notes()

	for _, f := range r.Findings {
		if f.Kind != KindWarning {
			r.Verdict = Violated
		}
	}
	sortFindings(r.Findings)
	return r, nil
}

// skipFindings returns one finding for each tier and path shape along which
// the attacker reaches a chain tier without passing every earlier stage in
// order, on a shortest path of that shape.
func (n *Network) skipFindings(x *exploration, paths map[string]bool) []Finding {
	var out []Finding
	index := map[string]int{}
	for _, id := range x.order {
		st := x.states[id]
		if st.tier == nil {
			continue
		}
		path := x.path(st)
		names := make([]string, len(path))
		for i, p := range path {
			names[i] = p.node
		}
		shape := strings.Join(names, " > ")
		paths[x.attacker.Name+": "+shape] = true

		k := st.tier.stage
		if k < 2 || st.progress >= k {
			continue
		}
		if i, ok := index[shape]; ok {
			out[i].Classes++
			continue
		}
		hops := x.hops(path)
		skipped := n.skippedStages(path, k)
		pkt := headlinePacket(hops)
		f := Finding{
			Kind: KindSkip, Code: "skip", Tier: st.tier.Name, Attacker: x.attacker.Name, Stage: k,
			Skipped: skipped, Path: names, Packet: &pkt, Hops: hops, Classes: 1, Pos: st.tier.Pos,
		}
		f.Message = fmt.Sprintf("%s reaches %s (stage %d) without passing %s: %s", x.attacker.Name, st.tier.Name, k,
			strings.Join(skipped, ", "), skipCause(hops))
		f.Why = n.explainSkip(x.attacker, path, hops)
		index[shape] = len(out)
		out = append(out, f)
	}
	return out
}

// maxStopsShown bounds the drops the evidence of a holding stage lists per
// tier.
const maxStopsShown = 3

// holdEvidence explains a stage that holds: for each of its tiers, a path
// that reaches it in chain order if there is one, and the drops closest to
// it, with the step that stopped them.
func (n *Network) holdEvidence(x *exploration, st *model.Stage) []string {
	// Index the states and stops by tier once: a stage of a large scenario
	// has thousands of tiers.
	first := map[*model.Tier]*flowState{}
	for _, id := range x.order {
		if s := x.states[id]; s.tier != nil && first[s.tier.Tier] == nil {
			first[s.tier.Tier] = s
		}
	}
	stopsAt := map[string][]*stop{}
	for _, s := range x.stops {
		stopsAt[s.hop.To] = append(stopsAt[s.hop.To], s)
	}

	var out []string
	for _, t := range st.Tiers {
		before := len(out)
		if s := first[t]; s != nil {
			out = append(out, fmt.Sprintf("%s reaches %s only in chain order, as in %s", x.attacker.Name, t.Name, strings.Join(nodeNames(x.path(s)), " > ")))
		}
		stops := stopsAt[t.Name]
		slices.SortFunc(stops, func(a, b *stop) int {
			return cmp.Or(cmp.Compare(len(x.path(a.from)), len(x.path(b.from))), cmp.Compare(a.seq, b.seq))
		})
		for i, s := range stops {
			if i == maxStopsShown {
				out = append(out, fmt.Sprintf("%d more kinds of packet stop at %s", len(stops)-maxStopsShown, t.Name))
				break
			}
			last := s.hop.Steps[len(s.hop.Steps)-1]
			where := last.Detail
			if last.Pos.IsValid() {
				where += fmt.Sprintf(" (%s:%d:%d)", last.Pos.File, last.Pos.Line, last.Pos.Column)
			}
			out = append(out, fmt.Sprintf("%s > %s stops at %s: %s [%s, %d packet %s]", strings.Join(nodeNames(x.path(s.from)), " > "), t.Name,
				last.Filter, where, last.Reason, s.count, plural(s.count, "class", "classes")))
		}
		if len(out) == before {
			out = append(out, fmt.Sprintf("nothing %s sends is addressed to %s or forwarded to it", x.attacker.Name, t.Name))
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// skippedStages names the tiers of the stages before k that the path does
// not pass in order.
func (n *Network) skippedStages(path []*flowState, k int) []string {
	visited := map[int]bool{}
	for _, st := range path {
		if st.tier != nil && st.tier.stage > 0 {
			visited[st.tier.stage] = true
		}
	}
	progress := path[0].progress
	var out []string
	for i := progress + 1; i < k; i++ {
		if !visited[i] {
			out = append(out, tierNames(n.Scenario.Chain[i-1].Tiers)...)
		}
	}
	if len(out) == 0 {
		// Every earlier stage appears, but not in order.
		last := path[len(path)-1].progress
		for i := last + 1; i < k; i++ {
			out = append(out, tierNames(n.Scenario.Chain[i-1].Tiers)...)
		}
	}
	return out
}

// skipCause summarises the rule that let the packet into the first tier off
// the chain's order.
func skipCause(hops []Hop) string {
	for _, h := range hops {
		for _, st := range h.Steps {
			if st.Filter == FilterIngress && st.Rule != "" {
				return "admitted by " + st.Rule
			}
		}
	}
	last := hops[len(hops)-1]
	for _, st := range last.Steps {
		if st.Allowed {
			return st.Detail
		}
	}
	return "admitted"
}

// headlinePacket returns the packet a finding shows: the first one on the
// path addressed to an interface, so that a path through the attacker's own
// distribution shows what the distribution sends to your endpoint.
// A packet whose source routing rewrote is shown as its sender sent it,
// which is what a trace from the sender takes.
func headlinePacket(hops []Hop) Packet {
	for _, h := range hops {
		if h.Sent != nil {
			return *h.Sent
		}
		if h.Packet.Dst.IsValid() {
			return h.Packet
		}
	}
	return hops[0].Packet
}

func tierNames(ts []*model.Tier) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func brokenFinding(h HopVerdict) Finding {
	f := Finding{Kind: KindBroken, Code: "broken-hop", Tier: h.To, Path: []string{h.From, h.To}, Packet: h.Packet, Hops: h.Hops}
	if len(h.Hops) > 0 {
		// The path the intended packet took until it stopped, which may end
		// before the hop itself when the forwarding tier refuses it.
		f.Path = []string{h.Hops[0].From}
		for _, hop := range h.Hops {
			f.Path = append(f.Path, hop.To)
		}
	}
	why := "dropped"
	if len(h.Hops) > 0 {
		last := h.Hops[len(h.Hops)-1]
		if len(last.Steps) > 0 {
			st := last.Steps[len(last.Steps)-1]
			why = st.Detail
			f.Pos = st.Pos
		}
	}
	f.Message = fmt.Sprintf("intended hop %s -> %s is broken: %s", h.From, h.To, why)
	return f
}

// sortFindings orders broken hops first, because a broken intended hop is
// often the cause of the skips that follow it, then skips, then warnings.
// Within a kind it orders by attacker, stage, tier and path.
func sortFindings(fs []Finding) {
	rank := map[FindingKind]int{KindBroken: 0, KindSkip: 1, KindWarning: 2}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(rank[a.Kind], rank[b.Kind]),
			cmp.Compare(a.Attacker, b.Attacker),
			cmp.Compare(a.Stage, b.Stage),
			cmp.Compare(a.Tier, b.Tier),
			cmp.Compare(len(a.Path), len(b.Path)),
			slices.Compare(a.Path, b.Path),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Message, b.Message),
		)
	})
}
