package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/sim"
)

const diffUsage = `Usage: sgchain diff [flags] BEFORE AFTER

Compare two scenarios by differential reachability: for every attacker and
tier, the packets that newly reach it and that no longer reach it (merged
into address and port ranges, with one concrete packet each), every stage
and hop verdict that changed (holds to skippable or broken is a regression,
the reverse a repair), and warnings that appear or are resolved.

Both scenarios are explored on one partition of the packet space, cut by
the rules of both, so the comparison is exact.

Exit status: 1 when the change contains what --fail-on selects (by default a
regression), 0 otherwise, 2 for invalid input or usage.

Flags:
`

// failOn is the --fail-on flag: the kinds of change that make diff exit 1.
type failOn struct{ kinds []string }

var failOnKinds = []string{"skippable", "broken", "reach", "warning", "any", "none"}

func (f *failOn) String() string { return strings.Join(f.kinds, ",") }
func (f *failOn) Type() string   { return "kinds" }

func (f *failOn) Set(s string) error {
	f.kinds = nil
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(failOnKinds, k) {
			return fmt.Errorf("invalid --fail-on kind %q: expected a comma-separated list of %s", k, strings.Join(failOnKinds, ", "))
		}
		f.kinds = append(f.kinds, k)
	}
	return nil
}

// triggered reports whether the diff contains a change of a selected kind.
func (f *failOn) triggered(d *sim.DiffReport) bool {
	has := func(k string) bool { return slices.Contains(f.kinds, k) || slices.Contains(f.kinds, "any") }
	if slices.Contains(f.kinds, "none") {
		return false
	}
	for _, v := range d.Verdicts {
		if !v.Regression {
			continue
		}
		if (v.Kind == "stage" && has("skippable")) || (v.Kind == "hop" && has("broken")) {
			return true
		}
	}
	if has("reach") && slices.ContainsFunc(d.Reach, func(r sim.ReachChange) bool { return r.Change == sim.NewlyReaches }) {
		return true
	}
	if has("warning") && slices.ContainsFunc(d.Warnings, func(w sim.WarningChange) bool { return w.New }) {
		return true
	}
	if slices.Contains(f.kinds, "any") {
		return len(d.Reach)+len(d.Verdicts)+len(d.Warnings) > 0
	}
	return false
}

func runDiff(args []string, env *environment) int {
	fs := pflag.NewFlagSet("diff", pflag.ContinueOnError)
	format := &formatValue{value: "text", allowed: []string{"text", "json", "markdown"}}
	fs.Var(format, "format", "output format: text, json or markdown (for a pull-request comment)")
	fail := &failOn{kinds: []string{"skippable", "broken"}}
	fs.Var(fail, "fail-on", "changes that make diff exit 1: a comma-separated list of skippable (a stage turns skippable), broken (a hop breaks), reach (any packet newly reaches a tier), warning (a new warning), any, none")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), diffUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(env.stderr, "sgchain diff: expected two scenario files; usage: sgchain diff [flags] BEFORE AFTER")
		return exitInvalid
	}
	env.jsonDiagnostics = format.value == "json"
	scenarios, ok := loadAll(fs.Args(), env)
	if !ok {
		return exitInvalid
	}
	d, err := sim.Diff(scenarios[0], scenarios[1])
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain diff: %v\n", err)
		return exitInvalid
	}
	return writeDiff(env, format.value, d, fail)
}

// writeDiff renders a diff and returns the exit status --fail-on selects.
func writeDiff(env *environment, format string, d *sim.DiffReport, fail *failOn) int {
	switch format {
	case "json":
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(diffJSON(d)); err != nil {
			fmt.Fprintf(env.stderr, "sgchain: %v\n", err)
			return exitInvalid
		}
	case "markdown":
		writeDiffMarkdown(env.stdout, d)
	default:
		tw := &textWriter{w: env.stdout, color: useColor(env.stdout, env.getenv)}
		tw.diff(d)
	}
	if fail.triggered(d) {
		return exitFindings
	}
	return exitOK
}

