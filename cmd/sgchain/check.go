package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

const checkUsage = `Usage: sgchain check [flags] FILE...

Check each scenario: for every attacker and every chain stage after the
first, whether some packet reaches the stage without passing every earlier
stage in order (skippable) or no packet does (holds); for every intended hop,
whether intended traffic passes it (holds) or not (broken). Each finding
carries the attacker, the path, a concrete packet and the rule that admitted
or dropped it at each hop.

Exit status: 0 when every stage holds and no hop is broken, 1 when there is
a finding, 2 for invalid input or usage. Warnings alone exit 0, and so do
findings with --soft-fail.

Flags:
`

func runCheck(args []string, env *environment) int {
	fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
	format := &formatValue{value: "text", allowed: []string{"text", "json", "sarif"}}
	fs.Var(format, "format", "output format: text, json or sarif (SARIF 2.1.0, for code scanning)")
	verbose := fs.BoolP("verbose", "v", false, "narrate every hop of every finding, not only of the first per stage")
	softFail := fs.Bool("soft-fail", false, "exit 0 even when there are findings (invalid input still exits 2)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), checkUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.stderr, "sgchain check: missing scenario file; usage: sgchain check [flags] FILE...")
		return exitInvalid
	}

	env.jsonDiagnostics = format.value == "json"
	scenarios, ok := loadAll(fs.Args(), env)
	if !ok {
		return exitInvalid
	}

	var reports []*sim.Report
	for _, s := range scenarios {
		r, err := sim.Check(s)
		if err != nil {
			fmt.Fprintf(env.stderr, "%s: error: %v\n", s.File, err)
			return exitInvalid
		}
		reports = append(reports, r)
	}

	switch format.value {
	case "json":
		if err := writeJSON(env.stdout, reports); err != nil {
			fmt.Fprintf(env.stderr, "sgchain check: %v\n", err)
			return exitInvalid
		}
	case "sarif":
		if err := writeSARIF(env.stdout, reports, nil); err != nil {
			fmt.Fprintf(env.stderr, "sgchain check: %v\n", err)
			return exitInvalid
		}
	default:
		tw := &textWriter{w: env.stdout, color: useColor(env.stdout, env.getenv), verbose: *verbose}
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(env.stdout)
			}
			tw.report(r, scenarios[i])
		}
	}

	for _, r := range reports {
		if r.Verdict != sim.Holds && !*softFail {
			return exitFindings
		}
	}
	return exitOK
}

// loadAll loads every file and prints the diagnostics of all of them to
// stderr, as text or, when env.jsonDiagnostics is set, as one JSON object.
// It reports false when any file has an error.
func loadAll(files []string, env *environment) ([]*model.Scenario, bool) {
	var out []*model.Scenario
	var all model.Diagnostics
	ok := true
	for _, f := range files {
		s, diags := model.Load(f)
		all = append(all, diags...)
		if diags.HasErrors() {
			ok = false
			continue
		}
		out = append(out, s)
	}
	if env.jsonDiagnostics {
		if len(all) > 0 {
			writeJSONDiagnostics(env.stderr, all)
		}
	} else {
		for _, d := range all {
			fmt.Fprintln(env.stderr, d.String())
		}
	}
	return out, ok
}
