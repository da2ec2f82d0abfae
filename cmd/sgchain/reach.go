package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

const reachUsage = `Usage: sgchain reach [flags] FILE...

Print the design-review overview of each scenario: for every attacker, and
for every compute or data-store tier as if its code were compromised, the
tiers it reaches, with which protocols and ports (merged into ranges), and
whether directly or through which intermediate nodes. The answer is exact
over the whole packet space.

Exit status: 0, or 2 for invalid input or usage.

Flags:
`

func runReach(args []string, env *environment) int {
	fs := pflag.NewFlagSet("reach", pflag.ContinueOnError)
	format := &formatValue{value: "text", allowed: []string{"text", "json", "markdown"}}
	fs.Var(format, "format", "output format: text, json or markdown")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), reachUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.stderr, "sgchain reach: missing scenario file; usage: sgchain reach [flags] FILE...")
		return exitInvalid
	}
	env.jsonDiagnostics = format.value == "json"
	scenarios, ok := loadAll(fs.Args(), env)
	if !ok {
		return exitInvalid
	}

	var reports []*sim.ReachReport
	for _, s := range scenarios {
		r, err := sim.Reach(s)
		if err != nil {
			fmt.Fprintf(env.stderr, "%s: error: %v\n", s.File, err)
			return exitInvalid
		}
		reports = append(reports, r)
	}

	switch format.value {
	case "json":
		var out any
		if len(reports) == 1 {
			out = reachJSON(reports[0])
		} else {
			all := make([]jsonReach, len(reports))
			for i, r := range reports {
				all[i] = reachJSON(r)
			}
			out = all
		}
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(env.stderr, "sgchain reach: %v\n", err)
			return exitInvalid
		}
	case "markdown":
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(env.stdout)
			}
			writeReachMarkdown(env.stdout, r)
		}
	default:
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(env.stdout)
			}
			writeReachText(env.stdout, r)
		}
	}
	return exitOK
}

// portsString renders merged port ranges for a protocol, such as
// "80, 443, 1024-65535", or "all" for protocols without ports.
func portsString(proto model.Protocol, ports []model.PortRange) string {
	if !proto.HasPorts() || (len(ports) == 1 && ports[0].IsAll()) {
		return "all"
	}
	parts := make([]string, len(ports))
	for i, p := range ports {
		if proto == model.ICMP || proto == model.ICMPv6 {
			parts[i] = icmpRange(p)
			continue
		}
		parts[i] = p.String()
	}
	return strings.Join(parts, ", ")
}

// icmpRange renders a range of type*256+code values as ICMP types and codes.
func icmpRange(r model.PortRange) string {
	ft, fc, tt, tc := r.From/256, r.From%256, r.To/256, r.To%256
	switch {
	case fc == 0 && tc == 255 && ft == tt:
		return fmt.Sprintf("type %d", ft)
	case fc == 0 && tc == 255:
		return fmt.Sprintf("types %d-%d", ft, tt)
	case r.From == r.To:
		return fmt.Sprintf("type %d code %d", ft, fc)
	}
	return fmt.Sprintf("type %d code %d - type %d code %d", ft, fc, tt, tc)
}

// viaString renders how a row's target is reached.
func viaString(r sim.ReachRow) string {
	var parts []string
	if r.Direct {
		parts = append(parts, "direct")
	}
	for _, v := range r.Via {
		parts = append(parts, "via "+strings.Join(v, " > "))
	}
	return strings.Join(parts, "; ")
}

func sourceLabel(r sim.ReachRow) string {
	if r.FromTier {
		return r.From + " (tier)"
	}
	return r.From
}

func writeReachText(w io.Writer, r *sim.ReachReport) {
	fmt.Fprintf(w, "Scenario %s (%s)\n\n", r.Scenario, r.File)
	fmt.Fprintf(w, "%-24s %-14s %-8s %-24s %s\n", "FROM", "TO", "PROTO", "PORTS", "HOW")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%-24s %-14s %-8s %-24s %s\n", sourceLabel(row), row.To, row.Protocol, portsString(row.Protocol, row.Ports), viaString(row))
	}
	fmt.Fprintf(w, "\nExplored %d packet classes, %d flow states and %d distinct paths.\n", r.Stats.PacketClasses, r.Stats.States, r.Stats.Paths)
}

func writeReachMarkdown(w io.Writer, r *sim.ReachReport) {
	fmt.Fprintf(w, "### Reachability of %s\n\n", r.Scenario)
	fmt.Fprintln(w, "| from | to | protocol | ports | how |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", sourceLabel(row), row.To, row.Protocol, portsString(row.Protocol, row.Ports), viaString(row))
	}
	fmt.Fprintf(w, "\n%d packet classes explored.\n", r.Stats.PacketClasses)
}

type jsonReach struct {
	Scenario string         `json:"scenario"`
	File     string         `json:"file"`
	Rows     []jsonReachRow `json:"reach"`
	Stats    jsonStats      `json:"stats"`
}

type jsonReachRow struct {
	From     string       `json:"from"`
	FromTier bool         `json:"from_tier"`
	To       string       `json:"to"`
	Protocol string       `json:"protocol"`
	Ports    []jsonPortRg `json:"ports"`
	Direct   bool         `json:"direct"`
	Via      [][]string   `json:"via"`
}

type jsonPortRg struct {
	From int `json:"from"`
	To   int `json:"to"`
}

func reachJSON(r *sim.ReachReport) jsonReach {
	out := jsonReach{Scenario: r.Scenario, File: r.File, Rows: []jsonReachRow{},
		Stats: jsonStats{PacketClasses: r.Stats.PacketClasses, Paths: r.Stats.Paths, FlowStates: r.Stats.States}}
	for _, row := range r.Rows {
		jr := jsonReachRow{From: row.From, FromTier: row.FromTier, To: row.To, Protocol: row.Protocol.String(), Direct: row.Direct, Via: row.Via}
		if jr.Via == nil {
			jr.Via = [][]string{}
		}
		for _, p := range row.Ports {
			jr.Ports = append(jr.Ports, jsonPortRg{From: p.From, To: p.To})
		}
		out.Rows = append(out.Rows, jr)
	}
	return out
}