// verdictLine describes a verdict change in one line.
func verdictLine(v sim.VerdictChange) string {
	before, after := v.Before, v.After
	if before == "" {
		before = "(absent)"
	}
	if after == "" {
		after = "(absent)"
	}
	what := fmt.Sprintf("hop %s -> %s", v.From, v.To)
	if v.Kind == "stage" {
		what = fmt.Sprintf("%s stage %d [%s]", v.Attacker, v.Stage, strings.Join(v.Tiers, ", "))
	}
	tag := ""
	switch {
	case v.Regression:
		tag = "REGRESSION"
	case v.Repair:
		tag = "repair"
	}
	return strings.TrimSpace(fmt.Sprintf("%s: %s -> %s %s", what, before, after, tag))
}

// sourcesString describes the sources of a reach change.
func sourcesString(r sim.ReachChange) string {
	switch {
	case r.Sources.IsEmpty():
		return "its own interface"
	case r.AllSources:
		return "any source"
	}
	return r.Sources.String()
}

func reachLine(r sim.ReachChange) string {
	return fmt.Sprintf("%s %s %s: %s %s from %s, entering at %s", r.Attacker, r.Change, r.Tier, r.Protocol,
		portsString(r.Protocol, r.Ports), sourcesString(r), r.Entry)
}

func (t *textWriter) diff(d *sim.DiffReport) {
	t.printf("%s %s (%s) -> %s (%s)\n", t.paint(ansiBold, "Diff"), d.Before, d.BeforeFile, d.After, d.AfterFile)
	regressions := 0
	for _, v := range d.Verdicts {
		if v.Regression {
			regressions++
		}
	}
	t.printf("%d verdict %s (%d %s), %d reachability %s, %d warning %s\n",
		len(d.Verdicts), plural(len(d.Verdicts), "change", "changes"), regressions, plural(regressions, "regression", "regressions"),
		len(d.Reach), plural(len(d.Reach), "change", "changes"), len(d.Warnings), plural(len(d.Warnings), "change", "changes"))

	if len(d.Verdicts) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "Verdicts"))
		for _, v := range d.Verdicts {
			line := verdictLine(v)
			if v.Regression {
				line = t.paint(ansiRed, line)
			} else if v.Repair {
				line = t.paint(ansiGreen, line)
			}
			t.printf("  %s\n", line)
		}
	}
	if len(d.Reach) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "Reachability"))
		for _, r := range d.Reach {
			mark := t.paint(ansiRed, "+")
			if r.Change == sim.NoLongerReaches {
				mark = t.paint(ansiGreen, "-")
			}
			t.printf("  %s %s\n", mark, reachLine(r))
			t.printf("      e.g. %s\n", r.Example.String())
			if len(r.Path) > 0 {
				t.printf("      path: %s\n", strings.Join(r.Path, " > "))
			}
		}
	}
	if len(d.Warnings) > 0 {
		t.printf("\n%s\n", t.paint(ansiBold, "Warnings"))
		for _, w := range d.Warnings {
			state := "new"
			if !w.New {
				state = "resolved"
			}
			t.printf("  %s %s: %s\n", state, w.Code, w.Message)
		}
	}
	t.printf("\nCompared %d packet classes of the shared partition.\n", d.Classes)
}

