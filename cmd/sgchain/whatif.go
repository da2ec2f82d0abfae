package main

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
	"github.com/sgchain/sgchain/whatif"
)

const whatifUsage = `Usage: sgchain whatif FILE [changes] [flags]

Answer a design question: change the scenario as the flags say, then print
the differential reachability between the scenario as written and as
changed, as sgchain diff does. The file itself is not modified.

Changes apply in this order, whatever the order of the flags: overlays
(--patch), rule removals, rule additions, tier removals, tier additions,
attacker removals, attacker additions, leaked secrets, client IP
preservation, bypasses. Values are YAML, usually a flow mapping in quotes:

  sgchain whatif scenarios/three-tier.yaml \
    --add-rule 'app.ingress={protocol: tcp, ports: 22, from: {cidr: 0.0.0.0/0}}'
  sgchain whatif scenarios/three-tier.yaml --leak-secret X-CloudFront-Secret
  sgchain whatif scenarios/nakama-dual-token.yaml --remove-tier nlb
  sgchain whatif scenarios/three-tier.yaml --patch overlay.yaml

When the change removes or narrows a security-group rule, an "Established
connections" section follows the diff. For every flow that passed before and
not after, it says whether connections already established survive (the
security groups track them, so they last until idle for the timeout given)
or are cut at once (the flow was untracked), and where a network ACL rule
that denies the flow would cut the survivors at once.

Exit status: 1 when the change contains what --fail-on selects (by default a
regression), 0 otherwise, 2 for invalid input or usage.

Flags:
`

func runWhatif(args []string, env *environment) int {
	fs := pflag.NewFlagSet("whatif", pflag.ContinueOnError)
	format := &formatValue{value: "text", allowed: []string{"text", "json", "markdown"}}
	fs.Var(format, "format", "output format: text, json or markdown")
	fail := &failOn{kinds: []string{"skippable", "broken"}}
	fs.Var(fail, "fail-on", "changes that make whatif exit 1, as for sgchain diff")
	addRule := fs.StringArray("add-rule", nil, "add a rule: GROUP.ingress=RULE or GROUP.egress=RULE, RULE a YAML mapping; repeatable")
	removeRule := fs.StringArray("remove-rule", nil, "remove a rule by key path, such as security_groups.app.ingress[1]; repeatable")
	addTier := fs.StringArray("add-tier", nil, "add a tier: NAME=TIER or NAME:STAGE=TIER to also put it in 1-based chain stage STAGE; repeatable")
	removeTier := fs.StringArray("remove-tier", nil, "remove a tier and every reference to it; repeatable")
	addAttacker := fs.StringArray("add-attacker", nil, "add an attacker: NAME=ATTACKER, ATTACKER a YAML mapping; repeatable")
	removeAttacker := fs.StringArray("remove-attacker", nil, "remove an attacker; repeatable")
	leak := fs.StringArray("leak-secret", nil, "every attacker learns the secret value of this custom header; repeatable")
	clientIP := fs.StringArray("client-ip-preservation", nil, "NLB=on or NLB=off: switch client IP preservation on every target group of the NLB; repeatable")
	bypass := fs.StringArray("bypass", nil, "get around a tier's checks: a cloudfront tier loses its web ACL and an attacker gets its own distribution; an alb forwards without its listener rules; repeatable")
	patches := fs.StringArray("patch", nil, "merge an overlay YAML file into the scenario (JSON Merge Patch semantics); repeatable")
	printScenario := fs.Bool("print-scenario", false, "print the changed scenario instead of the diff, with secret values replaced by a placeholder")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), whatifUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.stderr, "sgchain whatif: expected one scenario FILE; usage: sgchain whatif FILE [changes] [flags]")
		return exitInvalid
	}
	file := fs.Arg(0)

	changes, err := whatifChanges(*patches, *removeRule, *addRule, *removeTier, *addTier, *removeAttacker, *addAttacker, *leak, *clientIP, *bypass)
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain whatif: %v\n", err)
		return exitInvalid
	}
	if len(changes) == 0 {
		fmt.Fprintln(env.stderr, "sgchain whatif: no change given; see sgchain whatif --help for the change flags")
		return exitInvalid
	}

	env.jsonDiagnostics = format.value == "json"
	scenarios, ok := loadAll([]string{file}, env)
	if !ok {
		return exitInvalid
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain whatif: %v\n", err)
		return exitInvalid
	}
	changed, err := whatif.Apply(data, changes...)
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain whatif: %v\n", err)
		return exitInvalid
	}
	if *printScenario {
		redacted, err := whatif.Redact(changed)
		if err != nil {
			fmt.Fprintf(env.stderr, "sgchain whatif: %v\n", err)
			return exitInvalid
		}
		env.stdout.Write(redacted)
		return exitOK
	}
	after, diags := model.Parse(file+" (what-if)", changed)
	if diags.HasErrors() {
		fmt.Fprintln(env.stderr, "sgchain whatif: the changed scenario is invalid (positions refer to the changed document; --print-scenario shows it):")
		for _, d := range diags {
			fmt.Fprintln(env.stderr, d.String())
		}
		return exitInvalid
	}

	d, err := sim.Diff(scenarios[0], after)
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain whatif: %v\n", err)
		return exitInvalid
	}
	if format.value == "text" {
		fmt.Fprintln(env.stdout, "What if:")
		for _, c := range changes {
			fmt.Fprintf(env.stdout, "  - %s\n", c)
		}
		fmt.Fprintln(env.stdout)
	}
	return writeWhatif(env, format.value, d, sim.LostFlows(scenarios[0], after, d), fail)
}

