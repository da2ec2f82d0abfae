package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFindings = 1
	exitInvalid  = 2
)

// version is the release this build reports.
const version = "0.1.0"

// command is one subcommand of sgchain.
type command struct {
	name    string
	summary string
	run     func(args []string, env *environment) int
}

// environment holds what a command writes to and reads from, so that tests
// can replace it.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// jsonDiagnostics makes loadAll print diagnostics as JSON.
	jsonDiagnostics bool
}

var commands = []command{
	{name: "check", summary: "Check scenarios for skippable stages and broken hops", run: runCheck},
	{name: "test", summary: "Check the expectations in scenarios' expect sections", run: runTest},
	{name: "trace", summary: "Follow one packet hop by hop and explain its fate", run: runTrace},
	{name: "reach", summary: "List which tiers each attacker and tier reaches, on which ports", run: runReach},
	{name: "graph", summary: "Draw a scenario's flows and findings as Mermaid, DOT or HTML", run: runGraph},
	{name: "diff", summary: "Compare the reachability and verdicts of two scenarios", run: runDiff},
	{name: "whatif", summary: "Change a scenario and show what the change does", run: runWhatif},
	{name: "import", summary: "Write a scenario from AWS CLI output, a Terraform plan or a CloudFormation template", run: runImport},
	{name: "gen", summary: "Write a valid scenario of a given size, for benchmarks and demos", run: runGen},
}

const usageText = `sgchain model-checks layered AWS network designs. It sends one synthetic
packet per equivalence class of the packet space through a model of VPC
filtering, and reports every hop of the intended chain that an attacker can
skip and every intended hop that carries no traffic.

Usage:
  sgchain <command> [flags] [arguments]

Commands:
%s
Run "sgchain <command> --help" for a command's flags, and "sgchain --version"
for the version.
The scenario format is documented in docs/scenario-format.md.

Exit status: 0 when everything holds, 1 when there is a finding, 2 for
invalid input or usage.
`

// Run runs sgchain with args and returns the exit status.
func Run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	env := &environment{stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		printUsage(stderr)
		return exitInvalid
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			// "sgchain help check" is "sgchain check --help".
			return Run([]string{args[1], "--help"}, stdout, stderr, getenv)
		}
		printUsage(stdout)
		return exitOK
	case "--version", "version":
		fmt.Fprintln(stdout, "sgchain", version)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], env)
		}
	}
	fmt.Fprintf(stderr, "sgchain: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return exitInvalid
}

func printUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, usageText, b.String())
}

// parseFlags parses args with fs and reports whether the command should go
// on, with the exit status to use when it should not.
func parseFlags(fs *pflag.FlagSet, args []string, env *environment) (ok bool, status int) {
	// pflag prints the usage itself on --help and on errors; this function
	// prints instead, so that help goes to stdout and errors to stderr once.
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		fs.SetOutput(env.stdout)
		fs.Usage()
		return false, exitOK
	case err != nil:
		fmt.Fprintf(env.stderr, "sgchain %s: %v\nRun \"sgchain %s --help\" for its flags.\n", fs.Name(), err, fs.Name())
		return false, exitInvalid
	}
	return true, exitOK
}

// formatValue is a --format flag that accepts one of a fixed set of names.
type formatValue struct {
	value   string
	allowed []string
}

func (f *formatValue) String() string { return f.value }
func (f *formatValue) Type() string   { return "format" }

func (f *formatValue) Set(s string) error {
	for _, a := range f.allowed {
		if s == a {
			f.value = s
			return nil
		}
	}
	return fmt.Errorf("invalid format %q: expected one of %s", s, strings.Join(f.allowed, ", "))
}

// useColor reports whether output to w may use ANSI colors: only on a
// terminal, and never when NO_COLOR is set to any value.
func useColor(w io.Writer, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
