package main

import (
	"encoding/json"
	"io"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// The JSON form of a report. Field names are part of the output contract:
// fields may be added, but these keep their names and meanings.
type jsonReport struct {
	Scenario string         `json:"scenario"`
	File     string         `json:"file"`
	Verdict  string         `json:"verdict"`
	Stages   []jsonStage    `json:"stages"`
	Hops     []jsonHopCheck `json:"hops"`
	Findings []jsonFinding  `json:"findings"`
	Notes    []string       `json:"notes"`
	Stats    jsonStats      `json:"stats"`
}

type jsonStage struct {
	Attacker string   `json:"attacker"`
	Stage    int      `json:"stage"`
	Tiers    []string `json:"tiers"`
	Verdict  string   `json:"verdict"`
	Note     string   `json:"note,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

type jsonHopCheck struct {
	From    string      `json:"from"`
	To      string      `json:"to"`
	Verdict string      `json:"verdict"`
	Reason  string      `json:"reason,omitempty"`
	Packet  *jsonPacket `json:"packet,omitempty"`
}

type jsonFinding struct {
	Kind     string        `json:"kind"`
	Code     string        `json:"code"`
	Tier     string        `json:"tier,omitempty"`
	Attacker string        `json:"attacker,omitempty"`
	Stage    int           `json:"stage,omitempty"`
	Skipped  []string      `json:"skipped,omitempty"`
	Path     []string      `json:"path"`
	Packet   *jsonPacket   `json:"packet"`
	Hops     []jsonHop     `json:"hops,omitempty"`
	Classes  int           `json:"packets_on_path,omitempty"`
	Rules    []string      `json:"rules,omitempty"`
	Message  string        `json:"message"`
	Why      []string      `json:"why,omitempty"`
	Location *jsonLocation `json:"location,omitempty"`
}

type jsonPacket struct {
	Src      string       `json:"src"`
	Dst      string       `json:"dst,omitempty"`
	DstName  string       `json:"dst_name,omitempty"`
	Protocol string       `json:"protocol"`
	Port     *int         `json:"port,omitempty"`
	ICMPType *int         `json:"icmp_type,omitempty"`
	ICMPCode *int         `json:"icmp_code,omitempty"`
	Identity []string     `json:"security_group_identity,omitempty"`
	Headers  []jsonHeader `json:"headers,omitempty"`
}

// jsonHeader never carries a secret value: Value is empty and Secret true
// for the value of a secret origin custom header.
type jsonHeader struct {
	Name   string `json:"name"`
	Value  string `json:"value,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

type jsonHop struct {
	From      string      `json:"from"`
	To        string      `json:"to"`
	Delivered bool        `json:"delivered"`
	Packet    *jsonPacket `json:"packet"`
	// Sent is the packet as its sender sent it, when routing rewrote
	// the source; Packet is then the packet as it arrives.
	Sent   *jsonPacket `json:"sent,omitempty"`
	Steps  []jsonStep  `json:"steps"`
	Reason string      `json:"reason,omitempty"`
	Reply  string      `json:"reply,omitempty"`
}

type jsonStep struct {
	Filter    string        `json:"filter"`
	Component string        `json:"component"`
	Allowed   bool          `json:"allowed"`
	Rule      string        `json:"rule,omitempty"`
	Reason    string        `json:"reason,omitempty"`
	Detail    string        `json:"detail"`
	Location  *jsonLocation `json:"location,omitempty"`
}

type jsonLocation struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

type jsonStats struct {
	PacketClasses int `json:"packet_classes"`
	Paths         int `json:"paths"`
	FlowStates    int `json:"flow_states"`
}

// writeJSON prints one object for one report, and an array for several.
func writeJSON(w io.Writer, reports []*sim.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if len(reports) == 1 {
		return enc.Encode(toJSON(reports[0]))
	}
	all := make([]jsonReport, len(reports))
	for i, r := range reports {
		all[i] = toJSON(r)
	}
	return enc.Encode(all)
}

func toJSON(r *sim.Report) jsonReport {
	out := jsonReport{
		Scenario: r.Scenario, File: r.File, Verdict: r.Verdict,
		Stages: []jsonStage{}, Hops: []jsonHopCheck{}, Findings: []jsonFinding{}, Notes: r.Notes,
		Stats: jsonStats{PacketClasses: r.Stats.PacketClasses, Paths: r.Stats.Paths, FlowStates: r.Stats.States},
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for _, s := range r.Stages {
		out.Stages = append(out.Stages, jsonStage{Attacker: s.Attacker, Stage: s.Stage, Tiers: s.Tiers, Verdict: s.Verdict, Note: s.Note, Evidence: s.Evidence})
	}
	for _, h := range r.Hops {
		out.Hops = append(out.Hops, jsonHopCheck{From: h.From, To: h.To, Verdict: h.Verdict, Reason: h.Reason, Packet: packetJSON(h.Packet)})
	}
	for _, f := range r.Findings {
		jf := jsonFinding{
			Kind: string(f.Kind), Code: f.Code, Tier: f.Tier, Attacker: f.Attacker, Stage: f.Stage,
			Skipped: f.Skipped, Path: f.Path, Packet: packetJSON(f.Packet), Classes: f.Classes,
			Rules: f.Rules, Message: f.Message, Why: f.Why, Location: locationJSON(f.Pos),
		}
		if jf.Path == nil {
			jf.Path = []string{}
		}
		for _, h := range f.Hops {
			jf.Hops = append(jf.Hops, hopJSON(h))
		}
		out.Findings = append(out.Findings, jf)
	}
	return out
}

func hopJSON(h sim.Hop) jsonHop {
	pkt := h.Packet
	out := jsonHop{From: h.From, To: h.To, Delivered: h.Delivered, Packet: packetJSON(&pkt), Sent: packetJSON(h.Sent), Reason: h.Reason, Reply: h.Reply, Steps: []jsonStep{}}
	for _, s := range h.Steps {
		out.Steps = append(out.Steps, jsonStep{Filter: string(s.Filter), Component: s.Component, Allowed: s.Allowed,
			Rule: s.Rule, Reason: s.Reason, Detail: s.Detail, Location: locationJSON(s.Pos)})
	}
	return out
}

func packetJSON(p *sim.Packet) *jsonPacket {
	if p == nil {
		return nil
	}
	out := &jsonPacket{Protocol: p.Protocol.String(), Identity: p.IdentityNames()}
	if p.Src.IsValid() {
		out.Src = p.Src.String()
	}
	if p.Dst.IsValid() {
		out.Dst = p.Dst.String()
	}
	out.DstName = p.DstName
	switch p.Protocol {
	case model.TCP, model.UDP:
		port := p.Port
		out.Port = &port
	case model.ICMP, model.ICMPv6:
		typ, code := p.Port/256, p.Port%256
		out.ICMPType, out.ICMPCode = &typ, &code
	}
	for _, h := range p.Headers {
		jh := jsonHeader{Name: h.Name, Secret: h.Secret}
		if !h.Secret {
			jh.Value = h.Value
		}
		out.Headers = append(out.Headers, jh)
	}
	return out
}

func locationJSON(p model.Pos) *jsonLocation {
	if !p.IsValid() {
		return nil
	}
	return &jsonLocation{File: p.File, Line: p.Line, Column: p.Column}
}

// jsonDiagnostic is a load problem in JSON form: 1-based line and column of
// the subject node.
type jsonDiagnostic struct {
	Severity string        `json:"severity"`
	Summary  string        `json:"summary"`
	Detail   string        `json:"detail,omitempty"`
	Path     string        `json:"path,omitempty"`
	Location *jsonLocation `json:"location,omitempty"`
}

// writeJSONDiagnostics prints diagnostics as {"diagnostics": [...]}.
func writeJSONDiagnostics(w io.Writer, ds model.Diagnostics) {
	out := struct {
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
	}{Diagnostics: []jsonDiagnostic{}}
	for _, d := range ds {
		jd := jsonDiagnostic{Severity: d.Severity.String(), Summary: d.Summary, Detail: d.Detail, Path: d.Path, Location: locationJSON(d.Pos)}
		if jd.Location == nil && d.Pos.File != "" {
			jd.Location = &jsonLocation{File: d.Pos.File}
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}
