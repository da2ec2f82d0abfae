package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/sim"
)

// trackingLines describes a hop's connection tracking, one line per end
// that has security groups.
func trackingLines(tr *sim.Tracking) []string {
	if tr.Sender == nil && tr.Receiver == nil {
		return []string{"tracking: no security group on either end"}
	}
	var out []string
	for _, end := range []struct {
		role string
		t    *sim.InterfaceTracking
	}{{"sender", tr.Sender}, {"receiver", tr.Receiver}} {
		if end.t != nil {
			out = append(out, fmt.Sprintf("tracking at %s %s: %s", end.role, end.t.Tier, interfaceTrackingText(end.t)))
		}
	}
	return out
}

// interfaceTrackingText describes the tracking on one end: the state, why,
// and the idle timeout.
func interfaceTrackingText(t *sim.InterfaceTracking) string {
	state := string(t.State)
	if t.State == sim.AutoTracked {
		state += " by " + t.Component
	}
	if t.Timeout == nil {
		return fmt.Sprintf("%s: %s; no connection state, so removing or narrowing a rule that admits it cuts the flow at once", state, t.Reason)
	}
	return fmt.Sprintf("%s: %s; %s", state, t.Reason, timeoutText(t.Timeout))
}

// timeoutText describes an idle timeout, such as "idle timeout 432000 s
// (TCP established; 350 s on Nitro v6 instance types)".
func timeoutText(t *sim.IdleTimeout) string {
	detail := t.Kind
	if t.Note != "" {
		detail += "; " + t.Note
	}
	if t.Seconds == 0 {
		return "idle timeout unknown (" + detail + ")"
	}
	return fmt.Sprintf("idle timeout %d s (%s)", t.Seconds, detail)
}

type jsonTracking struct {
	Sender   *jsonInterfaceTracking `json:"sender"`
	Receiver *jsonInterfaceTracking `json:"receiver"`
}

type jsonInterfaceTracking struct {
	Tier        string           `json:"tier"`
	State       string           `json:"state"`
	Component   string           `json:"component,omitempty"`
	Reason      string           `json:"reason"`
	IdleTimeout *jsonIdleTimeout `json:"idle_timeout,omitempty"`
}

type jsonIdleTimeout struct {
	// Seconds is null when AWS documents no value.
	Seconds *int   `json:"seconds"`
	Kind    string `json:"kind"`
	Note    string `json:"note,omitempty"`
}

func trackingJSON(tr *sim.Tracking) *jsonTracking {
	if tr == nil {
		return nil
	}
	return &jsonTracking{Sender: interfaceTrackingJSON(tr.Sender), Receiver: interfaceTrackingJSON(tr.Receiver)}
}

func interfaceTrackingJSON(t *sim.InterfaceTracking) *jsonInterfaceTracking {
	if t == nil {
		return nil
	}
	return &jsonInterfaceTracking{Tier: t.Tier, State: string(t.State), Component: t.Component, Reason: t.Reason, IdleTimeout: idleTimeoutJSON(t.Timeout)}
}

func idleTimeoutJSON(t *sim.IdleTimeout) *jsonIdleTimeout {
	if t == nil {
		return nil
	}
	out := &jsonIdleTimeout{Kind: t.Kind, Note: t.Note}
	if t.Seconds > 0 {
		s := t.Seconds
		out.Seconds = &s
	}
	return out
}

// showLostFlows reports whether whatif prints the established-connections
// section: when the change removes or narrows a security-group rule that a
// lost flow passed.
func showLostFlows(lost []sim.LostFlow) bool {
	return slices.ContainsFunc(lost, func(f sim.LostFlow) bool { return f.CutBySecurityGroup() })
}

// lostFlowLabel names a lost flow in one line.
func lostFlowLabel(f *sim.LostFlow) string {
	if f.Reach != nil {
		return reachLine(*f.Reach)
	}
	return fmt.Sprintf("hop %s -> %s (intended) breaks", f.From, f.To)
}

// survivalText states the outcome for a flow's established connections.
func survivalText(f *sim.LostFlow) string {
	switch f.Survival {
	case sim.SurvivesUntilIdle:
		if f.Timeout == nil {
			return "established connections survive until they go idle"
		}
		return "established connections survive until they go idle: " + timeoutText(f.Timeout)
	case sim.CutAtOnce:
		return "established connections are cut at once"
	}
	return "not decided by connection tracking"
}

func cutText(c sim.Cut) string {
	return fmt.Sprintf("hop %s -> %s, %s: %s; before the change %s admitted it", c.From, c.To, c.Filter, c.After, c.Before)
}

