package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/chaintest"
	"github.com/sgchain/sgchain/model"
)

const testUsage = `Usage: sgchain test [flags] PATH...

Check the expectations in the expect section of each scenario: stage and hop
verdicts, flows that must or must not be possible, and warnings that must or
must not appear. PATH is a scenario file or a directory, which stands for
every .yaml and .yml file below it. Each failed expectation is printed with
its file:line, what the check found instead and, where one exists, the
packet and path that contradict it. The last line counts the expectations:
"N passed, N failed", and ", N skipped" for scenarios without an expect
section.

Exit status: 0 when every expectation holds, 1 when one fails, 2 for invalid
input or usage. With --soft-fail, failed expectations exit 0 too.

Flags:
`

// testFile is one scenario file of a test run: its result, or nothing when
// it has no expect section.
type testFile struct {
	file     string
	scenario *model.Scenario
	result   *chaintest.Result // nil when skipped
}

// testTotals counts the expectations of a test run, and the scenarios
// skipped for want of an expect section.
type testTotals struct {
	passed, failed, skipped int
}

func (t testTotals) String() string {
	s := fmt.Sprintf("%d passed, %d failed", t.passed, t.failed)
	if t.skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.skipped)
	}
	return s
}

func runTest(args []string, env *environment) int {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	format := &formatValue{value: "text", allowed: []string{"text", "json", "junit", "sarif"}}
	fs.Var(format, "format", "output format: text, json, junit or sarif")
	verbose := fs.BoolP("verbose", "v", false, "narrate every hop of each counterexample, and list the expectations that hold")
	softFail := fs.Bool("soft-fail", false, "exit 0 even when expectations fail (invalid input still exits 2)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), testUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.stderr, "sgchain test: missing scenario file or directory; usage: sgchain test [flags] PATH...")
		return exitInvalid
	}

	files, err := chaintest.ScenarioFiles(fs.Args()...)
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain test: %v\n", err)
		return exitInvalid
	}
	env.jsonDiagnostics = format.value == "json"
	scenarios, ok := loadAll(files, env)
	if !ok {
		return exitInvalid
	}

	var run []testFile
	var totals testTotals
	for i, s := range scenarios {
		tf := testFile{file: files[i], scenario: s}
		if s.Expect == nil {
			totals.skipped++
			run = append(run, tf)
			continue
		}
		res, err := chaintest.Evaluate(s)
		if err != nil {
			fmt.Fprintf(env.stderr, "%s: error: %v\n", s.File, err)
			return exitInvalid
		}
		tf.result = res
		totals.passed += res.Passed()
		totals.failed += res.Failed()
		run = append(run, tf)
	}

	switch format.value {
	case "json":
		err = writeTestJSON(env.stdout, run, totals)
	case "junit":
		err = writeJUnit(env.stdout, run, totals)
	case "sarif":
		err = writeSARIF(env.stdout, nil, run)
	default:
		tw := &textWriter{w: env.stdout, color: useColor(env.stdout, env.getenv), verbose: *verbose}
		tw.testRun(run, totals)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain test: %v\n", err)
		return exitInvalid
	}

	if totals.failed > 0 && !*softFail {
		return exitFindings
	}
	return exitOK
}

// testRun prints each scenario's status, every failed expectation with its
// counterexample, and the totals.
func (t *textWriter) testRun(run []testFile, totals testTotals) {
	for _, tf := range run {
		res := tf.result
		switch {
		case res == nil:
			t.printf("%s  %s  no expect section\n", t.paint(ansiYellow, "skip"), tf.file)
			continue
		case res.Failed() == 0:
			t.printf("%s    %s  %s\n", t.paint(ansiGreen, "ok"), tf.file, countNoun(len(res.Outcomes), "expectation holds", "expectations hold"))
		default:
			t.printf("%s  %s  %d of %s failed\n", t.paint(ansiRed, "FAIL"), tf.file, res.Failed(), countNoun(len(res.Outcomes), "expectation", "expectations"))
		}
		for _, o := range res.Outcomes {
			switch {
			case !o.Passed:
				t.failedOutcome(tf.file, o)
			case t.verbose:
				t.printf("  %s %s:%d:%d: %s: expected %s\n", t.paint(ansiGreen, "pass"), tf.file, o.Pos.Line, o.Pos.Column, o.Path, o.Expected)
			}
		}
	}
	t.printf("\n%s\n", totals)
}

// failedOutcome prints one failed expectation: where it is, what was found,
// and the counterexample.
func (t *textWriter) failedOutcome(file string, o chaintest.Outcome) {
	t.printf("  %s:%d:%d: %s: expected %s, but %s\n", file, o.Pos.Line, o.Pos.Column, o.Path, o.Expected, o.Found)
	if o.Cause.IsValid() {
		t.printf("    cause: %s\n", posString(o.Cause))
	}
	if len(o.Nodes) > 0 {
		t.printf("    path: %s\n", strings.Join(o.Nodes, " > "))
	}
	if o.Packet != nil {
		t.printf("    packet: %s\n", o.Packet)
	}
	if t.verbose {
		for i, h := range o.Hops {
			t.hop(i+1, h)
		}
	}
}

func countNoun(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
}

// The JSON form of a test run. Like check's JSON, fields may be added, but
// these keep their names and meanings.
type jsonTestRun struct {
	Files   []jsonTestFile `json:"files"`
	Passed  int            `json:"passed"`
	Failed  int            `json:"failed"`
	Skipped int            `json:"skipped"`
}

type jsonTestFile struct {
	File     string `json:"file"`
	Scenario string `json:"scenario"`
	// Status is "passed", "failed" or "skipped".
	Status       string            `json:"status"`
	Expectations []jsonExpectation `json:"expectations"`
}

type jsonExpectation struct {
	Kind     string        `json:"kind"`
	Key      string        `json:"key"`
	Location *jsonLocation `json:"location,omitempty"`
	Expected string        `json:"expected"`
	Passed   bool          `json:"passed"`
	Found    string        `json:"found,omitempty"`
	Path     []string      `json:"path,omitempty"`
	Packet   *jsonPacket   `json:"packet,omitempty"`
	Hops     []jsonHop     `json:"hops,omitempty"`
	Cause    *jsonLocation `json:"cause,omitempty"`
}

func writeTestJSON(w io.Writer, run []testFile, totals testTotals) error {
	out := jsonTestRun{Files: []jsonTestFile{}, Passed: totals.passed, Failed: totals.failed, Skipped: totals.skipped}
	for _, tf := range run {
		jf := jsonTestFile{File: tf.file, Scenario: tf.scenario.Name, Status: "skipped", Expectations: []jsonExpectation{}}
		if res := tf.result; res != nil {
			jf.Status = "passed"
			if res.Failed() > 0 {
				jf.Status = "failed"
			}
			for _, o := range res.Outcomes {
				je := jsonExpectation{Kind: o.Kind, Key: o.Path, Location: locationJSON(o.Pos), Expected: o.Expected,
					Passed: o.Passed, Found: o.Found, Path: o.Nodes, Packet: packetJSON(o.Packet), Cause: locationJSON(o.Cause)}
				for _, h := range o.Hops {
					je.Hops = append(je.Hops, hopJSON(h))
				}
				jf.Expectations = append(jf.Expectations, je)
			}
		}
		out.Files = append(out.Files, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