// whatifChanges turns the change flags into changes, in the documented
// order.
func whatifChanges(patches, removeRule, addRule, removeTier, addTier, removeAttacker, addAttacker, leak, clientIP, bypass []string) ([]whatif.Change, error) {
	var out []whatif.Change
	for _, p := range patches {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading overlay: %w", err)
		}
		out = append(out, whatif.Patch{Name: p, Overlay: data})
	}

	// Remove higher indexes first, so that several removals from one list
	// name the rules as the file numbers them.
	removals := slices.Clone(removeRule)
	slices.SortFunc(removals, func(a, b string) int {
		ga, ia := splitIndex(a)
		gb, ib := splitIndex(b)
		return cmp.Or(strings.Compare(ga, gb), cmp.Compare(ib, ia))
	})
	for _, r := range removals {
		out = append(out, whatif.RemoveRule{Path: r})
	}
	for _, r := range addRule {
		target, rule, ok := strings.Cut(r, "=")
		group, dir, ok2 := strings.Cut(target, ".")
		if !ok || !ok2 {
			return nil, fmt.Errorf("invalid --add-rule %q: expected GROUP.ingress=RULE or GROUP.egress=RULE", r)
		}
		group = strings.TrimPrefix(group, "security_groups.")
		out = append(out, whatif.AddRule{Group: group, Direction: dir, Rule: rule})
	}
	for _, t := range removeTier {
		out = append(out, whatif.RemoveTier{Name: t})
	}
	for _, t := range addTier {
		head, tier, ok := strings.Cut(t, "=")
		if !ok {
			return nil, fmt.Errorf("invalid --add-tier %q: expected NAME=TIER or NAME:STAGE=TIER", t)
		}
		name, stageText, hasStage := strings.Cut(head, ":")
		stage := 0
		if hasStage {
			n, err := strconv.Atoi(stageText)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("invalid stage %q in --add-tier %q: expected a number from 1", stageText, t)
			}
			stage = n
		}
		out = append(out, whatif.AddTier{Name: name, Tier: tier, Stage: stage})
	}
	for _, a := range removeAttacker {
		out = append(out, whatif.RemoveAttacker{Name: a})
	}
	for _, a := range addAttacker {
		name, attacker, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("invalid --add-attacker %q: expected NAME=ATTACKER", a)
		}
		out = append(out, whatif.AddAttacker{Name: name, Attacker: attacker})
	}
	for _, h := range leak {
		out = append(out, whatif.LeakSecret{Header: h})
	}
	for _, c := range clientIP {
		tier, state, ok := strings.Cut(c, "=")
		if !ok || (state != "on" && state != "off") {
			return nil, fmt.Errorf("invalid --client-ip-preservation %q: expected NLB=on or NLB=off", c)
		}
		out = append(out, whatif.ClientIPPreservation{Tier: tier, On: state == "on"})
	}
	for _, t := range bypass {
		out = append(out, whatif.Bypass{Tier: t})
	}
	return out, nil
}

// splitIndex splits a rule path into the list it names and its index.
func splitIndex(path string) (string, int) {
	list, idx, ok := strings.Cut(path, "[")
	if !ok {
		return path, 0
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(idx, "]"))
	return list, n
}