func writeDiffMarkdown(w io.Writer, d *sim.DiffReport) {
	fmt.Fprintf(w, "### sgchain diff: %s → %s\n\n", d.Before, d.After)
	if len(d.Verdicts)+len(d.Reach)+len(d.Warnings) == 0 {
		fmt.Fprintln(w, "No change in reachability, verdicts or warnings.")
		return
	}
	if len(d.Verdicts) > 0 {
		fmt.Fprintln(w, "| change | before | after | |")
		fmt.Fprintln(w, "| --- | --- | --- | --- |")
		for _, v := range d.Verdicts {
			what := fmt.Sprintf("hop %s → %s", v.From, v.To)
			if v.Kind == "stage" {
				what = fmt.Sprintf("%s, stage %d (%s)", v.Attacker, v.Stage, strings.Join(v.Tiers, ", "))
			}
			tag := ""
			switch {
			case v.Regression:
				tag = "**regression**"
			case v.Repair:
				tag = "repair"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", what, orDash(v.Before), orDash(v.After), tag)
		}
		fmt.Fprintln(w)
	}
	if len(d.Reach) > 0 {
		fmt.Fprintln(w, "| attacker | change | tier | packets | example |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
		for _, r := range d.Reach {
			fmt.Fprintf(w, "| %s | %s | %s | %s %s from %s via %s | `%s` |\n", r.Attacker, r.Change, r.Tier, r.Protocol,
				portsString(r.Protocol, r.Ports), sourcesString(r), r.Entry, r.Example.String())
		}
		fmt.Fprintln(w)
	}
	for _, wc := range d.Warnings {
		state := "New"
		if !wc.New {
			state = "Resolved"
		}
		fmt.Fprintf(w, "- %s warning `%s`: %s\n", state, wc.Code, wc.Message)
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

type jsonDiff struct {
	Before     string              `json:"before"`
	After      string              `json:"after"`
	BeforeFile string              `json:"before_file"`
	AfterFile  string              `json:"after_file"`
	Regression bool                `json:"regression"`
	Verdicts   []jsonVerdictChange `json:"verdicts"`
	Reach      []jsonReachChange   `json:"reach"`
	Warnings   []jsonWarningChange `json:"warnings"`
	Stats      struct {
		PacketClasses int `json:"packet_classes"`
	} `json:"stats"`
}

type jsonVerdictChange struct {
	Kind       string   `json:"kind"`
	Attacker   string   `json:"attacker,omitempty"`
	Stage      int      `json:"stage,omitempty"`
	Tiers      []string `json:"tiers,omitempty"`
	From       string   `json:"from,omitempty"`
	To         string   `json:"to,omitempty"`
	Before     string   `json:"before"`
	After      string   `json:"after"`
	Regression bool     `json:"regression"`
	Repair     bool     `json:"repair"`
}

type jsonReachChange struct {
	Attacker   string       `json:"attacker"`
	Tier       string       `json:"tier"`
	Change     string       `json:"change"`
	Entry      string       `json:"entry"`
	Protocol   string       `json:"protocol"`
	Ports      []jsonPortRg `json:"ports"`
	Sources    []string     `json:"sources"`
	AllSources bool         `json:"all_sources"`
	Example    *jsonPacket  `json:"example"`
	Path       []string     `json:"path"`
	Classes    int          `json:"packet_classes"`
}

type jsonWarningChange struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	New     bool   `json:"new"`
}

func diffJSON(d *sim.DiffReport) jsonDiff {
	out := jsonDiff{Before: d.Before, After: d.After, BeforeFile: d.BeforeFile, AfterFile: d.AfterFile, Regression: d.HasRegression(),
		Verdicts: []jsonVerdictChange{}, Reach: []jsonReachChange{}, Warnings: []jsonWarningChange{}}
	out.Stats.PacketClasses = d.Classes
	for _, v := range d.Verdicts {
		out.Verdicts = append(out.Verdicts, jsonVerdictChange{Kind: v.Kind, Attacker: v.Attacker, Stage: v.Stage, Tiers: v.Tiers,
			From: v.From, To: v.To, Before: v.Before, After: v.After, Regression: v.Regression, Repair: v.Repair})
	}
	for _, r := range d.Reach {
		jr := jsonReachChange{Attacker: r.Attacker, Tier: r.Tier, Change: r.Change, Entry: r.Entry, Protocol: r.Protocol.String(),
			AllSources: r.AllSources, Example: packetJSON(&r.Example), Path: r.Path, Classes: r.Classes, Sources: []string{}}
		for _, p := range r.Ports {
			jr.Ports = append(jr.Ports, jsonPortRg{From: p.From, To: p.To})
		}
		for _, iv := range r.Sources.Intervals() {
			jr.Sources = append(jr.Sources, iv.String())
		}
		out.Reach = append(out.Reach, jr)
	}
	for _, w := range d.Warnings {
		out.Warnings = append(out.Warnings, jsonWarningChange{Code: w.Code, Message: w.Message, New: w.New})
	}
	return out
}
