package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// ANSI color codes used on a terminal.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
)

// maxTiersWithEvidence is the size of the largest stage whose evidence the
// text report prints without --verbose.
const maxTiersWithEvidence = 3

// textWriter renders reports for a person.
type textWriter struct {
	w       io.Writer
	color   bool
	verbose bool
}

func (t *textWriter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) printf(format string, args ...any) {
	fmt.Fprintf(t.w, format, args...)
}

// verdictWord colors a verdict: green when it holds, red otherwise.
func (t *textWriter) verdictWord(v string) string {
	switch v {
	case sim.Holds:
		return t.paint(ansiGreen, v)
	case sim.Skippable, sim.Broken, sim.Violated:
		return t.paint(ansiRed, v)
	}
	return v
}

func (t *textWriter) report(r *sim.Report, s *model.Scenario) {
	t.printf("%s %s (%s)\n", t.paint(ansiBold, "Scenario"), r.Scenario, r.File)
	t.printf("Chain: %s\n", chainString(s))

	counts := map[sim.FindingKind]int{}
	for _, f := range r.Findings {
		counts[f.Kind]++
	}
	t.printf("Verdict: %s (%d skip %s, %d broken %s, %d %s)\n\n",
		t.paint(ansiBold, strings.ToUpper(r.Verdict)),
		counts[sim.KindSkip], plural(counts[sim.KindSkip], "finding", "findings"),
		counts[sim.KindBroken], plural(counts[sim.KindBroken], "hop", "hops"),
		counts[sim.KindWarning], plural(counts[sim.KindWarning], "warning", "warnings"))

	t.printf("%s\n", t.paint(ansiBold, "Stages"))
	for _, st := range r.Stages {
		note := ""
		if st.Note != "" {
			note = t.paint(ansiDim, " ("+st.Note+")")
		}
		t.printf("  %-22s stage %d %-18s %s%s\n", st.Attacker, st.Stage, "["+strings.Join(st.Tiers, ", ")+"]", t.verdictWord(st.Verdict), note)
		switch {
		case len(st.Evidence) == 0:
		case len(st.Tiers) <= maxTiersWithEvidence || t.verbose:
			for _, e := range st.Evidence {
				t.printf("      %s\n", t.paint(ansiDim, e))
			}
		default:
			t.printf("      %s\n", t.paint(ansiDim, fmt.Sprintf("(--verbose shows why, for each of the %d tiers)", len(st.Tiers))))
		}
	}
	if len(r.Hops) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "Intended hops"))
		for _, h := range r.Hops {
			reason := ""
			if h.Reason != "" {
				reason = " " + h.Reason
			}
			t.printf("  %-32s %s%s\n", h.From+" -> "+h.To, t.verdictWord(h.Verdict), reason)
		}
	}

	if len(r.Findings) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "Findings"))
	}
	narrated := map[string]bool{}
	for i, f := range r.Findings {
		t.finding(i+1, f, narrated)
	}

	if len(r.Notes) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "Model notes"))
		for _, n := range r.Notes {
			t.printf("  - %s\n", n)
		}
	}
	t.printf("\nExplored %d packet classes, %d flow states and %d distinct paths.\n",
		r.Stats.PacketClasses, r.Stats.States, r.Stats.Paths)
}

func (t *textWriter) finding(n int, f sim.Finding, narrated map[string]bool) {
	label := map[sim.FindingKind]string{sim.KindSkip: "SKIP", sim.KindBroken: "BROKEN", sim.KindWarning: "WARNING"}[f.Kind]
	code := ansiRed
	if f.Kind == sim.KindWarning {
		code = ansiYellow
	}
	t.printf("\n%d. %s %s\n", n, t.paint(code, label), f.Message)
	if f.Pos.IsValid() {
		t.printf("   at %s\n", posString(f.Pos))
	}
	if len(f.Path) > 0 {
		t.printf("   path: %s\n", strings.Join(f.Path, " > "))
	}
	if f.Packet != nil {
		t.printf("   packet: %s\n", f.Packet)
	}
	for _, why := range f.Why {
		t.printf("   why: %s\n", why)
	}
	if f.Classes > 1 {
		t.printf("   %d distinct packets arrive along this path\n", f.Classes)
	}

	// Narrate the hops of the first finding of each attacker and stage, and
	// of every finding with --verbose.
	key := fmt.Sprintf("%s|%s|%d", f.Kind, f.Attacker, f.Stage)
	if len(f.Hops) == 0 || (narrated[key] && !t.verbose) {
		return
	}
	narrated[key] = true
	for i, h := range f.Hops {
		t.hop(i+1, h)
	}
}

func (t *textWriter) hop(n int, h sim.Hop) {
	t.printf("   hop %d: %s -> %s\n", n, h.From, h.To)
	if h.Sent != nil {
		t.printf("      packet: %s\n", h.Sent.String())
		t.printf("      routed as: %s\n", h.Packet.String())
	} else {
		t.printf("      packet: %s\n", h.Packet.String())
	}
	for _, st := range h.Steps {
		mark := t.paint(ansiGreen, "pass")
		if !st.Allowed {
			mark = t.paint(ansiRed, "drop")
		}
		t.printf("      %s %-16s %s\n", mark, st.Filter, st.Detail)
		if st.Pos.IsValid() {
			t.printf("           %s\n", t.paint(ansiDim, posString(st.Pos)))
		}
		if st.Reason != "" {
			t.printf("           reason: %s\n", st.Reason)
		}
	}
	if h.Delivered && h.Reply != "" {
		t.printf("      reply: %s\n", h.Reply)
	}
}

func posString(p model.Pos) string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

func chainString(s *model.Scenario) string {
	parts := make([]string, len(s.Chain))
	for i, st := range s.Chain {
		names := make([]string, len(st.Tiers))
		for j, tr := range st.Tiers {
			names[j] = tr.Name
		}
		parts[i] = strings.Join(names, " | ")
	}
	return strings.Join(parts, " -> ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
