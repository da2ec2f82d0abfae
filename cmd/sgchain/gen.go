package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/internal/gen"
	"github.com/sgchain/sgchain/model"
)

const genUsage = `Usage: sgchain gen [flags]

Write a valid scenario of a given size, for benchmarks and demos. It has
services, each an internet-facing ALB, an ECS application and an RDS
database behind CloudFront distributions that send a secret header, chained
CloudFront -> ALB -> application -> database, and worker tiers outside the
chain when --tiers asks for more tiers than the services have. Security
groups, rules and prefix lists beyond what the chain needs are worker groups,
ingress rules from random CIDR blocks on random ports, and customer-managed
prefix lists that some of those rules name. The same flags and seed always
give the same file.

Each size flag sets one count and the others follow from it: --services
alone gives three tiers, three groups and five chaining rules per service;
--tiers or --security-groups alone give as many services as they allow. The
model gives each tier one representative network interface, so --interfaces
is another name for --tiers.

The scenario goes to standard output, or to the file given with -o. sgchain
check reads files of at most 8 MiB, and gen refuses to write a larger one:
100,000 rules take about 6 MiB.

Exit status: 0 when a scenario was written, 2 for sizes that cannot be met
or usage errors.

Flags:
`

func runGen(args []string, env *environment) int {
	fs := pflag.NewFlagSet("gen", pflag.ContinueOnError)
	var o gen.Options
	fs.IntVar(&o.Services, "services", 0, "the number `N` of services, each an ALB, an application and a database")
	fs.IntVar(&o.Tiers, "tiers", 0, "the total number `N` of tiers, CloudFront distributions included")
	interfaces := fs.Int("interfaces", 0, "the number `N` of network interfaces, the same as --tiers because each tier has one")
	fs.IntVar(&o.SecurityGroups, "security-groups", 0, "the total number `N` of security groups")
	fs.IntVar(&o.Rules, "rules", 0, "the total number `N` of security-group rules, ingress and egress")
	fs.IntVar(&o.PrefixLists, "prefix-lists", 0, "the number `N` of customer-managed prefix lists")
	fs.Uint64Var(&o.Seed, "seed", 1, "the seed `N` of the random rules; the same seed gives the same file")
	output := fs.StringP("output", "o", "", "write the scenario to `FILE` instead of standard output")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), genUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "sgchain gen: unexpected argument %q; gen takes only flags\n", fs.Arg(0))
		return exitInvalid
	}
	if *interfaces != 0 {
		if o.Tiers != 0 && o.Tiers != *interfaces {
			fmt.Fprintf(env.stderr, "sgchain gen: --tiers %d and --interfaces %d differ; each tier has one interface, so give one of them\n", o.Tiers, *interfaces)
			return exitInvalid
		}
		o.Tiers = *interfaces
	}
	if o.Services == 0 && o.Tiers == 0 && o.SecurityGroups == 0 {
		fmt.Fprintln(env.stderr, "sgchain gen: missing size; give --services, --tiers, --interfaces or --security-groups")
		return exitInvalid
	}

	var b bytes.Buffer
	l, err := gen.Generate(&b, o)
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain gen: %v\n", err)
		return exitInvalid
	}
	if b.Len() > model.MaxFileSize {
		fmt.Fprintf(env.stderr, "sgchain gen: the scenario would be %.1f MiB, more than the %d MiB sgchain check reads; ask for fewer tiers or rules\n",
			float64(b.Len())/(1<<20), model.MaxFileSize>>20)
		return exitInvalid
	}
	if *output == "" {
		if _, err := env.stdout.Write(b.Bytes()); err != nil {
			fmt.Fprintf(env.stderr, "sgchain gen: writing the scenario failed: %v\n", err)
			return exitInvalid
		}
	} else if err := os.WriteFile(*output, b.Bytes(), 0o644); err != nil {
		fmt.Fprintf(env.stderr, "sgchain gen: writing the scenario failed: %v\n", err)
		return exitInvalid
	}

	target := *output
	if target == "" {
		target = "<stdout>"
	}
	fmt.Fprintf(env.stderr, "sgchain gen: wrote %s: %d tiers (%d services, %d workers), %d security groups, %d rules, %d prefix lists, %d bytes\n",
		target, l.Tiers(), l.Services, l.Workers, l.SecurityGroups(), l.Rules, l.PrefixLists, b.Len())
	return exitOK
}