func (t *textWriter) lostFlows(lost []sim.LostFlow) {
	t.printf("\n%s\n", t.paint(ansiBold, "Established connections"))
	for i := range lost {
		f := &lost[i]
		t.printf("  %s\n", lostFlowLabel(f))
		t.printf("      %s\n", survivalText(f))
		if len(f.Path) > 0 {
			t.printf("      path: %s\n", strings.Join(f.Path, " > "))
		}
		for _, c := range f.Cuts {
			t.printf("      cut: %s\n", cutText(c))
		}
		t.printf("      why: %s\n", f.Reason)
		if f.Remedy != "" {
			t.printf("      %s\n", f.Remedy)
		}
	}
}

func writeLostFlowsMarkdown(w io.Writer, lost []sim.LostFlow) {
	fmt.Fprintln(w, "#### Established connections")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| lost flow | established connections | why |")
	fmt.Fprintln(w, "| --- | --- | --- |")
	for i := range lost {
		f := &lost[i]
		why := f.Reason
		if f.Remedy != "" {
			why += ". " + strings.ToUpper(f.Remedy[:1]) + f.Remedy[1:]
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", markdownCell(lostFlowLabel(f)), markdownCell(survivalText(f)), markdownCell(why))
	}
	fmt.Fprintln(w)
}

// markdownCell escapes the characters that would end a table cell.
func markdownCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

type jsonLostFlow struct {
	Kind        string           `json:"kind"` // "hop" or "reach"
	From        string           `json:"from,omitempty"`
	To          string           `json:"to,omitempty"`
	Attacker    string           `json:"attacker,omitempty"`
	Tier        string           `json:"tier,omitempty"`
	Path        []string         `json:"path"`
	Survival    string           `json:"survival"`
	IdleTimeout *jsonIdleTimeout `json:"idle_timeout,omitempty"`
	Cuts        []jsonCut        `json:"cuts"`
	Drop        *jsonDrop        `json:"drop,omitempty"`
	Reason      string           `json:"reason"`
	Remedy      string           `json:"remedy,omitempty"`
}

type jsonCut struct {
	From     string                 `json:"from"`
	To       string                 `json:"to"`
	Filter   string                 `json:"filter"`
	Before   string                 `json:"before"`
	After    string                 `json:"after"`
	Tracking *jsonInterfaceTracking `json:"tracking"`
}

type jsonDrop struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Filter string `json:"filter"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail"`
}

func lostFlowsJSON(lost []sim.LostFlow) []jsonLostFlow {
	out := []jsonLostFlow{}
	for i := range lost {
		f := &lost[i]
		jf := jsonLostFlow{Kind: "hop", From: f.From, To: f.To, Path: f.Path, Survival: string(f.Survival),
			IdleTimeout: idleTimeoutJSON(f.Timeout), Reason: f.Reason, Remedy: f.Remedy, Cuts: []jsonCut{}}
		if f.Reach != nil {
			jf.Kind, jf.Attacker, jf.Tier = "reach", f.Reach.Attacker, f.Reach.Tier
		}
		if jf.Path == nil {
			jf.Path = []string{}
		}
		for _, c := range f.Cuts {
			jf.Cuts = append(jf.Cuts, jsonCut{From: c.From, To: c.To, Filter: string(c.Filter), Before: c.Before, After: c.After,
				Tracking: interfaceTrackingJSON(c.Tracking)})
		}
		if f.Drop != nil {
			jf.Drop = &jsonDrop{From: f.DropFrom, To: f.DropTo, Filter: string(f.Drop.Filter), Reason: f.Drop.Reason, Detail: f.Drop.Detail}
		}
		out = append(out, jf)
	}
	return out
}

// jsonWhatif is whatif's JSON: the diff, and what happens to established
// connections when the change removes or narrows a security-group rule.
type jsonWhatif struct {
	jsonDiff
	Established []jsonLostFlow `json:"established_connections,omitempty"`
}

// writeWhatif renders a what-if diff with its lost flows and returns the
// exit status --fail-on selects.
func writeWhatif(env *environment, format string, d *sim.DiffReport, lost []sim.LostFlow, fail *failOn) int {
	if !showLostFlows(lost) {
		return writeDiff(env, format, d, fail)
	}
	switch format {
	case "json":
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(jsonWhatif{jsonDiff: diffJSON(d), Established: lostFlowsJSON(lost)}); err != nil {
			fmt.Fprintf(env.stderr, "sgchain: %v\n", err)
			return exitInvalid
		}
	case "markdown":
		writeDiffMarkdown(env.stdout, d)
		writeLostFlowsMarkdown(env.stdout, lost)
	default:
		tw := &textWriter{w: env.stdout, color: useColor(env.stdout, env.getenv)}
		tw.diff(d)
		tw.lostFlows(lost)
	}
	if fail.triggered(d) {
		return exitFindings
	}
	return exitOK
}
