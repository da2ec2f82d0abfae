package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/importer"
	"github.com/sgchain/sgchain/importer/aws"
	"github.com/sgchain/sgchain/importer/cloudformation"
	"github.com/sgchain/sgchain/importer/terraform"
	"github.com/sgchain/sgchain/model"
)

const importUsage = `Usage: sgchain import FORMAT [flags] INPUT...

Write a scenario from configuration that already exists, for you to review,
name and extend. FORMAT is one of:

  aws             JSON the AWS CLI prints (--output json) for the describe and
                  get calls in docs/import.md; INPUT is files or directories
  terraform       the output of terraform show -json PLANFILE; INPUT is one file
  cloudformation  a CloudFormation template in YAML or JSON; INPUT is one file

The scenario goes to standard output, or to the file given with -o. Lines
marked PROPOSED in it are guesses to confirm: the chain, the attackers and the
connections inferred from security-group references. Everything the input
holds that the scenario leaves out or writes approximately is listed as a
warning, on standard error and as comments at the top of the scenario.
Custom header values are replaced by references; no secret value is written.

Exit status: 0 when a scenario was written, 2 for unreadable input, input
with too little to form a chain, or usage errors.

Flags:
`

// importReaders maps each import format to its reader.
var importReaders = map[string]func(paths []string) (*importer.Inventory, error){
	"aws": aws.Read,
	"terraform": func(paths []string) (*importer.Inventory, error) {
		if len(paths) != 1 {
			return nil, fmt.Errorf("terraform takes one file, the output of terraform show -json PLANFILE; got %d", len(paths))
		}
		return terraform.Read(paths[0])
	},
	"cloudformation": func(paths []string) (*importer.Inventory, error) {
		if len(paths) != 1 {
			return nil, fmt.Errorf("cloudformation takes one template file; got %d", len(paths))
		}
		return cloudformation.Read(paths[0])
	},
}

func runImport(args []string, env *environment) int {
	fs := pflag.NewFlagSet("import", pflag.ContinueOnError)
	output := fs.StringP("output", "o", "", "write the scenario to `FILE` instead of standard output")
	name := fs.String("name", "", "scenario `NAME`; the default is the output file's name without extension")
	prefixLists := fs.StringArray("prefix-list", nil, "name the AWS-managed list behind a prefix-list id the input uses without describing it, as `ID=NAME` (pl-3b927c52=com.amazonaws.global.cloudfront.origin-facing); repeatable")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	if fs.NArg() < 2 {
		fmt.Fprintln(env.stderr, "sgchain import: missing format or input; usage: sgchain import aws|terraform|cloudformation [flags] INPUT...")
		return exitInvalid
	}
	format, inputs := fs.Arg(0), fs.Args()[1:]
	read, ok := importReaders[format]
	if !ok {
		fmt.Fprintf(env.stderr, "sgchain import: unknown format %q; use aws, terraform or cloudformation\n", format)
		return exitInvalid
	}

	inv, err := read(inputs)
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain import: %v\n", err)
		return exitInvalid
	}
	opts := importer.Options{Name: scenarioName(*name, *output, inputs), PrefixLists: map[string]string{}}
	for _, pl := range *prefixLists {
		id, listName, ok := strings.Cut(pl, "=")
		if !ok || id == "" || listName == "" {
			fmt.Fprintf(env.stderr, "sgchain import: invalid --prefix-list %q; write ID=NAME, such as pl-3b927c52=com.amazonaws.global.cloudfront.origin-facing\n", pl)
			return exitInvalid
		}
		opts.PrefixLists[id] = listName
	}
	s, err := importer.Build(inv, opts)
	if err != nil {
		for _, w := range inv.Warnings.List {
			fmt.Fprintln(env.stderr, w.String())
		}
		fmt.Fprintf(env.stderr, "sgchain import: %v\n", err)
		return exitInvalid
	}
	data := s.YAML()

	for _, w := range s.Warnings {
		fmt.Fprintln(env.stderr, w.String())
	}
	target := *output
	if target == "" {
		target = "<stdout>"
	}
	// The scenario must load: every construct the importer writes is one
	// the loader accepts. A failure here is a bug in the importer.
	_, diags := model.Parse(target, data)
	if err := writeScenario(*output, data, env); err != nil {
		fmt.Fprintf(env.stderr, "sgchain import: %v\n", err)
		return exitInvalid
	}
	if diags.HasErrors() {
		fmt.Fprintf(env.stderr, "sgchain import: the written scenario does not load, which is a bug in the importer; please report it with the input:\n%v\n", diags.Err())
		return exitInvalid
	}
	fmt.Fprintf(env.stderr, "sgchain import: wrote %s: %d tiers, %d security groups, %d warnings; review the lines marked PROPOSED\n",
		target, len(s.Tiers), len(s.Groups), len(s.Warnings))
	return exitOK
}

// scenarioName picks the scenario's name: the flag, else the output file's
// base name, else the first input's.
func scenarioName(flag, output string, inputs []string) string {
	if flag != "" {
		return flag
	}
	for _, p := range []string{output, inputs[0]} {
		if p == "" {
			continue
		}
		base := strings.TrimSuffix(filepath.Base(filepath.Clean(p)), filepath.Ext(p))
		if base != "" && base != "." && base != string(filepath.Separator) {
			return base
		}
	}
	return "imported"
}

func writeScenario(path string, data []byte, env *environment) error {
	if path == "" {
		_, err := env.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return errors.New("writing the scenario failed: " + err.Error())
	}
	return nil
}
